"""Whether a tracker changed, as cheaply as the backend allows.

A *change token* is a value that differs whenever the tracker changed: for
Google Sheets Drive's file ``version`` (one Drive ``files.get`` asking for that
field only, counted against Drive's per-user quota, not the Sheets quota); for
local trackers the names, sizes and modification times of the files.  Nothing
here reads the tracker's cells.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sheetsync.errors import AuthError, SheetsyncError

if TYPE_CHECKING:
    from sheetsync.backends.base import Backend
    from sheetsync.backends.google.auth import LoadedCredentials
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
# Read-only access to file metadata: enough for files.get(fields="version").
SCOPE_DRIVE_METADATA = "https://www.googleapis.com/auth/drive.metadata.readonly"
WATCH_HINT = (
    "`watch` asks Drive for the sheet's version: a service account gets that access "
    "by itself; your own sign-in needs `sheetsync auth login --client-secrets FILE "
    "--allow-sharing` (Drive access)"
)


def change_token(backend: Backend) -> str:
    """A value that changes whenever the tracker does."""
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

    if isinstance(backend, GoogleSheetsBackend):
        return drive_version(backend)
    path = getattr(backend, "path", None)
    if isinstance(path, Path):
        return file_stamps(path)
    # A backend with no cheap check: every look counts as a change.
    return f"always:{os.urandom(8).hex()}"


def watch_credentials(path: str | None, config_path: str | None) -> LoadedCredentials | None:
    """The credentials a watch on Google Sheets uses (None: anonymous, for an emulator).

    A service account is asked for Drive metadata access too (its token carries
    the scopes requested); a saved sign-in has the scopes granted at login.
    """
    from sheetsync.backends.google.auth import (
        SHEETS_SCOPES,
        credentials_from_file,
        load_credentials,
    )
    from sheetsync.backends.google.transport import endpoint_from_env

    if endpoint_from_env() and path is None:
        return None
    loaded = load_credentials(path, config_path=config_path)
    if loaded.kind == "service_account" and loaded.source:
        loaded = credentials_from_file(loaded.source, (*SHEETS_SCOPES, SCOPE_DRIVE_METADATA))
    return loaded


def drive_version(backend: GoogleSheetsBackend) -> str:
    """Drive's ``version`` of the spreadsheet file: it grows with every change to it."""
    url = f"{DRIVE_FILES_URL}/{backend.spreadsheet_id}"
    params = {"fields": "version", "supportsAllDrives": "true"}
    try:
        response = backend.call_api("asking Drive for the sheet's version", "nothing was written",
                                    backend.client.request, "get", url, params=params)  # fmt: skip
    except AuthError as exc:
        # Not shared, or credentials without Drive access: say both ways out.
        hint = f"{exc.hint}; or: {WATCH_HINT}" if exc.hint else WATCH_HINT
        raise AuthError(exc.message, hint=hint) from exc
    version = response.json().get("version")
    if not isinstance(version, str | int):
        raise SheetsyncError("Drive answered without the sheet's version")
    return f"drive:{version}"


def file_stamps(path: Path) -> str:
    """Names, sizes and modification times of a local tracker's files.

    A CSV folder: every ``.csv`` in it (a tab added or removed counts); an
    .xlsx workbook: the file itself.  A missing tracker is a state of its own.
    """
    try:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        else:
            files = [path]
        stamps = []
        for file in files:
            info = file.stat()
            stamps.append(f"{file.name}:{info.st_size}:{info.st_mtime_ns}")
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return "files:" + "|".join(stamps)

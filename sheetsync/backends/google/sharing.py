"""Share the tracker with a mentor, and list who has access (Drive v3 permissions).

Requests go through gspread's HTTPClient and so through the same transport as
the backend (endpoint override, timeouts, bounded retry).  Creating a
permission is sent as a Drive v3 body written here rather than with
``HTTPClient.insert_permission``, which adds the Drive v2 field ``withLink``
that v3 does not define.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetsync.errors import ConfigError, SheetsyncError, UnreachableError

if TYPE_CHECKING:
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

ROLES = ("reader", "commenter", "writer")
# What each role lets a mentor do on the tracker, in one line.  Approving a draft
# or editing its text is editing cells, which only "writer" allows.
ROLE_MEANING = {
    "writer": "they can approve drafts, edit their text and edit every tab",
    "commenter": "they can read every tab and comment, but cannot approve a draft or edit "
                 "its text (--role writer can)",
    "reader": "they can only read every tab: no comments, approvals or edits "
              "(--role writer can approve)",
}  # fmt: skip
DEFAULT_ROLE = "writer"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"


@dataclass(frozen=True)
class Share:
    """One person or group with access to the sheet."""

    email: str
    role: str
    kind: str = "user"
    name: str = ""
    id: str = ""

    def meaning(self) -> str:
        """One line: what this role lets the person do, and that the whole sheet is shared."""
        what = ROLE_MEANING.get(self.role, f"their role is {self.role}")
        return f"{what}; the whole spreadsheet is shared, contact details included."

    def line(self) -> str:
        who = f"{self.name} <{self.email}>" if self.name and self.email else (
            self.email or self.name or self.kind)  # fmt: skip
        return f"{self.role:<10} {who}"


def _backend(backend_or_key: GoogleSheetsBackend | str, credentials: Any = None,
             config_credentials: str | None = None) -> GoogleSheetsBackend:
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

    if isinstance(backend_or_key, GoogleSheetsBackend):
        return backend_or_key
    from sheetsync.backends.google.auth import SHARING_SCOPES, load_credentials
    from sheetsync.backends.google.transport import endpoint_from_env

    if credentials is None and not endpoint_from_env():
        credentials = load_credentials(None, config_path=config_credentials,
                                       scopes=SHARING_SCOPES)  # fmt: skip
    elif isinstance(credentials, str):
        credentials = load_credentials(credentials, scopes=SHARING_SCOPES)
    return GoogleSheetsBackend(backend_or_key, credentials)


def _drive_json(backend: GoogleSheetsBackend, doing: str, written: str, method: str, url: str,
                **kwargs: Any) -> Any:
    response = backend.call_api(doing, written, backend.client.request, method, url,
                                write=method != "get", **kwargs)
    return response.json()


def share(
    backend_or_key: GoogleSheetsBackend | str,
    email: str,
    role: str = DEFAULT_ROLE,
    notify: bool = True,
    message: str | None = None,
    *,
    credentials: Any = None,
    config_credentials: str | None = None,
) -> Share:
    """Give ``email`` ``role`` access to the sheet; Google e-mails them unless ``notify`` is off."""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    address = email.strip()
    if "@" not in address or " " in address:
        raise ConfigError(f"{email!r} is not an e-mail address",
                          hint="give the mentor's Google account e-mail")  # fmt: skip
    if message and not notify:
        raise ConfigError("--message is sent in the notification e-mail, which --no-notify "
                          "turns off", hint="drop one of the two options")  # fmt: skip
    backend = _backend(backend_or_key, credentials, config_credentials)
    params: dict[str, Any] = {"supportsAllDrives": True, "sendNotificationEmail": notify}
    if message:
        params["emailMessage"] = message
    body = {"type": "user", "role": role, "emailAddress": address}
    url = f"{DRIVE_FILES_URL}/{backend.spreadsheet_id}/permissions"
    try:
        data = _drive_json(backend, f"sharing the sheet with {address}", "nobody was added",
                           "post", url, params=params, json=body)  # fmt: skip
    except SheetsyncError as exc:
        raise _drive_hint(exc) from exc
    return Share(address, str(data.get("role", role)), str(data.get("type", "user")),
                 str(data.get("displayName", "")), str(data.get("id", "")))  # fmt: skip


def list_shares(
    backend_or_key: GoogleSheetsBackend | str,
    *,
    credentials: Any = None,
    config_credentials: str | None = None,
) -> list[Share]:
    """Everyone with access to the sheet, owners first."""
    backend = _backend(backend_or_key, credentials, config_credentials)
    try:
        raw = backend.call_api("listing who has access", "nothing was changed",
                               backend.client.list_permissions, backend.spreadsheet_id)  # fmt: skip
    except SheetsyncError as exc:
        raise _drive_hint(exc) from exc
    order = {"owner": 0, "organizer": 1, "fileOrganizer": 2, "writer": 3, "commenter": 4,
             "reader": 5}  # fmt: skip
    shares = [Share(str(p.get("emailAddress") or p.get("domain") or ""), str(p.get("role", "")),
                    str(p.get("type", "")), str(p.get("displayName", "")), str(p.get("id", "")))
              for p in raw]  # fmt: skip
    return sorted(shares, key=lambda s: (order.get(s.role, 9), s.email))


def _drive_hint(exc: SheetsyncError) -> SheetsyncError:
    """Sharing needs the Drive API and the drive scope: say so when that is what failed."""
    text = exc.message.lower()
    if "not enabled" in text or "has not been used" in text:
        exc.hint = ("enable the Google Drive API in the Cloud project of these credentials "
                    "(sharing uses Drive): see docs/google-setup.md")  # fmt: skip
    elif "lack a permission" in text:
        exc.hint = "run `sheetsync auth login --allow-sharing` to allow sharing"
    elif isinstance(exc, UnreachableError) and "not found" in text:
        exc.hint = ("check the spreadsheet URL or key; to share, the credentials must be able "
                    "to edit the sheet")  # fmt: skip
    return exc

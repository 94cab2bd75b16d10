"""Choosing a backend from a ``--sheet`` value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Config
    from .base import Backend

_GOOGLE_URL = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_GOOGLE_KEY = re.compile(r"^[A-Za-z0-9_-]{30,}$")


def is_google(location: str) -> bool:
    return bool(_GOOGLE_URL.search(location)) or (
        bool(_GOOGLE_KEY.match(location)) and not Path(location).exists()
    )


def open_backend(location: str | None, config: Config, credentials: str | None = None) -> Backend:
    """The backend for ``location``: a Google Sheets URL/key, an .xlsx file, or a folder."""
    if not location:
        raise ConfigError(
            "no sheet given",
            hint="pass --sheet PATH (or a Google Sheets URL), or set `sheet` in sheetsync.toml; "
            "`sheetsync init tracker` creates a local one to try",
        )
    if is_google(location):
        from .gsheets import open_google_backend

        return open_google_backend(location, config, credentials)
    path = Path(location).expanduser()
    if path.suffix.lower() == ".xlsx":
        from .local import XlsxBackend

        return XlsxBackend(path)
    if path.suffix.lower() == ".csv" and path.is_file():
        path = path.parent  # pointing at Applications.csv means its folder
    from .local import CsvFolderBackend

    return CsvFolderBackend(path)

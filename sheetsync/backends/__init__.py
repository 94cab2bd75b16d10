"""Choosing a backend from a ``--sheet`` value."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sheetsync.errors import ConfigError

if TYPE_CHECKING:
    from sheetsync.backends.base import Backend
    from sheetsync.config import Config


def is_google(location: str) -> bool:
    from sheetsync.backends.google.cells import is_google_sheet  # light: no gspread, no pandas

    return is_google_sheet(location)


def open_backend(
    location: str | None,
    config: Config,
    credentials: str | None = None,
    *,
    cache_dir: Path | None = None,
) -> Backend:
    """The backend for ``location``: a Google Sheets URL/key, an .xlsx file, or a folder.

    ``cache_dir`` keeps a Google sheet's metadata between runs (None: no cache).
    """
    if not location:
        raise ConfigError(
            "no sheet given",
            hint="pass --sheet PATH (or a Google Sheets URL), or set `sheet` in sheetsync.toml; "
            "`sheetsync init tracker` creates a local one to try",
        )
    backend = _open(location, config, credentials, cache_dir)
    backend.aliases = dict(config.columns)
    backend.applications_tab = config.applications_tab
    backend.allow_loss = config.xlsx_allow_loss
    backend.dashboard_tab = config.dashboard_tab
    return backend


def _open(
    location: str, config: Config, credentials: str | None, cache_dir: Path | None
) -> Backend:
    if is_google(location):
        from sheetsync.backends.google.sheets import open_google_backend

        return open_google_backend(location, config, credentials, cache_dir=cache_dir)
    path = Path(location).expanduser()
    if path.suffix.lower() == ".xlsx":
        from sheetsync.backends.xlsx import XlsxBackend

        return XlsxBackend(path)
    if path.suffix.lower() == ".csv" and path.is_file():
        path = path.parent  # pointing at Applications.csv means its folder
    from sheetsync.backends.csv_folder import CsvFolderBackend

    return CsvFolderBackend(path)

"""``sheetsync init``: a new local tracker from the sample applications."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sheetsync.backends import csvfile
from sheetsync.fileio import atomic_writer
from sheetsync.tracker.schema import ALL_COLUMNS, TABS


def new_tracker(path: Path, sample_csv: str, *, xlsx: bool) -> None:
    """Create a tracker at ``path`` whose Applications tab is ``sample_csv``."""
    if xlsx:
        from openpyxl import Workbook as XlWorkbook

        doc = csvfile.parse(sample_csv)
        book = XlWorkbook()
        ws = book.worksheets[0]
        ws.title = TABS[0]
        for row in doc.values:
            ws.append([v if v else None for v in row])
        for tab in TABS[1:]:
            book.create_sheet(tab).append(list(ALL_COLUMNS[tab]))
        from sheetsync.backends.xlsx_decor import decorate

        for tab in TABS:  # every column here is one sheetsync made: drop-downs where fitting
            decorate(book[tab], tab, set(ALL_COLUMNS[tab]))
        with atomic_writer(path, "wb") as handle:
            book.save(handle)
        return
    path.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path / f"{TABS[0]}.csv") as handle:
        handle.write(sample_csv)
    for tab in TABS[1:]:
        with atomic_writer(path / f"{tab}.csv") as handle:
            handle.write(",".join(ALL_COLUMNS[tab]) + "\n")


def existing_tracker(path: Path, *, xlsx: bool) -> bool:
    """True when ``path`` already holds a tracker (or any file of one) init would replace."""
    if xlsx:
        return path.exists()
    return any((path / f"{tab}.csv").exists() for tab in TABS)


def keep_backup(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy the tracker at ``path`` beside it as ``NAME.backup-YYYYMMDD-HHMMSS[.xlsx]``."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = path.suffix if path.is_file() else ""
    stem = path.name[: len(path.name) - len(suffix)]
    backup = path.with_name(f"{stem}.backup-{stamp}{suffix}")
    n = 2
    while backup.exists():  # two inits in one second
        backup = path.with_name(f"{stem}.backup-{stamp}-{n}{suffix}")
        n += 1
    if path.is_file():
        shutil.copy2(path, backup)
    else:
        shutil.copytree(path, backup, symlinks=True)
    return backup

"""A folder with ``Applications.csv``, ``Drafts.csv`` and ``Feedback.csv``.

Each file sheetsync changes is built beside it and renamed over it,
Applications first.  A file that someone saved after sheetsync read it is
read and built again just before the rename, so what they saved is kept.
"""

from __future__ import annotations

import os
from pathlib import Path

from sheetsync import fileio
from sheetsync.backends import csvfile
from sheetsync.backends.base import Backend, WriteReport
from sheetsync.backends.edits import resolve_edits, touched_tabs
from sheetsync.errors import FileFormatError, FileSystemError, UnreachableError
from sheetsync.tracker.plan import Kind, Plan
from sheetsync.tracker.schema import APPLICATIONS, TABS
from sheetsync.tracker.table import DashboardRead, Workbook


class CsvFolderBackend(Backend):
    """A folder of CSV files, one per tab (UTF-8, comma-separated)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"{path} (CSV folder)"
        self.key = f"csv:{path.resolve()}"

    def _file(self, tab: str) -> Path:
        exact = self.path / f"{tab}.csv"
        if exact.exists() and not (tab == APPLICATIONS and self.applications_tab):
            return exact
        files = {p.stem: p for p in sorted(self.path.glob("*.csv"))}
        name = self.find_tab(tab, list(files))
        return files[name] if name is not None else exact

    def _read_text(self, tab: str) -> tuple[str, str] | None:
        """(file name, text) of a tab's file, or None when it has none."""
        path = self._file(tab)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnreachableError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            return path.name, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{path} is not UTF-8 text (byte {exc.start})",
                hint="save it as 'CSV UTF-8' from your spreadsheet program",
            ) from exc

    def read(self) -> Workbook:
        if self.path.is_file():
            raise FileSystemError(
                f"{self.path} is a file, not a tracker folder",
                hint="pass the folder holding Applications.csv, an .xlsx workbook, or a "
                "Google Sheets URL",
            )
        if not self.path.is_dir():
            raise UnreachableError(
                f"no tracker at {self.path}",
                hint=f"create one with `sheetsync init {self.path}`, or pass --sheet",
            )
        tabs = {}
        for tab in TABS:
            found = self._read_text(tab)
            if found is not None:  # values only: raw records matter only when writing
                values = csvfile.parse_values(found[1], found[0])
                _check_separator(self._file(tab), values[0] if values else [])
                tabs[tab] = self.make_table(tab, list(values[0]) if values else [], values[1:])
        return Workbook(tabs, self._read_dashboard())

    def _dashboard_file(self) -> Path | None:
        if not self.dashboard_tab:
            return None
        found = self.find_dashboard([p.stem for p in sorted(self.path.glob("*.csv"))])
        return self.path / f"{found or self.dashboard_tab}.csv"

    def _read_dashboard(self) -> DashboardRead | None:
        path = self._dashboard_file()
        if path is None:
            return None
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return DashboardRead(path.stem, None)
        except (OSError, UnicodeDecodeError):
            return DashboardRead(path.stem, [])  # rewritten whole: it is sheetsync's
        return DashboardRead(path.stem, [list(r) for r in csvfile.parse_values(text, path.name)])

    def _write_dashboard(self, plan: Plan) -> int:
        """Write ``Dashboard.csv`` whole (it is sheetsync's), when a value changed."""
        path = self._dashboard_file()
        if path is None or not plan.dashboard:
            return 0
        import csv

        with fileio.atomic_writer(path) as handle:
            csv.writer(handle, lineterminator="\n").writerows(plan.dashboard.grid)
        return len(plan.dashboard.cells)

    def check_write(self) -> None:
        """Refuse, before anything is logged or written, a folder sheetsync cannot write in."""
        fileio.check_writable(self.path)

    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        """Build each changed tab's new file beside it, then rename them into place.

        Applications is renamed first, so new ids land before any draft that
        names them; every write-back is idempotent, so a run stopped between
        two renames is completed by the next one.
        """
        targets: list[tuple[str, Path, Path]] = []
        report = WriteReport()
        try:
            for tab in touched_tabs(plan):
                targets.append((tab, *fileio.temp_beside(self._file(tab))))
            built = []
            for tab, path, tmp in targets:
                stamp = fileio.stamp(path)  # before reading: a save after it shows below
                built.append((stamp, self._build(plan, base, tab, tmp)))
            for (tab, path, tmp), (stamp, (written, dropped)) in zip(targets, built, strict=True):
                if fileio.stamp(path) != stamp:  # saved by someone since it was read: again
                    written, dropped = self._build(plan, base, tab, tmp)
                fileio.replace(tmp, path)
                report.written += written
                report.dropped += dropped
        finally:
            fileio.remove(t[2] for t in targets)  # those not renamed: the run is failing
        for folder in dict.fromkeys(t[1].parent for t in targets):
            fileio.fsync_dir(folder)
        report.written += self._write_dashboard(plan)
        return report

    def _build(self, plan: Plan, base: Workbook, tab: str, tmp: Path) -> tuple[int, list[str]]:
        """Write ``tab``'s new text to ``tmp`` (fsynced): (cells written, changes dropped)."""
        found = self._read_text(tab)
        doc = csvfile.parse(found[1], found[0]) if found else None
        current = self.make_table(tab, list(doc.header), doc.values[1:]) if doc else None
        edits = resolve_edits(tab, plan, base, current)
        if doc is None or not doc.values:
            doc = csvfile.CsvDoc([], [], bool(doc and doc.bom), "\n")
            appended = [list(edits.header_cells.values())]
        else:
            appended = []
        # Every record sheetsync writes is as wide as the header, so readers such as
        # csv.DictReader see "" (not None) in its trailing blank cells.
        width = max([len(doc.header), *(i + 1 for i in edits.header_cells)])
        record_edits = _record_edits(doc.values, edits.cells, width)
        if edits.header_cells and doc.values:
            record_edits.setdefault(0, {}).update(edits.header_cells)
        appended += [row + [""] * (width - len(row)) for row in edits.appended]
        parts, refused = csvfile.render_parts(doc, record_edits, appended)
        dropped = [f"{tab} line {record + 1}: malformed quoting, left alone" for record in refused]
        with fileio.open_temp(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(parts)
            handle.flush()
            os.fsync(handle.fileno())
        return edits.written, dropped + edits.dropped


def _record_edits(values: list[list[str]], cells: dict[int, dict[int, tuple[str, Kind]]],
                  width: int) -> dict[int, dict[int, str]]:  # fmt: skip
    """The new text of each edited record's cells (record 0 is the header), with
    ``""`` in every cell past the record's end up to ``width``."""
    out: dict[int, dict[int, str]] = {}
    for row, cols in cells.items():
        record = row + 1
        new = {col: value for col, (value, _) in cols.items()}
        for i in range(len(values[record]), width):
            if i not in new:
                new[i] = ""
        out[record] = new
    return out


def _check_separator(path: Path, header: list[str]) -> None:
    """A header read as one cell holding semicolons or tabs: the file is not comma-separated
    (a spreadsheet program set to a language that writes 1,5 for one and a half)."""
    if len(header) != 1:
        return
    for sep, name in ((";", "semicolon"), ("\t", "tab")):
        if sep in header[0]:
            raise FileFormatError(
                f"{path} looks {name}-separated: its header row is one cell, "
                f"{_short(header[0])!r}",
                hint="save it as 'CSV UTF-8 (comma delimited)' from your spreadsheet program; "
                "sheetsync reads comma-separated files only",
            )


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

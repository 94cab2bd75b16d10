"""An .xlsx workbook with one worksheet per tab (openpyxl).

Each push rewrites the workbook whole, atomically; values, formulas,
formatting, column widths and other sheets are kept.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from sheetsync.backends.base import Backend, WriteReport
from sheetsync.backends.edits import resolve_edits, touched_tabs
from sheetsync.backends.xlsx_decor import decorate, write_dashboard
from sheetsync.errors import LayoutError, UnreachableError
from sheetsync.fileio import atomic_writer
from sheetsync.tracker.plan import Kind, Plan
from sheetsync.tracker.schema import ALL_COLUMNS, TABS
from sheetsync.tracker.table import DashboardRead, Table, Workbook


def cell_text(value: Any) -> str:
    """An .xlsx cell value as the text sheetsync works with."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class XlsxBackend(Backend):
    """An .xlsx workbook with one worksheet per tab (openpyxl)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"{path} (Excel workbook)"
        self.key = f"xlsx:{path.resolve()}"

    def _load(self, read_only: bool) -> Any:
        from openpyxl import load_workbook

        if not self.path.is_file():
            raise UnreachableError(
                f"no workbook at {self.path}",
                hint=f"create one with `sheetsync init {self.path}`, or pass --sheet",
            )
        try:
            return load_workbook(self.path, read_only=read_only, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise LayoutError(f"cannot open {self.path} as an .xlsx workbook: {exc}") from exc

    def _table(self, ws: Any, tab: str) -> Table:
        grid = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while grid and not any(grid[-1]):  # openpyxl reports formatted empty rows
            grid.pop()
        return self.make_table(tab, grid[0] if grid else [], grid[1:])

    def read(self) -> Workbook:
        book = self._load(read_only=True)
        try:
            tabs = {}
            for tab in TABS:
                name = self.find_tab(tab, list(book.sheetnames))
                if name is not None:
                    tabs[tab] = self._table(book[name], tab)
            dashboard = None
            if self.dashboard_tab:
                found = self.find_dashboard(list(book.sheetnames))
                grid = ([[cell_text(v) for v in row] for row in book[found].iter_rows(
                    values_only=True)] if found else None)  # fmt: skip
                dashboard = DashboardRead(found or self.dashboard_tab, grid)
            return Workbook(tabs, dashboard)
        finally:
            book.close()

    def check_write(self) -> None:
        """Refuse to rewrite a workbook whose charts, images, macros... would be lost,
        or one in a folder sheetsync cannot write in."""
        from sheetsync.fileio import check_writable

        check_writable(self.path.resolve().parent)
        if self.allow_loss or not self.path.is_file():
            return
        try:
            lost = features_lost_on_save(self.path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise LayoutError(f"cannot open {self.path} as an .xlsx workbook: {exc}") from exc
        if lost:
            raise LayoutError(
                f"{self.path} has {', '.join(lost)}, which sheetsync cannot keep when it saves "
                "the workbook; nothing was written",
                hint="keep those in another workbook, or save a copy as a folder of CSV files, "
                "or accept the loss with `xlsx_allow_loss = true` in sheetsync.toml",
            )

    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        self.check_write()
        report = WriteReport()
        book = self._load(read_only=False)
        for tab in TABS:
            name = self.find_tab(tab, list(book.sheetnames))
            if tab not in touched_tabs(plan):
                if name is not None:  # a drop-down or highlight deleted: back once
                    decorate(book[name], tab, set())
                continue
            ws = book[name] if name else book.create_sheet(tab)
            current = self._table(ws, tab) if name else None
            edits = resolve_edits(tab, plan, base, current)
            created = set(ALL_COLUMNS[tab] if current is None else plan.new_columns.get(tab, []))
            for col, value in edits.header_cells.items():
                _set(ws.cell(row=1, column=col + 1), value, "text")
            for row, cols in edits.cells.items():
                for col, (value, kind) in cols.items():
                    _set(ws.cell(row=row + 2, column=col + 1), value, kind)
            next_row = (len(current.rows) if current else 0) + 2
            for offset, (values, kinds) in enumerate(
                zip(edits.appended, edits.appended_kinds, strict=True)
            ):
                for col, value in enumerate(values):
                    if value:
                        cell = ws.cell(row=next_row + offset, column=col + 1)
                        _set(cell, value, kinds.get(col, "text"))
            report.written += edits.written
            report.dropped += edits.dropped
            decorate(ws, tab, created)
        if plan.dashboard and self.dashboard_tab:
            found = self.find_dashboard(list(book.sheetnames))
            report.written += write_dashboard(book, found, plan.dashboard)
        with atomic_writer(self.path, "wb") as handle:
            book.save(handle)
        return report


#: What openpyxl drops when it saves a workbook (it keeps charts, pivot tables and
#: comments): (part of the file, what people call it).
_LOST_PARTS = (
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/vbaProject.bin", "macros"),
)
_LOST_MARKUP = (
    ("xl/worksheets/", b"x14:dataValidation", "drop-down lists from newer Excel"),
    ("xl/worksheets/", b"x14:conditionalFormatting", "conditional formatting from newer Excel"),
    ("xl/worksheets/", b"x14:sparklineGroup", "sparklines"),
    ("xl/drawings/", b"<xdr:sp>", "shapes and text boxes"),
    ("xl/drawings/", b"<xdr:sp ", "shapes and text boxes"),
)


def features_lost_on_save(path: Path) -> list[str]:
    """What of the workbook at ``path`` openpyxl would not keep if it saved it."""
    from importlib.util import find_spec

    lost: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        parts = list(_LOST_PARTS)
        if find_spec("PIL") is None:  # openpyxl keeps images only with Pillow
            parts.append(("xl/media/", "images"))
        for part, what in parts:
            if any(n.startswith(part) for n in names):
                lost.append(what)
        for folder, marker, what in _LOST_MARKUP:
            xml = [n for n in names if n.startswith(folder) and n.endswith(".xml")]
            if any(marker in archive.read(n) for n in xml):
                lost.append(what)
    return list(dict.fromkeys(lost))


def _set(cell: Any, value: str, kind: Kind) -> None:
    """Write a real date or number where the value is one; anything else as text."""
    if kind == "date" and value:
        try:
            cell.value = dt.date.fromisoformat(value)
            cell.number_format = "yyyy-mm-dd"
            return
        except ValueError:
            pass  # e.g. undo restoring what the user had typed
    elif kind == "int" and value.strip().isdigit():
        cell.value = int(value)
        return
    cell.value = value if value != "" else None
    if value.startswith("="):  # text, never a formula
        cell.data_type = "s"

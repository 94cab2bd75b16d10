"""The .xlsx side of :mod:`sheetsync.tracker.decor` and the Dashboard worksheet (openpyxl).

openpyxl writes drop-downs, conditional formats and charts as plain
spreadsheetML (no ``x14`` extensions), which it reads back and keeps on every
later save, so a workbook sheetsync decorated is never one it refuses to save.
Each element is added only when missing: a sync that finds it leaves it alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sheetsync.dashboard.grid import CHARTS
from sheetsync.tracker.decor import MARKER, choices, highlights, runs
from sheetsync.tracker.plan import DashboardWrite
from sheetsync.tracker.schema import column_letter, match_columns

LAST_ROW = 1048576  # Excel's last row: a drop-down or highlight covers rows added later
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "percent": "0%", "number": "0.0"}


def decorate(ws: Any, tab: str, created: set[str]) -> None:
    """Add the drop-downs and highlights ``tab`` lacks; ``created``: columns sheetsync
    made in this write (a tab it created has all of them)."""
    header = [str(c.value or "") for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    if not any(header):
        return
    columns = match_columns(tab, header, [])
    _add_dropdowns(ws, tab, columns, created)
    _add_highlights(ws, tab, columns)


def _covered(ws: Any, col: int) -> bool:
    """True when any drop-down (the user's or ours) covers row 2 of column ``col``."""
    cell = f"{column_letter(col)}2"
    return any(cell in dv.sqref for dv in ws.data_validations.dataValidation)


def _add_dropdowns(ws: Any, tab: str, columns: dict[str, int], created: set[str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for column, col in columns.items():
        words = choices(tab, column, column in created)
        if words is None or _covered(ws, col):
            continue
        # Not strict: an unknown word is kept (lint names it), so no error message.
        dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                            showErrorMessage=False, promptTitle=MARKER)  # fmt: skip
        letter = column_letter(col)
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)


def _add_highlights(ws: Any, tab: str, columns: dict[str, int]) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    present = {f for cf in ws.conditional_formatting for rule in cf.rules
               for f in (rule.formula or [])}  # fmt: skip
    for rule in highlights(tab, columns):
        if rule.formula in present:
            continue
        fill = PatternFill(start_color=rule.fill, end_color=rule.fill, fill_type="solid")
        font = Font(color="808080") if rule.grey_text else None
        ref = " ".join(f"{column_letter(start)}2:{column_letter(end - 1)}{LAST_ROW}"
                       for start, end in runs([columns[c] for c in rule.columns]))  # fmt: skip
        ws.conditional_formatting.add(ref, FormulaRule(formula=[rule.formula], fill=fill,
                                                       font=font))  # fmt: skip


def write_dashboard(book: Any, name: str | None, dash: DashboardWrite) -> int:
    """Write the Dashboard's changed cells (all of them on a new sheet), and its chart
    when the sheet has none.  Returns the cells written."""
    ws = book[name] if name else book.create_sheet(dash.title)
    if name is None:  # room for the labels and company names
        for letter, width in (("A", 34), ("B", 20), ("C", 24), ("D", 12)):
            ws.column_dimensions[letter].width = width
    for cell in dash.cells if name else dash.full:  # a new sheet: every cell
        target = ws.cell(row=cell.row + 1, column=cell.col + 1)
        target.value = _typed(cell.new, cell.kind)
        if cell.kind == "text" and cell.new.startswith("="):
            target.data_type = "s"  # a company named "=..." is text, never a formula
        if cell.kind in NUMBER_FORMATS:
            target.number_format = NUMBER_FORMATS[cell.kind]
    present = {_title(chart) for chart in ws._charts}
    for title, rows, kind, anchor in CHARTS:
        if title not in present:  # deleted (or never made): once more
            where = f"{column_letter(anchor[1])}{anchor[0] + 1}"
            ws.add_chart(_chart(ws, title, rows, kind), where)
    return len(dash.cells if name else dash.full)


def _chart(ws: Any, title: str, rows: tuple[int, int], kind: str) -> Any:
    """A bar chart of column B by the labels in column A over ``rows`` (0-based, half-open)."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar" if kind == "BAR" else "col"  # the funnel: horizontal bars
    chart.title = title
    chart.legend = None
    data = Reference(ws, min_col=2, min_row=rows[0] + 1, max_row=rows[1])
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=rows[0] + 1, max_row=rows[1]))
    if kind == "BAR":
        chart.x_axis.scaling.orientation = "maxMin"  # Applications at the top
    return chart


def _title(chart: Any) -> str:
    """A chart's title text, as openpyxl reads it back from a saved workbook."""
    title = chart.title
    if isinstance(title, str) or title is None:
        return title or ""
    try:
        return "".join(run.t for p in title.tx.rich.p for run in (p.r or []))
    except AttributeError:
        return ""


def _typed(text: str, kind: str) -> Any:
    if not text:
        return None
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "int":
        return int(text)
    if kind in ("number", "percent"):
        return float(text)
    return text

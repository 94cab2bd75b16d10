"""Where a plan's cells land on the sheet as it is now, re-read just before writing.

Rows are found again by id (or by all their cells), so a row someone sorted,
inserted or deleted meanwhile is handled; a cell someone edited meanwhile is
left alone and reported as not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sheetsync.backends.base import WriteReport
from sheetsync.backends.google.cells import encode, grid_extent, to_text
from sheetsync.tracker.plan import CellChange, Plan, RowAppend, changed_meanwhile, relocate
from sheetsync.tracker.schema import ALL_COLUMNS, header_text
from sheetsync.tracker.table import Table, Workbook

Cells = dict[tuple[int, int], Any]  # (row, col), 0-based with the header as row 0 -> value
Columns = dict[str, int]  # column name -> 0-based index
# (tab, row, col) -> the change or new row a cell carries: which part of a plan
# landed when only some of its requests did.
Origins = dict[tuple[str, int, int], CellChange | RowAppend]


@dataclass
class TabState:
    """What write() learned about one existing tab from its re-read."""

    title: str
    header: list[str]
    columns: Columns
    current: Table  # the whole tab, as text
    last_row: int  # number of rows holding anything (header included)
    grid_rows: int | None
    grid_cols: int | None


def tab_state(
    tab: str, title: str, value_range: dict[str, Any], aliases: Mapping[str, str]
) -> TabState:
    """A tab as one unformatted ValueRange of the whole tab describes it."""
    grid = [list(r) for r in value_range.get("values", [])]
    extent = grid_extent(str(value_range.get("range", "")))
    header = [to_text(v) for v in (grid[0] if grid else [])]
    current = Table(tab, header, [[to_text(v) for v in r] for r in grid[1:]], aliases)
    columns = current.columns  # read with the rows: a column of the user's stays theirs
    return TabState(title, header, columns, current, len(grid),
                    extent[0] if extent else None, extent[1] if extent else None)  # fmt: skip


def place_plan(plan: Plan, base: Workbook, touched: list[str], states: dict[str, TabState],
               new_columns: dict[str, list[str]], report: WriteReport,
               origins: Origins | None = None
               ) -> tuple[dict[str, Cells], dict[str, Columns]]:  # fmt: skip
    """The cells to write per tab, and where every column of each tab will be.

    A touched tab without a state is being created: its header row is written
    in full; an existing tab gets only its new columns' headers.
    """
    cells: dict[str, Cells] = {}
    header_cols: dict[str, Columns] = {}
    for tab in touched:
        state = states.get(tab)
        tab_cells = cells.setdefault(tab, {})
        if state is None:
            columns = header_cols[tab] = {c: i for i, c in enumerate(ALL_COLUMNS[tab])}
            for name, index in columns.items():
                tab_cells[(0, index)] = name
        else:
            columns = header_cols[tab] = place_new_columns(tab, state, new_columns)
            for name in new_columns.get(tab, []):
                if name not in state.columns:
                    tab_cells[(0, columns[name])] = header_text(tab, name, state.header)
        found: Origins = origins if origins is not None else {}
        report.written += place_changes(tab, plan, base, state, columns, tab_cells, report,
                                        found)  # fmt: skip
        report.written += place_appends(tab, plan, state, columns, tab_cells, report, found)
    return cells, header_cols


def place_new_columns(tab: str, state: TabState,
                      new_columns: dict[str, list[str]]) -> Columns:  # fmt: skip
    """Column positions to write to: current header plus new columns on its right."""
    columns = dict(state.columns)
    last = max((i for i, h in enumerate(state.header) if h.strip()), default=-1)
    for name in new_columns.get(tab, []):
        if name not in columns:
            last += 1
            columns[name] = last
    return columns


def place_changes(tab: str, plan: Plan, base: Workbook, state: TabState | None,
                  columns: Columns, cells: Cells, report: WriteReport,
                  origins: Origins) -> int:  # fmt: skip
    """Put the plan's changes to ``tab`` into ``cells``; the number placed."""
    changes = [c for c in plan.changes if c.tab == tab]
    if not changes:
        return 0
    if state is None:  # the tab is being created: no existing rows to change
        report.dropped.extend(describe_drop(c, "its row is not in the sheet") for c in changes)
        return 0
    mapping = relocate(base[tab], state.current, {c.row for c in changes})
    written = 0
    for change in changes:
        row = mapping.get(change.row)
        if row is None:
            report.dropped.append(describe_drop(change, "the row was deleted or its id "
                                                "changed since the sheet was read"))
            continue
        if changed_meanwhile(change, state.current, row):
            report.dropped.append(describe_drop(change, "someone edited it meanwhile; "
                                                "their text is kept"))
            continue
        col = columns.get(change.column)
        if col is None:
            report.dropped.append(describe_drop(change, "the column is gone"))
            continue
        cells[(row + 1, col)] = encode(tab, change.column, change.new, change.kind)
        origins[(tab, row + 1, col)] = change
        written += 1
    return written


def place_appends(tab: str, plan: Plan, state: TabState | None, columns: Columns,
                  cells: Cells, report: WriteReport, origins: Origins) -> int:  # fmt: skip
    """Put the plan's new rows for ``tab`` below its last row; the number of cells placed."""
    row = max(state.last_row if state is not None else 1, 1)
    written = 0
    present = set(state.current.ids()) if state is not None else set()
    for append in (a for a in plan.appends if a.tab == tab):
        if append.key and append.key in present:  # added meanwhile (another run)
            continue
        for name, text in append.values.items():
            col = columns.get(name)
            if col is None:
                report.dropped.append(f"{tab}: new row {append.key or '(no id)'}: "
                                      f"{name} not written (the tab has no such column)")
                continue
            value = encode(tab, name, text, append.kinds.get(name, "text"))
            if value == "":
                continue  # a new row's empty cell is empty already
            cells[(row, col)] = value
            origins[(tab, row, col)] = append
            written += 1
        row += 1
    return written


def describe_drop(change: CellChange, why: str) -> str:
    row = f"row {change.key}" if change.key else f"unnamed row {change.row + 2}"
    return f"{change.tab}: {row}: {change.column} not written ({why})"

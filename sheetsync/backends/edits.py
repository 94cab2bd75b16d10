"""A plan's changes for one tab, placed in the tab as it is now (the local backends)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetsync.tracker.plan import CellChange, Kind, Plan, RowAppend, changed_meanwhile, relocate
from sheetsync.tracker.schema import ALL_COLUMNS, TABS, header_text
from sheetsync.tracker.table import Table, Workbook


@dataclass
class TabEdits:
    """A plan's changes for one tab, resolved to positions in the current file."""

    header_cells: dict[int, str] = field(default_factory=dict)
    cells: dict[int, dict[int, tuple[str, Kind]]] = field(default_factory=dict)  # row -> col
    appended: list[list[str]] = field(default_factory=list)  # values of each new row
    appended_kinds: list[dict[int, Kind]] = field(default_factory=list)  # non-text cells
    written: int = 0
    dropped: list[str] = field(default_factory=list)


def resolve_edits(tab: str, plan: Plan, base: Workbook, current: Table | None) -> TabEdits:
    """Turn the plan's changes for ``tab`` into positions in ``current`` (re-read now)."""
    edits = TabEdits()
    if current is not None and not any(h.strip() for h in current.header) and not current.rows:
        current = None  # an empty file or sheet: set it up like a new tab
    header = list(current.header) if current is not None else []
    if current is None:
        header = list(ALL_COLUMNS[tab])
        edits.header_cells = dict(enumerate(header))
        current = Table(tab, header, [])
    columns = dict(current.columns)
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    for name in plan.new_columns.get(tab, []):
        if name not in columns:
            columns[name] = width
            edits.header_cells[width] = header_text(tab, name, header)
            width += 1
    changes: list[CellChange] = [c for c in plan.changes if c.tab == tab]
    if changes:
        where = relocate(base[tab], current, {c.row for c in changes})
        for change in changes:
            row = where.get(change.row)
            if row is None:
                edits.dropped.append(f"{tab} row {change.key or change.row + 2}: {change.column}")
                continue
            if changed_meanwhile(change, current, row):
                edits.dropped.append(
                    f"{tab} {change.key}: {change.column} was edited meanwhile, kept"
                )
                continue
            edits.cells.setdefault(row, {})[columns[change.column]] = (change.new, change.kind)
            edits.written += 1
    appends: list[RowAppend] = [a for a in plan.appends if a.tab == tab]
    if appends:
        present = set(current.ids())
        # The canonical column at each position ("" where there is none), so a
        # new row is one pass over the header; its empty cells at the end are dropped.
        at = [""] * (max(columns.values()) + 1 if columns else 0)
        for name, index in columns.items():
            at[index] = name
        kinds_seen: dict[tuple[tuple[str, Kind], ...], dict[int, Kind]] = {}  # shared, read-only
        for append in appends:
            if append.key and append.key in present:  # added meanwhile; never twice
                continue
            get = append.values.get
            row_values = [get(name, "") if name else "" for name in at]
            while row_values and not row_values[-1]:
                row_values.pop()
            edits.appended.append(row_values)
            kinds_key = tuple(append.kinds.items())
            kinds = kinds_seen.get(kinds_key)
            if kinds is None:
                kinds = kinds_seen[kinds_key] = {
                    columns[n]: k for n, k in kinds_key if k != "text" and n in columns
                }
            edits.appended_kinds.append(kinds)
            edits.written += len(append.values)
    return edits


def touched_tabs(plan: Plan) -> list[str]:
    tabs = set(plan.new_tabs) | {t for t, cols in plan.new_columns.items() if cols}
    tabs |= {c.tab for c in plan.changes} | {a.tab for a in plan.appends}
    # Applications first: new ids land before any draft that names them, and
    # every write-back is idempotent, so a run stopped between files is
    # completed by the next one.
    return [t for t in TABS if t in tabs]

"""A plan's changes for one tab, placed in the tab as it is now (the local backends)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetsync.tracker.plan import CellChange, Kind, Plan, RowAppend, changed_meanwhile, relocate
from sheetsync.tracker.schema import ALL_COLUMNS, OWNED_COLUMNS, TABS, header_text
from sheetsync.tracker.table import Table, Workbook

_NO_COLUMN = "\x00"  # no column is named so: a position without one reads as ""


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
        _place_changes(tab, changes, base[tab], current, columns, edits)
    appends: list[RowAppend] = [a for a in plan.appends if a.tab == tab]
    if appends:
        _place_appends(appends, current, columns, edits)
    return edits


def _place_changes(tab: str, changes: list[CellChange], base: Table, current: Table,
                   columns: dict[str, int], edits: TabEdits) -> None:  # fmt: skip
    """Each change at its row in ``current``, unless that row is gone or the user's cell
    was edited since the read (one pass: a first sync has hundreds of thousands)."""
    where = relocate(base, current, {c.row for c in changes})
    owned = frozenset(OWNED_COLUMNS[tab])  # never "edited meanwhile": skip the check
    cells = edits.cells
    written = 0
    for change in changes:
        row = where.get(change.row)
        if row is None:
            edits.dropped.append(f"{tab} row {change.key or change.row + 2}: {change.column}")
            continue
        if change.column not in owned and changed_meanwhile(change, current, row):
            edits.dropped.append(f"{tab} {change.key}: {change.column} was edited meanwhile, kept")
            continue
        at = cells.get(row)
        if at is None:
            at = cells[row] = {}
        at[columns[change.column]] = (change.new, change.kind)
        written += 1
    edits.written += written


def _place_appends(appends: list[RowAppend], current: Table, columns: dict[str, int],
                   edits: TabEdits) -> None:  # fmt: skip
    """The values of each new row in the tab's column order; a row whose id is in the
    tab already (added meanwhile) is never added twice."""
    present = set(current.ids())
    # The canonical column at each position (_NO_COLUMN where there is none), so a
    # new row is one C-speed pass over the header; its empty cells at the end are dropped.
    at = [_NO_COLUMN] * (max(columns.values()) + 1 if columns else 0)
    for name, index in columns.items():
        at[index] = name
    blanks = [""] * len(at)
    kinds_seen: dict[tuple[tuple[str, Kind], ...], dict[int, Kind]] = {}  # shared, read-only
    for append in appends:
        if append.key and append.key in present:  # added meanwhile; never twice
            continue
        row_values = list(map(append.values.get, at, blanks))
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


def touched_tabs(plan: Plan) -> list[str]:
    tabs = set(plan.new_tabs) | {t for t, cols in plan.new_columns.items() if cols}
    tabs |= {c.tab for c in plan.changes} | {a.tab for a in plan.appends}
    # Applications first: new ids land before any draft that names them, and
    # every write-back is idempotent, so a run stopped between files is
    # completed by the next one.
    return [t for t in TABS if t in tabs]

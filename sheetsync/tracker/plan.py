"""Plans: the cell changes a push would make, computed without any I/O.

A plan addresses rows by identity, never by position alone: each change
carries the row's position in the table it was computed from *and* the row's
id (or, for a row that has no id yet, a fingerprint of its cells).  Just before
writing, backends re-read the sheet and call :func:`relocate` so that rows the
user sorted, inserted or deleted in the meantime still get the right values.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from sheetsync.dashboard.grid import GridCell
from sheetsync.tracker.schema import ID_COLUMN, OWNED_COLUMNS, TABS
from sheetsync.tracker.table import Table

Kind = Literal["text", "date", "int"]


class CellChange(NamedTuple):
    """Set ``column`` of one existing row from ``old`` to ``new`` (text forms).

    Immutable, and a tuple: a first sync of a large tracker makes hundreds of
    thousands of these, and a frozen dataclass takes four times as long to build.
    """

    tab: str
    row: int  # data-row index in the table the plan was computed against
    key: str  # the row's id as read ("" when the row had none yet)
    column: str  # canonical column name
    old: str
    new: str
    kind: Kind = "text"


@dataclass(frozen=True)
class RowAppend:
    """A new row sheetsync adds at the bottom of a tab (Drafts, Feedback)."""

    tab: str
    key: str
    values: dict[str, str]
    kinds: dict[str, Kind] = field(default_factory=dict)


@dataclass
class DashboardWrite:
    """The Dashboard tab's cells that changed (it is wholly sheetsync's, so cells are
    addressed by position), or the whole tab when it has to be created."""

    title: str
    create: bool  # the tab is missing: create it, with its chart
    grid: list[list[str]]  # the whole new tab as text (a CSV file is written whole)
    cells: list[GridCell] = field(default_factory=list)
    full: list[GridCell] = field(default_factory=list)  # every cell: for a tab made anew

    def __bool__(self) -> bool:
        return self.create or bool(self.cells)


@dataclass
class Plan:
    """Everything one push would write.  Empty plan == nothing to write."""

    new_tabs: list[str] = field(default_factory=list)
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    changes: list[CellChange] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    dashboard: DashboardWrite | None = None

    def __bool__(self) -> bool:
        return bool(self.new_tabs or self.changes or self.appends or self.dashboard
                    or any(self.new_columns.values()))  # fmt: skip

    def cells_changed(self) -> int:
        return len(self.changes) + sum(len(a.values) for a in self.appends)

    def summary(self) -> str:
        parts = []
        for tab in TABS:
            n = sum(1 for c in self.changes if c.tab == tab)
            a = sum(1 for r in self.appends if r.tab == tab)
            if n or a:
                parts.append(f"{tab}: {n} cell(s) changed, {a} row(s) added")
        if self.dashboard:
            parts.append(f"{self.dashboard.title}: "
                         + ("created" if self.dashboard.create
                            else f"{len(self.dashboard.cells)} cell(s) changed"))  # fmt: skip
        return "; ".join(parts) or "nothing to write"


def row_identities(table: Table, match_columns: Sequence[str]) -> list[tuple[str, ...]]:
    """An identity per row: (id, nth) or, for rows without id, (fingerprint..., nth).

    ``nth`` tells duplicates apart by order, so two rows that share an id (a
    copied row) or share all matched cells are still addressed one-to-one.
    """
    id_col = ID_COLUMN[table.name]
    ids = table.ids()
    columns = [c for c in match_columns if c != id_col and c in table.columns]
    shared_ids = {key for key, n in Counter(ids).items() if n > 1 and key}
    seen: dict[tuple[str, ...], int] = defaultdict(int)
    out = []
    for i, key in enumerate(ids):
        if key and key not in shared_ids:
            base: tuple[str, ...] = ("id", key)
        else:  # no id, or a copied row's id: the row's cells tell it apart
            base = ("row", key, *table.fingerprint(i, columns))
        seen[base] += 1
        out.append((*base, str(seen[base])))
    return out


def relocate(base: Table, current: Table, rows: Iterable[int]) -> dict[int, int | None]:
    """Map data-row positions in ``base`` to positions in ``current`` by identity.

    ``current`` may hold only some columns (say, the id column just re-read);
    rows without an id are then matched on whatever columns both tables have.
    A row that cannot be found (deleted, or its id edited) maps to ``None``:
    its changes are dropped, never written somewhere else.
    """
    if base.header == current.header and base.rows == current.rows:
        return {r: r for r in rows}  # nothing moved since the read (one C-speed compare)
    shared = [c for c in current.columns if c in base.columns]
    base_ids = row_identities(base, shared)
    current_index = {ident: i for i, ident in enumerate(row_identities(current, shared))}
    return {r: current_index.get(base_ids[r]) for r in rows}


def changed_meanwhile(change: CellChange, current: Table, row: int) -> bool:
    """True when someone edited a cell of theirs after the read: keep their edit.

    Only cells the user owns are checked; what a user types into a cell
    sheetsync owns is overwritten (and kept in the history).
    """
    if change.column in OWNED_COLUMNS[change.tab] or change.column not in current.columns:
        return False
    return current.cell(row, change.column) != change.old


# -- building changes from computed values, vectorised over a whole tab ---------------


def same_value(old: str, new: str, kind: Kind) -> bool:
    """True when writing ``new`` over ``old`` would change nothing a reader sees."""
    if old == new:
        return True
    if kind == "date":
        return bool(same_days([old], [new])[0])
    if kind == "int" and new:
        try:
            return float(old) == float(new)
        except ValueError:
            return False
    return False


def same_days(olds: Sequence[str] | np.ndarray, news: Sequence[str] | np.ndarray) -> np.ndarray:
    """Per cell, whether the text ``old`` already holds the day whose ISO text is ``new``.

    Sheets hands dates back as serial numbers ("46093" is 2026-03-12) or as it
    shows them ("3/12/2026"); all cells are read in one vectorised parse.  A
    blank or unreadable ``old`` never holds a day, and clearing a date (``new``
    blank) is always a change.
    """
    from sheetsync.tracker.values import parse_dates

    before = np.asarray(olds, dtype=object)
    after = np.asarray(news, dtype=object)
    parsed, _ = parse_dates(pd.Series(before, dtype=object).str.strip(), "MDY")
    return (before == after) | ((after != "") & (iso_text(parsed).to_numpy() == after))


def column_changes(
    table: Table,
    column: str,
    new: pd.Series,
    keys: pd.Series,
    rows: pd.Index | None = None,
    kind: Kind = "text",
) -> list[CellChange]:
    """Changes setting ``column`` to ``new`` (text, indexed by data row) where it differs."""
    current = pd.Series(table.column(column), dtype=object)
    if rows is not None:
        new = new.loc[rows]
    old = current.reindex(new.index)
    differs = new.ne(old).to_numpy(copy=True)
    if kind == "date" and differs.any():  # the same day, written another way, is no change
        same = same_days(old[differs].to_numpy(), new[differs].to_numpy())
        differs[np.flatnonzero(differs)[same]] = False
    positions = new.index.to_numpy()[differs]
    values = _items(new.to_numpy()[differs])
    befores = _items(current.to_numpy()[positions])
    key_values = _items(keys.to_numpy()[positions])
    name = table.name
    out = [
        CellChange(name, int(row), str(key), column, str(before), str(value), kind)
        for row, key, before, value in zip(positions.tolist(), key_values, befores, values,
                                           strict=True)
    ]  # fmt: skip
    if kind == "int":
        out = [c for c in out if not same_value(c.old, c.new, kind)]
    return out


def _items(values: np.ndarray) -> list[Any]:
    """An array's items, each as the cell it came from: a list of text is walked far faster
    than an object array (other kinds keep their numpy items, whose text differs)."""
    return values.tolist() if values.dtype == object else list(values)


def plain_dates(series: pd.Series) -> list[Any]:
    """datetime64 values as ``datetime.date`` (None for NaT), without a loop in Python.

    Iterating boxes each value in a pandas Timestamp, the main cost of a date
    column on a large tab.  A date past year 9999 has no ``datetime.date``: it
    stays a Timestamp, as iterating would give it.
    """
    values = series.to_numpy()
    days: list[Any] = values.astype("datetime64[D]").astype(object).tolist()
    for i, day in enumerate(days):
        if type(day) is int:  # numpy's day count for a date Python cannot hold
            days[i] = pd.Timestamp(values[i])
    return days


def iso_text(series: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYY-MM-DD' text, NaT -> ''.

    numpy writes the dates in C; ``.dt.strftime`` boxes each in a Timestamp
    first, which was most of the cost of a 100,000-row column.
    """
    if not isinstance(series.dtype, np.dtype):  # with a time zone: pandas' own way
        return series.dt.strftime("%Y-%m-%d").where(series.notna(), "").astype(object)
    values = series.to_numpy()
    text = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
    text[np.isnat(values)] = ""
    return pd.Series(text, index=series.index, dtype=object)

"""In-memory tabs: the header and rows exactly as text, plus canonical views.

Every backend reads cells into text (``""`` for empty) so that parsing and
diffing work the same on CSV, .xlsx and Google Sheets.  Positions are 0-based
data-row indexes (the header is not a data row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

import pandas as pd

from sheetsync.tracker.schema import ALL_COLUMNS, ID_COLUMN, match_columns
from sheetsync.vocabulary import BLANK_WORDS


@dataclass
class Table:
    """One tab: its raw header cells and its data rows (ragged rows allowed)."""

    name: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    #: sheetsync column -> the user's header for it (``[columns]`` in the config)
    aliases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _columns: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _shortest: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def columns(self) -> dict[str, int]:
        """Canonical column -> index; raises LayoutError on an unusable header."""
        if self._columns is None:
            self._columns = match_columns(self.name, self.header, self.rows, self.aliases)
        return self._columns

    def cell(self, row: int, column: str) -> str:
        index = self.columns.get(column)
        if index is None:
            return ""
        values = self.rows[row]
        return values[index] if index < len(values) else ""

    @property
    def shortest(self) -> int:
        """The length of the shortest row (0 for none); rows are not changed once read."""
        if self._shortest is None:
            self._shortest = min(map(len, self.rows), default=0)
        return self._shortest

    def column(self, column: str) -> list[str]:
        index = self.columns.get(column)
        if index is None:
            return [""] * len(self.rows)
        if self.shortest > index:  # no short row: C-speed path
            return list(map(itemgetter(index), self.rows))
        return [r[index] if index < len(r) else "" for r in self.rows]

    def column_at(self, index: int) -> list[str]:
        """The cells under header ``index``, whatever its name ("" past a short row)."""
        return [r[index] if index < len(r) else "" for r in self.rows]

    def ids(self) -> list[str]:
        return [v.strip() for v in self.column(ID_COLUMN[self.name])]

    def blank_rows(self) -> list[bool]:
        """True for rows with no text in any cell, or only placeholders ("-", "N/A",
        "mm/dd/yyyy" in a template's empty rows): they are left exactly alone."""
        return [_blank(r) for r in self.rows]

    def frame(self, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """A DataFrame of text with canonical column names (missing columns are "")."""
        wanted = list(columns) if columns is not None else list(ALL_COLUMNS[self.name])
        index = self.columns
        found = sorted({index[c] for c in wanted if c in index})
        data: dict[str, list[str]]
        if len(found) > 1 and self.shortest > found[-1]:
            # no short row: every column in one C-speed pass over the rows
            picked = zip(*map(itemgetter(*found), self.rows), strict=True)
            by_index = dict(zip(found, map(list, picked), strict=True))
            data = {c: by_index[index[c]] if c in index else [""] * len(self.rows) for c in wanted}
        else:
            data = {c: self.column(c) for c in wanted}
        return pd.DataFrame(data, dtype=object, index=pd.RangeIndex(len(self.rows)))

    def fingerprint(self, row: int, columns: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.cell(row, c) for c in columns)


def _blank(row: list[str]) -> bool:
    for cell in row:  # a row with text usually has it in its first cell: stop there
        text = cell.strip()
        if text and text.lower() not in BLANK_WORDS:
            return False
    return True


@dataclass(frozen=True)
class DashboardRead:
    """The Dashboard tab as read: its name, and its cells as text (None: no such tab)."""

    title: str
    grid: list[list[str]] | None


@dataclass
class Workbook:
    """All tabs of one tracker as read in one go; absent tabs are missing keys.

    ``dashboard`` is None when the backend keeps no Dashboard (``dashboard = false``).
    """

    tabs: dict[str, Table]
    dashboard: DashboardRead | None = None

    def __getitem__(self, name: str) -> Table:
        return self.tabs[name]

    def __contains__(self, name: object) -> bool:
        return name in self.tabs

    def __iter__(self) -> Iterator[str]:
        return iter(self.tabs)

    def get(self, name: str) -> Table | None:
        return self.tabs.get(name)

    @classmethod
    def from_grids(cls, grids: Mapping[str, list[list[str]]]) -> Workbook:
        """Build from ``{tab: [header, *rows]}``; an empty grid is a tab with no header."""
        tabs = {}
        for name, grid in grids.items():
            header = list(grid[0]) if grid else []
            tabs[name] = Table(name, header, [list(r) for r in grid[1:]])
        return cls(tabs)

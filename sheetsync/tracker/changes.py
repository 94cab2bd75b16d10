"""Building cell changes from computed values, vectorised over a whole tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.tracker.plan import CellChange, Kind
from sheetsync.tracker.table import Table


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
    values = new.to_numpy()[differs]
    befores = current.to_numpy()[positions]
    key_values = keys.to_numpy()[positions]
    out = [
        CellChange(table.name, int(row), str(key), column, str(before), str(value), kind)
        for row, key, before, value in zip(positions, key_values, befores, values, strict=True)
    ]
    if kind == "int":
        out = [c for c in out if not same_value(c.old, c.new, kind)]
    return out


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
    """datetime64 -> 'YYYY-MM-DD' text, NaT -> ''."""
    return series.dt.strftime("%Y-%m-%d").where(series.notna(), "").astype(object)

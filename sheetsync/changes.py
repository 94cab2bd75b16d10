"""Building cell changes from computed values, vectorised over a whole tab."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .plan import CellChange, Kind
from .table import Table


def same_value(old: str, new: str, kind: Kind) -> bool:
    """True when writing ``new`` over ``old`` would change nothing a reader sees."""
    if old == new:
        return True
    if kind == "date" and new and old.strip():
        from .values import parse_dates

        parsed, errors = parse_dates(pd.Series([old.strip()], dtype=object), "MDY")
        value = parsed.iloc[0]
        return not errors.iloc[0] and not pd.isna(value) and value.date().isoformat() == new
    if kind == "int" and new:
        try:
            return float(old) == float(new)
        except ValueError:
            return False
    return False


def same_dates(changes: Sequence[CellChange]) -> list[bool]:
    """:func:`same_value` for many date cells at once (one vectorised parse)."""
    from .values import parse_dates

    olds = pd.Series([c.old.strip() for c in changes], dtype=object)
    parsed, errors = parse_dates(olds, "MDY")
    texts = iso_text(parsed).to_numpy()
    return [
        c.old == c.new or (bool(c.new) and bool(old) and not error and text == c.new)
        for c, old, error, text in zip(changes, olds, errors.to_numpy(), texts, strict=True)
    ]


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
    if kind == "date" and differs.any():
        # Sheets hands dates back as serial numbers: "46093" is the same day as
        # "2026-03-12".  Compare by meaning, all cells at once.
        from .values import parse_dates

        parsed, _ = parse_dates(old[differs].str.strip(), "MDY")
        same = iso_text(parsed).to_numpy() == new[differs].to_numpy()
        differs[np.flatnonzero(differs)[same & (new[differs].to_numpy() != "")]] = False
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


def iso_text(series: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYY-MM-DD' text, NaT -> ''."""
    return series.dt.strftime("%Y-%m-%d").where(series.notna(), "").astype(object)

"""Building cell changes from computed values, vectorised over a whole tab."""

from __future__ import annotations

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
    differs = new.ne(current.reindex(new.index))
    out = []
    for row in new.index[differs.to_numpy()]:
        old = str(current.iat[row])
        value = str(new.at[row])
        if kind != "text" and same_value(old, value, kind):
            continue
        out.append(CellChange(table.name, int(row), str(keys.iat[row]), column, old, value, kind))
    return out

"""How sheetsync reads a tracker it did not create: which header became which
column, what it did not recognise, and the ``sheetsync.toml`` lines that would
fix the rest (``sheetsync doctor`` shows it)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sheetsync.tracker.schema import (
    ALL_COLUMNS,
    APP_DATE_COLUMNS,
    APPLICATIONS,
    header_synonyms,
    normalize_header,
)
from sheetsync.tracker.table import Table
from sheetsync.tracker.values import parse_status, read_date_texts

ORDER_WORDS = {"DMY": "day-first", "MDY": "month-first", "both": "both orders (ambiguous)"}


@dataclass
class TrackerMap:
    """What ``describe`` found; every list is in the tab's column order."""

    recognised: list[tuple[str, str]] = field(default_factory=list)  # (column, header)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (header, closest column)
    date_orders: list[tuple[str, str]] = field(default_factory=list)  # (column, order word)
    dates_unmapped: list[str] = field(default_factory=list)  # headers over dates
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (unknown word, rows)
    short_years: list[str] = field(default_factory=list)  # columns with 2/18/26-style dates
    suggestions: list[str] = field(default_factory=list)  # sheetsync.toml lines


    def lines(self) -> list[str]:
        """The mapping in a few lines a person can read (``sync -v`` logs them)."""
        out = ["columns: " + (", ".join(f"{c} <- {h!r}" for c, h in self.recognised) or "none")]
        if self.unknown:
            out.append("your own columns: " + ", ".join(h for h, _ in self.unknown))
        if self.date_orders:
            out.append("date order: " + ", ".join(f"{c} {o}" for c, o in self.date_orders))
        if self.statuses:
            out.append("status words not understood: "
                       + ", ".join(f"{w!r} ({n} row(s))" for w, n in self.statuses))  # fmt: skip
        out += [f"sheetsync.toml could say: {line}" for line in self.suggestions]
        return out


def describe(
    table: Table, statuses: Mapping[str, str] | None = None, century: int | None = None
) -> TrackerMap:
    """The mapping of the Applications tab ``table`` (its header must be usable);
    ``statuses`` and ``century`` as configured (``[statuses]``, ``two_digit_years``)."""
    out = TrackerMap()
    columns = table.columns
    by_index = {index: column for column, index in columns.items()}
    names = list(ALL_COLUMNS[APPLICATIONS])
    known = names + [s for s in header_synonyms()]
    for index, header in enumerate(table.header):
        if not header.strip():
            continue
        values = pd.Series(table.column_at(index), dtype=object)
        if index in by_index:
            column = by_index[index]
            out.recognised.append((column, header))
            if column in APP_DATE_COLUMNS:
                order = _date_order(values, century)
                if order:
                    out.date_orders.append((column, ORDER_WORDS[order]))
                if century is None and _short_years(values):
                    out.short_years.append(column)
            continue
        close = difflib.get_close_matches(normalize_header(header).replace("_", ""),
                                          [k.replace("_", "") for k in known], n=1, cutoff=0.75)
        guess = _column_of(close[0], names) if close else ""
        out.unknown.append((header, guess))
        if _mostly_dates(values):
            out.dates_unmapped.append(header)
            column = guess or "<one of " + ", ".join(APP_DATE_COLUMNS[:4]) + ", ...>"
            out.suggestions.append(f'{column} = "{header}"   # under [columns]')
    if out.short_years:
        out.suggestions.append('two_digit_years = "20xx"   # at the top: read 2/18/26 as 2026')
    if "status" in columns:
        _, errors = parse_status(pd.Series(table.column("status"), dtype=object), statuses)
        bad = Counter(v.strip() for v, e in zip(table.column("status"), errors, strict=True) if e)
        out.statuses = sorted(bad.items(), key=lambda item: (-item[1], item[0]))
        out.suggestions += [f'"{word}" = "open"   # under [statuses]; or another status'
                            for word, _ in out.statuses[:5]]
    return out


def _column_of(key: str, names: list[str]) -> str:
    """The canonical column a matched name or synonym stands for."""
    for name in names:
        if name.replace("_", "") == key:
            return name
    return next((c for s, (c, _) in header_synonyms().items() if s == key), "")


def _date_order(values: pd.Series, century: int | None) -> str | None:
    """"DMY" or "MDY" when the column's dates can only be read that way, "both" when
    they hold both kinds, "" when they say nothing either way, None when no dates."""
    stripped = values.astype(str).str.strip()
    texts = np.asarray(stripped[stripped != ""].unique(), dtype=object)
    if not len(texts):
        return None
    mdy_ok, dmy_ok = (read_date_texts(texts, o, century) for o in ("MDY", "DMY"))
    if not (mdy_ok | dmy_ok).any():
        return None
    only_dmy, only_mdy = bool((dmy_ok & ~mdy_ok).any()), bool((mdy_ok & ~dmy_ok).any())
    if only_dmy and only_mdy:
        return "both"
    return "DMY" if only_dmy else "MDY" if only_mdy else ""


def _short_years(values: pd.Series) -> bool:
    """Whether some of the column's dates read only once a two-digit year is allowed."""
    texts = np.asarray(values.astype(str).str.strip().unique(), dtype=object)
    refused = ~(read_date_texts(texts, "MDY") | read_date_texts(texts, "DMY"))
    allowed = read_date_texts(texts, "MDY", 2000) | read_date_texts(texts, "DMY", 2000)
    return bool((refused & allowed).any())


def _mostly_dates(values: pd.Series) -> bool:
    texts = values.astype(str).str.strip()
    texts = texts[texts != ""]
    if texts.empty:
        return False
    ok = read_date_texts(np.asarray(texts, dtype=object), "MDY") | read_date_texts(
        np.asarray(texts, dtype=object), "DMY"
    )
    return bool(ok.mean() >= 0.8)

"""One cell's value, as pandas or a person left it: missing or not, as text, as a date.

The column readers in :mod:`sheetsync.tracker.values` read whole columns; these
read one value at a time, where a message or a Feedback row needs it.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Final

import numpy as np

from sheetsync.vocabulary import MONTHS, WEEKDAYS

# What pandas and Python print for a missing value; a cell holding one is blank.
MISSING_TEXT: Final = frozenset({"nan", "none", "nat", "null", "<na>"})


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, ``pd.NA``, and text that is blank or a printed missing value."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip().lower() in MISSING_TEXT
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def cell_text(value: Any) -> str:
    """The value as one line of text, spaces collapsed; "" when missing."""
    if type(value) is str:  # the common case, without is_missing's general checks
        text = " ".join(value.split())
        return "" if text.lower() in MISSING_TEXT else text
    return "" if is_missing(value) else " ".join(str(value).split())


def cell_date(value: Any) -> date | None:
    """A ``date`` from a date, datetime, Timestamp, datetime64 or ISO text; None otherwise."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):  # includes pandas Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        day = value.astype("datetime64[D]").item()
        return day if isinstance(day, date) else None  # past year 9999 numpy gives a number
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def day_label(day: date, year: int) -> str:
    """``"Thu 12 Mar"`` (``"Thu 12 Mar 2027"`` when not in ``year``); locale-independent."""
    text = f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"
    return text if day.year == year else f"{text} {day.year}"


def text_digest(subject: str, body: str) -> str:
    """A short name for a draft's text: equal digests, equal texts (SHA-1 of both)."""
    data = f"{subject}\x00{body}".encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()

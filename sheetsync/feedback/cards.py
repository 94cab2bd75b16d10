"""Which feedback replies are worth a handwritten thank-you card.

A particularly favourable reply ("you were a very strong candidate", "we'd
encourage you to apply again") deserves a card as well as the e-mail.  The
card is wanted while it can still arrive in good time: from the day the reply
came in until ``note_late_after_days`` after it, due two business days after it
(counted on the policy's calendar, holidays included).
The words that make a reply favourable are data, in ``favourable.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sheetsync.config import Rules
from sheetsync.policy.bizdays import Calendar, add_business_days_array
from sheetsync.tracker.values import parse_dates


@lru_cache(maxsize=1)
def _favourable() -> re.Pattern[str]:
    text = resources.files("sheetsync.feedback").joinpath("favourable.toml").read_text("utf-8")
    phrases = tomllib.loads(text)["phrases"]
    words = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in phrases)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def is_favourable(response: str) -> bool:
    """Whether a feedback reply is warm enough to thank with a card."""
    return bool(response.strip()) and _favourable().search(response) is not None


def card_rows(
    frame: pd.DataFrame, today: dt.date, rules: Rules, date_order: str,
    calendar: Calendar | None = None,
) -> list[tuple[int, str]]:
    """(row position, ISO due date) of each Feedback row whose reply wants a card now."""
    responses = frame["response"].fillna("").astype(str)
    warm = responses.map(is_favourable).to_numpy(dtype=bool)
    if not warm.any():
        return []
    received, _ = parse_dates(frame["received_on"].fillna("").astype(str).str.strip(), date_order)
    days = received.to_numpy().astype("datetime64[D]")
    now = np.datetime64(today, "D")
    late = now - np.timedelta64(rules.note_late_after_days, "D")
    rows = np.flatnonzero(warm & ~np.isnat(days) & (days <= now) & (days >= late))
    due = add_business_days_array(days[rows], rules.note_within_business_days, calendar)
    return [(int(n), str(d)) for n, d in zip(rows, due, strict=True)]

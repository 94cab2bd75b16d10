"""Dates written as text in numpy agree with pandas' own ``strftime`` and weeks
(hypothesis, deterministic): the fast paths change nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.dashboard.grid import WEEKS
from sheetsync.dashboard.overview import _weekly
from sheetsync.messages.wanted import _compact
from sheetsync.tracker.plan import iso_text

quick = settings(derandomize=True, max_examples=80, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

# pandas' datetime64[ns] range, with times of day: before 1970 too, where flooring matters
moments = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1678, 1, 1), max_value=dt.datetime(2261, 12, 31)),
)


def _series(values: list[dt.datetime | None]) -> pd.Series:
    """datetime64[ns], as the tracker's parsed dates are, on an index of its own."""
    days = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
    return pd.Series(days.to_numpy(), index=range(3, 3 + len(values)))


@quick
@given(st.lists(moments, max_size=30))
def test_iso_text_is_strftime(values: list[dt.datetime | None]) -> None:
    series = _series(values)
    expected = series.dt.strftime("%Y-%m-%d").where(series.notna(), "").astype(object)
    got = iso_text(series)
    assert got.tolist() == expected.tolist()
    assert got.index.equals(series.index) and got.dtype == object
    assert _compact(series).tolist() == [t.replace("-", "") for t in expected]


def test_iso_text_keeps_a_time_zone_aware_column() -> None:
    series = pd.Series(pd.to_datetime(["2026-03-16 23:30", None]).tz_localize("US/Pacific"))
    assert iso_text(series).tolist() == ["2026-03-16", ""]


@quick
@given(st.lists(moments, max_size=40), st.dates(dt.date(1990, 1, 1), dt.date(2200, 1, 1)))
def test_weekly_counts_as_pandas_periods_do(values: list[dt.datetime | None],
                                            today: dt.date) -> None:  # fmt: skip
    applied = _series(values)
    weeks = applied.dropna().dt.to_period("W-SUN").dt.start_time.dt.date
    counts = Counter(weeks.tolist())
    got = _weekly(pd.DataFrame({"applied_on": applied}), today)
    assert len(got) == WEEKS and got[-1][0] == today - dt.timedelta(days=today.weekday())
    assert got == [(start, counts.get(start, 0)) for start, _ in got]


def test_weekly_counts_applications_near_today() -> None:
    today = dt.date(2026, 3, 18)  # a Wednesday
    applied = _series([dt.datetime(2026, 3, 16), dt.datetime(2026, 3, 22, 23), None,
                       dt.datetime(2026, 3, 15), dt.datetime(2024, 1, 1)])  # fmt: skip
    got = dict(_weekly(pd.DataFrame({"applied_on": applied}), today))
    assert got[dt.date(2026, 3, 16)] == 2 and got[dt.date(2026, 3, 9)] == 1
    assert sum(got.values()) == 3  # 2024 is outside the weeks shown

"""Business days: Monday to Friday, minus the configured country's public holidays.

Built on numpy's ``busday_offset``/``is_busday``, which work on whole arrays.
The holiday list comes from the ``holidays`` package, a year at a time, for the
years the dates at hand need.  Importing that package and building a year takes
a quarter of a second, so a :class:`Calendar` can be given the years already
known (the state folder keeps them) and says which years it had to build.
With no country configured only weekends are skipped.  NaT stays NaT everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from sheetsync.config import Config
from sheetsync.errors import ConfigError

# Rolling and adding business days can cross into the next year(s); holidays
# are loaded this many years past the latest date (plus what n needs).
_SPARE_YEARS = 1

Days = tuple[dt.date, ...]


@dataclass(frozen=True)
class Calendar:
    """Which days count as business days.

    ``country`` is any code the ``holidays`` package knows ("US", "GB", ...)
    and ``subdivision`` a state or region code ("CA"); ``None`` means weekends
    only.  ``known`` holds years whose holidays were built before; ``learned``
    collects the years this calendar had to build.
    """

    country: str | None = None
    subdivision: str | None = None
    known: dict[int, Days] = field(default_factory=dict, compare=False, repr=False)
    learned: dict[int, Days] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_config(cls, config: Config, known: Mapping[int, Days] | None = None) -> Calendar:
        return cls(config.holidays, config.holiday_subdivision, dict(known or {}))

    def busdaycal(self, first_year: int, last_year: int) -> np.busdaycalendar:
        """numpy calendar holding this calendar's holidays from first_year to last_year."""
        return _busdaycal(self.holidays(first_year, last_year))

    def holidays(self, first_year: int, last_year: int) -> Days:
        if not self.country:
            return ()
        out: list[dt.date] = []
        for year in range(first_year, last_year + 1):
            days = self.known.get(year)
            if days is None:
                days = _year_dates(self.country, self.subdivision, year)
                self.known[year] = self.learned[year] = days
            out += days
        return tuple(out)


WEEKENDS_ONLY = Calendar()


def check_calendar(country: str, subdivision: str | None) -> None:
    """The country first, then its subdivision, each named with its key and value."""
    import holidays  # imported lazily: it is slow to import and often unused

    try:
        holidays.country_holidays(country)
    except NotImplementedError as exc:
        raise ConfigError(
            f"[calendar] holidays = {country!r}: not a country code the `holidays` package knows",
            hint='use a two-letter country code such as "US", "GB" or "DE"',
        ) from exc
    if not subdivision:
        return
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        some = ", ".join(holidays.list_supported_countries().get(country, [])[:8])
        raise ConfigError(
            f"[calendar] subdivision = {subdivision!r}: not a subdivision of {country!r}",
            hint=f"use one of {country}'s codes ({some}...), or remove the key"
            if some else f"{country} has no subdivisions: remove the key",
        ) from exc


@lru_cache(maxsize=256)
def _year_dates(country: str, subdivision: str | None, year: int) -> Days:
    import holidays

    _checked(country, subdivision)
    table = holidays.country_holidays(country, subdiv=subdivision, years=[year])
    return tuple(sorted(table.keys()))


@lru_cache(maxsize=16)
def _checked(country: str, subdivision: str | None) -> None:
    check_calendar(country, subdivision)


@lru_cache(maxsize=64)
def _busdaycal(days: Days) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(days, dtype="datetime64[D]"))


def _as_days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("datetime64[D]")


def _years(days: np.ndarray, extra_days: int = 0) -> tuple[int, int]:
    """The year span whose holidays matter for ``days`` (NaT ignored)."""
    valid = days[~np.isnat(days)]
    if not valid.size:
        year = dt.date.today().year
        return year, year
    first = int(valid.min().astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(valid.max().astype("datetime64[Y]").astype(np.int64)) + 1970
    # ~250 business days a year: reach far enough for a large n.
    return first, last + _SPARE_YEARS + abs(extra_days) // 200


def _busdaycal_for(days: np.ndarray, calendar: Calendar | None, n: int = 0) -> np.busdaycalendar:
    cal = calendar or WEEKENDS_ONLY
    first, last = _years(days, n)
    if n < 0:
        first -= 1 + abs(n) // 200
    return cal.busdaycal(first, last)


# -- arrays (datetime64[D]) ---------------------------------------------------------------


def roll_forward_array(days: np.ndarray, calendar: Calendar | None = None) -> np.ndarray:
    """Each date, or the next business day when it is a weekend or holiday."""
    days = _as_days(days)
    cal = _busdaycal_for(days, calendar)
    return np.busday_offset(days, 0, roll="forward", busdaycal=cal)


def add_business_days_array(
    days: np.ndarray, n: int, calendar: Calendar | None = None
) -> np.ndarray:
    """The n-th business day after each date (before it when n < 0).

    Counting starts the day after: two business days after a Thursday is the
    Monday, and after a Saturday it is the Tuesday (Monday is the first).
    ``n == 0`` gives the date itself rolled forward to a business day.
    """
    days = _as_days(days)
    cal = _busdaycal_for(days, calendar, n)
    if n == 0:
        return np.busday_offset(days, 0, roll="forward", busdaycal=cal)
    # Rolling a non-business day towards the count's start makes "the next
    # business day" count as the first, as a person would count.
    if n > 0:
        return np.busday_offset(days, n, roll="backward", busdaycal=cal)
    return np.busday_offset(days, n, roll="forward", busdaycal=cal)


def is_business_day_array(days: np.ndarray, calendar: Calendar | None = None) -> np.ndarray:
    """True for business days; False for weekends, holidays and NaT."""
    days = _as_days(days)
    cal = _busdaycal_for(days, calendar)
    return np.is_busday(days, busdaycal=cal)


# -- pandas Series ------------------------------------------------------------------------


def _series(days: np.ndarray, like: pd.Series) -> pd.Series:
    return pd.Series(days.astype("datetime64[ns]"), index=like.index, name=like.name)


def add_business_days(dates: pd.Series, n: int, calendar: Calendar | None = None) -> pd.Series:
    """See :func:`add_business_days_array`; NaT stays NaT."""
    return _series(add_business_days_array(dates.to_numpy(), n, calendar), dates)


def is_business_day(dates: pd.Series, calendar: Calendar | None = None) -> pd.Series:
    days = is_business_day_array(dates.to_numpy(), calendar)
    return pd.Series(days, index=dates.index, name=dates.name, dtype=bool)

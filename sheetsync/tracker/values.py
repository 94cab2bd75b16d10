"""Reading tracker cells (text) into typed values, a whole column at a time.

Every reader returns the typed values *and* a Series of error text ("" when the cell is
fine), indexed like its input.  Nothing is ever guessed: a cell that cannot be read with
certainty becomes NaT/<NA> plus a short reason, and the caller decides what that means
for the row.  Cells are only read, never rewritten (surrounding spaces are ignored).

Columns repeat a handful of distinct values (dates, statuses), so each reader parses
only the distinct texts, vectorised, and spreads the results back with one ``take``.

Dates
-----
Accepted forms (case and surrounding spaces ignored):

* ISO 8601 dates and date-times: ``2026-03-12``, ``2026-03-12T09:30:00``,
  ``2026-03-12 09:30``, with or without a ``Z``/``+01:00`` offset.  The date is
  kept as written; an offset never shifts it to another day.  Year-first dates
  with ``/`` or ``.`` (``2026/03/12``) read the same way: no calendar writes
  year-day-month.
* Spreadsheet serial numbers (days since 1899-12-30), e.g. ``46093`` or
  ``46093.5`` (the fraction is a time of day), from 20000 to 80000
  (1954-10-03 to 2118-12-07).  Other numbers are not dates.
* Numeric dates with a four-digit year in the configured order (``date_order``
  MDY or DMY), separated by ``/``, ``.`` or ``-``, optionally followed by a time
  (``, 11:35 AM`` as LinkedIn's export writes it):
  ``03/04/2026`` is 4 March under MDY and 3 April under DMY.  Because the order
  is configured, such a date is *not* ambiguous.
* Dates with an English month name: ``12 Mar 2026``, ``12-Mar-2026``,
  ``12th March 2026``, ``Mar 12, 2026``, ``Thu 12 Mar 2026``,
  ``Thursday, March 12, 2026``.  A weekday that disagrees with the date is an
  error, since one of the two is a typo and we cannot tell which.

"Ambiguous" means the text has a plausible reading but not a single certain
one: a two-digit year (``03/04/26``, ``12-Mar-26``: which century, and under
some conventions even which field is the year).  Such cells get an
``ambiguous: ...`` error.  Anything else that matches no accepted form, or
names a day that does not exist (``31/02/2026``), is ``not a date``.  Years
outside 1900-2199 are rejected as typos.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from importlib import resources

import numpy as np
import pandas as pd

from sheetsync.tracker.schema import APP_DATE_COLUMNS, APP_USER_COLUMNS
from sheetsync.vocabulary import (
    APPLICATION_STATUSES,
    BLANK_WORDS,
    MONTHS,
    NO_WORDS,
    WEEKDAYS,
    YES_WORDS,
)

NAT = np.datetime64("NaT", "D")
SERIAL_EPOCH = np.datetime64("1899-12-30", "D")
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2118-12-07
YEAR_MIN, YEAR_MAX = 1900, 2199
SHOW_AT_MOST = 40  # characters of a bad value quoted in an error

_MONTH_NUMBER = {m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)}
_WEEKDAY_NUMBER = {w[:3].lower(): i for i, w in enumerate(WEEKDAYS)}

# Regular expressions run on lower-cased, stripped text.  [0-9] rather than \d:
# \d also matches other scripts' digits, which int() would then read silently.
_TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]+)?)?"
_ZONE = r"(?:z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
_SERIAL = re.compile(r"^(?P<n>[0-9]+(?:\.[0-9]+)?)$")
_YEAR_FIRST = re.compile(
    rf"^(?P<y>[0-9]{{4}})(?P<sep>[-/.])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}})"
    rf"(?:(?:t|\s+){_TIME}\s*{_ZONE}?)?$"
)
_NUMERIC = re.compile(
    rf"^(?P<a>[0-9]{{1,2}})(?P<sep>[-/.])(?P<b>[0-9]{{1,2}})(?P=sep)(?P<y>[0-9]{{4}}|[0-9]{{2}})"
    rf"(?:,?\s+{_TIME}(?:\s*[ap]\.?m\.?)?)?$"  # LinkedIn: "2/18/26, 11:35 AM"
)
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
        r"|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")  # fmt: skip
_WD = (r"(?:(?P<wd>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
       r"|sat(?:urday)?|sun(?:day)?)\.?,?\s+)?")  # fmt: skip
_DAY = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>[0-9]{4}|[0-9]{2})"
_DAY_FIRST = re.compile(rf"^{_WD}{_DAY}(?:\s+|-){_MON},?(?:\s+|-){_YEAR}$")
_MONTH_FIRST = re.compile(rf"^{_WD}{_MON}\s+{_DAY},?\s+{_YEAR}$")
_COUNT = re.compile(r"^(?P<sign>[+-]?)(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?$")


Reader = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
Reason = np.ndarray | str


# -- helpers over distinct values --------------------------------------------------------


def _shared_codes(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes per column into one array of the distinct texts of all ``columns``.

    Missing cells (None/NaN) get the code of "" (they read as blank).  Each
    column is factorized on its own (small hash tables are faster) and the
    few distinct values are then merged.
    """
    per = [pd.factorize(c, use_na_sentinel=True) for c in columns]
    joined = np.concatenate([np.asarray(u, dtype=object) for _, u in per]
                            + [np.array([""], dtype=object)])  # fmt: skip
    merged, distinct = pd.factorize(joined)
    blank = merged[-1]
    out, offset = [], 0
    for codes, uniques in per:
        remap = np.append(merged[offset : offset + len(uniques)], blank)
        out.append(remap[codes])  # code -1 (missing) takes the last entry: blank
        offset += len(uniques)
    return out, np.asarray(distinct, dtype=object)


def _clean(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stripped, stripped and lower-cased) object arrays; stripping is for reading only.

    A placeholder ("N/A", "-", "TBD", ...) reads as blank.
    """
    raw = np.strings.strip(texts.astype(str))
    low = np.strings.lower(raw).astype(object)
    placeholder = np.isin(low, BLANK_WORDS)
    raw = np.where(placeholder, "", raw.astype(object))
    return raw, np.where(placeholder, "", low)


def _read_column(values: np.ndarray, reader: Reader) -> tuple[np.ndarray, np.ndarray]:
    """Apply a reader of distinct texts to a whole column: (values, errors)."""
    (codes,), distinct = _shared_codes([values])
    got, errors = reader(distinct)
    return got[codes], errors[codes]


def _quoted(raw: np.ndarray) -> np.ndarray:
    """``'value'`` for error messages, long values shortened."""
    text = raw.astype(str)
    long = np.strings.str_len(text) > SHOW_AT_MOST
    shown = np.where(long, np.strings.add(np.strings.slice(text, 0, SHOW_AT_MOST), "..."), text)
    return ("'" + shown.astype(object) + "'").astype(object)


def _ascii(text: np.ndarray) -> np.ndarray:
    """True where a fixed-width str array holds only ASCII (other scripts' digits are not read)."""
    if not text.size or text.dtype.itemsize == 0:
        return np.ones(text.shape, dtype=bool)
    return text.view(np.uint32).reshape(len(text), -1).max(axis=1) < 128


def _texts(s: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(s.to_numpy(dtype=object) if isinstance(s, pd.Series) else s, dtype=object)


# On the Applications tab a two-digit year can also be settled in sheetsync.toml.
_IN_FULL = ", write the year in full"
_OR_CONFIG = ' (or set two_digit_years = "20xx" in sheetsync.toml)'


def _groups(rx: re.Pattern[str], texts: np.ndarray) -> pd.DataFrame | None:
    """``rx``'s groups per text (as ``str.extract`` reads it), None when no text matches."""
    if len(texts) <= 256 and not any(map(re.compile(rx.pattern).search, texts)):  # cheap
        return None
    return pd.Series(texts, dtype=object).str.extract(rx.pattern, expand=True)


def _ints(col: pd.Series) -> np.ndarray:
    return col.fillna("0").astype("int64").to_numpy(dtype=np.int64)


# -- dates -------------------------------------------------------------------------------


def _check_order(date_order: str) -> str:
    order = date_order.upper()
    if order not in ("MDY", "DMY"):
        raise ValueError(f'date_order must be "MDY" or "DMY", not {date_order!r}')
    return order


def _calendar_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """datetime64[D] for (year, month, day) arrays; NaT where no such day exists."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= YEAR_MIN) & (y <= YEAR_MAX)
    months = np.where(ok, (y - 1970) * 12 + (m - 1), 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    ok &= d <= length
    return np.where(ok, first + np.where(ok, d - 1, 0).astype("timedelta64[D]"), NAT)


def _plain_iso(low: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Positions of exact ``YYYY-MM-DD`` texts, and their (year, month, day)."""
    text = low.astype(str)
    none = np.empty(0, dtype=np.int64)
    if not text.size or text.dtype.itemsize < 10 * 4:  # 4 bytes per character
        return none, (none, none, none)
    points = text.view(np.uint32).reshape(len(text), -1).astype(np.int64)
    digit_at = [0, 1, 2, 3, 5, 6, 8, 9]
    digits = points[:, digit_at] - ord("0")
    shaped = (
        (np.strings.str_len(text) == 10)
        & (points[:, 4] == ord("-")) & (points[:, 7] == ord("-"))
        & ((digits >= 0) & (digits <= 9)).all(axis=1)
    )  # fmt: skip
    rows = np.flatnonzero(shaped)
    d = digits[rows]
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    return rows, (year, d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7])


def _read_dates(
    texts: np.ndarray, order: str, century: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read distinct texts: (datetime64[D] with NaT, error text or "").

    A two-digit year is an error unless ``century`` says which century it is in
    (``two_digit_years = "20xx"``: 2000).
    """
    raw, low = _clean(texts)
    n = len(raw)
    days = np.full(n, NAT, dtype="datetime64[D]")
    errors = np.full(n, "", dtype=object)
    claimed = low == ""  # blank: NaT, no error

    def found(rx: re.Pattern[str], required: str) -> tuple[np.ndarray, pd.DataFrame]:
        """Unclaimed values matching ``rx``, and their groups (``required`` always fills)."""
        pending = np.flatnonzero(~claimed)
        parts = _groups(rx, low[pending])
        if parts is None:
            return pending[:0], pd.DataFrame()
        hit = parts[required].notna().to_numpy(dtype=bool)
        return pending[hit], parts[hit]

    def settle(rows: np.ndarray, got: np.ndarray, head: Reason, tail: Reason = "") -> None:
        """Store parsed days; rows where ``got`` is NaT get "head ('value')tail"."""
        claimed[rows] = True
        days[rows] = got
        failed = np.isnat(got)
        if failed.any():
            pick = rows[failed]
            h = head[failed] if isinstance(head, np.ndarray) else head
            t = tail[failed] if isinstance(tail, np.ndarray) else tail
            errors[pick] = h + " (" + _quoted(raw[pick]) + ")" + t

    # Plain YYYY-MM-DD, by far the most common form, read straight from the code points.
    rows, (y, m, d) = _plain_iso(low)  # the first pass: nothing but blanks is claimed yet
    if rows.size:
        settle(rows, _calendar_days(y, m, d), "not a date")

    # Spreadsheet serial numbers: the integer part counts days, the fraction is a time.
    rows, parts = found(_SERIAL, "n")
    if rows.size:
        number = parts["n"].astype("float64").to_numpy()
        plausible = (number >= SERIAL_MIN) & (number <= SERIAL_MAX)
        serial = np.where(plausible, number, 0).astype(np.int64)
        got = np.where(plausible, SERIAL_EPOCH + serial.astype("timedelta64[D]"), NAT)
        note = f", only {SERIAL_MIN} to {SERIAL_MAX} are read as spreadsheet serial dates"
        settle(rows, got, "not a date", note)

    # Year first (ISO 8601 and friends).
    rows, parts = found(_YEAR_FIRST, "y")
    if rows.size:
        got = _calendar_days(_ints(parts["y"]), _ints(parts["m"]), _ints(parts["d"]))
        settle(rows, got, "not a date")

    # Numeric day and month in the configured order.
    rows, parts = found(_NUMERIC, "a")
    if rows.size:
        a, b, y = _ints(parts["a"]), _ints(parts["b"]), _ints(parts["y"])
        two_digit, y = _short_years(parts["y"], y, century)
        m, d = (a, b) if order == "MDY" else (b, a)
        got = np.where(two_digit, NAT, _calendar_days(y, m, d))
        other_ok = ~np.isnat(_calendar_days(y, d, m))  # would read in the other order
        words = "month/day/year" if order == "MDY" else "day/month/year"
        head = np.where(two_digit, "ambiguous: two-digit year",
                        np.where(other_ok, f"not a date in the configured {words} order",
                                 "not a date")).astype(object)  # fmt: skip
        tail = np.where(two_digit, _IN_FULL, "").astype(object)
        settle(rows, got, head, tail)

    # English month names, day first or month first, optional weekday.
    for rx in (_DAY_FIRST, _MONTH_FIRST):
        rows, parts = found(rx, "mon")
        if not rows.size:
            continue
        m = parts["mon"].str.slice(0, 3).map(_MONTH_NUMBER).to_numpy(dtype=np.int64)
        two_digit, y = _short_years(parts["y"], _ints(parts["y"]), century)
        got = np.where(two_digit, NAT, _calendar_days(y, m, _ints(parts["d"])))
        named = parts["wd"].str.slice(0, 3).map(_WEEKDAY_NUMBER)
        has_wd = named.notna().to_numpy(dtype=bool)
        wd = named.fillna(-1).to_numpy(dtype=np.int64)
        actual = (got.astype("datetime64[D]").view(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        clash = has_wd & ~np.isnat(got) & (wd != actual)
        actual_name = np.asarray(WEEKDAYS, dtype=object)[np.where(clash, actual, 0)]
        head = np.where(
            two_digit,
            "ambiguous: two-digit year",
            np.where(clash, "weekday does not match the date", "not a date"),
        )
        tail = np.where(
            two_digit,
            _IN_FULL,
            np.where(clash, ", which is a " + actual_name, ""),
        )
        settle(rows, np.where(clash, NAT, got), head.astype(object), tail.astype(object))

    rest = np.flatnonzero(~claimed)
    errors[rest] = "not a date (" + _quoted(raw[rest]) + ")"
    return days, errors


def _short_years(
    written: pd.Series, years: np.ndarray, century: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(which years were written with two digits and stay unread, the years)."""
    two_digit = (written.str.len() == 2).to_numpy(dtype=bool)
    if century is None:
        return two_digit, years
    return np.zeros_like(two_digit), np.where(two_digit, century + years, years)


def read_date_texts(
    texts: np.ndarray, date_order: str, century: int | None = None
) -> np.ndarray:
    """Per text, whether it reads as a date in ``date_order`` (blank does not)."""
    days, errors = _read_dates(texts, _check_order(date_order), century)
    return (errors == "") & ~np.isnat(days)


def parse_dates(s: pd.Series, date_order: str) -> tuple[pd.Series, pd.Series]:
    """Read a column of date text.

    Returns ``(dates, errors)``: ``datetime64[ns]`` dates at midnight with NaT
    for blank or unreadable cells, and error text ("" when fine, e.g.
    ``"not a date ('31/02/2026')"`` or ``"ambiguous: two-digit year ('03/04/26'),
    write the year in full"``).  Apart from the quoted value, messages never
    contain "; ", which joins them in ``problems``.  ``date_order`` is
    ``"MDY"`` or ``"DMY"``; see the module docstring for the accepted forms.
    """
    order = _check_order(date_order)
    days, errors = _read_column(_texts(s), lambda texts: _read_dates(texts, order))
    return (
        pd.Series(days.astype("datetime64[ns]"), index=s.index, name=s.name),
        pd.Series(errors, index=s.index, name=s.name, dtype=object),
    )


# -- counts, statuses, yes/no -------------------------------------------------------------


def _read_counts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Read distinct texts as counts: (int64 with -1 for blank or bad, error text)."""
    raw, low = _clean(texts)
    n = len(raw)
    value = np.zeros(n, dtype=np.int64)
    reason = np.full(n, "", dtype=object)
    text = low.astype(str)
    # Plain ASCII digits (the usual case) need no regular expression.
    plain = np.strings.isdigit(text) & (np.strings.str_len(text) <= 6) & _ascii(text)
    value[plain] = text[plain].astype(np.int64)
    other = np.flatnonzero(~plain & (low != ""))
    if other.size:
        parts = pd.Series(low[other], dtype=object).str.extract(_COUNT.pattern, expand=True)
        numeric = parts["int"].notna().to_numpy(dtype=bool)
        whole = numeric & (parts["frac"].fillna("").str.strip("0") == "").to_numpy(dtype=bool)
        digits = parts["int"].fillna("").str.lstrip("0").str.len().to_numpy(dtype=np.int64)
        small = whole & (digits <= 6)  # a bigger count is a typo, and could overflow
        got = np.zeros(other.size, dtype=np.int64)
        got[small] = parts["int"][small].astype("int64").to_numpy(dtype=np.int64)
        negative = small & (parts["sign"] == "-").to_numpy(dtype=bool) & (got > 0)
        value[other] = got
        reason[other] = np.select(
            [small & ~negative, negative, numeric & ~whole, whole & ~small],
            ["", "cannot be negative", "not a whole number", "too large"],
            "not a whole number",
        ).astype(object)
    bad = reason != ""
    errors = np.full(n, "", dtype=object)
    errors[bad] = reason[bad] + " (" + _quoted(raw[bad]) + ")"
    return np.where(bad | (low == ""), -1, value), errors


def _counts(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.maximum(values, 0), values < 0)


def parse_count(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read ``follow_ups_sent``: whole numbers >= 0 ("2", "2.0", " 3 ").

    Blank gives <NA> (the policy decides what blank means); ``"-1"``, ``"1.5"``
    and ``"two"`` give <NA> plus an error.
    """
    counts, errors = _read_column(_texts(s), _read_counts)
    return (
        pd.Series(_counts(counts), index=s.index, name=s.name, dtype="Int64"),
        pd.Series(errors, index=s.index, name=s.name, dtype=object),
    )


STATUS_HELP = (
    f"use {', '.join(APPLICATION_STATUSES[:-1])} or {APPLICATION_STATUSES[-1]} (blank means open)"
    ", or give your word its meaning under [statuses] in sheetsync.toml"
)


_STATUS_KEY = re.compile(r"[\W_]+")


def _status_key(text: str) -> str:
    """``' Rejected! 😞'`` -> ``'rejected'``: case, punctuation, emoji and spaces ignored."""
    return _STATUS_KEY.sub(" ", text.lower()).strip()


@lru_cache(maxsize=1)
def status_words() -> dict[str, str]:
    """Every word sheetsync reads as a status (its key) -> the status, from ``statuses.toml``."""
    text = resources.files("sheetsync.tracker").joinpath("statuses.toml").read_text("utf-8")
    words = {status: status for status in APPLICATION_STATUSES}
    for status, listed in tomllib.loads(text)["statuses"].items():
        for word in listed:
            words.setdefault(_status_key(word), status)
    return words


def _read_statuses(
    texts: np.ndarray, extra: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read distinct texts as statuses: (normalized status, error text).

    ``extra`` maps more words to statuses (``[statuses]``), over the built-in ones.
    """
    raw, low = _clean(texts)
    words = status_words()
    if extra:
        words = {**words, **{_status_key(k): v.strip().lower() for k, v in extra.items()}}
    mapped = [words.get(_status_key(w), "") if w else "open" for w in low]
    cleaned = np.array([m or w for m, w in zip(mapped, low, strict=True)], dtype=object)
    known = np.array([bool(m) for m in mapped], dtype=bool)
    errors = np.full(len(raw), "", dtype=object)
    errors[~known] = "unknown status (" + _quoted(raw[~known]) + f"), {STATUS_HELP}"
    return cleaned, errors  # unknown text is kept (lower-cased) so callers can show it


def parse_status(
    s: pd.Series, extra: Mapping[str, str] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Read ``status`` as a canonical status: the words of ``statuses.toml``
    (case, punctuation and emoji ignored) and the statuses themselves; blank -> "open".

    Unknown text is returned lower-cased and stripped, with an error naming
    the accepted values.  ``extra`` maps more words (``[statuses]``).
    """
    statuses, errors = _read_column(_texts(s), partial(_read_statuses, extra=extra))
    return (
        pd.Series(statuses, index=s.index, name=s.name, dtype=object),
        pd.Series(errors, index=s.index, name=s.name, dtype=object),
    )


def _read_yes(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Read distinct texts as yes/no: (bool, error text)."""
    raw, low = _clean(texts)
    yes = np.isin(low, YES_WORDS)
    known = yes | np.isin(low, ("", *NO_WORDS))  # blank is no
    errors = np.full(len(raw), "", dtype=object)
    errors[~known] = "not yes or no (" + _quoted(raw[~known]) + ")"
    return yes, errors


def parse_yes(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read a yes/no cell: yes/y/true/1/x -> True; blank/no/n/false/0 -> False.

    Case and surrounding spaces are ignored; anything else is False plus an error.
    """
    flags, errors = _read_column(_texts(s), _read_yes)
    return (
        pd.Series(flags, index=s.index, name=s.name, dtype=bool),
        pd.Series(errors, index=s.index, name=s.name, dtype=object),
    )


# -- the Applications tab -----------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name in frame.columns:
        return _texts(frame[name])
    return np.full(len(frame), "", dtype=object)


def _column_dates(
    code: np.ndarray,
    distinct: np.ndarray,
    readings: dict[str, tuple[np.ndarray, np.ndarray]],
    order: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The reading of one column's dates: day-first when some of its dates can only
    be day-first (``24/01/2025``) and none only month-first, and the reverse;
    ``order`` when its dates say nothing either way.  A column with both kinds is
    ambiguous: its dates that read differently either way are flagged, never guessed.
    """
    (mdy, mdy_err), (dmy, dmy_err) = readings["MDY"], readings["DMY"]
    used = np.zeros(len(mdy), dtype=bool)
    used[code] = True
    only_dmy = bool((used & (mdy_err != "") & (dmy_err == "")).any())
    only_mdy = bool((used & (dmy_err != "") & (mdy_err == "")).any())
    if only_dmy != only_mdy:
        return readings["DMY" if only_dmy else "MDY"]
    days, errors = readings[order]
    if only_dmy:  # both kinds in one column: a date readable one way only reads that way
        one_way = (mdy_err == "") != (dmy_err == "")
        days = np.where(one_way, np.where(mdy_err == "", mdy, dmy), days)
        errors = np.where(one_way, "", errors)
        differ = (mdy_err == "") & (dmy_err == "") & (mdy != dmy)
        errors = np.where(
            differ,
            "ambiguous: the column has both day-first and month-first dates, so ("
            + _quoted(distinct)
            + ") could be either - write it as 2025-01-24",
            errors,
        )
        days = np.where(differ, NAT, days)
    return days, errors


def parse_applications(
    frame: pd.DataFrame,
    date_order: str,
    statuses: Mapping[str, str] | None = None,
    century: int | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Type the Applications tab's text frame (as from ``Table.frame()``).

    Returns ``(apps, problems)``, both indexed like ``frame``.  ``apps`` holds
    every column of ``frame`` (plus any canonical input column it lacked, as
    blank text), with the date columns as ``datetime64[ns]``,
    ``follow_ups_sent`` as ``Int64``, ``status`` normalized and
    ``handwritten_note`` as bool; other columns are passed through untouched.
    ``problems`` is "" or notes like ``"interview_on: not a date ('31/02/2026')"``
    joined with ``"; "`` in column order.
    """
    order = _check_order(date_order)
    if not frame.columns.is_unique:
        raise ValueError("parse_applications() needs unique column names")
    n = len(frame)
    index = frame.index
    typed: dict[str, pd.Series] = {}
    # (column, code per row, error per distinct text, bad per row)
    notes: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []

    # The date columns share most of their values, so they are read as one set,
    # both ways round: each column then reads in the order its own dates show.
    codes, distinct = _shared_codes([_column(frame, c) for c in APP_DATE_COLUMNS])
    readings = {}
    for o in ("MDY", "DMY"):
        days, errors = _read_dates(distinct, o, century)
        short = np.flatnonzero(pd.Series(errors, dtype=object).str.endswith(_IN_FULL))
        errors[short] = errors[short] + _OR_CONFIG
        readings[o] = days, errors
    for col, code in zip(APP_DATE_COLUMNS, codes, strict=True):
        days, errors = _column_dates(code, distinct, readings, order)
        typed[col] = pd.Series(days[code].astype("datetime64[ns]"), index=index)
        notes.append((col, code, errors, (errors != "")[code]))

    readers: tuple[tuple[str, Reader], ...] = (
        ("follow_ups_sent", _read_counts),
        ("status", partial(_read_statuses, extra=statuses)),
        ("handwritten_note", _read_yes),
    )  # fmt: skip
    for col, reader in readers:
        (code,), distinct = _shared_codes([_column(frame, col)])
        values, errors = reader(distinct)
        notes.append((col, code, errors, (errors != "")[code]))
        if col == "follow_ups_sent":
            typed[col] = pd.Series(_counts(values[code]), index=index, dtype="Int64")
        else:
            typed[col] = pd.Series(values[code], index=index, dtype=values.dtype)

    # Every input column in its place (typed where read), then canonical ones it lacked.
    columns = {c: typed.get(c, frame[c]) for c in frame.columns}
    for col in APP_USER_COLUMNS:
        if col not in columns:
            columns[col] = typed.get(col, pd.Series("", index=index, dtype=object))
    out = pd.DataFrame(columns, index=index, copy=False)

    # "column: reason" notes in the schema's column order, built only for bad rows.
    position = {c: i for i, c in enumerate(APP_USER_COLUMNS)}
    problems = np.full(n, "", dtype=object)
    for col, code, errors, bad_rows in sorted(notes, key=lambda note: position[note[0]]):
        rows = np.flatnonzero(bad_rows)
        if rows.size:
            text = col + ": " + errors[code[rows]]
            before = problems[rows]
            problems[rows] = np.where(before == "", text, before + "; " + text)
    return out, pd.Series(problems, index=index, name="problems", dtype=object)

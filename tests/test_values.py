"""Reading cells: dates, counts, statuses, yes/no, interviewers, and the whole tab."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sheetsync.messages.names import parse_interviewers
from sheetsync.tracker.schema import APP_DATE_COLUMNS, APP_USER_COLUMNS
from sheetsync.tracker.values import (
    parse_applications,
    parse_count,
    parse_dates,
    parse_status,
    parse_yes,
)


def text(*values: str | None) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def missing(value: Any) -> bool:
    return bool(pd.isna(value))


def one_date(value: str, order: str = "MDY") -> tuple[str | None, str]:
    dates, errors = parse_dates(text(value), order)
    day = dates.iloc[0]
    return (None if pd.isna(day) else day.date().isoformat()), errors.iloc[0]


# (text, MDY reading, DMY reading); None = no date
READABLE = [
    ("2026-03-12", "2026-03-12", "2026-03-12"),
    ("  2026-03-12  ", "2026-03-12", "2026-03-12"),
    ("2026-3-2", "2026-03-02", "2026-03-02"),
    ("2026-03-12T09:30:00", "2026-03-12", "2026-03-12"),
    ("2026-03-12 09:30", "2026-03-12", "2026-03-12"),
    ("2026-03-12T09:30:00.250Z", "2026-03-12", "2026-03-12"),
    # The calendar date as written, not shifted by the offset.
    ("2026-03-12T23:30:00-05:00", "2026-03-12", "2026-03-12"),
    ("2026-03-12T00:30:00+09:00", "2026-03-12", "2026-03-12"),
    ("2026/03/12", "2026-03-12", "2026-03-12"),
    ("46093", "2026-03-12", "2026-03-12"),
    ("46093.75", "2026-03-12", "2026-03-12"),
    ("03/04/2026", "2026-03-04", "2026-04-03"),
    ("03.04.2026", "2026-03-04", "2026-04-03"),
    ("03-04-2026", "2026-03-04", "2026-04-03"),
    ("3/4/2026 17:45", "2026-03-04", "2026-04-03"),
    ("3/4/2026 5:45 PM", "2026-03-04", "2026-04-03"),
    ("12 Mar 2026", "2026-03-12", "2026-03-12"),
    ("12-Mar-2026", "2026-03-12", "2026-03-12"),
    ("12th March 2026", "2026-03-12", "2026-03-12"),
    ("Mar 12, 2026", "2026-03-12", "2026-03-12"),
    ("march 12 2026", "2026-03-12", "2026-03-12"),
    ("Thu 12 Mar 2026", "2026-03-12", "2026-03-12"),
    ("Thursday, March 12, 2026", "2026-03-12", "2026-03-12"),
    ("Sept 1, 2026", "2026-09-01", "2026-09-01"),
    ("2028-02-29", "2028-02-29", "2028-02-29"),
]


@pytest.mark.parametrize(("value", "mdy", "dmy"), READABLE)
def test_readable_dates(value: str, mdy: str, dmy: str) -> None:
    assert one_date(value, "MDY") == (mdy, "")
    assert one_date(value, "DMY") == (dmy, "")


# (text, order, error must start with); never a date
UNREADABLE = [
    ("31/02/2026", "DMY", "not a date ('31/02/2026')"),
    ("02/31/2026", "MDY", "not a date ('02/31/2026')"),
    ("2026-02-29", "MDY", "not a date ('2026-02-29')"),
    ("2026-13-01", "MDY", "not a date"),
    ("25/03/2026", "MDY", "not a date in the configured month/day/year order ('25/03/2026')"),
    ("03/25/2026", "DMY", "not a date in the configured day/month/year order ('03/25/2026')"),
    ("03/04/26", "MDY", "ambiguous: two-digit year ('03/04/26')"),
    ("03/04/26", "DMY", "ambiguous: two-digit year"),
    ("12-Mar-26", "MDY", "ambiguous: two-digit year"),
    (
        "Fri 12 Mar 2026",
        "MDY",
        "weekday does not match the date ('Fri 12 Mar 2026'), which is a Thursday",
    ),
    ("123", "MDY", "not a date ('123'), only 20000 to 80000 are read as spreadsheet"),
    ("99999", "MDY", "not a date"),
    ("2026", "MDY", "not a date"),
    ("next week", "MDY", "not a date ('next week')"),
    ("12/03", "DMY", "not a date"),
    ("2026-03-12T25:00", "MDY", "not a date"),
    ("03/04-2026", "MDY", "not a date"),
    ("0026-03-12", "MDY", "not a date"),
    ("１２/03/2026", "DMY", "not a date"),  # full-width digits are not guessed at
    ("x" * 80, "MDY", "not a date ('" + "x" * 40 + "...')"),
]


@pytest.mark.parametrize(("value", "order", "error"), UNREADABLE)
def test_unreadable_dates_are_errors_not_guesses(value: str, order: str, error: str) -> None:
    day, message = one_date(value, order)
    assert day is None
    assert message.startswith(error), message


def test_blank_dates_are_nat_without_error() -> None:
    dates, errors = parse_dates(text("", "   ", None, "2026-03-12"), "MDY")
    assert dates.isna().tolist() == [True, True, True, False]
    assert errors.tolist() == ["", "", "", ""]


def test_dates_keep_index_dtype_and_name() -> None:
    s = pd.Series(["2026-03-12", "nope"], index=[10, 3], name="interview_on", dtype=object)
    dates, errors = parse_dates(s, "dmy")
    assert dates.dtype == np.dtype("datetime64[ns]")
    assert list(dates.index) == [10, 3] and list(errors.index) == [10, 3]
    assert dates.name == "interview_on"
    assert dates[10] == pd.Timestamp("2026-03-12") and pd.isna(dates[3])


def test_date_order_must_be_known() -> None:
    with pytest.raises(ValueError, match="MDY"):
        parse_dates(text("2026-03-12"), "YMD")


def test_parse_dates_accepts_the_new_string_dtype() -> None:
    dates, errors = parse_dates(pd.Series(["2026-03-12", ""], dtype="str"), "MDY")
    assert dates.iloc[0] == pd.Timestamp("2026-03-12")
    assert errors.tolist() == ["", ""]


@pytest.mark.parametrize(
    ("value", "expected", "error"),
    [
        ("2", 2, ""),
        ("2.0", 2, ""),
        (" 3 ", 3, ""),
        ("0", 0, ""),
        ("+1", 1, ""),
        ("", None, ""),
        ("-1", None, "cannot be negative ('-1')"),
        ("1.5", None, "not a whole number ('1.5')"),
        ("two", None, "not a whole number ('two')"),
        ("1e3", None, "not a whole number"),
        ("10000000", None, "too large"),
        ("１２", None, "not a whole number"),  # full-width digits are not guessed at
    ],
)
def test_parse_count(value: str, expected: int | None, error: str) -> None:
    counts, errors = parse_count(text(value))
    assert counts.dtype == "Int64"
    got = counts.iloc[0]
    assert (None if pd.isna(got) else int(got)) == expected
    assert errors.iloc[0].startswith(error) and bool(errors.iloc[0]) == bool(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", "open"), ("  ", "open"), ("Open", "open"), (" REJECTED ", "rejected"),
     ("offer", "offer"), ("Accepted", "accepted"), ("withdrawn", "withdrawn"),
     ("Closed ", "closed")],
)  # fmt: skip
def test_parse_status(value: str, expected: str) -> None:
    statuses, errors = parse_status(text(value))
    assert statuses.iloc[0] == expected
    assert errors.iloc[0] == ""


def test_unknown_status_names_the_accepted_values() -> None:
    statuses, errors = parse_status(text("Maybe later"))
    assert errors.iloc[0].startswith("unknown status ('Maybe later'), use ")
    for status in ("open", "rejected", "offer", "accepted", "withdrawn", "closed", "wishlist"):
        assert status in errors.iloc[0]
    assert statuses.iloc[0] == "maybe later"


@pytest.mark.parametrize(
    ("word", "status"),
    [("Applied", "open"), ("Phone Screen", "open"), ("Ghosted", "open"), ("No response", "open"),
     ("Rejected!", "rejected"), ("Declined", "rejected"), ("Withdrawn", "withdrawn"),
     ("Offer Accepted", "accepted"), ("Hired", "accepted"), ("Offer", "offer"),
     ("Researching", "wishlist"), ("To Apply", "wishlist"), ("🎉 Offer!", "offer")],
)  # fmt: skip
def test_the_words_people_type_map_to_statuses(word: str, status: str) -> None:
    statuses, errors = parse_status(text(word))
    assert (statuses.iloc[0], errors.iloc[0]) == (status, "")


@pytest.mark.parametrize(
    ("value", "expected", "ok"),
    [("yes", True, True), ("Y", True, True), ("TRUE", True, True), ("1", True, True),
     (" x ", True, True), ("", False, True), ("no", False, True), ("n", False, True),
     ("False", False, True), ("0", False, True), ("maybe", False, False),
     ("2", False, False)],
)  # fmt: skip
def test_parse_yes(value: str, expected: bool, ok: bool) -> None:
    flags, errors = parse_yes(text(value))
    assert flags.dtype == bool
    assert bool(flags.iloc[0]) is expected
    assert (errors.iloc[0] == "") is ok


@pytest.mark.parametrize(
    ("cell", "people"),
    [
        ("", []),
        ("Ann Lee <ann@example.com>", [("Ann Lee", "ann@example.com")]),
        ("Ann Lee <ann@example.com>; Bo Chan <bo@example.com>",
         [("Ann Lee", "ann@example.com"), ("Bo Chan", "bo@example.com")]),
        ("Ann Lee\nBo Chan <bo@example.com>\r\n", [("Ann Lee", ""), ("Bo Chan", "bo@example.com")]),
        ("bo@example.com", [("", "bo@example.com")]),
        ('"Lee, Ann" <ann@example.com>', [("Lee, Ann", "ann@example.com")]),
        ("Ann <a@example.com>, Bo <b@example.com>",
         [("Ann", "a@example.com"), ("Bo", "b@example.com")]),
        (" ; Dr. Cy Diaz ;; ", [("Dr. Cy Diaz", "")]),
        ("Ann Lee < ann@example.com >", [("Ann Lee", "ann@example.com")]),
    ],
)  # fmt: skip
def test_parse_interviewers(cell: str, people: list[tuple[str, str]]) -> None:
    assert parse_interviewers(cell) == people


def app_frame(rows: list[dict[str, str]], index: list[int] | None = None) -> pd.DataFrame:
    data = {c: [r.get(c, "") for r in rows] for c in APP_USER_COLUMNS}
    return pd.DataFrame(data, dtype=object, index=index)


def test_parse_applications_types_every_column() -> None:
    frame = app_frame(
        [
            {"id": "007", "company": " Acme ", "applied_on": "2026-03-01", "status": " Offer",
             "follow_ups_sent": "2", "handwritten_note": "yes", "notes": "  keep  "},
            {"id": "", "company": "Bolt", "interview_on": "31/02/2026", "status": "",
             "follow_ups_sent": "", "handwritten_note": ""},
        ],
        index=[5, 9],
    )  # fmt: skip
    apps, problems = parse_applications(frame, "DMY")
    assert list(apps.index) == [5, 9] and list(problems.index) == [5, 9]
    for col in APP_DATE_COLUMNS:
        assert apps[col].dtype == np.dtype("datetime64[ns]"), col
    assert apps.at[5, "applied_on"] == pd.Timestamp("2026-03-01")
    assert missing(apps.at[9, "interview_on"])
    assert apps["follow_ups_sent"].dtype == "Int64"
    assert apps.at[5, "follow_ups_sent"] == 2 and missing(apps.at[9, "follow_ups_sent"])
    assert apps["status"].tolist() == ["offer", "open"]
    assert apps["handwritten_note"].dtype == bool
    assert apps["handwritten_note"].tolist() == [True, False]
    # Text is passed through exactly.
    assert apps.at[5, "id"] == "007" and apps.at[5, "company"] == " Acme "
    assert apps.at[5, "notes"] == "  keep  "
    assert problems.tolist() == ["", "interview_on: not a date ('31/02/2026')"]


def test_parse_applications_joins_every_problem_in_column_order() -> None:
    frame = app_frame([{"company": "Acme", "status": "dunno", "applied_on": "soon",
                        "follow_ups_sent": "-1", "handwritten_note": "perhaps",
                        "snooze_until": "03/04/26"}])  # fmt: skip
    _, problems = parse_applications(frame, "MDY")
    parts = problems.iloc[0].split("; ")
    assert [p.split(":")[0] for p in parts] == [
        "applied_on", "handwritten_note", "follow_ups_sent", "status", "snooze_until",
    ]  # fmt: skip
    assert parts[0] == "applied_on: not a date ('soon')"
    assert parts[2] == "follow_ups_sent: cannot be negative ('-1')"


@pytest.mark.parametrize("value", [v for v, _, _ in UNREADABLE] + ["Maybe later", "-1", "maybe"])
def test_messages_never_contain_the_problem_separator(value: str) -> None:
    for column in ("interview_on", "status", "follow_ups_sent", "handwritten_note"):
        _, problems = parse_applications(app_frame([{"company": "c", column: value}]), "MDY")
        assert "; " not in problems.iloc[0]


def test_parse_applications_does_not_change_its_input() -> None:
    frame = app_frame([{"company": "Acme", "applied_on": "2026-03-01", "status": "Open"}])
    before = frame.copy(deep=True)
    parse_applications(frame, "MDY")
    pd.testing.assert_frame_equal(frame, before)


def test_parse_applications_fills_missing_columns_as_blank() -> None:
    frame = pd.DataFrame({"company": ["Acme"], "applied_on": ["2026-03-01"]}, dtype=object)
    apps, problems = parse_applications(frame, "MDY")
    assert set(APP_USER_COLUMNS) <= set(apps.columns)
    assert missing(apps.at[0, "interview_on"]) and apps.at[0, "status"] == "open"
    assert problems.tolist() == [""]


def test_parse_applications_on_an_empty_tab() -> None:
    apps, problems = parse_applications(app_frame([]), "MDY")
    assert len(apps) == 0 and len(problems) == 0
    assert apps["interview_on"].dtype == np.dtype("datetime64[ns]")


def test_parse_applications_many_rows_match_one_by_one() -> None:
    # The distinct-value shortcut must give the same answer as reading each cell alone.
    values = ["2026-03-12", "", "12 Mar 2026", "31/02/2026", "46093", "03/04/2026", "soon"]
    rows = [{"company": "c", "interview_on": values[i % len(values)]} for i in range(50)]
    apps, problems = parse_applications(app_frame(rows), "DMY")
    for i, value in enumerate(apps["interview_on"]):
        day, error = one_date(rows[i]["interview_on"], "DMY")
        assert (None if pd.isna(value) else value.date().isoformat()) == day
        assert problems.iloc[i] == (f"interview_on: {error}" if error else "")

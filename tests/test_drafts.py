"""Pieces of the Drafts tab that need no sheet: links and identities."""

from __future__ import annotations

import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.messages.draft import mailto, make_draft_id


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=40), st.text(max_size=200))
def test_mailto_round_trips_subject_and_body(subject: str, body: str) -> None:
    link = mailto("ann@acme.example", subject, body)
    parts = urllib.parse.urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "ann@acme.example"
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    assert query["subject"] == [subject] and query["body"] == [body]
    assert " " not in link and "\n" not in link


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_is_percent_encoded_exactly_as_urllib_does(text: str) -> None:
    # The ASCII path: every unsafe character, "%" included, encoded once.
    link = mailto("a@b.example", "x", text)
    assert link == f"mailto:a@b.example?subject=x&body={urllib.parse.quote(text, safe='')}"


def test_mailto_is_blank_without_an_address() -> None:
    assert mailto("", "", "") == ""
    assert mailto(" ", "Thank you", "Dear Ann,") == ""  # a link to nobody invites a mistake


def test_draft_id_is_stable_per_application_action_recipient_and_occurrence() -> None:
    day = "20260313"
    first = make_draft_id("A1", "thank_you_email", ("Ann Lee", "ann@acme.example"), day)
    assert first == make_draft_id("A1", "thank_you_email", ("Ann Lee", "ann@acme.example"), day)
    assert first != make_draft_id("A1", "thank_you_email", ("Bo Chan", "bo@acme.example"), day)
    assert first != make_draft_id("A1", "follow_up", ("Ann Lee", "ann@acme.example"), day)
    later = "20260401"
    assert first != make_draft_id("A1", "thank_you_email", ("Ann Lee", "ann@acme.example"), later)


def test_records_give_plain_dates_and_the_same_text_as_to_dict() -> None:
    import datetime as dt

    import numpy as np
    import pandas as pd

    from sheetsync.messages.wanted import _columns

    def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
        names, columns = _columns(frame)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    frame = pd.DataFrame(
        {
            "id": ["A1", "A2", np.nan],
            "interview_on": pd.to_datetime(["2026-03-04", None, "2026-12-31"]),
            "far": np.array(["2026-01-01", "NaT", "9999-12-31"], dtype="datetime64[s]"),
        }
    )
    rows = _records(frame)
    assert [r["interview_on"] for r in rows] == [dt.date(2026, 3, 4), None, dt.date(2026, 12, 31)]
    assert all(type(r["interview_on"]) in (dt.date, type(None)) for r in rows)
    assert [r["id"] for r in rows[:2]] == ["A1", "A2"] and rows[2]["id"] != rows[2]["id"]  # NaN
    beyond = pd.DataFrame({"d": np.array(["2026-01-01", "12000-01-01"], dtype="datetime64[s]")})
    # A date Python cannot hold keeps pandas' own value, as to_dict gives it; the
    # other dates of the column are still plain dates.
    assert _records(beyond) == [{"d": dt.date(2026, 1, 1)}, beyond.to_dict("records")[1]]
    assert type(_records(beyond)[1]["d"]) is pd.Timestamp

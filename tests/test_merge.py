"""Drafts merge: dates compared by meaning, repeated bodies flagged."""

from __future__ import annotations

import pytest

from sheetsync.tracker.plan import same_days, same_value

PAIRS = [
    ("2026-03-17", "2026-03-17"),  # identical text
    ("46098", "2026-03-17"),  # a Sheets date serial
    ("3/17/2026", "2026-03-17"),  # as a US sheet shows it
    (" 2026-03-17 ", "2026-03-17"),
    ("46099", "2026-03-17"),  # a different day
    ("31/02/2026", "2026-03-17"),  # not a date
    ("", "2026-03-17"),  # blank: must be written
    ("2026-03-17", ""),  # clearing a date is a change
    ("soon", ""),
]


def test_same_days_agrees_with_same_value_cell_by_cell() -> None:
    expected = [same_value(old, new, "date") for old, new in PAIRS]
    assert same_days([o for o, _ in PAIRS], [n for _, n in PAIRS]).tolist() == expected
    assert expected[:4] == [True, True, True, True]
    assert not any(expected[4:])


@pytest.mark.parametrize("old", ["46098", "3/17/2026"])
def test_a_draft_due_date_shown_in_the_sheets_own_format_is_not_rewritten(old: str) -> None:
    from sheetsync.config import Config
    from sheetsync.messages.draft import Wanted
    from sheetsync.messages.merge import merge
    from sheetsync.tracker.schema import DRAFT_COLUMNS
    from sheetsync.tracker.table import Table

    want = Wanted("A1:check_in:ann:20260310", "A1", "Acme", "Analyst", "check_in", "email",
                  "Ann", "ann@acme.example", "2026-03-17", "Checking in", "Hello Ann")  # fmt: skip
    row = {c: "" for c in DRAFT_COLUMNS} | {
        "draft_id": want.draft_id, "app_id": "A1", "company": "Acme", "role": "Analyst",
        "action": "check_in", "channel": "email", "to_name": "Ann",
        "to_email": "ann@acme.example", "due_on": old, "subject": "Checking in",
        "body": "Hello Ann", "status": "draft",
    }  # fmt: skip
    table = Table("Drafts", list(DRAFT_COLUMNS), [[row[c] for c in DRAFT_COLUMNS]])
    merged = merge(table, [want], {}, Config())
    assert [c.column for c in merged.changes if c.column == "due_on"] == []
    moved = Wanted(**{**want.__dict__, "due_on": "2026-03-18"})
    merged = merge(table, [moved], {}, Config())
    assert [(c.column, c.new) for c in merged.changes if c.column == "due_on"] == [
        ("due_on", "2026-03-18")
    ]


def test_merge_flags_two_drafts_of_one_application_with_the_same_body() -> None:
    from sheetsync.config import Config
    from sheetsync.messages.draft import Wanted
    from sheetsync.messages.merge import merge

    def want(app: str, who: str, body: str) -> Wanted:
        return Wanted(f"{app}:thank_you_email:{who}:20260313", app, "Acme", "Analyst",
                      "thank_you_email", "email", who, f"{who}@acme.example", "2026-03-14",
                      "Thank you", body)  # fmt: skip

    same = "Thank you for your time.\n\nJordan Rivera"
    merged = merge(None, [want("A1", "ann", same), want("A1", "bo", same),
                          want("A2", "cy", same)], {}, Config())  # fmt: skip
    lint = {d["draft_id"].split(":")[0] + d["to_name"]: d["lint"] for d in merged.open_drafts}
    assert "same body as" in lint["A1ann"] and "same body as" in lint["A1bo"]
    assert "same body as" not in lint["A2cy"]  # another application may say the same


def test_a_new_drafts_row_holds_its_cells_in_the_tabs_order() -> None:
    from sheetsync.config import Config
    from sheetsync.messages.draft import NEW_DRAFT_COLUMNS, Wanted
    from sheetsync.messages.merge import merge

    want = Wanted("A1:check_in:ann:20260310", "A1", "Acme", "Analyst", "check_in", "email",
                  "", "ann@acme.example", "2026-03-17", "Checking in", "Hello Ann")  # fmt: skip
    out = merge(None, [want], {}, Config())
    (row,) = out.appends
    assert list(row.values) == [c for c in NEW_DRAFT_COLUMNS if c in row.values]
    assert "to_name" not in row.values  # empty cells are not written
    assert row.values["status"] == "draft" and row.values["mailto"].startswith("mailto:")

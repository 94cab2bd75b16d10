"""Edits people make on the Google sheet while a sync runs, through the real core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fakesheets import FakeGoogle

from sheetsync import core
from sheetsync.backends.google.cache import CACHE_FOLDER
from sheetsync.backends.google.sheets import open_google_backend
from sheetsync.config import Config
from sheetsync.state import State, default_state_root

HEADER = ["id", "company", "role", "applied_on", "status", "notes"]


def sync(
    key: str, between: Callable[[], None] | None = None, day: str = "2026-03-16"
) -> core.Outcome:
    """core.sync on the fake; ``between`` runs after the read, just before the write."""
    config = Config()
    backend = open_google_backend(key, config, cache_dir=default_state_root() / CACHE_FOLDER)
    if between is not None:
        real = backend.write

        def write(plan, base):  # type: ignore[no-untyped-def]
            between()
            return real(plan, base)

        backend.write = write  # type: ignore[method-assign]
    state = State.open(backend.key, config.state_dir)
    return core.sync(backend, state, config, core.RunOptions(today=dt.date.fromisoformat(day)))


def records(grid: list[list[object]]) -> list[dict[str, object]]:
    header = [str(h) for h in grid[0]]
    return [dict(zip(header, row, strict=False)) for row in grid[1:]]


def test_rows_without_ids_sorted_meanwhile_keep_their_own_values(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet({"Applications": [
        HEADER,
        ["", "Acme", "Analyst", "2026-03-02", "", ""],
        ["", "Acme", "Engineer", "2026-03-02", "withdrawn", ""],
    ]})  # fmt: skip
    sheet = book.sheet("Applications")
    sync(book.id, between=lambda: sheet.sort_rows(2, reverse=True))  # by role, Z-A
    rows = {r["role"]: r for r in records(sheet.grid())}
    assert rows["Engineer"].get("next_action", "") == ""
    assert rows["Analyst"].get("next_action") == "application_follow_up"
    assert rows["Analyst"]["id"] and rows["Engineer"]["id"] != rows["Analyst"]["id"]


def test_a_blank_row_inserted_meanwhile_stays_blank(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet({"Applications": [
        HEADER,
        ["a1", "Acme", "Analyst", "2026-03-02", "", ""],
        ["", "", "Designer", "2026-03-05", "", "company to look up"],
    ]})  # fmt: skip
    sheet = book.sheet("Applications")
    sync(book.id, between=lambda: sheet.insert_rows(1))
    grid = sheet.grid()
    assert not any(grid[1])
    designer = next(r for r in records(grid) if r.get("role") == "Designer")
    assert designer["id"] and designer.get("next_action", "") == ""  # no company: no message
    assert designer.get("problems", "").startswith("company: blank")


def test_a_row_with_no_id_or_company_gets_its_id_once(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet({"Applications": [
        ["id", "company", "role", "applied_on"],
        ["a1", "Acme", "Analyst", "2026-03-02"],
        ["", "", "Designer", "2026-03-05"],
    ]})  # fmt: skip
    outcomes = [sync(book.id) for _ in range(3)]
    assert outcomes[0].report is not None and outcomes[0].report.dropped == []
    assert all(o.report is None for o in outcomes[1:])  # nothing left to write
    assert book.sheet("Applications").grid()[2][0] != ""
    # header + Acme's draft; the row without a company gets a problem note, not a draft
    assert len(book.sheet("Drafts").grid()) == 2


def test_copied_rows_sharing_an_id_are_told_apart_by_their_cells(fake_google: FakeGoogle) -> None:
    header = ["id", "company", "role", "applied_on", "interview_on", "notes"]
    book = fake_google.create_spreadsheet({"Applications": [
        header,
        ["a1", "Zeta", "Analyst", "2026-03-02", "31/02/2026", ""],
        ["a1", "Acme", "Engineer", "2026-03-02", "", ""],
    ]})  # fmt: skip
    sync(book.id)
    sheet = book.sheet("Applications")
    column = [str(h) for h in sheet.grid()[0]].index("problems")
    for row in (1, 2):
        sheet.set(row, column, "")
    sync(book.id, between=lambda: sheet.sort_rows(1))  # by company
    rows = {r["company"]: r for r in records(sheet.grid())}
    assert "interview_on" in str(rows["Zeta"]["problems"])
    assert "interview_on" not in str(rows["Acme"]["problems"])


def test_a_draft_a_mentor_rewrites_meanwhile_is_kept(fake_google: FakeGoogle) -> None:
    header = ["id", "company", "contact_name", "contact_email", "interview_on", "talking_points"]
    book = fake_google.create_spreadsheet({"Applications": [
        header, ["a1", "Acme", "Ann", "ann@acme.example", "2026-03-12", "talked about SQL"],
    ]})  # fmt: skip
    sync(book.id, day="2026-03-13")
    book.sheet("Applications").set(1, 5, "talked about SQL and dashboards")  # re-render due
    drafts = book.sheet("Drafts")
    body = [str(h) for h in drafts.grid()[0]].index("body")
    outcome = sync(book.id, between=lambda: drafts.set(1, body, "The mentor's rewrite"),
                   day="2026-03-13")  # fmt: skip
    assert drafts.grid()[1][body] == "The mentor's rewrite"
    assert outcome.report is not None
    assert any("edited it meanwhile" in line for line in outcome.report.dropped)

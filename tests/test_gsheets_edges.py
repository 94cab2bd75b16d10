"""Where the real Sheets API is harsher than a friendly fake, through the command line.

Lost answers to a setup, a quota that refuses everything for a minute, a tab
deleted and recreated, rows appended without formats, a write-back in two
requests of which one fails, an Excel file in Drive, the cell limit.  The
transport's clock is the test's: nothing really sleeps.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from fakesheets import FakeGoogle, Fault
from gsheets_helpers import FakeClock, canned_response, make_backend, tracker_grids

from sheetsync.backends.google import transport
from sheetsync.backends.google.sending import WRITE_INTERVAL, _setup_state
from sheetsync.backends.google.setup import SETUP_MARKER
from sheetsync.cli import cli
from sheetsync.errors import EXIT_AUTH, EXIT_UNREACHABLE, UnreachableError
from sheetsync.tracker.plan import CellChange, Plan, RowAppend
from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS, DRAFTS, FEEDBACK

pytest_plugins = ["fakesheets.plugin"]

HEADER = ["id", "company", "role", "contact_name", "contact_email", "interview_on",
          "thank_you_sent_on"]  # fmt: skip
ACME = ["A1", "Acme", "Analyst", "Ann Lee", "ann@acme.example", "2026-02-20", "2026-02-21"]
DATE = {"type": "DATE", "pattern": "yyyy-mm-dd"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock every transport the command line builds runs on."""
    fake_clock = FakeClock()
    monkeypatch.setattr(transport, "SystemClock", lambda: fake_clock)
    return fake_clock


def run(*args: str, day: str = "2026-03-16") -> Result:
    return CliRunner().invoke(cli, [*args, "--today", day] if args[0] == "sync" else list(args))


def sync(book: Any, day: str = "2026-03-16") -> Result:
    return run("sync", "-q", "--sheet", book.id, day=day)


def kinds(fake: FakeGoogle, *, refused: bool = False) -> list[str]:
    return [e.method_id.split("spreadsheets.", 1)[1] for e in fake.log
            if refused or e.fault != "quota"]  # fmt: skip


def ours(book: Any, title: str) -> list[dict[str, Any]]:
    return [p for p in book.sheet(title).protected
            if str(p.get("description", "")).startswith(SETUP_MARKER)]  # fmt: skip


# ------------------------------------------------------------------ 1. setup answers lost
def test_a_setup_applied_but_unanswered_is_checked_not_sent_again(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    fake_google.inject("spreadsheets.batchUpdate", Fault.drop(after_applying=True))
    result = sync(book)
    assert result.exit_code == 0, result.output
    assert [s.title for s in book.sheets] == [APPLICATIONS, DRAFTS, FEEDBACK, "Dashboard"]
    assert fake_google.count("spreadsheets.batchUpdate") == 1  # never re-sent
    steps = kinds(fake_google)
    # One look at the layout after the loss, then the cells: nothing sent twice.
    assert steps[steps.index("batchUpdate"):] == ["batchUpdate", "get", "values.batchUpdate"]
    assert len(ours(book, APPLICATIONS)) == 1 and book.sheet(APPLICATIONS).frozen_rows == 1
    assert len(book.sheet(DRAFTS).grid()) == 2  # header and the follow-up draft
    fake_google.clear_log()
    assert sync(book).exit_code == 0
    assert kinds(fake_google) == ["values.batchGet"]  # all set up: a no-op costs one read


def test_a_setup_lost_before_it_applied_is_sent_again_in_full(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    fake_google.inject("spreadsheets.batchUpdate", Fault.drop(), times=2)
    result = sync(book)
    assert result.exit_code == 0, result.output
    sent = [e.json["requests"] for e in fake_google.requests("spreadsheets.batchUpdate")]
    shapes = [[next(iter(r)) for r in requests] for requests in sent]
    assert len(sent) == 3 and shapes[0] == shapes[1] == shapes[2]  # nothing had landed
    assert [s.title for s in book.sheets] == [APPLICATIONS, DRAFTS, FEEDBACK, "Dashboard"]
    assert len(ours(book, APPLICATIONS)) == 1


def test_a_setup_that_never_gets_an_answer_says_exactly_what_is_on_the_sheet(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    before = book.sheet(APPLICATIONS).grid("FORMULA")
    fake_google.inject("spreadsheets.batchUpdate", Fault.drop(), times=100)
    result = sync(book)
    assert result.exit_code == EXIT_UNREACHABLE
    assert "connection failed or was dropped" in result.output
    assert "nothing was written (no tab, column or cell changed)" in result.output
    assert "may or may not" not in result.output  # it was checked: nothing landed
    assert fake_google.count("spreadsheets.batchUpdate") == 3
    assert [s.title for s in book.sheets] == [APPLICATIONS]
    assert book.sheet(APPLICATIONS).grid("FORMULA") == before


def test_a_setup_applied_before_a_server_error_is_not_sent_again(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    fake_google.inject("spreadsheets.batchUpdate", Fault.error(500, after_applying=True))
    result = sync(book)
    assert result.exit_code == 0, result.output
    assert fake_google.count("spreadsheets.batchUpdate") == 1
    assert [s.title for s in book.sheets] == [APPLICATIONS, DRAFTS, FEEDBACK, "Dashboard"]


def test_a_resend_refused_is_checked_and_reported_as_it_is(fake_google: FakeGoogle,
                                                           clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    fake_google.inject("spreadsheets.batchUpdate", Fault.drop())  # lost, never applied
    refusal = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "Invalid "
                         "requests[0].addSheet: A sheet with the name \"Drafts\" already exists."}}
    # (each rule counts the requests the rules before it let through: this is the resend)
    fake_google.inject("spreadsheets.batchUpdate", Fault.error(400, body=refusal))
    result = sync(book)
    assert result.exit_code == EXIT_UNREACHABLE
    assert "Google refused the request (HTTP 400: Invalid requests[0].addSheet" in result.output
    # It looked again after the refusal: nothing is there, and it says so.
    assert "nothing was written (no tab, column or cell changed)" in result.output
    assert fake_google.count("spreadsheets.batchUpdate") == 2
    assert [s.title for s in book.sheets] == [APPLICATIONS]


def test_what_a_setup_applied_and_did_not_is_listed() -> None:
    add = {"addSheet": {"properties": {"sheetId": 7, "title": DRAFTS}}}
    freeze = {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {
        "frozenRowCount": 1}}, "fields": "gridProperties.frozenRowCount"}}  # fmt: skip
    titles = {0: APPLICATIONS, 7: DRAFTS}
    wanted = ["tab 'Drafts' created", "header row of 'Applications' frozen"]
    assert _setup_state(wanted, [freeze], titles) == (
        "applied: tab 'Drafts' created; not applied: header row of 'Applications' frozen; "
        "no cell value was written")
    assert _setup_state(wanted, [add, freeze], titles).startswith("nothing was written")


# ------------------------------------------------------------------ 2. write-back in two parts
def test_a_write_back_whose_second_part_fails_is_reported_recorded_and_undoable(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    assert sync(book).exit_code == 0
    drafts = book.sheet(DRAFTS)
    drafts.set(1, ALL_COLUMNS[DRAFTS].index("status"), "sent")  # the follow-up went out
    apps = book.sheet(APPLICATIONS)
    before = apps.grid()
    fake_google.clear_log()
    # The RAW part lands; the USER_ENTERED part (dates into the user's columns) fails.
    rule = fake_google.inject("values.batchUpdate", Fault.error(503), nth=2, times=100)
    failed = sync(book)
    rule.times = 0  # Google is back
    assert failed.exit_code == EXIT_UNREACHABLE
    assert "the rest of this push was written" in failed.output
    # The count and the date of the sent follow-up went together, in the part that failed.
    assert ("but not the 3 cell(s) it records in your own columns (Applications "
            "follow_ups_sent, Applications last_follow_up_on, Drafts sent_on)") in failed.output
    assert "sheetsync undo" in failed.output
    header = [str(h) for h in apps.grid()[0]]
    row = dict(zip(header, apps.grid()[1], strict=False))
    assert row["next_action"] == "final_follow_up"
    assert row.get("follow_ups_sent", "") == row.get("last_follow_up_on", "") == ""

    log = run("log", "--cells", "--sheet", book.id)
    assert "FAILED after part was written" in log.output and "partly written" in log.output
    assert "next_action" in log.output
    assert "last_follow_up_on" not in log.output  # only what landed is in the history

    undone = run("undo", "--sheet", book.id)
    assert undone.exit_code == 0, undone.output
    assert "restored" in undone.output
    row = dict(zip(header, apps.grid()[1], strict=False))
    assert row["next_action"] == before[1][before[0].index("next_action")] == "follow_up"


def test_after_a_partial_write_back_the_next_sync_finishes_it(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    assert sync(book).exit_code == 0
    book.sheet(DRAFTS).set(1, ALL_COLUMNS[DRAFTS].index("status"), "sent")
    rule = fake_google.inject("values.batchUpdate", Fault.error(503), nth=2, times=6)
    assert sync(book).exit_code == EXIT_UNREACHABLE
    rule.times = 0
    assert sync(book).exit_code == 0
    apps = book.sheet(APPLICATIONS)
    row = dict(zip([str(h) for h in apps.grid()[0]], apps.grid()[1], strict=False))
    assert row["last_follow_up_on"] == 46097 and row["follow_ups_sent"] == 1  # once, not twice


# ------------------------------------------------------------------ 3. quota
def _synced(fake: FakeGoogle) -> Any:
    book = fake.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    assert sync(book).exit_code == 0
    fake.clear_log()
    return book


def test_a_minute_of_refused_requests_is_waited_out(fake_google: FakeGoogle,
                                                    clock: FakeClock) -> None:  # fmt: skip
    book = _synced(fake_google)
    book.sheet(APPLICATIONS).set(1, 2, "Senior Analyst")  # a change: the draft is re-rendered
    fake_google.quota_window(60, clock.time)
    result = sync(book, day="2026-03-17")
    assert result.exit_code == 0, result.output
    refused = [e for e in fake_google.log if e.fault == "quota"]
    assert len(refused) >= 6 and sum(clock.sleeps) >= 60
    # Google's backoff: each wait at least 2^n seconds (then capped), never a blind burst.
    assert all(wait >= min(2.0 ** n, 32.0) for n, wait in enumerate(clock.sleeps))
    assert len(kinds(fake_google)) <= 3  # the budget of a sync with changes is unchanged


def test_a_quota_spent_past_the_budget_names_it_and_when_to_retry(
        fake_google: FakeGoogle, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    book = _synced(fake_google)
    fake_google.quota_window(600, clock.time)
    result = sync(book)
    assert result.exit_code == EXIT_UNREACHABLE
    assert "Quota exceeded for quota metric 'Read requests'" in result.output
    assert "per minute per user" in result.output and "run again after" in result.output
    assert "nothing was written" in result.output
    assert 60 <= sum(clock.sleeps) <= transport.QUOTA_BUDGET
    # The budget is the user's to set: a longer one waits the window out.
    monkeypatch.setenv(transport.QUOTA_ENV, "900")
    fake_google.quota_window(600, clock.time)
    assert sync(book).exit_code == 0


def test_a_bad_quota_budget_is_a_usage_error(fake_google: FakeGoogle,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    monkeypatch.setenv(transport.QUOTA_ENV, "a minute")
    result = sync(book)
    assert result.exit_code == 2 and "SHEETSYNC_QUOTA_WAIT" in result.output


def test_server_errors_keep_their_bounded_retries(fake_google: FakeGoogle,
                                                  clock: FakeClock) -> None:  # fmt: skip
    book = _synced(fake_google)
    fake_google.inject("values.batchGet", Fault.error(503), times=100)
    result = sync(book)
    assert result.exit_code == EXIT_UNREACHABLE and "after 6 attempt(s)" in result.output
    assert fake_google.count("values.batchGet") == 6


def test_the_parts_of_a_large_push_are_paced(fake_google: FakeGoogle, tmp_path: Path) -> None:
    clock = FakeClock()
    book = fake_google.create_spreadsheet(tracker_grids(60))
    backend = make_backend(fake_google, book, tmp_path / "cache", clock=clock,
                           max_payload_bytes=1500)  # fmt: skip
    wb = backend.read()
    plan = Plan(changes=[CellChange(APPLICATIONS, r, f"a{r:05d}", "why", "", f"w{r}")
                         for r in range(0, 60, 2)])  # fmt: skip
    backend.write(plan, wb)
    parts = fake_google.count("values.batchUpdate")
    assert parts >= 2
    # The fake answers in no (fake) time: each part after the first waits the interval.
    assert clock.sleeps == [WRITE_INTERVAL] * (parts - 1)


# ------------------------------------------------------------------ 4./5. stale layout, formats
def _drafts_tracker(fake: FakeGoogle, tmp_path: Path) -> tuple[Any, Any]:
    grids = tracker_grids(2)
    grids[DRAFTS].append(["d0", "a00000", "Company 0"])
    book = fake.create_spreadsheet(grids, rows=4)
    cache = tmp_path / "cache"
    first = make_backend(fake, book, cache)
    first.write(Plan(appends=[_draft(1)]), first.read())  # layout checked and remembered
    return book, make_backend(fake, book, cache)


def _draft(i: int) -> RowAppend:
    return RowAppend(DRAFTS, f"d{i}", {"draft_id": f"d{i}", "app_id": "a00001",
                                       "due_on": "2026-03-21", "status": "draft"},
                     {"due_on": "date"})  # fmt: skip


def test_a_tab_deleted_and_recreated_is_found_again_and_set_up_again(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book, backend = _drafts_tracker(fake_google, tmp_path)
    old_id = book.sheet(DRAFTS).sheet_id
    protections = len(ours(book, DRAFTS))
    drafts = book.recreate_sheet(DRAFTS)  # restored from a copy: new id, no protection
    assert drafts.sheet_id != old_id and drafts.protected == []
    fake_google.clear_log()
    report = backend.write(Plan(appends=[_draft(2), _draft(3), _draft(4)]), backend.read())
    assert report.written == 12 and report.dropped == []
    drafts = book.sheet(DRAFTS)  # (the fake rolled back a refused request: a new object)
    assert [r[0] for r in drafts.grid()[1:6]] == ["d0", "d1", "d2", "d3", "d4"]
    due = ALL_COLUMNS[DRAFTS].index("due_on")
    assert drafts.frozen_rows == 1 and len(ours(book, DRAFTS)) == protections > 0
    assert drafts.number_format(1, due) == DATE and drafts.number_format(4, due) == DATE
    steps = [e.method_id.split("spreadsheets.", 1)[1] for e in fake_google.log]
    # The stale id is refused once; then one fresh look and the write goes through.
    assert steps == ["values.batchGet", "values.batchGet", "batchUpdate", "get",
                     "values.batchGet", "batchUpdate", "values.batchUpdate"]
    assert fake_google.log[2].status == 400
    again = make_backend(fake_google, book, tmp_path / "cache")
    fake_google.clear_log()
    again.write(Plan(appends=[_draft(5)]), again.read())
    assert fake_google.count("spreadsheets.get") == 0  # the new id is remembered


def test_a_drafts_tab_restored_from_a_copy_through_the_command_line(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    assert sync(book).exit_code == 0
    used = len(book.sheet(DRAFTS).grid())
    book.recreate_sheet(DRAFTS, rows=used)  # a copy pasted into a new, tight tab
    book.sheet(APPLICATIONS).set(2, 0, "B2")
    for col, value in enumerate(["Bolt", "Engineer", "Bo Chan", "bo@bolt.example",
                                 "2026-03-02", "2026-03-03"], start=1):  # fmt: skip
        book.sheet(APPLICATIONS).set(2, col, value)
    fake_google.clear_log()
    result = sync(book)
    assert result.exit_code == 0, result.output
    drafts = book.sheet(DRAFTS)
    assert [r[1] for r in drafts.grid()[1:]] == ["A1", "B2"]  # the new draft, below
    due = ALL_COLUMNS[DRAFTS].index("due_on")
    # Set up again: frozen, protected, and the grown row shows its date as a date.
    assert drafts.frozen_rows == 1 and ours(book, DRAFTS)
    assert drafts.number_format(used, due) == DATE
    assert drafts.grid("FORMATTED_VALUE")[used][due].startswith("2026-")
    writes = [e for e in fake_google.log if e.is_write]
    assert [e.status for e in writes] == [400, 200, 200]  # the stale id, then once more


def test_a_renamed_tab_with_a_remembered_title_is_looked_up_again(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(2)
    book = fake_google.create_spreadsheet({"Jobs 2026": grids[APPLICATIONS],
                                           DRAFTS: grids[DRAFTS]})  # fmt: skip
    cache = tmp_path / "cache"
    first = make_backend(fake_google, book, cache)
    wb = first.read()
    first.write(Plan(changes=[CellChange(APPLICATIONS, 0, "a00000", "why", "", "x")]), wb)
    backend = make_backend(fake_google, book, cache)
    wb = backend.read()
    book.sheet("Jobs 2026").title = "Jobs"  # renamed between the read and the write
    report = backend.write(Plan(changes=[CellChange(APPLICATIONS, 0, "a00000", "why", "x",
                                                    "y")]), wb)  # fmt: skip
    assert report.written == 1
    assert book.sheet("Jobs").grid()[1][ALL_COLUMNS[APPLICATIONS].index("why")] == "y"


def test_rows_deleted_after_the_re_read_are_looked_at_again(fake_google: FakeGoogle,
                                                           tmp_path: Path) -> None:  # fmt: skip
    book, backend = _drafts_tracker(fake_google, tmp_path)
    wb = backend.read()
    refusal = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message":
                         "Range ('Drafts'!A4:P4) exceeds grid limits. Max rows: 3, max "
                         "columns: 26"}}  # fmt: skip
    fake_google.inject("values.batchUpdate", Fault.error(400, body=refusal))
    fake_google.clear_log()
    report = backend.write(Plan(appends=[_draft(2)]), wb)
    assert report.written == 4
    assert [r[0] for r in book.sheet(DRAFTS).grid()[1:]] == ["d0", "d1", "d2"]
    assert fake_google.count("values.batchUpdate") == 2 and fake_google.count("get") == 1


def test_a_layout_still_stale_after_one_more_look_says_what_to_do(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book, backend = _drafts_tracker(fake_google, tmp_path)
    wb = backend.read()
    refusal = {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                         "message": "Invalid requests[0].appendDimension: No grid with id: 7"}}
    fake_google.inject("values.batchUpdate", Fault.error(400, body=refusal), times=2)
    fake_google.clear_log()
    with pytest.raises(UnreachableError, match="tabs changed") as info:
        backend.write(Plan(appends=[_draft(2)]), wb)
    assert "run sync again" in str(info.value.hint) and "report" not in str(info.value.hint)
    assert fake_google.count("values.batchUpdate") == 2  # one more look, not a loop


# ------------------------------------------------------------------ 7. errors with a known fix
def test_an_excel_file_in_drive_says_to_save_it_as_a_google_sheet(
        fake_google: FakeGoogle, clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    book.office = True
    result = sync(book)
    assert result.exit_code == EXIT_UNREACHABLE
    assert "is not a Google Sheets spreadsheet" in result.output
    assert "File > Save as Google Sheets" in result.output
    assert "report it" not in result.output
    assert fake_google.count() == 1  # not retried


def test_the_cell_limit_says_what_to_delete(fake_google: FakeGoogle, tmp_path: Path) -> None:
    book, backend = _drafts_tracker(fake_google, tmp_path)
    book.cell_limit = sum(s.rows * s.cols for s in book.sheets)  # full to the brim
    with pytest.raises(UnreachableError, match="limit of 10 million cells") as info:
        backend.write(Plan(appends=[_draft(2), _draft(3), _draft(4)]), backend.read())
    assert "delete unused empty rows and columns" in str(info.value.hint)
    assert info.value.exit_code == EXIT_UNREACHABLE
    assert [r[0] for r in book.sheet(DRAFTS).grid()[1:]] == ["d0", "d1"]


def test_an_api_not_enabled_names_the_page_to_enable_it(fake_google: FakeGoogle,
                                                        clock: FakeClock) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet({APPLICATIONS: [HEADER, ACME]})
    url = "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=42"
    body = {"error": {"code": 403, "status": "PERMISSION_DENIED", "message":
                      f"Google Sheets API has not been used in project 42 before or it is "
                      f"disabled. Enable it by visiting {url} then retry.",
                      "details": [{"reason": "SERVICE_DISABLED"}]}}  # fmt: skip
    fake_google.inject("values.batchGet", Fault.error(403, body=body))
    result = sync(book)
    assert result.exit_code == EXIT_AUTH
    assert f"({url})" in result.output and "docs/google-setup.md" in result.output


# ------------------------------------------------------------------ the steady state
def test_the_steady_state_budget_is_unchanged(fake_google: FakeGoogle, clock: FakeClock) -> None:
    book = _synced(fake_google)
    assert sync(book).exit_code == 0
    assert kinds(fake_google) == ["values.batchGet"]
    fake_google.clear_log()
    book.sheet(APPLICATIONS).set(1, 2, "Lead Analyst")
    assert sync(book, day="2026-03-18").exit_code == 0
    assert kinds(fake_google) == ["values.batchGet", "values.batchGet", "values.batchUpdate"]
    assert clock.sleeps == []


def test_quota_waits_follow_googles_backoff() -> None:
    """Unit view of the 429 schedule: 2^n + jitter below one second, capped, within budget."""
    class Quota(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            return canned_response(429)

    fake_clock = FakeClock()
    session = transport.GoogleTransport(session=Quota(), clock=fake_clock, use_env=False,
                                        rng=random.Random(3))  # fmt: skip
    with pytest.raises(UnreachableError, match="run again after"):
        session.request("GET", "https://sheets.googleapis.com/v4/spreadsheets/k")
    waits = fake_clock.sleeps
    assert [int(w) for w in waits] == [1, 2, 4, 8, 16, 32, 32]
    assert sum(waits) <= transport.QUOTA_BUDGET
    assert dt.timedelta(seconds=sum(waits)) > dt.timedelta(seconds=60)  # past one window

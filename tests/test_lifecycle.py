"""A tracker lived through several days: approvals, undo, undated rejections."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import run

from sheetsync.backends.csv_folder import CsvFolderBackend

APP = (
    "id,company,role,contact_name,contact_email,applied_on,status,rejected_on\n"
    "a1,Acme,Analyst,Ann Lee,ann@acme.example,2026-02-20,,\n"
)


def sync(path: Path, today: str) -> str:
    return run("sync", "--sheet", str(path), "--today", today)


def cell(path: Path, tab: str, key: str, column: str) -> str:
    table = CsvFolderBackend(path).read()[tab]
    return table.cell(table.ids().index(key), column)


def drafts(path: Path) -> list[dict[str, str]]:
    table = CsvFolderBackend(path).read()["Drafts"]
    return [{c: table.cell(i, c) for c in table.columns} for i in range(len(table.rows))]


def set_cell(path: Path, tab: str, key: str, column: str, value: str) -> None:
    """Edit one cell as a user would (the test's own CSV rewrite)."""
    name = path / f"{tab}.csv"
    rows = list(csv.reader(io.StringIO(name.read_text("utf-8"))))
    id_at = rows[0].index("draft_id" if tab == "Drafts" else "id")
    at = rows[0].index(column)
    for row in rows[1:]:
        if row[id_at] == key:
            row.extend([""] * (at + 1 - len(row)))
            row[at] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    name.write_text(out.getvalue(), "utf-8")


def test_an_approval_survives_the_draft_going_obsolete_and_coming_back(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(APP)
    sync(path, "2026-03-05")
    (draft,) = drafts(path)
    set_cell(path, "Drafts", draft["draft_id"], "status", "approved")
    set_cell(path, "Drafts", draft["draft_id"], "review_notes", "Good to go - M.")
    set_cell(path, "Applications", "a1", "applied_on", "2026-02-3O")  # a passing typo
    sync(path, "2026-03-05")
    assert cell(path, "Drafts", draft["draft_id"], "status") == "obsolete"
    set_cell(path, "Applications", "a1", "applied_on", "2026-02-20")  # fixed
    sync(path, "2026-03-06")
    (back,) = drafts(path)
    assert back["draft_id"] == draft["draft_id"]
    assert back["status"] == "approved" and back["review_notes"] == "Good to go - M."


def test_a_plain_draft_that_comes_back_is_a_draft_again(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(APP)
    sync(path, "2026-03-05")
    (draft,) = drafts(path)
    set_cell(path, "Applications", "a1", "status", "withdrawn")
    sync(path, "2026-03-05")
    assert cell(path, "Drafts", draft["draft_id"], "status") == "obsolete"
    set_cell(path, "Applications", "a1", "status", "")
    sync(path, "2026-03-06")
    assert cell(path, "Drafts", draft["draft_id"], "status") == "draft"


def test_undo_keeps_the_sent_on_date_so_the_schedule_never_shifts(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(APP)
    sync(path, "2026-03-05")
    (draft,) = drafts(path)
    set_cell(path, "Drafts", draft["draft_id"], "status", "sent")  # sent_on left blank
    sync(path, "2026-03-06")
    assert cell(path, "Drafts", draft["draft_id"], "sent_on") == "2026-03-06"
    assert cell(path, "Applications", "a1", "last_follow_up_on") == "2026-03-06"
    out = run("undo", "--sheet", str(path))
    assert "sent_on: 2026-03-06 records when you sent it, kept" in out
    assert cell(path, "Drafts", draft["draft_id"], "sent_on") == "2026-03-06"
    assert cell(path, "Applications", "a1", "last_follow_up_on") == ""  # undone
    sync(path, "2026-03-09")  # a later day: the send is recorded on its own date
    assert cell(path, "Applications", "a1", "last_follow_up_on") == "2026-03-06"
    assert cell(path, "Applications", "a1", "follow_ups_sent") == "1"
    assert cell(path, "Applications", "a1", "due_on") == "2026-03-13"


def test_undo_dry_run_lists_what_it_would_restore_and_writes_nothing(tracker: Path) -> None:
    from sheetsync.state import State

    sync(tracker, "2026-03-16")
    before = {p.name: p.read_bytes() for p in tracker.iterdir()}
    out = run("undo", "--dry-run", "--sheet", str(tracker))
    assert out.startswith("Dry run: nothing written.\n")
    assert "Would undo push 1: would restore" in out and "next_action" in out
    assert {p.name: p.read_bytes() for p in tracker.iterdir()} == before
    (push,) = State.open(f"csv:{tracker.resolve()}").pushes()
    assert push.undone_by is None  # still there to undo
    assert "Undid push 1" in run("undo", "--sheet", str(tracker))


def test_an_undated_rejection_is_dated_once_so_its_feedback_request_comes_due(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(APP.replace("2026-02-20,,", "2026-02-20,Rejected,"))
    out = sync(path, "2026-03-10")
    assert "rejected_on: blank" not in out  # no longer a problem: it is dated
    assert cell(path, "Applications", "a1", "rejected_on") == "2026-03-10"
    assert cell(path, "Applications", "a1", "next_action") == "request_feedback"
    assert cell(path, "Applications", "a1", "due_on") == "2026-03-11"
    sync(path, "2026-03-14")  # later runs count from the recorded date, not from today
    assert cell(path, "Applications", "a1", "rejected_on") == "2026-03-10"
    assert cell(path, "Applications", "a1", "due_on") == "2026-03-11"
    assert "overdue by 3 days: Ask for feedback" in run(
        "sync", "-q", "--sheet", str(path), "--today", "2026-03-14"
    )


def test_log_n_0_lists_every_push(tracker: Path) -> None:
    for day in ("2026-03-16", "2026-03-17", "2026-03-18"):
        sync(tracker, day)
    from sheetsync.state import State

    ids = [f"#{p.id}" for p in State.open(f"csv:{tracker.resolve()}").pushes(100)]
    assert len(ids) >= 2
    out = run("log", "-n", "0", "--sheet", str(tracker))
    assert "No pushes recorded" not in out
    assert [line.split()[0] for line in out.splitlines()] == ids
    assert len(run("log", "-n", "1", "--sheet", str(tracker)).splitlines()) == 1


def test_a_sent_draft_with_an_unreadable_date_is_a_problem_row(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(APP)
    sync(path, "2026-03-05")
    (draft,) = drafts(path)
    set_cell(path, "Drafts", draft["draft_id"], "status", "sent")
    set_cell(path, "Drafts", draft["draft_id"], "sent_on", "yesterday")
    out = run("sync", "-q", "--strict", "--sheet", str(path), "--today", "2026-03-06", code=1)
    assert "problem: Acme - Analyst (Drafts row 2" in out
    assert "sent_on: not a date ('yesterday')" in out
    assert cell(path, "Applications", "a1", "last_follow_up_on") == ""  # not recorded

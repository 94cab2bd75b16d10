"""The core against an in-memory backend: closing the loop, drafts, three-way pushes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, FakeBackend, counting_ids

from sheetsync import core
from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.config import Config
from sheetsync.state import State
from sheetsync.tracker.plan import Plan
from sheetsync.tracker.table import Workbook

HEADER = [
    "id",
    "company",
    "role",
    "contact_name",
    "contact_email",
    "interview_on",
    "interviewers",
    "thank_you_sent_on",
    "follow_ups_sent",
    "last_follow_up_on",
    "last_heard_on",
    "status",
    "rejected_on",
    "feedback_requested_on",
    "talking_points",
    "fit",
]


def app(**values: str) -> list[str]:
    return [values.get(c, "") for c in HEADER]


def backend(*rows: list[str]) -> FakeBackend:
    return FakeBackend({"Applications": [HEADER, *rows]})


def sync(fake: FakeBackend, config: Config, today: dt.date = TODAY) -> core.Outcome:
    state = State.open(fake.key)
    return core.sync(fake, state, config, core.RunOptions(today=today, new_id=counting_ids()))


def cell(fake: FakeBackend, tab: str, key: str, column: str) -> str:
    table = fake.read()[tab]
    return table.cell(table.ids().index(key), column)


def drafts(fake: FakeBackend) -> list[dict[str, str]]:
    table = fake.read().get("Drafts")
    if table is None:
        return []
    return [{c: table.cell(i, c) for c in table.columns} for i in range(len(table.rows))]


def set_cell(fake: FakeBackend, tab: str, key: str, column: str, value: str) -> None:
    table = fake.read()[tab]
    row = table.ids().index(key) + 1
    col = table.columns[column]
    line = fake.grids[tab][row]
    line.extend([""] * (col + 1 - len(line)))
    line[col] = value


TWO_INTERVIEWERS = app(
    id="A1",
    company="Acme",
    role="Analyst",
    interview_on="2026-03-13",
    interviewers="Ann Lee <ann@acme.example>; Bo Chan <bo@acme.example>",
    talking_points="Ann described the new reporting pipeline",
    fit="four years of SQL reporting",
)


def test_two_interviewers_get_their_own_differently_worded_thank_yous(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    thanks = [d for d in drafts(fake) if d["action"] == "thank_you_email"]
    assert {d["to_email"] for d in thanks} == {"ann@acme.example", "bo@acme.example"}
    assert thanks[0]["body"] != thanks[1]["body"]
    assert all(d["status"] == "draft" and d["lint"] == "" for d in thanks), thanks
    assert all(d["mailto"].startswith("mailto:") for d in thanks)


def test_sent_thank_yous_are_recorded_once_and_the_policy_moves_on(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    ids = [d["draft_id"] for d in drafts(fake) if d["action"] == "thank_you_email"]
    set_cell(fake, "Drafts", ids[0], "status", "sent")
    set_cell(fake, "Drafts", ids[0], "sent_on", "2026-03-14")
    sync(fake, config)
    # one of two still open: nothing recorded yet, the other draft stays live
    assert cell(fake, "Applications", "A1", "thank_you_sent_on") == ""
    assert cell(fake, "Drafts", ids[1], "status") == "draft"
    set_cell(fake, "Drafts", ids[1], "status", "Sent ")
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "thank_you_sent_on") == TODAY.isoformat()
    assert cell(fake, "Drafts", ids[1], "sent_on") == TODAY.isoformat()  # blank -> today
    assert cell(fake, "Applications", "A1", "next_action") == "follow_up"
    writes = len(fake.writes)
    sync(fake, config)
    assert len(fake.writes) == writes  # nothing left to write: recorded exactly once


def test_sent_follow_up_counts_once(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            role="Analyst",
            interview_on="2026-02-20",
            contact_name="Ann Lee",
            contact_email="ann@acme.example",
            thank_you_sent_on="2026-02-21",
        )
    )
    sync(fake, config)
    follow = next(d for d in drafts(fake) if d["action"] == "follow_up")
    set_cell(fake, "Drafts", follow["draft_id"], "status", "sent")
    set_cell(fake, "Drafts", follow["draft_id"], "sent_on", "2026-03-02")
    for _ in range(3):
        sync(fake, config)
    assert cell(fake, "Applications", "A1", "follow_ups_sent") == "1"
    assert cell(fake, "Applications", "A1", "last_follow_up_on") == "2026-03-02"
    assert cell(fake, "Applications", "A1", "next_action") == "final_follow_up"
    assert cell(fake, "Applications", "A1", "due_on") == "2026-03-09"


def test_skipped_step_passes_without_writing_a_date(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    for draft in drafts(fake):
        if draft["action"] == "thank_you_email":
            set_cell(fake, "Drafts", draft["draft_id"], "status", "skipped")
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "thank_you_sent_on") == ""
    assert cell(fake, "Applications", "A1", "next_action") == "follow_up"


def test_edited_draft_survives_and_unedited_one_is_rerendered(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    first, second = [d for d in drafts(fake) if d["action"] == "thank_you_email"]
    set_cell(fake, "Drafts", first["draft_id"], "body", "My own words.")
    set_cell(fake, "Applications", "A1", "talking_points", "Bo showed me the dashboard backlog")
    sync(fake, config)
    assert cell(fake, "Drafts", first["draft_id"], "body") == "My own words."
    rerendered = cell(fake, "Drafts", second["draft_id"], "body")
    assert rerendered != second["body"] and "dashboard backlog" in rerendered


def test_draft_no_longer_due_becomes_obsolete_never_deleted(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    count = len(drafts(fake))
    set_cell(fake, "Applications", "A1", "status", "withdrawn")
    sync(fake, config)
    assert len(drafts(fake)) == count
    assert {d["status"] for d in drafts(fake)} == {"obsolete"}
    set_cell(fake, "Applications", "A1", "status", "open")
    sync(fake, config)
    assert {d["status"] for d in drafts(fake)} == {"draft"}


def test_rejection_feedback_request_creates_one_feedback_row_ever(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            role="Analyst",
            status="rejected",
            rejected_on="2026-03-12",
            contact_name="Ann Lee",
            contact_email="ann@acme.example",
        )
    )
    sync(fake, config)
    request = next(d for d in drafts(fake) if d["action"] == "request_feedback")
    set_cell(fake, "Drafts", request["draft_id"], "status", "sent")
    for _ in range(3):
        sync(fake, config)
    feedback = fake.read()["Feedback"]
    assert len(feedback.rows) == 1
    assert cell(fake, "Applications", "A1", "feedback_requested_on") == TODAY.isoformat()
    assert feedback.cell(0, "next_action") == "await_response"
    # the user pastes the answer: a thank-you draft and an action show up
    set_cell(fake, "Feedback", feedback.ids()[0], "received_on", "2026-03-16")
    set_cell(
        fake,
        "Feedback",
        feedback.ids()[0],
        "response",
        "Your resume did not show enough SQL experience.",
    )
    set_cell(fake, "Feedback", feedback.ids()[0], "action_item", "Add the SQL project")
    outcome = sync(fake, config)
    assert "resume" in fake.read()["Feedback"].cell(0, "themes")
    assert any(d["action"] == "thank_for_feedback" for d in drafts(fake))
    assert {"thank_for_feedback", "act_on_feedback"} <= {i.action for i in outcome.agenda}


def test_user_rows_added_by_hand_to_feedback_are_kept(config: Config) -> None:
    fb_header = ["feedback_id", "app_id", "company", "role", "received_on", "response"]
    fake = FakeBackend(
        {
            "Applications": [HEADER, app(id="A1", company="Acme")],
            "Feedback": [
                fb_header,
                ["", "", "Globex", "Analyst", "2026-03-10", "No theme here at all"],
            ],
        }
    )
    sync(fake, config)
    table = fake.read()["Feedback"]
    assert len(table.rows) == 1
    assert table.cell(0, "company") == "Globex" and table.cell(0, "themes") == "other"


def test_push_keeps_edits_made_after_the_pull_and_recomputes(config: Config) -> None:
    fake = backend(app(id="A1", company="Acme", role="Analyst", interview_on="2026-03-20"))
    state = State.open(fake.key)
    options = core.RunOptions(today=TODAY, new_id=counting_ids())
    core.pull(fake, state, config, options)
    # meanwhile the user moves the interview into the past and adds a note
    set_cell(fake, "Applications", "A1", "interview_on", "2026-03-13")
    set_cell(fake, "Applications", "A1", "talking_points", "typed during the run")
    core.push(fake, state, config, options)
    assert cell(fake, "Applications", "A1", "talking_points") == "typed during the run"
    assert cell(fake, "Applications", "A1", "interview_on") == "2026-03-13"
    assert cell(fake, "Applications", "A1", "next_action") == "thank_you_email"


def test_write_back_only_where_the_cell_is_as_it_was_at_pull(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    for draft in drafts(fake):
        if draft["action"] == "thank_you_email":
            set_cell(fake, "Drafts", draft["draft_id"], "status", "sent")
    state = State.open(fake.key)
    options = core.RunOptions(today=TODAY, new_id=counting_ids())
    core.pull(fake, state, config, options)
    set_cell(fake, "Applications", "A1", "thank_you_sent_on", "2026-03-13")  # user typed it
    core.push(fake, state, config, options)
    assert cell(fake, "Applications", "A1", "thank_you_sent_on") == "2026-03-13"


def test_rows_resorted_between_read_and_write_get_their_own_values(config: Config) -> None:
    fake = backend(
        app(id="A1", company="Acme", interview_on="2026-03-20"),
        app(id="A2", company="Globex", status="offer"),
        app(company="Initech", interview_on="2026-03-25"),
    )

    def resort(f: FakeBackend) -> None:  # the user sorts Z-A and inserts a row on top
        header, *rows = f.grids["Applications"]
        f.grids["Applications"] = [header, app(company="Newco"), *reversed(rows)]

    fake.before_write = resort
    sync(fake, config)
    table = fake.read()["Applications"]
    by_company = {table.cell(i, "company"): i for i in range(len(table.rows))}
    assert table.cell(by_company["Acme"], "next_action") == "interview"
    assert table.cell(by_company["Acme"], "due_on") == "2026-03-20"
    assert table.cell(by_company["Globex"], "next_action") == ""
    assert table.cell(by_company["Initech"], "due_on") == "2026-03-25"
    assert table.cell(by_company["Initech"], "id") == "n1"
    assert table.cell(by_company["Newco"], "next_action") == ""  # not seen at read: untouched


def test_deleted_row_between_read_and_write_is_dropped_not_misplaced(config: Config) -> None:
    fake = backend(
        app(id="A1", company="Acme", interview_on="2026-03-20"),
        app(id="A2", company="Globex", interview_on="2026-03-25"),
    )

    def delete_first(f: FakeBackend) -> None:
        del f.grids["Applications"][1]

    fake.before_write = delete_first
    outcome = sync(fake, config)
    assert outcome.report is not None and any("A1" in d for d in outcome.report.dropped)
    assert cell(fake, "Applications", "A2", "due_on") == "2026-03-25"


def test_user_typing_into_an_owned_cell_is_overwritten_and_logged(config: Config) -> None:
    fake = backend(app(id="A1", company="Acme", interview_on="2026-03-20"))
    sync(fake, config)
    set_cell(fake, "Applications", "A1", "next_action", "call them!")
    outcome = sync(fake, config)
    assert cell(fake, "Applications", "A1", "next_action") == "interview"
    state = State.open(fake.key)
    logged = state.push_cells(outcome.push_id or 0)
    assert any(c.column == "next_action" and c.old == "call them!" for c in logged)


def test_blank_rows_stay_put_and_get_no_id(config: Config) -> None:
    fake = backend(app(company="Acme"), [""] * len(HEADER), app(company="Globex"))
    sync(fake, config)
    table = fake.read()["Applications"]
    assert table.ids() == ["n1", "", "n2"]
    assert not any(table.rows[1])


def test_duplicate_ids_are_reported_not_renumbered(config: Config) -> None:
    fake = backend(app(id="A1", company="Acme"), app(id="A1", company="Acme copy"))
    outcome = sync(fake, config)
    table = fake.read()["Applications"]
    assert table.ids() == ["A1", "A1"]
    assert all("same id" in table.cell(i, "problems") for i in (0, 1))
    assert outcome.problem_rows == 2


def test_compute_is_pure_and_plans_nothing_twice(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    workbook: Workbook = fake.read()
    state = State.open(fake.key)
    again = core.compute(workbook, TODAY, config, memory=state.rendered())
    assert again.plan == Plan() or not again.plan


@pytest.mark.parametrize("status", ["offer", "accepted", "withdrawn", "closed"])
def test_closed_statuses_get_no_drafts(config: Config, status: str) -> None:
    row = list(TWO_INTERVIEWERS)
    row[HEADER.index("status")] = status
    fake = backend(row)
    sync(fake, config)
    assert drafts(fake) == []


def test_follow_up_after_the_employer_replied_starts_the_count_afresh(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            role="Analyst",
            interview_on="2026-02-10",
            contact_name="Ann Lee",
            contact_email="ann@acme.example",
            thank_you_sent_on="2026-02-11",
            follow_ups_sent="1",
            last_follow_up_on="2026-02-20",
            last_heard_on="2026-03-02",
        )
    )
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "next_action") == "follow_up"
    follow = next(d for d in drafts(fake) if d["action"] == "follow_up")
    set_cell(fake, "Drafts", follow["draft_id"], "status", "sent")
    set_cell(fake, "Drafts", follow["draft_id"], "sent_on", "2026-03-09")
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "follow_ups_sent") == "1"
    assert cell(fake, "Applications", "A1", "next_action") == "final_follow_up"


# -- edge cases: each of these once lost or garbled data ----------------------------------


def test_write_back_never_overwrites_a_cell_it_cannot_read(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            interview_on="2026-02-10",
            contact_name="Ann",
            contact_email="ann@acme.example",
            thank_you_sent_on="2026-02-11",
            follow_ups_sent="two",
            last_follow_up_on="2026-02-20",
        )
    )
    fake.grids["Drafts"] = [
        ["draft_id", "app_id", "action", "status", "sent_on"],
        ["A1:final_follow_up:x:20260220", "A1", "final_follow_up", "sent", "2026-03-10"],
    ]
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "follow_ups_sent") == "two"
    assert cell(fake, "Applications", "A1", "last_follow_up_on") == "2026-02-20"
    assert "follow_ups_sent" in cell(fake, "Applications", "A1", "problems")


def test_unreadable_sent_on_is_flagged_and_never_recorded(config: Config) -> None:
    fake = backend(
        app(id="A1", company="Acme", interview_on="2026-02-10", thank_you_sent_on="2026-02-11")
    )
    fake.grids["Drafts"] = [
        ["draft_id", "app_id", "action", "status", "sent_on"],
        ["A1:follow_up:x:20260211", "A1", "follow_up", "sent", "last tuesday"],
    ]
    for day in (TODAY, dt.date(2026, 3, 17), dt.date(2026, 3, 18)):
        sync(fake, config, day)
    assert cell(fake, "Applications", "A1", "follow_ups_sent") == ""
    assert cell(fake, "Drafts", "A1:follow_up:x:20260211", "sent_on") == "last tuesday"
    assert "sent_on" in cell(fake, "Drafts", "A1:follow_up:x:20260211", "lint")


def test_a_status_sheetsync_does_not_know_is_kept_and_flagged(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    first = drafts(fake)[0]["draft_id"]
    set_cell(fake, "Drafts", first, "status", "Sent 3/12")
    sync(fake, config)
    assert cell(fake, "Drafts", first, "status") == "Sent 3/12"
    assert "Sent 3/12" in cell(fake, "Drafts", first, "lint")


def test_push_records_sent_drafts_for_ids_with_spaces(config: Config) -> None:
    fake = backend(
        app(
            id="A1 ",
            company="Acme",
            interview_on="2026-03-12",
            interviewers="Ann <ann@acme.example>",
        )
    )
    fake.grids["Drafts"] = [
        ["draft_id", "app_id", "action", "status", "sent_on"],
        [
            "A1:thank_you_email:ann-acme-example:20260312",
            "A1",
            "thank_you_email",
            "sent",
            "2026-03-13",
        ],
    ]
    state = State.open(fake.key)
    options = core.RunOptions(today=TODAY, new_id=counting_ids())
    core.pull(fake, state, config, options)
    core.push(fake, state, config, options)
    assert fake.read()["Applications"].cell(0, "thank_you_sent_on") == "2026-03-13"


def answered_feedback(config: Config) -> tuple[FakeBackend, str]:
    """A rejected application whose feedback came in: a thank-you draft is wanted."""
    fake = backend(
        app(
            id="A1",
            company="Acme",
            status="rejected",
            rejected_on="2026-03-01",
            feedback_requested_on="2026-03-02",
            contact_name="Ann",
            contact_email="ann@acme.example",
        )
    )
    sync(fake, config)
    fb = fake.read()["Feedback"].ids()[0]
    set_cell(fake, "Feedback", fb, "received_on", "2026-03-10")
    set_cell(fake, "Feedback", fb, "response", "Your cover letter was too long.")
    sync(fake, config)
    return fake, fb


def test_sent_thank_for_feedback_fills_thanked_on(config: Config) -> None:
    fake, fb = answered_feedback(config)
    thank = next(d for d in drafts(fake) if d["action"] == "thank_for_feedback")
    set_cell(fake, "Drafts", thank["draft_id"], "status", "sent")
    set_cell(fake, "Drafts", thank["draft_id"], "sent_on", "2026-03-11")
    outcome = sync(fake, config)
    assert cell(fake, "Feedback", fb, "thanked_on") == "2026-03-11"
    assert "thank_for_feedback" not in {i.action for i in outcome.agenda}


def test_skipping_one_interviewers_thank_you_keeps_the_other(config: Config) -> None:
    fake = backend(TWO_INTERVIEWERS)
    sync(fake, config)
    ann, bo = (d["draft_id"] for d in drafts(fake) if d["action"] == "thank_you_email")
    set_cell(fake, "Drafts", ann, "status", "skipped")
    sync(fake, config)
    assert cell(fake, "Drafts", bo, "status") == "draft"
    assert cell(fake, "Applications", "A1", "next_action") == "thank_you_email"


def test_a_skipped_follow_up_still_counts_when_a_later_one_is_sent(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            interview_on="2026-02-10",
            contact_name="Ann",
            contact_email="ann@acme.example",
            thank_you_sent_on="2026-02-11",
        )
    )
    sync(fake, config)
    follow = next(d for d in drafts(fake) if d["action"] == "follow_up")
    set_cell(fake, "Drafts", follow["draft_id"], "status", "skipped")
    sync(fake, config)
    final = next(d for d in drafts(fake) if d["action"] == "final_follow_up")
    set_cell(fake, "Drafts", final["draft_id"], "status", "sent")
    set_cell(fake, "Drafts", final["draft_id"], "sent_on", "2026-03-17")
    sync(fake, config, dt.date(2026, 3, 17))
    assert cell(fake, "Applications", "A1", "follow_ups_sent") == "2"
    assert cell(fake, "Applications", "A1", "next_action") == "move_on"


def test_skipping_the_feedback_request_adds_no_feedback_row(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            status="rejected",
            rejected_on="2026-03-12",
            contact_email="ann@acme.example",
        )
    )
    sync(fake, config)
    ask = next(d for d in drafts(fake) if d["action"] == "request_feedback")
    set_cell(fake, "Drafts", ask["draft_id"], "status", "skipped")
    sync(fake, config)
    assert cell(fake, "Applications", "A1", "next_action") == ""
    assert not fake.read().get("Feedback") or not fake.read()["Feedback"].rows


def test_sending_the_thank_you_email_keeps_the_handwritten_note_due(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            interview_on="2026-03-12",
            interviewers="Ann <ann@acme.example>",
        )
    )
    fake.grids["Applications"][0].append("handwritten_note")
    fake.grids["Applications"][1].append("yes")
    sync(fake, config, dt.date(2026, 3, 12))
    note = next(d for d in drafts(fake) if d["action"] == "thank_you_note")
    assert note["due_on"] == "2026-03-16"  # Thu + 2 business days
    email = next(d for d in drafts(fake) if d["action"] == "thank_you_email")
    set_cell(fake, "Drafts", email["draft_id"], "status", "sent")
    outcome = sync(fake, config, dt.date(2026, 3, 13))
    assert cell(fake, "Drafts", note["draft_id"], "status") == "draft"
    assert "thank_you_note" in {i.action for i in outcome.agenda}


def test_interviewers_sharing_an_address_each_get_a_draft(config: Config) -> None:
    fake = backend(
        app(
            id="A1",
            company="Acme",
            interview_on="2026-03-13",
            interviewers="Bob Ray <team@acme.example>; Cy Lee <team@acme.example>",
        )
    )
    sync(fake, config)
    thanks = [d for d in drafts(fake) if d["action"] == "thank_you_email"]
    assert sorted(d["to_name"] for d in thanks) == ["Bob Ray", "Cy Lee"]
    assert len({d["draft_id"] for d in thanks}) == 2


def test_an_applications_tab_with_only_a_header_is_fine(config: Config) -> None:
    fake = FakeBackend({"Applications": [["id", "company"]]})
    outcome = sync(fake, config)
    assert outcome.agenda == [] and outcome.problem_rows == 0


def test_feedback_thank_you_is_reused_until_the_response_changes(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.messages import render

    fake, fb = answered_feedback(config)
    first = next(d for d in drafts(fake) if d["action"] == "thank_for_feedback")

    rendered: list[str] = []
    real = render.Renderer.render_many

    def counting(self: render.Renderer, template: str, *args: object) -> object:
        rendered.append(template)
        return real(self, template, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "render_many", counting)
    sync(fake, config)
    assert "thank_for_feedback" not in rendered  # nothing changed: the text is reused
    assert next(d for d in drafts(fake) if d["action"] == "thank_for_feedback") == first

    set_cell(fake, "Feedback", fb, "response", "Your portfolio lacked dashboards.")
    sync(fake, config)
    assert "thank_for_feedback" in rendered
    again = next(d for d in drafts(fake) if d["action"] == "thank_for_feedback")
    assert again["draft_id"] == first["draft_id"]



def test_the_cycle_collector_is_paused_during_a_run_and_restored_after(
    tracker: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from sheetsync.core import runs

    seen: list[bool] = []
    real = runs.compute

    def watching(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(runs, "compute", watching)
    backend = CsvFolderBackend(tracker)
    state = State.open(backend.key, tracker.parent / "state")
    assert gc.isenabled()
    core.sync(backend, state, config, core.RunOptions(TODAY))
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:  # a caller that keeps it off finds it off
        core.read_only(backend, config, TODAY)
        assert not gc.isenabled()
    finally:
        gc.enable()
    state.close()

"""The follow-up policy, one table row per rule and per boundary (issue 3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sheetsync.config import Config, Rules
from sheetsync.policy import engine as policy
from sheetsync.policy.bizdays import Calendar
from sheetsync.policy.engine import OUTPUT_COLUMNS, RULES, compute, evaluate
from sheetsync.tracker.schema import APP_USER_COLUMNS
from sheetsync.tracker.values import parse_applications
from sheetsync.vocabulary import POLICY_ACTIONS

TODAY = dt.date(2026, 3, 16)  # a Monday
KEEP = "keep"  # Case.basis default: not checked

# An interviewed application that has sent its thank-you and is now waiting.
WAITING = {"company": "Acme", "applied_on": "2026-02-16", "interview_on": "2026-03-02",
           "thank_you_sent_on": "2026-03-03"}  # fmt: skip
APPLIED = {"company": "Bolt", "applied_on": "2026-02-20"}


def frame_of(rows: list[dict[str, str]], index: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame({c: [r.get(c, "") for r in rows] for c in APP_USER_COLUMNS},
                        dtype=object, index=index)  # fmt: skip


def run(
    rows: list[dict[str, str]],
    today: dt.date = TODAY,
    rules: Rules | None = None,
    holidays: str | None = None,
) -> pd.DataFrame:
    apps, problems = parse_applications(frame_of(rows), "MDY")
    return compute(apps, problems, today, rules or Rules(), Calendar(holidays))


def iso(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


@dataclass
class Case:
    id: str
    row: dict[str, str]
    action: str
    due: str | None
    basis: str | None = KEEP
    problem: str = ""  # "" = no problems; else the problems text must contain it
    why: str = ""  # the why must contain this
    note: str | None = None  # handwritten note due
    today: dt.date = TODAY
    rules: Rules = field(default_factory=Rules)
    holidays: str | None = None


def with_(base: dict[str, str], **changes: str) -> dict[str, str]:
    return {**base, **changes}


CLOSED_CASES = [
    Case(f"status {status!r}: no action",
         with_(WAITING, status=status, interview_on="2026-03-20", follow_ups_sent="2",
               last_follow_up_on="2026-03-01"),
         "", None, None, why=why)
    for status, why in (("withdrawn", "withdrew"), ("closed", "Closed"), ("accepted", "accepted"),
                        ("offer", "Offer received"), (" Offer ", "Offer"), ("CLOSED", "Closed"),
                        ("Wishlist", "Not applied yet"), ("To Apply", "Not applied yet"),
                        ("Offer Accepted", "accepted"))
]  # fmt: skip

CASES = CLOSED_CASES + [
    # -- rejected
    Case("rejected: feedback the next day",
         with_(APPLIED, status="rejected", rejected_on="2026-03-12"),
         "request_feedback", "2026-03-13", "2026-03-12", why="Rejected on Thu 12 Mar"),
    Case("rejected on a Friday: rolled past the weekend",
         with_(APPLIED, status="Rejected", rejected_on="2026-03-13"),
         "request_feedback", "2026-03-16", "2026-03-13"),
    Case("rejected beats an interview ahead",
         with_(APPLIED, status="rejected", rejected_on="2026-03-12", interview_on="2026-03-20"),
         "request_feedback", "2026-03-13"),
    Case("rejected, feedback already requested: the Feedback tab takes over",
         with_(APPLIED, status="rejected", rejected_on="2026-03-12",
               feedback_requested_on="2026-03-13"),
         "", None, None, why="Feedback requested on Fri 13 Mar"),
    Case("rejected without rejected_on: a problem, and rejected today",
         with_(APPLIED, status="rejected"),
         "request_feedback", "2026-03-17", None, problem="rejected_on: blank"),
    Case("rejected without rejected_on on a Friday: tomorrow, rolled",
         with_(APPLIED, status="rejected"),
         "request_feedback", "2026-03-23", None, problem="rejected_on: blank",
         today=dt.date(2026, 3, 20)),
    Case("rejected with an unreadable rejected_on: no action",
         with_(APPLIED, status="rejected", rejected_on="last week"),
         "", None, None, problem="rejected_on: not a date ('last week')"),
    # -- interview ahead
    Case("interview ahead, on a Saturday: not rolled", with_(APPLIED, interview_on="2026-03-21"),
         "interview", "2026-03-21", "2026-03-21", why="Interview on Sat 21 Mar"),
    Case("interview tomorrow", with_(APPLIED, interview_on="2026-03-17"),
         "interview", "2026-03-17", "2026-03-17"),
    # -- thank-you
    Case("interviewed today: thank-you tomorrow", with_(APPLIED, interview_on="2026-03-16"),
         "thank_you_email", "2026-03-17", "2026-03-16"),
    Case("thank-you due on a Saturday: never rolled", with_(APPLIED, interview_on="2026-03-13"),
         "thank_you_email", "2026-03-14", "2026-03-13", why="within a day"),
    Case("thank-you overdue keeps its date", with_(APPLIED, interview_on="2026-03-02"),
         "thank_you_email", "2026-03-03", "2026-03-02"),
    Case("handwritten note: two business days after a Thursday",
         with_(APPLIED, interview_on="2026-03-12", handwritten_note="yes"),
         "thank_you_email", "2026-03-13", note="2026-03-16",
         why="handwritten note is due by Mon 16 Mar"),
    Case("handwritten note: two business days after a Friday",
         with_(APPLIED, interview_on="2026-03-13", handwritten_note="Y"),
         "thank_you_email", "2026-03-14", note="2026-03-17"),
    Case("handwritten note skips Thanksgiving; the e-mail is not rolled",
         with_(APPLIED, interview_on="2026-11-25", handwritten_note="yes"),
         "thank_you_email", "2026-11-26", note="2026-11-30", today=dt.date(2026, 11, 25),
         holidays="US"),
    Case("handwritten note without a holiday calendar",
         with_(APPLIED, interview_on="2026-11-25", handwritten_note="yes"),
         "thank_you_email", "2026-11-26", note="2026-11-27", today=dt.date(2026, 11, 25)),
    Case("handwritten note only alongside the thank-you",
         with_(WAITING, handwritten_note="yes"), "follow_up", "2026-03-10", note=None),
    # -- check in
    Case("check in two days after the promised decision",
         with_(WAITING, decision_expected_on="2026-03-10"),
         "check_in", "2026-03-12", "2026-03-10",
         why="Decision was promised for Tue 10 Mar; no word since - check in"),
    Case("check in falling on a Saturday: rolled to Monday",
         with_(WAITING, decision_expected_on="2026-03-12"),
         "check_in", "2026-03-16", "2026-03-12",
         why="Decision was promised for Thu 12 Mar; no word since - check in"),
    Case("check in: decision date on the day last heard",
         with_(WAITING, decision_expected_on="2026-03-10", last_heard_on="2026-03-10"),
         "check_in", "2026-03-12", "2026-03-10"),
    Case("decision date before last heard: follow up instead",
         with_(WAITING, decision_expected_on="2026-03-05", last_heard_on="2026-03-06"),
         "follow_up", "2026-03-13", "2026-03-06"),
    Case("check in without an interview", with_(APPLIED, decision_expected_on="2026-03-10"),
         "check_in", "2026-03-12", "2026-03-10"),
    # -- follow up (interviewed)
    Case("follow up a week after the thank-you", WAITING, "follow_up", "2026-03-10", "2026-03-03",
         why="No word since Tue 3 Mar"),
    Case("follow up a week after last heard", with_(WAITING, last_heard_on="2026-03-05"),
         "follow_up", "2026-03-12", "2026-03-05"),
    Case("follow up counts from the interview when it is the latest",
         with_(WAITING, interview_on="2026-03-03"), "follow_up", "2026-03-10", "2026-03-03"),
    Case("a thank-you sent before the interview was for an earlier round: thank again",
         with_(WAITING, interview_on="2026-03-04"), "thank_you_email", "2026-03-05",
         "2026-03-04"),
    # -- application follow-up (not interviewed)
    Case("application follow-up two weeks after applying", APPLIED,
         "application_follow_up", "2026-03-06", "2026-02-20",
         why="call the hiring team first to ask whether candidates were already selected"),
    Case("application follow-up counts from the closing date",
         with_(APPLIED, closing_date="2026-02-25"),
         "application_follow_up", "2026-03-11", "2026-02-25",
         why="applications closed on Wed 25 Feb"),
    Case("application follow-up counts from last heard when later",
         with_(APPLIED, closing_date="2026-02-25", last_heard_on="2026-02-27"),
         "application_follow_up", "2026-03-13", "2026-02-27",
         why="they were last in touch on Fri 27 Feb"),
    Case("application follow-up from a closing date alone",
         {"company": "C", "closing_date": "2026-02-25"},
         "application_follow_up", "2026-03-11", "2026-02-25"),
    Case("application follow-up on a Saturday: rolled", with_(APPLIED, applied_on="2026-02-21"),
         "application_follow_up", "2026-03-09", "2026-02-21"),
    Case("not applied yet: nothing to do, no problem", {"company": "Dune"}, "", None, None,
         why="applied_on"),
    # -- after follow-ups
    Case("one follow-up sent: final follow-up a week later",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09"),
         "final_follow_up", "2026-03-16", "2026-03-09", why="Followed up on Mon 9 Mar"),
    Case("max follow-ups reached: move on",
         with_(WAITING, follow_ups_sent="2", last_follow_up_on="2026-03-09"),
         "move_on", "2026-03-16", "2026-03-09", why="set status to closed"),
    Case("more than max follow-ups: still move on",
         with_(WAITING, follow_ups_sent="5", last_follow_up_on="2026-03-09"),
         "move_on", "2026-03-16", "2026-03-09", why="5 follow-ups"),
    Case("follow-ups counted without a date: a problem, no action",
         with_(WAITING, follow_ups_sent="1"), "", None, None,
         problem="last_follow_up_on: blank although follow_ups_sent is 1"),
    Case("blank follow_ups_sent counts as none",
         with_(WAITING, follow_ups_sent=" ", last_follow_up_on="2026-03-09"),
         "follow_up", "2026-03-10", "2026-03-03"),
    # -- last_heard_on resets the count
    Case("heard back after the last follow-up: count restarts",
         with_(WAITING, follow_ups_sent="2", last_follow_up_on="2026-03-02",
               last_heard_on="2026-03-05"),
         "follow_up", "2026-03-12", "2026-03-05"),
    Case("heard back after the last follow-up, not interviewed",
         with_(APPLIED, follow_ups_sent="1", last_follow_up_on="2026-02-20",
               last_heard_on="2026-02-27"),
         "application_follow_up", "2026-03-13", "2026-02-27"),
    Case("heard back with no follow-up date: count restarts",
         with_(WAITING, follow_ups_sent="1", last_heard_on="2026-03-05"),
         "follow_up", "2026-03-12", "2026-03-05"),
    Case("heard back the same day as the follow-up: no reset",
         with_(WAITING, follow_ups_sent="2", last_follow_up_on="2026-03-05",
               last_heard_on="2026-03-05"),
         "move_on", "2026-03-12", "2026-03-05"),
    Case("heard back before the follow-up: no reset",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-05",
               last_heard_on="2026-03-04"),
         "final_follow_up", "2026-03-12", "2026-03-05"),
    # -- snooze
    Case("snooze later than the due date moves it",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09",
               snooze_until="2026-03-18"),
         "final_follow_up", "2026-03-18", "2026-03-09", why="snoozed until Wed 18 Mar"),
    Case("snooze earlier than the due date changes nothing",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09",
               snooze_until="2026-03-10"),
         "final_follow_up", "2026-03-16", "2026-03-09"),
    Case("snooze on the due date changes nothing",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09",
               snooze_until="2026-03-16"),
         "final_follow_up", "2026-03-16", "2026-03-09"),
    Case("snooze to a Saturday is rolled like any due date",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09",
               snooze_until="2026-03-21"),
         "final_follow_up", "2026-03-23", "2026-03-09"),
    Case("snoozed thank-you is not rolled",
         with_(APPLIED, interview_on="2026-03-13", snooze_until="2026-03-21"),
         "thank_you_email", "2026-03-21", "2026-03-13"),
    Case("snooze to a holiday is rolled",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-06-22",
               snooze_until="2026-07-03"),
         "final_follow_up", "2026-07-06", "2026-06-22", holidays="US"),
    Case("snooze without an action does nothing",
         with_(WAITING, status="closed", snooze_until="2026-03-20"), "", None, None),
    # -- overdue and holidays
    Case("overdue keeps its original due date", with_(APPLIED, applied_on="2026-01-02"),
         "application_follow_up", "2026-01-16", "2026-01-02", why="Fri 2 Jan"),
    Case("dates in another year show the year", with_(APPLIED, applied_on="2025-12-01"),
         "application_follow_up", "2025-12-15", "2025-12-01", why="Mon 1 Dec 2025"),
    Case("due on an observed holiday (US, Fri 3 Jul): rolled to Monday",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-06-26"),
         "final_follow_up", "2026-07-06", "2026-06-26", holidays="US"),
    Case("no holiday calendar configured: only weekends roll",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-06-26"),
         "final_follow_up", "2026-07-03", "2026-06-26"),
    Case("check in on Thanksgiving: rolled to Friday",
         with_(WAITING, decision_expected_on="2026-11-24"),
         "check_in", "2026-11-27", "2026-11-24", today=dt.date(2026, 11, 20), holidays="US"),
    # -- unreadable cells
    Case("bad date: a problem and no action", with_(WAITING, interview_on="31/02/2026"),
         "", None, None, problem="interview_on: not a date ('31/02/2026')"),
    Case("bad count: no action", with_(WAITING, follow_ups_sent="two"),
         "", None, None, problem="follow_ups_sent: not a whole number ('two')"),
    Case("bad status: no action", with_(WAITING, status="maybe later"),
         "", None, None, problem="status: unknown status ('maybe later')"),
    Case("bad yes/no: no action", with_(WAITING, handwritten_note="maybe"),
         "", None, None, problem="handwritten_note: not yes or no ('maybe')"),
    Case("bad snooze: no action", with_(WAITING, snooze_until="03/04/26"),
         "", None, None, problem="snooze_until: ambiguous: two-digit year"),
    # -- the numbers are configurable
    Case("follow_up_after_days", WAITING, "follow_up", "2026-03-13", "2026-03-03",
         rules=Rules(follow_up_after_days=10), why="after 10 days"),
    Case("max_follow_ups", with_(WAITING, follow_ups_sent="2", last_follow_up_on="2026-03-09"),
         "final_follow_up", "2026-03-16", rules=Rules(max_follow_ups=3)),
    Case("max_follow_ups of one",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09"),
         "move_on", "2026-03-16", rules=Rules(max_follow_ups=1), why="1 follow-up and"),
    Case("after_closing_days", APPLIED, "application_follow_up", "2026-03-13",
         rules=Rules(after_closing_days=21)),
    Case("thank_you_within_days", with_(APPLIED, interview_on="2026-03-13"),
         "thank_you_email", "2026-03-15", rules=Rules(thank_you_within_days=2),
         why="within 2 days"),
    Case("check_in_after_decision_days", with_(WAITING, decision_expected_on="2026-03-10"),
         "check_in", "2026-03-13", rules=Rules(check_in_after_decision_days=3)),
    Case("final_follow_up_after_days",
         with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09"),
         "final_follow_up", "2026-03-19", rules=Rules(final_follow_up_after_days=10)),
    Case("move_on_after_days", with_(WAITING, follow_ups_sent="2", last_follow_up_on="2026-03-09"),
         "move_on", "2026-03-23", rules=Rules(move_on_after_days=14)),
    Case("request_feedback_after_days",
         with_(APPLIED, status="rejected", rejected_on="2026-03-12"),
         "request_feedback", "2026-03-16", rules=Rules(request_feedback_after_days=3)),
    Case("note_within_business_days",
         with_(APPLIED, interview_on="2026-03-12", handwritten_note="yes"),
         "thank_you_email", "2026-03-13", note="2026-03-17",
         rules=Rules(note_within_business_days=3)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    out = run([case.row], case.today, case.rules, case.holidays).iloc[0]
    assert out["next_action"] == case.action
    assert iso(out["due_on"]) == case.due
    if case.basis != KEEP:
        assert iso(out["basis"]) == case.basis
    assert iso(out["note_due"]) == case.note
    if case.problem:
        assert case.problem in out["problems"]
    else:
        assert out["problems"] == ""
    assert case.why in out["why"], out["why"]
    if case.action:  # every action explains itself in one line
        assert out["why"] and "\n" not in out["why"]


def test_every_rule_of_the_table_is_exercised() -> None:
    def decided(case: Case) -> str:
        apps, problems = parse_applications(frame_of([case.row]), "MDY")
        return str(policy.explain(apps, problems, case.today, case.rules).iloc[0])

    assert {decided(c) for c in CASES} == {r.name for r in RULES}


def test_a_bad_row_does_not_stop_the_others() -> None:
    rows = [WAITING, with_(WAITING, interview_on="next Tuesday"), APPLIED]
    out = run(rows)
    assert out["next_action"].tolist() == ["follow_up", "", "application_follow_up"]
    assert out["problems"].tolist() == ["", "interview_on: not a date ('next Tuesday')", ""]
    assert out["why"].iloc[1] == ""


def test_output_columns_dtypes_and_index() -> None:
    apps, problems = parse_applications(frame_of([WAITING, APPLIED], index=[40, 7]), "MDY")
    out = compute(apps, problems, TODAY, Rules(), None)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert list(out.index) == [40, 7]
    for col in ("due_on", "note_due", "basis"):
        assert out[col].dtype == np.dtype("datetime64[ns]")
    assert out["interviewed"].dtype == bool
    assert out["interviewed"].tolist() == [True, False]
    for col in ("next_action", "why", "problems"):
        assert all(isinstance(v, str) for v in out[col])


def test_compute_is_pure() -> None:
    apps, problems = parse_applications(frame_of([WAITING, with_(APPLIED, status="rejected")]),
                                        "MDY")  # fmt: skip
    apps_before, problems_before = apps.copy(deep=True), problems.copy(deep=True)
    first = compute(apps, problems, TODAY, Rules(), Calendar("US"))
    second = compute(apps, problems, TODAY, Rules(), Calendar("US"))
    pd.testing.assert_frame_equal(apps, apps_before)
    pd.testing.assert_series_equal(problems, problems_before)
    pd.testing.assert_frame_equal(first, second)


def test_overdue_actions_do_not_move_with_today() -> None:
    rows = [WAITING, APPLIED, with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09"),
            with_(APPLIED, interview_on="2026-03-10")]  # fmt: skip
    early, late = run(rows, dt.date(2026, 3, 17)), run(rows, dt.date(2026, 5, 1))
    pd.testing.assert_frame_equal(early, late)


def test_basis_is_stable_when_only_the_snooze_changes() -> None:
    row = with_(WAITING, follow_ups_sent="1", last_follow_up_on="2026-03-09")
    out = run([row, with_(row, snooze_until="2026-03-25"), with_(row, snooze_until="2026-04-04")])
    assert out["basis"].nunique() == 1 and out["next_action"].nunique() == 1
    assert [iso(d) for d in out["due_on"]] == ["2026-03-16", "2026-03-25", "2026-04-06"]


def test_rejected_without_date_has_no_basis_so_its_identity_is_stable() -> None:
    row = with_(APPLIED, status="rejected")
    monday, tuesday = run([row], dt.date(2026, 3, 16)), run([row], dt.date(2026, 3, 17))
    assert pd.isna(monday["basis"].iloc[0]) and pd.isna(tuesday["basis"].iloc[0])
    assert iso(monday["due_on"].iloc[0]) == "2026-03-17"
    assert iso(tuesday["due_on"].iloc[0]) == "2026-03-18"


def test_a_callers_problem_note_blocks_the_action_and_is_kept() -> None:
    apps, problems = parse_applications(frame_of([with_(APPLIED, status="rejected")]), "MDY")
    problems = problems + "id: the same id is on more than one row"  # a caller's own note
    out = compute(apps, problems, TODAY, Rules(), None)
    # A caller's note counts as a problem: no action, and the note is kept.
    assert out["next_action"].iloc[0] == ""
    assert out["problems"].iloc[0] == "id: the same id is on more than one row"


def test_compute_wants_parsed_input() -> None:
    frame = frame_of([WAITING])
    problems = pd.Series([""], dtype=object)
    with pytest.raises(TypeError, match="datetime64"):
        compute(frame, problems, TODAY, Rules(), None)
    apps, _ = parse_applications(frame, "MDY")
    with pytest.raises(ValueError, match="indexed like"):
        compute(apps, pd.Series(["", ""], dtype=object), TODAY, Rules(), None)


def test_empty_tab() -> None:
    out = run([])
    assert len(out) == 0 and tuple(out.columns) == OUTPUT_COLUMNS


def test_evaluate_reads_the_config() -> None:
    config = Config(date_order="DMY", holidays="US",
                    rules=dataclasses.replace(Rules(), final_follow_up_after_days=8))  # fmt: skip
    row = with_(WAITING, follow_ups_sent="1", last_follow_up_on="25/06/2026")
    out = evaluate(frame_of([row]), TODAY, config)
    assert out["next_action"].iloc[0] == "final_follow_up"
    assert iso(out["due_on"].iloc[0]) == "2026-07-06"  # Fri 3 Jul is the observed holiday


def test_rules_table_is_consistent() -> None:
    offsets = {f.name for f in dataclasses.fields(Rules)}
    for rule in RULES:
        assert rule.action in (*POLICY_ACTIONS, ""), rule.name
        assert rule.offset is None or rule.offset in offsets, rule.name
        if rule.action:
            assert rule.counts_from is not None, rule.name
    assert {r.action for r in RULES} - {""} == set(POLICY_ACTIONS)
    assert RULES[-1].when == "always"  # every row is decided by some rule

"""The follow-up policy: the next action and its due date for every application.

The rules live in :data:`RULES`, an ordered table read top to bottom; the first
rule whose facts all hold decides a row.  Each rule names

* ``when``: facts about the row (see :func:`_facts`), all of which must hold;
* ``action``: the ``next_action`` it gives ("" = nothing to do);
* ``counts_from``: the date its due date counts from (see :func:`_anchors`);
* ``offset``: the :class:`~sheetsync.config.Rules` field with the number of days;
* ``rolled``: whether a due date on a weekend or holiday moves to the next
  business day;
* ``why``: the sentence shown next to the action, with placeholders filled per
  row; and ``problem``: a note for rows the policy cannot date properly.

After the table decides, two adjustments apply to every action:

1. ``snooze_until`` later than the due date moves the due date to it (the
   handwritten-note date is not snoozed: it belongs to the interview).
2. Rolled actions are then moved off weekends and holidays.  A snooze date is
   a due date like any other, so it is rolled too; ``thank_you_email`` and
   ``interview`` are never rolled, snoozed or not.

Due dates never depend on today, except for a rejected row without
``rejected_on`` (treated as rejected today), so an overdue action keeps its
date.  Everything is computed with numpy over whole columns: Python-level work
is per rule, not per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from sheetsync.config import Config, Rules
from sheetsync.policy.bizdays import Calendar, add_business_days_array, roll_forward_array
from sheetsync.tracker.cells import day_label
from sheetsync.tracker.schema import APP_DATE_COLUMNS
from sheetsync.tracker.values import parse_applications
from sheetsync.vocabulary import APPLICATION_STATUSES

NAT: Final = np.datetime64("NaT", "D")
OUTPUT_COLUMNS: Final = (
    "next_action", "due_on", "why", "problems", "note_due", "basis", "interviewed",
)  # fmt: skip
TODAY: Final = "today"  # anchor for "counting from today": not a recorded date


@dataclass(frozen=True)
class Rule:
    name: str
    when: str  # facts joined by "&", all must hold
    action: str  # next_action; "" = nothing to do
    counts_from: str | None  # anchor date (why's {basis}); None = no date
    offset: str | None  # Rules field holding the days to add; None = 0
    rolled: bool  # weekend/holiday due dates move to the next business day
    why: str  # {basis} {status} {follow_ups} {count} {since} {span}
    problem: str = ""  # policy problem noted on the row
    facts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", tuple(f.strip() for f in self.when.split("&")))


# Facts (computed in _facts; "n" is follow_ups_sent, counted as 0 when last_heard_on is
# later than last_follow_up_on or there is no follow-up yet):
#   unreadable          a cell could not be read (problems from parse_applications)
#   withdrawn, closed, accepted, offer, rejected    the status
#   feedback_requested  feedback_requested_on is set
#   rejected_dated      rejected_on is set
#   interview_ahead     interview_on is after today
#   interviewed         interview_on is today or earlier
#   no_thank_you        thank_you_sent_on is blank, or before interview_on (the
#                       thank-you was for an earlier round)
#   fresh               n == 0
#   decision_promised   decision_expected_on is set and not before last_heard_on
#   application_dated   applied_on, closing_date or last_heard_on is set
#   no_last_follow_up   last_follow_up_on is blank
#   below_max           n < max_follow_ups
# Anchors ("counts from"): any date column, "today", and
#   last_contact        latest of thank_you_sent_on, last_heard_on, interview_on
#   application_basis   later of closing_date (else applied_on) and last_heard_on

# fmt: off
RULES: Final[tuple[Rule, ...]] = (
    #    name                     when (all must hold)             action
    #    counts from              plus days (Rules field)          rolled
    #    why [, problem]
    Rule("unreadable",            "unreadable",                    "",
         None,                    None,                            False,
         ""),

    Rule("wishlist",              "wishlist",                      "",
         None,                    None,                            False,
         "Not applied yet - once you apply, set the status to Applied and fill in"
         " applied_on to start the follow-ups"),

    Rule("withdrawn",             "withdrawn",                     "",
         None,                    None,                            False,
         "You withdrew this application - nothing to follow up"),

    Rule("closed",                "closed",                        "",
         None,                    None,                            False,
         "Closed - nothing to follow up"),

    Rule("accepted",              "accepted",                      "",
         None,                    None,                            False,
         "Offer accepted - congratulations, nothing left to chase"),

    Rule("offer",                 "offer",                         "",
         None,                    None,                            False,
         "Offer received - nothing to chase; take the time you need to decide"),

    Rule("feedback_requested",    "rejected & feedback_requested", "",
         "feedback_requested_on", None,                            False,
         "Feedback requested on {basis} - the Feedback tab takes it from here"),

    Rule("request_feedback",      "rejected & rejected_dated",     "request_feedback",
         "rejected_on",           "request_feedback_after_days",   True,
         "Rejected on {basis} - a gracious reply asking for feedback keeps the door open"),

    Rule("request_feedback_today", "rejected",                     "request_feedback",
         TODAY,                   "request_feedback_after_days",   True,
         "Rejected, no date given so counting from today - a gracious reply asking for"
         " feedback keeps the door open",
         problem="rejected_on: blank although status is rejected - treated as rejected today"),

    Rule("interview",             "interview_ahead",               "interview",
         "interview_on",          None,                            False,
         "Interview on {basis} - note who you meet, and jot down key points right after"),

    Rule("thank_you_email",       "interviewed & no_thank_you",    "thank_you_email",
         "interview_on",          "thank_you_within_days",         False,
         "Interviewed on {basis} - send each interviewer a short thank-you e-mail"
         " within {span}"),

    Rule("check_in",              "fresh & decision_promised",     "check_in",
         "decision_expected_on",  "check_in_after_decision_days",  True,
         "Decision was promised for {basis}; no word since - check in"),

    Rule("follow_up",             "fresh & interviewed",           "follow_up",
         "last_contact",          "follow_up_after_days",          True,
         "No word since {basis} - after {span}, a short, friendly follow-up is fine"),

    Rule("application_follow_up", "fresh & application_dated",     "application_follow_up",
         "application_basis",     "after_closing_days",            True,
         "No news since {since} {basis} - call the hiring team first to ask whether"
         " candidates were already selected, then follow up"),

    Rule("not_applied",           "fresh",                         "",
         None,                    None,                            False,
         "No applied_on date yet - add it once you apply and a follow-up date will appear"),

    Rule("follow_up_undated",     "no_last_follow_up",             "",
         None,                    None,                            False,
         "",
         problem="last_follow_up_on: blank although follow_ups_sent is {count} - add the date"
         " of your last follow-up"),

    Rule("final_follow_up",       "below_max",                     "final_follow_up",
         "last_follow_up_on",     "final_follow_up_after_days",    True,
         "Followed up on {basis} with no reply - one more polite note after {span} is fine"),

    Rule("move_on",               "always",                        "move_on",
         "last_follow_up_on",     "move_on_after_days",            True,
         "{follow_ups} and no reply since {basis} - it's okay to move on;"
         " set status to closed when you're ready"),
)
# fmt: on


# -- inputs as arrays ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """The input columns as numpy arrays (dates as datetime64[D])."""

    dates: dict[str, np.ndarray]
    status: np.ndarray  # index into APPLICATION_STATUSES, -1 when unknown
    status_text: np.ndarray
    count: np.ndarray  # follow_ups_sent, blank = 0
    handwritten: np.ndarray
    unreadable: np.ndarray


def _arrays(apps: pd.DataFrame, unreadable: np.ndarray) -> _Row:
    missing = [c for c in (*APP_DATE_COLUMNS, "status", "follow_ups_sent", "handwritten_note")
               if c not in apps.columns]  # fmt: skip
    if missing:
        raise ValueError(f"compute() needs parse_applications() output; missing {missing}")
    dates: dict[str, np.ndarray] = {}
    for col in APP_DATE_COLUMNS:
        if not pd.api.types.is_datetime64_any_dtype(apps[col].dtype):
            raise TypeError(f"{col} must be datetime64 (see parse_applications), "
                            f"not {apps[col].dtype}")  # fmt: skip
        dates[col] = apps[col].to_numpy().astype("datetime64[D]")
    status_text = apps["status"].to_numpy(dtype=object)
    codes, distinct = pd.factorize(status_text)
    count = apps["follow_ups_sent"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    return _Row(
        dates=dates,
        status=np.append(pd.Index(APPLICATION_STATUSES).get_indexer(pd.Index(distinct)), -1)[codes],
        status_text=status_text,
        count=count,
        handwritten=apps["handwritten_note"].to_numpy(dtype=bool),
        unreadable=unreadable,
    )


def _effective_count(row: _Row) -> np.ndarray:
    """follow_ups_sent, counted as 0 when the employer was in touch since the last one."""
    heard, followed = row.dates["last_heard_on"], row.dates["last_follow_up_on"]
    heard_since = ~np.isnat(heard) & (np.isnat(followed) | (heard > followed))
    return np.where(heard_since, 0, row.count)


def _later(*columns: np.ndarray) -> np.ndarray:
    """Element-wise latest date, ignoring NaT (NaT only when all are NaT)."""
    out = columns[0]
    for col in columns[1:]:
        out = np.fmax(out, col)
    return out


def _anchors(row: _Row, today: np.datetime64) -> dict[str, np.ndarray]:
    """The dates due dates count from, by name (used in RULES' ``counts_from``)."""
    d = row.dates
    application = np.where(np.isnat(d["closing_date"]), d["applied_on"], d["closing_date"])
    return {
        **d,
        TODAY: np.full(len(row.count), today, dtype="datetime64[D]"),
        # follow_up: the latest of thank-you sent, last heard, interview
        "last_contact": _later(d["thank_you_sent_on"], d["last_heard_on"], d["interview_on"]),
        # application_follow_up: the later of closing date (else applied) and last heard
        "application_basis": _later(application, d["last_heard_on"]),
    }


def _facts(row: _Row, n: np.ndarray, today: np.datetime64, rules: Rules) -> dict[str, np.ndarray]:
    """Named yes/no facts per row, the vocabulary of RULES' ``when``."""
    d = row.dates
    interview = d["interview_on"]
    status = {name: row.status == i for i, name in enumerate(APPLICATION_STATUSES)}
    return {
        "always": np.ones(len(n), dtype=bool),
        "unreadable": row.unreadable,
        **{s: status[s] for s in APPLICATION_STATUSES if s != "open"},
        "feedback_requested": ~np.isnat(d["feedback_requested_on"]),
        "rejected_dated": ~np.isnat(d["rejected_on"]),
        "interview_ahead": interview > today,
        "interviewed": interview <= today,
        # no thank-you yet for this interview: one sent before it was for an earlier round
        "no_thank_you": np.isnat(d["thank_you_sent_on"]) | (d["thank_you_sent_on"] < interview),
        "fresh": n == 0,
        # decision date set and not before last heard (NaT compares False)
        "decision_promised": ~np.isnat(d["decision_expected_on"])
        & ~(d["decision_expected_on"] < d["last_heard_on"]),
        "application_dated": ~np.isnat(
            _later(d["applied_on"], d["closing_date"], d["last_heard_on"])
        ),  # fmt: skip
        "no_last_follow_up": np.isnat(d["last_follow_up_on"]),
        "below_max": n < rules.max_follow_ups,
    }


# -- sentences ----------------------------------------------------------------------------

_FIELD = re.compile(r"\{(\w+)\}")
Coded = tuple[np.ndarray, np.ndarray]  # (code per row, label per code)


def _day_codes(days: np.ndarray, year: int) -> Coded:
    """Dates as codes plus one ``"Thu 12 Mar"`` label per distinct date (NaT -> "")."""
    ints = np.asarray(days, dtype="datetime64[D]").view(np.int64)
    codes, distinct = pd.factorize(ints)
    epoch = dt.date(1970, 1, 1)
    nat = np.datetime64("NaT").astype(np.int64)
    labels = np.array(
        ["" if d == nat else day_label(epoch + dt.timedelta(days=int(d)), year) for d in distinct],
        dtype=object,
    )
    return codes, labels


def format_days(days: np.ndarray, year: int) -> np.ndarray:
    """``"Thu 12 Mar"`` per date (the year is added when it is not ``year``; NaT -> "")."""
    codes, labels = _day_codes(days, year)
    return labels[codes]


def _span(days: int) -> str:
    words = {0: "no wait", 1: "a day", 7: "a week", 14: "two weeks", 21: "three weeks"}
    return words.get(days, f"{days} days")


def _fill(template: str, fields: Callable[[str], Coded], size: int) -> np.ndarray:
    """Vectorised ``template.format`` where each {name} is a coded column.

    Rows sharing every field value share one sentence, so sentences are built
    once per distinct combination (a few hundred, not one per row) and then
    spread back.
    """
    pieces = _FIELD.split(template)  # literal, name, literal, name, ..., literal
    coded = [fields(name) for name in pieces[1::2]]
    group = np.zeros(size, dtype=np.int64)
    for codes, labels in coded:  # re-factorized each step, so it stays < size
        group = pd.factorize(group * len(labels) + codes)[0]
    count = int(group.max()) + 1 if size else 0
    first = np.empty(count, dtype=np.int64)
    first[group] = np.arange(size)  # any row of each group will do: they are alike
    text = np.full(count, pieces[0], dtype=object)
    for (codes, labels), literal in zip(coded, pieces[2::2], strict=True):
        text = text + labels[codes[first]] + literal
    return text[group]


# -- the engine ---------------------------------------------------------------------------


def _decide(
    apps: pd.DataFrame, unreadable: np.ndarray, today: np.datetime64, rules: Rules
) -> tuple[_Row, np.ndarray, np.ndarray]:
    """(inputs as arrays, effective follow-up count, index into RULES per row)."""
    row = _arrays(apps, unreadable)
    n = _effective_count(row)
    facts = _facts(row, n, today, rules)
    conditions = np.stack([np.logical_and.reduce([facts[f] for f in rule.facts]) for rule in RULES])
    # The first rule that holds decides (argmax finds the first True); "always" closes the table.
    return row, n, np.argmax(conditions, axis=0)


def _noted(apps: pd.DataFrame, problems: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(problems as an object array of str, NaN/None read as "", and where it is not "")."""
    if len(problems) != len(apps) or not problems.index.equals(apps.index):
        raise ValueError("problems must be indexed like apps")
    codes, distinct = pd.factorize(problems.to_numpy(dtype=object))
    text = np.append(np.asarray(distinct, dtype=object), "")  # code -1 (missing) -> ""
    return text[codes], (text != "")[codes]


def explain(
    apps: pd.DataFrame, problems: pd.Series, today: dt.date, rules: Rules | None = None
) -> pd.Series:
    """The name of the RULES entry that decides each row (for debugging and tests)."""
    _, unreadable = _noted(apps, problems)
    _, _, chosen = _decide(apps, unreadable, np.datetime64(today, "D"), rules or Rules())
    names = np.array([r.name for r in RULES], dtype=object)
    return pd.Series(names[chosen], index=apps.index, name="rule", dtype=object)


def compute(
    apps: pd.DataFrame,
    problems: pd.Series,
    today: dt.date,
    rules: Rules | None = None,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """The next action for every application row; a pure function of its inputs.

    ``apps, problems`` come from :func:`sheetsync.tracker.values.parse_applications`
    (rows with a parse problem get no action).  ``calendar`` decides business
    days for rolling (``None``: weekends only).  To honour a skipped draft,
    adjust the input columns before calling.

    Returns a frame indexed like ``apps`` with columns:

    * ``next_action`` (object str, "" = nothing to do), ``due_on`` (datetime64,
      NaT when no action), ``why`` (one sentence; "" for unreadable rows);
    * ``problems``: the parse problems plus the policy's own, joined by "; ";
    * ``note_due``: the handwritten thank-you note's due date (NaT unless the
      thank-you e-mail is the action and ``handwritten_note`` is yes);
    * ``basis``: the recorded date the due date counts from (NaT without an
      action, and for a rejected row without ``rejected_on``).  It ignores
      snoozing and rolling, so (id, action, recipient, basis) identifies a
      message stably;
    * ``interviewed``: ``interview_on`` is today or earlier.
    """
    rules = rules or Rules()
    today64 = np.datetime64(today, "D")
    year = today64.astype(object).year
    noted, unreadable = _noted(apps, problems)
    row, n, chosen = _decide(apps, unreadable, today64, rules)
    decided = _apply_rules(row, n, chosen, _anchors(row, today64), rules, year)
    why = decided.why

    # Snooze: a later snooze date becomes the due date (rolled below like any due date).
    snooze = row.dates["snooze_until"]
    snoozed = (snooze > decided.due) & decided.has_action
    due = np.where(snoozed, snooze, decided.due)
    if snoozed.any():
        at = np.flatnonzero(snoozed)
        why[at] = why[at] + " (snoozed until " + format_days(snooze[at], year) + ")"
    if decided.rolled.any():
        at = np.flatnonzero(decided.rolled)
        due[at] = roll_forward_array(due[at], calendar)

    # Handwritten note: only alongside the thank-you e-mail, counted in business days.
    note_due = np.full(len(apps), NAT, dtype="datetime64[D]")
    wants_note = decided.is_thank_you & row.handwritten
    late = wants_note & (row.dates["interview_on"] + rules.note_late_after_days < today64)
    if late.any():  # a card that arrives weeks later reads as an afterthought
        at = np.flatnonzero(late)
        why[at] = why[at] + "; it is too late for a handwritten card - the e-mail is enough"
        wants_note &= ~late
    if wants_note.any():
        at = np.flatnonzero(wants_note)
        note_due[at] = add_business_days_array(
            row.dates["interview_on"][at], rules.note_within_business_days, calendar
        )
        why[at] = why[at] + "; the handwritten note is due by " + format_days(note_due[at], year)

    all_problems = noted.copy()
    for at, text in decided.problems:
        before = all_problems[at]
        all_problems[at] = np.where(before == "", text, before + "; " + text)

    index = apps.index
    return pd.DataFrame(
        {
            "next_action": pd.Series(decided.action, index=index, dtype=object),
            "due_on": pd.Series(due.astype("datetime64[ns]"), index=index),
            "why": pd.Series(why, index=index, dtype=object),
            "problems": pd.Series(all_problems, index=index, dtype=object),
            "note_due": pd.Series(note_due.astype("datetime64[ns]"), index=index),
            "basis": pd.Series(decided.basis.astype("datetime64[ns]"), index=index),
            "interviewed": pd.Series(row.dates["interview_on"] <= today64, index=index, dtype=bool),
        },
        index=index,
        copy=False,  # the arrays are ours alone: no need to copy them again
    )


@dataclass(frozen=True)
class _Decided:
    """What the deciding rule gives each row, before snoozing and rolling."""

    action: np.ndarray  # next_action, "" = nothing to do
    has_action: np.ndarray
    due: np.ndarray  # the anchor plus the rule's days (NaT without an action)
    basis: np.ndarray  # the anchor, when it is a recorded date
    rolled: np.ndarray
    is_thank_you: np.ndarray
    why: np.ndarray
    problems: list[tuple[np.ndarray, np.ndarray]]  # (rows, text) per rule with a problem


def _apply_rules(
    row: _Row,
    n: np.ndarray,
    chosen: np.ndarray,
    anchors: dict[str, np.ndarray],
    rules: Rules,
    year: int,
) -> _Decided:
    """Each row's action, due date and sentences from the RULES entry ``chosen`` for it."""
    size = len(chosen)
    out = _Decided(
        action=np.full(size, "", dtype=object),
        has_action=np.zeros(size, dtype=bool),
        due=np.full(size, NAT, dtype="datetime64[D]"),
        basis=np.full(size, NAT, dtype="datetime64[D]"),
        rolled=np.zeros(size, dtype=bool),
        is_thank_you=np.zeros(size, dtype=bool),
        why=np.full(size, "", dtype=object),
        problems=[],
    )
    # Rows grouped by deciding rule (one stable sort instead of a scan per rule).
    by_rule = np.argsort(chosen, kind="stable")
    bounds = np.searchsorted(chosen[by_rule], np.arange(len(RULES) + 1))
    for k, rule in enumerate(RULES):
        idx = by_rule[bounds[k] : bounds[k + 1]]
        if not idx.size:
            continue
        anchor = anchors[rule.counts_from][idx] if rule.counts_from else None
        if rule.action:
            days = getattr(rules, rule.offset) if rule.offset else 0
            assert anchor is not None
            out.action[idx] = rule.action
            out.has_action[idx] = True
            out.due[idx] = anchor + np.timedelta64(days, "D")
            out.rolled[idx] = rule.rolled
            if rule.counts_from != TODAY:  # today is not a stable identity
                out.basis[idx] = anchor
            out.is_thank_you[idx] = rule.action == "thank_you_email"
        fields = _fields(rule, idx, anchor, row, n, rules, year)
        if rule.why:
            out.why[idx] = _fill(rule.why, fields, idx.size)
        if rule.problem:
            out.problems.append((idx, _fill(rule.problem, fields, idx.size)))
    return out


def _fields(
    rule: Rule,
    idx: np.ndarray,
    anchor: np.ndarray | None,
    row: _Row,
    n: np.ndarray,
    rules: Rules,
    year: int,
) -> Callable[[str], Coded]:
    """Values for a rule's {placeholders}, only for the rows it decided."""

    def numbers(values: np.ndarray, one: str, many: str) -> Coded:
        codes, distinct = pd.factorize(values)
        words = distinct.astype(str).astype(object)
        return codes, np.where(distinct == 1, one, words + many)

    def field(name: str) -> Coded:
        if name == "basis":
            assert anchor is not None, rule.name
            return _day_codes(anchor, year)
        if name == "span":
            span = _span(getattr(rules, rule.offset) if rule.offset else 0)
            return np.zeros(idx.size, dtype=np.int64), np.array([span], dtype=object)
        if name == "status":
            codes, distinct = pd.factorize(row.status_text[idx])
            return codes, np.asarray(distinct, dtype=object)
        if name == "count":
            return numbers(row.count[idx], "1", "")
        if name == "follow_ups":
            return numbers(n[idx], "1 follow-up", " follow-ups")
        if name == "since":
            return _since_words(row.dates, idx)
        raise KeyError(f"rule {rule.name}: unknown placeholder {{{name}}}")

    return field


_SINCE: Final = np.array(
    ["they were last in touch on", "applications closed on", "you applied on"], dtype=object
)


def _since_words(d: dict[str, np.ndarray], idx: np.ndarray) -> Coded:
    """Which date application_follow_up counts from, in words (see "application_basis")."""
    closing, applied, heard = d["closing_date"][idx], d["applied_on"][idx], d["last_heard_on"][idx]
    own = np.where(np.isnat(closing), applied, closing)
    codes = np.select([~np.isnat(heard) & ~(heard <= own), ~np.isnat(closing)], [0, 1], 2)
    return codes, _SINCE


# -- convenience --------------------------------------------------------------------------


def evaluate(frame: pd.DataFrame, today: dt.date, config: Config) -> pd.DataFrame:
    """Text frame of the Applications tab -> :func:`compute`'s output, per ``config``."""
    apps, problems = parse_applications(
        frame, config.date_order, dict(config.statuses), config.century
    )
    return compute(apps, problems, today, config.rules, Calendar.from_config(config))

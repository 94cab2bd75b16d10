"""The Feedback tab: new rows for feedback requests, computed columns and agenda items.

Everything here is pure (no I/O).  The rules (README, "Feedback"):

- an application whose ``feedback_requested_on`` is set gets one Feedback row,
  once ever (the caller passes every ``app_id`` already in the tab);
- ``await_response`` until ``requested_on`` + ``feedback_wait_days`` (that day
  included), then ``no_response``: nothing more to do, a rejection is not chased;
- once ``received_on`` is set: ``thank_for_feedback`` due ``received_on`` +
  ``thank_for_feedback_after_days`` while ``thanked_on`` is blank, and
  ``act_on_feedback`` due ``action_due`` (or ``received_on`` +
  ``act_on_feedback_days``) while ``action_item`` is set and not ``done``.
  When both are open the thank-you is the row's ``next_action``; the agenda
  lists both;
- a date that cannot be read goes to ``problems``, and the to-dos that depend
  on it wait until it can be read (an unreadable ``action_due`` holds back the
  action item, not the thank-you); themes are still computed.

The report across all feedback (``sheetsync feedback``) is in
:mod:`sheetsync.feedback.report`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from sheetsync.agenda.items import AgendaItem
from sheetsync.config import Rules
from sheetsync.feedback.themes import ThemeRules
from sheetsync.tracker.cells import cell_date, day_label
from sheetsync.tracker.plan import plain_dates
from sheetsync.tracker.schema import FEEDBACK, FEEDBACK_COLUMNS
from sheetsync.tracker.values import parse_dates
from sheetsync.vocabulary import (
    ACT_ON_FEEDBACK,
    AWAIT_RESPONSE,
    DONE_WORDS,
    NO_RESPONSE,
    THANK_FOR_FEEDBACK,
)

DATE_INPUTS = ("requested_on", "received_on", "action_due", "thanked_on")

# compute_feedback leaves the rules it used on the frame it returns, so that
# feedback_agenda / feedback_report called with just (frame, computed, today)
# agree with it.  Explicit keyword arguments win over this.
_CONTEXT_KEY = "sheetsync.feedback"


@dataclass(frozen=True)
class _Context:
    rules: Rules
    date_order: str
    themes: ThemeRules | None

    def __deepcopy__(self, memo: dict[int, Any]) -> _Context:
        # Immutable; pandas deep-copies attrs on every derived object, so share it.
        return self


@dataclass(frozen=True)
class _Open:
    """One open to-do of a row (thank them, or act on what they said)."""

    action: str
    due: date


@dataclass
class _RowResult:
    next_action: str = ""
    due: date | None = None
    problems: list[str] = field(default_factory=list)
    open: list[_Open] = field(default_factory=list)
    received: date | None = None


# --- small helpers ---------------------------------------------------------


def text_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as text ("" for missing values, or for a column the tab lacks)."""
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    values = frame[column]
    if infer_dtype(values, skipna=False) == "string":  # text already (a tab as read): no map
        return values.astype(object)  # copy-on-write: a view until written
    return values.map(lambda v: v if isinstance(v, str) else "").astype(object)


def _as_dates(values: pd.Series, date_order: str) -> list[date | None]:
    """Dates from a typed column (datetime64 / date objects) or a text column."""
    if values.dtype.kind == "M":  # typed already: no text to parse
        return [cell_date(v) for v in plain_dates(values)]
    texts = pd.Series(
        [v if isinstance(v, str) else "" for v in values], index=values.index, dtype=object
    )
    parsed, _errors = parse_dates(texts, date_order)
    return [
        cell_date(p) if isinstance(v, str) else cell_date(v)
        for v, p in zip(values, plain_dates(parsed), strict=True)
    ]


def _problem(column: str, error: str) -> str:
    error = error.strip()
    return error if error.startswith(f"{column}:") else f"{column}: {error}"


def is_done(value: str) -> bool:
    """``done`` cell: yes / y / true / x / done / 1, any case; anything else is not done."""
    return value.strip().lower() in DONE_WORDS


def _days(n: int) -> str:
    return "a day" if n == 1 else f"{n} days"


def short_hash(text: str) -> str:
    """Eight hex digits that name a text, however it is spaced."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]


# --- new rows --------------------------------------------------------------


def feedback_id_for(app_id: str) -> str:
    """The ``feedback_id`` of the row sheetsync creates for an application."""
    return f"fb-{app_id}"


def new_feedback_rows(
    apps: pd.DataFrame,
    existing_app_ids: Collection[str],
    today: date,
    *,
    date_order: str = "MDY",
    existing_feedback_ids: Collection[str] = (),
) -> list[dict[str, str]]:
    """Feedback rows to append: one per application with a feedback request and no row yet.

    ``apps`` holds ``id, company, role, interview_on, feedback_requested_on``,
    either as text (read with ``date_order``) or typed (datetime64 / dates).
    ``existing_app_ids`` must hold every ``app_id`` already in the Feedback tab,
    hand-added rows included: that is what makes creation happen once ever.

    Applications are skipped (and picked up by a later sync) while their
    ``id`` is blank, or their request date is unreadable or after ``today``.
    ``interviewed`` is ``yes`` when ``interview_on`` is on or before the
    request, ``no`` when it is blank or later, and blank when unreadable.
    """
    seen = {a.strip() for a in existing_app_ids}
    taken = {f.strip() for f in existing_feedback_ids}
    apps = apps[_may_need_a_row(apps, seen)]  # once created, a row is never made again
    ids = text_of(apps, "id")
    companies, roles = text_of(apps, "company"), text_of(apps, "role")
    empty = pd.Series([""] * len(apps), index=apps.index, dtype=object)
    requested = _as_dates(apps.get("feedback_requested_on", empty), date_order)
    interview_col = apps.get("interview_on", empty)
    interviews = _as_dates(interview_col, date_order)
    rows: list[dict[str, str]] = []
    for n, raw_id in enumerate(ids):
        app_id = raw_id.strip()
        asked = requested[n]
        if not app_id or app_id in seen or asked is None or asked > today:
            continue
        seen.add(app_id)  # a duplicated application id still gets one row
        interview = interviews[n]
        raw_interview = interview_col.iloc[n]
        if interview is not None:
            interviewed = "yes" if interview <= asked else "no"
        elif isinstance(raw_interview, str) and raw_interview.strip():
            interviewed = ""  # unreadable: not guessed; the Applications tab reports it
        else:
            interviewed = "no"
        feedback_id = feedback_id_for(app_id)
        suffix = 2
        while feedback_id in taken:  # a hand-made row already uses this id
            feedback_id, suffix = f"{feedback_id_for(app_id)}-{suffix}", suffix + 1
        taken.add(feedback_id)
        rows.append({
            "feedback_id": feedback_id,
            "app_id": app_id,
            "company": companies.iloc[n],
            "role": roles.iloc[n],
            "interviewed": interviewed,
            "requested_on": asked.isoformat(),
        })  # fmt: skip
    return rows


def _may_need_a_row(apps: pd.DataFrame, seen: set[str]) -> np.ndarray:
    """Rows with an id that has no Feedback row yet, and a feedback request date."""
    asked = apps.get("feedback_requested_on")
    if asked is None:
        return np.zeros(len(apps), dtype=bool)
    if asked.dtype.kind == "M":
        dated = asked.notna()
    elif infer_dtype(asked, skipna=False) == "string":  # text, as the tab holds it
        dated = asked.str.strip().ne("")
    else:
        dated = asked.map(lambda v: not isinstance(v, str) or bool(v.strip())) & asked.notna()
    ids = text_of(apps, "id").str.strip()
    return (dated & ids.ne("") & ~ids.isin(seen)).to_numpy(dtype=bool)


# --- computed columns -------------------------------------------------------


def _evaluate(frame: pd.DataFrame, today: date, rules: Rules, date_order: str) -> list[_RowResult]:
    """One result per row, by position (the index may be anything, even repeated)."""
    columns = {c: text_of(frame, c) for c in FEEDBACK_COLUMNS}
    dates: dict[str, list[date | None]] = {}
    errors: dict[str, list[str]] = {}
    for column in DATE_INPUTS:
        parsed, errs = parse_dates(columns[column], date_order)
        dates[column] = [cell_date(v) for v in plain_dates(parsed)]
        errors[column] = [str(e) for e in errs.fillna("")]
    # plain lists: per-row .iloc lookups dominate the cost on large tabs
    text = {c: [str(v) for v in series] for c, series in columns.items()}
    out: list[_RowResult] = []
    for n in range(len(frame)):
        result = _RowResult()
        out.append(result)
        result.problems = [_problem(c, errors[c][n]) for c in DATE_INPUTS if errors[c][n]]
        requested, received = dates["requested_on"][n], dates["received_on"][n]
        result.received = received
        if text["response"][n].strip() and not text["received_on"][n].strip():
            result.problems.append(
                "received_on: blank although a response is filled in (add the date it came in)"
            )
        # Never guess: a to-do waits while a cell it depends on cannot be read;
        # the others carry on (an unreadable action_due does not hide the thank-you).
        if errors["received_on"][n] or (result.problems and received is None):
            continue
        if received is not None:
            if not text["thanked_on"][n].strip():
                due = received + timedelta(days=rules.thank_for_feedback_after_days)
                result.open.append(_Open(THANK_FOR_FEEDBACK, due))
            if (
                text["action_item"][n].strip()
                and not is_done(text["done"][n])
                and not errors["action_due"][n]
            ):
                due = dates["action_due"][n] or received + timedelta(
                    days=rules.act_on_feedback_days
                )
                result.open.append(_Open(ACT_ON_FEEDBACK, due))
            if result.open:  # the thank-you first: it is a reply, and due sooner
                result.next_action, result.due = result.open[0].action, result.open[0].due
        elif requested is not None:
            wait_until = requested + timedelta(days=rules.feedback_wait_days)
            if today <= wait_until:
                result.next_action, result.due = AWAIT_RESPONSE, wait_until
            else:
                result.next_action = NO_RESPONSE  # stop: do not chase a rejection
    return out


def compute_feedback(
    frame: pd.DataFrame, today: date, rules: Rules, date_order: str, themes: ThemeRules
) -> pd.DataFrame:
    """The Feedback tab's computed columns, indexed like ``frame`` (text cells).

    Columns: ``themes`` ("resume; interview answers"), ``next_action``,
    ``due_on`` (ISO date or ""), ``problems`` (one "column: why" per bad cell,
    joined by "; ").  Rows the user added by hand (no ids) work the same.
    """
    results = _evaluate(frame, today, rules, date_order)
    labels = themes.label_series(text_of(frame, "response"))
    data = {
        "themes": [str(v) for v in labels],
        "next_action": [r.next_action for r in results],
        "due_on": [r.due.isoformat() if r.due else "" for r in results],
        "problems": ["; ".join(r.problems) for r in results],
    }
    computed = pd.DataFrame(data, index=frame.index, dtype=object)
    computed.attrs[_CONTEXT_KEY] = _Context(rules, date_order, themes)
    return computed


def feedback_context(
    computed: pd.DataFrame, rules: Rules | None, date_order: str | None
) -> tuple[Rules, str, ThemeRules | None]:
    """The rules, date order and themes ``compute_feedback`` used (``rules``/``date_order`` win)."""
    ctx = computed.attrs.get(_CONTEXT_KEY)
    if not isinstance(ctx, _Context):
        ctx = _Context(Rules(), "MDY", None)
    return rules or ctx.rules, date_order or ctx.date_order, ctx.themes


def aligned(computed: pd.DataFrame, column: str, frame: pd.DataFrame) -> pd.Series:
    """A computed column lined up with ``frame``'s rows (by position when the indexes match)."""
    values = text_of(computed, column)
    if values.index.equals(frame.index):
        return values
    return values.reindex(frame.index).fillna("").astype(object)


# --- agenda -----------------------------------------------------------------


def _row_keys(frame: pd.DataFrame) -> list[str]:
    """A stable key per row for agenda uids, even for hand-added rows without ids.

    ``fb-<app_id>`` normally; the feedback_id when there is no app_id; else a
    hash of the row's company, role and dates.  A copied row gets ``-2``.
    """
    fid, app = text_of(frame, "feedback_id").tolist(), text_of(frame, "app_id").tolist()
    parts = [text_of(frame, c).tolist() for c in ("company", "role", "requested_on", "received_on")]
    keys: list[str] = []
    seen: dict[str, int] = {}
    for n in range(len(frame)):
        feedback_id, app_id = fid[n].strip(), app[n].strip()
        if feedback_id and feedback_id != feedback_id_for(app_id):
            key = feedback_id if feedback_id.startswith("fb-") else f"fb-{feedback_id}"
        elif app_id:
            key = feedback_id_for(app_id)
        else:
            key = "fb-row-" + short_hash("|".join(p[n] for p in parts))
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def open_items(
    frame: pd.DataFrame, computed: pd.DataFrame, today: date, rules: Rules, date_order: str
) -> list[tuple[AgendaItem, str]]:
    """(agenda item, what to do) for every open thank-you and action item."""
    next_actions = aligned(computed, "next_action", frame).tolist()
    # Only rows with something open are looked at again (each row is read on its own).
    rows = [n for n, a in enumerate(next_actions) if a in (THANK_FOR_FEEDBACK, ACT_ON_FEEDBACK)]
    if not rows:
        return []
    results = dict(zip(rows, _evaluate(frame.iloc[rows], today, rules, date_order), strict=True))
    keys = _row_keys(frame)
    # Lists, not .iloc[] per row: a cohort's tracker has thousands of feedback rows.
    company, role = text_of(frame, "company").tolist(), text_of(frame, "role").tolist()
    app_id, action_item = text_of(frame, "app_id").tolist(), text_of(frame, "action_item").tolist()
    out: list[tuple[AgendaItem, str]] = []
    for n in rows:  # trust what was computed (and written) for each row
        result = results[n]
        who = company[n].strip() or "the employer"
        received = result.received
        assert received is not None  # both actions need it
        on = day_label(received, today.year)
        for todo in result.open:
            if todo.action == THANK_FOR_FEEDBACK:
                uid = f"{keys[n]}-thank"
                days = _days(rules.thank_for_feedback_after_days)
                why = f"Feedback from {who} came in on {on} - thank them within {days}"
                what = "Thank them for the feedback"
            else:
                item = " ".join(action_item[n].split())
                uid = f"{keys[n]}-act-{short_hash(item)}"
                why = f"Act on the feedback from {who} (received {on}): {item}"
                what = item
            out.append((AgendaItem(
                uid=uid, tab=FEEDBACK, app_id=app_id[n].strip(),
                company=company[n].strip(), role=role[n].strip(),
                action=todo.action, due_on=todo.due, why=why,
            ), what))  # fmt: skip
    return out


def feedback_agenda(
    frame: pd.DataFrame,
    computed: pd.DataFrame,
    today: date,
    *,
    rules: Rules | None = None,
    date_order: str | None = None,
) -> list[AgendaItem]:
    """Every open ``thank_for_feedback`` and ``act_on_feedback``, each its own item.

    Items come in sheet order, future ones included (the caller filters by
    date).  ``uid`` is ``fb-<app_id>-thank`` or ``fb-<app_id>-act-<hash of the
    action item>``, so a reworded action item is a new occurrence.  ``rules``
    and ``date_order`` default to those ``compute_feedback`` used for
    ``computed`` (then to the built-in defaults).
    """
    rules, date_order, _ = feedback_context(computed, rules, date_order)
    return [item for item, _ in open_items(frame, computed, today, rules, date_order)]

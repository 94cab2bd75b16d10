"""The Feedback tab: new rows for feedback requests, computed columns, agenda and report.

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
- a date that cannot be read goes to ``problems`` and the row gets no action
  (as on the Applications tab); themes are still computed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import textwrap
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.agenda.items import AgendaItem
from sheetsync.config import Rules
from sheetsync.feedback.themes import OTHER, SEPARATOR, ThemeRules
from sheetsync.tracker.changes import plain_dates
from sheetsync.tracker.schema import FEEDBACK, FEEDBACK_COLUMNS
from sheetsync.tracker.values import parse_dates

AWAIT_RESPONSE = "await_response"
NO_RESPONSE = "no_response"
THANK_FOR_FEEDBACK = "thank_for_feedback"
ACT_ON_FEEDBACK = "act_on_feedback"
ACTIONS = (AWAIT_RESPONSE, NO_RESPONSE, THANK_FOR_FEEDBACK, ACT_ON_FEEDBACK)

COMPUTED_COLUMNS = ("themes", "next_action", "due_on", "problems")
DONE_VALUES = frozenset({"yes", "y", "true", "x", "done", "1"})
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


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as text ("" for missing values, or for a column the tab lacks)."""
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].map(lambda v: v if isinstance(v, str) else "").astype(object)


def _to_date(value: Any) -> date | None:
    """A ``date`` from a Timestamp / datetime / date / datetime64; None for NaT and the rest."""
    if value is None or value is pd.NaT:  # NaT is a datetime subclass: test it first
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
        if value is pd.NaT:
            return None
    if isinstance(value, datetime):  # includes pd.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _as_dates(values: pd.Series, date_order: str) -> list[date | None]:
    """Dates from a typed column (datetime64 / date objects) or a text column."""
    if values.dtype.kind == "M":  # typed already: no text to parse
        return [_to_date(v) for v in plain_dates(values)]
    texts = pd.Series(
        [v if isinstance(v, str) else "" for v in values], index=values.index, dtype=object
    )
    parsed, _errors = parse_dates(texts, date_order)
    return [
        _to_date(p) if isinstance(v, str) else _to_date(v)
        for v, p in zip(values, plain_dates(parsed), strict=True)
    ]


def _problem(column: str, error: str) -> str:
    error = error.strip()
    return error if error.startswith(f"{column}:") else f"{column}: {error}"


def is_done(value: str) -> bool:
    """``done`` cell: yes / y / true / x / done / 1, any case; anything else is not done."""
    return value.strip().lower() in DONE_VALUES


def _day(d: date, today: date) -> str:
    """``Tue 3 Mar`` (with the year when it is not this year); locale-independent."""
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
    text = f"{names[d.weekday()]} {d.day} {months[d.month - 1]}"
    return text if d.year == today.year else f"{text} {d.year}"


def _days(n: int) -> str:
    return "a day" if n == 1 else f"{n} days"


def _short_hash(text: str) -> str:
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
    ids = _text(apps, "id")
    companies, roles = _text(apps, "company"), _text(apps, "role")
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


# --- computed columns -------------------------------------------------------


def _evaluate(frame: pd.DataFrame, today: date, rules: Rules, date_order: str) -> list[_RowResult]:
    """One result per row, by position (the index may be anything, even repeated)."""
    columns = {c: _text(frame, c) for c in FEEDBACK_COLUMNS}
    dates: dict[str, list[date | None]] = {}
    errors: dict[str, list[str]] = {}
    for column in DATE_INPUTS:
        parsed, errs = parse_dates(columns[column], date_order)
        dates[column] = [_to_date(v) for v in plain_dates(parsed)]
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
        if result.problems:
            continue  # never guess: no action until the cells can be read
        if received is not None:
            if not text["thanked_on"][n].strip():
                due = received + timedelta(days=rules.thank_for_feedback_after_days)
                result.open.append(_Open(THANK_FOR_FEEDBACK, due))
            if text["action_item"][n].strip() and not is_done(text["done"][n]):
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
    labels = themes.label_series(_text(frame, "response"))
    data = {
        "themes": [str(v) for v in labels],
        "next_action": [r.next_action for r in results],
        "due_on": [r.due.isoformat() if r.due else "" for r in results],
        "problems": ["; ".join(r.problems) for r in results],
    }
    computed = pd.DataFrame(data, index=frame.index, dtype=object)
    computed.attrs[_CONTEXT_KEY] = _Context(rules, date_order, themes)
    return computed


def _context(
    computed: pd.DataFrame, rules: Rules | None, date_order: str | None
) -> tuple[Rules, str, ThemeRules | None]:
    ctx = computed.attrs.get(_CONTEXT_KEY)
    if not isinstance(ctx, _Context):
        ctx = _Context(Rules(), "MDY", None)
    return rules or ctx.rules, date_order or ctx.date_order, ctx.themes


def _aligned(computed: pd.DataFrame, column: str, frame: pd.DataFrame) -> pd.Series:
    """A computed column lined up with ``frame``'s rows (by position when the indexes match)."""
    values = _text(computed, column)
    if values.index.equals(frame.index):
        return values
    return values.reindex(frame.index).fillna("").astype(object)


# --- agenda -----------------------------------------------------------------


def _row_keys(frame: pd.DataFrame) -> list[str]:
    """A stable key per row for agenda uids, even for hand-added rows without ids.

    ``fb-<app_id>`` normally; the feedback_id when there is no app_id; else a
    hash of the row's company, role and dates.  A copied row gets ``-2``.
    """
    fid, app = _text(frame, "feedback_id").tolist(), _text(frame, "app_id").tolist()
    parts = [_text(frame, c).tolist() for c in ("company", "role", "requested_on", "received_on")]
    keys: list[str] = []
    seen: dict[str, int] = {}
    for n in range(len(frame)):
        feedback_id, app_id = fid[n].strip(), app[n].strip()
        if feedback_id and feedback_id != feedback_id_for(app_id):
            key = feedback_id if feedback_id.startswith("fb-") else f"fb-{feedback_id}"
        elif app_id:
            key = feedback_id_for(app_id)
        else:
            key = "fb-row-" + _short_hash("|".join(p[n] for p in parts))
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def _open_items(
    frame: pd.DataFrame, computed: pd.DataFrame, today: date, rules: Rules, date_order: str
) -> list[tuple[AgendaItem, str]]:
    """(agenda item, what to do) for every open thank-you and action item."""
    results = _evaluate(frame, today, rules, date_order)
    next_actions = _aligned(computed, "next_action", frame).tolist()
    keys = _row_keys(frame)
    # Lists, not .iloc[] per row: a cohort's tracker has thousands of feedback rows.
    company, role = _text(frame, "company").tolist(), _text(frame, "role").tolist()
    app_id, action_item = _text(frame, "app_id").tolist(), _text(frame, "action_item").tolist()
    out: list[tuple[AgendaItem, str]] = []
    for n in range(len(frame)):
        result = results[n]
        if next_actions[n] not in (THANK_FOR_FEEDBACK, ACT_ON_FEEDBACK):
            continue  # trust what was computed (and written) for this row
        who = company[n].strip() or "the employer"
        received = result.received
        assert received is not None  # both actions need it
        for todo in result.open:
            if todo.action == THANK_FOR_FEEDBACK:
                uid = f"{keys[n]}-thank"
                days = _days(rules.thank_for_feedback_after_days)
                why = (
                    f"Feedback from {who} came in on {_day(received, today)}"
                    f" - thank them within {days}"
                )
                what = "Thank them for the feedback"
            else:
                item = " ".join(action_item[n].split())
                uid = f"{keys[n]}-act-{_short_hash(item)}"
                why = f"Act on the feedback from {who} (received {_day(received, today)}): {item}"
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
    rules, date_order, _ = _context(computed, rules, date_order)
    return [item for item, _ in _open_items(frame, computed, today, rules, date_order)]


# --- report -----------------------------------------------------------------


def feedback_report(
    frame: pd.DataFrame,
    computed: pd.DataFrame,
    today: date,
    *,
    rules: Rules | None = None,
    date_order: str | None = None,
    themes: ThemeRules | None = None,
) -> dict[str, Any]:
    """A JSON-able summary across all feedback (``sheetsync feedback``).

    ``themes`` is ranked by the number of responses that mention each theme
    (ties in rule order, ``other`` last), each with its quotes: the sentences
    that matched (the whole response when no rules are known, and for
    ``other``).  ``actions`` are the open items sorted by due date, with
    ``overdue`` flagged.
    """
    rules, date_order, known = _context(computed, rules, date_order)
    theme_rules = themes or known
    labels = _aligned(computed, "themes", frame)
    next_actions = _aligned(computed, "next_action", frame)
    responses = _text(frame, "response")
    company, role, app_id = _text(frame, "company"), _text(frame, "role"), _text(frame, "app_id")
    received = _text(frame, "received_on")

    found: dict[str, list[dict[str, str]]] = {}
    for n in range(len(frame)):
        names = _split_themes(labels.iloc[n])
        if not names:
            continue
        text = responses.iloc[n]
        quotes = theme_rules.quotes(text) if theme_rules else {}
        whole = " ".join(text.split())
        for name in names:
            for quote in quotes.get(name) or [whole]:
                found.setdefault(name, []).append({
                    "quote": quote, "company": company.iloc[n].strip(),
                    "role": role.iloc[n].strip(), "app_id": app_id.iloc[n].strip(),
                    "received_on": received.iloc[n].strip(),
                })  # fmt: skip

    order = theme_rules.names if theme_rules else []
    counts = {name: _responses_with(labels, name) for name in found}

    def rank_key(name: str) -> tuple[int, bool, int, str]:
        position = order.index(name) if name in order else len(order)
        return (-counts[name], name == OTHER, position, name)

    theme_list = [
        {"rank": rank, "theme": name, "count": counts[name], "quotes": found[name]}
        for rank, name in enumerate(sorted(found, key=rank_key), start=1)
    ]

    actions = []
    items = _open_items(frame, computed, today, rules, date_order)
    for item, what in sorted(items, key=lambda t: (t[0].due_on, t[0].company, t[0].uid)):
        actions.append({
            "due_on": item.due_on.isoformat(), "overdue": item.overdue(today),
            "days_overdue": max((today - item.due_on).days, 0), "action": item.action,
            "company": item.company, "role": item.role, "app_id": item.app_id,
            "item": what, "uid": item.uid,
        })  # fmt: skip

    return {
        "today": today.isoformat(),
        "requests": int((_text(frame, "requested_on").str.strip() != "").sum()),
        "responses": int((responses.str.strip() != "").sum()),
        "awaiting_response": int((next_actions == AWAIT_RESPONSE).sum()),
        "no_response": int((next_actions == NO_RESPONSE).sum()),
        "themes": theme_list,
        "actions": actions,
    }


def _split_themes(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(SEPARATOR.strip()) if t.strip()]


def _responses_with(labels: pd.Series, name: str) -> int:
    return int(labels.map(lambda v: name in _split_themes(v)).sum())


# --- renderers --------------------------------------------------------------

CSV_FIELDS = ("section", "rank", "theme", "count", "due_on", "overdue", "action",
              "company", "role", "app_id", "text")  # fmt: skip


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_csv(report: dict[str, Any]) -> str:
    """One flat table: a ``theme`` row per quote, then an ``action`` row per open item."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for theme in report["themes"]:
        for quote in theme["quotes"]:
            writer.writerow({
                "section": "theme", "rank": theme["rank"], "theme": theme["theme"],
                "count": theme["count"], "company": quote["company"], "role": quote["role"],
                "app_id": quote["app_id"], "text": quote["quote"],
            })  # fmt: skip
    for action in report["actions"]:
        writer.writerow({
            "section": "action", "due_on": action["due_on"],
            "overdue": "yes" if action["overdue"] else "no", "action": action["action"],
            "company": action["company"], "role": action["role"], "app_id": action["app_id"],
            "text": action["item"],
        })  # fmt: skip
    return buffer.getvalue()


def _summary(report: dict[str, Any]) -> str:
    return (
        f"{report['requests']} feedback request(s), {report['responses']} response(s), "
        f"{report['awaiting_response']} awaiting a response, "
        f"{report['no_response']} with no response"
    )


def _who(company: str, role: str) -> str:
    return " - ".join(p for p in (company, role) if p) or "(no company)"


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def report_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Feedback report ({report['today']})", "", _summary(report) + ".", ""]
    lines += ["## Themes", ""]
    if report["themes"]:
        lines += ["| Rank | Theme | Responses |", "|---:|---|---:|"]
        lines += [f"| {t['rank']} | {_md_cell(t['theme'])} | {t['count']} |"
                  for t in report["themes"]]  # fmt: skip
        for theme in report["themes"]:
            lines += ["", f"### {theme['rank']}. {theme['theme']} ({theme['count']})", ""]
            for q in theme["quotes"]:
                lines.append(f"> {_md_cell(q['quote'])}")
                lines.append(f"> — {_md_cell(_who(q['company'], q['role']))}")
                lines.append("")
            lines.pop()
    else:
        lines.append("No feedback responses yet.")
    lines += ["", "## Open action items", ""]
    if report["actions"]:
        lines += ["| Due | Overdue | Company | Role | Action | What to do |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for a in report["actions"]:
            late = f"**{a['days_overdue']} day(s)**" if a["overdue"] else ""
            lines.append(
                f"| {a['due_on']} | {late} | {_md_cell(a['company'])} | {_md_cell(a['role'])} "
                f"| {a['action']} | {_md_cell(a['item'])} |"
            )
    else:
        lines.append("Nothing open.")
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]]  # fmt: skip


def report_text(report: dict[str, Any], width: int = 88) -> str:
    """Plain text for a terminal: ranked themes with quotes, then open items."""
    lines = [f"Feedback ({report['today']}): {_summary(report)}", "", "Themes"]
    if not report["themes"]:
        lines.append("  no feedback responses yet")
    for theme in report["themes"]:
        lines.append(f"  {theme['rank']:>2}. {theme['theme']} ({theme['count']})")
        for q in theme["quotes"]:
            quote = f'"{q["quote"]}" - {_who(q["company"], q["role"])}'
            lines.append(textwrap.fill(quote, width=width, initial_indent="      ",
                                       subsequent_indent="       "))  # fmt: skip
    lines += ["", "Open action items"]
    if not report["actions"]:
        lines.append("  nothing open")
    else:
        rows = [
            [a["due_on"], f"{a['days_overdue']}d late" if a["overdue"] else "",
             _who(a["company"], a["role"]), a["action"], " ".join(a["item"].split())]
            for a in report["actions"]
        ]  # fmt: skip
        lines += ["  " + line for line in _table(["DUE", "OVERDUE", "FOR", "ACTION", "WHAT"], rows)]
    return "\n".join(lines) + "\n"

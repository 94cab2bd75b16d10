"""The computation: a workbook in, everything a push would write out.

Pure: no I/O, no processes, no clock.  Named steps, in order:

1. ``_assign_ids``       ids for application rows that have none
2. ``_record_sent``      sent drafts written back to their application
   ``_date_rejections``  an undated rejection dated the day it is first seen
3. ``_apply_policy``     the next action, due date and reason per application
4. ``_plan_feedback``    the Feedback tab's new rows, computed columns and thank-yous
5. drafts              which messages should exist, merged with the Drafts tab
6. agenda              every due action, in one list
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.agenda.items import AgendaItem, application_agenda
from sheetsync.backends.base import WriteReport
from sheetsync.config import Config
from sheetsync.dashboard.overview import Overview, build_overview
from sheetsync.dashboard.plan import hold_unapproved, plan_dashboard, with_status
from sheetsync.errors import LayoutError
from sheetsync.feedback.themes import ThemeRules, load_themes
from sheetsync.messages.merge import DraftMerge, merge
from sheetsync.messages.sent import apply_skips, draft_frame, feedback_thanks, write_backs
from sheetsync.messages.spread import Spread, in_process
from sheetsync.messages.wanted import FeedbackThanks, note_due, wanted_drafts
from sheetsync.policy.bizdays import Calendar
from sheetsync.tracker.plan import CellChange, Kind, Plan, RowAppend, column_changes, iso_text
from sheetsync.tracker.schema import (
    APP_OWNED_COLUMNS,
    APP_USER_COLUMNS,
    APPLICATIONS,
    DRAFTS,
    ENSURED_COLUMNS,
    FEEDBACK,
    FEEDBACK_OWNED_COLUMNS,
    TABS,
)
from sheetsync.tracker.table import Table, Workbook
from sheetsync.vocabulary import FEEDBACK_CARD, THANK_FOR_FEEDBACK

IdFactory = Callable[[set[str]], str]


def random_id(taken: set[str]) -> str:
    """A short id never used before in this tracker (random, so never reused)."""
    while True:
        candidate = uuid.uuid4().hex[:8]
        if candidate not in taken:
            return candidate


@dataclass(frozen=True)
class ProblemRow:
    """A row with cells sheetsync could not read, on any tab."""

    tab: str
    row: int  # 0-based data row, as read
    key: str  # the row's id ("" when it has none)
    company: str
    role: str
    problems: str  # "column: why; ..."

    @property
    def line(self) -> int:
        """The row's number in the sheet (the header is row 1)."""
        return self.row + 2


@dataclass
class Outcome:
    """Everything one computation produced."""

    workbook: Workbook
    plan: Plan
    apps: pd.DataFrame  # id, company, role + computed columns, one row per data row
    agenda: list[AgendaItem]
    drafts: DraftMerge
    feedback_rows_added: int = 0
    problems: list[ProblemRow] = field(default_factory=list)  # every tab, in tab order
    report: WriteReport | None = None
    push_id: int | None = None
    overview: Overview | None = None
    #: with ``require_approval``: due actions held back until their draft is approved
    awaiting_approval: list[AgendaItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the run left alone, and why

    @property
    def problem_rows(self) -> int:
        return len(self.problems)

    def due_by(self, day: dt.date) -> list[AgendaItem]:
        return [i for i in self.agenda if i.due_on <= day]

    def upcoming(self, day: dt.date, n: int = 3) -> list[AgendaItem]:
        """The next ``n`` actions due after ``day``, soonest first."""
        return [i for i in self.agenda if i.due_on > day][:n]

    def summary(self, today: dt.date, *, dry_run: bool = False) -> str:
        due = len(self.due_by(today))
        overdue = sum(1 for i in self.agenda if i.due_on < today)
        added = "would be added" if dry_run else "added"
        parts = [
            f"{due} action(s) due today or earlier" + (f" ({overdue} overdue)" if overdue else "")
        ]
        parts.append(f"{self.drafts.added} draft(s) {added}")
        review = self.overview  # said once a mentor approves, or approval is required
        if review is not None and (review.approved or self.awaiting_approval):
            parts.append(f"{len(review.awaiting_approval)} draft(s) awaiting approval, "
                         f"{review.approved} approved")  # fmt: skip
        if self.feedback_rows_added:
            parts.append(f"{self.feedback_rows_added} feedback row(s) {added}")
        parts.append(f"{self.problem_rows} row(s) with problems")
        return ", ".join(parts)


@dataclass
class _Apps:
    """The Applications tab as text, with what the first steps learn about its rows."""

    table: Table
    text: pd.DataFrame  # user columns as text; ids filled in by step 1
    read_ids: pd.Series  # ids as read
    active: pd.Series  # rows with any text (blank rows are left alone)
    duplicated: pd.Series  # rows sharing an id with another row

    @property
    def rows(self) -> pd.Index:
        return self.text.index[self.active.to_numpy()]


def compute(
    workbook: Workbook,
    today: dt.date,
    config: Config,
    *,
    base: Workbook | None = None,
    memory: Mapping[str, tuple[str, ...]] | None = None,
    new_id: IdFactory = random_id,
    before_obsolete: Mapping[str, str] | None = None,
    calendar: Calendar | None = None,
    themes: ThemeRules | None = None,
    spread: Spread[Any] = in_process,
) -> Outcome:
    """Plan everything a push would write to ``workbook``.

    ``base`` is the snapshot taken at pull; user-owned cells are written back
    (sent drafts) only where they still hold what they held then.  ``memory``
    is what sheetsync last wrote as each draft's text (its ``text_digest``) and from what inputs;
    ``before_obsolete`` the status each draft had when it was made obsolete.
    ``calendar`` is the business-day calendar (with the holiday years already
    known); ``themes`` the feedback theme rules (with the labels already known);
    by default the config's.  ``spread`` runs the rendering of drafts: in this
    process by default (:mod:`sheetsync.messages.spread`).
    """
    memory = memory or {}
    plan = _layout_plan(workbook)
    apps = _assign_ids(workbook[APPLICATIONS], new_id, plan)
    drafts_t = workbook.get(DRAFTS)
    effective, thanked, unsent = _record_sent(workbook, apps, base, today, config, plan)
    _date_rejections(apps, effective, today, config, plan)
    calendar = calendar or Calendar.from_config(config)
    typed, result = _apply_policy(apps, effective, today, config, calendar)
    owned = _plan_owned_columns(apps, result, plan)
    themes = themes or load_themes(config.themes_file)
    fb = _plan_feedback(workbook, apps, typed, thanked, today, config, plan, themes, calendar)
    active = apps.active
    current = _draft_texts(drafts_t)
    wanted = wanted_drafts(
        typed[active], effective[active], result[active], fb.thanks, config, memory, current,
        spread, themes,
    )
    merged = merge(drafts_t, wanted, memory, config, before_obsolete)
    plan.changes += merged.changes
    plan.appends += merged.appends
    _add_needed_columns(plan, workbook)

    agenda = application_agenda(typed, result, apps.rows, merged.open_drafts) + fb.agenda
    agenda.sort(key=lambda i: (i.due_on, i.company.lower(), i.action))
    live = with_status(merged.open_drafts, drafts_t)
    waiting: list[AgendaItem] = []
    if config.require_approval:
        agenda, waiting = hold_unapproved(agenda, live)
    overview = build_overview(typed, active, agenda + waiting, live, fb.frame, today,
                              config.date_order, config.rules.act_on_feedback_days)  # fmt: skip
    plan.dashboard, notes = plan_dashboard(workbook.dashboard, overview)
    text = apps.text
    view = pd.DataFrame({"id": text["id"], "company": text["company"], "role": text["role"]})
    bad = (active & result["problems"].ne("")).to_numpy()
    problems = [
        ProblemRow(APPLICATIONS, int(r), str(i), str(c), str(role), str(why))
        for r, i, c, role, why in zip(
            text.index[bad], text["id"][bad], text["company"][bad], text["role"][bad],
            result["problems"][bad], strict=True,
        )
    ]  # fmt: skip
    return Outcome(
        workbook,
        plan,
        view.assign(**owned),
        agenda,
        merged,
        feedback_rows_added=fb.added,
        problems=problems + _unrecorded_sends(drafts_t, unsent) + fb.problems,
        overview=overview,
        awaiting_approval=waiting,
        notes=notes,
    )


def _layout_plan(workbook: Workbook) -> Plan:
    """The tabs and sheetsync columns to add; stops on an unusable header."""
    if APPLICATIONS not in workbook:
        raise LayoutError(
            "the tracker has no Applications tab",
            hint="name the tab (or CSV file) with your applications 'Applications', or "
            'set `applications = "<its name>"` under [tabs] in sheetsync.toml',
        )
    _check_identities(workbook)
    plan = Plan(new_tabs=[t for t in TABS if t not in workbook])
    for tab in TABS:
        table = workbook.get(tab)
        if table is None:
            continue
        missing = [c for c in ENSURED_COLUMNS[tab] if c not in table.columns]  # checks the header
        if missing:
            plan.new_columns[tab] = missing
    return plan


_RESTORE = (
    "restore the column (undo in your spreadsheet program, or File > Version history in "
    "Google Sheets), or run `sheetsync repair` to give rows back their ids by their other "
    "cells; nothing was written"
)


def _check_identities(workbook: Workbook) -> None:
    """Stop when a tab's id column is gone, or emptied wholesale, after sheetsync gave ids.

    Rows are found by id: without them every application would get new ids, its
    drafts would be made again and its feedback row added twice.
    """
    apps = workbook[APPLICATIONS]
    if (
        apps.rows
        and not any(apps.ids())
        and any(  # cheapest test first: ids are usually there
            key.strip()
            for tab in (DRAFTS, FEEDBACK)
            if (table := workbook.get(tab)) is not None
            for key in table.column("app_id")
        )
    ):
        what = "is empty" if "id" in apps.columns else "is missing"
        raise LayoutError(
            f"the Applications tab's id column {what}, but the Drafts and Feedback tabs "
            "name applications by id",
            hint=_RESTORE,
        )
    drafts = workbook.get(DRAFTS)
    if drafts is not None and not any(drafts.ids()) and not all(drafts.blank_rows()):
        what = "is empty" if "draft_id" in drafts.columns else "is missing"
        raise LayoutError(
            f"the Drafts tab's draft_id column {what}, but the tab holds drafts",
            hint=_RESTORE,
        )


def _assign_ids(table: Table, new_id: IdFactory, plan: Plan) -> _Apps:
    """Step 1: an id for every row with text and none; duplicates are reported, not renumbered."""
    text = table.frame(APP_USER_COLUMNS)
    read_ids = text["id"].str.strip()
    active = ~pd.Series(table.blank_rows(), index=text.index, dtype=bool)
    taken = set(read_ids)
    need = active & read_ids.eq("")
    new_ids = pd.Series("", index=text.index, dtype=object)
    for row in text.index[need.to_numpy()]:
        fresh = new_id(taken)
        new_ids.at[row] = fresh
        taken.add(fresh)
    plan.changes += column_changes(table, "id", new_ids, read_ids, text.index[need.to_numpy()])
    text.loc[need, "id"] = new_ids[need]
    duplicated = active & read_ids.ne("") & read_ids.duplicated(keep=False)
    return _Apps(table, text, read_ids, active, duplicated)


def _record_sent(
    workbook: Workbook,
    apps: _Apps,
    base: Workbook | None,
    today: dt.date,
    config: Config,
    plan: Plan,
) -> tuple[pd.DataFrame, list[CellChange], list[int]]:
    """Step 2: sent drafts write back to their application; skipped ones count as done.

    Returns the applications as the policy should see them (skips applied, in
    memory only), the Feedback ``thanked_on`` changes, and the Drafts rows marked
    sent whose ``sent_on`` cannot be read.
    """
    drafts_t = workbook.get(DRAFTS)
    drafts = draft_frame(drafts_t, config.date_order)
    table, text, read_ids = apps.table, apps.text, apps.read_ids
    base_apps = base.get(APPLICATIONS) if base is not None else None
    for column, values in write_backs(text, drafts, today, config.date_order).items():
        values = values[apps.active.loc[values.index].to_numpy()]
        if base_apps is not None:  # three-way: only cells untouched since the pull
            was = dict(zip(base_apps.ids(), base_apps.column(column), strict=True))
            values = values[
                [was.get(str(read_ids.at[r])) == table.cell(r, column) for r in values.index]
            ]
        kind: Kind = "int" if column == "follow_ups_sent" else "date"
        plan.changes += column_changes(table, column, values, read_ids, values.index, kind)
        text.loc[values.index, column] = values
    unsent: list[int] = []
    if drafts_t is not None:
        notes, unsent = _sent_drafts_notes(drafts_t, drafts, today)
        plan.changes += notes
    thanked = feedback_thanks(workbook.get(FEEDBACK), drafts, today, config.date_order)
    plan.changes += thanked
    return apply_skips(text, drafts, config.date_order), thanked, unsent


def _date_rejections(
    apps: _Apps, effective: pd.DataFrame, today: dt.date, config: Config, plan: Plan
) -> None:
    """Step 2b: a rejection without ``rejected_on`` gets today's date, once.

    Counted from a blank, the feedback request would be "due tomorrow" on every
    run; written down, it becomes due and stays put.  Only a blank cell is written.
    """
    from sheetsync.tracker.values import parse_status

    status, _ = parse_status(effective["status"], dict(config.statuses))
    undated = apps.active & status.eq("rejected") & effective["rejected_on"].str.strip().eq("")
    if not undated.any():
        return
    rows = effective.index[undated.to_numpy()]
    values = pd.Series(today.isoformat(), index=rows, dtype=object)
    plan.changes += column_changes(apps.table, "rejected_on", values, apps.read_ids, rows, "date")
    effective.loc[rows, "rejected_on"] = values


def _sent_drafts_notes(
    table: Table, drafts: pd.DataFrame, today: dt.date
) -> tuple[list[CellChange], list[int]]:
    """A sent draft without a date was sent today; one whose date cannot be read says so."""
    keys = pd.Series(table.ids())
    sent = drafts["status"] == "sent"
    undated = drafts.index[sent & drafts["sent_on"].str.strip().eq("")]
    changes = column_changes(
        table, "sent_on", pd.Series(today.isoformat(), index=undated), keys, undated, "date"
    )
    unreadable = drafts.index[sent & drafts["sent"].isna() & drafts["sent_on"].str.strip().ne("")]
    note = "sent_on: not a date - fix it so this send is recorded"
    changes += column_changes(
        table, "lint", pd.Series(note, index=unreadable, dtype=object), keys, unreadable
    )
    return changes, [int(r) for r in unreadable]


def _apply_policy(
    apps: _Apps, effective: pd.DataFrame, today: dt.date, config: Config, calendar: Calendar
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 3: typed rows and the policy's result (next action, due date, why, problems)."""
    from sheetsync.policy.engine import compute as policy
    from sheetsync.tracker.values import parse_applications

    typed, problems = parse_applications(
        effective, config.date_order, dict(config.statuses), config.century
    )
    future = typed["applied_on"] > pd.Timestamp(today)
    no_company = typed["company"].fillna("").astype(str).str.strip().eq("")
    for bad, note in (
        (no_company, "company: blank - add the employer's name (no message can go without it)"),
        (apps.duplicated, "id: the same id is on more than one row - make it unique"),
        (future, "applied_on: after today - fix the date you applied"),
    ):
        problems = problems.where(~bad, (problems + "; ").str.lstrip("; ") + note)
    result = policy(typed, problems, today, config.rules, calendar)
    result["note_due"] = note_due(typed, result, today, config, calendar)
    blank = ~apps.active
    result.loc[blank, ["next_action", "why", "problems"]] = ""
    result.loc[blank, ["due_on", "note_due"]] = pd.NaT
    typed["id"] = apps.text["id"]
    return typed, result


def _plan_owned_columns(apps: _Apps, result: pd.DataFrame, plan: Plan) -> dict[str, pd.Series]:
    """The Applications columns sheetsync owns, as text, planned where they changed."""
    owned = {
        "next_action": result["next_action"].astype(object),
        "due_on": iso_text(result["due_on"]),
        "why": result["why"].astype(object),
        "problems": result["problems"].astype(object),
    }
    for column in APP_OWNED_COLUMNS:
        kind: Kind = "date" if column == "due_on" else "text"
        plan.changes += column_changes(
            apps.table, column, owned[column], apps.read_ids, apps.rows, kind
        )
    return owned


@dataclass
class _FeedbackPlan:
    thanks: list[FeedbackThanks]  # thank-you drafts the Feedback tab calls for
    agenda: list[AgendaItem]
    added: int  # rows added
    problems: list[ProblemRow]
    frame: pd.DataFrame  # every row, new ones too, with its computed columns


def _plan_feedback(
    workbook: Workbook,
    apps: _Apps,
    typed: pd.DataFrame,
    thanked: list[CellChange],
    today: dt.date,
    config: Config,
    plan: Plan,
    themes: ThemeRules,
    calendar: Calendar,
) -> _FeedbackPlan:
    """Step 4: new Feedback rows (once per request, ever), computed columns, thank-yous."""
    from sheetsync.feedback.cards import card_rows
    from sheetsync.feedback.tab import compute_feedback, feedback_agenda, new_feedback_rows

    fb_t = workbook.get(FEEDBACK)
    frame = fb_t.frame() if fb_t is not None else Table(FEEDBACK, []).frame()
    for change in thanked:  # computed columns see the thank-you just recorded
        frame.loc[change.row, "thanked_on"] = change.new
    new_rows = new_feedback_rows(
        apps.text[apps.active],  # as the sheet will hold it, ids included
        set(frame["app_id"].str.strip()),
        today,
        date_order=config.date_order,
        existing_feedback_ids=set(frame["feedback_id"].str.strip()),
    )
    combined = pd.concat(
        [frame, pd.DataFrame(new_rows, columns=frame.columns, dtype=object).fillna("")],
        ignore_index=True,
    )
    result = compute_feedback(combined, today, config.rules, config.date_order, themes)
    n_old = len(frame)
    if fb_t is not None and n_old:
        keys = pd.Series(fb_t.ids())
        rows = frame.index[~pd.Series(fb_t.blank_rows(), dtype=bool).to_numpy()]
        for column in FEEDBACK_OWNED_COLUMNS:
            kind: Kind = "date" if column == "due_on" else "text"
            new = result[column].iloc[:n_old].astype(object)
            plan.changes += column_changes(fb_t, column, new, keys, rows, kind)
    computed = result.iloc[n_old:][list(FEEDBACK_OWNED_COLUMNS)].to_dict("records")
    for row, values in zip(new_rows, computed, strict=True):
        cells = {k: v for k, v in row.items() if v}
        cells.update({str(c): str(v) for c, v in values.items() if str(v)})
        kinds: dict[str, Kind] = {"requested_on": "date", "due_on": "date"}
        plan.appends.append(RowAppend(FEEDBACK, cells["feedback_id"], cells, kinds))
    cards = card_rows(combined, today, config.rules, config.date_order, calendar)
    thanks = _feedback_thanks(combined, result, typed, apps.active, cards)
    blank = fb_t.blank_rows() if fb_t is not None else []
    problems = [
        ProblemRow(FEEDBACK, n, str(combined.at[n, "feedback_id"]).strip(),
                   str(combined.at[n, "company"]).strip(), str(combined.at[n, "role"]).strip(),
                   str(why))
        for n, why in enumerate(result["problems"].tolist())
        if why and not (n < len(blank) and blank[n])
    ]  # fmt: skip
    agenda = feedback_agenda(combined, result, today)
    rows_now = combined.assign(**{c: result[c].to_numpy() for c in FEEDBACK_OWNED_COLUMNS})
    return _FeedbackPlan(thanks, agenda, len(new_rows), problems, rows_now)


def _unrecorded_sends(table: Table | None, rows: list[int]) -> list[ProblemRow]:
    """Drafts marked sent whose ``sent_on`` cannot be read (their lint says so too)."""
    if table is None or not rows:
        return []
    ids = table.ids()
    return [
        ProblemRow(DRAFTS, r, ids[r], table.cell(r, "company"), table.cell(r, "role"),
                   f"sent_on: not a date ({table.cell(r, 'sent_on')!r}) - fix it so this "
                   "send is recorded")
        for r in rows
    ]  # fmt: skip


def _feedback_thanks(
    combined: pd.DataFrame,
    result: pd.DataFrame,
    typed: pd.DataFrame,
    active: pd.Series,
    cards: list[tuple[int, str]],
) -> list[FeedbackThanks]:
    """A thank-you e-mail for each Feedback row whose next action is to thank them, and
    a card for each row in ``cards`` (row position, ISO due date)."""
    thank = np.flatnonzero(result["next_action"].eq(THANK_FOR_FEEDBACK).to_numpy())
    due_on = result["due_on"].to_numpy()
    wanted = [(int(n), str(due_on[n]), THANK_FOR_FEEDBACK) for n in thank]
    wanted += [(n, due, FEEDBACK_CARD) for n, due in cards]
    if not wanted:
        return []
    wanted_ids = {str(combined["app_id"].iat[n]).strip() for n, _, _ in wanted}
    needed = active & typed["id"].astype(str).isin(wanted_ids)  # to_dict of every row is dear
    records: list[dict[str, Any]] = typed[needed].to_dict("records")  # type: ignore[assignment]
    by_id = {str(r["id"]): r for r in records}
    app_ids, feedback_ids = combined["app_id"].tolist(), combined["feedback_id"].tolist()
    responses = combined["response"].tolist()
    out = []
    for n, due, action in wanted:
        app = by_id.get(str(app_ids[n]).strip())
        if app is not None:
            fb_key = str(feedback_ids[n]).strip() or f"fb-{app['id']}"
            out.append(FeedbackThanks(dict(app), fb_key, due, str(responses[n]), action))
    return out


def _draft_texts(table: Table | None) -> dict[str, tuple[str, str]]:
    """Each draft's subject and body as the Drafts tab holds them now."""
    if table is None:
        return {}
    texts = zip(table.column("subject"), table.column("body"), strict=True)
    return dict(zip(table.ids(), texts, strict=True))


def _add_needed_columns(plan: Plan, workbook: Workbook) -> None:
    """Columns a change needs but the tab lacks (an `id` column, a write-back
    column) are appended on the right, like sheetsync's own columns."""
    needed: dict[str, dict[str, None]] = {}  # per tab, in order of first need, no repeats
    for change in plan.changes:
        needed.setdefault(change.tab, {})[change.column] = None
    for append in plan.appends:
        needed.setdefault(append.tab, {}).update(dict.fromkeys(append.values))
    for tab_name, names in needed.items():
        table = workbook.get(tab_name)
        if table is None:
            continue
        for name in names:
            if name not in table.columns:
                extra = plan.new_columns.setdefault(tab_name, [])
                if name not in extra:
                    extra.append(name)

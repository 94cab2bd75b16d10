"""sheetsync as a library: ``pull``, ``push`` and ``sync``.

Every write follows plan-then-apply: :func:`compute` turns a workbook (and,
for a push, the snapshot taken at pull) into a :class:`~sheetsync.plan.Plan`
without any I/O; a backend then applies the plan in one go.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetsync.agenda.items import AgendaItem
from sheetsync.backends.base import Backend, WriteReport
from sheetsync.config import Config
from sheetsync.errors import LayoutError
from sheetsync.messages.merge import DraftMerge, merge
from sheetsync.messages.sent import apply_skips, draft_frame, feedback_thanks, write_backs
from sheetsync.messages.wanted import note_due, start_drafts
from sheetsync.state import ROW_ADDED, State
from sheetsync.tracker.changes import column_changes, iso_text, plain_dates
from sheetsync.tracker.plan import CellChange, Kind, Plan, RowAppend
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

IdFactory = Callable[[set[str]], str]


def random_id(taken: set[str]) -> str:
    """A short id never used before in this tracker (random, so never reused)."""
    while True:
        candidate = uuid.uuid4().hex[:8]
        if candidate not in taken:
            return candidate


@dataclass
class Outcome:
    """Everything one computation produced."""

    workbook: Workbook
    plan: Plan
    apps: pd.DataFrame  # id, company, role + computed columns, one row per data row
    agenda: list[AgendaItem]
    drafts: DraftMerge
    feedback_rows_added: int = 0
    problem_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    report: WriteReport | None = None
    push_id: int | None = None

    def due_by(self, day: dt.date) -> list[AgendaItem]:
        return [i for i in self.agenda if i.due_on <= day]

    def summary(self, today: dt.date) -> str:
        due = len(self.due_by(today))
        overdue = sum(1 for i in self.agenda if i.due_on < today)
        parts = [
            f"{due} action(s) due today or earlier" + (f" ({overdue} overdue)" if overdue else "")
        ]
        parts.append(f"{self.drafts.added} draft(s) added")
        if self.feedback_rows_added:
            parts.append(f"{self.feedback_rows_added} feedback row(s) added")
        parts.append(f"{self.problem_rows} row(s) with problems")
        return ", ".join(parts)


# -- the computation -------------------------------------------------------------------


@dataclass
class _FeedbackPlan:
    changes: list[CellChange]
    appends: list[RowAppend]
    frame: pd.DataFrame  # the tab's rows, then the rows this push adds
    result: pd.DataFrame  # computed columns for ``frame``
    thank_yous: list[tuple[dict[str, Any], str, str]]  # (application, feedback id, due)


def _plan_feedback(
    workbook: Workbook,
    written: pd.DataFrame,
    typed: pd.DataFrame,
    active: pd.Series,
    thanked: list[CellChange],
    today: dt.date,
    config: Config,
) -> _FeedbackPlan:
    """New Feedback rows (once per request, ever), their computed columns, thank-yous."""
    from sheetsync.feedback.tab import compute_feedback, new_feedback_rows
    from sheetsync.feedback.themes import load_themes

    plan = Plan()
    fb_t = workbook.get(FEEDBACK)
    fb_frame = fb_t.frame() if fb_t is not None else Table(FEEDBACK, []).frame()
    for change in thanked:  # computed columns see the thank-you just recorded
        fb_frame.loc[change.row, "thanked_on"] = change.new
    existing_fb = set(fb_frame["app_id"].str.strip())
    new_fb = new_feedback_rows(
        written[active],
        existing_fb,
        today,
        date_order=config.date_order,
        existing_feedback_ids=set(fb_frame["feedback_id"].str.strip()),
    )
    themes = load_themes(config.themes_file)
    combined = pd.concat(
        [fb_frame, pd.DataFrame(new_fb, columns=fb_frame.columns, dtype=object).fillna("")],
        ignore_index=True,
    )
    fb_result = compute_feedback(combined, today, config.rules, config.date_order, themes)
    n_old = len(fb_frame)
    if fb_t is not None and n_old:
        fb_keys = pd.Series(fb_t.ids())
        fb_rows = fb_frame.index[~pd.Series(fb_t.blank_rows(), dtype=bool).to_numpy()]
        for column in FEEDBACK_OWNED_COLUMNS:
            kind: Kind = "date" if column == "due_on" else "text"
            plan.changes += column_changes(
                fb_t, column, fb_result[column].iloc[:n_old].astype(object), fb_keys, fb_rows, kind
            )
    computed_new = fb_result.iloc[n_old:][list(FEEDBACK_OWNED_COLUMNS)].to_dict("records")
    for row, computed in zip(new_fb, computed_new, strict=True):
        fb_values = {k: v for k, v in row.items() if v}
        fb_values.update({str(c): str(v) for c, v in computed.items() if str(v)})
        plan.appends.append(
            RowAppend(
                FEEDBACK,
                fb_values["feedback_id"],
                fb_values,
                {"requested_on": "date", "due_on": "date"},
            )
        )

    thank = fb_result["next_action"].eq("thank_for_feedback")
    wanted_apps = set(combined.loc[thank, "app_id"].str.strip())
    pick = typed["id"].isin(wanted_apps) & active
    picked: list[dict[str, Any]] = typed[pick].to_dict("records")  # type: ignore[assignment]
    app_by_id = {str(r["id"]): r for r in picked}
    feedback_wants = []
    chosen = thank.to_numpy()
    for app_id, response, fb_id, due in zip(
        combined["app_id"].to_numpy()[chosen],
        combined["response"].to_numpy()[chosen],
        combined["feedback_id"].to_numpy()[chosen],
        fb_result["due_on"].to_numpy()[chosen],
        strict=True,
    ):  # arrays, not .at[] per row: thousands of rows on a large tracker
        app = dict(app_by_id.get(str(app_id).strip(), {}))
        if not app:
            continue
        app["_response"] = str(response)
        feedback_wants.append((app, str(fb_id).strip() or f"fb-{app['id']}", str(due)))
    return _FeedbackPlan(plan.changes, plan.appends, combined, fb_result, feedback_wants)


def compute(
    workbook: Workbook,
    today: dt.date,
    config: Config,
    *,
    base: Workbook | None = None,
    memory: Mapping[str, tuple[str, ...]] | None = None,
    new_id: IdFactory = random_id,
    early: Callable[[Plan, bool], None] | None = None,
) -> Outcome:
    """Plan everything a push would write to ``workbook`` (pure: no I/O).

    ``base`` is the snapshot taken at pull; user-owned cells are written back
    (sent drafts) only where they still hold what they held then.  ``early``
    is called with the plan so far once every Applications and Feedback cell
    is in it, while the drafts are still being made (a write of those tabs can
    start then), and again, with True, once the plan is whole, before the
    agenda is made.  The plan it sees must not be changed.
    """
    from sheetsync.feedback.tab import feedback_agenda
    from sheetsync.policy.bizdays import Calendar
    from sheetsync.policy.engine import compute as policy
    from sheetsync.tracker.values import parse_applications

    apps_t = workbook.get(APPLICATIONS)
    if apps_t is None:
        raise LayoutError(
            "the tracker has no Applications tab",
            hint="name the tab (or CSV file) with your applications 'Applications'",
        )
    for tab in TABS:
        if tab in workbook:
            _ = workbook[tab].columns  # validates the header before anything is planned
    plan = Plan(new_tabs=[t for t in TABS if t not in workbook])
    for tab in TABS:
        table = workbook.get(tab)
        if table is not None:
            missing = [c for c in ENSURED_COLUMNS[tab] if c not in table.columns]
            if missing:
                plan.new_columns[tab] = missing

    text = apps_t.frame(APP_USER_COLUMNS)
    read_ids = text["id"].str.strip()
    blank = pd.Series(apps_t.blank_rows(), index=text.index, dtype=bool)
    active = ~blank

    # 1. ids for rows that have none; duplicates are reported, never renumbered
    taken = set(read_ids)
    need = active & read_ids.eq("")
    new_ids = pd.Series("", index=text.index, dtype=object)
    for row in text.index[need.to_numpy()]:
        fresh = new_id(taken)
        new_ids.at[row] = fresh
        taken.add(fresh)
    plan.changes += column_changes(apps_t, "id", new_ids, read_ids, text.index[need.to_numpy()])
    text.loc[need, "id"] = new_ids[need]
    duplicated = active & read_ids.ne("") & read_ids.duplicated(keep=False)

    # 2. sent drafts write back to their application (and skipped ones count as done)
    drafts_t = workbook.get(DRAFTS)
    drafts = draft_frame(drafts_t, config.date_order)
    base_apps = base.get(APPLICATIONS) if base is not None else None
    for column, values in write_backs(text, drafts, today, config.date_order).items():
        values = values[active.loc[values.index].to_numpy()]
        if base_apps is not None:  # three-way: only cells untouched since the pull
            base_ids = pd.Series(base_apps.ids())
            base_col = pd.Series(base_apps.column(column))
            base_map = dict(zip(base_ids, base_col, strict=True))
            keep = [
                base_map.get(str(read_ids.at[r])) == apps_t.cell(r, column) for r in values.index
            ]
            values = values[keep]
        kind: Kind = "int" if column == "follow_ups_sent" else "date"
        plan.changes += column_changes(apps_t, column, values, read_ids, values.index, kind)
        text.loc[values.index, column] = values
    if drafts_t is not None:  # a sent draft without a date was sent today
        sent_blank = drafts.index[
            (drafts["status"] == "sent") & drafts["sent_on"].str.strip().eq("")
        ]
        if len(sent_blank):
            plan.changes += column_changes(
                drafts_t,
                "sent_on",
                pd.Series(today.isoformat(), index=sent_blank),
                pd.Series(drafts_t.ids()),
                sent_blank,
                "date",
            )
        # a sent draft whose date cannot be read is not recorded; say so where it is
        unreadable = drafts.index[
            (drafts["status"] == "sent")
            & drafts["sent"].isna()
            & drafts["sent_on"].str.strip().ne("")
        ]
        if len(unreadable):
            notes = "sent_on: not a date - fix it so this send is recorded"
            plan.changes += column_changes(
                drafts_t,
                "lint",
                pd.Series(notes, index=unreadable, dtype=object),
                pd.Series(drafts_t.ids()),
                unreadable,
            )
    thanked = feedback_thanks(workbook.get(FEEDBACK), drafts, today, config.date_order)
    plan.changes += thanked
    written = text.copy()  # what the sheet will hold: Feedback rows come from this
    effective = apply_skips(text, drafts, config.date_order)

    # 3. the policy
    typed, problems = parse_applications(effective, config.date_order)
    problems = problems.where(
        ~duplicated,
        (problems + "; ").str.lstrip("; ")
        + "id: the same id is on more than one row - make it unique",
    )
    calendar = Calendar.from_config(config)
    result = policy(typed, problems, today, config.rules, calendar)
    result["note_due"] = note_due(typed, result, today, config, calendar)
    result.loc[blank, ["next_action", "why", "problems"]] = ""
    result.loc[blank, "due_on"] = pd.NaT
    result.loc[blank, "note_due"] = pd.NaT
    typed["id"] = text["id"]

    # 4. Drafts: the applications' drafts are built (on other cores, when there
    # are many) while this process plans the Applications and Feedback cells.
    current_text = (
        dict(
            zip(
                drafts_t.ids(),
                zip(drafts_t.column("subject"), drafts_t.column("body"), strict=True),
                strict=True,
            )
        )
        if drafts_t is not None
        else {}
    )
    drafting = start_drafts(
        typed[active], effective[active], result[active], config, memory or {}, current_text
    )
    try:
        owned = {
            "next_action": result["next_action"].astype(object),
            "due_on": iso_text(result["due_on"]),
            "why": result["why"].astype(object),
            "problems": result["problems"].astype(object),
        }
        rows = text.index[active.to_numpy()]
        for column in APP_OWNED_COLUMNS:
            is_date = column == "due_on"
            plan.changes += column_changes(
                apps_t, column, owned[column], read_ids, rows, "date" if is_date else "text"
            )

        # 5. Feedback tab
        fb = _plan_feedback(workbook, written, typed, active, thanked, today, config)
        plan.changes += fb.changes
        plan.appends += fb.appends
        combined, fb_result, feedback_wants = fb.frame, fb.result, fb.thank_yous
        if early is not None:  # the Applications and Feedback cells are all planned now
            _add_needed_columns(plan, workbook)
            early(plan, False)
        feedback_items = feedback_agenda(combined, fb_result, today)
        wanted = drafting.finish(feedback_wants)
    finally:
        drafting.cancel()  # only when failing: finish() has collected the workers
    merged = merge(drafts_t, wanted, memory or {}, config)
    plan.changes += merged.changes
    plan.appends += merged.appends
    _add_needed_columns(plan, workbook)
    if early is not None:  # the plan is whole: its writing can start before the agenda
        early(plan, True)

    # 6. Agenda
    agenda = _agenda(typed, result, rows, merged)
    agenda += feedback_items
    agenda.sort(key=lambda i: (i.due_on, i.company.lower(), i.action))

    apps_view = pd.DataFrame(
        {"id": text["id"], "company": text["company"], "role": text["role"], **owned}
    )
    problem_rows = int((active & result["problems"].ne("")).sum())
    return Outcome(
        workbook,
        plan,
        apps_view,
        agenda,
        merged,
        feedback_rows_added=len(fb.appends),
        problem_rows=problem_rows,
    )


def _add_needed_columns(plan: Plan, workbook: Workbook) -> None:
    """Columns a change needs but the tab lacks (an `id` column, a write-back
    column) are appended on the right, like sheetsync's own columns."""
    needed = dict.fromkeys((c.tab, c.column) for c in plan.changes)  # ordered, no repeats
    appended: dict[str, dict[str, str]] = {}  # tab -> the columns its new rows fill, in order
    for a in plan.appends:
        appended.setdefault(a.tab, {}).update(a.values)  # keys at C speed; values unused
    needed.update(((tab, name), None) for tab, names in appended.items() for name in names)
    for tab_name, name in needed:
        table = workbook.get(tab_name)
        if table is not None and name not in table.columns:
            extra = plan.new_columns.setdefault(tab_name, [])
            if name not in extra:
                extra.append(name)


def _agenda(
    typed: pd.DataFrame, result: pd.DataFrame, rows: pd.Index, merged: DraftMerge
) -> list[AgendaItem]:
    subjects: dict[tuple[str, str], list[dict[str, str]]] = {}
    for draft in merged.open_drafts:
        subjects.setdefault((draft["app_id"], draft["action"]), []).append(draft)
    items = []
    has_action = result["next_action"].ne("").to_numpy() & result["due_on"].notna().to_numpy()
    picked = rows[has_action[rows]]
    # plain lists, walked together: indexing numpy arrays item by item is slow
    columns = zip(
        typed.loc[picked, "id"].astype(str).tolist(),
        typed.loc[picked, "company"].astype(str).str.strip().tolist(),
        typed.loc[picked, "role"].astype(str).str.strip().tolist(),
        result.loc[picked, "next_action"].astype(str).tolist(),
        plain_dates(result.loc[picked, "due_on"]),
        result.loc[picked, "why"].astype(str).tolist(),
        iso_text(result.loc[picked, "basis"]).tolist() if "basis" in result else [""] * len(picked),
        strict=True,
    )
    for app_id, company, role, action, due, why, basis in columns:
        drafts = subjects.get((app_id, action))
        items.append(
            AgendaItem(
                f"{app_id}:{action}:{basis}",
                APPLICATIONS,
                app_id,
                company,
                role,
                action,
                due,
                why,
                drafts[0]["subject"] if drafts else "",
                ", ".join([d["to_name"] or d["to_email"] for d in drafts]) if drafts else "",
            )
        )
    for draft in merged.open_drafts:
        if (
            draft["action"] == "thank_you_note"
            and draft["due_on"]
            and draft.get("status") != "obsolete"
        ):
            items.append(
                AgendaItem(
                    uid=draft["draft_id"],
                    tab=DRAFTS,
                    app_id=draft["app_id"],
                    company=draft["company"],
                    role=draft["role"],
                    action="thank_you_note",
                    due_on=dt.date.fromisoformat(draft["due_on"]),
                    why=f"Handwritten thank-you note to {draft['to_name'] or 'your interviewer'}"
                    " - post it within two business days of the interview",
                    to=draft["to_name"],
                )
            )
    return items


# -- running against a backend -----------------------------------------------------------


@dataclass
class RunOptions:
    today: dt.date
    dry_run: bool = False
    command: str = "sync"
    new_id: IdFactory = random_id


def pull(backend: Backend, state: State, config: Config, options: RunOptions) -> Outcome:
    """Read every tab, compute, and keep the snapshot; writes nothing to the sheet."""
    with state.lock():
        workbook = backend.read()
        outcome = compute(
            workbook, options.today, config, memory=state.rendered(), new_id=options.new_id
        )
        state.save_snapshot(workbook, options.today)
        return outcome


def push(backend: Backend, state: State, config: Config, options: RunOptions) -> Outcome:
    """Write back what the last pull computed, recomputed for the sheet as it is now."""
    with state.lock():
        snap = state.load_snapshot()
        if snap is None:
            from sheetsync.errors import SheetsyncError

            raise SheetsyncError(
                "nothing to push: this sheet has not been pulled yet",
                hint="run `sheetsync pull` first, or `sheetsync sync`",
            )
        if state.snapshot_is_stale():
            from sheetsync.errors import SheetsyncError

            raise SheetsyncError(
                "the last pull is older than the last push to this sheet",
                hint="run `sheetsync pull` again (or use `sheetsync sync`)",
            )
        base, _ = snap
        return _push(backend, state, config, options, base)


def sync(backend: Backend, state: State, config: Config, options: RunOptions) -> Outcome:
    """Pull then push in one run (what cron runs)."""
    with state.lock():
        return _push(backend, state, config, options, None)


def _push(
    backend: Backend, state: State, config: Config, options: RunOptions, base: Workbook | None
) -> Outcome:
    theirs = backend.read()
    memory = state.rendered()
    outcome = compute(
        theirs, options.today, config, base=base, memory=memory, new_id=options.new_id
    )
    # Only texts that differ from what is remembered need writing to the state DB.
    fresh = [r for r in outcome.drafts.rendered if memory.get(r[0]) != r[1:]]
    if options.dry_run or not outcome.plan:
        if not options.dry_run:
            state.remember_rendered(fresh)
        return outcome
    # Logged before anything reaches the sheet: a run killed mid-write can be undone.
    push_id = state.begin_push(outcome.plan, theirs, options.command)
    outcome.report = backend.write(outcome.plan, theirs)
    outcome.push_id = push_id
    state.finish_push(push_id, fresh)
    return outcome


@dataclass
class UndoResult:
    push_id: int | None
    restored: int = 0
    skipped: list[str] = field(default_factory=list)


def undo(backend: Backend, state: State) -> UndoResult:
    """Restore the cells the last push changed, where they still hold what it wrote."""
    from sheetsync.tracker.changes import same_value

    with state.lock():
        last = next(
            (
                p
                for p in state.pushes(50)
                if p.undone_by is None
                and p.cells
                and p.finished_at
                and not p.command.startswith("undo")
            ),
            None,
        )
        if last is None:
            return UndoResult(None)
        workbook = backend.read()
        plan = Plan()
        result = UndoResult(last.id)
        for cell in state.push_cells(last.id):
            if cell.column == ROW_ADDED:  # rows are never deleted, not even by undo
                result.skipped.append(f"{cell.tab} {cell.row_id}: row added by that push, kept")
                continue
            table = workbook.get(cell.tab)
            if table is None:
                result.skipped.append(f"{cell.tab} is gone")
                continue
            position = _find(table, cell.row_id, cell.column, cell.old)
            if position is None:
                result.skipped.append(f"{cell.tab} {cell.row_id or '(new id)'}: row not found")
                continue
            now = table.cell(position, cell.column)
            kind: Kind = "date" if cell.kind == "date" else "int" if cell.kind == "int" else "text"
            if not same_value(now, cell.new, kind):
                result.skipped.append(
                    f"{cell.tab} {cell.row_id} {cell.column}: changed since (now {now!r}), kept"
                )
                continue
            key = table.ids()[position]
            plan.changes.append(
                CellChange(cell.tab, position, key, cell.column, now, cell.old, kind)
            )
        if plan:
            push_id = state.begin_push(plan, workbook, f"undo {last.id}")
            report = backend.write(plan, workbook)
            state.finish_push(push_id, [])
            state.mark_undone(last.id, push_id)
            result.restored = report.written
            result.skipped += report.dropped
        else:
            state.mark_undone(last.id, 0)
        return result


def _find(table: Table, row_id: str, column: str, old: str) -> int | None:
    ids = table.ids()
    if row_id:
        matches = [i for i, key in enumerate(ids) if key == row_id]
        return matches[0] if len(matches) == 1 else None
    return None


def read_only(
    backend: Backend, config: Config, today: dt.date, state: State | None = None
) -> Outcome:
    """Compute without locking or writing (agenda, lint, feedback report)."""
    memory = state.rendered() if state is not None else {}
    return compute(backend.read(), today, config, memory=memory)


__all__ = ["compute", "pull", "push", "sync", "undo", "read_only", "Outcome", "RunOptions"]

"""sheetsync as a library: ``pull``, ``push`` and ``sync``.

Every write follows plan-then-apply: :func:`compute` turns a workbook (and,
for a push, the snapshot taken at pull) into a :class:`~sheetsync.plan.Plan`
without any I/O; a backend then applies the plan in one go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .agenda import AgendaItem
from .backends.base import Backend, WriteReport
from .changes import column_changes
from .config import Config
from .drafts import FOLLOW_UP_ACTIONS, MESSAGE_ACTIONS, DraftMerge, Wanted, make_draft_id, merge
from .errors import LayoutError
from .plan import CellChange, Kind, Plan, RowAppend
from .schema import (
    APP_OWNED_COLUMNS,
    APP_USER_COLUMNS,
    APPLICATIONS,
    DRAFTS,
    ENSURED_COLUMNS,
    FEEDBACK,
    FEEDBACK_OWNED_COLUMNS,
    TABS,
)
from .state import ROW_ADDED, State
from .table import Table, Workbook

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


def _iso(series: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYY-MM-DD' text, NaT -> ''."""
    out = series.dt.strftime("%Y-%m-%d")
    return out.where(series.notna(), "").astype(object)


def _date(value: Any) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _iso_date(value: Any) -> str:
    day = _date(value)
    return day.isoformat() if day else ""


# -- closing the loop: sent and skipped drafts ------------------------------------------


def _draft_frame(table: Table | None, date_order: str) -> pd.DataFrame:
    from .values import parse_dates

    cols = ["draft_id", "app_id", "action", "status", "sent_on", "due_on"]
    if table is None:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return empty.assign(
            sent=pd.Series(dtype="datetime64[ns]"), due=pd.Series(dtype="datetime64[ns]")
        )
    frame = table.frame(cols)
    frame["status"] = frame["status"].str.strip().str.lower()
    frame["app_id"] = frame["app_id"].str.strip()
    frame["action"] = frame["action"].str.strip()
    frame["sent"], _ = parse_dates(frame["sent_on"], date_order)
    frame["due"], _ = parse_dates(frame["due_on"], date_order)
    return frame


def _write_backs(
    text: pd.DataFrame,
    drafts: pd.DataFrame,
    today: dt.date,
    date_order: str,
) -> dict[str, pd.Series]:
    """New values for the user-owned cells a sent draft records, per column.

    Only cells that are blank or hold a readable, older date change, so applying
    the same sent drafts again changes nothing: each is recorded once.  A cell
    sheetsync cannot read is never written (its row has a problem note), and a
    draft whose ``sent_on`` cannot be read is not recorded (its lint says why).
    """
    from .values import parse_dates

    live = drafts["status"].isin(["draft", "approved", ""])
    sent = drafts[
        (drafts["status"] == "sent")
        & (drafts["sent"].notna() | drafts["sent_on"].str.strip().eq(""))
    ].copy()
    sent["when"] = sent["sent"].fillna(pd.Timestamp(today))
    by_id = pd.Series(text.index, index=text["id"].str.strip())
    by_id = by_id[~by_id.index.duplicated(keep=False) & (by_id.index != "")]
    out: dict[str, pd.Series] = {}

    def readable(column: str, rows: np.ndarray) -> tuple[pd.Series, np.ndarray]:
        values, errors = parse_dates(text.loc[rows, column], date_order)
        return values, errors.eq("").to_numpy(copy=True)

    def latest(column: str, rows: pd.DataFrame) -> None:
        when = rows.groupby("app_id")["when"].max()
        when = when[when.index.isin(by_id.index)]
        if when.empty:
            return
        target = by_id.loc[when.index].to_numpy()
        current, ok = readable(column, target)
        newer = ok & (current.isna().to_numpy() | (current.to_numpy() < when.to_numpy()))
        if newer.any():
            out[column] = pd.Series(
                when.dt.strftime("%Y-%m-%d").to_numpy()[newer], index=target[newer]
            )

    # thank-you: recorded once every live thank-you draft of the application is done
    thanks = drafts["action"] == "thank_you_email"
    pending = drafts.loc[thanks & live, "app_id"]
    latest(
        "thank_you_sent_on",
        sent[(sent["action"] == "thank_you_email") & ~sent["app_id"].isin(pending)],
    )
    latest("feedback_requested_on", sent[sent["action"] == "request_feedback"])

    # follow-ups: each sent one counts once, with any skipped step before it
    steps = drafts[drafts["action"].isin(FOLLOW_UP_ACTIONS) & drafts["app_id"].isin(by_id.index)]
    steps = pd.concat(
        [
            sent[sent["action"].isin(FOLLOW_UP_ACTIONS)].assign(is_sent=True),
            steps[steps["status"].eq("skipped") & steps["due"].notna()].assign(
                when=lambda f: f["due"], is_sent=False
            ),
        ]
    )
    steps = steps[steps["app_id"].isin(by_id.index)]
    if steps.empty:
        return out
    rows = by_id.loc[steps["app_id"]].to_numpy()
    last, ok = readable("last_follow_up_on", rows)
    count_text = text.loc[rows, "follow_ups_sent"].str.strip()
    count = pd.to_numeric(count_text, errors="coerce")
    ok &= (count_text.eq("") | (count.notna() & (count >= 0))).to_numpy()
    fresh = steps[ok & (last.isna().to_numpy() | (last.to_numpy() < steps["when"].to_numpy()))]
    fresh = fresh[fresh["app_id"].isin(fresh.loc[fresh["is_sent"], "app_id"])]
    if fresh.empty:
        return out  # only skipped steps: counted in memory, never written
    counts = fresh.groupby("app_id").agg(steps=("when", "count"))
    counts["last"] = fresh[fresh["is_sent"]].groupby("app_id")["when"].max()
    target = by_id.loc[counts.index].to_numpy()
    n = pd.to_numeric(text.loc[target, "follow_ups_sent"].str.strip(), errors="coerce")
    n = n.fillna(0).astype(int).to_numpy()
    # The employer was in touch after our last follow-up: the count starts afresh,
    # as the policy already treats it, so one new note is not taken for the last.
    heard, _ = parse_dates(text.loc[target, "last_heard_on"], date_order)
    prior, _ = parse_dates(text.loc[target, "last_follow_up_on"], date_order)
    reset = (heard.notna() & (prior.isna() | (heard > prior))).to_numpy()
    n = np.where(reset, 0, n) + counts["steps"].to_numpy()
    out["follow_ups_sent"] = pd.Series([str(v) for v in n], index=target)
    out["last_follow_up_on"] = pd.Series(
        counts["last"].dt.strftime("%Y-%m-%d").to_numpy(), index=target
    )
    return out


def _feedback_thanks(
    fb_table: Table | None, drafts: pd.DataFrame, today: dt.date, date_order: str
) -> list[CellChange]:
    """``thanked_on`` for Feedback rows whose thank-you draft was sent (blank or older only)."""
    from .values import parse_dates

    if fb_table is None or not fb_table.rows:
        return []
    sent = drafts[(drafts["action"] == "thank_for_feedback") & (drafts["status"] == "sent")]
    sent = sent[sent["sent"].notna() | sent["sent_on"].str.strip().eq("")]
    if sent.empty:
        return []
    when = sent.assign(
        fb=sent["draft_id"].str.split(":").str[0], when=sent["sent"].fillna(pd.Timestamp(today))
    )
    latest = when.groupby("fb")["when"].max()
    ids = fb_table.ids()
    current = fb_table.column("thanked_on")
    parsed, errors = parse_dates(pd.Series(current, dtype=object), date_order)
    days: list[Any] = list(parsed)
    unique = {key for key, n in Counter(ids).items() if n == 1}
    changes = []
    for row, key in enumerate(ids):
        if key not in latest.index or key not in unique or errors.iat[row]:
            continue
        day = latest[key]
        if pd.isna(days[row]) or days[row] < day:
            iso = day.strftime("%Y-%m-%d")
            changes.append(CellChange(FEEDBACK, row, key, "thanked_on", current[row], iso, "date"))
    return changes


def _apply_skips(text: pd.DataFrame, drafts: pd.DataFrame, date_order: str) -> pd.DataFrame:
    """Treat ``skipped`` drafts as done on their due date, in memory only."""
    from .values import parse_dates

    skipped = drafts[(drafts["status"] == "skipped") & drafts["due"].notna()]
    if skipped.empty:
        return text
    text = text.copy()
    ids = text["id"].str.strip()
    live = drafts["status"].isin(["draft", "approved", ""])
    # a thank-you step passes only once no live thank-you of the application is left
    waiting = set(drafts.loc[live & (drafts["action"] == "thank_you_email"), "app_id"])
    skipped = skipped[~((skipped["action"] == "thank_you_email") & skipped["app_id"].isin(waiting))]
    for action, column in (
        ("thank_you_email", "thank_you_sent_on"),
        ("request_feedback", "feedback_requested_on"),
    ):
        done = skipped[skipped["action"] == action].groupby("app_id")["due"].max()
        rows = ids.isin(done.index) & text[column].str.strip().eq("")
        if not rows.any():
            continue
        text.loc[rows, column] = ids[rows].map(done).dt.strftime("%Y-%m-%d")
    follow = skipped[skipped["action"].isin(FOLLOW_UP_ACTIONS)]
    if not follow.empty:
        last, _ = parse_dates(text["last_follow_up_on"], date_order)
        last_by_id = pd.Series(last.to_numpy(), index=ids)
        last_by_id = last_by_id[~last_by_id.index.duplicated()]
        prior = follow["app_id"].map(last_by_id)
        fresh = follow[prior.isna() | (prior < follow["due"])]
        counts = fresh.groupby("app_id")["due"].agg(["count", "max"])
        rows = ids.isin(counts.index)
        if not rows.any():
            return text
        n = pd.to_numeric(text.loc[rows, "follow_ups_sent"].str.strip(), errors="coerce")
        text.loc[rows, "follow_ups_sent"] = (
            n.fillna(0).astype(int) + ids[rows].map(counts["count"])
        ).astype(str)
        text.loc[rows, "last_follow_up_on"] = ids[rows].map(counts["max"]).dt.strftime("%Y-%m-%d")
    return text


def _note_due(
    typed: pd.DataFrame, result: pd.DataFrame, today: dt.date, config: Config, calendar: Any
) -> pd.Series:
    """When the handwritten note is due, for open interviewed rows that asked for one.

    Independent of the thank-you e-mail: sending the e-mail first must not
    cancel the note, which stays due until its own draft is sent or skipped.
    """
    from .bizdays import add_business_days

    interview = typed["interview_on"]
    wanted = (
        typed["handwritten_note"].astype(bool)
        & interview.notna()
        & (interview <= pd.Timestamp(today))
        & typed["status"].eq("open")
        & result["problems"].eq("")
    )
    due = add_business_days(interview, config.rules.note_within_business_days, calendar)
    return due.where(wanted, pd.NaT)


# -- drafts wanted ---------------------------------------------------------------------


def _recipients(row: Mapping[str, Any], action: str) -> list[tuple[str, str]]:
    from .values import parse_interviewers

    contact = (str(row.get("contact_name", "")).strip(), str(row.get("contact_email", "")).strip())
    people = parse_interviewers(str(row.get("interviewers", "")))
    if action in ("thank_you_email", "thank_you_note"):
        return people or [contact]
    if any(contact):
        return [contact]
    return people[:1] or [contact]


def _template_signature(config: Config) -> str:
    """Changes whenever a template file, the sender or a lint limit changes."""
    from .resources import templates_dir

    digest = hashlib.sha1(
        repr(
            (config.me, config.email_word_limit, config.note_word_limit, config.date_order)
        ).encode()
    )
    folders = [templates_dir()]
    if config.templates_dir:
        folders.append(Path(config.templates_dir).expanduser())
    for folder in folders:
        for path in sorted(folder.glob("*.j2")) if folder.is_dir() else []:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint(signature: str, template: str, row_hash: int, people: Any) -> str:
    text = repr((signature, template, row_hash, people))
    return hashlib.sha1(text.encode()).hexdigest()


def _wanted_drafts(
    typed: pd.DataFrame,
    text: pd.DataFrame,
    result: pd.DataFrame,
    feedback_wants: list[tuple[dict[str, Any], str, str]],
    config: Config,
    memory: Mapping[str, tuple[str, ...]],
    current: Mapping[str, tuple[str, str]],
) -> list[Wanted]:
    """Every draft the tracker calls for.

    A draft whose inputs (application row, recipients, templates, sender) are
    those it was last rendered from, and whose text is still what sheetsync
    wrote, is not rendered again: that keeps a steady-state sync cheap.
    """
    from .render import Renderer, build_context

    renderer = Renderer(config)
    signature = _template_signature(config)
    wanted: list[Wanted] = []
    message = result["next_action"].isin([a for a in MESSAGE_ACTIONS if a != "thank_you_note"])
    has_note = "note_due" in result
    notes = result["note_due"].notna() if has_note else pd.Series(False, result.index)
    selected = (message | notes).to_numpy()
    rows = result.index[selected]
    records: list[dict[str, Any]] = typed.loc[rows].to_dict("records")  # type: ignore[assignment]
    # One vectorised hash per row of the cells as typed: the draft's inputs.
    row_hashes = pd.util.hash_pandas_object(text.loc[rows], index=False).to_numpy()
    due = result["due_on"].to_numpy()[selected]
    basis = result["basis"].to_numpy()[selected]
    note_due = result["note_due"].to_numpy()[selected] if has_note else None
    interviewed = result["interviewed"].to_numpy()[selected]
    action_names = result["next_action"].to_numpy()[selected]
    message_rows = message.to_numpy()[selected]
    note_rows = notes.to_numpy()[selected]
    for i, app in enumerate(records):
        app_id = str(app["id"]).strip()
        jobs: list[tuple[str, Any, Any]] = []
        if message_rows[i]:
            jobs.append((str(action_names[i]), due[i], basis[i]))
        if note_rows[i] and note_due is not None:
            jobs.append(("thank_you_note", note_due[i], app.get("interview_on")))
        for job, when, since in jobs:
            template = MESSAGE_ACTIONS[job]
            if job == "request_feedback":
                template += "_interviewed" if bool(interviewed[i]) else "_not_interviewed"
            people = _recipients(app, job)
            emails = [p[1] for p in people if p[1]]
            # people sharing one address (team@...) still get a draft each
            keys_of = [(p[0], f"{p[0]} {p[1]}" if emails.count(p[1]) > 1 else p[1]) for p in people]
            ids = [make_draft_id(app_id, job, k, _date(since)) for k in keys_of]
            inputs = _fingerprint(signature, template, int(row_hashes[i]), people)
            reuse = all(
                len(memory.get(d, ())) == 3
                and memory[d][2] == inputs
                and current.get(d) == memory[d][:2]
                for d in ids
            )
            if reuse:
                texts = [(memory[d][0], memory[d][1], "") for d in ids]
            else:
                keys = [f"{app_id}|{k[1] or k[0]}" for k in keys_of]
                contexts = [build_context(app, p, config.me) for p in people]
                rendered = renderer.render_many(template, contexts, keys)
                texts = [(r.subject, r.body, r.error) for r in rendered]
            for draft_id, person, (subject, body, error) in zip(ids, people, texts, strict=True):
                wanted.append(
                    Wanted(
                        draft_id=draft_id,
                        app_id=app_id,
                        company=str(app.get("company", "")).strip(),
                        role=str(app.get("role", "")).strip(),
                        action=job,
                        channel="note" if job == "thank_you_note" else "email",
                        to_name=person[0],
                        to_email=person[1],
                        due_on=_iso_date(when),
                        subject=subject if job != "thank_you_note" else "",
                        body=body,
                        error=error,
                        has_notes=_has_text(app.get("notes")),
                        inputs=inputs,
                        reused=reuse,
                    )
                )
    for app, fb_id, when in feedback_wants:
        person = (
            str(app.get("contact_name", "")).strip(),
            str(app.get("contact_email", "")).strip(),
        )
        context = build_context(app, person, config.me)
        context["feedback_response"] = app.get("_response", "")
        out = renderer.render_many("thank_for_feedback", [context], [f"{fb_id}|{person[1]}"])[0]
        wanted.append(
            Wanted(
                draft_id=f"{fb_id}:thank_for_feedback:{person[1] or 'contact'}",
                app_id=str(app.get("id", "")).strip(),
                company=str(app.get("company", "")).strip(),
                role=str(app.get("role", "")).strip(),
                action="thank_for_feedback",
                channel="email",
                to_name=person[0],
                to_email=person[1],
                due_on=when,
                subject=out.subject,
                body=out.body,
                error=out.error,
            )
        )
    return wanted


# -- the computation -------------------------------------------------------------------


def compute(
    workbook: Workbook,
    today: dt.date,
    config: Config,
    *,
    base: Workbook | None = None,
    memory: Mapping[str, tuple[str, ...]] | None = None,
    new_id: IdFactory = random_id,
) -> Outcome:
    """Plan everything a push would write to ``workbook`` (pure: no I/O).

    ``base`` is the snapshot taken at pull; user-owned cells are written back
    (sent drafts) only where they still hold what they held then.
    """
    from .bizdays import Calendar
    from .feedback import compute_feedback, feedback_agenda, new_feedback_rows
    from .policy import compute as policy
    from .themes import load_themes
    from .values import parse_applications

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
    drafts = _draft_frame(drafts_t, config.date_order)
    base_apps = base.get(APPLICATIONS) if base is not None else None
    for column, values in _write_backs(text, drafts, today, config.date_order).items():
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
    thanked = _feedback_thanks(workbook.get(FEEDBACK), drafts, today, config.date_order)
    plan.changes += thanked
    written = text.copy()  # what the sheet will hold: Feedback rows come from this
    effective = _apply_skips(text, drafts, config.date_order)

    # 3. the policy
    typed, problems = parse_applications(effective, config.date_order)
    problems = problems.where(
        ~duplicated,
        (problems + "; ").str.lstrip("; ")
        + "id: the same id is on more than one row - make it unique",
    )
    calendar = Calendar.from_config(config)
    result = policy(typed, problems, today, config.rules, calendar)
    result["note_due"] = _note_due(typed, result, today, config, calendar)
    result.loc[blank, ["next_action", "why", "problems"]] = ""
    result.loc[blank, "due_on"] = pd.NaT
    result.loc[blank, "note_due"] = pd.NaT
    typed["id"] = text["id"]

    owned = {
        "next_action": result["next_action"].astype(object),
        "due_on": _iso(result["due_on"]),
        "why": result["why"].astype(object),
        "problems": result["problems"].astype(object),
    }
    rows = text.index[active.to_numpy()]
    for column in APP_OWNED_COLUMNS:
        kind = "date" if column == "due_on" else "text"  # type: ignore[assignment]
        plan.changes += column_changes(apps_t, column, owned[column], read_ids, rows, kind)

    # 4. Feedback tab
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
            kind = "date" if column == "due_on" else "text"  # type: ignore[assignment]
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
    for i in fb_result.index[thank.to_numpy()]:
        app = dict(app_by_id.get(str(combined.at[i, "app_id"]).strip(), {}))
        if not app:
            continue
        app["_response"] = str(combined.at[i, "response"])
        fb_id = str(combined.at[i, "feedback_id"]).strip() or f"fb-{app['id']}"
        feedback_wants.append((app, fb_id, str(fb_result.at[i, "due_on"])))

    # 5. Drafts
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
    wanted = _wanted_drafts(
        typed[active],
        effective[active],
        result[active],
        feedback_wants,
        config,
        memory or {},
        current_text,
    )
    merged = merge(drafts_t, wanted, memory or {}, config)
    plan.changes += merged.changes
    plan.appends += merged.appends

    # 6. Agenda
    agenda = _agenda(typed, result, rows, merged)
    agenda += feedback_agenda(combined, fb_result, today)
    agenda.sort(key=lambda i: (i.due_on, i.company.lower(), i.action))

    # Columns a change needs but the tab lacks (an `id` column, a write-back
    # column) are appended on the right, like sheetsync's own columns.
    needed = [(c.tab, c.column) for c in plan.changes]
    needed += [(a.tab, name) for a in plan.appends for name in a.values]
    for tab_name, name in needed:
        table = workbook.get(tab_name)
        if table is not None and name not in table.columns:
            extra = plan.new_columns.setdefault(tab_name, [])
            if name not in extra:
                extra.append(name)

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
        feedback_rows_added=len(new_fb),
        problem_rows=problem_rows,
    )


def _agenda(
    typed: pd.DataFrame, result: pd.DataFrame, rows: pd.Index, merged: DraftMerge
) -> list[AgendaItem]:
    subjects: dict[tuple[str, str], list[dict[str, str]]] = {}
    for draft in merged.open_drafts:
        subjects.setdefault((draft["app_id"], draft["action"]), []).append(draft)
    items = []
    has_action = result["next_action"].ne("").to_numpy() & result["due_on"].notna().to_numpy()
    picked = rows[has_action[rows]]
    ids = typed.loc[picked, "id"].astype(str).to_numpy()
    companies = typed.loc[picked, "company"].astype(str).str.strip().to_numpy()
    roles = typed.loc[picked, "role"].astype(str).str.strip().to_numpy()
    actions = result.loc[picked, "next_action"].astype(str).to_numpy()
    whys = result.loc[picked, "why"].astype(str).to_numpy()
    dues = [d.date() for d in pd.DatetimeIndex(result.loc[picked, "due_on"])]
    bases = _iso(result.loc[picked, "basis"]).to_numpy() if "basis" in result else None
    for i, app_id in enumerate(ids):
        action = str(actions[i])
        drafts = subjects.get((app_id, action), [])
        items.append(
            AgendaItem(
                uid=f"{app_id}:{action}:{bases[i] if bases is not None else ''}",
                tab=APPLICATIONS,
                app_id=app_id,
                company=str(companies[i]),
                role=str(roles[i]),
                action=action,
                due_on=dues[i],
                why=str(whys[i]),
                subject=drafts[0]["subject"] if drafts else "",
                to=", ".join(d["to_name"] or d["to_email"] for d in drafts),
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
            from .errors import SheetsyncError

            raise SheetsyncError(
                "nothing to push: this sheet has not been pulled yet",
                hint="run `sheetsync pull` first, or `sheetsync sync`",
            )
        if state.snapshot_is_stale():
            from .errors import SheetsyncError

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
    outcome = compute(
        theirs, options.today, config, base=base, memory=state.rendered(), new_id=options.new_id
    )
    if options.dry_run or not outcome.plan:
        if not options.dry_run:
            state.remember_rendered(outcome.drafts.rendered)
        return outcome
    push_id = state.begin_push(outcome.plan, theirs, options.command)
    outcome.report = backend.write(outcome.plan, theirs)
    outcome.push_id = push_id
    state.finish_push(push_id, outcome.drafts.rendered)
    return outcome


@dataclass
class UndoResult:
    push_id: int | None
    restored: int = 0
    skipped: list[str] = field(default_factory=list)


def undo(backend: Backend, state: State) -> UndoResult:
    """Restore the cells the last push changed, where they still hold what it wrote."""
    from .changes import same_value

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


__all__ = ["compute", "pull", "push", "sync", "undo", "read_only", "Outcome", "RunOptions", "np"]

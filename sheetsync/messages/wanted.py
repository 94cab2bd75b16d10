"""Which drafts the tracker calls for, rendered (or reused when nothing changed).

``wanted_drafts`` turns the policy's result into :class:`~sheetsync.drafts.Wanted`
messages, one per recipient; :func:`sheetsync.drafts.merge` then reconciles
them with the Drafts tab.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.config import Config
from sheetsync.messages.merge import MESSAGE_ACTIONS, Wanted, make_draft_id
from sheetsync.tracker.changes import iso_text, plain_dates


def _compact(dates: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYYMMDD' text (as in draft ids), NaT -> ''."""
    return dates.dt.strftime("%Y%m%d").where(dates.notna(), "").astype(object)


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """The frame's columns as plain lists, dates as ``datetime.date`` (None when blank).

    A row of them is what ``to_dict("records")`` gives, but without boxing
    every date in a pandas Timestamp (most of its time on a large tracker);
    templates see the same dates either way.
    """
    columns = [
        plain_dates(frame[name]) if frame[name].dtype.kind == "M" else frame[name].tolist()
        for name in frame.columns
    ]
    return list(frame.columns), columns


class _RowHashes:
    """A hash per selected row of its cells as typed (a draft's inputs), made a
    block of rows at a time, vectorised, when a row of the block is first asked for."""

    BLOCK = 1024

    def __init__(self, text: pd.DataFrame, rows: pd.Index) -> None:
        self._text = text.loc[rows]  # one copy: a block is then a slice of it
        self._done: dict[int, list[int]] = {}

    def __getitem__(self, i: int) -> int:
        block, at = divmod(i, self.BLOCK)
        hashes = self._done.get(block)
        if hashes is None:
            frame = self._text.iloc[block * self.BLOCK : (block + 1) * self.BLOCK]
            hashes = self._done[block] = pd.util.hash_pandas_object(frame, index=False).tolist()
        return hashes[at]


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def note_due(
    typed: pd.DataFrame, result: pd.DataFrame, today: dt.date, config: Config, calendar: Any
) -> pd.Series:
    """When the handwritten note is due, for open interviewed rows that asked for one.

    Independent of the thank-you e-mail: sending the e-mail first must not
    cancel the note, which stays due until its own draft is sent or skipped.
    """
    from sheetsync.policy.bizdays import add_business_days

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


@lru_cache(maxsize=65536)
def _interviewers(text: str) -> tuple[tuple[str, str], ...]:
    from sheetsync.tracker.values import parse_interviewers

    return tuple(parse_interviewers(text))


def recipients(row: Mapping[str, Any], action: str) -> list[tuple[str, str]]:
    contact = (str(row.get("contact_name", "")).strip(), str(row.get("contact_email", "")).strip())
    people = list(_interviewers(str(row.get("interviewers", ""))))
    if action in ("thank_you_email", "thank_you_note"):
        return people or [contact]
    if any(contact):
        return [contact]
    return people[:1] or [contact]


def template_signature(config: Config) -> str:
    """Changes whenever a template file, the sender or a lint limit changes."""
    from sheetsync.resources import templates_dir

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


def fingerprint(signature: str, template: str, row_hash: int, people: Any) -> str:
    text = repr((signature, template, row_hash, people))
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class _Job:
    """One message of one application, to render for each of its recipients."""

    template: str
    action: str
    app: dict[str, Any]
    people: list[tuple[str, str]]
    keys: list[str]  # one per recipient: picks the wording
    response: str | None = None  # thank_for_feedback: the feedback being thanked for


#: What a job gives per recipient: subject, body, template error, lint problems, mailto link.
Finished = tuple[str, str, str, "tuple[str, ...] | None", str]


def _finisher(config: Config) -> Callable[[_Job], list[Finished]]:
    """Render, lint and link one job (pure, so it can run in a worker process)."""
    from sheetsync.messages.lint import lint_message
    from sheetsync.messages.merge import mailto
    from sheetsync.messages.render import Renderer, build_context, channel_for

    renderer = Renderer(config)

    def finish(job: _Job) -> list[Finished]:
        contexts = [build_context(job.app, person, config.me) for person in job.people]
        if job.response is not None:
            for context in contexts:
                context["feedback_response"] = job.response
        channel = channel_for(job.action)
        has_notes = _has_text(job.app.get("notes"))  # lint knows which messages need them
        out: list[Finished] = []
        rendered = renderer.render_many(job.template, contexts, job.keys)
        for person, result in zip(job.people, rendered, strict=True):
            subject = result.subject if channel == "email" else ""
            if result.error:  # linted with the template error, in merge
                out.append((subject, result.body, result.error, None, ""))
                continue
            problems = lint_message(
                job.action,
                channel,
                subject,
                result.body,
                config.me,
                email_word_limit=config.email_word_limit,
                note_word_limit=config.note_word_limit,
                has_notes=has_notes,
            )
            link = mailto(person[1], subject, result.body) if channel == "email" else ""
            out.append((subject, result.body, "", tuple(problems), link))
        return out

    return finish


def _reusable(
    ids: list[str],
    inputs: str,
    memory: Mapping[str, tuple[str, ...]],
    current: Mapping[str, tuple[str, str]],
) -> bool:
    """True when every draft was rendered from ``inputs`` and still holds that text."""
    return all(
        len(memory.get(d, ())) == 3 and memory[d][2] == inputs and current.get(d) == memory[d][:2]
        for d in ids
    )


def _draft(
    draft_id: str,
    head: tuple[str, str, str, str, str],
    person: tuple[str, str],
    when: str,
    inputs: str,
    reused_from: Mapping[str, tuple[str, ...]] | None,
    has_notes: bool = True,
) -> Wanted:
    """A wanted draft; ``head`` is (app id, company, role, action, channel).

    With ``reused_from`` (the remembered texts) its text is what was last
    rendered; without, it is filled in once rendered.
    """
    app_id, company, role, action, channel = head
    text = reused_from[draft_id][:2] if reused_from is not None else ("", "")
    return Wanted(
        draft_id=draft_id,
        app_id=app_id,
        company=company,
        role=role,
        action=action,
        channel=channel,
        to_name=person[0],
        to_email=person[1],
        due_on=when,
        subject=text[0],
        body=text[1],
        has_notes=has_notes,
        inputs=inputs,
        reused=reused_from is not None,
    )


def wanted_drafts(
    typed: pd.DataFrame,
    text: pd.DataFrame,
    result: pd.DataFrame,
    feedback_wants: list[tuple[dict[str, Any], str, str]],
    config: Config,
    memory: Mapping[str, tuple[str, ...]],
    current: Mapping[str, tuple[str, str]],
) -> list[Wanted]:
    """Every draft the tracker calls for, rendered, linted and linked.

    A draft whose inputs (application row, recipients, templates, sender) are
    those it was last rendered from, and whose text is still what sheetsync
    wrote, is not rendered again: that keeps a steady-state sync cheap.  The
    rest are rendered together, on every core when there are many.
    """
    return start_drafts(typed, text, result, config, memory, current).finish(feedback_wants)


class DraftsUnderWay:
    """The applications' drafts being built, in worker processes when there are many.

    :meth:`finish` adds the feedback thank-yous and collects everything; until
    then this process is free for other work.  :meth:`cancel` stops the workers.
    """

    def __init__(
        self,
        collect: Callable[[], list[list[Wanted]]],
        cancel: Callable[[], None],
        finish: Callable[[_Job], list[Finished]],
        signature: str,
        memory: Mapping[str, tuple[str, ...]],
        current: Mapping[str, tuple[str, str]],
    ) -> None:
        self._collect, self.cancel = collect, cancel
        self._finish, self._signature = finish, signature
        self._memory, self._current = memory, current

    def finish(self, feedback_wants: list[tuple[dict[str, Any], str, str]]) -> list[Wanted]:
        """Every draft: the applications' (in row order), then the feedback thank-yous."""
        from sheetsync.messages.render import channel_for, stable_hash

        try:
            thanks: list[Wanted] = []
            for app, fb_id, when in feedback_wants:  # few: done here while workers render
                person = (
                    str(app.get("contact_name", "")).strip(),
                    str(app.get("contact_email", "")).strip(),
                )
                draft_id = f"{fb_id}:thank_for_feedback:{person[1] or 'contact'}"
                response = str(app.get("_response", ""))
                row = stable_hash(repr(sorted(app.items(), key=lambda item: item[0])))
                inputs = fingerprint(self._signature, "thank_for_feedback", row, [person])
                reuse = _reusable([draft_id], inputs, self._memory, self._current)
                about = (
                    str(app.get("id", "")).strip(),
                    str(app.get("company", "")).strip(),
                    str(app.get("role", "")).strip(),
                    "thank_for_feedback",
                    channel_for("thank_for_feedback"),
                )
                draft = _draft(draft_id, about, person, when, inputs,
                               self._memory if reuse else None)  # fmt: skip
                thanks.append(draft)
                if not reuse:
                    job = _Job("thank_for_feedback", "thank_for_feedback", app, [person],
                               [f"{fb_id}|{person[1]}"], response)  # fmt: skip
                    _fill([draft], self._finish(job))
            rows = self._collect()
        finally:
            self.cancel()  # only when failing: collecting has ended the workers
        return [draft for drafts in rows for draft in drafts] + thanks


def start_drafts(
    typed: pd.DataFrame,
    text: pd.DataFrame,
    result: pd.DataFrame,
    config: Config,
    memory: Mapping[str, tuple[str, ...]],
    current: Mapping[str, tuple[str, str]],
) -> DraftsUnderWay:
    """Start building the applications' drafts; see :func:`wanted_drafts`."""
    from sheetsync.messages.render import CONTEXT_COLUMNS, channel_for
    from sheetsync.parallel import start

    signature = template_signature(config)
    finish = _finisher(config)
    message = result["next_action"].isin([a for a in MESSAGE_ACTIONS if a != "thank_you_note"])
    has_note = "note_due" in result
    notes = result["note_due"].notna() if has_note else pd.Series(False, result.index)
    selected = (message | notes).to_numpy()
    rows = result.index[selected]
    needed = [c for c in CONTEXT_COLUMNS if c in typed.columns]
    # Each row's record and input hash are made where the row is drafted, by
    # the process that takes it (records made here would be shared memory that
    # a worker copies page by page when it reads them).
    names, columns = _columns(typed.loc[rows, needed])
    hashes = _RowHashes(text, rows)
    # Dates as text, vectorised: ISO for the due_on cell, YYYYMMDD for draft ids.
    # Plain lists: indexing one is several times quicker than a numpy array.
    due = iso_text(result["due_on"])[selected].tolist()
    basis = _compact(result["basis"])[selected].tolist()
    note_due = iso_text(result["note_due"])[selected].tolist() if has_note else None
    interview_key = _compact(typed["interview_on"])[selected].tolist()
    interviewed = result["interviewed"][selected].tolist()
    action_names = result["next_action"][selected].tolist()
    message_rows = message[selected].tolist()
    note_rows = notes[selected].tolist()

    def row_drafts(i: int, later: list[tuple[list[Wanted], _Job]] | None = None) -> list[Wanted]:
        """The drafts of one application row, rendered unless they can be reused.

        With ``later``, what needs rendering is put there instead of rendered.
        """
        app = dict(zip(names, [column[i] for column in columns], strict=True))
        app_id = str(app["id"]).strip()
        company = str(app.get("company", "")).strip()
        role = str(app.get("role", "")).strip()
        has_notes = _has_text(app.get("notes"))
        actions: list[tuple[str, str, str]] = []
        if message_rows[i]:
            actions.append((action_names[i], due[i], basis[i]))
        if note_rows[i] and note_due is not None:
            actions.append(("thank_you_note", note_due[i], interview_key[i]))
        out: list[Wanted] = []
        for action, when, since in actions:
            template = MESSAGE_ACTIONS[action]
            if action == "request_feedback":
                template += "_interviewed" if bool(interviewed[i]) else "_not_interviewed"
            people = recipients(app, action)
            emails = [p[1] for p in people if p[1]]
            # people sharing one address (team@...) still get a draft each
            keys_of = [(p[0], f"{p[0]} {p[1]}" if emails.count(p[1]) > 1 else p[1]) for p in people]
            ids = [make_draft_id(app_id, action, k, since) for k in keys_of]
            inputs = fingerprint(signature, template, hashes[i], people)
            reuse = _reusable(ids, inputs, memory, current)
            head = (app_id, company, role, action, channel_for(action))
            drafts = [
                _draft(draft_id, head, person, when, inputs, memory if reuse else None, has_notes)
                for draft_id, person in zip(ids, people, strict=True)
            ]
            if not reuse:
                keys = [f"{app_id}|{k[1] or k[0]}" for k in keys_of]
                job = _Job(template, action, app, people, keys)
                if later is None:
                    _fill(drafts, finish(job))
                else:
                    later.append((drafts, job))
            out += drafts
        return out

    if len(memory) * 2 < len(rows):
        # Mostly new drafts (a first sync): every row built and rendered on
        # every core (pure, so safe to fork).
        by_row = start(row_drafts, range(len(rows)))
        return DraftsUnderWay(by_row.result, by_row.cancel, finish, signature, memory, current)
    # Mostly drafts to reuse: rows are quick here, only the renders go to
    # other cores (sending every reused text back would cost more).
    later: list[tuple[list[Wanted], _Job]] = []
    by_row_here = [row_drafts(i, later) for i in range(len(rows))]
    rendering = start(finish, [job for _, job in later])

    def collect() -> list[list[Wanted]]:
        for (drafts, _), finished in zip(later, rendering.result(), strict=True):
            _fill(drafts, finished)
        return by_row_here

    return DraftsUnderWay(collect, rendering.cancel, finish, signature, memory, current)


def _fill(drafts: list[Wanted], finished: list[Finished]) -> None:
    for draft, (subject, body, error, problems, link) in zip(drafts, finished, strict=True):
        draft.subject, draft.body, draft.error = subject, body, error
        draft.lint, draft.mailto = problems, link

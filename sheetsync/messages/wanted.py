"""Which drafts the tracker calls for, rendered (or reused when nothing changed).

:func:`wanted_drafts` turns the policy's result into :class:`Wanted` messages,
one per recipient; :func:`sheetsync.messages.merge.merge` then reconciles them
with the Drafts tab.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sheetsync.config import Config
from sheetsync.messages.spread import Spread, in_process

if TYPE_CHECKING:
    from sheetsync.feedback.themes import ThemeRules
    from sheetsync.messages.render import Renderer
from sheetsync.messages.draft import (
    CONTEXT_COLUMNS,
    CompanyNames,
    Wanted,
    channel_for,
    mailto,
    make_draft_id,
    stable_hash,
    template_for,
    wrote_last,
)
from sheetsync.tracker.plan import iso_text, plain_dates
from sheetsync.vocabulary import MESSAGE_ACTIONS, THANK_FOR_FEEDBACK, THANK_YOU_ACTIONS


@dataclass
class FeedbackThanks:
    """A Feedback row whose answer should be thanked for."""

    app: dict[str, Any]  # the application's typed row
    feedback_id: str
    due_on: str  # ISO date
    response: str  # what they said
    action: str = THANK_FOR_FEEDBACK  # or FEEDBACK_CARD: a handwritten card besides


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
        & (interview >= pd.Timestamp(today - dt.timedelta(days=config.rules.note_late_after_days)))
        & typed["status"].eq("open")
        & result["problems"].eq("")
    )
    due = add_business_days(interview, config.rules.note_within_business_days, calendar)
    return due.where(wanted, pd.NaT)


@lru_cache(maxsize=65536)
def _interviewers(text: str) -> tuple[tuple[str, str], ...]:
    from sheetsync.messages.names import parse_interviewers

    return tuple(parse_interviewers(text))


def _contact(row: Mapping[str, Any], me: str) -> tuple[str, str]:
    """The row's (contact name, e-mail); an address equal to ``me`` is nobody to write to."""
    email = str(row.get("contact_email", "")).strip()
    if me and email.casefold() == me.casefold():
        email = ""
    return str(row.get("contact_name", "")).strip(), email


def recipients(row: Mapping[str, Any], action: str, me: str = "") -> list[tuple[str, str]]:
    """(name, e-mail) of each person a message goes to: every interviewer for a
    thank-you, else the row's contact (or the first interviewer).

    An address equal to ``me`` (the sender's own, as in a LinkedIn export's
    "Contact Email") is nobody to write to.
    """
    contact = _contact(row, me)
    people = list(_interviewers(str(row.get("interviewers", ""))))
    if action in THANK_YOU_ACTIONS:
        return people or [contact]
    if any(contact):
        return [contact]
    return people[:1] or [contact]


def template_signature(config: Config) -> str:
    """Changes whenever a template file, the sender or a lint limit changes."""
    from sheetsync.resources import templates_dir

    digest = hashlib.sha1(
        repr(
            (config.me, config.email_word_limit, config.note_word_limit, config.date_order,
             config.greeting_style, config.feedback_questions)  # fmt: skip
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


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _compact(dates: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYYMMDD' text (as in draft ids), NaT -> ''."""
    return iso_text(dates).str.replace("-", "", regex=False)


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """The frame's columns as plain lists, dates as ``datetime.date`` (None when blank).

    A row of them is what ``to_dict("records")`` gives, but without boxing
    every date in a pandas Timestamp; templates see the same dates either way.
    """
    columns = [
        plain_dates(frame[name]) if frame[name].dtype.kind == "M" else frame[name].tolist()
        for name in frame.columns
    ]
    return list(frame.columns), columns


# A draft's subject, body, template error, lint (None with an error) and mail link.
_Text = tuple[str, str, str, "tuple[str, ...] | None", str]


@dataclass
class _Message:
    """One message to render: its drafts (one per recipient) and what they come from."""

    drafts: list[Wanted]
    template: str
    app: dict[str, Any]
    people: list[tuple[str, str]]
    keys: list[str]  # per recipient, picks the wording
    response: str | None  # the feedback a thank_for_feedback thanks for


class _Drafter:
    """Builds the drafts of one sync: reuses what is unchanged, renders the rest."""

    def __init__(
        self,
        config: Config,
        memory: Mapping[str, tuple[str, ...]],
        current: Mapping[str, tuple[str, str]],
        themes: ThemeRules | None = None,
    ) -> None:
        self.config, self.memory, self.current = config, memory, current
        if themes is None:
            from sheetsync.feedback.themes import load_themes

            themes = load_themes(config.themes_file)
        self.themes = themes
        self.signature = template_signature(config)
        self.strengths = bool(config.me.strengths.strip())  # a fit for every row
        self.companies: CompanyNames | None = None  # set by wanted_drafts
        self._renderer: Renderer | None = None  # made when a draft needs rendering
        self.pending: list[_Message] = []  # messages to render

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:  # a steady-state sync renders nothing: no Jinja at all
            from sheetsync.messages.render import Renderer

            self._renderer = Renderer(self.config)
        return self._renderer

    def drafts(
        self,
        app: dict[str, Any],
        action: str,
        template: str,
        people: list[tuple[str, str]],
        keys: list[str],
        ids: list[str],
        when: str,
        row_hash: int,
        response: str | None = None,
    ) -> list[Wanted]:
        """One draft per recipient; their texts reused when their inputs are unchanged.

        ``keys`` (stable text per recipient) pick each one's wording; ``response`` is the feedback a
        ``thank_for_feedback`` thanks for.
        """
        inputs = fingerprint(self.signature, template, row_hash, people)
        memory, current = self.memory, self.current
        reuse = True
        for d in ids:
            last, text = memory.get(d), current.get(d)
            if last is None or last[1] != inputs or text is None or not wrote_last(last, text):
                reuse = False
                break
        channel = channel_for(action)
        app_id, company = str(app.get("id", "")).strip(), str(app.get("company", "")).strip()
        role = str(app.get("role", "")).strip()
        others = self.companies.finder(company, role) if self.companies else None
        point_notes = self._point_notes(app, action, people)
        has_points = _has_text(app.get("talking_points"))
        has_fit = self.strengths or _has_text(app.get("fit"))
        out = []
        for draft_id, person in zip(ids, people, strict=True):
            text = current[draft_id] if reuse else ("", "")
            out.append(
                Wanted(
                    draft_id, app_id, company, role, action, channel, person[0], person[1], when,
                    text[0], text[1], has_points=has_points, point_notes=point_notes,
                    has_fit=has_fit, others=others, inputs=inputs, reused=reuse,
                )
            )  # fmt: skip
        if not reuse:
            self.pending.append(_Message(out, template, app, people, keys, response))
        return out

    @staticmethod
    def _point_notes(app: dict[str, Any], action: str, people: list[tuple[str, str]]
                   ) -> tuple[str, ...]:  # fmt: skip
        """What lint says about the row's talking points (on thank-yous, where they count)."""
        if action not in THANK_YOU_ACTIONS or not _has_text(app.get("talking_points")):
            return ()
        from sheetsync.messages.points import point_problems

        return tuple(point_problems(app.get("talking_points"), [p[0] for p in people]))

    def render_pending(self, spread: Spread[list[_Text]]) -> None:
        """Render, lint and link the drafts of every message :meth:`drafts` could not reuse."""
        pending, self.pending = self.pending, []
        for template in {m.template for m in pending}:
            self.renderer.variants(template)  # compiled once, before any worker starts

        def work(start: int, stop: int) -> list[list[_Text]]:
            return [self._texts(pending[i]) for i in range(start, stop)]

        for message, texts in zip(pending, spread(work, len(pending)), strict=True):
            for draft, text in zip(message.drafts, texts, strict=True):
                draft.subject, draft.body, draft.error, draft.lint, draft.mailto = text

    def _texts(self, message: _Message) -> list[_Text]:
        """Each draft's subject, body, template error, lint and mail link."""
        from sheetsync.messages.context import build_context
        from sheetsync.messages.lint import lint_message
        from sheetsync.messages.points import assign_points

        config, app, people, response = self.config, message.app, message.people, message.response
        points = assign_points(app.get("talking_points"), [p[0] for p in people])
        contexts = [
            build_context(app, person, config.me, point, config.greeting_style)
            for person, point in zip(people, points, strict=True)
        ]
        themes = ""
        if response is not None:
            from sheetsync.feedback.themes import SEPARATOR
            from sheetsync.messages.context import themes_phrase

            label = self.themes.label(response)  # worked out for the Feedback tab already
            themes = themes_phrase(label.split(SEPARATOR) if label else [])
        for context in contexts:
            context["ask_all"] = config.feedback_questions == "all"
            if response is not None:
                context["feedback_response"], context["feedback_themes"] = response, themes
        rendered = self.renderer.render_many(message.template, contexts, message.keys)
        out: list[_Text] = []
        for draft, result, context in zip(message.drafts, rendered, contexts, strict=True):
            subject = result.subject if draft.channel == "email" else ""
            if result.error:  # linted with the template error, in merge
                out.append((subject, result.body, result.error, None, ""))
                continue
            lint = lint_message(
                draft.action, draft.channel, subject, result.body, config.me,
                email_word_limit=config.email_word_limit,
                note_word_limit=config.note_word_limit, has_points=draft.has_points,
                has_fit=draft.has_fit, to_name=context["recipient_name"],
                to_email=draft.to_email, point_notes=draft.point_notes, others=draft.others,
            )  # fmt: skip
            link = mailto(draft.to_email, subject, result.body) if draft.channel == "email" else ""
            out.append((subject, result.body, "", tuple(lint), link))
        return out


def wanted_drafts(
    typed: pd.DataFrame,
    text: pd.DataFrame,
    result: pd.DataFrame,
    thanks: list[FeedbackThanks],
    config: Config,
    memory: Mapping[str, tuple[str, ...]],
    current: Mapping[str, tuple[str, str]],
    spread: Spread[list[_Text]] = in_process,
    themes: ThemeRules | None = None,
) -> list[Wanted]:
    """Every draft the tracker calls for, rendered, linted and linked: the
    applications' (in row order), then the feedback thank-yous.  ``spread`` runs
    the rendering (:mod:`sheetsync.messages.spread`); ``themes`` names the themes of
    the feedback a thank-you answers (by default the config's rules).

    A draft whose inputs (application row, recipients, templates, sender) are
    those it was last rendered from, and whose text is still what sheetsync
    wrote, is not rendered again: that keeps a steady-state sync cheap.
    """
    drafter = _Drafter(config, memory, current, themes)
    drafter.companies = CompanyNames(text["company"].tolist() if "company" in text else [])
    out = _application_drafts(drafter, typed, text, result)
    out += [_thank_you(drafter, thanks_for) for thanks_for in thanks]
    drafter.render_pending(spread)
    return out


def _application_drafts(
    drafter: _Drafter, typed: pd.DataFrame, text: pd.DataFrame, result: pd.DataFrame
) -> list[Wanted]:
    message = result["next_action"].isin([a for a in MESSAGE_ACTIONS if a != "thank_you_note"])
    notes = result["note_due"].notna() if "note_due" in result else pd.Series(False, result.index)
    selected = (message | notes).to_numpy()
    rows = result.index[selected]
    names, columns = _columns(typed.loc[rows, [c for c in CONTEXT_COLUMNS if c in typed]])
    # A draft's inputs include its row's cells as typed: hashed in one go.
    hashes = pd.util.hash_pandas_object(text.loc[rows], index=False).tolist()
    due = iso_text(result["due_on"][selected]).tolist()
    basis = _compact(result["basis"][selected]).tolist()
    note_on = iso_text(result["note_due"][selected]).tolist() if "note_due" in result else None
    interview_key = _compact(typed["interview_on"][selected]).tolist()
    interviewed = result["interviewed"][selected].tolist()
    actions = result["next_action"][selected].tolist()
    message_rows, note_rows = message[selected].tolist(), notes[selected].tolist()
    me = drafter.config.me.email.strip()
    out: list[Wanted] = []
    for i, values in enumerate(zip(*columns, strict=True)):
        app = dict(zip(names, values, strict=True))
        app_id = str(app["id"]).strip()
        todo: list[tuple[str, str, str]] = []
        if message_rows[i]:
            todo.append((actions[i], due[i], basis[i]))
        if note_rows[i] and note_on is not None:
            todo.append(("thank_you_note", note_on[i], interview_key[i]))
        for action, when, since in todo:
            template = template_for(MESSAGE_ACTIONS[action], interviewed=bool(interviewed[i]))
            people = recipients(app, action, me)
            emails = [p[1] for p in people if p[1]]
            # people sharing one address (team@...) still get a draft each
            keys = [(p[0], f"{p[0]} {p[1]}" if emails.count(p[1]) > 1 else p[1]) for p in people]
            ids = [make_draft_id(app_id, action, k, since) for k in keys]
            wording = [f"{app_id}|{k[1] or k[0]}" for k in keys]
            out += drafter.drafts(app, action, template, people, wording, ids, when, hashes[i])
    return out


def _thank_you(drafter: _Drafter, thanks: FeedbackThanks) -> Wanted:
    """The thank-you (e-mail or card) for one Feedback answer, to the application's contact."""
    app = thanks.app
    person = _contact(app, drafter.config.me.email.strip())
    draft_id = f"{thanks.feedback_id}:{thanks.action}:{person[1] or 'contact'}"
    inputs = {**app, "_response": thanks.response}
    row = stable_hash(repr(sorted(inputs.items(), key=lambda item: item[0])))
    key = f"{thanks.feedback_id}|{person[1]}"
    return drafter.drafts(
        inputs, thanks.action, thanks.action, [person], [key], [draft_id],
        thanks.due_on, row, thanks.response,
    )[0]  # fmt: skip

"""Which drafts the tracker calls for, rendered (or reused when nothing changed).

``wanted_drafts`` turns the policy's result into :class:`~sheetsync.drafts.Wanted`
messages, one per recipient; :func:`sheetsync.drafts.merge` then reconciles
them with the Drafts tab.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .changes import iso_text
from .config import Config
from .drafts import MESSAGE_ACTIONS, Wanted, draft_id_on


def _compact(dates: pd.Series) -> pd.Series:
    """datetime64 -> 'YYYYMMDD' text (as in draft ids), NaT -> ''."""
    return dates.dt.strftime("%Y%m%d").where(dates.notna(), "").astype(object)


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def note_due(
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


@lru_cache(maxsize=65536)
def _interviewers(text: str) -> tuple[tuple[str, str], ...]:
    from .values import parse_interviewers

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


def fingerprint(signature: str, template: str, row_hash: int, people: Any) -> str:
    text = repr((signature, template, row_hash, people))
    return hashlib.sha1(text.encode()).hexdigest()


def wanted_drafts(
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
    signature = template_signature(config)
    wanted: list[Wanted] = []
    message = result["next_action"].isin([a for a in MESSAGE_ACTIONS if a != "thank_you_note"])
    has_note = "note_due" in result
    notes = result["note_due"].notna() if has_note else pd.Series(False, result.index)
    selected = (message | notes).to_numpy()
    rows = result.index[selected]
    records: list[dict[str, Any]] = typed.loc[rows].to_dict("records")  # type: ignore[assignment]
    # One vectorised hash per row of the cells as typed: the draft's inputs.
    row_hashes = pd.util.hash_pandas_object(text.loc[rows], index=False).to_numpy()
    # Dates as text, vectorised: ISO for the due_on cell, YYYYMMDD for draft ids.
    due = iso_text(result["due_on"]).to_numpy()[selected]
    basis = _compact(result["basis"]).to_numpy()[selected]
    note_due = iso_text(result["note_due"]).to_numpy()[selected] if has_note else None
    interview_key = _compact(typed["interview_on"]).to_numpy()[selected]
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
            jobs.append(("thank_you_note", note_due[i], interview_key[i]))
        for job, when, since in jobs:
            template = MESSAGE_ACTIONS[job]
            if job == "request_feedback":
                template += "_interviewed" if bool(interviewed[i]) else "_not_interviewed"
            people = recipients(app, job)
            emails = [p[1] for p in people if p[1]]
            # people sharing one address (team@...) still get a draft each
            keys_of = [(p[0], f"{p[0]} {p[1]}" if emails.count(p[1]) > 1 else p[1]) for p in people]
            ids = [draft_id_on(app_id, job, k, since) for k in keys_of]
            inputs = fingerprint(signature, template, int(row_hashes[i]), people)
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
                        due_on=when,
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

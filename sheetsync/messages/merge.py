"""The Drafts tab: which messages should exist, and merging them with what is there.

Rules (README, "Drafts"):
- one draft per (application, action, recipient, occurrence); ``draft_id`` is
  stable, so repeated syncs update the same row;
- a draft's subject and body are re-rendered only while they still hold what
  sheetsync last wrote; anything else is the user's text and is kept;
- ``sent`` and ``skipped`` drafts are frozen; a draft whose action is no longer
  due becomes ``obsolete`` (never deleted) and comes back to ``draft`` if the
  action returns.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, NamedTuple

from sheetsync.config import Config
from sheetsync.tracker.plan import CellChange, Kind, RowAppend
from sheetsync.tracker.schema import DRAFT_COLUMNS, DRAFTS
from sheetsync.tracker.table import Table

#: Actions that get a message, and the template each uses.
MESSAGE_ACTIONS = {
    "thank_you_email": "thank_you_email",
    "thank_you_note": "thank_you_note",
    "check_in": "check_in",
    "follow_up": "follow_up",
    "final_follow_up": "final_follow_up",
    "application_follow_up": "application_follow_up",
    "request_feedback": "request_feedback",  # _interviewed / _not_interviewed
    "thank_for_feedback": "thank_for_feedback",
}
FOLLOW_UP_ACTIONS = ("check_in", "follow_up", "final_follow_up", "application_follow_up")
FROZEN = ("sent", "skipped")
MAILTO_LIMIT = 8000
LIVE = ("draft", "approved", "")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "contact"


def make_draft_id(app_id: str, action: str, recipient: tuple[str, str], basis: str) -> str:
    """``A1:check_in:ann-acme-example:20260310``; ``basis`` is the date an action
    counts from as ``YYYYMMDD`` ("" for none: ``undated``)."""
    who = slug(recipient[1] or recipient[0]) if any(recipient) else "contact"
    return f"{app_id}:{action}:{who}:{basis or 'undated'}"


# Percent-encoding of ASCII at C speed: one ``str.replace`` per unsafe character
# the text holds (a handful in a message), ``%`` first so no escape is escaped
# twice.  Twice as fast as ``str.translate`` with a table; urllib handles the rest.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_UNSAFE = tuple((chr(i), f"%{i:02X}") for i in range(128) if chr(i) not in _SAFE and i != 37)


def _quote(text: str) -> str:
    if not text.isascii():
        return urllib.parse.quote(text, safe="")
    if "%" in text:
        text = text.replace("%", "%25")
    for char, escape in _UNSAFE:
        if char in text:
            text = text.replace(char, escape)
    return text


def mailto(to: str, subject: str, body: str) -> str:
    """A ``mailto:`` link (RFC 6068) that opens the draft in a mail program."""
    if not (to or subject or body):
        return ""
    address = urllib.parse.quote(to, safe="@,")
    link = f"mailto:{address}?subject={_quote(subject)}&body={_quote(body)}"
    # Sheets holds at most 50,000 characters a cell, and mail programs truncate
    # long links: past the limit the link opens a message with the subject only.
    return link if len(link) <= MAILTO_LIMIT else f"mailto:{address}?subject={_quote(subject)}"


@dataclass
class Wanted:
    """A draft the current state of the tracker calls for."""

    draft_id: str
    app_id: str
    company: str
    role: str
    action: str
    channel: str
    to_name: str
    to_email: str
    due_on: str
    subject: str
    body: str
    error: str = ""
    has_notes: bool = True
    inputs: str = ""  # fingerprint of what it was rendered from
    reused: bool = False  # text taken from the last render: inputs unchanged
    lint: tuple[str, ...] | None = None  # lint of subject + body, when already done
    mailto: str = ""  # the link for subject + body, when lint is set

    def __reduce__(self) -> tuple[type[Wanted], tuple[Any, ...]]:
        # Sent back from worker processes by the ten thousand: as plain
        # arguments, pickling takes half the time of the default's dict.
        return Wanted, _wanted_fields(self)


#: What merge fills in for a new draft, in the tab's column order: all but the
#: columns the user fills in later.
NEW_DRAFT_COLUMNS = tuple(c for c in DRAFT_COLUMNS if c not in ("sent_on", "review_notes"))

_wanted_fields = attrgetter(*(f.name for f in fields(Wanted)))  # in __init__'s order


class _Meta(NamedTuple):
    """What merge knows of a draft beside its cell values (a tuple: one per draft)."""

    row: int | None  # its row in the Drafts tab; None for a new draft
    error: str  # the template error, "" when it rendered
    has_notes: bool
    reused: bool = False  # its text was reused unchanged and it is live
    odd_status: str = ""  # a status sheetsync does not know, as the user wrote it


@dataclass
class DraftMerge:
    changes: list[CellChange] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    rendered: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, s, b, inputs
    added: int = 0
    obsoleted: int = 0
    open_drafts: list[dict[str, str]] = field(default_factory=list)  # live rows after merge


def _identity(want: Wanted) -> dict[str, str]:
    """The cells that say which draft a row is and to whom, in the tab's order."""
    return {
        "draft_id": want.draft_id,
        "app_id": want.app_id,
        "company": want.company,
        "role": want.role,
        "action": want.action,
        "channel": want.channel,
        "to_name": want.to_name,
        "to_email": want.to_email,
    }


def merge(
    table: Table | None,
    wanted: Sequence[Wanted],
    memory: Mapping[str, tuple[str, ...]],
    config: Config,
) -> DraftMerge:
    """Reconcile the Drafts tab with the drafts the tracker calls for."""
    from sheetsync.messages.lint import duplicate_bodies, lint_message

    out = DraftMerge()
    existing: dict[str, int] = {}
    cells: dict[str, list[str]] = {}  # column -> values, read once (a cell() call each is slow)
    if table is not None:
        cells = {c: table.column(c) for c in (*DRAFT_COLUMNS,)}
        for row, key in enumerate(table.ids()):
            if key and key not in existing:
                existing[key] = row
    final: dict[str, dict[str, str]] = {}  # draft id -> row values after the merge
    meta: dict[str, _Meta] = {}  # draft id -> what the merge knows beside the values
    wanted_by_id = {w.draft_id: w for w in wanted}

    new_meta: dict[tuple[str, bool], _Meta] = {}  # new drafts share their few kinds of _Meta
    for want in wanted:
        found = existing.get(want.draft_id)
        values = _identity(want)
        if found is None or table is None:
            # in the tab's order (NEW_DRAFT_COLUMNS); lint and mailto come last
            values["subject"], values["body"] = want.subject, want.body
            values["due_on"], values["status"] = want.due_on, "draft"
            final[want.draft_id] = values
            if not want.error:
                out.rendered.append((want.draft_id, want.subject, want.body, want.inputs))
            sort = (want.error, want.has_notes)
            info = new_meta.get(sort)
            if info is None:
                info = new_meta[sort] = _Meta(None, want.error, want.has_notes)
            meta[want.draft_id] = info
            out.added += 1
            continue
        values["due_on"] = want.due_on
        row = found
        status = cells["status"][row].strip().lower()
        if status in FROZEN:
            continue
        if status == "obsolete":  # the action is due again
            values["status"] = "draft"
        current = (cells["subject"][row], cells["body"][row])
        fresh = (want.subject, want.body)
        if not want.error:
            last = memory.get(want.draft_id, ())[:2]
            if current != fresh and (current == last or current == ("", "")):
                values["subject"], values["body"] = fresh
                current = fresh
            if current == fresh:
                out.rendered.append((want.draft_id, *fresh, want.inputs))
        values["subject"], values["body"] = current
        final[want.draft_id] = values
        meta[want.draft_id] = _Meta(
            row,
            want.error,
            want.has_notes,
            want.reused and status in LIVE,
            "" if status in (*LIVE, "obsolete") else cells["status"][row],
        )

    # Lint every live draft, including text the user wrote.  Drafts of an
    # application whose drafts were all reused unchanged keep their lint and link.
    unsettled = {v["app_id"] for k, v in final.items() if not meta[k].reused}
    # Only an application with two or more drafts can repeat a body.
    per_app = Counter(v["app_id"] for v in final.values() if v["app_id"] in unsettled)
    dupes = duplicate_bodies(
        [(v["app_id"], k, v["body"]) for k, v in final.items() if per_app[v["app_id"]] > 1]
    )
    for key, values in final.items():
        info = meta[key]
        if values["app_id"] not in unsettled and info.row is not None:
            values["lint"] = cells["lint"][info.row]
            values["mailto"] = cells["mailto"][info.row]
            out.open_drafts.append(values)
            continue
        want = wanted_by_id[key]
        done = want.lint is not None and (values["subject"], values["body"]) == (
            want.subject,
            want.body,
        )
        if done and want.lint is not None and not (info.error or info.odd_status or key in dupes):
            values["lint"] = "; ".join(want.lint)  # the common case (every new draft)
            values["mailto"] = want.mailto
            out.open_drafts.append(values)
            continue
        problems = [f"template error: {info.error}"] if info.error else []
        if done and want.lint is not None:  # linted (and linked) when it was rendered
            problems += want.lint
        else:
            problems += lint_message(
                values["action"],
                values["channel"],
                values["subject"],
                values["body"],
                config.me,
                email_word_limit=config.email_word_limit,
                note_word_limit=config.note_word_limit,
                has_notes=info.has_notes,  # lint knows which messages need notes
            )
        if key in dupes:
            problems.append(dupes[key])
        if info.odd_status:  # the user's own word: kept, but flagged
            problems.append(
                f"status {info.odd_status.strip()!r} is not one of "
                "draft, approved, sent, skipped: fix it so sheetsync knows what happened"
            )
        values["lint"] = "; ".join(problems)
        if done:
            values["mailto"] = want.mailto
        elif values["channel"] == "email":
            values["mailto"] = mailto(values["to_email"], values["subject"], values["body"])
        else:
            values["mailto"] = ""
        out.open_drafts.append(values)

    kinds: dict[str, Kind] = {"due_on": "date"}
    for key, values in final.items():
        at = meta[key].row
        if at is None:
            row_values = {c: v for c, v in values.items() if v}  # NEW_DRAFT_COLUMNS, in order
            out.appends.append(RowAppend(DRAFTS, key, row_values, dict(kinds)))
            continue
        assert table is not None
        for column in DRAFT_COLUMNS:
            if column not in values:
                continue
            old = cells[column][at]
            if old != values[column]:
                kind = kinds.get(column, "text")
                out.changes.append(CellChange(DRAFTS, at, key, column, old, values[column], kind))
    # A date the sheet shows in its own format ("3/17/2026", a serial number) is
    # the same date: compare by meaning, every date cell in one vectorised parse.
    dated = [c for c in out.changes if c.kind == "date"]
    if dated:
        from sheetsync.tracker.changes import same_days

        same = same_days([c.old for c in dated], [c.new for c in dated])
        unchanged = {id(c) for c, kept in zip(dated, same, strict=True) if kept}
        out.changes = [c for c in out.changes if id(c) not in unchanged]

    # Drafts no longer called for become obsolete (never deleted).
    wanted_ids = {w.draft_id for w in wanted}
    if table is not None:
        for key, row in existing.items():
            if key in wanted_ids:
                continue
            status = cells["status"][row].strip().lower()
            if status in LIVE and cells["action"][row].strip():
                out.changes.append(
                    CellChange(DRAFTS, row, key, "status", cells["status"][row], "obsolete")
                )
                out.obsoleted += 1
    return out

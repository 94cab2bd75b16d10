"""The Drafts tab: merging the drafts the tracker calls for with what is there.

Rules (README, "Drafts"):
- one draft per (application, action, recipient, occurrence); ``draft_id`` is
  stable, so repeated syncs update the same row;
- a draft's subject and body are re-rendered only while they still hold what
  sheetsync last wrote; anything else is the user's text and is kept;
- ``sent`` and ``skipped`` drafts are frozen; a draft whose action is no longer
  due becomes ``obsolete`` (never deleted) and, if the action returns, comes
  back with the status it had (``approved`` stays approved; else ``draft``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sheetsync.config import Config
from sheetsync.messages.draft import Wanted, mailto, wrote_last
from sheetsync.tracker.plan import CellChange, Kind, RowAppend
from sheetsync.tracker.schema import DRAFT_COLUMNS, DRAFTS
from sheetsync.tracker.table import Table
from sheetsync.vocabulary import (
    DRAFT_STATUSES,
    FROZEN_DRAFT_STATUSES,
    LIVE_DRAFT_STATUSES,
    OBSOLETE,
)

KINDS: dict[str, Kind] = {"due_on": "date"}


class _Meta(NamedTuple):
    """What merge knows of a draft beside its cell values."""

    row: int | None  # its row in the Drafts tab; None for a new draft
    reused: bool = False  # its text was reused unchanged and it is live
    odd_status: str = ""  # a status sheetsync does not know, as the user wrote it


@dataclass
class DraftMerge:
    changes: list[CellChange] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    rendered: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, s, b, inputs
    added: int = 0
    open_drafts: list[dict[str, str]] = field(default_factory=list)  # live rows after merge


@dataclass
class _Tab:
    """The Drafts tab as read: its cells by column, and each draft id's first row."""

    table: Table | None
    cells: dict[str, list[str]]
    rows: dict[str, int]

    @classmethod
    def read(cls, table: Table | None) -> _Tab:
        if table is None:
            return cls(None, {}, {})
        rows: dict[str, int] = {}
        for row, key in enumerate(table.ids()):
            if key and key not in rows:
                rows[key] = row
        return cls(table, {c: table.column(c) for c in DRAFT_COLUMNS}, rows)

    def status(self, row: int) -> str:
        return self.cells["status"][row].strip().lower()


def merge(
    table: Table | None,
    wanted: Sequence[Wanted],
    memory: Mapping[str, tuple[str, ...]],
    config: Config,
    before_obsolete: Mapping[str, str] | None = None,
) -> DraftMerge:
    """Reconcile the Drafts tab with the drafts the tracker calls for.

    ``before_obsolete`` is the status each draft had when sheetsync made it
    obsolete, so a draft whose action returns comes back as it was.
    """
    tab = _Tab.read(table)
    out = DraftMerge()
    final: dict[str, dict[str, str]] = {}  # draft id -> row values after the merge
    meta: dict[str, _Meta] = {}
    for want in wanted:
        merged = _merge_one(tab, want, memory, out, before_obsolete or {})
        if merged is not None:
            final[want.draft_id], meta[want.draft_id] = merged
    _lint(tab, final, meta, {w.draft_id: w for w in wanted}, config, out)
    _plan_rows(tab, final, meta, out)
    _obsolete(tab, {w.draft_id for w in wanted}, out)
    return out


def _merge_one(
    tab: _Tab,
    want: Wanted,
    memory: Mapping[str, tuple[str, ...]],
    out: DraftMerge,
    before_obsolete: Mapping[str, str],
) -> tuple[dict[str, str], _Meta] | None:
    """A draft's values after the merge (None: frozen, left alone)."""
    values = want.identity()
    row = tab.rows.get(want.draft_id)
    if row is None:  # a new row, in the tab's column order; lint and mailto come last
        values.update(subject=want.subject, body=want.body, due_on=want.due_on, status="draft")
        if not want.error:
            out.rendered.append((want.draft_id, want.subject, want.body, want.inputs))
        out.added += 1
        return values, _Meta(None)
    values["due_on"] = want.due_on
    status = tab.status(row)
    if status in FROZEN_DRAFT_STATUSES:
        return None
    if status == OBSOLETE:  # the action is due again: a mentor's approval still holds
        was = before_obsolete.get(want.draft_id, "")
        values["status"] = was if was in LIVE_DRAFT_STATUSES else "draft"
    current = (tab.cells["subject"][row], tab.cells["body"][row])
    fresh = (want.subject, want.body)
    if not want.error:
        last = memory.get(want.draft_id)
        if current != fresh and (current == ("", "") or wrote_last(last, current)):
            current = fresh  # still what sheetsync wrote (or cleared): re-rendered
        if current == fresh and not want.reused:  # a reused text is remembered already
            out.rendered.append((want.draft_id, *fresh, want.inputs))
    values["subject"], values["body"] = current
    known = (*LIVE_DRAFT_STATUSES, OBSOLETE)
    odd = "" if status in known else tab.cells["status"][row]
    return values, _Meta(row, want.reused and status in LIVE_DRAFT_STATUSES, odd)


def _lint(
    tab: _Tab,
    final: dict[str, dict[str, str]],
    meta: dict[str, _Meta],
    wanted: dict[str, Wanted],
    config: Config,
    out: DraftMerge,
) -> None:
    """Lint and link every live draft, including text the user wrote.

    Drafts of an application whose drafts were all reused unchanged keep the
    lint and link the tab holds.
    """
    unsettled = {v["app_id"] for k, v in final.items() if not meta[k].reused}
    # Only an application with two or more drafts can repeat a body.
    per_app = Counter(v["app_id"] for v in final.values() if v["app_id"] in unsettled)
    dupes: dict[str, str] = {}
    if any(n > 1 for n in per_app.values()):  # a steady sync needs no lint at all
        from sheetsync.messages.lint import duplicate_bodies

        dupes = duplicate_bodies(
            [(v["app_id"], k, v["body"], v["to_name"]) for k, v in final.items()
             if per_app[v["app_id"]] > 1]  # fmt: skip
        )
    for key, values in final.items():
        info = meta[key]
        if values["app_id"] not in unsettled and info.row is not None:
            values["lint"] = tab.cells["lint"][info.row]
            values["mailto"] = tab.cells["mailto"][info.row]
        else:
            _lint_one(values, wanted[key], info, dupes.get(key, ""), config)
        out.open_drafts.append(values)


def _lint_one(
    values: dict[str, str], want: Wanted, info: _Meta, duplicate: str, config: Config
) -> None:
    """Set ``lint`` and ``mailto`` of one draft, reusing what rendering found when it can."""
    from sheetsync.messages.lint import lint_message

    done = want.lint is not None and (values["subject"], values["body"]) == (
        want.subject,
        want.body,
    )
    problems = [f"template error: {want.error}"] if want.error else []
    if done and want.lint is not None:  # linted (and linked) when it was rendered
        problems += want.lint
    else:
        problems += lint_message(
            values["action"], values["channel"], values["subject"], values["body"], config.me,
            email_word_limit=config.email_word_limit, note_word_limit=config.note_word_limit,
            has_points=want.has_points, has_fit=want.has_fit, to_name=values["to_name"],
            to_email=values["to_email"],
            point_notes=want.point_notes, others=want.others,
        )  # fmt: skip
    if duplicate:
        problems.append(duplicate)
    if info.odd_status:  # the user's own word: kept, but flagged
        problems.append(
            f"status {info.odd_status.strip()!r} is not one of "
            f"{', '.join(DRAFT_STATUSES[:-1])}: fix it so sheetsync knows what happened"
        )
    values["lint"] = "; ".join(problems)
    if done:
        values["mailto"] = want.mailto
    elif values["channel"] == "email":
        values["mailto"] = mailto(values["to_email"], values["subject"], values["body"])
    else:
        values["mailto"] = ""


def _plan_rows(
    tab: _Tab, final: dict[str, dict[str, str]], meta: dict[str, _Meta], out: DraftMerge
) -> None:
    """New rows to append, and the cells of existing rows that changed."""
    from sheetsync.tracker.plan import same_days

    changes: list[CellChange] = []
    for key, values in final.items():
        at = meta[key].row
        if at is None:
            row_values = {c: v for c, v in values.items() if v}  # in the tab's order
            out.appends.append(RowAppend(DRAFTS, key, row_values, dict(KINDS)))
            continue
        for column in DRAFT_COLUMNS:
            if column in values and tab.cells[column][at] != values[column]:
                old, kind = tab.cells[column][at], KINDS.get(column, "text")
                changes.append(CellChange(DRAFTS, at, key, column, old, values[column], kind))
    # A date the sheet shows in its own format ("3/17/2026", a serial number) is
    # the same date: compare by meaning.
    dated = [c for c in changes if c.kind == "date"]
    unchanged: set[int] = set()
    if dated:
        same = same_days([c.old for c in dated], [c.new for c in dated])
        unchanged = {id(c) for c, kept in zip(dated, same, strict=True) if kept}
    out.changes += [c for c in changes if id(c) not in unchanged]


def _obsolete(tab: _Tab, wanted_ids: set[str], out: DraftMerge) -> None:
    """Live drafts no longer called for become obsolete (never deleted)."""
    for key, row in tab.rows.items():
        if key in wanted_ids:
            continue
        if tab.status(row) in LIVE_DRAFT_STATUSES and tab.cells["action"][row].strip():
            old = tab.cells["status"][row]
            out.changes.append(CellChange(DRAFTS, row, key, "status", old, OBSOLETE))

"""``sheetsync repair``: give rows back the ids a deleted or emptied id column lost.

Rows are found by id.  When the Applications ``id`` column or the Drafts
``draft_id`` column is deleted or emptied, every draft and feedback row is cut
loose from its application, and a sync refuses to run (exit 6).  Repair finds
each row's id again from its other cells, and never guesses:

- an application gets back the id that the Drafts and Feedback tabs give its
  company and role, when exactly one id fits and no other row claims it;
- a draft gets back the id the history recorded when sheetsync added a row
  with its application, action, channel and recipient (then its due date),
  when exactly one id fits.

Anything else is reported and left blank.  Only blank id cells are written
(the column is added back on the right when it is gone), the write is logged
like a push, and ``sheetsync undo`` takes it back.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sheetsync.backends.base import Backend
from sheetsync.state import ROW_ADDED, State
from sheetsync.tracker.plan import CellChange, Plan, same_value
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS, FEEDBACK, ID_COLUMN
from sheetsync.tracker.table import Table, Workbook

_DRAFT_KEY = ("app_id", "action", "channel", "to_name", "to_email")


@dataclass
class RepairResult:
    plan: Plan = field(default_factory=Plan)
    restored: list[str] = field(default_factory=list)  # "Drafts row 3 (Acme): draft_id ..."
    unmatched: list[str] = field(default_factory=list)  # rows left blank, and why
    push_id: int | None = None  # the logged write, when applied


def repair(backend: Backend, state: State, *, apply: bool = False) -> RepairResult:
    """Plan (and with ``apply``, write) the ids rows can be given back."""
    with state.lock():
        workbook = backend.read()
        result = plan_repair(workbook, _history(state))
        if apply and result.plan:
            backend.check_write()
            result.push_id = state.begin_push(result.plan, workbook, "repair")
            report = backend.write(result.plan, workbook)
            state.finish_push(result.push_id, [])
            result.unmatched += [f"not written: {line}" for line in report.dropped]
        return result


@dataclass
class _Known:
    """What the history says of each draft sheetsync added: its cells, its latest due date."""

    drafts: dict[str, dict[str, str]] = field(default_factory=dict)

    def due(self, draft_id: str, day: str) -> None:
        if draft_id in self.drafts:
            self.drafts[draft_id]["due_on"] = day


def _history(state: State) -> _Known:
    known = _Known()
    for push in reversed(state.pushes(-1)):  # oldest first: later due dates win
        for cell in state.push_cells(push.id):
            if cell.tab != DRAFTS or not cell.row_id:
                continue
            if cell.column == ROW_ADDED:
                known.drafts[cell.row_id] = json.loads(cell.new)
            elif cell.column == "due_on":
                known.due(cell.row_id, cell.new)
    return known


def plan_repair(workbook: Workbook, known: _Known) -> RepairResult:
    result = RepairResult()
    apps = workbook.get(APPLICATIONS)
    if apps is not None:
        _repair_apps(apps, workbook, result)
    drafts = workbook.get(DRAFTS)
    if drafts is not None:
        _repair_drafts(drafts, known, result)
    return result


def _norm(*texts: str) -> tuple[str, ...]:
    return tuple(" ".join(t.split()).lower() for t in texts)


def _label(table: Table, row: int) -> str:
    what = " - ".join(p for p in (table.cell(row, "company"), table.cell(row, "role")) if p)
    return f"{table.name} row {row + 2} ({what or 'no company'})"


def _repair_apps(apps: Table, workbook: Workbook, result: RepairResult) -> None:
    """Applications: the id the other tabs give the row's company and role."""
    ids_of: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for tab in (DRAFTS, FEEDBACK):
        table = workbook.get(tab)
        if table is None:
            continue
        for app_id, company, role in zip(
            table.column("app_id"), table.column("company"), table.column("role"), strict=True
        ):
            if app_id.strip():
                ids_of[_norm(company, role)].add(app_id.strip())
    present = set(apps.ids())
    blank = [r for r, (key, empty) in enumerate(zip(apps.ids(), apps.blank_rows(), strict=True))
             if not key and not empty]  # fmt: skip
    pairs = Counter(_norm(apps.cell(r, "company"), apps.cell(r, "role")) for r in blank)
    for row in blank:
        pair = _norm(apps.cell(row, "company"), apps.cell(row, "role"))
        found = ids_of.get(pair, set()) - present
        if len(found) == 1 and pairs[pair] == 1:
            _restore(result, apps, row, found.pop())
        elif ids_of.get(pair):
            result.unmatched.append(
                f"{_label(apps, row)}: its company and role fit "
                + ("several rows" if pairs[pair] > 1 else f"ids {', '.join(sorted(found))}")
                + " - type its id back by hand"
            )


def _repair_drafts(drafts: Table, known: _Known, result: RepairResult) -> None:
    """Drafts: the id the history gave a row with the same application, action and recipient."""
    by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for draft_id, logged in known.drafts.items():
        by_key[tuple(logged.get(c, "").strip() for c in _DRAFT_KEY)].append(draft_id)
    present = set(drafts.ids())
    taken: set[str] = set()
    for row, (key, empty) in enumerate(zip(drafts.ids(), drafts.blank_rows(), strict=True)):
        if key or empty:
            continue
        cells = tuple(drafts.cell(row, c).strip() for c in _DRAFT_KEY)
        found = [d for d in by_key.get(cells, []) if d not in present and d not in taken]
        if len(found) > 1:  # the same step for the same person, counted from another day
            due = drafts.cell(row, "due_on")
            found = [d for d in found if same_value(due, known.drafts[d].get("due_on", ""), "date")]
        if len(found) == 1:
            taken.add(found[0])
            _restore(result, drafts, row, found[0])
        else:
            why = "no draft in the history fits it" if not found else "several drafts fit it"
            result.unmatched.append(f"{_label(drafts, row)}: {why}")


def _restore(result: RepairResult, table: Table, row: int, key: str) -> None:
    column = ID_COLUMN[table.name]
    if column not in table.columns:
        columns = result.plan.new_columns.setdefault(table.name, [])
        if column not in columns:
            columns.append(column)
    old = table.cell(row, column)
    result.plan.changes.append(CellChange(table.name, row, "", column, old, key))
    result.restored.append(f"{_label(table, row)}: {column} {key}")


__all__ = ["RepairResult", "plan_repair", "repair"]

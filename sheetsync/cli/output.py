"""Terminal output: short, aligned, readable in a cron e-mail."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from sheetsync.vocabulary import ACTION_LABELS

if TYPE_CHECKING:
    from sheetsync.agenda.items import AgendaItem
    from sheetsync.core import Outcome
    from sheetsync.state import State
    from sheetsync.tracker.plan import Plan


def table(rows: Sequence[Sequence[str]], header: Sequence[str], widths: Sequence[int]) -> str:
    """A plain aligned table; the last column wraps nothing and is never cut."""

    def clip(text: str, width: int) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    lines = []
    for cells in [header, *rows]:
        parts = [clip(c, w).ljust(w) for c, w in zip(cells[:-1], widths, strict=False)]
        lines.append("  ".join([*parts, " ".join(cells[-1].split())]).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(header[-1]))
    return "\n".join(lines)


def when(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"{-days}d overdue"
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days}d")


def print_agenda(items: Sequence[AgendaItem], today: date) -> None:
    if not items:
        click.echo("Nothing due. Enjoy the quiet.")
        return
    ordered = sorted(items, key=lambda i: (i.due_on >= today, i.due_on, i.company.lower()))
    rows = [
        (
            i.due_on.strftime("%a %d %b"),
            when(i.due_on, today),
            ACTION_LABELS.get(i.action, i.action),
            f"{i.company} - {i.role}".strip(" -"),
            i.why,
        )
        for i in ordered
    ]
    click.echo(table(rows, ("Due", "When", "Action", "Application", "Why"), (10, 12, 21, 30)))


def agenda_json(items: Sequence[AgendaItem], today: date) -> str:
    return json.dumps([i.as_dict(today) for i in items], indent=2, ensure_ascii=False)


def agenda_csv(items: Sequence[AgendaItem], today: date) -> str:
    buffer = io.StringIO()
    fields = [
        "due_on",
        "overdue",
        "action",
        "company",
        "role",
        "app_id",
        "why",
        "subject",
        "to",
        "tab",
        "uid",
    ]
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow(item.as_dict(today))
    return buffer.getvalue()


def print_changes(plan: Plan) -> None:
    if not plan:
        click.echo("No changes to write.")
        return
    for tab in plan.new_tabs:
        click.echo(f"+ create tab {tab}")
    for tab, columns in plan.new_columns.items():
        if columns:
            click.echo(f"+ {tab}: add column(s) {', '.join(columns)}")
    for change in plan.changes:
        who = change.key or f"row {change.row + 2}"
        click.echo(
            f"~ {change.tab} [{who}] {change.column}: {_short(change.old)!r} -> "
            f"{_short(change.new)!r}"
        )
    for append in plan.appends:
        click.echo(f"+ {append.tab} [{append.key}] new row")


def _short(text: str, width: int = 60) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def print_outcome(outcome: Outcome, today: date, verb: str, quiet: bool = False) -> None:
    report = outcome.report
    written = f", {report.written} cell(s) written" if report else ""
    click.echo(f"sheetsync {verb}: {outcome.summary(today)}{written}.")
    if verb == "pulled" and outcome.plan:
        click.echo(f"  {outcome.plan.cells_changed()} cell change(s) ready: `sheetsync push` "
                   "writes them (`-v` lists them).")  # fmt: skip
    if report:
        for line in report.dropped:
            click.echo(f"  not written (row moved or deleted meanwhile): {line}")
    if quiet:
        return
    due = outcome.due_by(today)
    if due:
        click.echo("")
        print_agenda(due, today)
    problems = outcome.apps[outcome.apps["problems"].astype(bool)]
    if len(problems):
        click.echo("\nRows with problems (fix these cells; the rows get no action until then):")
        for _, row in problems.head(20).iterrows():
            click.echo(f"  {row['id'] or '(no id)'} {row['company']}: {row['problems']}")
        if len(problems) > 20:
            click.echo(f"  ... and {len(problems) - 20} more")


def print_lint(drafts: Sequence[dict[str, Any]]) -> int:
    flagged = [d for d in drafts if d.get("lint")]
    if not flagged:
        click.echo(f"All {len(drafts)} live draft(s) look ready to send.")
        return 0
    for draft in flagged:
        to = draft["to_name"] or draft["to_email"] or "?"
        click.echo(f"{draft['draft_id']} ({draft['company']}, to {to}):")
        for problem in str(draft["lint"]).split("; "):
            click.echo(f"  - {problem}")
    click.echo(f"{len(flagged)} of {len(drafts)} live draft(s) need a look.")
    return len(flagged)


def print_log(state: State, limit: int, cells: bool) -> None:
    from sheetsync.state import PARTLY_WRITTEN, ROW_ADDED

    pushes = state.pushes(limit)
    if not pushes:
        click.echo("No pushes recorded for this sheet yet.")
        return
    for push in pushes:
        status = "done" if push.finished_at else "INTERRUPTED (may be partly written)"
        if push.finished_at and push.summary.endswith(PARTLY_WRITTEN):
            status = "FAILED after part was written (listed below with --cells)"
        undone = f", undone by #{push.undone_by}" if push.undone_by else ""
        click.echo(
            f"#{push.id} {push.started_at} {push.command}: {push.cells} cell(s), "
            f"{status}{undone} - {push.summary}"
        )
        if cells:
            for cell in state.push_cells(push.id):
                if cell.column == ROW_ADDED:
                    click.echo(f"    {cell.tab} [{cell.row_id}] new row")
                    continue
                click.echo(
                    f"    {cell.tab} [{cell.row_id}] {cell.column}: "
                    f"{_short(cell.old)!r} -> {_short(cell.new)!r}"
                )

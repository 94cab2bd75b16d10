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
    from sheetsync.core.compute import ProblemRow
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


def print_agenda(
    items: Sequence[AgendaItem], today: date, coming: Sequence[AgendaItem] = ()
) -> None:
    """The items as a table; with none, the next few ``coming`` ones, so the quiet is not blind."""
    if not items:
        if not coming:
            click.echo("Nothing due, and nothing coming up.")
            return
        click.echo(f"Nothing due. Coming up next ({len(coming)}):")
        items = coming
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
    click.echo(table(rows, ("Due", "When", "Action", "Application", "Why"), (10, 12, 21, 50)))


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
    """What a push would write, one line a change (a dry run, or `pull -v`)."""
    if not plan:
        click.echo("No changes would be written.")
        return
    click.echo(f"Would write {plan.cells_changed()} cell change(s):")
    for tab in plan.new_tabs:
        click.echo(f"+ would create tab {tab}")
    for tab, columns in plan.new_columns.items():
        if columns:
            click.echo(f"+ {tab}: would add column(s) {', '.join(columns)}")
    for change in plan.changes:
        who = change.key or f"row {change.row + 2}"
        click.echo(
            f"~ {change.tab} [{who}] {change.column}: {_short(change.old)!r} -> "
            f"{_short(change.new)!r}"
        )
    for append in plan.appends:
        click.echo(f"+ {append.tab} [{append.key}] would add a row")
    dash = plan.dashboard
    if dash:  # wholly sheetsync's: counted, not listed cell by cell
        click.echo(f"+ would create tab {dash.title}" if dash.create else
                   f"~ {dash.title}: {len(dash.cells)} cell(s) would change")  # fmt: skip


def _short(text: str, width: int = 60) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def print_outcome(
    outcome: Outcome,
    today: date,
    verb: str,
    quiet: bool = False,
    dry_run: bool = False,
    planned: bool = False,
) -> None:
    """The run's summary, then what is due and the rows with problems.

    ``quiet`` (cron): only the lines of :func:`attention_lines`.
    """
    if quiet:
        for line in attention_lines(outcome, today):
            click.echo(line)
        return
    report = outcome.report
    if dry_run:
        cells = outcome.plan.cells_changed() if outcome.plan else 0
        click.echo(f"sheetsync would have {verb}: {outcome.summary(today, dry_run=True)}, "
                   f"{cells} cell(s) would be written.")  # fmt: skip
    else:
        written = f", {report.written} cell(s) written" if report else ""
        summary = outcome.summary(today, dry_run=planned)  # a pull adds nothing yet
        click.echo(f"sheetsync {verb}: {summary}{written}.")
    if verb == "pulled" and outcome.plan:
        click.echo(f"  {outcome.plan.cells_changed()} cell change(s) ready: `sheetsync push` "
                   "writes them (`-v` lists them).")  # fmt: skip
    for line in _dropped(outcome) + [f"note: {n}" for n in outcome.notes]:
        click.echo(f"  {line}")
    click.echo("")
    print_agenda(outcome.due_by(today), today, outcome.upcoming(today))
    if outcome.problems:
        click.echo("\nRows with problems (fix these cells; what needs them waits until then):")
        for problem in outcome.problems[:20]:
            click.echo(f"  {_problem_line(problem)}")
        if len(outcome.problems) > 20:
            click.echo(f"  ... and {len(outcome.problems) - 20} more")


def _dropped(outcome: Outcome) -> list[str]:
    report = outcome.report
    return [f"not written (row moved or deleted meanwhile): {d}" for d in report.dropped] \
        if report else []  # fmt: skip


def _problem_line(problem: ProblemRow) -> str:
    what = " - ".join(p for p in (problem.company.strip(), problem.role.strip()) if p)
    where = f"{problem.tab} row {problem.line}" + (f", id {problem.key}" if problem.key else "")
    return f"{what or '(no company)'} ({where}): {problem.problems}"


def attention_lines(outcome: Outcome, today: date) -> list[str]:
    """One line per due or overdue action (most overdue first), then per problem row.

    What cron mails under ``-q``, and the body of the ``--log-file`` entry;
    empty when nothing needs the user.
    """
    lines = []
    due = sorted(outcome.due_by(today), key=lambda i: (i.due_on, i.company.lower(), i.action))
    for item in due:
        late = (today - item.due_on).days
        status = "due today" if late == 0 else f"overdue by {late} day{'s' if late > 1 else ''}"
        app = ", ".join(p for p in (item.company, item.role) if p)
        to = f" to {item.to}" if item.to else ""
        action = ACTION_LABELS.get(item.action, item.action)
        lines.append(f"{status}: {action}{to} - {app} (due {item.due_on:%a %d %b %Y})")
    lines += [f"problem: {_problem_line(p)}" for p in outcome.problems]
    return lines + _dropped(outcome)


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

    pushes = state.pushes(limit if limit > 0 else -1)  # SQLite: LIMIT -1 is no limit
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

"""The commands that only read the tracker: agenda, lint and the feedback report."""

from __future__ import annotations

import datetime as dt
import sys

import click

from sheetsync.cli.group import cli
from sheetsync.cli.options import Run, pass_run, sheet_options
from sheetsync.errors import EXIT_PROBLEMS


@cli.command()
@sheet_options
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(0),
    help="Also list actions due within this many days.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "ics"]),
    default="table",
    show_default=True,
)
@click.option("--all", "show_all", is_flag=True, help="List every open action, however far off.")
@pass_run
def agenda(run: Run, days: int, fmt: str, show_all: bool) -> None:
    """Due and overdue actions (overdue first), from Applications and Feedback."""
    from sheetsync.cli.output import agenda_csv, agenda_json, print_agenda
    from sheetsync.core import read_only

    outcome = read_only(run.backend, run.config, run.today, run.state)  # reuses drafts: no render
    horizon = dt.date.max if show_all else run.today + dt.timedelta(days=days)
    items = [i for i in outcome.agenda if i.due_on <= horizon]
    if fmt == "json":
        click.echo(agenda_json(items, run.today))
    elif fmt == "csv":
        click.echo(agenda_csv(items, run.today), nl=False)
    elif fmt == "ics":
        from sheetsync.agenda.ics import agenda_to_ics

        data, memory = agenda_to_ics(
            outcome.agenda, today=run.today, previous=run.state.load_json("calendar.json"),
            until=None if show_all else horizon,
        )  # fmt: skip
        if show_all:  # only a whole feed is remembered, so later feeds cancel finished events
            run.state.save_json("calendar.json", memory)
        click.echo(data.decode("utf-8"), nl=False)
    else:
        coming = [i for i in outcome.agenda if i.due_on > horizon][:3]
        print_agenda(items, run.today, coming)


@cli.command()
@sheet_options
@pass_run
def lint(run: Run) -> None:
    """Check every live draft in the Drafts tab, including text you edited."""
    from sheetsync.cli.output import print_lint
    from sheetsync.core import read_only

    outcome = read_only(run.backend, run.config, run.today, run.state)
    problems = print_lint(outcome.drafts.open_drafts)
    if problems:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@sheet_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown"]),
    default="table",
    show_default=True,
)
@pass_run
def feedback(run: Run, fmt: str) -> None:
    """Report on rejection feedback: themes ranked, with quotes, and open action items."""
    from sheetsync.feedback.report import (
        feedback_report,
        report_csv,
        report_json,
        report_markdown,
        report_text,
    )
    from sheetsync.feedback.tab import compute_feedback
    from sheetsync.feedback.themes import load_themes
    from sheetsync.tracker.schema import FEEDBACK
    from sheetsync.tracker.table import Table

    workbook = run.backend.read()
    table = workbook.get(FEEDBACK) or Table(FEEDBACK, [])
    frame = table.frame()
    computed = compute_feedback(
        frame,
        run.today,
        run.config.rules,
        run.config.date_order,
        load_themes(run.config.themes_file),
    )
    report = feedback_report(frame, computed, run.today)
    render = {
        "json": report_json,
        "csv": report_csv,
        "markdown": report_markdown,
        "table": report_text,
    }[fmt]
    text = render(report)
    click.echo(text, nl=not text.endswith("\n"))


@cli.command()
@sheet_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@pass_run
def dashboard(run: Run, fmt: str) -> None:
    """The Dashboard in the terminal: funnel, this week, review queue, themes (read-only)."""
    from sheetsync.core import read_only
    from sheetsync.dashboard.text import overview_json, overview_markdown, overview_text

    outcome = read_only(run.backend, run.config, run.today, run.state)
    assert outcome.overview is not None  # every computation makes one
    render = {"json": overview_json, "markdown": overview_markdown, "table": overview_text}[fmt]
    click.echo(render(outcome.overview))

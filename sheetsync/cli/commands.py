"""The ``sheetsync`` command line: thin shells over :mod:`sheetsync.core`.

Each command parses options, calls one core function, and prints.  Errors from
the core (:class:`SheetsyncError`) become a one-line message and the exit code
documented in README.md; nothing else reaches the user as a traceback.
Heavy libraries (pandas, jinja2, gspread) are imported inside commands so that
``sheetsync --help`` starts quickly.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sheetsync.errors import EXIT_PROBLEMS, ConfigError, SheetsyncError

if TYPE_CHECKING:
    from sheetsync.backends.base import Backend
    from sheetsync.config import Config
    from sheetsync.core.runs import Outcome
    from sheetsync.state import State

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A core error shown as ``error: ...`` with the error's own exit code."""

    def __init__(self, error: SheetsyncError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # per instance, by design

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SheetsyncError as exc:
            raise CliError(exc) from exc


EXIT_CODES_HELP = """\b
Exit codes: 0 ok; 1 rows with problems (--strict) or drafts to fix (lint);
2 usage or configuration error; 3 authentication; 4 sheet not found or
unreachable after retries; 5 another run holds the lock; 6 ambiguous headers
(nothing written)."""


@click.group(
    cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP
)
@click.version_option(package_name="sheetsync")
def cli() -> None:
    """Keep a job-application tracker up to date: next follow-up actions, due
    dates, and drafted messages.

    \b
    Try it with no Google account:
      sheetsync init tracker && sheetsync sync --sheet tracker

    The sheet is a folder of CSV files, an .xlsx workbook, or a Google Sheets
    URL.  Settings live in sheetsync.toml (see `sheetsync doctor`).
    """


# -- shared options (defined once) ------------------------------------------------------


def _parse_today(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-16") from None


def sheet_options(func: F) -> F:
    """--sheet, --config, --credentials, --today, -q/-v, --log-file."""
    options = [
        click.option(
            "--sheet",
            "sheet",
            metavar="PATH|URL",
            help="Tracker: a CSV folder, an .xlsx file, or a Google Sheets URL or key."
            "  [default: `sheet` from sheetsync.toml]",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="Config file.  [default: $SHEETSYNC_CONFIG, ./sheetsync.toml, "
            "then the user config folder]",
        ),
        click.option(
            "--credentials",
            type=click.Path(dir_okay=False),
            help="Google service-account JSON (default: $GOOGLE_APPLICATION_CREDENTIALS"
            " or the config).",
        ),
        click.option(
            "--today",
            callback=_parse_today,
            metavar="YYYY-MM-DD",
            help="Treat this date as today.  [default: today in the configured zone]",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print nothing unless something needs you (for cron).",
        ),
        click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug)."),
        click.option(
            "--log-file", type=click.Path(dir_okay=False), help="Also append the log to this file."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def write_options(func: F) -> F:
    func = click.option(
        "--dry-run", is_flag=True, help="Show the cell changes a push would make; write nothing."
    )(func)
    func = click.option(
        "--strict", is_flag=True, help=f"Exit {EXIT_PROBLEMS} when any row has a problem."
    )(func)
    return func


class Run:
    """What every sheet command needs: config, today, backend, state."""

    def __init__(
        self,
        sheet: str | None,
        config_path: str | None,
        credentials: str | None,
        today: dt.date | None,
        quiet: bool,
        verbose: int,
        log_file: str | None,
    ) -> None:
        from sheetsync.config import load_config

        _setup_logging(verbose, log_file, quiet)
        self.config: Config = load_config(config_path)
        self.quiet = quiet
        self.verbose = verbose
        self.location = sheet or self.config.sheet
        self.credentials = credentials
        self.today = today or _today(self.config.timezone)
        self._backend: Backend | None = None
        self._state: State | None = None

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            from sheetsync.backends import open_backend

            self._backend = open_backend(self.location, self.config, self.credentials)
        return self._backend

    @property
    def state(self) -> State:
        if self._state is None:
            from sheetsync.state import State

            self._state = State.open(self.backend.key, self.config.state_dir)
        return self._state

    def options(self, command: str, dry_run: bool = False) -> Any:
        from sheetsync.core.runs import RunOptions

        return RunOptions(today=self.today, dry_run=dry_run, command=command)


def _today(zone: str | None) -> dt.date:
    if zone:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(zone)).date()
    return dt.date.today()


def _setup_logging(verbose: int, log_file: str | None, quiet: bool) -> None:
    import logging  # here, not at the top: `sheetsync --help` stays quick

    log = logging.getLogger("sheetsync")
    level = logging.WARNING - 10 * min(verbose, 2)
    if quiet:
        level = logging.ERROR
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        handlers[-1].setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handlers[0].setLevel(level)
    log.handlers[:] = handlers
    log.setLevel(min(level, logging.INFO if log_file else level))
    log.propagate = False


SHEET_OPTIONS = ("sheet", "config_path", "credentials", "today", "quiet", "verbose", "log_file")


def pass_run(func: F) -> F:
    """Turn the options of :func:`sheet_options` into a :class:`Run` for the command."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        run = Run(**{name: kwargs.pop(name) for name in SHEET_OPTIONS})
        return func(run, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- commands ---------------------------------------------------------------------------


@cli.command()
@click.argument("target", metavar="PATH", type=click.Path())
@click.option("--xlsx", is_flag=True, help="Create an .xlsx workbook instead of a CSV folder.")
@click.option("--force", is_flag=True, help="Overwrite an existing tracker at PATH.")
def init(target: str, xlsx: bool, force: bool) -> None:
    """Create a new local tracker at PATH from the sample applications."""
    from pathlib import Path

    from sheetsync.backends.local import new_tracker
    from sheetsync.resources import sample_sheet

    path = Path(target)
    if xlsx and path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    exists = path.is_file() if xlsx else (path / "Applications.csv").exists()
    if exists and not force:
        raise CliError(
            ConfigError(
                f"{path} already holds a tracker",
                hint="pick another path, or pass --force to replace it",
            )
        )
    new_tracker(path, sample_sheet(), xlsx=xlsx)
    what = "an .xlsx workbook" if xlsx else "Applications.csv, Drafts.csv and Feedback.csv"
    click.echo(f"Created {path} with {what}.")
    click.echo(f"Next: sheetsync sync --sheet {path}")


def _report(run: Run, outcome: Outcome, strict: bool, verb: str, dry_run: bool = False) -> None:
    from sheetsync.cli.output import print_changes, print_outcome

    if dry_run:
        print_changes(outcome.plan)
    needs_user = bool(
        outcome.due_by(run.today)
        or outcome.problem_rows
        or (outcome.report and outcome.report.dropped)
    )
    if not run.quiet or needs_user:
        print_outcome(outcome, run.today, verb, quiet=run.quiet)
    import logging

    log = logging.getLogger("sheetsync")
    log.info("%s %s: %s", verb, run.backend.label, outcome.summary(run.today))
    if strict and outcome.problem_rows:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@sheet_options
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_PROBLEMS} when any row has a problem.")
@pass_run
def pull(run: Run, strict: bool) -> None:
    """Read every tab, compute actions and drafts, and keep a local snapshot.

    Nothing is written to the sheet; `push` writes what this computed.
    """
    from sheetsync.core.runs import pull as do_pull

    outcome = do_pull(run.backend, run.state, run.config, run.options("pull"))
    _report(run, outcome, strict, "pulled", dry_run=run.verbose > 0)


@cli.command()
@sheet_options
@write_options
@pass_run
def push(run: Run, dry_run: bool, strict: bool) -> None:
    """Write the last pull's results: only cells sheetsync owns that changed.

    If the sheet changed since the pull, the results are computed again for
    the sheet as it is now; cells you edited in between are kept.
    """
    from sheetsync.core.runs import push as do_push

    outcome = do_push(run.backend, run.state, run.config, run.options("push", dry_run))
    _report(run, outcome, strict, "pushed", dry_run)


@cli.command()
@sheet_options
@write_options
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False),
    help="Also write the agenda as an iCalendar file here.",
)
@pass_run
def sync(run: Run, dry_run: bool, strict: bool, ics_path: str | None) -> None:
    """Pull then push in one run: what cron runs."""
    from sheetsync.core.runs import sync as do_sync

    outcome = do_sync(run.backend, run.state, run.config, run.options("sync", dry_run))
    if ics_path is not None and not dry_run:
        _write_ics(run, outcome, ics_path)
    _report(run, outcome, strict, "synced", dry_run)


def _write_ics(run: Run, outcome: Outcome, target: str) -> None:
    from pathlib import Path

    from sheetsync.backends.local import atomic_writer

    path = Path(target)
    from sheetsync.agenda.ics import agenda_to_ics

    data, memory = agenda_to_ics(
        outcome.agenda, today=run.today, previous=run.state.load_json("calendar.json")
    )
    with atomic_writer(path, "wb") as handle:
        handle.write(data)
    run.state.save_json("calendar.json", memory)


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
    from sheetsync.core.runs import read_only

    outcome = read_only(run.backend, run.config, run.today)
    horizon = dt.date.max if show_all else run.today + dt.timedelta(days=days)
    items = [i for i in outcome.agenda if i.due_on <= horizon]
    if fmt == "json":
        click.echo(agenda_json(items, run.today))
    elif fmt == "csv":
        click.echo(agenda_csv(items, run.today), nl=False)
    elif fmt == "ics":
        from sheetsync.agenda.ics import agenda_to_ics

        data, memory = agenda_to_ics(
            outcome.agenda, today=run.today, previous=run.state.load_json("calendar.json")
        )
        run.state.save_json("calendar.json", memory)  # so later feeds cancel finished events
        click.echo(data.decode("utf-8"), nl=False)
    else:
        print_agenda(items, run.today)


@cli.command()
@sheet_options
@pass_run
def lint(run: Run) -> None:
    """Check every live draft in the Drafts tab, including text you edited."""
    from sheetsync.cli.output import print_lint
    from sheetsync.core.runs import read_only

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
    from sheetsync.feedback.tab import (
        compute_feedback,
        feedback_report,
        report_csv,
        report_json,
        report_markdown,
        report_text,
    )
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
    click.echo(render(report), nl=not render(report).endswith("\n"))


@cli.command("log")
@sheet_options
@click.option("-n", "--limit", default=10, show_default=True, help="How many pushes to show.")
@click.option("--cells", is_flag=True, help="Also list every cell each push changed.")
@pass_run
def log_command(run: Run, limit: int, cells: bool) -> None:
    """Recent pushes to this sheet and what they changed."""
    from sheetsync.cli.output import print_log

    print_log(run.state, limit, cells)


@cli.command()
@sheet_options
@pass_run
def undo(run: Run) -> None:
    """Restore the cells the last push changed, where nobody has changed them since."""
    from sheetsync.core.runs import undo as do_undo

    result = do_undo(run.backend, run.state)
    if result.push_id is None:
        click.echo("Nothing to undo.")
        return
    click.echo(f"Undid push {result.push_id}: restored {result.restored} cell(s).")
    for line in result.skipped:
        click.echo(f"  kept: {line}")


@cli.command()
@sheet_options
@pass_run
def doctor(run: Run) -> None:
    """Check config, credentials, access to the sheet, headers and the state folder."""
    from sheetsync.cli.doctor import run_checks

    ok = True
    for check in run_checks(run):
        mark = "ok " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            ok = False
            if check.fix:
                click.echo(f"       fix: {check.fix}")
    if not ok:
        sys.exit(2)


def _register_google() -> None:
    try:
        from sheetsync.cli.google import auth, share
    except ImportError:  # pragma: no cover - only while the module is absent
        return
    cli.add_command(auth)
    cli.add_command(share)


_register_google()


def main() -> None:
    cli(prog_name="sheetsync")

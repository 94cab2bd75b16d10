"""The commands that change a tracker: init, pull, push, sync, undo, and the push log.

Thin shells over :mod:`sheetsync.core`: each parses options, calls one core
function, and prints.  Errors propagate to the root group (see
:mod:`sheetsync.cli.group`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from sheetsync.cli.group import cli
from sheetsync.cli.options import Run, pass_run, sheet_options, write_options
from sheetsync.errors import EXIT_PROBLEMS, ConfigError

if TYPE_CHECKING:
    from sheetsync.core import Outcome


@cli.command()
@click.argument("target", metavar="PATH", type=click.Path())
@click.option(
    "--xlsx", is_flag=True, help="Create an .xlsx workbook (also when PATH ends in .xlsx)."
)
@click.option(
    "--force", is_flag=True, help="Replace a tracker at PATH, keeping a timestamped backup."
)
def init(target: str, xlsx: bool, force: bool) -> None:
    """Create a new local tracker at PATH from the sample applications.

    PATH is a folder of CSV files, or an .xlsx workbook when it ends in .xlsx.
    """
    from pathlib import Path

    from sheetsync.backends.create import existing_tracker, keep_backup, new_tracker
    from sheetsync.resources import sample_sheet

    path = Path(target)
    xlsx = xlsx or path.suffix.lower() == ".xlsx"
    if xlsx and path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    if path.is_dir() if xlsx else path.is_file():
        raise ConfigError(
            f"{path} is a {'folder' if xlsx else 'file'}",
            hint="pick another path (a name ending in .xlsx makes a workbook; any other, "
            "a folder of CSV files)",
        )
    backup = None
    if existing_tracker(path, xlsx=xlsx):
        if not force:
            raise ConfigError(
                f"{path} already holds a tracker",
                hint="pick another path, or pass --force to replace it (a backup is kept)",
            )
        backup = keep_backup(path)
    new_tracker(path, sample_sheet(), xlsx=xlsx)
    what = "an .xlsx workbook" if xlsx else "Applications.csv, Drafts.csv and Feedback.csv"
    click.echo(f"Created {path} with {what}.")
    if backup is not None:
        click.echo(f"The tracker that was there is kept as {backup}.")
    click.echo(f"Next: sheetsync sync --sheet {path}")


def report_outcome(
    run: Run,
    outcome: Outcome,
    strict: bool,
    verb: str,
    dry_run: bool = False,
    planned: bool = False,
) -> None:
    """Print what the run did (or would do), log it, and apply --strict.

    ``planned``: a pull, which writes nothing and says what a push would add.
    """
    import logging

    from sheetsync.cli.output import attention_lines, print_changes, print_outcome

    needs_user = attention_lines(outcome, run.today)
    if dry_run and (not run.quiet or needs_user):
        click.echo("Dry run: nothing written.")
        if not run.quiet:
            print_changes(outcome.plan)
    print_outcome(outcome, run.today, verb, quiet=run.quiet, dry_run=dry_run, planned=planned)
    log = logging.getLogger("sheetsync")
    body = "".join(f"\n  {line}" for line in needs_user)  # the cron mail, kept in the log
    what = f"would have {verb} (dry run)" if dry_run else verb
    log.info("%s %s: %s%s", what, run.backend.label, outcome.summary(run.today, dry_run=dry_run),
             body)  # fmt: skip
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
    from sheetsync.cli.output import print_changes
    from sheetsync.core import pull as do_pull

    outcome = do_pull(run.backend, run.state, run.config, run.options("pull"))
    if run.verbose > 0:
        print_changes(outcome.plan)
    report_outcome(run, outcome, strict, "pulled", planned=True)


@cli.command()
@sheet_options
@write_options
@pass_run
def push(run: Run, dry_run: bool, strict: bool) -> None:
    """Write the last pull's results: only cells sheetsync owns that changed.

    If the sheet changed since the pull, the results are computed again for
    the sheet as it is now; cells you edited in between are kept.
    """
    from sheetsync.core import push as do_push

    outcome = do_push(run.backend, run.state, run.config, run.options("push", dry_run))
    report_outcome(run, outcome, strict, "pushed", dry_run)


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
    from sheetsync.core import sync as do_sync

    outcome = do_sync(run.backend, run.state, run.config, run.options("sync", dry_run))
    if ics_path is not None and not dry_run:
        _write_ics(run, outcome, ics_path)
    report_outcome(run, outcome, strict, "synced", dry_run)


def _write_ics(run: Run, outcome: Outcome, target: str) -> None:
    from pathlib import Path

    from sheetsync.agenda.ics import agenda_to_ics
    from sheetsync.fileio import atomic_writer

    data, memory = agenda_to_ics(
        outcome.agenda, today=run.today, previous=run.state.load_json("calendar.json")
    )
    with atomic_writer(Path(target), "wb") as handle:
        handle.write(data)
    run.state.save_json("calendar.json", memory)


@cli.command()
@sheet_options
@click.option("--dry-run", is_flag=True, help="Show what undo would restore; write nothing.")
@pass_run
def undo(run: Run, dry_run: bool) -> None:
    """Restore the cells the last push changed, where nobody has changed them since."""
    from sheetsync.cli.output import print_changes
    from sheetsync.core import undo as do_undo

    result = do_undo(run.backend, run.state, dry_run=dry_run)
    if result.push_id is None:
        click.echo("Nothing to undo.")
        return
    if dry_run:
        click.echo("Dry run: nothing written.")
        print_changes(result.plan)
        click.echo(f"Would undo push {result.push_id}: would restore {result.restored} cell(s).")
    else:
        click.echo(f"Undid push {result.push_id}: restored {result.restored} cell(s).")
    for line in result.skipped:
        click.echo(f"  {'would keep' if dry_run else 'kept'}: {line}")


@cli.command()
@sheet_options
@click.option("--apply", is_flag=True, help="Write the ids back (without it: show them only).")
@pass_run
def repair(run: Run, apply: bool) -> None:
    """Give rows back the ids a deleted or emptied id / draft_id column lost.

    Each row is matched by its other cells (an application by the company and
    role its drafts name; a draft by what the history recorded when it was
    added); a row that fits no id, or more than one, is listed and left blank.
    Without --apply, nothing is written.
    """
    from sheetsync.cli.output import print_changes
    from sheetsync.core.repair import repair as do_repair

    result = do_repair(run.backend, run.state, apply=apply)
    if not result.restored and not result.unmatched:
        click.echo("Nothing to repair: every row has its id.")
        return
    if not apply:
        click.echo("Dry run: nothing written.")
        print_changes(result.plan)
    verb = "Restored" if apply else "Would restore"
    click.echo(f"{verb} {len(result.restored)} id(s):")
    for line in result.restored:
        click.echo(f"  {line}")
    for line in result.unmatched:
        click.echo(f"  left blank: {line}")
    if not apply and result.restored:
        click.echo("Run `sheetsync repair --apply` to write them (`sheetsync undo` takes it back).")


@cli.command("log")
@sheet_options
@click.option(
    "-n", "--limit", default=10, show_default=True, type=click.IntRange(0),
    help="How many pushes to show (0: all of them).",
)
@click.option("--cells", is_flag=True, help="Also list every cell each push changed.")
@pass_run
def log_command(run: Run, limit: int, cells: bool) -> None:
    """Recent pushes to this sheet and what they changed."""
    from sheetsync.cli.output import print_log

    print_log(run.state, limit, cells)

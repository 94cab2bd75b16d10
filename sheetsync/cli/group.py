"""The root ``sheetsync`` group and the one place errors reach the user.

Errors from the core (:class:`SheetsyncError`) become a one-line message and
the exit code documented in README.md; nothing else reaches the user as a
traceback.  Commands raise sheetsync errors and let them come here.
"""

from __future__ import annotations

from typing import Any

import click

from sheetsync.errors import SheetsyncError


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


def main() -> None:
    cli(prog_name="sheetsync")

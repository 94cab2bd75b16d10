"""The root ``sheetsync`` group and the one place errors reach the user.

Errors from the core (:class:`SheetsyncError`) become a one-line message and
the exit code documented in README.md; a file-system error (permissions, disk
full) becomes one too, and anything else is a bug: a one-line message, exit
70, and the traceback in the log file, never on the terminal.  Commands raise
sheetsync errors and let them come here.
"""

from __future__ import annotations

from typing import Any

import click

from sheetsync.errors import EXIT_INTERNAL, FileSystemError, SheetsyncError


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
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # Click's own: usage errors, --help, Ctrl-C
        except BrokenPipeError as exc:  # `sheetsync agenda | head`: the reader left early
            _silence_stdout()
            raise click.exceptions.Exit(0) from exc
        except OSError as exc:
            if exc.filename is None and exc.errno not in _FILE_ERRNOS:
                raise CliError(internal_error(exc)) from exc
            raise CliError(FileSystemError.from_os(exc)) from exc
        except Exception as exc:  # the last resort: a bug, told in one line
            raise CliError(internal_error(exc)) from exc


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit does not fail again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def _file_errnos() -> frozenset[int]:
    import errno

    names = ("EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENOTDIR", "EISDIR", "ENOENT")
    return frozenset(getattr(errno, n) for n in names if hasattr(errno, n))


_FILE_ERRNOS = _file_errnos()


class InternalError(SheetsyncError):
    exit_code = EXIT_INTERNAL


def internal_error(exc: BaseException) -> SheetsyncError:
    """The one-line message for a bug; its traceback goes to the log file."""
    where = _log_traceback(exc)
    kept = f"the details are in {where}" if where else "run again with --log-file FILE for details"
    return InternalError(
        f"internal error: {type(exc).__name__}: {exc}",
        hint=f"this is a bug in sheetsync; {kept}. Every push is logged before it "
        "writes: `sheetsync log` shows whether one was cut short",
    )


def _log_traceback(exc: BaseException) -> str | None:
    """Write ``exc``'s traceback to the --log-file, else to error.log in the state folder."""
    import datetime as dt
    import logging
    import traceback

    text = "".join(traceback.format_exception(exc))
    log = logging.getLogger("sheetsync")
    files = [h for h in log.handlers if isinstance(h, logging.FileHandler)]
    if files:
        for handler in files:
            handler.emit(logging.LogRecord(
                "sheetsync", logging.CRITICAL, __file__, 0, "internal error\n%s",
                (text,), None,
            ))  # fmt: skip
        return files[0].baseFilename
    from sheetsync.state import default_state_root

    try:
        path = default_state_root() / "error.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n{text}\n")
    except OSError:
        return None
    return str(path)


EXIT_CODES_HELP = """\b
Exit codes: 0 ok; 1 rows with problems (--strict) or drafts to fix (lint);
2 usage or configuration error; 3 authentication; 4 sheet not found or
unreachable after retries; 5 another run holds the lock; 6 the layout cannot
be used safely (nothing written); 7 a file or folder cannot be read or
written; 8 a CSV file is not UTF-8 or not comma-separated; 70 internal error."""


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

"""One root exception, with the exit code each kind of failure maps to.

The CLI turns any :class:`SheetsyncError` into a message and its ``exit_code``;
nothing below the CLI prints or exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sheetsync.tracker.plan import Plan

# Documented in README.md ("Exit codes"); keep the two in step.
EXIT_OK = 0
EXIT_PROBLEMS = 1  # rows with problems, only under --strict
EXIT_USAGE = 2  # bad command line or configuration (Click uses 2 for usage errors too)
EXIT_AUTH = 3  # credentials missing, expired or refused
EXIT_UNREACHABLE = 4  # sheet not found, or unreachable after retries
EXIT_LOCKED = 5  # another sheetsync run holds this sheet's lock
EXIT_LAYOUT = 6  # the sheet's header row cannot be used safely; nothing was written


class SheetsyncError(Exception):
    """Root of every error sheetsync raises on purpose."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(SheetsyncError):
    """The configuration file or a command-line value is wrong."""

    exit_code = EXIT_USAGE


class LayoutError(SheetsyncError):
    """A tab's header row is ambiguous (duplicate or blank headers over data)."""

    exit_code = EXIT_LAYOUT


class AuthError(SheetsyncError):
    """Credentials are missing, expired, or do not grant access."""

    exit_code = EXIT_AUTH


class UnreachableError(SheetsyncError):
    """The sheet could not be found or reached (after retries)."""

    exit_code = EXIT_UNREACHABLE


class PartlyWritten(UnreachableError):
    """A write failed after part of it reached the sheet.

    ``landed`` is that part as a plan (the cells that were, or may have been,
    written), so the history can record it and ``undo`` can reverse it.
    """

    def __init__(self, message: str, *, landed: Plan, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.landed = landed


class LockedError(SheetsyncError):
    """Another sheetsync run is working on the same sheet."""

    exit_code = EXIT_LOCKED


class TemplateProblem(SheetsyncError):
    """A message template failed to load or render (names file and line)."""

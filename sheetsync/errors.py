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
EXIT_FILESYSTEM = 7  # a local file or folder cannot be read or written (permissions, disk full)
EXIT_FILE_FORMAT = 8  # a CSV file is not UTF-8, or not comma-separated
EXIT_INTERNAL = 70  # a bug in sheetsync (sysexits' EX_SOFTWARE); the traceback is logged


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


class FileSystemError(SheetsyncError):
    """A local file or folder cannot be read or written (permissions, disk full...)."""

    exit_code = EXIT_FILESYSTEM

    @classmethod
    def from_os(cls, exc: OSError, doing: str = "") -> FileSystemError:
        """A one-line error for ``exc``, with a hint chosen by its cause."""
        import errno

        where = exc.filename if exc.filename is not None else ""
        what = exc.strerror or str(exc)
        doing = doing or "cannot use"
        hints = {
            errno.EACCES: "check the permissions of the file and its folder "
            "(sheetsync needs to write beside the file)",
            errno.EPERM: "check the permissions of the file and its folder",
            errno.EROFS: "the disk is read-only: copy the tracker somewhere writable",
            errno.ENOSPC: "free some disk space, then run again",
            errno.EDQUOT: "free some disk space (quota exceeded), then run again",
            errno.ENOTDIR: "a part of the path is a file where a folder is expected",
            errno.EISDIR: "the path is a folder where a file is expected",
            errno.EEXIST: "a file is in the way: move it, or pick another path",
            errno.ENOENT: "check the path: a folder in it does not exist",
        }
        hint = hints.get(exc.errno or 0, "check the path and its permissions")
        return cls(f"{doing} {where}: {what}".replace("  ", " "), hint=hint)


class FileFormatError(SheetsyncError):
    """A CSV file sheetsync cannot read as UTF-8, comma-separated text."""

    exit_code = EXIT_FILE_FORMAT

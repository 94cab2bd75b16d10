"""Options shared by the sheet commands, defined once, and the :class:`Run` they build.

Heavy libraries (pandas, jinja2, gspread) are imported inside functions so
that ``sheetsync --help`` starts quickly.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sheetsync.errors import EXIT_PROBLEMS

if TYPE_CHECKING:
    from pathlib import Path

    from sheetsync.backends.base import Backend
    from sheetsync.config import Config
    from sheetsync.core import RunOptions
    from sheetsync.state import State

F = TypeVar("F", bound=Callable[..., Any])


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
        self.today = today or local_today(self.config.timezone)
        self._backend: Backend | None = None
        self._state: State | None = None

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._open_backend()
        return self._backend

    def _open_backend(self) -> Backend:
        from sheetsync.backends import open_backend
        from sheetsync.backends.google.cache import CACHE_FOLDER

        return open_backend(self.location, self.config, self.credentials,
                            cache_dir=self.state_root / CACHE_FOLDER)  # fmt: skip

    @property
    def state_root(self) -> Path:
        """The folder holding every sheet's state (and the Google metadata cache)."""
        from sheetsync.state import default_state_root

        state_dir = self.config.state_dir
        from pathlib import Path  # here: `sheetsync --help` need not import it

        return Path(state_dir).expanduser() if state_dir else default_state_root()

    @property
    def state(self) -> State:
        if self._state is None:
            from sheetsync.state import State

            self._state = State.open(self.backend.key, self.state_root)
        return self._state

    def options(self, command: str, dry_run: bool = False) -> RunOptions:
        from sheetsync.core import RunOptions

        return RunOptions(today=self.today, dry_run=dry_run, command=command)


def local_today(zone: str | None) -> dt.date:
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

"""``watch`` and ``serve``: keep the tracker in sync while people edit it.

Thin shells over :mod:`sheetsync.live`; errors propagate to the root group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from sheetsync.cli.group import cli
from sheetsync.cli.options import Run, local_today, pass_run, sheet_options

if TYPE_CHECKING:
    import datetime as dt

    from sheetsync.core import Outcome


def _today_of(run: Run) -> Callable[[], dt.date]:
    """Today at each sync (a watch outlives midnight), unless --today fixed it."""
    fixed = click.get_current_context().params.get("today")
    return lambda: fixed or local_today(run.config.timezone)


@contextmanager
def _stopped_by_signals(stop: Callable[..., None]) -> Iterator[None]:
    """SIGTERM and SIGINT call ``stop`` instead of killing the process mid-write."""
    import signal  # here, not at import: `sheetsync --help` stays quick

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _watch_backend(run: Run) -> None:
    """For Google Sheets, credentials that may also ask Drive for the file's version."""
    from sheetsync.backends import is_google

    if not run.location or not is_google(run.location):
        return
    from sheetsync.backends.google.cache import CACHE_FOLDER
    from sheetsync.backends.google.sheets import GoogleSheetsBackend
    from sheetsync.live.changes import watch_credentials

    credentials = watch_credentials(run.credentials, run.config.credentials)
    backend = GoogleSheetsBackend(run.location, credentials,
                                  cache_dir=run.state_root / CACHE_FOLDER)  # fmt: skip
    backend.aliases = dict(run.config.columns)
    backend.applications_tab = run.config.applications_tab
    run._backend = backend  # what open_backend would do, with the wider credentials


@cli.command()
@sheet_options
@click.option(
    "--interval", default=60.0, show_default=True, type=click.FloatRange(min=5),
    metavar="SECONDS",
    help="Seconds between looks for changes (at least 5).",
)
@pass_run
def watch(run: Run, interval: float) -> None:
    """Sync now, then sync again whenever the tracker changes, until stopped.

    Every INTERVAL seconds it looks whether the tracker changed: for Google
    Sheets one Drive request for the file's version (no Sheets quota), for
    local files their sizes and times.  It syncs only when something changed.
    Errors are logged and retried with a growing wait (up to 10 minutes);
    SIGTERM or Ctrl-C end it between syncs (exit 0).
    """
    import logging

    from sheetsync.cli.commands import report_outcome
    from sheetsync.core import RunOptions
    from sheetsync.core import sync as do_sync
    from sheetsync.live.changes import change_token
    from sheetsync.live.watch import Watcher, dated

    _watch_backend(run)
    today = _today_of(run)
    log = logging.getLogger("sheetsync")

    def sync() -> bool:
        run.today = today()
        outcome: Outcome = do_sync(run.backend, run.state, run.config,
                                   RunOptions(today=run.today, command="watch"))  # fmt: skip
        wrote = outcome.push_id is not None
        if wrote or watcher.stats.syncs == 0:
            report_outcome(run, outcome, False, "synced")
        else:
            log.info("checked %s: nothing to write", run.backend.label)
        return wrote

    watcher = Watcher(dated(lambda: change_token(run.backend), today), sync, interval=interval)
    log.info("watching %s every %gs", run.backend.label, interval)
    with _stopped_by_signals(watcher.stop):
        watcher.run()


@cli.command()
@sheet_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")  # fmt: skip
@pass_run
def serve(run: Run, host: str, port: int) -> None:
    """Answer the in-sheet "sheetsync" menu over HTTP: POST /sync runs one sync.

    Needs a token ($SHEETSYNC_SERVE_TOKEN or [serve] token in sheetsync.toml),
    sent as `Authorization: Bearer <token>`; a --host other than this machine
    needs one of at least 32 characters.  Needs `pip install 'sheetsync[serve]'`.
    """
    import logging
    import os

    from sheetsync.live.serve import App, check_serving, listening, make_server, sync_function

    token = check_serving(host, os.environ.get("SHEETSYNC_SERVE_TOKEN") or run.config.serve_token)
    backend = run.backend  # opened once (credentials too): a problem stops serve here
    app = App(token, sync_function(backend, run.config, run.state_root, _today_of(run)))
    server = make_server(app, host, port)
    where = " and ".join(listening(server))
    if not run.quiet:
        click.echo(f"sheetsync serving {backend.label} on {where}")
    log = logging.getLogger("sheetsync")
    log.info("serve: listening on %s", where)
    with _stopped_by_signals(_raise_stop):
        server.run()  # returns when a signal raises _Stop (waitress closes itself)
    # Let a sync that is running finish its write before the process ends.
    app.flight.wait_idle(timeout=120)
    log.info("serve: stopped")


class _Stop(SystemExit):
    """Raised by SIGTERM/SIGINT inside the server's loop: waitress closes on SystemExit."""


def _raise_stop(*_: object) -> None:
    raise _Stop

"""``sheetsync watch``: sync once, then look cheaply every interval and sync on change.

Each look asks for the tracker's change token (see :mod:`sheetsync.live.changes`):
one Drive ``files.get`` for Google Sheets, a few ``stat`` calls for local
files.  The sheet itself is read only when the token moved.

After a sync that wrote, the token it leaves behind includes sheetsync's own
write *and* any edit someone made while that sync ran, which the sync may not
have seen.  So a writing sync is followed by one more sync at the next look; that
one normally writes nothing and its token becomes the quiet baseline.  An edit
therefore costs two syncs, the second a single read.

Errors are logged and never end the loop: the wait doubles after each failure
(up to ten minutes) and returns to the interval after a success.  Another run
holding the sheet's lock (a cron ``sync``) is not a failure: the look is
simply repeated at the next interval.  :meth:`Watcher.stop` (wired to SIGTERM
and SIGINT) ends the loop between syncs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sheetsync.errors import LockedError, SheetsyncError

log = logging.getLogger("sheetsync")

DEFAULT_INTERVAL = 60.0
MIN_INTERVAL = 5.0
MAX_BACKOFF = 600.0  # ten minutes


@dataclass
class WatchStats:
    """What the loop did, for logs, tests and the benchmark."""

    looks: int = 0  # change tokens asked for
    syncs: int = 0  # syncs that completed
    failures: int = 0  # looks or syncs that raised
    waits: list[float] = field(default_factory=list)


class Watcher:
    """The loop; ``token`` and ``sync`` are the backend's, ``sleep`` is injectable.

    ``sleep(seconds)`` waits up to ``seconds`` and returns True when the loop
    should stop (the default waits on the stop event, so a signal wakes it).
    ``sync`` returns True when it wrote to the tracker.
    """

    def __init__(
        self,
        token: Callable[[], str],
        sync: Callable[[], bool],
        *,
        interval: float = DEFAULT_INTERVAL,
        max_backoff: float = MAX_BACKOFF,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        if interval < MIN_INTERVAL:
            raise ValueError(f"interval below {MIN_INTERVAL} seconds")
        self.token = token
        self.sync = sync
        self.interval = interval
        self.max_backoff = max(max_backoff, interval)
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self.stats = WatchStats()
        self.recorded: str | None = None  # the token of a tracker known to be synced

    def stop(self, *_: object) -> None:
        """End the loop at its next wait, or before its next sync (safe in a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Loop until stopped; returns normally (the caller exits 0)."""
        failures = 0
        while not self.stopping:
            try:
                self.look()
                failures = 0
            except LockedError as exc:
                log.info("%s; looking again in %gs", exc.message, self.interval)
            except Exception as exc:  # noqa: BLE001 - any failure: log it, back off, go on
                failures += 1
                self.stats.failures += 1
                _log_failure(exc)
            wait = min(self.interval * 2**failures, self.max_backoff)
            if failures:
                log.warning("trying again in %gs", wait)
            self.stats.waits.append(wait)
            if self._sleep(wait) or self.stopping:
                break
        log.info("watch stopped")

    def look(self) -> None:
        """One look: sync when the token moved (or nothing is recorded yet)."""
        self.stats.looks += 1
        now = self.token()
        if now == self.recorded:
            return
        if self.stopping:
            return  # a signal came during the look: end without starting a sync
        if self.recorded is not None:
            log.info("the tracker changed: syncing")
        wrote = self.sync()
        self.stats.syncs += 1
        # A sync that wrote is checked by one more sync (see the module docstring).
        self.recorded = None if wrote else now


def dated(token: Callable[[], str], today: Callable[[], object]) -> Callable[[], str]:
    """``token`` that also moves when the day changes: a new day can make actions due,
    so a watch syncs once a day even when nobody edits."""
    return lambda: f"{token()} {today()}"


def _log_failure(exc: BaseException) -> None:
    if isinstance(exc, SheetsyncError):
        log.error("%s", exc)  # message and hint, as the command line shows them
    else:
        log.error("unexpected error: %s: %s", type(exc).__name__, exc)
        log.debug("traceback", exc_info=exc)

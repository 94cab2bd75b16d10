"""``sheetsync serve``: a small HTTP backend for the in-sheet "sheetsync" menu.

A plain WSGI application, served by waitress (see :func:`make_server`):

* ``GET /health`` -> 200 ``{"ok": true}``, no authentication.
* ``POST /sync`` with ``Authorization: Bearer <token>`` -> one sync of the
  configured sheet; 200 with counts and the top due items.

Every refusal is a one-line JSON error with its status: 400 malformed body,
401 missing or wrong token (nothing runs), 404 unknown path, 405 other methods,
409 another run holds the sheet's lock, 413 a body over 64 KiB, 429 too many
requests from one client (with ``Retry-After``), 502 the sheet cannot be reached
or read, 500 anything else.  At most one sync runs at a time; a request that
arrives while one runs waits for it and gets its answer.  The token is compared
in constant time and never written to a response or a log.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheetsync.errors import AuthError, ConfigError, LockedError, SheetsyncError, UnreachableError

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from sheetsync.backends.base import Backend
    from sheetsync.config import Config
    from sheetsync.core import Outcome

log = logging.getLogger("sheetsync")

MAX_BODY = 64 * 1024
RATE_LIMIT = 6  # /sync requests per client ...
RATE_WINDOW = 60.0  # ... per this many seconds
MIN_PUBLIC_TOKEN = 32  # characters a token needs before serving beyond this machine
TOP_DEFAULT = 5
TOP_MAX = 50
LOOPBACK = ("127.0.0.1", "::1", "localhost")
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
           429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway"}  # fmt: skip
ROUTES = {"/health": "GET", "/sync": "POST"}

StartResponse = Callable[..., Any]
Answer = tuple[int, dict[str, Any], list[tuple[str, str]]]


def check_serving(host: str, token: str | None) -> str:
    """The token to serve with, or a :class:`ConfigError` saying why not to start."""
    if not token or not token.strip():
        raise ConfigError(
            "serve needs a token: none is set",
            hint="set $SHEETSYNC_SERVE_TOKEN or `token` under [serve] in sheetsync.toml "
            "(e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)",
        )
    token = token.strip()
    if host not in LOOPBACK and len(token) < MIN_PUBLIC_TOKEN:
        raise ConfigError(
            f"serving on {host} needs a token of at least {MIN_PUBLIC_TOKEN} characters "
            f"(this one has {len(token)})",
            hint="use a longer random token, or serve on 127.0.0.1 behind a reverse proxy",
        )
    return token


class RateLimiter:
    """At most ``limit`` requests per client in any ``window`` seconds (a sliding log)."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> float | None:
        """None when ``client`` may go ahead (and counts it), else seconds until it may."""
        with self._lock:
            now = self.clock()
            if len(self._seen) > 10_000:  # many clients: forget those with nothing recent
                recent = now - self.window
                self._seen = {c: q for c, q in self._seen.items() if q and q[-1] > recent}
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return max(1.0, times[0] + self.window - now)
            times.append(now)
            return None


class SingleFlight:
    """Run one call at a time; callers arriving meanwhile share its result (or error)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: _Flight | None = None

    def run(self, fn: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """``fn``'s result, and whether it came from a call already running."""
        with self._lock:
            flight = self._running
            leader = flight is None
            if flight is None:
                flight = self._running = _Flight()
        if not leader:
            flight.done.wait()
            return flight.outcome(), True
        try:
            flight.result = fn()
        except BaseException as exc:
            flight.error = exc
        finally:
            with self._lock:
                self._running = None
            flight.done.set()
        return flight.outcome(), False

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call runs (at most ``timeout`` seconds); True when none does."""
        with self._lock:
            flight = self._running
        return flight is None or flight.done.wait(timeout)


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] | None = None
    error: BaseException | None = None

    def outcome(self) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class App:
    """The WSGI application; ``sync(top)`` runs one sync and returns its JSON answer."""

    def __init__(self, token: str, sync: Callable[[int], dict[str, Any]], *,
                 limiter: RateLimiter | None = None) -> None:  # fmt: skip
        self._token = token.encode("utf-8")
        self._sync = sync
        self.limiter = limiter or RateLimiter()
        self.flight = SingleFlight()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, body, headers = self.answer(environ)
        except Exception as exc:  # noqa: BLE001 - the server keeps serving after a bug
            log.error("serve: unexpected error: %s: %s", type(exc).__name__, exc)
            log.debug("traceback", exc_info=exc)
            status, body, headers = _error(500, "internal error (details in the server log)")
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n"
        start_response(f"{status} {REASONS.get(status, '')}".rstrip(), [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))), ("Cache-Control", "no-store"), *headers])
        path = environ.get("PATH_INFO", "")
        # Only known paths are logged: a token pasted into a URL must not reach the log.
        shown = path if path in ROUTES else "(another path)"
        log.info("serve: %s %s from %s: %d", str(environ.get("REQUEST_METHOD"))[:10], shown,
                 environ.get("REMOTE_ADDR", "?"), status)  # fmt: skip
        return [data]

    def answer(self, environ: dict[str, Any]) -> Answer:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        allowed = ROUTES.get(path)
        if allowed is None:
            return _error(404, f"no such path; use {' or '.join(ROUTES)}")
        if method != allowed:
            status, body, headers = _error(405, f"{path} takes {allowed} only")
            return status, body, [*headers, ("Allow", allowed)]
        if path == "/health":
            return 200, {"ok": True}, []
        return self._sync_request(environ)

    def _sync_request(self, environ: dict[str, Any]) -> Answer:
        raw = _read_body(environ)
        if isinstance(raw, int):
            return _error(raw, "request body over 64 KiB" if raw == 413 else
                          "bad Content-Length")  # fmt: skip
        wait = self.limiter.check(str(environ.get("REMOTE_ADDR", "")))
        if wait is not None:
            status, body, headers = _error(429, "too many requests; try again later")
            return status, body, [*headers, ("Retry-After", str(int(wait + 0.999)))]
        if not self._authorized(environ.get("HTTP_AUTHORIZATION", "")):
            status, body, headers = _error(401, "missing or wrong token")
            return status, body, [*headers, ("WWW-Authenticate", 'Bearer realm="sheetsync"')]
        top = _parse_top(raw)
        if isinstance(top, str):
            return _error(400, top)
        try:
            # The running sync lists the most items any caller may ask for; each caller
            # gets as many as it asked for, whichever request started the sync.
            result, shared = self.flight.run(lambda: self._sync(TOP_MAX))
        except LockedError:
            return _error(409, "another sheetsync run is working on this sheet; try again soon")
        except (UnreachableError, AuthError) as exc:
            return _error(502, _one_line(exc.message))
        except SheetsyncError as exc:
            return _error(500, _one_line(exc.message))
        return 200, {**result, "due": result.get("due", [])[:top], "shared": shared}, []

    def _authorized(self, header: str) -> bool:
        scheme, _, given = header.strip().partition(" ")
        candidate = given.strip().encode("utf-8") if scheme.lower() == "bearer" else b""
        # compare_digest takes the same time wherever the first difference is.
        return hmac.compare_digest(candidate, self._token)


def _read_body(environ: dict[str, Any]) -> bytes | int:
    """The body (at most 64 KiB), or the status refusing it."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    try:
        length = int(length_text) if length_text else 0
    except ValueError:
        return 400
    if length < 0:
        return 400
    if length > MAX_BODY:
        return 413
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    data: bytes = stream.read(length) if length else stream.read(MAX_BODY + 1)
    return 413 if len(data) > MAX_BODY else data


def _parse_top(raw: bytes) -> int | str:
    """How many due items to list: ``{"top": N}`` in the body, else the default."""
    if not raw.strip():
        return TOP_DEFAULT
    try:
        body = json.loads(raw)
    except ValueError:
        return "the body is not JSON (send nothing, or {\"top\": 5})"
    if not isinstance(body, dict) or set(body) - {"top"}:
        return "the body may hold only {\"top\": N}"
    top = body.get("top", TOP_DEFAULT)
    if not isinstance(top, int) or isinstance(top, bool) or not 0 <= top <= TOP_MAX:
        return f"top must be a whole number from 0 to {TOP_MAX}"
    return top


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def _error(status: int, message: str) -> Answer:
    return status, {"ok": False, "error": message}, []


def sync_function(backend: Backend, config: Config, state_root: Path,
                  today: Callable[[], dt.date]) -> Callable[[int], dict[str, Any]]:  # fmt: skip
    """What ``POST /sync`` runs: one sync of ``backend`` (under the sheet's lock), answered."""
    from sheetsync.core import RunOptions, sync
    from sheetsync.state import State

    def run(top: int) -> dict[str, Any]:
        day = today()
        # Requests run on the server's threads: each sync opens its own state handle.
        state = State.open(backend.key, state_root)
        try:
            outcome = sync(backend, state, config, RunOptions(today=day, command="serve"))
        finally:
            state.close()
        return sync_answer(outcome, day, backend.label, top)

    return run


def make_server(app: App, host: str, port: int, **options: Any) -> Any:
    """A waitress server for ``app`` (bound, not yet serving); needs ``sheetsync[serve]``.

    ``options`` are waitress settings (tests shorten its loop's timeout).
    """
    try:
        from waitress.server import create_server
    except ImportError as exc:
        raise ConfigError("serve needs the waitress package",
                          hint="pip install 'sheetsync[serve]'") from exc  # fmt: skip
    # waitress buffers a body before the app sees it; past this it refuses by itself.
    server = create_server(app, host=host, port=port, threads=4, ident="sheetsync",
                           max_request_body_size=4 * MAX_BODY, **options)  # fmt: skip
    _json_errors(server)
    return server


def listening(server: Any) -> list[str]:
    """The URLs a server from :func:`make_server` listens on (``localhost`` may be two)."""
    pairs = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)]
    return [f"http://[{h}]:{p}" if ":" in str(h) else f"http://{h}:{p}" for h, p in pairs]


def _json_errors(server: Any) -> None:
    """Make waitress's own refusals one-line JSON like the app's.

    waitress answers a request it cannot parse (bad framing, a body past its
    limit, headers too large) before the app sees it, in plain text.
    """
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JsonErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            error = self.request.error
            detail = _one_line(f"{error.reason}: {error.body}".lower())[:200]
            body = json.dumps({"ok": False, "error": detail}).encode("utf-8") + b"\n"
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class JsonChannel(HTTPChannel):  # type: ignore[misc]
        error_task_class = JsonErrorTask

    servers = [server] if hasattr(server, "channel_class") else [
        s for s in getattr(server, "map", {}).values() if hasattr(s, "channel_class")]
    for each in servers:
        each.channel_class = JsonChannel


def sync_answer(outcome: Outcome, today: dt.date, sheet: str, top: int) -> dict[str, Any]:
    """The JSON answer to a sync: counts, then the ``top`` most pressing due items."""
    due = sorted(outcome.due_by(today), key=lambda i: (i.due_on, i.company.lower()))
    report = outcome.report
    return {
        "ok": True,
        "sheet": sheet,
        "today": today.isoformat(),
        "counts": {
            "due": len(due),
            "overdue": sum(1 for i in due if i.due_on < today),
            "drafts_added": outcome.drafts.added,
            "problems": outcome.problem_rows,
            "cells_written": report.written if report is not None else 0,
        },
        "summary": outcome.summary(today),
        "due": [i.as_dict(today) for i in due[:top]],
    }

"""The HTTP layer under the Google Sheets backend: endpoint override, timeouts, bounded retry.

gspread's :class:`~gspread.http_client.HTTPClient` takes a ``requests.Session``;
:class:`GoogleTransport` is that session.  Every Sheets and Drive request goes
through its :meth:`~GoogleTransport.request`, which

* rewrites Google's hard-coded base URLs to ``$SHEETSYNC_API_ENDPOINT`` when it
  is set (the way Google's ``*_EMULATOR_HOST`` variables work), with anonymous
  credentials;
* puts an explicit ``(connect, read)`` timeout on every request;
* waits out a spent quota (429, Drive's 403 rate-limit errors) the way Google
  asks: 2^n seconds plus jitter, capped, within a total budget of waiting
  rather than a number of attempts, honouring ``Retry-After``;
* retries 500, 502, 503, 504, connection errors and timeouts with exponential
  backoff and full jitter, within a bound on attempts *and* on total time;
* raises :class:`RetriesExhausted` (an :class:`UnreachableError`) when a bound
  is hit, saying whether the request may have reached Google.

Retrying is safe for reads and for ``values:batchUpdate`` (explicit A1 ranges:
repeating one writes the same cells with the same values).  A setup
``spreadsheets.batchUpdate`` is not idempotent, so it is sent inside
:meth:`GoogleTransport.single_shot` and never re-sent once it may have been
applied; the backend looks at the sheet instead.  Clock, sleep and randomness
are injectable so tests never wait.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession

from sheetsync.errors import AuthError, ConfigError, SheetsyncError, UnreachableError

ENDPOINT_ENV = "SHEETSYNC_API_ENDPOINT"
# The hosts gspread hard-codes (gspread/urls.py); the override maps both onto one base.
GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Drive reports quota exhaustion as 403 with one of these reasons (Sheets uses 429).
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


QUOTA_WINDOW = 60.0  # seconds: Sheets quotas are per minute and refill every minute
QUOTA_BUDGET = 100.0  # seconds one request may wait out 429s ($SHEETSYNC_QUOTA_WAIT)
QUOTA_ENV = "SHEETSYNC_QUOTA_WAIT"


class Clock(Protocol):
    """Time as the retry loop sees it; tests pass a fake that never sleeps."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry loop.  Defaults suit cron: a few minutes at most, then give up.

    The Sheets API allows about 60 requests a minute per user and refills
    every minute, so the quota budget outlasts one quota window.
    """

    # Server errors and lost connections: a few tries, full jitter.
    max_attempts: int = 6
    max_elapsed: float = 150.0  # seconds, waits included; no new attempt after this
    base_delay: float = 1.0  # first backoff ceiling; doubles each attempt
    max_delay: float = 32.0  # ceiling of one backoff (Retry-After may ask for more)
    # 429 (quota spent): Google's guidance is to wait 2^n s plus jitter, capped near
    # 32-64 s, and the per-minute quota refills within a minute; so no attempt
    # count, only a total of waiting that covers a minute's window with room.
    quota_budget: float = QUOTA_BUDGET
    quota_max_delay: float = 32.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0  # a large batchUpdate can take a while on Google's side


@dataclass
class Attempt:
    """One try of one request, for error messages and tests."""

    status: int | None  # HTTP status, or None for a connection error / timeout
    error: str | None = None
    wait: float = 0.0  # how long we slept after it
    quota: bool = False  # refused for a spent quota: not applied, wait and try again


class RetriesExhausted(UnreachableError):
    """Google did not answer usefully within the retry bound."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        attempts: list[Attempt] | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts or []
        # True when some attempt may have reached Google (the connection dropped
        # or timed out after the request was sent): its effect is unknown.
        self.maybe_sent = maybe_sent


@dataclass
class Principal:
    """Who the requests run as, for hints: a service account, an OAuth user, or nobody."""

    kind: str = "anonymous"  # "service_account" | "oauth" | "anonymous"
    email: str | None = None

    def access_hint(self) -> str:
        if self.kind == "service_account" and self.email:
            return (f"share the sheet with {self.email} (Share button in Google Sheets, "
                    "role Editor), then run again")  # fmt: skip
        if self.kind == "oauth":
            who = f" as {self.email}" if self.email else ""
            return (f"open the sheet in a browser signed in{who} to check you have access, "
                    "or run `sheetsync auth login` again with the right account")  # fmt: skip
        return "check the credentials (see docs/google-setup.md)"


def endpoint_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(ENDPOINT_ENV, "").strip()
    return value.rstrip("/") or None


def quota_budget_from_env(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait out a spent quota: ``$SHEETSYNC_QUOTA_WAIT``, else the default."""
    raw = (environ if environ is not None else os.environ).get(QUOTA_ENV, "").strip()
    if not raw:
        return QUOTA_BUDGET
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{QUOTA_ENV}={raw!r} is not a number of seconds",
                          hint="for example SHEETSYNC_QUOTA_WAIT=300") from None  # fmt: skip
    if value < 0:
        raise ConfigError(f"{QUOTA_ENV} cannot be negative")
    return value


def rewrite_url(url: str, endpoint: str | None) -> str:
    """Send a Google API URL to ``endpoint`` (scheme, host and path prefix), keeping its path."""
    if not endpoint:
        return url
    parts = urlsplit(url)
    if parts.hostname not in GOOGLE_HOSTS:
        return url
    base = urlsplit(endpoint)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def _query_value(value: Any) -> Any:
    # requests renders False as "False"; Google only reads "true"/"false", so
    # gspread's sendNotificationEmail=False would be taken as true.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return value


def _retry_after(response: requests.Response, clock: Clock) -> float | None:
    """Seconds the server asks us to wait: ``Retry-After`` as seconds or an HTTP date."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - clock.time())


def error_reason(response: requests.Response) -> tuple[str, str]:
    """(reason, message) from a Google JSON error body; ("", "") when there is none."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    return error_detail(body.get("error") if isinstance(body, dict) else None)


def error_detail(error: Any) -> tuple[str, str]:
    """(reason, message) of the ``error`` object of a Google error body (gspread's ``.error``).

    The reason is the most specific one given: a ``details`` reason, else the
    first ``errors`` reason (Drive), else the status name (Sheets).
    """
    if not isinstance(error, Mapping):
        return "", ""
    message = str(error.get("message", ""))
    reason = str(error.get("status", ""))
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = str(errors[0].get("reason", reason))
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("reason"):
            reason = str(detail["reason"])
    return reason, message


def _retryable(response: requests.Response) -> bool:
    if response.status_code in RETRY_STATUSES:
        return True
    if response.status_code == 403:
        return error_reason(response)[0] in RATE_LIMIT_REASONS
    return False


class GoogleTransport(requests.Session):
    """A ``requests.Session`` for gspread's HTTPClient: override, timeouts, bounded retry.

    ``session`` is the session that really sends (by default an
    ``AuthorizedSession`` over ``credentials``); pass another to test without
    a network.  ``endpoint`` defaults to ``$SHEETSYNC_API_ENDPOINT``; when it is
    set, requests go there with anonymous credentials.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        principal: Principal | None = None,
        endpoint: str | None = None,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        use_env: bool = True,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint if endpoint is not None else (
            endpoint_from_env() if use_env else None
        )  # fmt: skip
        if self.endpoint:
            credentials = AnonymousCredentials()
        if session is None:
            if credentials is None:
                raise AuthError("no Google credentials were given",
                                hint="pass --credentials or run `sheetsync auth login`")
            anonymous = isinstance(credentials, AnonymousCredentials)
            # Anonymous credentials cannot refresh: let a 401 through as it is.
            session = AuthorizedSession(credentials,
                                        refresh_status_codes=() if anonymous else (401,))
        self.inner = session
        self.principal = principal or Principal()
        self.policy = policy or RetryPolicy(quota_budget=quota_budget_from_env())
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.calls = 0  # logical requests (a retried request counts once)
        self.attempts = 0  # HTTP attempts, retries included
        self.history: list[Attempt] = []  # attempts of the last request
        self.on_attempt: Callable[[str, str, Attempt], None] | None = None
        self._single_shot = False
        self._last_start: float | None = None

    # requests.Session.request has a long signature; gspread passes keywords only.
    def request(  # type: ignore[override]
        self, method: str, url: str, **kwargs: Any
    ) -> requests.Response:
        url = rewrite_url(url, self.endpoint)
        if kwargs.get("params"):
            kwargs["params"] = {k: _query_value(v) for k, v in kwargs["params"].items()}
        kwargs["timeout"] = (self.policy.connect_timeout, self.policy.read_timeout)
        self.calls += 1
        return self._with_retry(method.upper(), url, kwargs)

    @contextmanager
    def single_shot(self) -> Iterator[None]:
        """Requests in this block are never re-sent once they may have been applied.

        For ``spreadsheets.batchUpdate``, which is not idempotent (an ``addSheet``
        applied twice fails, an ``appendDimension`` grows the grid twice): a
        dropped connection, a timeout after sending, or a 500/504 (which may
        come after Google applied the change) raise :class:`RetriesExhausted`
        with ``maybe_sent`` at once, so the caller can look before sending again.
        A 429, 502, 503 or a connection never made are still retried: the
        request was refused before it was applied.
        """
        before, self._single_shot = self._single_shot, True
        try:
            yield
        finally:
            self._single_shot = before

    def pace(self, interval: float) -> None:
        """Wait until ``interval`` seconds have passed since the last request began.

        Keeps a burst of requests (a first sync split into parts) under Google's
        per-minute quota instead of running into it.
        """
        if self._last_start is None:
            return
        wait = self._last_start + interval - self.clock.monotonic()
        if wait > 0:
            self.clock.sleep(wait)

    def _with_retry(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        policy = self.policy
        start = self.clock.monotonic()
        history: list[Attempt] = []
        self.history = history
        maybe_sent = False
        failures = 0  # answers that were errors or never came (429s not counted)
        refusals = 0  # 429s: the quota is spent, the request was not applied
        quota_waited = 0.0
        while True:
            self.attempts += 1
            self._last_start = self.clock.monotonic()
            response, record, sent = self._attempt(method, url, kwargs)
            if response is not None and record is None:
                return response
            assert record is not None
            maybe_sent = maybe_sent or sent
            history.append(record)
            elapsed = self.clock.monotonic() - start
            server_wait = _retry_after(response, self.clock) if response is not None else None
            if record.quota:
                refusals += 1
                wait = self._quota_wait(refusals, server_wait)
                give_up = quota_waited + wait > policy.quota_budget
            else:
                failures += 1
                ceiling = min(policy.max_delay, policy.base_delay * 2 ** (failures - 1))
                wait = self.rng.uniform(0.0, ceiling)  # full jitter
                if server_wait is not None:
                    wait = max(wait, server_wait)
                give_up = failures >= policy.max_attempts or elapsed + wait > policy.max_elapsed
                if self._single_shot and (sent or record.status in (500, 504)):
                    maybe_sent, give_up = True, True  # may have been applied: never re-send
            if self.on_attempt:
                self.on_attempt(method, url, record)
            if response is not None:
                response.close()
            if give_up:
                raise self._exhausted(method, url, history, elapsed, maybe_sent, server_wait)
            record.wait = wait
            if record.quota:
                quota_waited += wait
            self.clock.sleep(wait)

    def _quota_wait(self, refusals: int, server_wait: float | None) -> float:
        """Google's backoff for a spent quota: 2^n seconds plus up to a second, capped."""
        policy = self.policy
        wait = min(policy.quota_max_delay, 2.0 ** (refusals - 1)) + self.rng.uniform(0.0, 1.0)
        return max(wait, server_wait) if server_wait is not None else wait

    def _attempt(self, method: str, url: str, kwargs: dict[str, Any]
                 ) -> tuple[requests.Response | None, Attempt | None, bool]:  # fmt: skip
        """One try: (response, None, False) when done; else what failed and whether it was sent."""
        try:
            response = self.inner.request(method, url, **kwargs)
        except RefreshError as exc:
            raise _refresh_error(exc, self.principal) from exc
        except (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,  # an answer cut off mid-body
            requests.exceptions.ContentDecodingError,
            TransportError,
        ) as exc:
            # A connect timeout never reached Google; anything later may have.
            return None, Attempt(None, _describe(exc)), not _never_sent(exc)
        except GoogleAuthError as exc:  # malformed or unusable credentials
            raise AuthError(f"the Google credentials cannot be used: {exc}",
                            hint=self.principal.access_hint()) from exc
        except requests.RequestException as exc:  # anything else: a clear error, no traceback
            raise UnreachableError(
                f"the request to Google failed: {exc}",
                hint="check the network and run again; nothing is written twice",
            ) from exc
        if not _retryable(response):
            return response, None, False
        reason, text = error_reason(response)
        quota = response.status_code == 429 or reason in RATE_LIMIT_REASONS
        return response, Attempt(response.status_code, text or None, quota=quota), False

    def _exhausted(
        self,
        method: str,
        url: str,
        history: list[Attempt],
        elapsed: float,
        maybe_sent: bool,
        server_wait: float | None,
    ) -> RetriesExhausted:
        last = history[-1]
        what = f"HTTP {last.status}" if last.status else (last.error or "no answer")
        message = (f"Google did not answer {method} {_short(url)} after {len(history)} "
                   f"attempt(s) over {elapsed:.0f}s (last: {what})")  # fmt: skip
        if not last.quota:
            return RetriesExhausted(message, attempts=list(history), maybe_sent=maybe_sent,
                                    hint="check the network connection and "
                                         "https://www.google.com/appsstatus, then run again")
        # Name the quota (Google's message does) and when it refills.
        if server_wait is not None and server_wait > 0:
            message += f", asked to wait {server_wait:.0f}s"
        if last.error:
            message += f": {last.error}"
        again = self.clock.time() + max(server_wait or 0.0, QUOTA_WINDOW)
        when = datetime.fromtimestamp(again).astimezone().strftime("%H:%M")
        hint = (f"the Sheets API allows about 60 requests a minute per user, and the quota "
                f"refills each minute: run again after {when}; if this keeps happening, "
                "another program may be using the same account's quota")
        return RetriesExhausted(message, hint=hint, attempts=list(history), maybe_sent=maybe_sent)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _never_sent(exc: BaseException) -> bool:
    """True when the request surely did not reach Google (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout | TransportError):
        return True
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, requests.ReadTimeout):
        return "read timed out"
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed or was dropped"
    return type(exc).__name__


def _short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path


def _refresh_error(exc: RefreshError, principal: Principal) -> AuthError:
    text = str(exc)
    if principal.kind == "service_account":
        return AuthError(
            f"Google refused the service account's key ({text})",
            hint="the key may have been deleted or disabled: create a new JSON key for "
            f"{principal.email or 'the service account'} and point --credentials at it",
        )
    return AuthError(
        f"your Google sign-in has expired or was revoked ({text})",
        hint="sign in again with `sheetsync auth login` (OAuth apps left in 'Testing' "
        "mode lose their refresh token after 7 days: publish the app to avoid this)",
    )


_CONSOLE_URL = re.compile(r"https://console\.(?:developers|cloud)\.google\.com/\S+")


def _known_refusal(text: str, *, doing: str, target: str, detail: str,
                   written: str) -> SheetsyncError | None:  # fmt: skip
    """A 400 Google gives for a reason the user can fix, as an error saying how."""
    lowered = text.lower()
    if "failed_precondition" in lowered or "not supported for this document" in lowered:
        # An .xlsx (or other office file) stored in Drive opens in Sheets' editor,
        # but the Sheets API refuses it.
        return UnreachableError(
            f"{target} is not a Google Sheets spreadsheet (it looks like an Excel or other "
            f"file stored in Google Drive) while {doing}{detail}; {written}",
            hint="open it in Google Sheets, choose File > Save as Google Sheets, and use the "
                 "new spreadsheet's URL (--sheet, or `sheet` in sheetsync.toml)")  # fmt: skip
    if any(sign in lowered for sign in ("no grid with id", "unable to parse range",
                                        "exceeds grid limits")):  # fmt: skip
        return UnreachableError(
            f"the sheet's tabs changed while {doing}{detail}; {written}",
            hint="a tab was deleted, renamed or recreated, or rows were deleted, while "
                 "sheetsync worked (it already looked once more): run sync again")  # fmt: skip
    if "above the limit of" in lowered and "cells" in lowered:
        return UnreachableError(
            f"{target} is at Google's limit of 10 million cells while {doing}{detail}; "
            f"{written}",
            hint="every tab's grid counts, filled or not: delete unused empty rows and columns "
                 "(or whole tabs you no longer need), or move old applications to another "
                 "spreadsheet, then run again")  # fmt: skip
    return None


def api_error(
    status: int,
    reason: str,
    message: str,
    *,
    principal: Principal,
    doing: str,
    target: str,
    written: str = "nothing was written",
) -> SheetsyncError:
    """Turn a non-retryable Google error into a sheetsync error that says what to do."""
    detail = f" ({message})" if message else ""
    if status == 401:
        if principal.kind == "oauth":
            return AuthError(f"Google rejected your sign-in while {doing}{detail}; {written}",
                             hint="sign in again with `sheetsync auth login`")  # fmt: skip
        return AuthError(f"Google rejected the credentials while {doing}{detail}; {written}",
                         hint=principal.access_hint())  # fmt: skip
    if status == 403:
        lowered = f"{reason} {message}".lower()
        if "service_disabled" in lowered or "has not been used" in lowered or \
                "accessnotconfigured" in lowered:  # fmt: skip
            found = _CONSOLE_URL.search(message)
            where = f" ({found.group(0).rstrip('.')})" if found else ""
            return AuthError(f"the Google API is not enabled while {doing}{detail}; {written}",
                             hint="enable the Google Sheets API (and the Google Drive API for "
                                  f"sharing) in the Cloud project of these credentials{where}, "
                                  "wait a few minutes, then run again: see "
                                  "docs/google-setup.md")  # fmt: skip
        if "protected" in lowered:
            return AuthError(f"a protected range blocks {doing}{detail}; {written}",
                             hint="in Google Sheets, Data > Protect sheets and ranges: remove the "
                                  "protection on those cells or give this account edit rights "
                                  "to them")  # fmt: skip
        if "scope" in lowered:
            return AuthError(f"the credentials lack a permission needed for {doing}{detail}",
                             hint="run `sheetsync auth login` again and allow every requested "
                                  "permission")  # fmt: skip
        return AuthError(f"no access to {target} while {doing}{detail}; {written}",
                         hint=principal.access_hint())  # fmt: skip
    if status == 400:
        known = _known_refusal(f"{reason} {message}", doing=doing, target=target,
                               detail=detail, written=written)  # fmt: skip
        if known is not None:
            return known
    if status == 404:
        return UnreachableError(f"{target} was not found while {doing}{detail}; {written}",
                                hint="check the spreadsheet URL or key (--sheet); "
                                     + principal.access_hint())  # fmt: skip
    return UnreachableError(f"Google refused the request while {doing}: HTTP {status}"
                            f"{detail}; {written}",
                            hint="run again; if it keeps failing, report it with the "
                                 "message above")  # fmt: skip

"""Retries, timeouts and error mapping: every injected fault is survived, or reported
with nothing half-written.  The fake clock means no test really waits, except the
few tenths of a second a slow-answer fault needs to trip the read timeout."""

from __future__ import annotations

import random
import socket
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
import requests
from fakesheets import FakeGoogle, Fault
from gsheets_helpers import (
    COL,
    FakeClock,
    canned_response,
    computed_plan,
    make_backend,
    rows_by_id,
    tracker_grids,
)

from sheetsync.backends.google.auth import LoadedCredentials
from sheetsync.backends.google.transport import (
    GoogleTransport,
    Principal,
    RetryPolicy,
    rewrite_url,
)
from sheetsync.errors import (
    EXIT_AUTH,
    EXIT_UNREACHABLE,
    AuthError,
    PartlyWritten,
    UnreachableError,
)
from sheetsync.tracker.plan import CellChange, Plan
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS, FEEDBACK

pytest_plugins = ["fakesheets.plugin"]


def _ready(fake: FakeGoogle, tmp_path: Path, n: int = 5, **kwargs: Any) -> tuple[Any, Any]:
    """A tracker already synced once (layout checked), and a fresh backend for the next run."""
    book = fake.create_spreadsheet(tracker_grids(n))
    cache = tmp_path / "cache"
    first = make_backend(fake, book, cache)
    first.write(computed_plan(first.read()), first.read())
    fake.clear_log()
    return book, make_backend(fake, book, cache, **kwargs)


def _sync(backend: Any) -> Any:
    wb = backend.read()
    return backend.write(computed_plan(wb, day=__import__("datetime").date(2026, 4, 1)), wb)


def _done(book: Any, n: int = 5) -> bool:
    rows = rows_by_id(book)
    return all(rows[f"a{i:05d}"][COL["due_on"]] == 46113 for i in range(n))


# ------------------------------------------------------------------ survived
def test_429_waits_as_long_as_retry_after_says(fake_google: FakeGoogle, tmp_path: Path) -> None:
    clock = FakeClock()
    book, backend = _ready(fake_google, tmp_path, clock=clock)
    fake_google.inject("values.batchUpdate", Fault.error(429, retry_after="7"))
    _sync(backend)
    assert _done(book)
    assert fake_google.count("values.batchUpdate") == 2
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 7


def test_retry_after_as_an_http_date(fake_google: FakeGoogle, tmp_path: Path) -> None:
    clock = FakeClock()
    book, backend = _ready(fake_google, tmp_path, clock=clock)
    when = formatdate(clock.time() + 30, usegmt=True)
    fake_google.inject("values.batchGet", Fault.error(429, retry_after=when))
    _sync(backend)
    assert _done(book) and 29 <= clock.sleeps[0] <= 31


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(fake_google: FakeGoogle, tmp_path: Path, status: int) -> None:
    clock = FakeClock()
    book, backend = _ready(fake_google, tmp_path, clock=clock)
    fake_google.inject("values.batchGet", Fault.error(status), times=2)  # the read, twice
    fake_google.inject("values.batchUpdate", Fault.error(status))
    _sync(backend)
    assert _done(book)
    assert len(clock.sleeps) == 3
    # Full jitter: each wait is somewhere below its doubling ceiling (1 s, 2 s, then 1 s).
    assert clock.sleeps[0] <= 1 and clock.sleeps[1] <= 2 and clock.sleeps[2] <= 1


@pytest.mark.parametrize("after_applying", [False, True])
def test_a_dropped_connection_is_retried_and_the_write_is_idempotent(
        fake_google: FakeGoogle, tmp_path: Path, after_applying: bool) -> None:  # fmt: skip
    book, backend = _ready(fake_google, tmp_path)
    fake_google.inject("values.batchUpdate", Fault.drop(after_applying=after_applying))
    fake_google.inject("values.batchGet", Fault.drop(), nth=2)  # the re-read before writing
    report = _sync(backend)
    assert _done(book) and report.dropped == []
    assert fake_google.count("values.batchUpdate") == 2
    snapshot = book.sheet(APPLICATIONS).grid("FORMULA")
    assert len(snapshot) == 6  # written twice to the same cells: no row added, nothing moved


def test_a_slow_answer_hits_the_read_timeout_and_is_retried(fake_google: FakeGoogle,
                                                            tmp_path: Path) -> None:  # fmt: skip
    # A timeout wide enough that an answer on time is never taken for a slow one on a
    # busy machine (which made the count one higher now and then).
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=0.6)
    book, backend = _ready(fake_google, tmp_path, policy=policy)
    fake_google.inject("values.batchGet", Fault.slow(1.2))
    fake_google.inject("values.batchUpdate", Fault.slow(1.2, apply=True))
    _sync(backend)
    assert _done(book)
    assert fake_google.count("values.batchGet") == 3
    assert fake_google.count("values.batchUpdate") == 2


def test_drive_rate_limits_are_retried(fake_google: FakeGoogle, tmp_path: Path) -> None:
    from sheetsync.backends.google.sharing import list_shares

    book, backend = _ready(fake_google, tmp_path)
    body = {"error": {"code": 403, "message": "User rate limit exceeded.",
                      "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded",
                                  "message": "User rate limit exceeded."}]}}  # fmt: skip
    fake_google.inject("permissions.list", Fault.error(403, body=body))
    assert [s.role for s in list_shares(backend)] == ["owner"]
    assert fake_google.count("permissions.list") == 2


# ------------------------------------------------------------------ reported, nothing half-written
def test_when_retries_run_out_nothing_is_written_and_the_message_says_so(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    clock = FakeClock()
    book, backend = _ready(fake_google, tmp_path, clock=clock)
    before = book.sheet(APPLICATIONS).grid("FORMULA")
    fake_google.inject("values.batchUpdate", Fault.error(503), times=100)
    with pytest.raises(UnreachableError) as info:
        _sync(backend)
    error = info.value
    assert error.exit_code == EXIT_UNREACHABLE
    assert "after 6 attempt(s)" in error.message and "HTTP 503" in error.message
    assert "nothing from this push was written" in error.message
    assert error.hint and "run again" in error.hint
    assert book.sheet(APPLICATIONS).grid("FORMULA") == before
    assert fake_google.count("values.batchUpdate") == 6
    assert sum(clock.sleeps) <= RetryPolicy().max_elapsed


def test_an_answer_that_may_have_been_applied_is_reported_as_such(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book, backend = _ready(fake_google, tmp_path)
    fake_google.inject("values.batchUpdate", Fault.drop(after_applying=True), times=100)
    with pytest.raises(UnreachableError, match="may or may not have been applied") as info:
        _sync(backend)
    assert "running again is safe" in info.value.message
    assert "sheetsync undo" in str(info.value.hint)  # the history holds it, in case it landed
    assert isinstance(info.value, PartlyWritten) and len(info.value.landed.changes) == 15
    assert _done(book)  # it was: the same cells, so a rerun changes nothing more


def test_a_retry_after_beyond_the_time_budget_gives_up_at_once(fake_google: FakeGoogle,
                                                               tmp_path: Path) -> None:  # fmt: skip
    clock = FakeClock()
    book, backend = _ready(fake_google, tmp_path, clock=clock)
    fake_google.inject("values.batchGet", Fault.error(429, retry_after="3600"))
    with pytest.raises(UnreachableError, match="asked to wait 3600s") as info:
        backend.read()
    assert "60 requests a minute" in (info.value.hint or "")
    assert clock.sleeps == [] and "nothing was written" in info.value.message


def test_setup_done_but_values_failed_is_reported_precisely(fake_google: FakeGoogle,
                                                            tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(3)
    book = fake_google.create_spreadsheet({APPLICATIONS: grids[APPLICATIONS]})
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    before = book.sheet(APPLICATIONS).grid("FORMULA")
    fake_google.inject("values.batchUpdate", Fault.error(500), times=100)
    plan = computed_plan(wb)
    plan.new_tabs = [DRAFTS, FEEDBACK]
    with pytest.raises(UnreachableError, match="set up, but no cell value was written"):
        backend.write(plan, wb)
    assert book.sheet(APPLICATIONS).grid("FORMULA") == before
    assert book.sheet(DRAFTS).grid() == []  # the tab exists, empty: the next run fills it


def test_a_split_push_says_which_parts_were_written(fake_google: FakeGoogle,
                                                    tmp_path: Path) -> None:  # fmt: skip
    book, backend = _ready(fake_google, tmp_path, n=40, max_payload_bytes=1200)
    wb = backend.read()
    plan = Plan(changes=[CellChange(APPLICATIONS, r, f"a{r:05d}", "why", "", f"w{r}")
                         for r in range(0, 40, 2)])  # fmt: skip
    fake_google.inject("values.batchUpdate", Fault.error(503), nth=2, times=100)
    with pytest.raises(UnreachableError, match=r"parts 1-1 of \d+ of this push were written"):
        backend.write(plan, wb)


def test_an_unreachable_endpoint_is_reported_after_bounded_retries(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SHEETSYNC_API_ENDPOINT", f"http://127.0.0.1:{port}")
    clock = FakeClock()
    backend = make_backend(None, "k" * 44, None, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(UnreachableError, match="connection failed") as info:
        backend.read()
    assert "after 6 attempt(s)" in info.value.message
    assert "may or may not" not in info.value.message  # refused: surely never sent
    assert len(clock.sleeps) == 5


# ------------------------------------------------------------------ errors that say what to do
def _service_account(email: str = "sheetsync@proj.iam.gserviceaccount.com") -> LoadedCredentials:
    from google.auth.credentials import AnonymousCredentials

    return LoadedCredentials(AnonymousCredentials(), "service_account", email)


def test_no_access_names_the_service_account_to_share_with(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(2))
    book.denied = 403
    backend = make_backend(fake_google, book, None, credentials=_service_account())
    with pytest.raises(AuthError) as info:
        backend.read()
    assert info.value.exit_code == EXIT_AUTH
    assert "share the sheet with sheetsync@proj.iam.gserviceaccount.com" in str(info.value.hint)
    assert fake_google.count() == 1  # not retried


def test_an_expired_oauth_sign_in_says_to_sign_in_again(fake_google: FakeGoogle) -> None:
    from google.auth.credentials import AnonymousCredentials

    book = fake_google.create_spreadsheet(tracker_grids(2))
    book.denied = 401
    creds = LoadedCredentials(AnonymousCredentials(), "oauth", "me@example.com")
    with pytest.raises(AuthError, match="rejected your sign-in") as info:
        make_backend(fake_google, book, None, credentials=creds).read()
    assert "sheetsync auth login" in str(info.value.hint)


def test_an_unknown_sheet_says_to_check_the_url(fake_google: FakeGoogle) -> None:
    backend = make_backend(fake_google, "z" * 44, None, credentials=_service_account())
    with pytest.raises(UnreachableError, match="not found") as info:
        backend.read()
    assert "check the spreadsheet URL or key" in str(info.value.hint)


def test_a_revoked_refresh_token_says_sign_in_again() -> None:
    from google.auth.exceptions import RefreshError

    class Refusing(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            raise RefreshError("invalid_grant: Token has been expired or revoked.")

    transport = GoogleTransport(principal=Principal("oauth", "me@example.com"),
                                session=Refusing(), use_env=False)  # fmt: skip
    with pytest.raises(AuthError, match="expired or was revoked") as info:
        transport.request("GET", "https://sheets.googleapis.com/v4/spreadsheets/x")
    assert "sheetsync auth login" in str(info.value.hint) and "7 days" in str(info.value.hint)


# ------------------------------------------------------------------ transport details
def test_the_endpoint_override_keeps_paths_for_sheets_and_drive() -> None:
    base = "http://127.0.0.1:9999/prefix"
    assert rewrite_url("https://sheets.googleapis.com/v4/spreadsheets/k/values:batchGet?x=1",
                       base) == "http://127.0.0.1:9999/prefix/v4/spreadsheets/k/values:batchGet?x=1"
    assert rewrite_url("https://www.googleapis.com/drive/v3/files/k/permissions", base) == \
        "http://127.0.0.1:9999/prefix/drive/v3/files/k/permissions"  # fmt: skip
    assert rewrite_url("https://oauth2.googleapis.com/token", base) == \
        "https://oauth2.googleapis.com/token"  # fmt: skip
    assert rewrite_url("https://sheets.googleapis.com/v4/x", None).startswith("https://sheets")


def test_every_request_has_explicit_timeouts_and_google_booleans() -> None:
    seen: dict[str, Any] = {}

    class Recorder(requests.Session):
        def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            seen.update(kwargs, url=url)
            return canned_response(200)

    policy = RetryPolicy(connect_timeout=3.0, read_timeout=40.0)
    transport = GoogleTransport(session=Recorder(), policy=policy, use_env=False)
    transport.request("POST", "https://www.googleapis.com/drive/v3/files/k/permissions",
                      params={"sendNotificationEmail": False, "supportsAllDrives": True},
                      timeout=None)  # fmt: skip
    assert seen["timeout"] == (3.0, 40.0)
    assert seen["params"] == {"sendNotificationEmail": "false", "supportsAllDrives": "true"}


def test_total_time_is_bounded_even_with_many_attempts_allowed() -> None:
    class Busy(requests.Session):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            return canned_response(503)

    clock = FakeClock()
    policy = RetryPolicy(max_attempts=1000, max_elapsed=60.0, base_delay=1.0, max_delay=8.0)
    transport = GoogleTransport(session=Busy(), policy=policy, clock=clock,
                                rng=random.Random(1), use_env=False)  # fmt: skip
    with pytest.raises(UnreachableError):
        transport.request("GET", "https://sheets.googleapis.com/v4/spreadsheets/k")
    assert sum(clock.sleeps) <= 60.0 and all(s <= 8.0 for s in clock.sleeps)
    assert transport.attempts == len(clock.sleeps) + 1

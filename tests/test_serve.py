"""`sheetsync serve`: the real waitress server on a free port, driven over real HTTP.

Syncs land in the fake Google API (real gspread); every refusal is checked for
its status, its one-line JSON error, and that the server goes on serving.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from conftest import TODAY
from fakesheets import FakeGoogle, Spreadsheet
from gsheets_helpers import make_backend

from sheetsync.cli import cli
from sheetsync.config import Config, parse_config
from sheetsync.errors import ConfigError
from sheetsync.live.serve import (
    MAX_BODY,
    App,
    RateLimiter,
    SingleFlight,
    check_serving,
    make_server,
    sync_function,
)
from sheetsync.resources import sample_sheet
from sheetsync.state import State
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS

pytest_plugins = ["fakesheets.plugin"]

TOKEN = "t0ken-for-tests-" + "x" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def logged(monkeypatch: pytest.MonkeyPatch) -> None:
    """sheetsync's log reaches caplog, whatever an earlier command-line test set up."""
    import logging

    log = logging.getLogger("sheetsync")
    monkeypatch.setattr(log, "propagate", True)
    monkeypatch.setattr(log, "handlers", [])


@contextmanager
def served(app: App) -> Iterator[str]:
    """``app`` on waitress on a free port of 127.0.0.1; yields its base URL."""
    from waitress import wasyncore

    server = make_server(app, "127.0.0.1", 0)
    stop = threading.Event()

    def loop() -> None:  # waitress's loop, a step at a time, closed by its own thread
        while not stop.is_set():
            wasyncore.loop(timeout=0.02, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        thread.join(10)


def sample_book(fake: FakeGoogle) -> Spreadsheet:
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    return fake.create_spreadsheet({APPLICATIONS: rows})


def google_app(fake: FakeGoogle, book: Spreadsheet, tmp_path: Path, config: Config,
               **kwargs: Any) -> App:  # fmt: skip
    backend = make_backend(fake, book, tmp_path / "cache")
    return App(TOKEN, sync_function(backend, config, tmp_path / "state", lambda: TODAY),
               **kwargs)  # fmt: skip


def one_line_error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.text.count("\n") == 1  # one line of JSON
    body = response.json()
    assert body["ok"] is False and body["error"]
    return str(body["error"])


def test_health_needs_no_token_and_sync_lands_in_the_sheet(
        fake_google: FakeGoogle, tmp_path: Path, config: Config) -> None:  # fmt: skip
    book = sample_book(fake_google)
    with served(google_app(fake_google, book, tmp_path, config)) as url:
        health = requests.get(f"{url}/health", timeout=5)
        assert health.status_code == 200 and health.json() == {"ok": True}
        assert fake_google.log == []  # a health check touches no sheet
        answer = requests.post(f"{url}/sync", headers=AUTH, json={"top": 3}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ok"] is True and body["shared"] is False and body["today"] == "2026-03-16"
    counts = body["counts"]
    assert counts["due"] > 3 and counts["drafts_added"] > 0 and counts["cells_written"] > 0
    assert 0 < counts["overdue"] <= counts["due"]
    assert len(body["due"]) == 3
    assert [i["due_on"] for i in body["due"]] == sorted(i["due_on"] for i in body["due"])
    assert {"company", "role", "action", "due_on", "overdue", "why"} <= set(body["due"][0])
    # The sync reached the sheet: its Drafts tab now holds the drafts it reported.
    drafts = book.sheet(DRAFTS).grid()
    assert len(drafts) - 1 == counts["drafts_added"]
    assert fake_google.count("values.batchUpdate") >= 1


def test_a_missing_or_wrong_token_is_401_and_nothing_runs(
        fake_google: FakeGoogle, tmp_path: Path, config: Config,
        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    book = sample_book(fake_google)
    caplog.set_level("DEBUG", logger="sheetsync")
    with served(google_app(fake_google, book, tmp_path, config)) as url:
        tries = [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                 {"Authorization": f"Basic {TOKEN}"},
                 {"Authorization": f"Bearer {TOKEN}x"}]  # fmt: skip
        for headers in tries:
            response = requests.post(f"{url}/sync", headers=headers, timeout=5)
            assert one_line_error(response, 401) == "missing or wrong token"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert TOKEN not in response.text
        assert fake_google.log == []  # nothing ran
        assert requests.post(f"{url}/sync", headers=AUTH, timeout=30).status_code == 200
        assert requests.get(f"{url}/sync/{TOKEN}", timeout=5).status_code == 404
    assert TOKEN not in caplog.text  # not even when pasted into a URL
    assert "POST /sync from 127.0.0.1: 401" in caplog.text
    assert "GET (another path) from 127.0.0.1: 404" in caplog.text


def test_each_refusal_has_its_status_and_the_server_keeps_serving(tmp_path: Path) -> None:
    ran: list[int] = []

    def sync(top: int) -> dict[str, Any]:
        ran.append(top)
        return {"ok": True}

    with served(App(TOKEN, sync)) as url:
        assert "takes POST" in one_line_error(requests.get(f"{url}/sync", timeout=5), 405)
        assert requests.put(f"{url}/sync", headers=AUTH, timeout=5).headers["Allow"] == "POST"
        assert one_line_error(requests.post(f"{url}/health", timeout=5), 405)
        assert one_line_error(requests.delete(f"{url}/health", timeout=5), 405)
        assert one_line_error(requests.get(f"{url}/nope", timeout=5), 404)
        big = requests.post(f"{url}/sync", headers=AUTH, data=b"x" * (MAX_BODY + 1), timeout=5)
        assert "64 KiB" in one_line_error(big, 413)
        for body in (b"{not json", b"[1]", b'{"top": -1}', b'{"top": "5"}', b'{"x": 1}'):
            one_line_error(requests.post(f"{url}/sync", headers=AUTH, data=body, timeout=5), 400)
        _garbage(url)
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
        exactly = requests.post(f"{url}/sync", headers=AUTH, data=b" " * MAX_BODY, timeout=5)
        assert exactly.status_code == 200 and exactly.json()["shared"] is False
    assert ran == [50]  # only the last request ran a sync (listing as many as allowed)


def _garbage(url: str) -> None:
    """Requests waitress refuses before the app sees them get one-line JSON too."""
    host, port = url.removeprefix("http://").split(":")
    tries = {b"GET /health HTTP/1.1\r\nContent-Length: x\r\n\r\n": b"400",
             b"POST /sync HTTP/1.1\r\nHost: a\r\nContent-Length: 300000\r\n\r\n": b"413",
             b"\x00\xff garbage\r\n\r\n": b"",  # not HTTP: closed, answered or not
             b"POST /sync HTTP/1.1\r\nContent-Length: 10": b""}  # dropped mid-request
    for data, status in tries.items():
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
        if status:
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split()[1] == status, answer
            assert b"application/json" in head
            assert json.loads(body)["ok"] is False and body.count(b"\n") == 1


def test_localhost_may_mean_two_addresses_and_each_is_served() -> None:
    from sheetsync.live.serve import listening

    server = make_server(App(TOKEN, lambda top: {"ok": True}), "localhost", 0)
    try:
        urls = listening(server)
        assert urls and all(u.startswith(("http://127.0.0.1:", "http://[::1]:")) for u in urls)
    finally:
        server.close()


def test_a_flood_from_one_client_is_429_with_retry_after(tmp_path: Path) -> None:
    ran: list[int] = []
    app = App(TOKEN, lambda top: ran.append(top) or {"ok": True},
              limiter=RateLimiter(limit=3, window=60))  # fmt: skip
    with served(app) as url:
        answers = [requests.post(f"{url}/sync", headers=AUTH, timeout=5) for _ in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert "too many" in one_line_error(answers[3], 429)
        assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
        wrong = requests.post(f"{url}/sync", headers={"Authorization": "Bearer no"}, timeout=5)
        assert wrong.status_code == 429  # guessing tokens counts against the same limit
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
    assert len(ran) == 3


def test_the_rate_limit_is_per_client_and_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    assert limiter.check("a") is None and limiter.check("a") is None
    assert limiter.check("a") == 60
    assert limiter.check("b") is None  # another client has its own budget
    now[0] = 30
    assert limiter.check("a") == 30
    now[0] = 60.5
    assert limiter.check("a") is None


def test_409_while_another_run_holds_the_lock(
        fake_google: FakeGoogle, tmp_path: Path, config: Config) -> None:  # fmt: skip
    book = sample_book(fake_google)
    with served(google_app(fake_google, book, tmp_path, config)) as url:
        state = State.open(f"gsheets:{book.id}", tmp_path / "state")
        with state.lock():  # a cron `sync` is running
            response = requests.post(f"{url}/sync", headers=AUTH, timeout=30)
            assert "another sheetsync run" in one_line_error(response, 409)
        assert fake_google.count("values.batchUpdate") == 0
        assert requests.post(f"{url}/sync", headers=AUTH, timeout=30).status_code == 200


def test_a_vanished_sheet_is_502_and_the_server_keeps_serving(
        fake_google: FakeGoogle, tmp_path: Path, config: Config) -> None:  # fmt: skip
    book = sample_book(fake_google)
    with served(google_app(fake_google, book, tmp_path, config)) as url:
        del fake_google.spreadsheets[book.id]
        response = requests.post(f"{url}/sync", headers=AUTH, timeout=30)
        assert "not found" in one_line_error(response, 502).lower()
        assert requests.get(f"{url}/health", timeout=5).status_code == 200


def test_a_bug_is_500_without_details_and_the_server_keeps_serving() -> None:
    def broken(top: int) -> dict[str, Any]:
        raise KeyError("secret-looking detail")

    with served(App(TOKEN, broken)) as url:
        response = requests.post(f"{url}/sync", headers=AUTH, timeout=5)
        assert "secret-looking" not in one_line_error(response, 500)
        assert requests.get(f"{url}/health", timeout=5).status_code == 200


def test_concurrent_requests_share_one_running_sync(
        fake_google: FakeGoogle, tmp_path: Path, config: Config) -> None:  # fmt: skip
    book = sample_book(fake_google)
    app = google_app(fake_google, book, tmp_path, config)
    arrived = threading.Semaphore(0)

    class Counted(SingleFlight):
        def run(self, fn: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
            arrived.release()  # a request reached the one-at-a-time gate
            return super().run(fn)

    real = app._sync

    def held_sync(top: int) -> dict[str, Any]:
        for _ in range(3):  # the sync starts once all three requests are at the gate
            assert arrived.acquire(timeout=10)
        return real(top)

    app.flight = Counted()
    app._sync = held_sync
    with served(app) as url, concurrent.futures.ThreadPoolExecutor(3) as pool:
        first = pool.submit(requests.post, f"{url}/sync", headers=AUTH, timeout=30)
        later = [pool.submit(requests.post, f"{url}/sync", headers=AUTH, json={"top": n},
                             timeout=30) for n in (1, 3)]  # fmt: skip
        answers = [first.result(), *(f.result() for f in later)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    # Whichever came first ran the sync; the other two were answered from it.
    assert sorted(a.json()["shared"] for a in answers) == [False, True, True]
    assert len({json.dumps(a.json()["counts"]) for a in answers}) == 1  # the same answer
    assert [len(a.json()["due"]) for a in answers] == [5, 1, 3]  # each as many as it asked
    pushes = State.open(f"gsheets:{book.id}", tmp_path / "state").pushes()
    assert len(pushes) == 1 and pushes[0].command == "serve"  # one sync, not three


def test_serve_refuses_to_start_without_a_token_or_a_short_one_beyond_loopback(
        tracker: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with pytest.raises(ConfigError, match="needs a token"):
        check_serving("127.0.0.1", None)
    with pytest.raises(ConfigError, match="needs a token"):
        check_serving("127.0.0.1", "   ")
    assert check_serving("127.0.0.1", "short") == "short"
    assert check_serving("::1", "short") == "short"
    with pytest.raises(ConfigError, match="at least 32") as caught:
        check_serving("0.0.0.0", "short-but-secret")
    assert "short-but-secret" not in str(caught.value)
    assert check_serving("0.0.0.0", "y" * 32) == "y" * 32

    runner = CliRunner()
    none = runner.invoke(cli, ["serve", "--sheet", str(tracker)])
    assert none.exit_code == 2 and "needs a token" in none.output
    monkeypatch.setenv("SHEETSYNC_SERVE_TOKEN", "short-but-secret")
    wide = runner.invoke(cli, ["serve", "--sheet", str(tracker), "--host", "0.0.0.0"])
    assert wide.exit_code == 2 and "at least 32" in wide.output
    assert "short-but-secret" not in wide.output


def test_the_token_can_come_from_the_config_and_is_never_shown(tmp_path: Path) -> None:
    cfg = parse_config({"serve": {"token": TOKEN}}, tmp_path / "sheetsync.toml")
    assert cfg.serve_token == TOKEN and TOKEN not in repr(cfg)
    with pytest.raises(ConfigError, match=r"\[serve\]"):
        parse_config({"serve": {"tokn": "x"}}, tmp_path / "sheetsync.toml")
    with pytest.raises(ConfigError, match="must be text"):
        parse_config({"serve": {"token": 5}}, tmp_path / "sheetsync.toml")


def test_the_serve_command_syncs_over_http_and_stops_on_sigterm(
        tracker: Path, tmp_path: Path) -> None:  # fmt: skip
    config = tmp_path / "serve.toml"
    config.write_text(f'[serve]\ntoken = "{TOKEN}"\n', encoding="utf-8")
    log_file = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SHEETSYNC_SERVE_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheetsync", "serve", "--sheet", str(tracker), "--port", "0",
         "--config", str(config), "--log-file", str(log_file), "--today", "2026-03-16"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = _first_line(proc.stdout.readline)
        assert line.startswith("sheetsync serving"), line
        url = line.rsplit(" ", 1)[-1]
        answer = requests.post(f"{url}/sync", headers=AUTH, timeout=60)
        assert answer.status_code == 200 and answer.json()["counts"]["drafts_added"] > 0
        assert (tracker / "Drafts.csv").read_text(encoding="utf-8").count("\n") > 1
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    text = log_file.read_text(encoding="utf-8")
    assert "serve: stopped" in text and "POST /sync from 127.0.0.1: 200" in text
    assert TOKEN not in text and TOKEN not in err


def _first_line(readline: Callable[[], str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = readline().strip()
        if line:
            return line
    raise AssertionError("serve printed nothing")

"""`sheetsync watch`: one cheap look per interval, a sync only when the tracker changed.

Against the fake Google API (real gspread, real HTTP) and local CSV trackers.
The loop's sleeping is scripted: each wait runs the next step of the test and
returns at once, so no test waits out an interval.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY
from fakesheets import FakeGoogle, Spreadsheet
from gsheets_helpers import make_backend

from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.cli import cli
from sheetsync.config import Config
from sheetsync.core import RunOptions, sync
from sheetsync.live import watch as watch_module
from sheetsync.live.changes import change_token, file_stamps
from sheetsync.live.watch import Watcher
from sheetsync.resources import sample_sheet
from sheetsync.state import State
from sheetsync.tracker.schema import APPLICATIONS

pytest_plugins = ["fakesheets.plugin"]


@pytest.fixture(autouse=True)
def logged(monkeypatch: pytest.MonkeyPatch) -> None:
    """sheetsync's log reaches caplog, whatever an earlier command-line test set up."""
    import logging

    log = logging.getLogger("sheetsync")
    monkeypatch.setattr(log, "propagate", True)
    monkeypatch.setattr(log, "handlers", [])


class Script:
    """The loop's sleep: runs one step per wait and returns at once; stops when done."""

    def __init__(self, *steps: Callable[[], None]) -> None:
        self.steps = list(steps)
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.waits.append(seconds)
        if not self.steps:
            return True  # the script is over: stop the loop
        self.steps.pop(0)()
        return False


def idle() -> None:
    """A wait in which nobody touches the tracker."""


def sample_book(fake: FakeGoogle) -> Spreadsheet:
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    return fake.create_spreadsheet({APPLICATIONS: rows})


def google_watcher(fake: FakeGoogle, book: Spreadsheet, tmp_path: Path, config: Config,
                   script: Script) -> Watcher:  # fmt: skip
    backend = make_backend(fake, book, tmp_path / "cache")
    state = State.open(backend.key, tmp_path / "state")

    def run_sync() -> bool:
        outcome = sync(backend, state, config, RunOptions(today=TODAY, command="watch"))
        return outcome.push_id is not None

    return Watcher(lambda: change_token(backend), run_sync, interval=60, sleep=script)


# -- the fake's Drive version ------------------------------------------------------------


def test_drive_version_moves_with_every_write_and_every_edit_and_only_then(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book = sample_book(fake_google)
    backend = make_backend(fake_google, book, None)
    first = change_token(backend)
    assert first.startswith("drive:")
    assert change_token(backend) == first  # nothing happened: same version
    book.sheet(APPLICATIONS).set(1, 1, "Renamed Co")  # someone types in the browser
    edited = change_token(backend)
    assert edited != first
    assert change_token(backend) == edited
    sync(backend, State.open(backend.key, tmp_path), Config(), RunOptions(today=TODAY))
    assert change_token(backend) not in (first, edited)  # sheetsync's own write counts too
    calls = fake_google.requests("files.get")
    assert calls and all(c.query["fields"] == ["version"] for c in calls)


# -- watch on Google Sheets --------------------------------------------------------------


def test_watch_idles_without_sheets_requests_and_syncs_within_one_interval_of_an_edit(
        fake_google: FakeGoogle, tmp_path: Path, config: Config) -> None:  # fmt: skip
    book = sample_book(fake_google)
    marks: list[int] = []  # the fake's log length at each wait: splits requests by look

    def mark() -> None:
        marks.append(len(fake_google.log))

    def edit() -> None:
        mark()
        book.sheet(APPLICATIONS).set(2, 1, "Edited In The Browser")

    script = Script(mark, mark, mark, mark, mark, edit, mark, mark, mark)
    watcher = google_watcher(fake_google, book, tmp_path, config, script)
    watcher.run()

    looks = [fake_google.log[a:b] for a, b in zip(marks, [*marks[1:], len(fake_google.log)],
                                                 strict=True)]  # fmt: skip
    kinds = [[e.method_id.rsplit(".", 2)[-2] + "." + e.method_id.rsplit(".", 1)[-1]
              for e in look] for look in looks]  # fmt: skip
    # Start: a sync that writes (drafts, actions), then one confirming read.
    assert any(e.method_id.endswith("values.batchUpdate") for e in fake_google.log[:marks[0]])
    assert kinds[0] == ["files.get", "values.batchGet"]
    # Nothing changed: one Drive request per look and not a single Sheets request.
    assert kinds[1:4] == [["files.get"]] * 3
    # The edit happened during the 5th wait: the very next look syncs.
    assert kinds[5][0] == "files.get" and "values.batchGet" in kinds[5]
    assert kinds[-1] == ["files.get"]  # quiet again
    assert watcher.stats.failures == 0
    assert script.waits == [60.0] * 10


def test_watch_keeps_polling_with_backoff_while_the_sheet_cannot_be_read(
        fake_google: FakeGoogle, tmp_path: Path, config: Config,
        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    book = sample_book(fake_google)

    def deny() -> None:
        book.denied = 403

    def allow() -> None:
        book.denied = None

    script = Script(idle, deny, idle, idle, idle, idle, idle, allow, idle)
    watcher = google_watcher(fake_google, book, tmp_path, config, script)
    watcher.run()
    # Doubling from the interval, capped at ten minutes, back to the interval on success.
    assert script.waits == [60, 60, 120, 240, 480, 600, 600, 600, 60, 60]
    assert watcher.stats.failures == 6
    assert "trying again in 600s" in caplog.text
    assert "no access to spreadsheet" in caplog.text and "--allow-sharing" in caplog.text


def test_a_vanished_sheet_is_logged_and_polled_again(
        fake_google: FakeGoogle, tmp_path: Path, config: Config,
        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    book = sample_book(fake_google)

    def vanish() -> None:
        del fake_google.spreadsheets[book.id]

    script = Script(idle, vanish, idle)
    watcher = google_watcher(fake_google, book, tmp_path, config, script)
    watcher.run()
    assert watcher.stats.failures == 2 and watcher.stats.looks == 4
    assert "not found" in caplog.text.lower()


# -- the loop itself ---------------------------------------------------------------------


def test_a_run_holding_the_lock_is_waited_for_without_backoff(tmp_path: Path) -> None:
    state = State.open("memory:locked", tmp_path)
    held = state.lock()
    held.__enter__()
    synced: list[str] = []

    def run_sync() -> bool:
        with State.open("memory:locked", tmp_path).lock():  # the same lock as `sync`
            synced.append("synced")
        return False

    def release() -> None:
        held.__exit__(None, None, None)

    script = Script(idle, release, idle)
    watcher = Watcher(lambda: "same", run_sync, interval=30, sleep=script)
    watcher.run()
    assert synced == ["synced"]  # once the lock was free
    assert script.waits == [30, 30, 30, 30]  # waiting for a lock is not a failure
    assert watcher.stats.failures == 0


def test_a_sync_that_wrote_is_confirmed_by_one_more_then_looks_stay_quiet() -> None:
    tokens = iter(["v1", "v2", "v2", "v2", "v3", "v3"])
    wrote = iter([True, False, False])
    calls: list[str] = []

    def run_sync() -> bool:
        calls.append("sync")
        return next(wrote)

    watcher = Watcher(lambda: next(tokens), run_sync, interval=5, sleep=Script(*[idle] * 5))
    watcher.run()
    # v1: first sync wrote; v2: the confirming sync; v2, v2: quiet; v3: an edit.
    assert calls == ["sync"] * 3
    assert watcher.recorded == "v3"


def test_a_stop_during_a_sync_ends_the_loop_after_that_sync(tmp_path: Path) -> None:
    done: list[str] = []

    def run_sync() -> bool:
        watcher.stop()  # SIGTERM arrives while the sync runs
        done.append("finished")
        return True

    watcher = Watcher(lambda: "t", run_sync, interval=5)
    started = time.monotonic()
    watcher.run()  # the real sleep: the stop wakes it at once
    assert done == ["finished"]
    assert time.monotonic() - started < 2


def test_an_unexpected_error_is_logged_and_the_loop_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    looks = iter([KeyError("boom"), "t", "t"])

    def token() -> str:
        value = next(looks)
        if isinstance(value, Exception):
            raise value
        return value

    watcher = Watcher(token, lambda: False, interval=10, sleep=Script(idle, idle))
    watcher.run()
    assert "unexpected error: KeyError" in caplog.text
    assert watcher.stats.syncs == 1 and watcher.stats.failures == 1


def test_an_interval_under_five_seconds_is_refused() -> None:
    with pytest.raises(ValueError):
        Watcher(lambda: "", lambda: False, interval=1)
    result = CliRunner().invoke(cli, ["watch", "--sheet", "x", "--interval", "2"])
    assert result.exit_code == 2 and "interval" in result.output.lower()


# -- local trackers ----------------------------------------------------------------------


def test_file_stamps_follow_sizes_times_and_files(tracker: Path) -> None:
    first = file_stamps(tracker)
    assert first == file_stamps(tracker)
    apps = tracker / "Applications.csv"
    os.utime(apps, ns=(apps.stat().st_atime_ns, apps.stat().st_mtime_ns + 10**9))
    touched = file_stamps(tracker)
    assert touched != first
    (tracker / "Notes.csv").write_text("a\n", encoding="utf-8")
    assert file_stamps(tracker) != touched
    assert file_stamps(tracker / "nowhere") == "missing"


def test_watch_on_a_csv_folder_syncs_when_a_file_is_saved(
        tracker: Path, tmp_path: Path, config: Config) -> None:  # fmt: skip
    backend = CsvFolderBackend(tracker)
    state = State.open(backend.key, tmp_path / "state")
    reads: list[int] = []
    real_read = backend.read

    def counted_read():  # type: ignore[no-untyped-def]
        reads.append(1)
        return real_read()

    backend.read = counted_read  # type: ignore[method-assign]

    def run_sync() -> bool:
        return sync(backend, state, config, RunOptions(today=TODAY)).push_id is not None

    def save() -> None:
        apps = tracker / "Applications.csv"
        text = apps.read_text(encoding="utf-8").replace("Summit Outdoor Co", "Summit Co", 1)
        apps.write_text(text, encoding="utf-8")
        counts.append(len(reads))

    counts: list[int] = []

    def count() -> None:
        counts.append(len(reads))

    script = Script(count, count, count, save, count)
    Watcher(lambda: change_token(backend), run_sync, interval=60, sleep=script).run()
    # A first sync that writes, one confirming sync, then looks that read nothing.
    assert counts[:3] == [1, 2, 2]
    assert counts[3] == 2  # taken just before the file was saved
    assert counts[4] == 3  # the save was synced at the very next look


# -- the command -------------------------------------------------------------------------


def test_watch_command_syncs_a_google_sheet_and_logs_to_the_log_file(
        fake_google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = sample_book(fake_google)
    script = Script(idle, lambda: book.sheet(APPLICATIONS).set(3, 1, "Edited"), idle)

    class Scripted(Watcher):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs, sleep=script)

    monkeypatch.setattr(watch_module, "Watcher", Scripted)
    log_file = tmp_path / "watch.log"
    result = CliRunner().invoke(cli, ["watch", "-q", "--sheet", book.id, "--today", "2026-03-16",
                                      "--log-file", str(log_file)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = log_file.read_text(encoding="utf-8")
    assert "watching Google Sheets" in text and "the tracker changed: syncing" in text
    assert "watch stopped" in text
    assert fake_google.count("files.get") == 4  # one per look, the script has four
    history = State.open(f"gsheets:{book.id}").pushes()
    assert history and {p.command for p in history} == {"watch"}


def test_sigterm_ends_watch_between_syncs_with_exit_0(tracker: Path, tmp_path: Path) -> None:
    log_file = tmp_path / "watch.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheetsync", "watch", "--sheet", str(tracker), "--interval", "5",
         "--log-file", str(log_file), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "synced" not in _text(log_file) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        assert "synced" in _text(log_file)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 4  # woken at once, not at the end of the interval
    assert "watch stopped" in _text(log_file)
    assert b"Traceback" not in err


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


# -- credentials -------------------------------------------------------------------------


def test_a_service_account_watch_also_asks_for_drive_metadata_read_access(
        tmp_path: Path) -> None:  # fmt: skip
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sheetsync.backends.google.auth import SCOPE_SHEETS
    from sheetsync.live.changes import SCOPE_DRIVE_METADATA, watch_credentials

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()  # fmt: skip
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "p",
                                "private_key_id": "k1", "private_key": key,
                                "client_email": "watch@p.iam.gserviceaccount.com",
                                "client_id": "1",
                                "token_uri": "https://oauth2.googleapis.com/token"}))  # fmt: skip
    path.chmod(0o600)
    loaded = watch_credentials(str(path), None)
    assert loaded is not None and loaded.kind == "service_account"
    assert loaded.scopes == (SCOPE_SHEETS, SCOPE_DRIVE_METADATA)
    assert tuple(loaded.credentials._scopes) == (SCOPE_SHEETS, SCOPE_DRIVE_METADATA)
    assert SCOPE_DRIVE_METADATA.endswith("/drive.metadata.readonly")  # read-only, no content


def test_drive_refusing_the_version_says_how_to_allow_it(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    from sheetsync.errors import AuthError

    book = sample_book(fake_google)
    book.denied = 403
    with pytest.raises(AuthError) as caught:
        change_token(make_backend(fake_google, book, None))
    assert "--allow-sharing" in str(caught.value.hint)
    assert "share the sheet" in str(caught.value.hint) or "credentials" in str(caught.value.hint)


def test_a_new_day_counts_as_a_change_so_actions_that_fall_due_are_synced() -> None:
    import datetime as dt

    from sheetsync.live.watch import dated

    day = [dt.date(2026, 3, 16)]
    synced_on: list[dt.date] = []

    def run_sync() -> bool:
        synced_on.append(day[0])
        return False

    def midnight() -> None:
        day[0] = dt.date(2026, 3, 17)

    script = Script(idle, idle, midnight, idle, idle)
    Watcher(dated(lambda: "same version", lambda: day[0]), run_sync, interval=60,
            sleep=script).run()  # fmt: skip
    assert synced_on == [dt.date(2026, 3, 16), dt.date(2026, 3, 17)]  # nobody edited


def test_the_fake_answers_files_get_as_drive_v3_does(fake_google: FakeGoogle) -> None:
    import requests

    book = sample_book(fake_google)
    url = f"{fake_google.url}/drive/v3/files/{book.id}"

    def version() -> str:
        answer = requests.get(url, params={"fields": "version"}, timeout=5)
        assert answer.status_code == 200 and list(answer.json()) == ["version"]
        return str(answer.json()["version"])  # int64 fields travel as strings

    first = version()
    assert first.isdigit()
    plain = requests.get(url, timeout=5).json()  # no fields: Drive's default set
    assert set(plain) == {"kind", "id", "name", "mimeType"}
    assert requests.get(url, params={"fields": "nope"}, timeout=5).status_code == 400
    missing = requests.get(f"{fake_google.url}/drive/v3/files/gone", timeout=5)
    assert missing.status_code == 404
    refused = requests.post(
        f"{fake_google.url}/v4/spreadsheets/{book.id}/values:batchUpdate",
        json={"valueInputOption": "BAD", "data": []}, timeout=5)  # fmt: skip
    assert refused.status_code == 400 and version() == first  # a refused write changes nothing
    written = requests.post(
        f"{fake_google.url}/v4/spreadsheets/{book.id}/values:batchUpdate",
        json={"valueInputOption": "RAW", "data": [{"range": "Applications!Z1",
                                                   "values": [["x"]]}]}, timeout=5)  # fmt: skip
    assert written.status_code == 200
    after_write = version()
    assert int(after_write) > int(first)
    book.sheet(APPLICATIONS).insert_rows(3)  # any edit in the browser moves it
    assert int(version()) > int(after_write)

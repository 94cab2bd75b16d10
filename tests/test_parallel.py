"""Drafts rendered in worker processes are exactly the drafts a plain loop renders."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import TODAY, copy_tracker, counting_ids

from sheetsync import core, parallel
from sheetsync.backends import local
from sheetsync.backends.local import CsvFolderBackend
from sheetsync.config import Config
from sheetsync.state import State


def _square(n: int) -> int:
    return n * n


def test_pmap_keeps_order_and_results_whether_or_not_it_forks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = list(range(101))
    expected = [n * n for n in items]
    monkeypatch.setenv("SHEETSYNC_WORKERS", "1")
    assert parallel.pmap(_square, items, min_items=1) == expected
    monkeypatch.setenv("SHEETSYNC_WORKERS", "3")
    assert parallel.pmap(_square, items, min_items=1) == expected
    assert parallel.pmap(_square, [], min_items=1) == []


def test_pmap_shares_the_items_between_this_process_and_a_worker() -> None:
    # A fresh interpreter: no test-harness threads, so forking is allowed.  The
    # first item each process takes waits for the other process to take one
    # too (a rendezvous on two pipes), so both must do part of the work.
    code = """
import os, select
from sheetsync import parallel
main = os.getpid()
a_r, a_w = os.pipe()
b_r, b_w = os.pipe()
first = []
def fn(n):
    if not first:
        first.append(n)
        mine, theirs = (a_w, b_r) if os.getpid() == main else (b_w, a_r)
        os.write(mine, b"x")
        assert select.select([theirs], [], [], 60)[0], "the other process never came"
    return n * n, os.getpid()
out = parallel.pmap(fn, range(40), min_items=1)
assert [value for value, _ in out] == [n * n for n in range(40)]
pids = {pid for _, pid in out}
print(len(pids - {main}), main in pids)
"""
    env = {**os.environ, "SHEETSYNC_WORKERS": "2"}
    if not sys.platform.startswith("linux"):  # elsewhere the plain loop runs: no rendezvous
        code = code.replace("first = []", "first = [None]")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    workers, in_parent = out.stdout.split()
    if sys.platform.startswith("linux"):
        assert (workers, in_parent) == ("1", "True")
    else:
        assert (workers, in_parent) == ("0", "True")


def test_pmap_stays_in_process_when_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        pids = set(parallel.pmap(lambda _: os.getpid(), range(10), min_items=1))
    finally:
        stop.set()
        thread.join()
    assert pids == {os.getpid()}


def test_workers_setting_is_read_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_WORKERS", "64")
    assert parallel.workers() == parallel.MAX_WORKERS
    monkeypatch.setenv("SHEETSYNC_WORKERS", "1")
    assert parallel.workers() == 1
    monkeypatch.setenv("SHEETSYNC_WORKERS", "0")  # what people try for "off"
    assert parallel.workers() == 1
    monkeypatch.setenv("SHEETSYNC_WORKERS", "lots")
    assert parallel.workers() >= 1


def _sync_files(path: Path, config: Config, today: dt.date = TODAY) -> dict[str, bytes]:
    backend = CsvFolderBackend(path)
    state = State.open(backend.key, str(path.parent / f"state-{path.name}"))
    try:
        core.sync(backend, state, config, core.RunOptions(today=today, new_id=counting_ids()))
    finally:
        state.close()
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def test_a_sync_through_worker_processes_writes_the_same_bytes(
    tracker: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    pooled = copy_tracker(tracker, tmp_path / "pooled")
    looped = copy_tracker(tracker, tmp_path / "looped")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(local, "BUILD_IN_WORKERS", 1)  # tab files built in workers too
    monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
    calls: list[int] = []  # workers started, per map
    real = parallel.Running.__init__

    def counting(self, fn, items, spawn, parts):  # type: ignore[no-untyped-def]
        calls.append(spawn)
        real(self, fn, items, spawn, parts)

    monkeypatch.setattr(parallel.Running, "__init__", counting)
    pooled_files = _sync_files(pooled, config)
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        assert any(calls), "the pool was not used"
    monkeypatch.setenv("SHEETSYNC_WORKERS", "1")
    looped_files = _sync_files(looped, config)
    assert pooled_files == looped_files
    assert b"thank_you_email" in pooled_files["Drafts.csv"]
    # the next sync (texts, lint and links reused) and one later on (re-renders) agree too
    first = pooled_files
    for today in (TODAY, TODAY + dt.timedelta(days=9)):
        monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
        pooled_files = _sync_files(pooled, config, today)
        monkeypatch.setenv("SHEETSYNC_WORKERS", "1")
        assert _sync_files(looped, config, today) == pooled_files
    assert pooled_files["Drafts.csv"] != first["Drafts.csv"]  # the later sync did change drafts


def test_a_write_built_in_workers_then_abandoned_leaves_the_files_as_they_were(
    tracker: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BUILD_IN_WORKERS", 1)
    monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
    backend = CsvFolderBackend(tracker)
    workbook = backend.read()
    plan = core.compute(workbook, TODAY, config, new_id=counting_ids()).plan
    before = {p.name: p.read_bytes() for p in tracker.iterdir()}
    started: list[int] = []
    real = parallel.Running.__init__

    def counting(self, fn, items, spawn, parts):  # type: ignore[no-untyped-def]
        started.append(spawn)
        real(self, fn, items, spawn, parts)

    monkeypatch.setattr(parallel.Running, "__init__", counting)
    pending = backend.prepare(plan, workbook)
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        assert started and started[0] >= 1, "the tab files were not built in workers"
    assert any(p.name.endswith(".tmp") for p in tracker.iterdir())  # the files to build
    pending.abandon()
    assert {p.name: p.read_bytes() for p in tracker.iterdir()} == before
    # a write prepared again commits as a plain write would
    report = backend.prepare(plan, workbook).commit()
    assert report.written == plan.cells_changed() and not report.dropped
    assert b"thank_you_email" in (tracker / "Drafts.csv").read_bytes()
    assert not any(p.name.endswith(".tmp") for p in tracker.iterdir())


def _python(code: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "SHEETSYNC_WORKERS": "2"}
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env, **kwargs
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork only on Linux")
def test_an_error_in_a_worker_is_raised_once_and_no_item_is_done_twice(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls"
    code = f"""
import os, sys
from sheetsync import parallel
def fn(n):
    with open({str(calls)!r}, "a") as f:
        f.write(f"{{os.getpid()}}:{{n}}\\n")
    if n == 7:
        raise ValueError("item 7 is bad")
    return n
try:
    parallel.pmap(fn, range(40), min_items=1)
except ValueError as exc:
    print("raised", exc)
"""
    proc = _python(code)
    out, _ = proc.communicate(timeout=60)
    assert out.split() == ["raised", "item", "7", "is", "bad"]
    done = [line.split(":")[1] for line in calls.read_text().split()]
    assert done.count("7") == 1 and len(done) == len(set(done))  # nothing done again


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork only on Linux")
def test_the_blocks_of_a_worker_that_dies_are_done_here() -> None:
    # The worker takes a block, says so, and is killed; this process waits
    # for that, then must still return every result, in order.
    code = """
import os, select, signal
from sheetsync import parallel
main = os.getpid()
arrived_r, arrived_w = os.pipe()
waited = []
def fn(n):
    if os.getpid() != main:
        os.write(arrived_w, b"x")
        os.kill(os.getpid(), signal.SIGKILL)
    if not waited:
        waited.append(n)
        assert select.select([arrived_r], [], [], 60)[0], "the worker never came"
    return n * n
print(parallel.pmap(fn, range(40), min_items=1) == [n * n for n in range(40)])
"""
    proc = _python(code)
    out, _ = proc.communicate(timeout=60)
    assert out.split() == ["True"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork only on Linux")
def test_workers_die_with_a_killed_parent() -> None:
    # The parent and its worker each keep a copy of `write`; once every copy is
    # closed (every process gone), reading the pipe gives end-of-file.  No sleeps.
    read, write = os.pipe()
    code = f"""
import os, signal
from sheetsync import parallel
def fn(n):
    os.write({write}, b"x")
    signal.pause()  # a long job
parallel.pmap(fn, range(4), min_items=1)
"""
    proc = _python(code, pass_fds=(write,), start_new_session=True)
    os.close(write)
    try:
        started = b""
        while len(started) < 2:  # the parent and its worker are both busy
            ready, _, _ = select.select([read], [], [], 60)
            assert ready, "the workers did not start"
            started += os.read(read, 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        ready, _, _ = select.select([read], [], [], 60)
        assert ready, "workers outlived their parent"
        assert os.read(read, 1) == b""  # end of file: no process holds the pipe
    finally:
        with contextlib.suppress(ProcessLookupError):  # leave no process behind, even failing
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        os.close(read)


class _OneWrite(CsvFolderBackend):
    early_tabs = ()  # the whole plan prepared at once, after compute


def test_tabs_written_early_give_the_same_files_as_one_write(
    tracker: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BUILD_IN_WORKERS", 1)
    monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
    files = {}
    for name, kind in (("early", CsvFolderBackend), ("once", _OneWrite)):
        path = copy_tracker(tracker, tmp_path / name)
        backend = kind(path)
        state = State.open(backend.key, str(tmp_path / f"state-{name}"))
        outcome = core.sync(backend, state, config, core.RunOptions(TODAY, new_id=counting_ids()))
        state.close()
        assert outcome.report is not None and outcome.report.written > 0
        files[name] = ({p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))},
                       outcome.report.written)  # fmt: skip
    assert files["early"] == files["once"]


def test_a_plan_splits_into_the_tabs_asked_for_and_the_rest() -> None:
    from sheetsync.tracker.plan import CellChange, Plan, RowAppend

    plan = Plan(
        new_tabs=["Feedback"],
        new_columns={"Applications": ["why"], "Drafts": ["lint"]},
        changes=[CellChange("Applications", 0, "A1", "why", "", "x"),
                 CellChange("Drafts", 0, "d1", "lint", "", "y")],
        appends=[RowAppend("Feedback", "f1", {"feedback_id": "f1"}),
                 RowAppend("Drafts", "d2", {"draft_id": "d2"})],
    )  # fmt: skip
    mine, rest = plan.split(("Applications", "Feedback"))
    assert mine.new_tabs == ["Feedback"] and rest.new_tabs == []
    assert mine.new_columns == {"Applications": ["why"]}
    assert rest.new_columns == {"Drafts": ["lint"]}
    assert [c.tab for c in mine.changes] == ["Applications"]
    assert [c.tab for c in rest.changes] == ["Drafts"]
    assert [a.key for a in mine.appends] == ["f1"] and [a.key for a in rest.appends] == ["d2"]
    assert plan.cells_changed() == mine.cells_changed() + rest.cells_changed()

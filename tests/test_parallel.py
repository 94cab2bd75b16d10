"""Drafts rendered in worker processes are exactly the drafts a plain loop renders."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import TODAY, copy_tracker, counting_ids

from sheetsync import core, parallel
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


def test_pmap_really_uses_other_processes_in_a_single_threaded_program() -> None:
    # A fresh interpreter: no test-harness threads, so forking is allowed.
    code = (
        "import os; from sheetsync import parallel\n"
        "pids = set(parallel.pmap(lambda _: os.getpid(), range(40), min_items=1))\n"
        "print(len(pids - {os.getpid()}))\n"
    )
    env = {**os.environ, "SHEETSYNC_WORKERS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    forked = int(out.stdout.strip())
    if sys.platform.startswith("linux"):
        assert forked == 2  # both workers did some of the work
    else:
        assert forked == 0  # elsewhere the plain loop runs


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
    monkeypatch.setenv("SHEETSYNC_WORKERS", "lots")
    assert parallel.workers() >= 1


def _sync_files(path: Path, config: Config) -> dict[str, bytes]:
    backend = CsvFolderBackend(path)
    state = State.open(backend.key, str(path.parent / f"state-{path.name}"))
    try:
        core.sync(backend, state, config, core.RunOptions(today=TODAY, new_id=counting_ids()))
    finally:
        state.close()
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def test_a_sync_through_worker_processes_writes_the_same_bytes(
    tracker: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    pooled = copy_tracker(tracker, tmp_path / "pooled")
    looped = copy_tracker(tracker, tmp_path / "looped")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("SHEETSYNC_WORKERS", "2")
    calls: list[int] = []
    real = parallel._forked
    monkeypatch.setattr(
        parallel, "_forked", lambda total, count: calls.append(total) or real(total, count)
    )
    pooled_files = _sync_files(pooled, config)
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        assert calls, "the pool was not used"
    monkeypatch.setenv("SHEETSYNC_WORKERS", "1")
    looped_files = _sync_files(looped, config)
    assert pooled_files == looped_files
    assert b"thank_you_email" in pooled_files["Drafts.csv"]

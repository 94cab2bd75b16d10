"""Rendering across cores: the same drafts as in process, in the same order.

Forking is tried in a fresh Python process: the test runner has threads of its
own (fake servers), and across_cores never forks a process with threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.messages import spread

TESTS = Path(__file__).resolve().parent
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="across_cores forks on Linux")

# Four cores, whatever the machine has, so workers are started.
_PRELUDE = """
import json, os, sys
os.sched_getaffinity = lambda _pid: {0, 1, 2, 3}
from sheetsync.messages import spread
def where(start, stop):
    return [(i, os.getpid()) for i in range(start, stop)]
"""


def _fresh_process(code: str) -> Any:
    """Run ``code`` after the prelude in a new interpreter; what it printed, as JSON."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])}
    done = subprocess.run([sys.executable, "-c", _PRELUDE + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@linux_only
def test_across_cores_forks_workers_and_keeps_the_order() -> None:
    got = _fresh_process("""
        results = spread.across_cores(where, 2_000)
        print(json.dumps({"parent": os.getpid(), "results": results}))
    """)
    assert [i for i, _ in got["results"]] == list(range(2_000))
    pids = {pid for _, pid in got["results"]}
    assert got["parent"] not in pids  # all done by workers (how they share it out may vary)


@linux_only
def test_a_worker_that_dies_leaves_the_work_to_the_parent() -> None:
    got = _fresh_process("""
        parent = os.getpid()
        def dies_in_a_worker(start, stop):
            if os.getpid() != parent:
                os._exit(9)  # as the kernel's out-of-memory killer would end it
            return where(start, stop)
        print(json.dumps({"parent": parent,
                          "results": spread.across_cores(dies_in_a_worker, 2_000)}))
    """)
    assert got["results"] == [[i, got["parent"]] for i in range(2_000)]


@linux_only
def test_drafts_rendered_across_cores_are_those_rendered_in_process() -> None:
    got = _fresh_process("""
        from conftest import TODAY, counting_ids, sample_grids
        from sheetsync import core
        from sheetsync.config import Config
        from sheetsync.tracker.table import Workbook

        grid = sample_grids()["Applications"]
        header, rows = grid[0], grid[1:]
        id_at, company_at = header.index("id"), header.index("company")
        out = [header]
        for n in range(30):  # the sample rows, each copy its own company
            for row in rows:
                row = list(row) + [""] * (len(header) - len(row))
                row[id_at], row[company_at] = f"{row[id_at]}-{n}", f"{row[company_at]} {n}"
                out.append(row)
        workbook = Workbook.from_grids({"Applications": out})
        config = Config()
        workers = []
        def across_cores(work, count):
            workers.append(spread._workers(count))
            return spread.across_cores(work, count)
        alone = core.compute(workbook, TODAY, config, new_id=counting_ids())
        shared = core.compute(workbook, TODAY, config, new_id=counting_ids(),
                              spread=across_cores)
        print(json.dumps({
            "workers": workers,
            "same_plan": shared.plan == alone.plan,
            "same_drafts": shared.drafts.open_drafts == alone.drafts.open_drafts,
            "drafts": len(alone.drafts.open_drafts),
        }))
    """)
    assert got["workers"][0] >= 2  # enough messages to fork
    assert got["same_plan"] and got["same_drafts"] and got["drafts"] >= spread.MIN_ITEMS


def _where(start: int, stop: int) -> list[tuple[int, int]]:
    return [(i, os.getpid()) for i in range(start, stop)]


def test_few_items_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    results = spread.across_cores(_where, spread.MIN_ITEMS - 1)
    assert {pid for _, pid in results} == {os.getpid()}


@pytest.fixture
def another_thread() -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_a_process_with_threads_is_never_forked(another_thread: None) -> None:
    assert spread._workers(100_000) == 0  # forking a threaded process can deadlock
    results = spread.across_cores(_where, 2_000)
    assert {pid for _, pid in results} == {os.getpid()}

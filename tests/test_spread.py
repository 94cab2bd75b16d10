"""Rendering across cores: the same drafts as in process, in the same order."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import TODAY, counting_ids, sample_grids

from sheetsync import core
from sheetsync.config import Config
from sheetsync.messages import spread
from sheetsync.tracker.table import Workbook


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)


def _where(start: int, stop: int) -> list[tuple[int, int]]:
    return [(i, os.getpid()) for i in range(start, stop)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is what across_cores uses")
def test_across_cores_forks_workers_and_keeps_the_order(four_cores: None) -> None:
    results = spread.across_cores(_where, 2_000)
    assert [i for i, _ in results] == list(range(2_000))
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids  # all done by workers (how they share it out may vary)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is what across_cores uses")
def test_a_worker_that_dies_leaves_the_work_to_the_parent(four_cores: None) -> None:
    parent = os.getpid()

    def dies_in_a_worker(start: int, stop: int) -> list[tuple[int, int]]:
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        return _where(start, stop)

    results = spread.across_cores(dies_in_a_worker, 2_000)
    assert results == [(i, parent) for i in range(2_000)]


def test_few_items_stay_in_process(four_cores: None) -> None:
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


def test_a_process_with_threads_is_never_forked(four_cores: None, another_thread: None) -> None:
    results = spread.across_cores(_where, 2_000)  # forking a threaded process can deadlock
    assert {pid for _, pid in results} == {os.getpid()}


def _many_applications(copies: int) -> Workbook:
    """The sample tracker's rows, ``copies`` times over, each copy its own company."""
    grid = sample_grids()["Applications"]
    header, rows = grid[0], grid[1:]
    id_at, company_at = header.index("id"), header.index("company")
    out = [header]
    for n in range(copies):
        for row in rows:
            row = list(row) + [""] * (len(header) - len(row))
            row[id_at] = f"{row[id_at]}-{n}"
            row[company_at] = f"{row[company_at]} {n}"
            out.append(row)
    return Workbook.from_grids({"Applications": out})


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is what across_cores uses")
def test_drafts_rendered_across_cores_are_those_rendered_in_process(
    config: Config, four_cores: None
) -> None:
    workbook = _many_applications(30)
    alone = core.compute(workbook, TODAY, config, new_id=counting_ids())
    workers: list[int] = []

    def across_cores(work: Callable[[int, int], list[Any]], count: int) -> list[Any]:
        workers.append(spread._workers(count))
        return spread.across_cores(work, count)

    shared = core.compute(workbook, TODAY, config, new_id=counting_ids(), spread=across_cores)
    assert workers[0] >= 2  # enough messages to fork
    assert shared.plan.appends == alone.plan.appends
    assert shared.plan.changes == alone.plan.changes
    assert shared.drafts.open_drafts == alone.drafts.open_drafts

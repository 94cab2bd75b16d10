"""Rendering a large first sync's drafts on every core: the one place sheetsync starts
processes.

:func:`compute` takes a ``spread`` function and calls it once, for the drafts it has
to render; its default, :func:`in_process`, does the work where it is.  The sync
commands pass :func:`across_cores`, which forks workers only when there is enough
work to repay them (a first sync of a tracker of about a thousand rows or more) and
only where forking is safe: Linux, and a process with no other threads (``serve``
answers requests on threads, so it renders in process).

A forked worker sees the parent's memory as it was, so the work itself is never
sent to it: only the numbers of the items to do go out, and their results come back.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Work on fewer items than this is done in process.  Measured on 2 cores with the
#: benchmark trackers: 671 messages (1,000 rows) render in 0.33 s forked against
#: 0.35 s in process, 6,395 (10,000 rows) in 1.3 s against 1.7-2.0 s; below a few
#: hundred, starting the workers costs about what they save.
MIN_ITEMS = 400
#: Items per task handed to a worker (small enough to share the work out evenly).
TASKS_PER_WORKER = 4
MAX_WORKERS = 8

Spread = Callable[[Callable[[int, int], list[T]], int], list[T]]

_work: Callable[[int, int], list[Any]] | None = None  # what a forked worker runs
log = logging.getLogger(__name__)


def in_process(work: Callable[[int, int], list[T]], count: int) -> list[T]:
    """``work(0, count)``: the results for items ``0 .. count - 1``, in order."""
    return work(0, count)


def across_cores(work: Callable[[int, int], list[T]], count: int) -> list[T]:
    """:func:`in_process`, shared among forked workers when that pays and is safe.

    ``work(start, stop)`` gives the results for items ``start .. stop - 1`` and must
    not change anything the parent reads afterwards (a worker's changes stay in it).
    """
    workers = _workers(count)
    if workers < 2:
        return in_process(work, count)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _work
    _work = work
    size = max(1, -(-count // (workers * TASKS_PER_WORKER)))
    ranges = [(start, min(start + size, count)) for start in range(0, count, size)]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts: Sequence[list[T]] = list(pool.map(_run, ranges))
    except BrokenProcessPool:  # a worker died (out of memory?): the slow way still works
        log.warning("a render worker stopped; rendering the drafts in this process")
        return in_process(work, count)
    finally:
        _work = None
    return [result for part in parts for result in part]


def _workers(count: int) -> int:
    """How many workers to fork for ``count`` items (0 or 1: none)."""
    if count < MIN_ITEMS or sys.platform != "linux" or threading.active_count() > 1:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS, count // (MIN_ITEMS // 2))


def _run(span: tuple[int, int]) -> list[Any]:
    assert _work is not None  # set before the fork
    return _work(*span)

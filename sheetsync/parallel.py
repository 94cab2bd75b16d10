"""Map a function over many items on every core, for the few big, pure jobs of a sync.

A first sync of a large tracker renders and lints tens of thousands of drafts;
that is pure Python work, so threads do not help.  ``pmap`` forks worker
processes that inherit the function and its items (nothing is pickled on the
way in), gives each a range of indexes, and gathers the results in order.  It
falls back to a plain loop whenever forking is not a safe or useful choice:
few items, one core, a platform without ``fork`` (or where it is unsafe, as on
macOS), other threads running, or ``SHEETSYNC_WORKERS=1``.  The result is the
same either way; only the time differs.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more (forking, results sent back) than it saves.
MIN_ITEMS = 2000
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4  # smaller chunks even out uneven items

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers() -> int:
    """How many processes ``pmap`` may use: ``SHEETSYNC_WORKERS``, else the usable cores."""
    wanted = os.environ.get("SHEETSYNC_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), MAX_WORKERS)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    # fork is the default start method only on Linux; elsewhere it is unsafe or
    # missing.  Forking while other threads run can deadlock the child.
    return sys.platform.startswith("linux") and threading.active_count() == 1


def pmap(fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, split across processes when that pays off."""
    count = workers()
    least = MIN_ITEMS if min_items is None else min_items
    if len(items) < max(least, 2) or count < 2 or not can_fork():
        return [fn(item) for item in items]
    global _job
    _job = (fn, items)
    try:
        return _forked(len(items), count)
    except (OSError, RuntimeError, ImportError):  # no processes to be had: do it here
        return [fn(item) for item in items]
    finally:
        _job = None


def _forked(total: int, count: int) -> list[Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pieces = min(total, count * CHUNKS_PER_WORKER)
    bounds = [(total * i // pieces, total * (i + 1) // pieces) for i in range(pieces)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        out: list[Any] = []
        for part in pool.map(_run, bounds):
            out.extend(part)
    return out


def _run(bounds: tuple[int, int]) -> list[Any]:
    """In a worker: the inherited function over one range of the inherited items."""
    assert _job is not None, "pmap worker started without a job"
    fn, items = _job
    return [fn(items[i]) for i in range(*bounds)]

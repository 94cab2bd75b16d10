"""Map a function over many items on every core, for the few big, pure jobs of a sync.

A first sync of a large tracker renders and lints tens of thousands of drafts;
that is pure Python work, so threads do not help.  ``pmap`` forks worker
processes that inherit the function and its items (nothing is pickled on the
way in), gives each a range of indexes, and gathers the results in order.  It
falls back to a plain loop whenever forking is not a safe or useful choice:
few items, one core, a platform without ``fork`` (or where it is unsafe, as on
macOS), other threads running, or ``SHEETSYNC_WORKERS`` set to 0 or 1.  The
result is the same either way; only the time differs.  Workers die with the
process that forked them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more (forking, results sent back) than it saves.
MIN_ITEMS = 2000
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4  # smaller chunks even out uneven items
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers() -> int:
    """How many processes ``pmap`` may use: ``SHEETSYNC_WORKERS``, else the usable cores."""
    wanted = os.environ.get("SHEETSYNC_WORKERS", "").strip()
    if wanted.isdigit():  # 0 and 1 both mean: no workers
        return max(1, min(int(wanted), MAX_WORKERS))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    # fork is the default start method only on Linux; elsewhere it is unsafe or
    # missing.  Forking while other threads run can deadlock the child.
    return sys.platform.startswith("linux") and threading.active_count() == 1


@dataclass
class _Failed:
    """What a worker returns when ``fn`` raised: the error is raised again in the parent."""

    error: BaseException


def pmap(fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, split across processes when that pays off.

    An exception from ``fn`` is raised here, as a plain loop would raise it.  If
    the workers themselves fail (no process can be forked, one is killed), the
    items are done here instead: ``fn`` must be pure, so that is safe.
    """
    count = workers()
    least = MIN_ITEMS if min_items is None else min_items
    if len(items) < max(least, 2) or count < 2 or not can_fork():
        return [fn(item) for item in items]
    global _job
    _job = (fn, items)
    try:
        done = _forked(len(items), count)
    except Exception:  # the pool failed, not fn: do the work in this process
        done = None
    finally:
        _job = None
    if isinstance(done, _Failed):
        raise done.error
    return done if done is not None else [fn(item) for item in items]


def _forked(total: int, count: int) -> list[Any] | _Failed:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pieces = min(total, count * CHUNKS_PER_WORKER)
    bounds = [(total * i // pieces, total * (i + 1) // pieces) for i in range(pieces)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=count, mp_context=context, initializer=_start, initargs=(os.getpid(),)
    ) as pool:
        out: list[Any] = []
        for part in pool.map(_run, bounds):
            if isinstance(part, _Failed):
                pool.shutdown(wait=True, cancel_futures=True)  # no more chunks for nothing
                return part
            out.extend(part)
    return out


def _start(parent: int) -> None:
    """In a new worker: die with the parent, so no worker outlives a killed sync.

    A worker holds copies of the parent's open files, the sheet's lock among
    them; an orphan would keep them, and wait forever for work.
    """
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the parent check below still helps
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _run(bounds: tuple[int, int]) -> list[Any] | _Failed:
    """In a worker: the inherited function over one range of the inherited items."""
    assert _job is not None, "pmap worker started without a job"
    fn, items = _job
    try:
        return [fn(items[i]) for i in range(*bounds)]
    except Exception as exc:  # sent back and raised in the parent
        return _Failed(exc)

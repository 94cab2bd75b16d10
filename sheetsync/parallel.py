"""Map a function over many items on every core, for the few big, pure jobs of a sync.

A first sync of a large tracker renders and lints tens of thousands of drafts;
that is pure Python work, so threads do not help.  ``pmap`` forks one process
per extra core; each inherits the function and its items (nothing is pickled
on the way in).  Every process, this one included, takes the next free block
of items until none is left, so a slower process takes fewer; the results
come back in order.

It falls back to a plain loop whenever forking is not a safe or useful choice:
few items, one core, a platform without ``fork`` (or where it is unsafe, as on
macOS), other threads running, or ``SHEETSYNC_WORKERS`` set to 0 or 1.  The
result is the same either way; only the time differs.  Workers die with the
process that forked them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a worker costs more (forking, results sent back) than it saves.
MIN_ITEMS = 2000
MAX_WORKERS = 8
BLOCKS_PER_PROCESS = 32  # small enough that no process waits long for the others
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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
    """What a worker sends back when ``fn`` raised: the error is raised again here."""

    error: BaseException


def pmap(fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, split across processes when that pays off.

    An exception from ``fn`` is raised here, as a plain loop would raise it.  If
    a worker itself fails (it cannot be forked, it is killed), its items are
    done here instead: ``fn`` must be pure, so that is safe.
    """
    count = workers()
    if not _worth_forking(len(items), count, min_items):
        return [fn(item) for item in items]
    return _forked(fn, items, count)


def start(
    fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None
) -> Running[T, R]:
    """Begin ``pmap(fn, items)`` in the background; :meth:`Running.result` collects it.

    For when this process has other work to do meanwhile: one worker per extra
    core starts at once, and this process joins in when it asks for the result,
    taking the blocks still free.  Without workers, the items are done then, in
    a plain loop.  Blocks are taken in order: put the largest items first.
    """
    count = workers()
    if not _worth_forking(len(items), count, min_items, alone=1):
        return Running(fn, items, 0, 1)
    return Running(fn, items, count - 1, count)


def _worth_forking(total: int, count: int, min_items: int | None, alone: int = 2) -> bool:
    """``alone``: the fewest items worth a worker (one, when this process has other work)."""
    least = MIN_ITEMS if min_items is None else min_items
    return total >= max(least, alone) and count >= 2 and can_fork()


def _blocks(total: int, parts: int) -> list[range]:
    """Consecutive blocks of indexes, ``BLOCKS_PER_PROCESS`` or so for each process."""
    size = max(1, -(-total // (parts * BLOCKS_PER_PROCESS)))
    return [range(start, min(start + size, total)) for start in range(0, total, size)]


def _forked(fn: Callable[[T], R], items: Sequence[T], count: int) -> list[R]:
    """One worker per extra core; this process works alongside them."""
    return Running(fn, items, count - 1, count).result()


class Running(Generic[T, R]):
    """A map under way: every process, this one included, takes the next free block.

    The free blocks are numbers in a pipe: a read of one number is atomic, so
    no block is taken twice, and a slower process simply takes fewer.  This
    process takes blocks only once :meth:`result` is called.
    """

    def __init__(self, fn: Callable[[T], R], items: Sequence[T], spawn: int, parts: int) -> None:
        self._fn, self._items = fn, items
        self._blocks = _blocks(len(items), parts)
        self._children: list[tuple[int, int]] = []  # (pid, the file it writes its results to)
        self._free: int | None = None
        if spawn < 1 or not self._blocks:
            return
        free, fill = os.pipe()
        self._free = free
        try:
            os.write(fill, b"".join(_NUMBER.pack(b) for b in range(len(self._blocks))))  # < 64 KiB
        finally:
            os.close(fill)  # an empty pipe now reads as the end: no block left
        libc = _libc()  # loaded before forking, so a worker need not import anything
        try:
            for _ in range(min(spawn, len(self._blocks))):
                try:
                    self._children.append(_spawn(fn, items, self._blocks, free, libc))
                except OSError:  # no process to be had: the others share its blocks
                    break
        except BaseException:
            self.cancel()
            raise

    def result(self) -> list[R]:
        """The results in order; an exception from ``fn`` is raised here."""
        fn, items, blocks = self._fn, self._items, self._blocks
        done: dict[int, list[R]] = {}
        try:
            if self._free is not None:
                done.update(_work(fn, items, blocks, self._free))
            failure: _Failed | None = None
            while self._children:
                got = _collect(*self._children.pop())
                if isinstance(got, _Failed):
                    failure = failure or got
                else:
                    done.update(got)
            if failure is not None:
                raise failure.error
        finally:
            self.cancel()  # only workers left when this is failing
        out: list[R] = []
        for number, block in enumerate(blocks):  # a worker that died left its blocks undone
            out += done[number] if number in done else [fn(items[i]) for i in block]
        return out

    def cancel(self) -> None:
        """Stop the workers still running; their results are lost."""
        if self._free is not None:
            os.close(self._free)
            self._free = None
        while self._children:
            _stop(*self._children.pop())


_NUMBER = struct.Struct("=I")


def _work(
    fn: Callable[[T], R], items: Sequence[T], blocks: list[range], free: int
) -> dict[int, list[R]]:
    """Take free blocks until none is left; their results, by block number."""
    return dict(_each_block(fn, items, blocks, free))


def _each_block(
    fn: Callable[[T], R], items: Sequence[T], blocks: list[range], free: int
) -> Iterator[tuple[int, list[R]]]:
    """(block number, its results) for each free block taken, until none is left."""
    while len(taken := os.read(free, _NUMBER.size)) == _NUMBER.size:
        (number,) = _NUMBER.unpack(taken)
        yield number, [fn(items[i]) for i in blocks[number]]


def _libc() -> Any:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (OSError, ImportError):  # no prctl: the parent check in the worker still helps
        return None


def _spawn(
    fn: Callable[[Any], Any], items: Sequence[Any], blocks: list[range], free: int, libc: Any
) -> tuple[int, int]:
    """Fork a worker that takes free blocks: (its pid, the file its results go to)."""
    parent = os.getpid()
    # A file in memory, not a pipe: a pipe moves tens of megabytes 64 KiB at a
    # time, each a round trip between the processes (half a second here).
    result = _scratch_file()
    try:
        pid = os.fork()
    except OSError:
        os.close(result)
        raise
    if pid == 0:  # the worker: never returns
        status = 1
        try:
            _die_with(parent, libc)
            with open(result, "wb", closefd=False) as out:
                # Each block's results are sent as soon as they are made, so
                # sending them is spread over the work, not left to the end.
                try:
                    for done in _each_block(fn, items, blocks, free):
                        try:
                            sent = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
                        except Exception as exc:  # results that cannot travel: say why
                            raise RuntimeError(f"in a worker: {done!r} ({exc})") from None
                        out.write(sent)
                except Exception as exc:  # sent back and raised in the parent
                    try:
                        failed = pickle.dumps(_Failed(exc))
                    except Exception:  # an error that cannot travel: send its text
                        failed = pickle.dumps(_Failed(RuntimeError(f"in a worker: {exc!r}")))
                    out.write(failed)
            status = 0
        finally:
            os._exit(status)  # no cleanup of the parent's: its files, locks and buffers
    return pid, result


def _scratch_file() -> int:
    """A descriptor of an anonymous file, in memory where the system allows."""
    try:
        return os.memfd_create("sheetsync-results", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        with tempfile.TemporaryFile() as handle:
            return os.dup(handle.fileno())


def _die_with(parent: int, libc: Any) -> None:
    """In a new worker: die with the parent, so no worker outlives a killed sync.

    A worker holds copies of the parent's open files, the sheet's lock among
    them; an orphan would keep them.
    """
    if libc is not None:
        with contextlib.suppress(OSError, AttributeError):
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _collect(pid: int, result: int) -> dict[int, list[Any]] | _Failed:
    """A worker's results by block (those it sent whole), or its error."""
    try:
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted here: take the worker down too
        _stop(pid, result)
        raise
    got: dict[int, list[Any]] = {}
    with open(result, "rb", buffering=1 << 20) as written:  # closes the descriptor
        written.seek(0)  # the worker's writing moved the offset both processes share
        while True:  # read as it is unpickled: no copy of tens of megabytes first
            try:
                item = pickle.load(written)
            except Exception:  # the end, or a message cut off: what came whole is kept
                break
            if isinstance(item, _Failed):
                return item
            if not (isinstance(item, tuple) and len(item) == 2):
                break
            got[item[0]] = item[1]
    return got  # a worker that died sent only some blocks whole: the rest are done here


def _stop(pid: int, result: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.close(result)
    os.waitpid(pid, 0)

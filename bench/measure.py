"""Benchmark workers: each runs in its own process and prints one JSON line per result.

A worker measures one thing (one case of a local sync, its pandas floor, the
policy engine, Google syncs against the fake) so that peak memory
(``ru_maxrss``) is that measurement's own.  Syncs go through the stable entry
points only (``sheetsync.backends.open_backend``, ``sheetsync.core.sync``, the
config from ``$SHEETSYNC_CONFIG``), so modules may move behind them.  Results
are printed as soon as they exist: when the runner stops a worker that overruns
its time budget, what it finished is kept.

With ``$BENCH_PROFILE`` set to a file name, one measured call (see
:func:`run_once`) runs under cProfile and its statistics are written there.
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


# -- plumbing ---------------------------------------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**fields: Any) -> None:
    """One result line for the runner."""
    fields.setdefault("rss_mib", round(peak_rss_mib(), 1))
    print(json.dumps(fields), flush=True)


@dataclass
class Timed:
    wall: float
    cpu: float


def _children_cpu() -> float:
    """CPU seconds of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def timer() -> Iterator[Timed]:
    """Wall-clock and CPU time of the block: every thread, and any child process it ran."""
    got = Timed(0.0, 0.0)
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    yield got
    got.wall = time.perf_counter() - wall
    got.cpu = time.process_time() - cpu + _children_cpu() - children


_profiled = False


def run_once(fn: Callable[[], T], case: str = "") -> T:
    """Call ``fn``, under cProfile when $BENCH_PROFILE is set and this call is the one wanted.

    The one wanted is the call whose ``case`` is $BENCH_PROFILE_CASE, or the first
    call in this process when that is unset.
    """
    global _profiled
    target = os.environ.get("BENCH_PROFILE")
    wanted = os.environ.get("BENCH_PROFILE_CASE", "")
    if not target or _profiled or (wanted and case != wanted):
        return fn()
    _profiled = True
    profile = cProfile.Profile()
    try:
        return profile.runcall(fn)
    finally:
        profile.dump_stats(target)


def _config() -> Any:
    """The bench's configuration, from $SHEETSYNC_CONFIG (set by the runner), as a CLI run
    would load it."""
    from sheetsync.config import load_config

    return load_config()


def _open(location: Path | str, state_dir: str | None, new_id: Any = None) -> tuple[Any, Any]:
    """``run()``, one ``sheetsync.core.sync`` of the tracker at ``location``, and ``close()``.

    Only the stable entry points are used (``sheetsync.backends.open_backend``,
    ``sheetsync.core``), whatever modules they are implemented in.
    """
    from bench.tracker import TODAY
    from sheetsync.backends import open_backend
    from sheetsync.core import RunOptions, sync
    from sheetsync.state import State

    config = _config()
    backend = open_backend(str(location), config)
    state = State.open(backend.key, state_dir)
    options = RunOptions(today=TODAY) if new_id is None else RunOptions(today=TODAY, new_id=new_id)
    return (lambda: sync(backend, state, config, options)), state.close


def _warm_up(kind: str) -> None:
    """A sync of a small tracker of the same kind, so the modules a sync imports lazily are
    loaded before anything is timed (timings hold work, not imports)."""
    from bench.tracker import make_tracker, write_csv_folder, write_xlsx

    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-warm-") as tmp:
        tracker = make_tracker(100, seed=3)
        location = Path(tmp) / "tracker"
        if kind == "csv":
            write_csv_folder(tracker, location)
        else:
            location = location.with_suffix(".xlsx")
            write_xlsx(tracker, location)
        run, close = _open(location, str(Path(tmp) / "state"))
        run()
        close()


# -- policy engine ------------------------------------------------------------------------


def policy(rows: int) -> None:
    """parse_applications + policy.compute on synthetic rows (bench_policy's generator)."""
    from bench.bench_policy import engine, run, synthetic_applications

    repeat = 5 if rows <= 10_000 else 3
    stats = run(rows, repeat=repeat)
    seconds = stats["parse_seconds"] + stats["compute_seconds"]
    emit(kind="policy", rows=rows, repeat=repeat, wall=seconds, rows_per_s=rows / seconds,
         parse_rows_per_s=stats["parse_rows_per_s"],
         compute_rows_per_s=stats["compute_rows_per_s"])  # fmt: skip
    if os.environ.get("BENCH_PROFILE"):  # one warm parse + compute, without the generator
        frame, (parse, compute) = synthetic_applications(rows), engine("US")

        def once() -> object:
            apps, problems = parse(frame)
            return compute(apps, problems)

        once()
        run_once(once)


# -- local syncs and their pandas floors --------------------------------------------------


def local_sync(kind: str, location: str, rows: int, case: str) -> None:
    """One case of a local sync, after a warm-up, best of 2: ``first`` (the tracker as
    generated; the first try runs on a copy, with state of its own) or ``steady`` (after
    the first).  The floor is a best of 2 or 3 too: one noisy try must not decide a
    ratio.  State lives in $SHEETSYNC_STATE_DIR, shared by the two cases as by two cron
    runs."""
    _warm_up(kind)
    tries: list[tuple[Timed, dict[str, int]]] = []
    if case == "first":
        with tempfile.TemporaryDirectory(prefix="sheetsync-bench-try-", dir=Path(location).parent
                                         ) as tmp:  # fmt: skip
            copy = Path(tmp) / Path(location).name
            (shutil.copytree if Path(location).is_dir() else shutil.copy2)(location, copy)
            tries.append(_timed_sync(copy, case))
    for _ in range(2 - len(tries)):
        tries.append(_timed_sync(Path(location), case))
    best, wrote = min(tries, key=lambda t: t[0].wall)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    emit(kind=f"{kind}_sync", case=case, rows=rows, repeat=len(tries), wall=best.wall,
         cpu=best.cpu, workers_rss_mib=round(workers, 1), **wrote)  # fmt: skip


def _timed_sync(location: Path, case: str) -> tuple[Timed, dict[str, int]]:
    """One sync of the tracker at ``location``, timed; what it wrote."""
    from bench.tracker import new_id_factory

    run, close = _open(location, None, new_id_factory())
    with timer() as took:
        outcome = run_once(run, case)
    wrote = {"drafts_added": outcome.drafts.added, "cells": len(outcome.plan.changes),
             "appends": len(outcome.plan.appends)}  # fmt: skip
    del outcome  # a sync process holds one outcome, never two: the peak is one sync's
    close()
    return took, wrote


def _best_of(repeat: int, fn: Callable[[], object]) -> Timed:
    best: Timed | None = None
    for _ in range(repeat):
        with timer() as took:
            fn()
        best = took if best is None or took.wall < best.wall else best
    assert best is not None
    return best


def csv_floor(location: str, rows: int, repeat: int) -> None:
    """pandas reading every tab file of the folder as text and writing it back out."""
    folder = Path(location)
    files = sorted(folder.glob("*.csv"))

    def read_write() -> None:
        for path in files:
            _read_csv(path).to_csv(path.with_suffix(".floor"), index=False)

    best = _best_of(repeat, read_write)
    for path in folder.glob("*.floor"):
        path.unlink()
    size = sum(p.stat().st_size for p in files)
    emit(kind="csv_floor", rows=rows, repeat=repeat, wall=best.wall, cpu=best.cpu, bytes=size,
         files=[p.name for p in files])  # fmt: skip


def xlsx_floor(location: str, rows: int, repeat: int) -> None:
    """pandas (openpyxl engine) reading every worksheet as text and writing a workbook."""
    import pandas as pd

    path = Path(location)
    out = path.with_suffix(".floor.xlsx")
    names: list[str] = []

    def read_write() -> None:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                               engine="openpyxl")  # fmt: skip
        names[:] = [str(name) for name in sheets]
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=str(name), index=False)

    best = _best_of(repeat, read_write)
    out.unlink(missing_ok=True)
    emit(kind="xlsx_floor", rows=rows, repeat=repeat, wall=best.wall, cpu=best.cpu,
         bytes=path.stat().st_size, files=names)  # fmt: skip


# -- Google Sheets against the fake -------------------------------------------------------


def fake_server(location: str) -> None:
    """Serve the fake Sheets API holding one spreadsheet whose Applications tab is the CSV.

    Cells are entered as a person typing them would (dates become date serials).
    Prints ``{"url": ..., "key": ...}``, then answers each ``log`` line on stdin with
    what the fake received since the last one (:func:`received`); serves until
    stdin closes.
    """
    import csv

    sys.path.insert(0, str(ROOT / "tests"))
    from fakesheets import FakeGoogle

    with open(location, encoding="utf-8", newline="") as handle:
        grid = list(csv.reader(handle))
    fake = FakeGoogle().start()
    width = max(len(r) for r in grid)
    book = fake.create_spreadsheet({"Applications": [grid[0]]}, rows=len(grid) + 100,
                                   cols=width)  # fmt: skip
    planned = book.plan_update({"range": "Applications!A1", "values": grid}, "USER_ENTERED")
    book.apply_update(*planned, "USER_ENTERED")
    print(json.dumps({"url": fake.url, "key": book.id}), flush=True)
    for line in sys.stdin:  # until the client closes the pipe
        if line.strip() == "log":
            with fake.lock:
                entries, fake.log[:] = list(fake.log), []
            print(json.dumps(received(entries)), flush=True)
    fake.stop()


def received(entries: list[Any]) -> dict[str, Any]:
    """Requests and body bytes the fake received, by API method (what the quota sees)."""
    by_method: dict[str, int] = {}
    for entry in entries:
        name = api_method(entry.method_id)
        by_method[name] = by_method.get(name, 0) + 1
    return {"requests": len(entries), "bytes": sum(len(e.body) for e in entries),
            "by_method": by_method}  # fmt: skip


def api_method(method_id: str) -> str:
    """``sheets.spreadsheets.values.batchGet`` -> ``values.batchGet``."""
    if not method_id:
        return "unknown"
    if method_id.startswith("sheets.spreadsheets.values."):
        return method_id.removeprefix("sheets.spreadsheets.")
    return method_id.removeprefix("sheets.")


def google(location: str, rows: int) -> None:
    """A first sync (creates the Drafts and Feedback tabs), then a steady-state one, each
    counted by the fake; the backend comes from ``open_backend`` like any --sheet value."""
    from bench.tracker import new_id_factory

    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent / "run.py"), "--worker",
         "fake_server", location],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    try:
        hello = json.loads(server.stdout.readline())
        os.environ["SHEETSYNC_API_ENDPOINT"] = hello["url"]

        def log() -> dict[str, Any]:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write("log\n")
            server.stdin.flush()
            return dict(json.loads(server.stdout.readline()))

        _warm_up("csv")
        with tempfile.TemporaryDirectory(prefix="sheetsync-bench-google-") as work:
            run, close = _open(hello["key"], work, new_id_factory())
            for case in ("first", "steady"):
                log()  # start counting here
                with timer() as took:
                    outcome = run_once(run, case)
                emit(kind="google_sync", case=case, rows=rows, wall=took.wall, cpu=took.cpu,
                     **log(), drafts_added=outcome.drafts.added,
                     cells=len(outcome.plan.changes), appends=len(outcome.plan.appends))
            close()
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


WORKERS: dict[str, Callable[..., None]] = {
    "policy": policy,
    "local_sync": local_sync,
    "csv_floor": csv_floor,
    "xlsx_floor": xlsx_floor,
    "fake_server": fake_server,
    "google": google,
}


def worker_main(name: str, args: list[str]) -> int:
    """Run worker ``name``; numeric arguments arrive as text and are converted here."""
    def convert(text: str) -> Any:
        if text in ("true", "false"):
            return text == "true"
        return int(text) if text.isdigit() else text

    WORKERS[name](*[convert(a) for a in args])
    return 0


def _read_csv(path: Path) -> Any:
    """A tab file as text; a ragged one (the Dashboard) as wide as its widest row."""
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.ParserError:
        import csv

        with path.open(newline="", encoding="utf-8") as handle:
            width = max(len(row) for row in csv.reader(handle))
        return pd.read_csv(path, dtype=str, keep_default_na=False, header=None,
                           names=list(range(width)))  # fmt: skip

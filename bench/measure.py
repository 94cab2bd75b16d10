"""Benchmark workers: each runs in its own process and prints one JSON line per result.

A worker measures one thing (a sync, its pandas floor, the policy engine, draft
rendering, Google syncs against the fake) so that peak memory (``ru_maxrss``)
is that measurement's own.  Results are printed as soon as they exist: when the
runner stops a worker that overruns its time budget, what it finished is kept.

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
    """CPU seconds of this process's finished child processes (a sync's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def timer() -> Iterator[Timed]:
    """Wall-clock and CPU time of the block: every thread, plus the workers it forked."""
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
    from sheetsync.config import Config, Me

    return Config(holidays="US", me=Me("Sam Carter", "sam.carter@example.com",
                                       "+1 555 0100", "linkedin.com/in/samcarter"))  # fmt: skip


def _warm_imports() -> None:
    """Import what a sync imports lazily, so timings hold work, not imports."""
    import holidays  # noqa: F401
    import jinja2  # noqa: F401

    import sheetsync.core.runs  # noqa: F401
    import sheetsync.feedback.tab  # noqa: F401
    import sheetsync.feedback.themes  # noqa: F401
    import sheetsync.messages.lint  # noqa: F401
    import sheetsync.messages.render  # noqa: F401
    import sheetsync.policy.engine  # noqa: F401


# -- policy engine ------------------------------------------------------------------------


def policy(rows: int) -> None:
    """parse_applications + policy.compute on synthetic rows (bench_policy's generator)."""
    from bench.bench_policy import TODAY, run, synthetic_applications
    from sheetsync.config import Rules
    from sheetsync.policy.bizdays import Calendar
    from sheetsync.policy.engine import compute
    from sheetsync.tracker.values import parse_applications

    repeat = 5 if rows <= 10_000 else 3
    stats = run(rows, repeat=repeat)
    seconds = stats["parse_seconds"] + stats["compute_seconds"]
    emit(kind="policy", rows=rows, repeat=repeat, wall=seconds, rows_per_s=rows / seconds,
         parse_rows_per_s=stats["parse_rows_per_s"],
         compute_rows_per_s=stats["compute_rows_per_s"])  # fmt: skip
    if os.environ.get("BENCH_PROFILE"):  # one warm parse + compute, without the generator
        frame, calendar = synthetic_applications(rows), Calendar("US")

        def once() -> object:
            apps, problems = parse_applications(frame, "MDY")
            return compute(apps, problems, TODAY, Rules(), calendar)

        once()
        run_once(once)


# -- local syncs and their pandas floors --------------------------------------------------


def local_sync(kind: str, location: str, rows: int, steady: bool) -> None:
    """A first sync of a freshly generated tracker, then (optionally) a steady-state one."""
    from bench.tracker import TODAY, new_id_factory
    from sheetsync.backends.local import CsvFolderBackend, XlsxBackend
    from sheetsync.core.runs import RunOptions, sync
    from sheetsync.state import State

    _warm_imports()
    path = Path(location)
    backend = CsvFolderBackend(path) if kind == "csv" else XlsxBackend(path)
    config = _config()
    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-state-") as state_dir:
        state = State.open(backend.key, state_dir)
        options = RunOptions(today=TODAY, new_id=new_id_factory())
        with timer() as took:
            outcome = run_once(lambda: sync(backend, state, config, options), "first")
        emit(kind=f"{kind}_sync", case="first", rows=rows, wall=took.wall, cpu=took.cpu,
             drafts_added=outcome.drafts.added, cells=len(outcome.plan.changes),
             appends=len(outcome.plan.appends))  # fmt: skip
        if steady:  # nothing changes between steady-state syncs: best of 2, like the floor
            runs = []
            for _ in range(2):
                with timer() as took:
                    outcome = run_once(lambda: sync(backend, state, config, options), "steady")
                runs.append(took)
            best = min(runs, key=lambda t: t.wall)
            emit(kind=f"{kind}_sync", case="steady", rows=rows, wall=best.wall, cpu=best.cpu,
                 drafts_added=outcome.drafts.added, cells=len(outcome.plan.changes),
                 appends=len(outcome.plan.appends))  # fmt: skip
        state.close()


def csv_floor(location: str, rows: int, repeat: int) -> None:
    """pandas reading every tab file as text and writing it back out."""
    import pandas as pd

    folder = Path(location)
    files = sorted(folder.glob("*.csv"))
    best: Timed | None = None
    for _ in range(repeat):
        with timer() as took:
            for path in files:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                frame.to_csv(path.with_suffix(".floor"), index=False)
        best = took if best is None or took.cpu < best.cpu else best
    for path in folder.glob("*.floor"):
        path.unlink()
    assert best is not None
    size = sum(p.stat().st_size for p in files)
    emit(kind="csv_floor", rows=rows, wall=best.wall, cpu=best.cpu, bytes=size)


def xlsx_floor(location: str, rows: int, repeat: int) -> None:
    """pandas (openpyxl engine) reading every worksheet as text and writing a workbook."""
    import pandas as pd

    path = Path(location)
    out = path.with_suffix(".floor.xlsx")
    best: Timed | None = None
    for _ in range(repeat):
        with timer() as took:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                                   engine="openpyxl")  # fmt: skip
            with pd.ExcelWriter(out, engine="openpyxl") as writer:
                for name, frame in sheets.items():
                    frame.to_excel(writer, sheet_name=str(name), index=False)
        best = took if best is None or took.cpu < best.cpu else best
    out.unlink(missing_ok=True)
    assert best is not None
    emit(kind="xlsx_floor", rows=rows, wall=best.wall, cpu=best.cpu, bytes=path.stat().st_size)


# -- drafts -----------------------------------------------------------------------------


def drafts(location: str, rows: int) -> None:
    """Contexts and renders for every message the policy asks for, as a sync drafts them."""
    from bench.tracker import TODAY
    from sheetsync.backends.local import CsvFolderBackend
    from sheetsync.messages.merge import MESSAGE_ACTIONS
    from sheetsync.messages.render import Renderer, build_context
    from sheetsync.policy.bizdays import Calendar
    from sheetsync.policy.engine import compute
    from sheetsync.tracker.schema import APP_USER_COLUMNS
    from sheetsync.tracker.values import parse_applications, parse_interviewers

    _warm_imports()
    config = _config()
    table = CsvFolderBackend(Path(location)).read()["Applications"]
    typed, problems = parse_applications(table.frame(APP_USER_COLUMNS), config.date_order)
    result = compute(typed, problems, TODAY, config.rules, Calendar.from_config(config))
    jobs: list[tuple[str, dict[Any, Any], list[tuple[str, str]]]] = []
    records = typed.to_dict("records")
    for row, action, interviewed in zip(records, result["next_action"], result["interviewed"],
                                        strict=True):  # fmt: skip
        if action not in MESSAGE_ACTIONS or action == "thank_you_note":
            continue
        template = MESSAGE_ACTIONS[action]
        if action == "request_feedback":
            template += "_interviewed" if interviewed else "_not_interviewed"
        contact = (str(row["contact_name"]), str(row["contact_email"]))
        people = parse_interviewers(str(row["interviewers"]))
        if action != "thank_you_email" or not people:
            people = [contact] if any(contact) else people[:1] or [contact]
        jobs.append((template, row, people))

    renderer = Renderer(config)
    for template in {j[0] for j in jobs}:
        renderer.variants(template)  # compile outside the timing, as a sync does once

    def build() -> list[tuple[str, list[dict[str, Any]], list[str]]]:
        return [(template, [build_context(row, p, config.me) for p in people],
                 [f"{row['id']}|{p[1] or p[0]}" for p in people])
                for template, row, people in jobs]  # fmt: skip

    with timer() as built:
        prepared = build()

    def render() -> int:
        return sum(len(renderer.render_many(t, c, k)) for t, c, k in prepared)

    with timer() as rendered:
        count = run_once(render)
    emit(kind="drafts", rows=rows, drafts=count, wall=built.wall + rendered.wall,
         cpu=built.cpu + rendered.cpu, render_wall=rendered.wall,
         drafts_per_s=count / (built.wall + rendered.wall),
         render_per_s=count / rendered.wall)  # fmt: skip


# -- Google Sheets against the fake -------------------------------------------------------


def fake_server(location: str) -> None:
    """Serve the fake Sheets API holding one spreadsheet whose Applications tab is the CSV.

    Cells are entered as a person typing them would (dates become date serials).
    Prints ``{"url": ..., "key": ...}`` and serves until stdin closes.
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
    sys.stdin.read()  # until the client closes the pipe
    fake.stop()


def api_method(http_method: str, path_url: str) -> str:
    """``GET /v4/spreadsheets/ID/values:batchGet?..`` -> ``values.batchGet``."""
    path = path_url.split("?", 1)[0]
    if "/drive/" in path:
        return f"drive {http_method}"
    tail = path.split("/spreadsheets/", 1)[-1]
    key, _, rest = tail.partition("/")
    if rest.startswith("values:"):
        return "values." + rest.split(":", 1)[1]
    if rest.startswith("values"):
        return "values.get" if http_method == "GET" else "values.update"
    return "spreadsheets." + (key.split(":", 1)[1] if ":" in key else http_method.lower())


class _Counter:
    """Requests and body bytes leaving the client, by API method."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0
        self.by_method: dict[str, int] = {}

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def wrap(self, session: Any) -> None:
        send = session.send

        def counting_send(request: Any, **kwargs: Any) -> Any:
            body = request.body or b""
            self.requests += 1
            self.bytes += len(body.encode() if isinstance(body, str) else body)
            name = api_method(request.method, request.path_url)
            self.by_method[name] = self.by_method.get(name, 0) + 1
            return send(request, **kwargs)

        session.send = counting_send


def google(location: str, rows: int) -> None:
    """A first sync (creates the Drafts and Feedback tabs), then a steady-state one."""
    from bench.tracker import TODAY, new_id_factory

    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent / "run.py"), "--worker",
         "fake_server", location],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        hello = json.loads(server.stdout.readline())
        os.environ["SHEETSYNC_API_ENDPOINT"] = hello["url"]
        from sheetsync.backends.google.sheets import GoogleSheetsBackend
        from sheetsync.core.runs import RunOptions, sync
        from sheetsync.state import State

        _warm_imports()
        work = Path(tempfile.mkdtemp(prefix="sheetsync-bench-google-"))
        backend = GoogleSheetsBackend(hello["key"], cache_dir=work / "cache")
        counter = _Counter()
        counter.wrap(backend.transport.inner)
        state = State.open(backend.key, work / "state")
        config = _config()
        options = RunOptions(today=TODAY, new_id=new_id_factory())
        for case in ("first", "steady"):
            counter.reset()
            with timer() as took:
                outcome = run_once(lambda: sync(backend, state, config, options), case)
            emit(kind="google_sync", case=case, rows=rows, wall=took.wall, cpu=took.cpu,
                 requests=counter.requests, bytes=counter.bytes, by_method=counter.by_method,
                 drafts_added=outcome.drafts.added, cells=len(outcome.plan.changes),
                 appends=len(outcome.plan.appends))  # fmt: skip
        state.close()
        backend.close()
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if server.stdin is not None:
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
    "drafts": drafts,
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

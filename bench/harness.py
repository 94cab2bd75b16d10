"""The runner's side of the benchmarks: worker processes under a time budget, child
processes timed whole, the trackers and the configuration every sync here uses."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "bench" / "run.py"
TODAY = "2026-03-16"  # bench_policy.TODAY, as --today takes it

# The configuration of every sync in the benchmarks ($SHEETSYNC_CONFIG), in-process or not.
CONFIG_TOML = """\
[calendar]
holidays = "US"

[me]
name = "Sam Carter"
email = "sam.carter@example.com"
phone = "+1 555 0100"
linkedin = "linkedin.com/in/samcarter"
"""

# Top-level packages looked for in what a process imports.
GOOGLES = ("gspread", "google", "googleapiclient", "google_auth_oauthlib", "google_auth_httplib2",
           "httplib2")  # fmt: skip
XLSX = ("openpyxl",)
HTTP = ("requests", "urllib3")
HEAVY = ("pandas", "numpy", "jinja2", "holidays", "icalendar", "openpyxl", *GOOGLES, *HTTP)


# -- workers under a time budget ----------------------------------------------------------


class Budget:
    """Seconds left for the run; each worker gets what remains minus a reserve for the rest."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def allow(self, reserve: float) -> float | None:
        """Timeout for the next step (None: unlimited), or 0 when nothing is left."""
        if self.seconds <= 0:
            return None
        return max(0.0, self.seconds - self.elapsed() - reserve)


@dataclass
class WorkerRun:
    results: list[dict[str, Any]]
    stopped: str = ""  # why the worker did not finish ("" when it did)


def log(budget: Budget, message: str) -> None:
    print(f"[{budget.elapsed():5.0f}s] {message}", file=sys.stderr, flush=True)


def write_config(work: Path) -> Path:
    path = work / "sheetsync.toml"
    path.write_text(CONFIG_TOML, encoding="utf-8")
    return path


def worker_env(work: Path) -> dict[str, str]:
    """The environment of every process the benchmarks start: the bench's config, and state,
    cache and config folders inside the run's work folder (state is cleared after each step)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOOGLE_APPLICATION_CREDENTIALS", "SHEETSYNC_API_ENDPOINT")}  # fmt: skip
    env.update(PYTHONPATH=str(ROOT), SHEETSYNC_CONFIG=str(work / "sheetsync.toml"),
               SHEETSYNC_STATE_DIR=str(work / "runs" / "state"),
               XDG_CACHE_HOME=str(work / "cache"), XDG_CONFIG_HOME=str(work / "config"))
    return env


def run_worker(name: str, args: Iterable[Any], work: Path, timeout: float | None,
               profile: Path | None = None, case: str = "") -> WorkerRun:  # fmt: skip
    """Run one worker process (bench/measure.py); keep every result line it printed."""
    if timeout is not None and timeout < 1:
        return WorkerRun([], "skipped: the time budget was spent")
    env = worker_env(work)
    if profile is not None:
        env.update(BENCH_PROFILE=str(profile), BENCH_PROFILE_CASE=case)
    command = [sys.executable, str(RUNNER), "--worker", name,
               *(str(a).lower() if isinstance(a, bool) else str(a) for a in args)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=work, env=env, start_new_session=True)  # fmt: skip
    stopped = ""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and the fake server it started
        out, err = proc.communicate()
        stopped = f"stopped after {timeout:.0f} s (time budget)"
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not stopped and proc.returncode != 0:
        last = [ln for ln in err.strip().splitlines() if ln.strip()]
        stopped = f"failed: {last[-1] if last else f'exit code {proc.returncode}'}"
    return WorkerRun(results, stopped)


# -- whole processes ----------------------------------------------------------------------


@dataclass
class Child:
    wall: float
    cpu: float  # user + system, the child's own
    rss: float  # MiB


def timed_child(command: list[str], env: dict[str, str], cwd: Path) -> Child:
    """Wall, CPU and peak memory of one child process, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=cwd, env=env)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        last = [ln for ln in err.strip().splitlines() if ln.strip()]
        raise RuntimeError(f"`{' '.join(command[1:])}` exited with {code}"
                           + (f": {last[-1]}" if last else ""))  # fmt: skip
    return Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass
class Median:
    wall: float
    cpu: float
    rss: float  # the largest of the runs
    runs: int


def median_of(children: list[Child]) -> Median:
    return Median(statistics.median(c.wall for c in children),
                  statistics.median(c.cpu for c in children), max(c.rss for c in children),
                  len(children))  # fmt: skip


def compare(floor: list[str], tool: list[str], runs: int, env: dict[str, str],
            cwd: Path) -> tuple[Median, Median]:  # fmt: skip
    """Medians of ``runs`` runs of each command, interleaved (both see the same machine load),
    after one warm-up run of each (the disk cache)."""
    timed_child(floor, env, cwd)
    timed_child(tool, env, cwd)
    floors: list[Child] = []
    tools: list[Child] = []
    for _ in range(runs):
        floors.append(timed_child(floor, env, cwd))
        tools.append(timed_child(tool, env, cwd))
    return median_of(floors), median_of(tools)


def imported_modules(command: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    """Every module the Python process ``command`` imports (``-X importtime`` is added)."""
    assert command[0] == sys.executable
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode != 0:
        last = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise RuntimeError(f"`{' '.join(command[1:])}` exited with {done.returncode}"
                           + (f": {last[-1]}" if last else ""))  # fmt: skip
    found = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and " " not in name:  # not the header line ("imported package")
                found.add(name)
    return sorted(found)


def top_level(modules: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The packages of ``wanted`` that ``modules`` holds (by top-level name)."""
    tops = {m.split(".", 1)[0] for m in modules}
    return [w for w in wanted if w in tops]


# -- trackers -----------------------------------------------------------------------------


def generate(work: Path, n: int, *, xlsx: bool) -> Path:
    """The seeded tracker of ``n`` rows as a CSV folder (and an .xlsx next to it)."""
    from bench.tracker import make_tracker, write_csv_folder, write_xlsx

    folder = work / "gen" / f"csv-{n}"
    book = folder.parent / f"tracker-{n}.xlsx"
    if not folder.exists():
        tracker = make_tracker(n)
        write_csv_folder(tracker, folder)
        if xlsx:
            write_xlsx(tracker, book)
    elif xlsx and not book.exists():
        write_xlsx(make_tracker(n), book)
    return book if xlsx else folder

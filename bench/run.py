"""sheetsync benchmarks: what a sync costs as the tracker grows, next to the floor.

Run from the repository root::

    python bench/run.py                      # full run, writes docs/benchmarks.md
    python bench/run.py --quick              # small sizes only, a smoke check
    python bench/run.py --sizes 1000,10000   # choose the tracker sizes
    python bench/run.py --profile csv --sizes 10000   # where a CSV sync spends its time

Every measurement runs in its own process (see ``bench/measure.py``) so peak
memory is its own.  The whole run keeps to a time budget (``--budget``): a
measurement that would overrun it is stopped and reported as such, and counts
as failing its target.  This is not a test suite: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/run.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
GOOGLE_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (1_000,)
QUICK_GOOGLE_SIZES = (100,)
XLSX_MAX = 10_000  # openpyxl takes minutes past this; larger .xlsx sizes are skipped
STEADY_MAX = 100_000  # steady-state local syncs only up to here (time budget)
DRAFT_ROWS_MAX = 10_000
HELP_RUNS = 20  # start-up times are short: more runs steady the median
HEAVY = ("pandas", "numpy", "jinja2", "gspread", "google", "openpyxl", "requests", "holidays")
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
MiB = 1024 * 1024

# Targets (issue 8), on a 2-core machine.
POLICY_TARGET = 1_000_000  # rows/s, parse + compute, at 100,000 rows
CSV_RATIO_TARGET = 3.0  # full CSV sync / pandas read+write floor, at 100,000 rows
HELP_RATIO_TARGET = 1.5  # `sheetsync --help` / `python -c "import click"`


# -- results ----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    what: str
    rows: str
    result: str
    wall: float | None = None
    cpu: float | None = None
    rss: float | None = None


@dataclass
class Target:
    name: str
    measured: str
    status: str  # PASS, FAIL or NOT MEASURED


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# -- running workers under a time budget ----------------------------------------------------


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


def worker_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SHEETSYNC_CONFIG", "GOOGLE_APPLICATION_CREDENTIALS",
                        "SHEETSYNC_API_ENDPOINT")}  # fmt: skip
    env.update(PYTHONPATH=str(ROOT), SHEETSYNC_STATE_DIR=str(work / "state"),
               XDG_CACHE_HOME=str(work / "cache"), XDG_CONFIG_HOME=str(work / "config"))
    return env


def run_worker(name: str, args: Iterable[Any], work: Path, timeout: float | None,
               profile: Path | None = None, case: str = "") -> WorkerRun:  # fmt: skip
    """Run one worker process; keep every result line it printed, even if stopped."""
    if timeout is not None and timeout < 1:
        return WorkerRun([], "skipped: the time budget was spent")
    env = worker_env(work)
    if profile is not None:
        env.update(BENCH_PROFILE=str(profile), BENCH_PROFILE_CASE=case)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
               *(str(a).lower() if isinstance(a, bool) else str(a) for a in args)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env=env, start_new_session=True)  # fmt: skip
    stopped = ""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and the fake server it started
        out, err = proc.communicate()
        stopped = f"stopped after {timeout:.0f} s (time budget)"
    results = []
    for line in out.splitlines():
        if line.startswith("{"):
            results.append(json.loads(line))
    if not stopped and proc.returncode != 0:
        last = [ln for ln in err.strip().splitlines() if ln.strip()]
        stopped = f"failed: {last[-1] if last else f'exit code {proc.returncode}'}"
    return WorkerRun(results, stopped)


# -- formatting -------------------------------------------------------------------------


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def fmt_bytes(n: float) -> str:
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n:.0f} B"


def fmt_s(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def render_table(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]  # fmt: skip
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def results_table(report: Report, markdown: bool) -> str:
    headers = ["Measurement", "Rows", "Result", "Wall s", "CPU s", "Peak RSS MiB"]
    rows = [[r.what, r.rows, r.result, fmt_s(r.wall), fmt_s(r.cpu),
             f"{r.rss:.0f}" if r.rss is not None else ""] for r in report.rows]  # fmt: skip
    return render_table(headers, rows, markdown)


def targets_table(report: Report, markdown: bool) -> str:
    rows = [[t.name, t.measured, t.status] for t in report.targets]
    return render_table(["Target", "Measured", "Status"], rows, markdown)


# -- machine ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for name in ("pandas", "numpy", "openpyxl", "jinja2", "gspread", "click"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # not installed
            versions[name] = "not installed"
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "sheetsync")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" with uncommitted changes in sheetsync/" if dirty else ""),
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


# -- start-up ---------------------------------------------------------------------------


def _timed_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT, env=env)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def heavy_imports(env: dict[str, str]) -> list[str]:
    """Heavy top-level packages that `python -m sheetsync --help` imports (-X importtime)."""
    command = [sys.executable, "-X", "importtime", "-m", "sheetsync", "--help"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    found = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in HEAVY:
                found.add(name)
    return sorted(found)


def measure_help(report: Report, work: Path, runs: int) -> None:
    env = worker_env(work)
    click_cmd = [sys.executable, "-c", "import click"]
    help_cmd = [sys.executable, "-m", "sheetsync", "--help"]
    for command in (click_cmd, help_cmd):  # warm the disk cache
        _timed_child(command, env)
    floor: list[tuple[float, float]] = []
    tool: list[tuple[float, float]] = []
    for _ in range(runs):  # interleaved, so both see the same machine load
        floor.append(_timed_child(click_cmd, env))
        tool.append(_timed_child(help_cmd, env))
    f_wall, f_cpu = (statistics.median(x) for x in zip(*floor, strict=True))
    t_wall, t_cpu = (statistics.median(x) for x in zip(*tool, strict=True))
    heavy = heavy_imports(env)
    ratio = t_cpu / f_cpu
    report.data["help"] = [{"floor_wall": f_wall, "floor_cpu": f_cpu, "wall": t_wall,
                            "cpu": t_cpu, "heavy": heavy}]  # fmt: skip
    report.rows.append(Row('python -c "import click" (floor)', "", f"median of {runs}",
                           f_wall, f_cpu))  # fmt: skip
    report.rows.append(Row("sheetsync --help", "",
                           f"{ratio:.2f}x floor (CPU), {t_wall / f_wall:.2f}x (wall); "
                           f"heavy imports: {', '.join(heavy) or 'none'}", t_wall, t_cpu))
    report.targets.append(Target(f"`sheetsync --help` <= {HELP_RATIO_TARGET}x `import click`",
                                 f"{ratio:.2f}x (CPU; {t_wall / f_wall:.2f}x wall)",
                                 "PASS" if ratio <= HELP_RATIO_TARGET else "FAIL"))
    report.targets.append(Target("`sheetsync --help` imports no pandas/numpy/jinja2/gspread/google",
                                 ", ".join(heavy) or "none",
                                 "FAIL" if set(heavy) & {"pandas", "numpy", "jinja2", "gspread",
                                                         "google"} else "PASS"))  # fmt: skip


# -- sections ---------------------------------------------------------------------------


def measure_policy(report: Report, work: Path, budget: Budget, sizes: list[int],
                   reserve: Callable[[], float]) -> None:  # fmt: skip
    got: dict[int, dict[str, Any]] = {}
    for n in sizes:
        log(budget, f"policy engine, {n:,} rows")
        run = run_worker("policy", [n], work, budget.allow(reserve()))
        if run.results:
            r = got[n] = run.results[0]
            report.rows.append(Row("Policy engine: parse + compute", f"{n:,}",
                                   f"{fmt_rate(r['rows_per_s'])} rows/s, best of {r['repeat']} "
                                   f"(parse "
                                   f"{fmt_rate(r['parse_rows_per_s'])}, compute "
                                   f"{fmt_rate(r['compute_rows_per_s'])})", r["wall"], None,
                                   r["rss_mib"]))  # fmt: skip
        else:
            report.rows.append(Row("Policy engine: parse + compute", f"{n:,}", run.stopped))
    report.data["policy"] = list(got.values())
    at = 100_000 if 100_000 in got else max(got, default=0)
    name = f"Policy engine >= {POLICY_TARGET:,} rows/s at 100,000 rows (parse + compute)"
    if not at:
        report.targets.append(Target(name, "not measured", "NOT MEASURED"))
        return
    rate = got[at]["rows_per_s"]
    where = "" if at == 100_000 else f" (at {at:,} rows only)"
    report.targets.append(Target(name, f"{fmt_rate(rate)} rows/s{where}",
                                 "PASS" if rate >= POLICY_TARGET else "FAIL"))


def measure_local(report: Report, work: Path, budget: Budget, kind: str, n: int,
                  source: Path, reserve: Callable[[], float]) -> dict[str, Any]:  # fmt: skip
    """A local sync (first, and steady state up to STEADY_MAX) and its pandas floor."""
    label = "CSV folder" if kind == "csv" else ".xlsx workbook"
    target = work / "runs" / f"{kind}-{n}"
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
        location = target
    else:
        target.mkdir()
        location = target / source.name
        shutil.copy2(source, location)
    floor_reserve = 2 + n / 10_000  # seconds kept back for the floor that follows
    log(budget, f"{label} sync, {n:,} rows")
    sync = run_worker("local_sync", [kind, location, n, n <= STEADY_MAX], work,
                      budget.allow(reserve() + floor_reserve))  # fmt: skip
    out: dict[str, Any] = {"rows": n, "sync": sync.results}
    floor: dict[str, Any] | None = None
    if sync.results:  # the floor reads and writes the tabs as the sync left them
        log(budget, f"{label} pandas floor, {n:,} rows")
        floor_run = run_worker(f"{kind}_floor", [location, n, 3 if n <= 10_000 else 2], work,
                               budget.allow(reserve()))  # fmt: skip
        floor = floor_run.results[0] if floor_run.results else None
        if floor is None:
            report.rows.append(Row(f"{label}: pandas read + write (floor)", f"{n:,}",
                                   floor_run.stopped))  # fmt: skip
        else:
            report.rows.append(Row(f"{label}: pandas read + write (floor)", f"{n:,}",
                                   f"{fmt_bytes(floor['bytes'])} of tab files", floor["wall"],
                                   floor["cpu"], floor["rss_mib"]))  # fmt: skip
    out["floor"] = floor
    cases = ["first", "steady"] if n <= STEADY_MAX else ["first"]
    by_case = {r["case"]: r for r in sync.results}
    for case in cases:
        what = f"{label}: {'first' if case == 'first' else 'steady-state'} sync"
        r = by_case.get(case)
        if r is None:
            report.rows.append(Row(what, f"{n:,}", sync.stopped or "no result"))
            continue
        ratio = (f"{r['wall'] / floor['wall']:.1f}x floor ({r['cpu'] / floor['cpu']:.1f}x CPU)"
                 if floor else "floor not measured")  # fmt: skip
        if case == "first":
            ratio += (f"; {r['drafts_added']:,} drafts, {r['cells']:,} cells, "
                      f"{r['appends']:,} rows added")  # fmt: skip
        report.rows.append(Row(what, f"{n:,}", ratio, r["wall"], r["cpu"], r["rss_mib"]))
    return out


def measure_drafts(report: Report, work: Path, budget: Budget, n: int, source: Path,
                   reserve: Callable[[], float]) -> None:  # fmt: skip
    log(budget, f"drafts, {n:,}-row tracker")
    run = run_worker("drafts", [source, n], work, budget.allow(reserve()))
    if not run.results:
        report.rows.append(Row("Drafts rendered", f"{n:,}", run.stopped))
        return
    r = run.results[0]
    report.data["drafts"] = [r]
    report.rows.append(Row("Drafts rendered (context + render)", f"{n:,}",
                           f"{fmt_rate(r['drafts_per_s'])} drafts/s ({r['drafts']:,} drafts; "
                           f"render alone {fmt_rate(r['render_per_s'])}/s)", r["wall"], r["cpu"],
                           r["rss_mib"]))  # fmt: skip


def measure_google(report: Report, work: Path, budget: Budget, n: int, source: Path,
                   reserve: Callable[[], float]) -> dict[str, Any]:  # fmt: skip
    log(budget, f"Google Sheets sync against the fake, {n:,} rows")
    run = run_worker("google", [source / "Applications.csv", n], work, budget.allow(reserve()))
    by_case = {r["case"]: r for r in run.results}
    for case in ("first", "steady"):
        what = "Google sync (fake): " + ("first (creates tabs)" if case == "first"
                                         else "steady-state")  # fmt: skip
        r = by_case.get(case)
        if r is None:
            report.rows.append(Row(what, f"{n:,}", run.stopped or "no result"))
            continue
        methods = ", ".join(f"{v} {k}" for k, v in sorted(r["by_method"].items()))
        plural = "s" if r["requests"] != 1 else ""
        report.rows.append(Row(what, f"{n:,}", f"{r['requests']} request{plural}, "
                               f"{fmt_bytes(r['bytes'])} sent ({methods})", r["wall"], r["cpu"],
                               r["rss_mib"]))  # fmt: skip
    return {"rows": n, "sync": run.results, "stopped": run.stopped}


def google_available() -> str:
    """"" when the backend and the fake import, else why not."""
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        import fakesheets  # noqa: F401

        import sheetsync.backends.google.sheets  # noqa: F401
    except Exception as exc:  # any failure means the section cannot run
        return f"{type(exc).__name__}: {exc}"
    finally:
        sys.path.remove(str(ROOT / "tests"))
    return ""


# -- targets from the collected sections ---------------------------------------------------


def csv_target(report: Report, csv_runs: dict[int, dict[str, Any]]) -> None:
    """One target line per case (first and steady-state sync), judged on wall-clock time."""
    done = {n: r for n, r in csv_runs.items() if r["floor"] and r["sync"]}
    for case, label in (("first", "first sync"), ("steady", "steady-state sync")):
        name = (f"Local CSV sync of 100,000 rows <= {CSV_RATIO_TARGET:g}x the pandas floor "
                f"({label})")  # fmt: skip
        sizes = [n for n, r in done.items() if any(s["case"] == case for s in r["sync"])]
        if not sizes:
            report.targets.append(Target(name, "not measured", "NOT MEASURED"))
            continue
        at = 100_000 if 100_000 in sizes else max(sizes)
        run = done[at]
        r = next(s for s in run["sync"] if s["case"] == case)
        floor = run["floor"]
        ratio = r["wall"] / floor["wall"]
        where = "" if at == 100_000 else f" at {at:,} rows only"
        report.targets.append(Target(
            name,
            f"{ratio:.1f}x ({r['wall']:.1f} s vs floor {floor['wall']:.2f} s; CPU "
            f"{r['cpu'] / floor['cpu']:.1f}x){where}",
            "PASS" if ratio <= CSV_RATIO_TARGET and at == 100_000 else "FAIL",
        ))  # fmt: skip


def google_target(report: Report, runs: dict[int, dict[str, Any]], unavailable: str) -> None:
    name = "Requests per Google sync constant in the number of rows (steady state)"
    if unavailable:
        report.targets.append(Target(name, f"not available: {unavailable}", "NOT MEASURED"))
        return
    counts = {case: {n: s["requests"] for n, r in runs.items() for s in r["sync"]
                     if s["case"] == case} for case in ("first", "steady")}  # fmt: skip
    shown = "; ".join(f"{case}: " + ", ".join(f"{c} at {n:,}" for n, c in sorted(v.items()))
                      for case, v in counts.items() if v)  # fmt: skip
    missing = [n for n in runs if n not in counts["steady"]]
    steady = set(counts["steady"].values())
    if len(counts["steady"]) < 2:
        status = "NOT MEASURED"
    elif len(steady) > 1:
        status = "FAIL"
    else:
        status = "FAIL" if missing else "PASS"
    if missing:
        shown += f" (steady state not measured at {', '.join(f'{n:,}' for n in missing)})"
    report.targets.append(Target(name, shown or "not measured", status))


# -- documents ----------------------------------------------------------------------------


def markdown(report: Report, info: dict[str, str], elapsed: float, args: argparse.Namespace) -> str:
    command = "python bench/run.py" + (f" {' '.join(args.argv)}" if args.argv else "")
    notes = "\n".join(f"- {n}" for n in report.notes)
    return f"""# Benchmarks

What a sync costs as the tracker grows, measured next to the floor of doing the
same file work with pandas.  Produced by `bench/run.py`; these are the latest
results, rewritten by each full run.

**How to run:** `python bench/run.py` from the repository root, in the project's
environment (the package need not be installed).  It takes under five minutes;
`--quick` is a smoke check, `--sizes 1000,10000` chooses sizes, and
`--profile csv --sizes 10000` shows where a sync spends its time.

## Machine

- CPU: {info['cpu']}, {info['cores']} cores, {info['memory']} memory
- Python {info['python']}; {info['versions']}
- Run: {info['date']}, commit {info['commit']}, `{command}`, {elapsed:.0f} s in all
- Load average (1/5/15 min) at the start: {info['load']}; at the end: {info['load_end']}

## Targets

{targets_table(report, True)}

## Results

{results_table(report, True)}

## How to read this

{notes}
"""


def default_notes(report: Report, sizes: list[int]) -> None:
    skipped = [n for n in sizes if n > XLSX_MAX]
    report.notes += [
        "Trackers are synthetic and seeded (`bench/tracker.py`, built on "
        "`bench/bench_policy.py`): a mix of applied, upcoming and past interviews with 1-3 "
        "interviewers, waiting rows with 1-3 follow-ups, rejections with and without a feedback "
        "request (half of those already in the Feedback tab, some answered), closed, withdrawn, "
        "offer and accepted rows, unreadable dates, snoozes, rows without an id and 2% blank "
        "rows.  Today is 2026-03-16; holidays are the US calendar.",
        "*First sync*: the tracker as a user would have it before sheetsync ran (Drafts tab "
        "with only its header), so it computes every action and writes every draft. "
        "*Steady-state sync*: the next sync, with nothing changed.  Steady-state local syncs "
        f"are measured up to {STEADY_MAX:,} rows to keep the run within its time budget.",
        "*Floor*: `pd.read_csv(dtype=str, keep_default_na=False)` + `to_csv` of each tab file "
        "as the first sync left it (for .xlsx: `pd.read_excel(sheet_name=None, dtype=str)` + "
        "`to_excel` with openpyxl), best of 3 (2 at 100,000 rows).  A first sync runs once "
        "(it cannot be repeated on the same tracker); a steady-state sync is the best of 2.  "
        "Sync ratios use wall-clock "
        "time, what a user waits for: a first sync builds, renders, lints and links its "
        "drafts on every core, in the sync process and a forked worker per extra core "
        "(`SHEETSYNC_WORKERS`), and builds the Drafts file in a worker while the agenda and "
        "the history entry are made, so its CPU time, workers included, is larger; both "
        "ratios are shown.  Wall-clock times on a shared 2-core machine vary by about 10% "
        "from run to run.",
        "Sync timings exclude Python imports (start-up is measured on its own) and include "
        "everything else a `sheetsync sync` does: read, compute, write, state snapshot and "
        "history.",
        *([f".xlsx is not measured at {', '.join(f'{n:,}' for n in skipped)} rows: openpyxl's "
           "own read + write grows to minutes there (see the .xlsx floor at "
           f"{XLSX_MAX:,} rows)."] if skipped else []),  # fmt: skip
        "Google: a fake of the Sheets API (`tests/fakesheets`) runs in its own process; its "
        "spreadsheet starts with only the Applications tab, typed in as a person would (dates "
        "become date serials).  *Requests* and *sent* count every HTTP request and request "
        "body leaving sheetsync, so they are what the Sheets API quota sees.",
        "Peak RSS is each measurement's own process (`ru_maxrss`); a sync's includes both the "
        "first and the steady-state sync.  Forked workers share the parent's memory "
        "copy-on-write and are not added to it.",
        "`sheetsync --help` and `python -c \"import click\"` are timed as whole processes, "
        f"median of {HELP_RUNS} runs each, interleaved; heavy imports come from "
        "`python -X importtime -m sheetsync --help`.",
        "A measurement that would overrun the run's time budget is stopped and shown as such; "
        "a target it feeds is then not met.",
    ]


# -- profiling --------------------------------------------------------------------------


def print_profile(path: Path, limit: int = 25) -> None:
    """Where the time goes: sheetsync's functions by cumulative share, then hot spots."""
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]

    def show(title: str, keys: list[Any], column: int) -> None:
        print(f"\n{title} (total {total:.2f} s under cProfile)")
        print(f"{'share':>6} {'seconds':>8} {'calls':>9}  function")
        for key in keys[:limit]:
            _, calls, tottime, cumtime, _ = entries[key]
            seconds = cumtime if column == 3 else tottime
            where = f"{_short_path(key[0])}:{key[1]}({key[2]})"
            print(f"{seconds / total:6.1%} {seconds:8.3f} {calls:9,}  {where}")

    own = [k for k in entries if "/sheetsync/" in k[0]]
    show("sheetsync functions by cumulative time", sorted(own, key=lambda k: -entries[k][3]), 3)
    show("hot spots by own time (any code)", sorted(entries, key=lambda k: -entries[k][2]), 2)


def _short_path(path: str) -> str:
    for marker in ("/sheetsync/", "/site-packages/", "/lib/python"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path


def run_profile(which: str, case: str, sizes: list[int], work: Path) -> int:
    """Profile one measurement at the largest size; ``case`` picks first or steady-state sync."""
    n = max(sizes)
    print(f"profiling {which} ({case}) at {n:,} rows ...", file=sys.stderr)
    source = generate(work, n, xlsx=which == "xlsx")
    target = work / "profile.pstats"
    if which == "policy":
        run = run_worker("policy", [n], work, None, target)
    elif which == "drafts":
        run = run_worker("drafts", [source, n], work, None, target)
    elif which == "google":
        run = run_worker("google", [source / "Applications.csv", n], work, None, target, case)
    else:
        location = source if which == "csv" else source.parent / f"tracker-{n}.xlsx"
        run = run_worker("local_sync", [which, location, n, case == "steady"], work, None,
                         target, case)  # fmt: skip
    for r in run.results:
        print(json.dumps(r))
    if run.stopped:
        print(run.stopped, file=sys.stderr)
    if target.exists():
        print_profile(target)
    return 0 if target.exists() else 1


# -- the run ----------------------------------------------------------------------------


def generate(work: Path, n: int, *, xlsx: bool) -> Path:
    """The seeded tracker of ``n`` rows as a CSV folder (and an .xlsx next to it)."""
    from bench.tracker import make_tracker, write_csv_folder, write_xlsx

    folder = work / "gen" / f"csv-{n}"
    if not folder.exists():
        tracker = make_tracker(n)
        write_csv_folder(tracker, folder)
        if xlsx:
            write_xlsx(tracker, folder.parent / f"tracker-{n}.xlsx")
    elif xlsx and not (folder.parent / f"tracker-{n}.xlsx").exists():
        write_xlsx(make_tracker(n), folder.parent / f"tracker-{n}.xlsx")
    return folder


def parse_sizes(text: str) -> list[int]:
    """``"1000,10k,100_000"`` -> ``[1000, 10000, 100000]``."""
    try:
        sizes = sorted({int(float(s.strip().lower().replace("_", "").replace("k", "e3")))
                        for s in text.split(",") if s.strip()})  # fmt: skip
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give row counts, e.g. 1000,10k,100000")
    return sizes


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        from bench.measure import worker_main

        return worker_main(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke check)")
    parser.add_argument("--sizes", type=parse_sizes,
                        help="tracker sizes for policy, local syncs and drafts, e.g. 1000,10k")
    parser.add_argument("--google-sizes", type=parse_sizes, help="sizes for the Google syncs")
    parser.add_argument("--budget", type=float, default=285.0,
                        help="seconds for the whole run (0: no limit); default 285")
    parser.add_argument("--out", type=Path, help="Markdown file to write "
                        "(default docs/benchmarks.md; none with --quick)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--profile", choices=("csv", "xlsx", "google", "policy", "drafts"),
                        help="profile one measurement at the largest size and print where "
                        "the time goes")  # fmt: skip
    parser.add_argument("--profile-case", choices=("first", "steady"), default="first",
                        help="which sync --profile looks at (default: the first)")
    args = parser.parse_args(argv)
    args.argv = argv
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    google_sizes = args.google_sizes or list(QUICK_GOOGLE_SIZES if args.quick else GOOGLE_SIZES)
    out = None if args.no_write else (args.out or (None if args.quick else DEFAULT_OUT))

    work = Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    try:
        if args.profile:
            return run_profile(args.profile, args.profile_case,
                               google_sizes if args.profile == "google" else sizes, work)
        report = run_all(args, sizes, google_sizes, work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if report is not None else 1


def run_all(args: argparse.Namespace, sizes: list[int], google_sizes: list[int], work: Path,
            out: Path | None) -> Report:  # fmt: skip
    info = machine()
    budget = Budget(args.budget)
    report = Report()
    xlsx_sizes = [n for n in sizes if n <= XLSX_MAX]
    draft_rows = max([n for n in sizes if n <= DRAFT_ROWS_MAX], default=min(sizes))
    unavailable = google_available()

    # Cheap and essential first, then by expected cost: a tight budget cuts the largest.
    steps: list[tuple[str, int, float]] = [("help", 0, 5.0), ("policy", 0, 2.0 * len(sizes))]
    plan = [("csv", n, 3 + n / 1_000) for n in sizes]
    plan += [("xlsx", n, 4 + n / 250) for n in xlsx_sizes]
    plan += [("google", n, 3 + n / 90) for n in google_sizes] if not unavailable else []
    plan.append(("drafts", draft_rows, 2 + draft_rows / 3_000))
    steps += sorted(plan, key=lambda s: s[2])
    remaining = [s[2] for s in steps]

    def reserve() -> float:
        """Minimal seconds kept for the steps after the current one."""
        return sum(min(c, 3.0) for c in remaining[1:])

    csv_runs: dict[int, dict[str, Any]] = {}
    google_runs: dict[int, dict[str, Any]] = {}
    for kind, n, _ in steps:
        if kind == "help":
            log(budget, "start-up: sheetsync --help vs import click")
            try:
                measure_help(report, work, 3 if args.quick else HELP_RUNS)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                report.rows.append(Row("sheetsync --help", "", f"failed: {exc}"))
                report.targets.append(Target("`sheetsync --help` start-up", "failed", "FAIL"))
        elif kind == "policy":
            measure_policy(report, work, budget, sizes, reserve)
        elif kind in ("csv", "xlsx"):
            log(budget, f"generating a {n:,}-row tracker")
            source = generate(work, n, xlsx=kind == "xlsx")
            if kind == "xlsx":
                source = source.parent / f"tracker-{n}.xlsx"
            got = measure_local(report, work, budget, kind, n, source, reserve)
            if kind == "csv":
                csv_runs[n] = got
        elif kind == "google":
            google_runs[n] = measure_google(report, work, budget, n,
                                            generate(work, n, xlsx=False), reserve)  # fmt: skip
        elif kind == "drafts":
            measure_drafts(report, work, budget, n, generate(work, n, xlsx=False), reserve)
        remaining.pop(0)
        shutil.rmtree(work / "runs", ignore_errors=True)

    if unavailable:
        report.rows.append(Row("Google sync (fake)", "", f"not available: {unavailable}"))
    csv_target(report, csv_runs)
    google_target(report, google_runs, unavailable)
    order = {"Policy": 0, "Local": 1, "Requests": 2, "`sheetsync --help` <=": 3}
    report.targets.sort(key=lambda t: next((v for k, v in order.items()
                                            if t.name.startswith(k)), 4))  # fmt: skip
    report.rows.sort(key=_row_order)
    default_notes(report, sizes)

    elapsed = budget.elapsed()
    info["load_end"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print("\nResults\n")
    print(results_table(report, False))
    print("\nTargets\n")
    print(targets_table(report, False), flush=True)
    print(f"\n{elapsed:.0f} s in all; machine: {info['cpu']}, {info['cores']} cores, "
          f"Python {info['python']}; load average {info['load']} -> {info['load_end']}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown(report, info, elapsed, args), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return report


def _row_order(row: Row) -> tuple[int, int, int]:
    groups = ("Policy", "CSV", ".xlsx", "Drafts", "Google", "python -c", "sheetsync --help")
    group = next((i for i, g in enumerate(groups) if row.what.startswith(g)), len(groups))
    rows = int(row.rows.replace(",", "")) if row.rows else 0
    within = 0 if "floor" in row.what else 1 if "first" in row.what else 2
    return group, rows, within


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

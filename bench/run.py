"""sheetsync benchmarks: what a sync costs as the tracker grows, next to the floor.

Run from the repository root::

    python bench/run.py                      # full run, writes docs/benchmarks.md
    python bench/run.py --quick              # small sizes only, a smoke check
    python bench/run.py --sizes 1000,10000   # choose the tracker sizes
    python bench/run.py --profile csv --sizes 10000   # where a CSV sync spends its time

Measured side by side in one run (targets: bench/targets.py, issue 15):

* what cron waits for: a steady-state ``sheetsync sync`` of a 300-row CSV
  tracker as a whole process, next to ``python -c "import pandas"``, and what
  that sync imports (nothing of Google's nor openpyxl);
* local syncs (CSV folder, .xlsx) of 1,000 to 100,000 rows, first and steady
  state, next to the pandas floor of reading and writing the tabs they left,
  and their peak memory;
* ``sheetsync --help`` next to ``python -c "import click"``;
* the policy engine, and the requests of a Google sync (against the fake).

The layout: bench/harness.py (processes, budget, trackers), bench/startup.py
(whole-process runs), bench/sections.py (in-process runs), bench/measure.py
(the worker processes), bench/targets.py (the targets), bench/report.py (the
tables and docs/benchmarks.md).  Every in-process measurement runs in a process
of its own, so peak memory is its own.  The whole run keeps to a time budget
(``--budget``): a measurement that would overrun it is stopped and reported as
such, and its target is not met.  This is not a test suite: nothing here is
asserted.
"""

from __future__ import annotations

import argparse
import json
import pstats
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/run.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

from bench.harness import Budget, generate, log, run_worker, write_config  # noqa: E402
from bench.report import (  # noqa: E402
    Report,
    Row,
    default_notes,
    load_average,
    machine,
    markdown,
    results_table,
    targets_text,
)
from bench.sections import (  # noqa: E402
    google_available,
    measure_google,
    measure_local,
    measure_policy,
)
from bench.startup import measure_cron, measure_help  # noqa: E402
from bench.targets import CRON_ROWS, judge  # noqa: E402
from bench.watch_idle import keep_section  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
GOOGLE_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (1_000,)
QUICK_GOOGLE_SIZES = (100, 1_000)
XLSX_MAX = 10_000  # openpyxl takes minutes past this; larger .xlsx sizes are skipped
HELP_RUNS = 20  # start-up times are short: more runs steady the median
CRON_RUNS = 9  # whole `sheetsync sync` runs (and as many `import pandas`)
QUICK_RUNS = 3
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"


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
    write_config(work)
    source = generate(work, n, xlsx=which == "xlsx")
    target = work / "profile.pstats"
    if which == "policy":
        run = run_worker("policy", [n], work, None, target)
    elif which == "google":
        run = run_worker("google", [source / "Applications.csv", n], work, None, target, case)
    else:
        location = work / "runs" / source.name
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        location.parent.mkdir(parents=True, exist_ok=True)
        copy(source, location)
        if case == "steady":  # the first sync, unprofiled, makes the steady state
            run_worker("local_sync", [which, location, n, "first"], work, None)
        run = run_worker("local_sync", [which, location, n, case], work, None, target, case)
    for r in run.results:
        print(json.dumps(r))
    if run.stopped:
        print(run.stopped, file=sys.stderr)
    if target.exists():
        print_profile(target)
    return 0 if target.exists() else 1


# -- the run ----------------------------------------------------------------------------


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


def _compile_package() -> None:
    """Byte-compile sheetsync first, as ``pip install`` does: start-up is then measured
    as users see it, even where PYTHONDONTWRITEBYTECODE keeps imports from caching it."""
    import compileall

    compileall.compile_dir(ROOT / "sheetsync", quiet=1)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        from bench.measure import worker_main

        return worker_main(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke check)")
    parser.add_argument("--sizes", type=parse_sizes,
                        help="tracker sizes for policy and local syncs, e.g. 1000,10k")
    parser.add_argument("--google-sizes", type=parse_sizes, help="sizes for the Google syncs")
    parser.add_argument("--budget", type=float, default=285.0,
                        help="seconds for the whole run (0: no limit); default 285")
    parser.add_argument("--out", type=Path, help="Markdown file to write "
                        "(default docs/benchmarks.md; none with --quick or --sizes)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--profile", choices=("csv", "xlsx", "google", "policy"),
                        help="profile one measurement at the largest size and print where "
                        "the time goes")  # fmt: skip
    parser.add_argument("--profile-case", choices=("first", "steady"), default="first",
                        help="which sync --profile looks at (default: the first)")
    args = parser.parse_args(argv)
    args.argv = argv
    _compile_package()
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    google_sizes = args.google_sizes or list(QUICK_GOOGLE_SIZES if args.quick else GOOGLE_SIZES)
    partial = args.quick or args.sizes or args.google_sizes
    out = None if args.no_write else (args.out or (None if partial else DEFAULT_OUT))

    work = Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    try:
        if args.profile:
            return run_profile(args.profile, args.profile_case,
                               google_sizes if args.profile == "google" else sizes, work)
        run_all(args, sizes, google_sizes, work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def plan_steps(sizes: list[int], google_sizes: list[int], google: bool,
               quick: bool) -> list[tuple[str, int, float]]:  # fmt: skip
    """(what, rows, expected seconds), cheap and essential first: what feeds a target before
    what does not (.xlsx), smaller before larger, so a tight budget cuts the least needed."""
    cron_cost = (2 if quick else 5) + 3 * (QUICK_RUNS if quick else CRON_RUNS)
    steps = [("help", 0, 5.0), ("cron", CRON_ROWS, float(cron_cost)),
             ("policy", 0, 2.0 * len(sizes))]  # fmt: skip
    steps += [("csv", n, 8 + n / 350) for n in sorted(sizes)]  # two first syncs
    steps += [("google", n, 4 + n / 90) for n in sorted(google_sizes)] if google else []
    steps += [("xlsx", n, 8 + n / 150) for n in sorted(sizes) if n <= XLSX_MAX]
    return steps


def run_all(args: argparse.Namespace, sizes: list[int], google_sizes: list[int], work: Path,
            out: Path | None) -> Report:  # fmt: skip
    info = machine()
    budget = Budget(args.budget)
    report = Report()
    write_config(work)
    unavailable = google_available()
    steps = plan_steps(sizes, google_sizes, not unavailable, args.quick)
    remaining = [s[2] for s in steps]

    def reserve() -> float:
        """Minimal seconds kept for the steps after the current one."""
        return sum(min(c, 3.0) for c in remaining[1:])

    for kind, n, _ in steps:
        if kind == "help":
            log(budget, "start-up: sheetsync --help vs import click")
            measure_help(report, work, QUICK_RUNS if args.quick else HELP_RUNS)
        elif kind == "cron":
            log(budget, f"whole process: sheetsync sync of {n} rows vs import pandas")
            measure_cron(report, work, n, QUICK_RUNS if args.quick else CRON_RUNS)
        elif kind == "policy":
            measure_policy(report, work, budget, sizes, reserve)
        elif kind in ("csv", "xlsx"):
            log(budget, f"generating a {n:,}-row tracker")
            source = generate(work, n, xlsx=kind == "xlsx")
            measure_local(report, work, budget, kind, n, source, reserve)
        elif kind == "google":
            measure_google(report, work, budget, n, generate(work, n, xlsx=False), reserve)
        remaining.pop(0)
        shutil.rmtree(work / "runs", ignore_errors=True)

    if unavailable:
        report.rows.append(Row("Google sync (fake)", "", f"not available: {unavailable}",
                               group="google"))  # fmt: skip
    judge(report, unavailable)
    default_notes(report, xlsx_skipped=[n for n in sizes if n > XLSX_MAX], cron_rows=CRON_ROWS,
                  cron_runs=QUICK_RUNS if args.quick else CRON_RUNS,
                  help_runs=QUICK_RUNS if args.quick else HELP_RUNS)  # fmt: skip
    finish(report, info, budget.elapsed(), args, out)
    return report


def finish(report: Report, info: dict[str, str], elapsed: float, args: argparse.Namespace,
           out: Path | None) -> None:  # fmt: skip
    info["load_end"] = load_average()
    print("\nResults\n")
    print(results_table(report, False))
    print("\nTargets\n")
    print(targets_text(report), flush=True)
    print(f"\n{elapsed:.0f} s in all; machine: {info['cpu']}, {info['cores']} cores, "
          f"Python {info['python']}; load average {info['load']} -> {info['load_end']}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        text = keep_section(old, markdown(report, info, elapsed, args))  # watch_idle.py's
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

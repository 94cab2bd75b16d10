"""Whole-process measurements: what cron waits for, and `sheetsync --help`.

Both are timed as child processes, start-up included, next to a floor process
(`python -c "import pandas"`, `python -c "import click"`), interleaved so both
see the same machine load; what the process imports comes from one more run
under ``python -X importtime``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.harness import (
    GOOGLES,
    HEAVY,
    HTTP,
    TODAY,
    XLSX,
    compare,
    generate,
    imported_modules,
    timed_child,
    top_level,
    worker_env,
)
from bench.report import Report, Row

HELP_FORBIDDEN = ("pandas", "numpy", "jinja2", "gspread", "google")
FAILURES = (RuntimeError, OSError, subprocess.TimeoutExpired)


def _ratio(tool: float, floor: float) -> float:
    return tool / floor if floor > 0 else float("inf")


def _digest(folder: Path) -> str:
    """One hash of every tab file in a CSV folder: did a sync write anything?"""
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def measure_cron(report: Report, work: Path, rows: int, runs: int) -> None:
    """A steady-state `sheetsync sync` of a ``rows``-row CSV tracker, whole process, next to
    `python -c "import pandas"`; and what that sync imports."""
    try:
        data = _cron(report, work, rows, runs)
    except FAILURES as exc:
        data = {"error": str(exc)}
        report.rows.append(Row("`sheetsync sync`, whole process", f"{rows:,}", f"failed: {exc}",
                               group="cron"))  # fmt: skip
    report.data["cron"] = {"rows": rows, "runs": runs, **data}


def _cron(report: Report, work: Path, rows: int, runs: int) -> dict[str, Any]:
    folder = work / "runs" / f"cron-{rows}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(generate(work, rows, xlsx=False), folder)
    env = worker_env(work)
    sync = [sys.executable, "-m", "sheetsync", "sync", "--sheet", str(folder), "--today", TODAY,
            "-q"]  # fmt: skip
    first = timed_child(sync, env, work)
    report.rows.append(Row("`sheetsync sync`, first sync (whole process, CSV folder)",
                           f"{rows:,}", "run once", first.wall, first.cpu, first.rss,
                           "cron"))  # fmt: skip
    before = _digest(folder)
    modules = imported_modules(sync, env, work)
    floor, tool = compare([sys.executable, "-c", "import pandas"], sync, runs, env, work)
    changed = _digest(folder) != before
    found = {
        "google": top_level(modules, GOOGLES),
        "xlsx": top_level(modules, XLSX),
        "http": top_level(modules, HTTP),
        "heavy": top_level(modules, [h for h in HEAVY if h not in (*GOOGLES, *XLSX, *HTTP)]),
        # sheetsync's own Google and .xlsx modules, wherever they live now
        "own": [m for m in modules if m.startswith("sheetsync.")
                and ("google" in m or "xlsx" in m)],  # fmt: skip
    }
    report.rows.append(Row('python -c "import pandas" (floor)', "", f"median of {runs}",
                           floor.wall, floor.cpu, floor.rss, "cron"))  # fmt: skip
    note = "; NOT steady: the tab files changed" if changed else ""
    report.rows.append(Row(
        "`sheetsync sync`, steady state (whole process, CSV folder)", f"{rows:,}",
        f"{_ratio(tool.wall, floor.wall):.2f}x floor ({_ratio(tool.cpu, floor.cpu):.2f}x CPU), "
        f"median of {runs}{note}", tool.wall, tool.cpu, tool.rss, "cron"))  # fmt: skip
    own = ", ".join(found["own"]) or "none"
    report.rows.append(Row(
        "`sheetsync sync` imports (steady state, CSV folder)", f"{rows:,}",
        f"Google's: {', '.join(found['google']) or 'none'}; openpyxl: "
        f"{'yes' if found['xlsx'] else 'no'}; requests/urllib3: "
        f"{', '.join(found['http']) or 'none'}; other heavy: {', '.join(found['heavy']) or 'none'}"
        f"; sheetsync modules named *google*/*xlsx*: {own}", group="cron"))  # fmt: skip
    return {"floor": asdict(floor), "steady": asdict(tool), "first": asdict(first),
            "changed": changed, **found}  # fmt: skip


def measure_help(report: Report, work: Path, runs: int) -> None:
    """`sheetsync --help` next to `python -c "import click"`; and what it imports."""
    env = worker_env(work)
    help_cmd = [sys.executable, "-m", "sheetsync", "--help"]
    try:
        floor, tool = compare([sys.executable, "-c", "import click"], help_cmd, runs, env, work)
        heavy = top_level(imported_modules(help_cmd, env, work), HEAVY)
    except FAILURES as exc:
        report.rows.append(Row("sheetsync --help", "", f"failed: {exc}", group="help"))
        report.data["help"] = {"error": str(exc), "runs": runs}
        return
    report.data["help"] = {"floor": asdict(floor), "tool": asdict(tool), "heavy": heavy,
                           "runs": runs}  # fmt: skip
    report.rows.append(Row('python -c "import click" (floor)', "", f"median of {runs}",
                           floor.wall, floor.cpu, floor.rss, "help"))  # fmt: skip
    report.rows.append(Row(
        "sheetsync --help", "",
        f"{_ratio(tool.wall, floor.wall):.2f}x floor ({_ratio(tool.cpu, floor.cpu):.2f}x CPU), "
        f"median of {runs}; heavy imports: {', '.join(heavy) or 'none'}",
        tool.wall, tool.cpu, tool.rss, "help"))  # fmt: skip

"""The benchmark report: result rows, target lines, tables and the Markdown document."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024

# Result rows are shown in this order of groups, then by rows, floor before syncs.
GROUPS = ("policy", "csv", "xlsx", "google", "cron", "help")


@dataclass
class Row:
    """One line of the results table."""

    what: str
    rows: str
    result: str
    wall: float | None = None
    cpu: float | None = None
    rss: float | None = None
    group: str = ""


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
    data: dict[str, Any] = field(default_factory=dict)  # raw results, read by bench/targets.py

    def sorted_rows(self) -> list[Row]:
        def key(row: Row) -> tuple[int, int, int]:
            group = GROUPS.index(row.group) if row.group in GROUPS else len(GROUPS)
            rows = int(row.rows.replace(",", "")) if row.rows else 0
            what = row.what.lower()
            within = 0 if "floor" in what else 1 if "first" in what else 2
            return group, rows, within

        return sorted(self.rows, key=key)


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


def render_table(headers: list[str], rows: list[list[str]], markdown: bool,
                 wrap: int = 0) -> str:  # fmt: skip
    """A Markdown table, or aligned text for a terminal with cells wrapped at ``wrap``."""
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(lines)
    import textwrap

    split = [[textwrap.wrap(c, wrap) or [""] if wrap else [c] for c in r] for r in rows]
    widths = [max([len(h), *(len(line) for r in split for line in r[i])])
              for i, h in enumerate(headers)]  # fmt: skip
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    for r in split:
        for k in range(max(len(cell) for cell in r)):
            cells = [cell[k] if k < len(cell) else "" for cell in r]
            out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(out)


def results_table(report: Report, markdown: bool) -> str:
    headers = ["Measurement", "Rows", "Result", "Wall s", "CPU s", "Peak RSS MiB"]
    rows = [[r.what, r.rows, r.result, fmt_s(r.wall), fmt_s(r.cpu),
             f"{r.rss:.0f}" if r.rss is not None else ""]
            for r in report.sorted_rows()]  # fmt: skip
    return render_table(headers, rows, markdown, wrap=0 if markdown else 72)


def targets_table(report: Report, markdown: bool) -> str:
    rows = [[t.name, t.measured, t.status] for t in report.targets]
    return render_table(["Target", "Measured", "Status"], rows, markdown)


def targets_text(report: Report) -> str:
    """The targets for a terminal: one block per target (the names are long)."""
    out = []
    for t in report.targets:
        out.append(f"[{t.status}] {t.name}\n         {t.measured}")
    return "\n".join(out)


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
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("pandas", "numpy", "openpyxl", "jinja2", "gspread", "click"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
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
        "load": load_average(),
    }


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


# -- the document -----------------------------------------------------------------------


def markdown(report: Report, info: dict[str, str], elapsed: float, args: argparse.Namespace) -> str:
    command = "python bench/run.py" + (f" {' '.join(args.argv)}" if args.argv else "")
    notes = "\n".join(f"- {n}" for n in report.notes)
    return f"""# Benchmarks

What a sync costs as the tracker grows, measured next to the floor of doing the
same file work with pandas, and what cron waits for on a tracker of realistic
size.  Produced by `bench/run.py`; these are the latest results, rewritten by
each full run.

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


def default_notes(report: Report, *, xlsx_skipped: list[int], cron_rows: int, cron_runs: int,
                  help_runs: int) -> None:  # fmt: skip
    report.notes += [
        "Trackers are synthetic and seeded (`bench/tracker.py`, built on "
        "`bench/bench_policy.py`): a mix of applied, upcoming and past interviews with 1-3 "
        "interviewers, waiting rows with 1-3 follow-ups, rejections with and without a feedback "
        "request (half of those already in the Feedback tab, some answered), closed, withdrawn, "
        "offer and accepted rows, unreadable dates, snoozes, rows without an id and 2% blank "
        "rows.  Today is 2026-03-16; holidays are the US calendar (the bench's `sheetsync.toml`, "
        "used by every sync here).",
        "*First sync*: the tracker as a user would have it before sheetsync ran (Drafts tab "
        "with only its header), so it computes every action and writes every draft. "
        "*Steady-state sync*: the next sync, with nothing changed (a steady-state sync that "
        "writes anything is flagged in its row).",
        "*Floor* of a local sync: pandas reading every tab file as text and writing it back "
        "(`pd.read_csv(dtype=str, keep_default_na=False)` + `to_csv` of Applications.csv, "
        "Drafts.csv, Feedback.csv and Dashboard.csv; for .xlsx "
        "`pd.read_excel(sheet_name=None, dtype=str)` + "
        "`to_excel` with openpyxl), on the tabs **as the first sync left them** (filled Drafts "
        "tab, new Feedback rows, new columns), which are also the tabs a steady-state sync reads "
        "and leaves.  The same floor serves both ratios; it is not the initial tracker.  Best "
        "of 3 (of 2 for larger trackers: CSV past 10,000 rows, .xlsx past 1,000).",
        "Local sync timings (CSV folder, .xlsx) are in-process: `sheetsync.core.sync` on the "
        "backend `sheetsync.backends.open_backend` picks, timed from `sync()` to its return "
        "(read, compute, write, state and history; no Python start-up).  Each case runs in a "
        "process of its own after a warm-up sync of a 100-row tracker (so the modules a sync "
        "imports lazily are loaded).  Each is the best of 2, as the floor is a best of 2 or 3: "
        "a first sync tries a fresh copy of the tracker (with state of its own) and then the "
        "tracker itself, a steady-state sync runs twice after it.  Ratios and targets use "
        "wall-clock time, what a user waits for; CPU time is shown next to it.  Wall-clock "
        "times on a shared 2-core machine vary by about 10% from run to run.",
        "Peak RSS is the measuring process's own (`ru_maxrss`): for a local sync, the process "
        "that ran that case (first or steady state), warm-up included; for whole-process runs, "
        "the largest of the runs.  A first sync with many drafts renders them in forked "
        "worker processes (`sheetsync/messages/spread.py`): their CPU time is counted in the "
        "sync's, and the largest worker's peak RSS is shown in its row (a forked worker "
        "shares the parent's pages until it writes to them, so the two do not simply add).",
        f"*Whole process*: `python -m sheetsync sync --sheet DIR --today 2026-03-16 -q` on a "
        f"{cron_rows}-row CSV tracker, as cron runs it, start-up included, timed as a child "
        f"process next to `python -c \"import pandas\"`: median of {cron_runs} runs each, "
        "interleaved, after one warm-up run of each.  Its imports come from one more "
        "steady-state sync under `python -X importtime`; *Google's* means gspread, google "
        "(google-auth), googleapiclient, google_auth_oauthlib, google_auth_httplib2 and "
        "httplib2; requests and urllib3 are reported on their own.",
        "`sheetsync --help` and `python -c \"import click\"` are timed the same way, median of "
        f"{help_runs} runs each; heavy imports come from `python -X importtime -m sheetsync "
        "--help`.",
        *([f".xlsx is not measured at {', '.join(f'{n:,}' for n in xlsx_skipped)} rows: "
           "openpyxl's own read + write grows to minutes there (see the .xlsx floor at the "
           "largest size measured)."] if xlsx_skipped else []),  # fmt: skip
        "Google: a fake of the Sheets API (`tests/fakesheets`) runs in its own process; its "
        "spreadsheet starts with only the Applications tab, typed in as a person would (dates "
        "become date serials).  *Requests* and *sent* are every HTTP request and request body "
        "the fake received during the sync, so they are what the Sheets API quota sees.",
        "A measurement that would overrun the run's time budget is stopped and shown as such; "
        "a target it feeds is then not met.",
    ]

"""The in-process measurements, each in worker processes (bench/measure.py): the policy
engine, local syncs next to their pandas floor, and Google syncs against the fake.

Each section appends its result rows to the report and keeps its raw results in
``report.data`` for bench/targets.py.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import Budget, WorkerRun, log, run_worker
from bench.report import ROOT, Report, Row, fmt_bytes, fmt_rate

Reserve = Callable[[], float]
LABELS = {"csv": "CSV folder", "xlsx": ".xlsx workbook"}


def measure_policy(report: Report, work: Path, budget: Budget, sizes: list[int],
                   reserve: Reserve) -> None:  # fmt: skip
    got: dict[int, dict[str, Any]] = report.data.setdefault("policy", {})
    for n in sizes:
        log(budget, f"policy engine, {n:,} rows")
        run = run_worker("policy", [n], work, budget.allow(reserve()))
        if not run.results:
            report.rows.append(Row("Policy engine: parse + compute", f"{n:,}", run.stopped,
                                   group="policy"))  # fmt: skip
            continue
        r = got[n] = run.results[0]
        report.rows.append(Row(
            "Policy engine: parse + compute", f"{n:,}",
            f"{fmt_rate(r['rows_per_s'])} rows/s, best of {r['repeat']} (parse "
            f"{fmt_rate(r['parse_rows_per_s'])}, compute {fmt_rate(r['compute_rows_per_s'])})",
            r["wall"], None, r["rss_mib"], "policy"))  # fmt: skip


# -- local syncs ----------------------------------------------------------------------------


def measure_local(report: Report, work: Path, budget: Budget, kind: str, n: int, source: Path,
                  reserve: Reserve) -> None:  # fmt: skip
    """A first sync, the pandas floor of the tabs it left, then a steady-state sync: each in
    a process of its own, so each peak RSS is that sync's."""
    label = LABELS[kind]
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
    floor_reserve = 2 + n / 15_000  # seconds kept back for the floor ...
    steady_reserve = 3 + n / 5_000  # ... and the steady-state syncs that follow
    log(budget, f"{label}: first sync, {n:,} rows")
    first = run_worker("local_sync", [kind, location, n, "first"], work,
                       budget.allow(reserve() + floor_reserve + steady_reserve))  # fmt: skip
    floor = steady = WorkerRun([], first.stopped or "no first sync")
    if first.results:
        log(budget, f"{label}: pandas floor, {n:,} rows")
        repeat = 3 if n <= (10_000 if kind == "csv" else 1_000) else 2
        floor = run_worker(f"{kind}_floor", [location, n, repeat], work,
                           budget.allow(reserve() + steady_reserve))  # fmt: skip
        log(budget, f"{label}: steady-state sync, {n:,} rows")
        steady = run_worker("local_sync", [kind, location, n, "steady"], work,
                            budget.allow(reserve()))  # fmt: skip
    got = {"floor": _one(floor), "first": _one(first), "steady": _one(steady)}
    report.data.setdefault("local", {}).setdefault(kind, {})[n] = got
    f = got["floor"]
    if f is None:
        report.rows.append(Row(f"{label}: pandas read + write (floor)", f"{n:,}", floor.stopped,
                               group=kind))  # fmt: skip
    else:
        report.rows.append(Row(
            f"{label}: pandas read + write (floor)", f"{n:,}",
            f"{fmt_bytes(f['bytes'])} in {', '.join(f['files'])} as the first sync left them; "
            f"best of {f['repeat']}", f["wall"], f["cpu"], f["rss_mib"], kind))  # fmt: skip
    for case, run in (("first", first), ("steady", steady)):
        _sync_row(report, kind, n, case, got[case], f, run.stopped)


def _one(run: WorkerRun) -> dict[str, Any] | None:
    return run.results[0] if run.results else None


def _sync_row(report: Report, kind: str, n: int, case: str, r: dict[str, Any] | None,
              floor: dict[str, Any] | None, stopped: str) -> None:  # fmt: skip
    what = f"{LABELS[kind]}: {'first' if case == 'first' else 'steady-state'} sync"
    if r is None:
        report.rows.append(Row(what, f"{n:,}", stopped or "no result", group=kind))
        return
    text = (f"{r['wall'] / floor['wall']:.1f}x floor ({r['cpu'] / floor['cpu']:.1f}x CPU)"
            if floor else "floor not measured")  # fmt: skip
    wrote = f"{r['drafts_added']:,} drafts, {r['cells']:,} cells, {r['appends']:,} rows added"
    text += f"; best of {r['repeat']}"
    if case == "first":
        text += f"; {wrote}"
    elif r["drafts_added"] or r["cells"] or r["appends"]:
        text += f"; NOT steady: {wrote}"
    if r.get("workers_rss_mib"):  # drafts rendered across the cores (messages/spread.py)
        text += f"; render workers forked, the largest {r['workers_rss_mib']:,.0f} MiB RSS"
    report.rows.append(Row(what, f"{n:,}", text, r["wall"], r["cpu"], r["rss_mib"], kind))


# -- Google Sheets against the fake --------------------------------------------------------


def measure_google(report: Report, work: Path, budget: Budget, n: int, source: Path,
                   reserve: Reserve) -> None:  # fmt: skip
    log(budget, f"Google Sheets sync against the fake, {n:,} rows")
    run = run_worker("google", [source / "Applications.csv", n], work, budget.allow(reserve()))
    by_case = {r["case"]: r for r in run.results}
    report.data.setdefault("google", {})[n] = by_case
    for case in ("first", "steady"):
        what = "Google sync (fake): " + ("first (creates tabs)" if case == "first"
                                         else "steady-state")  # fmt: skip
        r = by_case.get(case)
        if r is None:
            report.rows.append(Row(what, f"{n:,}", run.stopped or "no result", group="google"))
            continue
        methods = ", ".join(f"{v} {k}" for k, v in sorted(r["by_method"].items()))
        plural = "s" if r["requests"] != 1 else ""
        report.rows.append(Row(what, f"{n:,}", f"{r['requests']} request{plural}, "
                               f"{fmt_bytes(r['bytes'])} sent ({methods})", r["wall"], r["cpu"],
                               r["rss_mib"], "google"))  # fmt: skip


def google_available() -> str:
    """"" when gspread and the fake import, else why not."""
    tests = str(ROOT / "tests")
    try:
        sys.path.insert(0, tests)
        import fakesheets  # noqa: F401
        import gspread  # noqa: F401
    except Exception as exc:  # any failure means the section cannot run
        return f"{type(exc).__name__}: {exc}"
    finally:
        sys.path.remove(tests)
    return ""

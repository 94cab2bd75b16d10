"""The performance targets (issue 15, "Performance"; on a 2-core machine) and how the
collected results are judged against them.

Ratios are judged on wall-clock time, what a user (or cron) waits for; CPU time
is shown next to it.  A target whose measurement did not run (a size not asked
for, a worker stopped by the time budget) is NOT MEASURED, never PASS.
"""

from __future__ import annotations

from typing import Any

from bench.report import Report, Target, fmt_rate

CRON_ROWS = 300
CRON_RATIO = 1.6  # steady-state `sheetsync sync`, whole process / `python -c "import pandas"`
# (rows, case, at most this many times the pandas floor) for a local CSV sync, in-process
SYNC_RATIOS = ((100_000, "steady", 1.6), (100_000, "first", 5.0),
               (10_000, "steady", 2.0), (10_000, "first", 4.0))  # fmt: skip
MEMORY_ROWS = 100_000
MEMORY_LIMIT_MIB = 1024.0  # peak RSS of the sync process
HELP_RATIO = 1.3  # `sheetsync --help` / `python -c "import click"`, whole processes
POLICY_RATE = 1_000_000  # rows/s, parse + compute, at 100,000 rows
POLICY_ROWS = 100_000

FLOOR = ("pandas `read_csv` + `to_csv` of every tab file (Applications, Drafts, Feedback, "
         "Dashboard) "
         "as the first sync left them")  # fmt: skip

PASS, FAIL, NOT_MEASURED = "PASS", "FAIL", "NOT MEASURED"


def judge(report: Report, unavailable: str) -> None:
    """Every target line, in a fixed order, from ``report.data``."""
    data = report.data
    report.targets += cron_targets(data.get("cron"))
    csv = data.get("local", {}).get("csv", {})
    report.targets += [sync_target(csv, n, case, limit) for n, case, limit in SYNC_RATIOS]
    report.targets.append(memory_target(csv))
    report.targets += help_targets(data.get("help"))
    report.targets.append(policy_target(data.get("policy", {})))
    report.targets.append(google_target(data.get("google", {}), unavailable))


def _status(ok: bool) -> str:
    return PASS if ok else FAIL


def cron_targets(cron: dict[str, Any] | None) -> list[Target]:
    rows = cron["rows"] if cron else CRON_ROWS
    runs = f", medians of {cron['runs']}" if cron else ""
    speed = (f"Steady-state `sheetsync sync` of a {rows}-row CSV tracker, whole process (what "
             f"cron runs) <= {CRON_RATIO:g}x `python -c \"import pandas\"`{runs}")  # fmt: skip
    imports = ("A local CSV sync imports nothing of Google's (gspread, google-auth, "
               "googleapiclient, httplib2) nor openpyxl")  # fmt: skip
    if not cron or "error" in cron:
        why = f"failed: {cron['error']}" if cron else "not measured"
        return [Target(speed, why, NOT_MEASURED), Target(imports, why, NOT_MEASURED)]
    floor, tool = cron["floor"], cron["steady"]
    ratio = tool["wall"] / floor["wall"]
    shown = (f"{ratio:.2f}x ({tool['wall']:.2f} s vs {floor['wall']:.2f} s; CPU "
             f"{tool['cpu'] / floor['cpu']:.2f}x)")  # fmt: skip
    ok = ratio <= CRON_RATIO
    if cron["changed"]:
        shown += "; not steady: the sync changed the tab files"
        ok = False
    bad = cron["google"] + cron["xlsx"]
    found = (f"Google's/openpyxl: {', '.join(bad) or 'none'}; requests/urllib3 (reported, not "
             f"judged): {', '.join(cron['http']) or 'none'}")  # fmt: skip
    return [Target(speed, shown, _status(ok)), Target(imports, found, _status(not bad))]


def _ratio(run: dict[str, Any], case: str) -> tuple[float, str] | None:
    sync, floor = run.get(case), run.get("floor")
    if not sync or not floor:
        return None
    ratio = sync["wall"] / floor["wall"]
    return ratio, (f"{ratio:.2f}x ({sync['wall']:.2f} s vs floor {floor['wall']:.2f} s; CPU "
                   f"{sync['cpu'] / floor['cpu']:.2f}x)")  # fmt: skip


def sync_target(csv: dict[int, dict[str, Any]], n: int, case: str, limit: float) -> Target:
    label = "steady-state sync" if case == "steady" else "first sync"
    name = f"Local CSV {label} of {n:,} rows <= {limit:g}x the floor: {FLOOR}"
    got = _ratio(csv[n], case) if n in csv else None
    if got is not None:
        ratio, shown = got
        return Target(name, shown, _status(ratio <= limit))
    elsewhere = [(m, r) for m in sorted(csv) if (r := _ratio(csv[m], case))]
    shown = f"not measured at {n:,} rows"
    if elsewhere:
        shown += " (" + "; ".join(f"at {m:,}: {r[1]}" for m, r in elsewhere) + ")"
    return Target(name, shown, NOT_MEASURED)


def memory_target(csv: dict[int, dict[str, Any]]) -> Target:
    name = (f"Peak memory (RSS) of a {MEMORY_ROWS:,}-row local CSV sync process "
            f"(first or steady-state) < {MEMORY_LIMIT_MIB / 1024:g} GiB")  # fmt: skip

    def peak(run: dict[str, Any]) -> str:
        return ", ".join(f"{c} {run[c]['rss_mib']:,.0f} MiB" for c in ("first", "steady")
                         if run.get(c))  # fmt: skip

    run = csv.get(MEMORY_ROWS)
    if run and run.get("first") and run.get("steady"):
        worst = max(run["first"]["rss_mib"], run["steady"]["rss_mib"])
        return Target(name, peak(run), _status(worst < MEMORY_LIMIT_MIB))
    elsewhere = "; ".join(f"at {m:,}: {peak(csv[m])}" for m in sorted(csv) if peak(csv[m]))
    shown = f"not measured at {MEMORY_ROWS:,} rows" + (f" ({elsewhere})" if elsewhere else "")
    return Target(name, shown, NOT_MEASURED)


def help_targets(got: dict[str, Any] | None) -> list[Target]:
    runs = f", medians of {got['runs']}" if got else ""
    speed = (f"`sheetsync --help` <= {HELP_RATIO:g}x `python -c \"import click\"` (whole "
             f"processes{runs})")  # fmt: skip
    heavy = "`sheetsync --help` imports no pandas/numpy/jinja2/gspread/google"
    if not got or "error" in got:
        why = f"failed: {got['error']}" if got else "not measured"
        return [Target(speed, why, NOT_MEASURED), Target(heavy, why, NOT_MEASURED)]
    floor, tool = got["floor"], got["tool"]
    ratio = tool["wall"] / floor["wall"]
    shown = (f"{ratio:.2f}x ({tool['wall'] * 1000:.0f} ms vs {floor['wall'] * 1000:.0f} ms; CPU "
             f"{tool['cpu'] / floor['cpu']:.2f}x)")  # fmt: skip
    forbidden = [h for h in got["heavy"] if h in ("pandas", "numpy", "jinja2", "gspread", "google")]
    return [Target(speed, shown, _status(ratio <= HELP_RATIO)),
            Target(heavy, ", ".join(got["heavy"]) or "none", _status(not forbidden))]


def policy_target(got: dict[int, dict[str, Any]]) -> Target:
    name = f"Policy engine >= {POLICY_RATE:,} rows/s at {POLICY_ROWS:,} rows (parse + compute)"
    if POLICY_ROWS in got:
        rate = got[POLICY_ROWS]["rows_per_s"]
        return Target(name, f"{fmt_rate(rate)} rows/s", _status(rate >= POLICY_RATE))
    if not got:
        return Target(name, "not measured", NOT_MEASURED)
    at = max(got)
    return Target(name, f"not measured at {POLICY_ROWS:,} rows (at {at:,}: "
                  f"{fmt_rate(got[at]['rows_per_s'])} rows/s)", NOT_MEASURED)  # fmt: skip


def google_target(runs: dict[int, dict[str, Any]], unavailable: str) -> Target:
    name = "Requests per Google sync constant in the number of rows (steady state)"
    if unavailable:
        return Target(name, f"not available: {unavailable}", NOT_MEASURED)
    counts = {case: {n: r[case]["requests"] for n, r in runs.items() if case in r}
              for case in ("first", "steady")}  # fmt: skip
    shown = "; ".join(f"{case}: " + ", ".join(f"{c} at {n:,}" for n, c in sorted(v.items()))
                      for case, v in counts.items() if v)  # fmt: skip
    missing = [n for n in runs if n not in counts["steady"]]
    if missing:
        shown += f" (steady state not measured at {', '.join(f'{n:,}' for n in missing)})"
    if len(counts["steady"]) < 2:
        status = NOT_MEASURED
        shown += "; needs two sizes or more"
    else:
        status = _status(len(set(counts["steady"].values())) == 1 and not missing)
    return Target(name, shown.strip("; ") or "not measured", status)

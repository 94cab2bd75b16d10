"""Benchmark of reading and evaluating the Applications tab (not a test).

Generates synthetic rows in a realistic mix of stages (applied and waiting,
interviews ahead and behind, follow-ups, rejections, closed rows, a few
unreadable cells and snoozes) and times ``parse_applications`` and
``compute`` separately.  Run it directly::

    PYTHONPATH=. python bench/bench_policy.py [ROWS]

or import :func:`run` from another bench runner.  Each phase runs once to warm
caches (the holiday calendar), then the best of ``repeat`` timings is kept.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sheetsync.tracker.schema import APP_USER_COLUMNS

T = TypeVar("T")
TODAY = dt.date(2026, 3, 16)
TARGET_ROWS_PER_S = 1_000_000  # issue 3, for the engine on a 2-core machine

# stage -> share of rows
STAGES = {
    "applied": 0.28,
    "interview_ahead": 0.05,
    "interviewed": 0.05,
    "waiting": 0.15,
    "followed_up": 0.12,
    "rejected": 0.22,
    "finished": 0.10,
    "unreadable": 0.03,
}


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days, unit="D").astype(object)


def synthetic_applications(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` rows of Applications text, as ``Table.frame()`` would give them."""
    rng = np.random.default_rng(seed)
    today = np.datetime64(TODAY, "D")
    stage = rng.choice(list(STAGES), size=n, p=list(STAGES.values()))
    text = {c: np.full(n, "", dtype=object) for c in APP_USER_COLUMNS}
    text["id"] = np.char.add("a", np.arange(n).astype(str)).astype(object)
    text["company"] = np.char.add("Company ", (np.arange(n) % 997).astype(str)).astype(object)
    text["role"] = np.where(rng.random(n) < 0.5, "Data Analyst", "Product Manager").astype(object)

    def days_ago(lo: int, hi: int) -> np.ndarray:
        return today - rng.integers(lo, hi, size=n).astype("timedelta64[D]")

    def put(col: str, mask: np.ndarray, days: np.ndarray) -> None:
        text[col] = np.where(mask, _iso(days), text[col])

    applied = days_ago(20, 120)
    put("applied_on", np.ones(n, dtype=bool), applied)
    put("closing_date", rng.random(n) < 0.4, applied + 10)
    interview = applied + rng.integers(7, 20, size=n).astype("timedelta64[D]")
    ahead = stage == "interview_ahead"
    interview = np.where(ahead, today + rng.integers(1, 14, size=n).astype("timedelta64[D]"),
                         np.minimum(interview, today))  # fmt: skip
    had_interview = np.isin(stage, ["interview_ahead", "interviewed", "waiting", "followed_up"])
    had_interview |= np.isin(stage, ["rejected", "finished"]) & (rng.random(n) < 0.5)
    put("interview_on", had_interview, interview)
    note = had_interview & (rng.random(n) < 0.2)
    text["handwritten_note"] = np.where(note, "yes", "").astype(object)
    thanked = had_interview & (stage != "interviewed") & ~ahead
    put("thank_you_sent_on", thanked, interview + 1)
    put("decision_expected_on", (stage == "waiting") & (rng.random(n) < 0.5), interview + 10)
    followed = stage == "followed_up"
    sent = rng.integers(1, 4, size=n)
    text["follow_ups_sent"] = np.where(followed, sent.astype(str), "").astype(object)
    put("last_follow_up_on", followed, interview + 8 + 7 * (sent - 1))
    put("last_heard_on", rng.random(n) < 0.15, applied + 5)
    rejected = stage == "rejected"
    text["status"] = np.where(rejected, "Rejected", "").astype(object)
    finished = stage == "finished"
    text["status"] = np.where(finished, rng.choice(["closed", "withdrawn", "offer", "accepted"], n),
                              text["status"]).astype(object)  # fmt: skip
    put("rejected_on", rejected & (rng.random(n) < 0.97), interview + 12)
    put("feedback_requested_on", rejected & (rng.random(n) < 0.5), interview + 13)
    snooze = today + rng.integers(-5, 20, size=n).astype("timedelta64[D]")
    put("snooze_until", rng.random(n) < 0.05, snooze)
    bad = stage == "unreadable"
    text["interview_on"] = np.where(bad, rng.choice(["31/02/2026", "next Tuesday", "3/4/26"], n),
                                    text["interview_on"]).astype(object)  # fmt: skip
    # A few cells in other accepted spellings, as people type them.
    other = rng.random(n) < 0.05
    spelled = pd.Series(applied).dt.strftime("%d %b %Y").to_numpy(dtype=object)
    text["applied_on"] = np.where(other, spelled, text["applied_on"]).astype(object)
    return pd.DataFrame(text, dtype=object)


def _best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def engine(holidays: str | None = "US") -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``parse(frame)`` and ``compute(apps, problems)``: the engine as a sync calls it.

    Imported here, not at the top, so the tracker generator above (used by every
    benchmark) does not depend on where the engine lives.
    """
    from sheetsync.config import Rules
    from sheetsync.policy.bizdays import Calendar
    from sheetsync.policy.engine import compute
    from sheetsync.tracker.values import parse_applications

    calendar, rules = Calendar(holidays), Rules()

    def parse(frame: pd.DataFrame) -> Any:
        return parse_applications(frame, "MDY")

    def evaluate(apps: pd.DataFrame, problems: Any) -> pd.DataFrame:
        return compute(apps, problems, TODAY, rules, calendar)

    return parse, evaluate


def run(n: int = 100_000, repeat: int = 5, holidays: str | None = "US") -> dict[str, float]:
    """Time parse_applications and compute on ``n`` synthetic rows; rows/s for each."""
    frame = synthetic_applications(n)
    parse, compute = engine(holidays)
    parse_s, (apps, problems) = _best(lambda: parse(frame), repeat)
    compute_s, result = _best(lambda: compute(apps, problems), repeat)
    assert len(result) == n
    return {
        "rows": float(n),
        "parse_seconds": parse_s,
        "parse_rows_per_s": n / parse_s,
        "compute_seconds": compute_s,
        "compute_rows_per_s": n / compute_s,
        "actions": float((result["next_action"] != "").sum()),
    }


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 100_000
    stats = run(n)
    print(f"rows:               {n:,}")
    print(f"parse_applications: {stats['parse_rows_per_s']:>12,.0f} rows/s "
          f"({stats['parse_seconds'] * 1000:.1f} ms)")  # fmt: skip
    print(f"compute:            {stats['compute_rows_per_s']:>12,.0f} rows/s "
          f"({stats['compute_seconds'] * 1000:.1f} ms; target {TARGET_ROWS_PER_S:,})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

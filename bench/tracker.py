"""Synthetic trackers for the benchmarks: all three tabs, deterministic per seed.

The Applications tab starts from :func:`bench_policy.synthetic_applications`
(stages, dates, follow-ups, rejections, closed statuses, unreadable dates) and
adds what drafting reads: contacts, one to three interviewers per interview,
interview types, notes, a user column of their own, a few rows without an id
and a few blank rows.  The Feedback tab holds rows for part of the rejections
whose feedback was requested (some answered, some with an action item), so a
sync both updates existing rows and appends new ones.  The Drafts tab holds
only its header: the first sync drafts everything, the next one is steady state.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bench.bench_policy import TODAY, synthetic_applications
from sheetsync.tracker.schema import (
    ALL_COLUMNS,
    APP_USER_COLUMNS,
    DRAFTS,
    FEEDBACK,
    FEEDBACK_COLUMNS,
)

__all__ = ["TODAY", "Tracker", "make_tracker", "new_id_factory", "write_csv_folder", "write_xlsx"]

FIRST = ("Ana", "Tom", "Priya", "Luis", "Grace", "Sam", "Dana", "Maya", "Omar", "Jia", "Kofi",
         "Elena", "Ravi", "Noor", "Ben", "Hana")  # fmt: skip
LAST = ("Ruiz", "Becker", "Natarajan", "Romero", "Kim", "Okafor", "Whitfield", "Ortiz", "Haddad",
        "Chen", "Mensah", "Petrova", "Iyer", "Aziz", "Lowe", "Sato")  # fmt: skip
TYPES = ("video", "phone", "on-site", "panel")
SOURCES = ("LinkedIn", "Referral", "Company site", "Job board", "Career fair")
NOTES = (
    "{p} described the move from spreadsheets to a planning tool",
    "{p} asked how I would cut scheduling errors; team of six",
    "Discussed the quarterly reporting cycle and the new dashboard rollout",
    "{p}'s team is hiring two analysts this quarter",
    "Salary range not discussed yet",
    "Strong focus on stakeholder communication and SQL",
)
RESPONSES = (
    "Strong SQL; give more concrete examples of stakeholder work.",
    "Good interview overall; the case study answer lacked structure.",
    "We went with a candidate with more domain experience.",
)

Tracker = dict[str, pd.DataFrame]  # tab -> text frame in file column order


def _people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    first = rng.choice(FIRST, n)
    last = rng.choice(LAST, n)
    names = np.char.add(np.char.add(first, " "), last)
    emails = np.char.add(np.char.add(np.char.lower(first), "."), np.char.lower(last))
    return names.astype(object), np.char.add(emails, "@example.com").astype(object)


def _applications(n: int, seed: int) -> pd.DataFrame:
    frame = synthetic_applications(n, seed)
    rng = np.random.default_rng(seed + 1)
    names, emails = _people(rng, n)
    has_contact = rng.random(n) < 0.7
    frame["contact_name"] = np.where(has_contact, names, "")
    domain = np.char.add(np.char.add("@c", (np.arange(n) % 997).astype(str)), ".example")
    frame["contact_email"] = np.where(has_contact, np.char.replace(
        emails.astype(str), "@example.com", domain).astype(object), "")  # fmt: skip

    # 1-3 interviewers ("Name <email>") wherever an interview date is written.
    interviewed = frame["interview_on"].to_numpy() != ""
    count = rng.integers(1, 4, n)
    cells = np.full(n, "", dtype=object)
    for k in range(3):
        p_names, p_emails = _people(rng, n)
        entry = np.char.add(np.char.add(p_names.astype(str), " <"), p_emails.astype(str))
        entry = np.char.add(entry, ">").astype(object)
        take = interviewed & (count > k)
        sep = "; " if k else ""
        cells = np.where(take, cells + np.where(cells == "", "", sep) + entry, cells)
    frame["interviewers"] = cells
    frame["interview_type"] = np.where(interviewed, rng.choice(TYPES, n), "")
    first_person = np.array([c.split(" <", 1)[0].split(" ", 1)[0] if c else "Dana"
                             for c in cells], dtype=object)  # fmt: skip
    templ = rng.choice(NOTES, n)
    notes = np.array([t.format(p=p) for t, p in zip(templ, first_person, strict=True)],
                     dtype=object)  # fmt: skip
    frame["notes"] = np.where(interviewed & (rng.random(n) < 0.6), notes, "")
    frame["source"] = rng.choice(SOURCES, n).astype(object)

    # A few rows typed without an id, and a few blank rows between the others.
    frame.loc[rng.random(n) < 0.01, "id"] = ""
    blank = rng.random(n) < 0.02
    frame.loc[blank, :] = ""
    return frame[[*APP_USER_COLUMNS, "source"]]


def _feedback(apps: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    asked = (apps["status"] == "Rejected") & (apps["feedback_requested_on"] != "")
    asked &= apps["id"] != ""
    picked = apps[asked.to_numpy() & (rng.random(len(apps)) < 0.5)]
    n = len(picked)
    out = pd.DataFrame({c: np.full(n, "", dtype=object) for c in FEEDBACK_COLUMNS})
    out["feedback_id"] = [f"fb-{i}" for i in picked["id"]]
    out["app_id"] = picked["id"].to_numpy()
    out["company"] = picked["company"].to_numpy()
    out["role"] = picked["role"].to_numpy()
    out["interviewed"] = np.where(picked["interview_on"].to_numpy() != "", "yes", "no")
    out["requested_on"] = picked["feedback_requested_on"].to_numpy()
    got = rng.random(n) < 0.4
    received = pd.to_datetime(out["requested_on"], errors="coerce") + pd.Timedelta(days=4)
    out["received_on"] = np.where(got, received.dt.strftime("%Y-%m-%d").fillna(""), "")
    out["response"] = np.where(got, rng.choice(RESPONSES, n), "")
    item = got & (rng.random(n) < 0.5)
    out["action_item"] = np.where(item, "Prepare two stakeholder stories (STAR)", "")
    return out


def make_tracker(n: int, seed: int = 7) -> Tracker:
    """``n`` Applications rows (blank rows included) and matching Drafts/Feedback tabs."""
    apps = _applications(n, seed)
    return {
        "Applications": apps,
        DRAFTS: pd.DataFrame({c: pd.Series(dtype=object) for c in ALL_COLUMNS[DRAFTS]}),
        FEEDBACK: _feedback(apps, seed),
    }


def write_csv_folder(tracker: Tracker, folder: Path) -> None:
    """One UTF-8 CSV per tab, as a spreadsheet program exports them."""
    folder.mkdir(parents=True, exist_ok=True)
    for tab, frame in tracker.items():
        with (folder / f"{tab}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(frame.columns)
            writer.writerows(frame.itertuples(index=False, name=None))


def write_xlsx(tracker: Tracker, path: Path) -> None:
    """One worksheet per tab, every cell as text (as a CSV import would be)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for tab, frame in tracker.items():
        sheet = book.create_sheet(tab)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            sheet.append([v if v else None for v in row])
    book.save(path)


def new_id_factory(seed: int = 7) -> Callable[[set[str]], str]:
    """Deterministic replacement for ``core.random_id``: ids never taken, same every run."""
    counter = [0]

    def new_id(taken: set[str]) -> str:
        while True:
            counter[0] += 1
            candidate = hashlib.sha256(f"{seed}:{counter[0]}".encode()).hexdigest()[:8]
            if candidate not in taken:
                return candidate

    return new_id

"""Shared helpers for the Google Sheets backend tests (trackers, backends, plans)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests
from fakesheets import FakeGoogle, Spreadsheet

from sheetsync.backends.google.cells import to_serial
from sheetsync.backends.google.sheets import GoogleSheetsBackend
from sheetsync.backends.google.transport import RetryPolicy
from sheetsync.tracker.plan import CellChange, Plan
from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS, DRAFTS, FEEDBACK
from sheetsync.tracker.table import Workbook

APP_HEADER = list(ALL_COLUMNS[APPLICATIONS])
COL = {name: i for i, name in enumerate(APP_HEADER)}
D0 = date(2026, 3, 2)


@dataclass
class FakeClock:
    """A clock for the transport: sleeping advances time instantly and is recorded."""

    now: float = 1_700_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def app_row(i: int) -> list[Any]:
    """One application: a few typed cells, like a real tracker holds."""
    row: list[Any] = [""] * len(APP_HEADER)
    row[COL["id"]] = f"a{i:05d}"
    row[COL["company"]] = f"Company {i:05d}"
    row[COL["role"]] = "Engineer"
    row[COL["contact_email"]] = f"hr{i}@example.com"
    row[COL["applied_on"]] = to_serial(D0) - (i % 30)
    row[COL["notes"]] = f"note {i}"
    return row


def tracker_grids(n: int, *, owned: bool = True) -> dict[str, list[list[Any]]]:
    header = APP_HEADER if owned else APP_HEADER[: COL["notes"] + 1]
    rows = [app_row(i)[: len(header)] for i in range(n)]
    return {
        APPLICATIONS: [list(header), *rows],
        DRAFTS: [list(ALL_COLUMNS[DRAFTS])],
        FEEDBACK: [list(ALL_COLUMNS[FEEDBACK])],
    }


def canned_response(status: int, body: bytes = b"{}") -> requests.Response:
    """A response as a session returns one, without a network."""
    response = requests.Response()
    response.status_code = status
    response.raw = io.BytesIO(body)
    return response


def make_backend(fake: FakeGoogle, book: Spreadsheet | str, cache: Path | None,
                 **kwargs: Any) -> GoogleSheetsBackend:  # fmt: skip
    """A backend on the fake with a fake clock (retries never really sleep)."""
    key = book if isinstance(book, str) else book.id
    kwargs.setdefault("clock", FakeClock())
    kwargs.setdefault("rng", random.Random(7))
    kwargs.setdefault("policy", RetryPolicy(connect_timeout=2.0, read_timeout=5.0))
    return GoogleSheetsBackend(key, cache_dir=cache, **kwargs)


def computed_plan(wb: Workbook, *, day: date = date(2026, 3, 20)) -> Plan:
    """What a sync would compute: next_action, due_on and why (naming the row) for every row."""
    table = wb[APPLICATIONS]
    changes = []
    for r, key in enumerate(table.ids()):
        changes.append(CellChange(APPLICATIONS, r, key, "next_action", "", "follow_up"))
        changes.append(CellChange(APPLICATIONS, r, key, "due_on", "", day.isoformat(), "date"))
        changes.append(CellChange(APPLICATIONS, r, key, "why", "", f"because {key}"))
    return Plan(changes=changes)


def rows_by_id(book: Spreadsheet, tab: str = APPLICATIONS,
               render: str = "UNFORMATTED_VALUE") -> dict[str, list[Any]]:  # fmt: skip
    grid = book.sheet(tab).grid(render)
    return {str(row[0]): row for row in grid[1:] if row}

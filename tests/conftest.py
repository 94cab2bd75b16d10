"""Shared fixtures: isolated state folders, sample trackers, an in-memory backend."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetsync.backends.base import Backend, WriteReport
from sheetsync.backends.create import new_tracker
from sheetsync.backends.edits import resolve_edits
from sheetsync.config import Config, Me
from sheetsync.resources import sample_sheet
from sheetsync.tracker.plan import Plan
from sheetsync.tracker.schema import TABS
from sheetsync.tracker.table import Table, Workbook

TODAY = dt.date(2026, 3, 16)  # a Monday; the sample tracker is written around it
ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["fakesheets.plugin"]  # the local fake of the Sheets/Drive API


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state and config folders; no test sees the user's."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SHEETSYNC_STATE_DIR", str(base / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.delenv("SHEETSYNC_CONFIG", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("SHEETSYNC_API_ENDPOINT", raising=False)
    monkeypatch.chdir(base)
    return base


@pytest.fixture
def config() -> Config:
    return Config(
        me=Me(
            name="Jordan Rivera",
            email="jordan.rivera@example.com",
            phone="+1 555 0100",
            linkedin="linkedin.com/in/jordanrivera",
        )
    )


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    """A CSV-folder tracker holding the sample applications."""
    path = tmp_path / "tracker"
    new_tracker(path, sample_sheet(), xlsx=False)
    return path


@pytest.fixture
def make_tracker(tmp_path: Path) -> Callable[[str], Path]:
    """A CSV-folder tracker whose Applications.csv is exactly the given text."""
    counter = itertools.count()

    def make(applications: str, **tabs: str) -> Path:
        path = tmp_path / f"t{next(counter)}"
        path.mkdir()
        (path / "Applications.csv").write_bytes(applications.encode("utf-8"))
        for name, text in tabs.items():
            (path / f"{name}.csv").write_bytes(text.encode("utf-8"))
        return path

    return make


def counting_ids() -> Callable[[set[str]], str]:
    """Deterministic new ids for tests: n1, n2, ..."""
    counter = itertools.count(1)

    def new_id(taken: set[str]) -> str:
        while True:
            candidate = f"n{next(counter)}"
            if candidate not in taken:
                return candidate

    return new_id


class FakeBackend(Backend):
    """An in-memory sheet: grids of text per tab, with a write log."""

    def __init__(self, grids: dict[str, list[list[str]]]) -> None:
        self.grids = {k: [list(r) for r in v] for k, v in grids.items()}
        self.label = "memory"
        self.key = f"memory:{id(self)}"
        self.writes: list[Plan] = []
        self.before_write: Callable[[FakeBackend], None] | None = None

    def read(self) -> Workbook:
        return Workbook.from_grids({k: [list(r) for r in v] for k, v in self.grids.items()})

    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        if self.before_write is not None:
            self.before_write(self)
        self.writes.append(plan)
        report = WriteReport()
        current = self.read()
        for tab in TABS:
            grid = self.grids.get(tab)
            table = current.get(tab)
            touched = (
                tab in plan.new_tabs
                or plan.new_columns.get(tab)
                or any(c.tab == tab for c in plan.changes)
                or any(a.tab == tab for a in plan.appends)
            )
            if not touched:
                continue
            edits = resolve_edits(tab, plan, base, table)
            if grid is None:
                grid = self.grids[tab] = [[]]
            for col, name in edits.header_cells.items():
                _put(grid, 0, col, name)
            for row, cols in edits.cells.items():
                for col, (value, _) in cols.items():
                    _put(grid, row + 1, col, value)
            for values in edits.appended:
                grid.append(list(values))
            report.written += edits.written
            report.dropped += edits.dropped
        return report


def _put(grid: list[list[str]], row: int, col: int, value: str) -> None:
    while len(grid) <= row:
        grid.append([])
    line = grid[row]
    line.extend([""] * (col + 1 - len(line)))
    line[col] = value


def sample_grids() -> dict[str, list[list[str]]]:
    from sheetsync.backends import csvfile

    return {"Applications": csvfile.parse(sample_sheet()).values}


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    yield FakeBackend(sample_grids())


def copy_tracker(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


__all__ = ["TODAY", "ROOT", "FakeBackend", "Table", "counting_ids", "copy_tracker"]


@pytest.fixture(autouse=True)
def sender_config(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config naming the sender, so drafts are signed as a real user's would be."""
    path = isolated / "sender.toml"
    path.write_text(
        '[me]\nname = "Jordan Rivera"\nemail = "jordan.rivera@example.com"\n'
        'phone = "+1 555 0100"\nlinkedin = "linkedin.com/in/jordanrivera"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SHEETSYNC_CONFIG", str(path))
    return path


def run(*args: str, code: int = 0) -> str:
    """Run the command line as a user would; its exit code must be ``code``."""
    from click.testing import CliRunner

    from sheetsync.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output

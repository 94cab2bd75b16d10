"""A tab's id column deleted or emptied: a layout error, and nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync import errors
from sheetsync.cli import cli

TODAY = "2026-03-16"


def sync(path: Path, today: str = TODAY) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", "--sheet", str(path), "--today", today])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def edit_column(path: Path, name: str, column: str, *, drop: bool) -> None:
    """Delete ``column`` from ``name``.csv, or blank every cell under it."""
    rows = list(csv.reader(io.StringIO((path / f"{name}.csv").read_text("utf-8"))))
    at = rows[0].index(column)
    for row in rows if drop else rows[1:]:
        if at < len(row):
            if drop:
                del row[at]
            else:
                row[at] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (path / f"{name}.csv").write_text(out.getvalue(), "utf-8")


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


@pytest.mark.parametrize(
    ("tab", "column", "drop"),
    [
        ("Drafts", "draft_id", True),
        ("Drafts", "draft_id", False),
        ("Applications", "id", True),
        ("Applications", "id", False),
    ],
)
def test_a_lost_id_column_stops_the_run_and_writes_nothing(
    tracker: Path, tab: str, column: str, drop: bool
) -> None:
    code, out = sync(tracker)
    assert code == 0, out
    drafts = len(list(csv.reader(io.StringIO((tracker / "Drafts.csv").read_text("utf-8")))))
    edit_column(tracker, tab, column, drop=drop)
    before = snapshot(tracker)
    code, out = sync(tracker, "2026-03-18")
    assert code == errors.EXIT_LAYOUT, out
    assert f"{column} column" in out and "restore the column" in out
    assert snapshot(tracker) == before  # no doubled Drafts tab, no second Feedback row
    after = len(list(csv.reader(io.StringIO((tracker / "Drafts.csv").read_text("utf-8")))))
    assert after == drafts


def test_a_new_tracker_without_an_id_column_still_gets_ids(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("company,role\nAcme,Analyst\n", Drafts="draft_id,app_id\n")
    code, out = sync(path)
    assert code == 0, out
    assert "id" in (path / "Applications.csv").read_text("utf-8").splitlines()[0].split(",")

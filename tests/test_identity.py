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


# Each id column, deleted outright (drop) or emptied.
LOST_ID_COLUMNS = [("Drafts", "draft_id", True), ("Drafts", "draft_id", False),
                   ("Applications", "id", True), ("Applications", "id", False)]  # fmt: skip


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


@pytest.mark.parametrize(("tab", "column", "drop"), LOST_ID_COLUMNS)
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


def repair(path: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["repair", "--sheet", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("tab", "column", "drop"), LOST_ID_COLUMNS)
def test_repair_gives_rows_their_ids_back_and_the_next_sync_is_as_before(
    tracker: Path, tab: str, column: str, drop: bool
) -> None:
    from sheetsync.backends.csv_folder import CsvFolderBackend

    def ids() -> dict[str, list[str]]:
        book = CsvFolderBackend(tracker).read()
        return {t: book[t].ids() for t in ("Applications", "Drafts", "Feedback")}

    assert sync(tracker)[0] == 0
    synced = ids()
    edit_column(tracker, tab, column, drop=drop)
    cut = snapshot(tracker)
    out = repair(tracker)
    assert out.startswith("Dry run: nothing written.") and "Would restore" in out
    assert snapshot(tracker) == cut  # without --apply, nothing is written
    out = repair(tracker, "--apply")
    assert "Restored" in out
    restored = ids()
    if tab == "Applications":  # rows no tab names by id (offers, wish lists) stay blank
        pairs = zip(synced[tab], restored[tab], strict=True)
        assert all(new in ("", old) for old, new in pairs)
        assert sync(tracker)[0] == 0
        drafts = CsvFolderBackend(tracker).read()["Drafts"]
        assert sorted(drafts.ids()) == sorted(synced["Drafts"])  # none made again
        assert "obsolete" not in drafts.column("status")
    else:
        assert restored == synced
        assert sync(tracker)[0] == 0 and ids() == synced
    assert "left blank" not in out


def test_repair_leaves_an_ambiguous_row_blank_and_says_why(make_tracker) -> None:  # type: ignore[no-untyped-def]
    drafts = "draft_id,app_id,company,role,action\nx,a1,Acme,Analyst,follow_up\n"
    path = make_tracker("id,company,role\n,Acme,Analyst\n,Acme,Analyst\n", Drafts=drafts)
    before = snapshot(path)
    out = repair(path, "--apply")
    assert "Restored 0 id(s)" in out and "left blank: Applications row 2" in out
    assert "several rows" in out
    assert snapshot(path) == before


def test_undo_takes_a_repair_back(tracker: Path) -> None:
    assert sync(tracker)[0] == 0
    edit_column(tracker, "Drafts", "draft_id", drop=False)
    cut = snapshot(tracker)
    repair(tracker, "--apply")
    result = CliRunner().invoke(cli, ["undo", "--sheet", str(tracker)])
    assert result.exit_code == 0 and "Undid push" in result.output
    assert snapshot(tracker) == cut

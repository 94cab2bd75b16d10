"""The whole command line on a Google Sheet: `sheetsync sync` against the fake API."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from fakesheets import FakeGoogle

from sheetsync.cli import cli
from sheetsync.resources import sample_sheet
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS, FEEDBACK

pytest_plugins = ["fakesheets.plugin"]


def _kinds(fake: FakeGoogle) -> list[str]:
    return [e.method_id.split("spreadsheets.", 1)[1] for e in fake.log]


def test_sync_sets_up_once_then_costs_at_most_two_reads_and_one_write(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    book = fake_google.create_spreadsheet({APPLICATIONS: rows})
    width = len(rows[0])

    def user_cells(grid: list[list[object]]) -> list[list[object]]:
        return [(row + [""] * width)[:width] for row in grid]

    user_before = user_cells(book.sheet(APPLICATIONS).grid("FORMULA"))
    runner = CliRunner()
    url = f"https://docs.google.com/spreadsheets/d/{book.id}/edit#gid=0"

    first = runner.invoke(cli, ["sync", "-q", "--sheet", url, "--today", "2026-03-16"])
    assert first.exit_code == 0, first.output
    assert [s.title for s in book.sheets] == [APPLICATIONS, DRAFTS, FEEDBACK, "Dashboard"]
    assert _kinds(fake_google).count("batchUpdate") == 1  # setup: one request
    after = book.sheet(APPLICATIONS).grid("FORMULA")
    id_col = rows[0].index("id")
    status, dated = rows[0].index("status"), rows[0].index("rejected_on")
    for old, new in zip(user_before[1:], user_cells(after)[1:], strict=True):
        if str(old[status]).lower() == "rejected" and old[dated] == "":
            assert new[dated] == 46097  # dated once, as a real date: 2026-03-16 (documented)
            new = [*new[:dated], "", *new[dated + 1:]]
        if old[id_col] == "" and any(old):  # a blank id is filled on push (documented)
            assert new[id_col] != ""
            old, new = old[:id_col] + old[id_col + 1:], new[:id_col] + new[id_col + 1:]
        assert new == old
    assert any(row[width:] for row in after[1:])  # sheetsync's columns filled

    fake_google.clear_log()
    again = runner.invoke(cli, ["sync", "-q", "--sheet", url, "--today", "2026-03-16"])
    assert again.exit_code == 0, again.output
    assert _kinds(fake_google) == ["values.batchGet"]  # nothing changed: no write at all

    fake_google.clear_log()
    later = runner.invoke(cli, ["sync", "-q", "--sheet", url, "--today", "2026-03-20"])
    assert later.exit_code == 0, later.output
    kinds = _kinds(fake_google)
    assert kinds.count("values.batchGet") <= 2 and kinds.count("values.batchUpdate") <= 1
    assert "get" not in kinds and "batchUpdate" not in kinds


def test_a_google_sheet_kept_its_own_way_is_adopted(fake_google: FakeGoogle) -> None:
    """One tab named its own way, with the headers and words people use (issue 16)."""
    grid = [["Company Name", "Position", "Date Applied", "Status", "Next Action"],
            ["Acme", "Analyst", "24/01/2026", "Applied", "call Ann"],
            ["Bolt", "Engineer", "05/02/2026", "Phone Screen!", ""]]  # fmt: skip
    book = fake_google.create_spreadsheet({"Jobs 2026": grid})
    result = CliRunner().invoke(cli, ["sync", "-q", "--sheet", book.id, "--today", "2026-03-16"])
    assert result.exit_code == 0, result.output
    assert [s.title for s in book.sheets] == ["Jobs 2026", DRAFTS, FEEDBACK, "Dashboard"]
    after = book.sheet("Jobs 2026").grid("FORMULA")
    header = [str(h) for h in after[0]]
    assert header[:5] == grid[0][:5]  # the user's headers, in place
    assert "sheetsync: next action" in header  # their own Next Action stays theirs
    assert [row[:5] for row in after[1:3]] == [r[:5] for r in grid[1:]]
    ours = header.index("sheetsync: next action")
    assert after[1][ours] == "application_follow_up"

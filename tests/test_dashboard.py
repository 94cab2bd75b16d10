"""The Dashboard: numbers proved on a tracker with known counts, the tab on CSV, .xlsx
and Google Sheets written once and only where values changed, drop-downs and
highlights only on sheetsync's columns, each element once after repeated syncs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetsync.agenda.items import AgendaItem
from sheetsync.cli import cli
from sheetsync.config import Config, parse_config
from sheetsync.core.compute import compute
from sheetsync.dashboard.grid import (
    DATE_COLUMN,
    FUNNEL_ROWS,
    LISTS_FROM,
    RATE_ROW,
    WEEK_ROWS,
    grid_changes,
    overview_grid,
)
from sheetsync.dashboard.overview import build_overview
from sheetsync.dashboard.plan import hold_unapproved
from sheetsync.errors import ConfigError
from sheetsync.tracker.table import DashboardRead, Workbook

TODAY = dt.date(2026, 3, 16)  # a Monday
APPS = [
    ["id", "company", "role", "applied_on", "interview_on", "last_heard_on", "status",
     "rejected_on"],
    ["A1", "Acme", "Analyst", "2026-03-02", "2026-03-10", "", "", ""],
    ["A2", "Beta", "Planner", "2026-03-03", "", "", "rejected", "2026-03-07"],
    ["A3", "Gamma", "Lead", "2026-02-02", "2026-02-20", "2026-02-12", "offer", ""],
    ["A4", "Delta", "Clerk", "2026-03-09", "", "", "withdrawn", ""],
    ["A5", "Eps", "Coder", "2026-03-16", "", "", "", ""],
    ["A6", "Zeta", "Dream job", "", "", "", "wishlist", ""],
]  # fmt: skip


def _outcome(grid: list[list[str]] | None = None) -> object:
    wb = Workbook.from_grids({"Applications": [list(r) for r in APPS]})
    wb.dashboard = DashboardRead("Dashboard", grid)
    return compute(wb, TODAY, Config())



def _csv_tracker(tmp_path: Path) -> Path:
    """A CSV folder whose Applications.csv holds APPS."""
    folder = tmp_path / "t"
    folder.mkdir()
    with (folder / "Applications.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(APPS)
    return folder

def test_known_counts_give_the_funnel_rates_and_weeks() -> None:
    ov = _outcome().overview  # type: ignore[attr-defined]
    assert dict(ov.funnel) == {"Applications": 5, "Interviewed": 2, "Offers": 1,
                               "Rejections": 1, "Closed or withdrawn": 1,
                               "Still waiting": 2}  # fmt: skip
    assert ov.response_rate == 0.6  # Acme (interviewed), Beta (rejected), Gamma (offer)
    assert ov.median_days_to_reply == 8  # of 8 (Acme), 4 (Beta), 10 (Gamma)
    weeks = dict(ov.weekly)
    assert len(weeks) == 8 and min(weeks) == dt.date(2026, 1, 26) and max(weeks) == TODAY
    assert weeks[dt.date(2026, 2, 2)] == 1 and weeks[dt.date(2026, 3, 2)] == 2
    assert weeks[dt.date(2026, 3, 9)] == 1 and weeks[TODAY] == 1 and sum(weeks.values()) == 5


def test_lists_the_review_queue_due_actions_open_feedback_and_themes() -> None:
    typed = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]") for c in
                          ("applied_on", "interview_on", "last_heard_on", "rejected_on")}
                         ).assign(status=pd.Series(dtype=object))  # fmt: skip
    drafts = [
        {"draft_id": "d1", "app_id": "A1", "company": "Acme", "role": "Analyst",
         "action": "follow_up", "due_on": "2026-03-18", "status": "draft"},
        {"draft_id": "d2", "app_id": "A2", "company": "Beta", "role": "Planner",
         "action": "check_in", "due_on": "2026-03-17", "status": ""},
        {"draft_id": "d3", "app_id": "A3", "company": "Gamma", "role": "Lead",
         "action": "follow_up", "due_on": "2026-03-17", "status": "approved"},
    ]  # fmt: skip
    agenda = [
        AgendaItem("u1", "Applications", "A1", "Acme", "Analyst", "follow_up", TODAY, ""),
        AgendaItem("u2", "Applications", "A3", "Gamma", "Lead", "check_in",
                   TODAY + dt.timedelta(days=8), ""),
    ]
    feedback = pd.DataFrame({
        "company": ["Beta", "Kappa", "Mu", "Nu"], "role": ["Planner", "Tester", "Ops", "Dev"],
        "action_item": ["Practise SQL", "Tidy CV", "", "Read up"], "done": ["", "yes", "", "no"],
        "action_due": ["3/20/2026", "", "", ""], "received_on": ["", "", "", "2026-03-10"],
        "themes": ["technical skills; resume", "resume", "", ""],
    })  # fmt: skip
    ov = build_overview(typed, pd.Series([], dtype=bool), agenda, drafts, feedback, TODAY)
    assert [(i.company, i.what) for i in ov.due] == [("Acme", "Follow up")]  # 8 days off: out
    assert [i.company for i in ov.awaiting_approval] == ["Beta", "Acme"]  # soonest first
    assert ov.approved == 1
    assert [(i.company, i.what, i.due_on) for i in ov.feedback_open] == [
        ("Nu", "Read up", dt.date(2026, 3, 17)),  # 7 days after the answer came
        ("Beta", "Practise SQL", dt.date(2026, 3, 20))]
    assert ov.themes == [("resume", 2), ("technical skills", 1)]
    assert ov.funnel[0] == ("Applications", 0) and ov.response_rate is None


def test_the_grid_keeps_fixed_blocks_and_types_its_cells() -> None:
    ov = _outcome().overview  # type: ignore[attr-defined]
    grid = overview_grid(ov)
    assert grid[0][1] == ("2026-03-16", "date")
    assert [r[0].text for r in grid[FUNNEL_ROWS[0]:FUNNEL_ROWS[1]]] == [s for s, _ in ov.funnel]
    assert all(r[1].kind == "int" for r in grid[FUNNEL_ROWS[0]:FUNNEL_ROWS[1]])
    assert all(r[0].kind == "date" for r in grid[WEEK_ROWS[0]:WEEK_ROWS[1]])
    assert grid[RATE_ROW] == [("Response rate", "text"), ("0.6", "percent")]
    assert grid[LISTS_FROM][0].text.startswith("Due in the next 7 days")
    assert grid[LISTS_FROM + 2][DATE_COLUMN].kind == "date"  # the lists' dates: column D
    text = [[v.text for v in r] for r in grid]
    assert grid_changes(text, grid) == []
    # read back as Google gives them: a serial-number date, 0.6 as 0.6, counts as 5.0
    google = [list(r) for r in text]
    google[0][1] = "46097"
    google[FUNNEL_ROWS[0]][1] = "5.0"
    assert grid_changes(google, grid) == []
    longer = [*text, ["left", "over"]]
    assert [(c.row, c.new) for c in grid_changes(longer, grid)] == [(len(text), "")] * 2


def test_a_steady_tracker_plans_no_dashboard_write() -> None:
    first = _outcome()
    grid = first.plan.dashboard.grid  # type: ignore[attr-defined]
    assert first.plan.dashboard.create  # type: ignore[attr-defined]
    again = _outcome(grid)
    assert again.plan.dashboard is not None and not again.plan.dashboard  # type: ignore
    assert "Dashboard" not in again.plan.summary()  # type: ignore[attr-defined]


def test_require_approval_holds_actions_whose_drafts_are_not_approved() -> None:
    items = [AgendaItem(f"u{i}", "Applications", f"A{i}", "Co", "R", "follow_up", TODAY, "")
             for i in (1, 2, 3)]  # fmt: skip
    drafts = [{"draft_id": "d1", "app_id": "A1", "action": "follow_up", "status": "draft"},
              {"draft_id": "d2", "app_id": "A2", "action": "follow_up", "status": "approved"}]
    due, held = hold_unapproved(items, drafts)
    assert [i.app_id for i in due] == ["A2", "A3"]  # approved, and no draft at all
    assert [i.app_id for i in held] == ["A1"]


@pytest.mark.parametrize(("value", "expected"), [("Overview", "Overview"), (False, None)])
def test_tabs_dashboard_renames_or_switches_it_off(value: object, expected: str | None,
                                                   tmp_path: Path) -> None:  # fmt: skip
    cfg = parse_config({"tabs": {"dashboard": value}, "require_approval": True},
                       tmp_path / "sheetsync.toml")  # fmt: skip
    assert cfg.dashboard_tab == expected and cfg.require_approval
    assert parse_config({}, tmp_path / "x.toml").dashboard_tab == "Dashboard"
    with pytest.raises(ConfigError):
        parse_config({"tabs": {"dashboard": "Drafts"}}, tmp_path / "x.toml")
    with pytest.raises(ConfigError):
        parse_config({"tabs": {"dashboard": True}}, tmp_path / "x.toml")


# -- CSV folder ---------------------------------------------------------------------------


def _sync(sheet: Path, day: str = "2026-03-16", *extra: str) -> str:
    result = CliRunner().invoke(cli, ["sync", "-q", "--sheet", str(sheet), "--today", day,
                                      *extra])  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    return result.output


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_tracker_gets_dashboard_csv_rewritten_only_when_values_change(
        tmp_path: Path) -> None:  # fmt: skip
    folder = _csv_tracker(tmp_path)
    _sync(folder)
    dash = folder / "Dashboard.csv"
    grid = _csv(dash)
    assert grid[0] == ["Updated by sheetsync on", "2026-03-16"]
    assert grid[FUNNEL_ROWS[0]] == ["Applications", "5"] and grid[9] == ["Response rate", "0.6"]
    stamp = dash.stat().st_mtime_ns
    _sync(folder)
    assert dash.stat().st_mtime_ns == stamp  # nothing changed: not written
    _sync(folder, "2026-03-17")
    assert _csv(dash)[0] == ["Updated by sheetsync on", "2026-03-17"]
    dash.unlink()  # deleted by the user: back on the next sync
    _sync(folder, "2026-03-17")
    assert _csv(dash)[0] == ["Updated by sheetsync on", "2026-03-17"]
    result = CliRunner().invoke(cli, ["dashboard", "--sheet", str(folder), "--today",
                                      "2026-03-17", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["funnel"]["Applications"] == 5 and data["response_rate"] == 0.6


def test_a_renamed_or_switched_off_dashboard_is_respected(tmp_path: Path) -> None:
    folder = _csv_tracker(tmp_path)
    config = tmp_path / "sheetsync.toml"
    config.write_text('[tabs]\ndashboard = "Overview"\n')
    _sync(folder, "2026-03-16", "--config", str(config))
    assert (folder / "Overview.csv").exists() and not (folder / "Dashboard.csv").exists()
    config.write_text("[tabs]\ndashboard = false\n")
    (folder / "Overview.csv").unlink()
    _sync(folder, "2026-03-18", "--config", str(config))
    assert sorted(p.name for p in folder.glob("*.csv")) == [
        "Applications.csv", "Drafts.csv", "Feedback.csv"]


def _set_cells(path: Path, match: dict[str, str], values: dict[str, str]) -> int:
    rows = _csv(path)
    header = rows[0]
    hit = 0
    for row in rows[1:]:
        if all(row[header.index(k)] == v for k, v in match.items()):
            for k, v in values.items():
                row[header.index(k)] = v
            hit += 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return hit


def test_the_mentor_flow_end_to_end(tmp_path: Path) -> None:
    """The mentor approves a draft and writes a note; the next sync counts it, keeps their
    words, and with require_approval only approved actions reach the agenda."""
    folder = tmp_path / "t"
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    first = CliRunner().invoke(cli, ["sync", "--sheet", str(folder), "--today", "2026-03-16"])
    assert "awaiting approval" not in first.output  # no mentor at work yet: not said
    drafts = folder / "Drafts.csv"
    waiting = sum(1 for r in _csv(drafts)[1:] if r[_csv(drafts)[0].index("status")] == "draft")
    assert _set_cells(drafts, {"app_id": "A02", "action": "thank_you_email"},
                      {"status": "approved", "review_notes": "Lovely - send it"}) == 2
    result = CliRunner().invoke(cli, ["sync", "--sheet", str(folder), "--today", "2026-03-16"])
    assert f"{waiting - 2} draft(s) awaiting approval, 2 approved" in result.output
    header, *rows = _csv(drafts)
    kept = [r for r in rows if r[header.index("app_id")] == "A02"
            and r[header.index("action")] == "thank_you_email"]  # fmt: skip
    assert {(r[header.index("status")], r[header.index("review_notes")]) for r in kept} == {
        ("approved", "Lovely - send it")}
    dash = _csv(folder / "Dashboard.csv")
    title = next(i for i, r in enumerate(dash) if r and r[0].startswith("Drafts awaiting"))
    assert dash[title][0] == "Drafts awaiting approval (2 approved, not sent yet)"
    queue = dash[title + 2:title + 2 + waiting - 2]
    assert len(queue) == waiting - 2 and not any(r[0] == "Bluebird Health" and
                                                 r[2] == "Thank-you e-mail" for r in queue)

    config = tmp_path / "sheetsync.toml"
    config.write_text("require_approval = true\n")
    agenda = CliRunner().invoke(cli, ["agenda", "--sheet", str(folder), "--today", "2026-03-16",
                                      "--config", str(config), "--all", "--format", "json"])
    items = json.loads(agenda.output)
    with_drafts = {(r[header.index("app_id")], r[header.index("action")]) for r in rows}
    listed = {(i["app_id"], i["action"]) for i in items if i["tab"] == "Applications"}
    assert ("A02", "thank_you_email") in listed  # approved: on the agenda
    assert not (listed & with_drafts) - {("A02", "thank_you_email")}  # the rest wait
    assert any(i["action"] == "interview" for i in items)  # no draft: never held


def test_the_dashboard_command_prints_tables_and_markdown_and_writes_nothing(
        tmp_path: Path) -> None:  # fmt: skip
    folder = _csv_tracker(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    args = ["dashboard", "--sheet", str(folder), "--today", "2026-03-16"]
    table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "Dashboard as of 2026-03-16"
    assert "  Response rate               60%" in lines
    assert "  Still waiting               2" in lines
    markdown = CliRunner().invoke(cli, [*args, "--format", "markdown"]).output
    assert "| Applications | 5 |" in markdown and "## Feedback themes" in markdown
    assert sorted(p.name for p in folder.iterdir()) == before  # read-only


def test_a_dry_run_names_the_dashboard_and_writes_nothing(tmp_path: Path) -> None:
    folder = _csv_tracker(tmp_path)
    args = ["sync", "--sheet", str(folder), "--dry-run"]
    dry = CliRunner().invoke(cli, [*args, "--today", "2026-03-16"])
    assert "+ would create tab Dashboard" in dry.output and not (folder / "Dashboard.csv").exists()
    _sync(folder)
    dry = CliRunner().invoke(cli, [*args, "--today", "2026-03-17"])
    assert "~ Dashboard: 1 cell(s) would change" in dry.output  # only the date moved


def test_a_dashboard_tab_of_the_users_own_is_never_written(tmp_path: Path) -> None:
    folder = _csv_tracker(tmp_path)
    theirs = "Goal,Applications per week\nTarget,10\n"
    (folder / "Dashboard.csv").write_text(theirs, encoding="utf-8")
    result = CliRunner().invoke(cli, ["sync", "--sheet", str(folder), "--today", "2026-03-16"])
    assert result.exit_code == 0, result.output
    assert (folder / "Dashboard.csv").read_text(encoding="utf-8") == theirs
    assert "note: the 'Dashboard' tab is not sheetsync's Dashboard" in result.output
    assert (folder / "Drafts.csv").exists()  # the rest of the run went ahead

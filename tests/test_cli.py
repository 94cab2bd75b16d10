"""Every command through CliRunner on local trackers; results checked through the library."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import run

from sheetsync import errors
from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.cli import cli
from sheetsync.tracker.schema import APP_USER_COLUMNS

TODAY = "2026-03-16"


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def applications(path: Path) -> list[dict[str, str]]:
    table = CsvFolderBackend(path).read()["Applications"]
    return [{c: table.cell(i, c) for c in table.columns} for i in range(len(table.rows))]


def test_init_then_sync_fills_actions_and_drafts(tmp_path: Path) -> None:
    target = tmp_path / "T"
    run("init", str(target))
    before = (target / "Applications.csv").read_bytes()
    run("sync", "--sheet", str(target), "--today", TODAY)
    rows = [r for r in applications(target) if r["company"]]
    by_company = {r["company"]: r for r in rows}
    assert by_company["Northwind Analytics"]["next_action"] == "interview"
    assert by_company["Northwind Analytics"]["due_on"] == "2026-03-19"
    assert by_company["Juniper Software"]["next_action"] == ""  # offer: nothing to do
    assert all(r["id"] for r in rows)  # blank ids were filled
    drafts = CsvFolderBackend(target).read()["Drafts"]
    assert len(drafts.rows) > 5
    assert (target / "Applications.csv").read_bytes() != before


def test_second_sync_with_same_today_changes_no_byte(tracker: Path) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    first = files(tracker)
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    assert files(tracker) == first


def test_sync_leaves_every_user_cell_byte_identical(tracker: Path) -> None:
    before = applications(tracker)
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    after = applications(tracker)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        for column in APP_USER_COLUMNS:
            if column == "id" and not old["id"] and old["company"]:
                continue  # a blank id is filled once, by design
            if column == "rejected_on" and old["status"].lower() == "rejected":
                continue  # an undated rejection is dated once, by design
            assert new.get(column, "") == old.get(column, ""), column


def test_pull_writes_nothing_and_push_writes_its_result(tracker: Path) -> None:
    before = files(tracker)
    run("pull", "--sheet", str(tracker), "--today", TODAY)
    assert files(tracker) == before
    run("push", "--sheet", str(tracker), "--today", TODAY)
    assert any(r["next_action"] for r in applications(tracker))


def test_push_without_pull_says_what_to_do(tracker: Path) -> None:
    out = CliRunner().invoke(cli, ["push", "--sheet", str(tracker), "--today", TODAY])
    assert out.exit_code == errors.EXIT_USAGE
    assert "sheetsync pull" in out.output


def test_dry_run_prints_changes_and_writes_nothing(tracker: Path) -> None:
    before = files(tracker)
    out = run("sync", "--sheet", str(tracker), "--today", TODAY, "--dry-run")
    assert "next_action" in out
    assert files(tracker) == before


def test_agenda_json_and_csv_agree(tracker: Path) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    items = json.loads(run("agenda", "--sheet", str(tracker), "--today", TODAY, "--format", "json"))
    rows = list(
        csv.DictReader(
            io.StringIO(run("agenda", "--sheet", str(tracker), "--today", TODAY, "--format", "csv"))
        )
    )
    assert [i["uid"] for i in items] == [r["uid"] for r in rows]
    assert items and all(i["due_on"] <= "2026-03-23" for i in items)
    overdue = [i for i in items if i["overdue"]]
    assert overdue and all(i["due_on"] < TODAY for i in overdue)
    table = run("agenda", "--sheet", str(tracker), "--today", TODAY)
    assert "overdue" in table


def test_agenda_days_zero_lists_only_due_and_overdue(tracker: Path) -> None:
    items = json.loads(
        run("agenda", "--sheet", str(tracker), "--today", TODAY, "--days", "0", "--format", "json")
    )
    assert items and all(i["due_on"] <= TODAY for i in items)


def test_strict_exits_1_when_rows_have_problems(tracker: Path) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY, "--strict", code=errors.EXIT_PROBLEMS)
    problems = [r for r in applications(tracker) if r["problems"]]
    assert any("interview_on" in r["problems"] for r in problems)


def test_quiet_prints_only_when_something_needs_the_user(make_tracker) -> None:  # type: ignore[no-untyped-def]
    calm = make_tracker("company,role,status\nAcme,Analyst,closed\n")
    assert run("sync", "-q", "--sheet", str(calm), "--today", TODAY) == ""
    busy = make_tracker("company,role,interview_on\nAcme,Analyst,2026-03-15\n")
    assert run("sync", "-q", "--sheet", str(busy), "--today", TODAY).startswith("due today: ")


def test_missing_sheet_is_unreachable_with_a_hint(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["sync", "--sheet", str(tmp_path / "nope"), "--today", TODAY])
    assert out.exit_code == errors.EXIT_UNREACHABLE
    assert "sheetsync init" in out.output


def test_no_sheet_at_all_is_a_usage_error() -> None:
    out = CliRunner().invoke(cli, ["sync", "--today", TODAY])
    assert out.exit_code == errors.EXIT_USAGE
    assert "--sheet" in out.output


def test_bad_today_is_a_usage_error(tracker: Path) -> None:
    out = CliRunner().invoke(cli, ["sync", "--sheet", str(tracker), "--today", "16/03/2026"])
    assert out.exit_code == 2 and "2026-03-16" in out.output


def test_bad_config_is_a_usage_error(tracker: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules]\nfollow_up_after_days = 'seven'\n")
    out = CliRunner().invoke(cli, ["sync", "--sheet", str(tracker), "--config", str(bad)])
    assert out.exit_code == errors.EXIT_USAGE
    assert "follow_up_after_days" in out.output


def test_duplicate_headers_are_a_layout_error_and_nothing_is_written(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("company,Role,role\nAcme,Analyst,Lead\n")
    before = files(path)
    out = CliRunner().invoke(cli, ["sync", "--sheet", str(path), "--today", TODAY])
    assert out.exit_code == errors.EXIT_LAYOUT
    assert "B1" in out.output and "C1" in out.output
    assert files(path) == before


def test_second_run_while_locked_exits_with_its_own_code(tracker: Path) -> None:
    from sheetsync.config import Config
    from sheetsync.state import State

    state = State.open(CsvFolderBackend(tracker).key, Config().state_dir)
    with state.lock():
        out = CliRunner().invoke(cli, ["sync", "--sheet", str(tracker), "--today", TODAY])
    assert out.exit_code == errors.EXIT_LOCKED
    assert "another sheetsync run" in out.output


def test_config_supplies_the_sheet_and_rules(tracker: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "sheetsync.toml"
    cfg.write_text(f'sheet = "{tracker}"\n[rules]\nfollow_up_after_days = 10\n')
    run("sync", "--config", str(cfg), "--today", TODAY)
    quill = next(r for r in applications(tracker) if r["company"] == "Quill Media")
    assert quill["next_action"] == "follow_up"
    assert quill["due_on"] == "2026-03-16"  # 5 Mar + 10 days = Sun 15 Mar, rolled to Monday


def test_log_and_undo_restore_the_last_push(tracker: Path) -> None:
    before = files(tracker)
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    assert "sync" in run("log", "--sheet", str(tracker))
    out = run("undo", "--sheet", str(tracker))
    assert "restored" in out
    after = applications(tracker)
    assert all(r["next_action"] == "" for r in after)
    # the header row keeps the columns sheetsync added; values are back
    assert files(tracker)["Applications.csv"] != before["Applications.csv"]
    assert "Nothing to undo" in run("undo", "--sheet", str(tracker))


def test_lint_reports_problems_in_user_edited_drafts(tracker: Path) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    assert "look ready" in run("lint", "--sheet", str(tracker), "--today", TODAY)
    drafts_file = tracker / "Drafts.csv"
    text = drafts_file.read_text(encoding="utf-8")
    drafts_file.write_text(text.replace("Dear", "Hi!! Dear", 1), encoding="utf-8")
    out = run("lint", "--sheet", str(tracker), "--today", TODAY, code=errors.EXIT_PROBLEMS)
    assert "exclamation" in out and "1 of" in out


def test_init_xlsx_and_sync(tmp_path: Path) -> None:
    from sheetsync.backends.xlsx import XlsxBackend

    target = tmp_path / "tracker.xlsx"
    run("init", "--xlsx", str(target))
    run("sync", "--sheet", str(target), "--today", TODAY)
    book = XlsxBackend(target).read()
    apps = book["Applications"]
    actions = apps.column("next_action")
    assert "interview" in actions
    assert len(book["Drafts"].rows) > 5
    first = target.read_bytes()
    run("sync", "--sheet", str(target), "--today", TODAY)
    again = XlsxBackend(target).read()
    assert again["Applications"].rows == apps.rows and len(first) > 0


def test_init_refuses_to_overwrite(tracker: Path) -> None:
    out = CliRunner().invoke(cli, ["init", str(tracker)])
    assert out.exit_code == errors.EXIT_USAGE and "--force" in out.output


def test_init_name_xlsx_makes_a_workbook_that_syncs(tmp_path: Path) -> None:
    from sheetsync.backends.xlsx import XlsxBackend

    target = tmp_path / "tracker.xlsx"
    out = run("init", str(target))
    assert target.is_file() and f"Next: sheetsync sync --sheet {target}" in out
    run("sync", "--sheet", str(target), "--today", TODAY)
    assert "interview" in XlsxBackend(target).read()["Applications"].column("next_action")


def test_init_refuses_a_folder_with_only_some_tracker_files(tmp_path: Path) -> None:
    folder = tmp_path / "T"
    folder.mkdir()
    (folder / "Drafts.csv").write_text("draft_id,status\nA1:x,approved\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["init", str(folder)])
    assert out.exit_code == errors.EXIT_USAGE and "already holds a tracker" in out.output
    assert (folder / "Drafts.csv").read_text(encoding="utf-8").endswith("approved\n")


@pytest.mark.parametrize("name", ["T", "T.xlsx"])
def test_init_force_keeps_a_timestamped_backup(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    run("init", str(target))
    run("sync", "--sheet", str(target), "--today", TODAY)
    mine = target.read_bytes() if target.is_file() else (target / "Drafts.csv").read_bytes()
    out = run("init", "--force", str(target))
    (backup,) = [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert f"kept as {backup}" in out
    assert re.fullmatch(r"T\.backup-\d{8}-\d{6}(\.xlsx)?", backup.name)
    kept = backup.read_bytes() if backup.is_file() else (backup / "Drafts.csv").read_bytes()
    assert kept == mine  # the synced tracker, drafts and all


def test_doctor_reports_each_check(tracker: Path) -> None:
    out = run("doctor", "--sheet", str(tracker))
    assert "[ok ] sheet access" in out and "[ok ] state folder" in out


def test_help_lists_every_command() -> None:
    out = run("--help")
    for command in (
        "init",
        "pull",
        "push",
        "sync",
        "agenda",
        "lint",
        "feedback",
        "log",
        "undo",
        "doctor",
    ):
        assert command in out


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
def test_feedback_report_formats(tracker: Path, fmt: str) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    out = run("feedback", "--sheet", str(tracker), "--today", TODAY, "--format", fmt)
    if fmt == "json":
        json.loads(out)
    assert out.strip()


def test_installed_console_script_works_from_another_directory(tmp_path: Path) -> None:
    """The installed package carries its templates and sample (CI installs a wheel)."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "sheetsync"
    assert script.exists(), "install the project (pip install .) before running the tests"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (["init", "T"], ["sync", "--sheet", "T", "--today", TODAY]):
        done = subprocess.run(
            [str(script), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr + done.stdout
    drafts = CsvFolderBackend(elsewhere / "T").read()["Drafts"]
    assert drafts.rows and all(drafts.cell(i, "body") for i in range(len(drafts.rows)))
    assert not any("template error" in drafts.cell(i, "lint") for i in range(len(drafts.rows)))


def test_sync_ics_and_agenda_ics_describe_every_due_action(tracker: Path, tmp_path: Path) -> None:
    from icalendar import Calendar

    feed = tmp_path / "followups.ics"
    run("sync", "--sheet", str(tracker), "--today", TODAY, "--ics", str(feed))
    items = json.loads(
        run("agenda", "--sheet", str(tracker), "--today", TODAY, "--all", "--format", "json")
    )
    events = Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    assert len(events) == len(items) > 5
    by_day: dict[str, int] = {}
    for event in events:
        day = event.decoded("DTSTART").isoformat()
        by_day[day] = by_day.get(day, 0) + 1
        assert event.walk("VALARM")
    for item in items:
        by_day[item["due_on"]] -= 1
    assert set(by_day.values()) == {0}
    same = run("agenda", "--sheet", str(tracker), "--today", TODAY, "--all", "--format", "ics")
    uids = {str(e["UID"]) for e in Calendar.from_ical(same.encode()).walk("VEVENT")}
    assert uids == {str(e["UID"]) for e in events}


def test_agenda_ics_keeps_to_days_without_cancelling_later_events(tracker: Path) -> None:
    from icalendar import Calendar

    run("sync", "--sheet", str(tracker), "--today", TODAY, "--ics", str(tracker / "all.ics"))
    week = run("agenda", "--sheet", str(tracker), "--today", TODAY, "--days", "2",
               "--format", "ics")  # fmt: skip
    events = Calendar.from_ical(week.encode()).walk("VEVENT")
    assert events and all(str(e["STATUS"]) == "CONFIRMED" for e in events)
    assert max(e.decoded("DTSTART").isoformat() for e in events) <= "2026-03-18"
    everything = Calendar.from_ical((tracker / "all.ics").read_bytes()).walk("VEVENT")
    assert len(everything) > len(events)
    again = run("agenda", "--sheet", str(tracker), "--today", TODAY, "--all", "--format", "ics")
    assert "CANCELLED" not in again  # the short feed was not taken for the whole one


def test_undo_keeps_rows_the_push_added_and_says_so(tracker: Path) -> None:
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    drafts_before = CsvFolderBackend(tracker).read()["Drafts"].rows
    out = run("undo", "--sheet", str(tracker))
    assert "row added by that push, kept" in out
    assert CsvFolderBackend(tracker).read()["Drafts"].rows == drafts_before
    assert "new row" in run("log", "--sheet", str(tracker), "--cells")


def test_push_refuses_a_pull_older_than_the_last_push(tracker: Path) -> None:
    run("pull", "--sheet", str(tracker), "--today", TODAY)
    run("sync", "--sheet", str(tracker), "--today", TODAY)
    out = CliRunner().invoke(cli, ["push", "--sheet", str(tracker), "--today", TODAY])
    assert out.exit_code == errors.EXIT_USAGE and "pull" in out.output
    run("pull", "--sheet", str(tracker), "--today", TODAY)
    run("push", "--sheet", str(tracker), "--today", TODAY)


def test_agenda_and_lint_after_a_sync_render_no_draft(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.messages.render import Renderer

    run("sync", "--sheet", str(tracker), "--today", "2026-03-16")
    calls: list[str] = []
    real = Renderer.render_many

    def counting(self: Renderer, template: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(template)
        return real(self, template, *args, **kwargs)

    monkeypatch.setattr(Renderer, "render_many", counting)
    out = run("agenda", "--sheet", str(tracker), "--today", "2026-03-16")
    assert "Follow up" in out
    assert "look ready to send" in run("lint", "--sheet", str(tracker), "--today", "2026-03-16")
    assert calls == []  # every draft was remembered, none rendered again


def test_a_problem_in_the_feedback_tab_counts_and_fails_strict(make_tracker) -> None:  # type: ignore[no-untyped-def]
    feedback = (
        "feedback_id,app_id,company,role,requested_on,received_on,action_item,action_due\n"
        "fb-a1,a1,Acme,Analyst,2026-03-02,2026-03-12,Rewrite the CV,next week\n"
    )
    path = make_tracker("id,company,role,status\na1,Acme,Analyst,closed\n", Feedback=feedback)
    out = CliRunner().invoke(cli, ["sync", "--strict", "--sheet", str(path), "--today", TODAY])
    assert out.exit_code == errors.EXIT_PROBLEMS, out.output
    assert "1 row(s) with problems" in out.output
    assert "Feedback row 2" in out.output and "action_due: not a date ('next week')" in out.output
    table = CsvFolderBackend(path).read()["Feedback"]
    assert table.cell(0, "next_action") == "thank_for_feedback"  # the thank-you is still due
    agenda = run("agenda", "--sheet", str(path), "--today", TODAY, "--format", "json")
    assert [i["action"] for i in json.loads(agenda)] == ["thank_for_feedback"]


def test_share_names_a_local_tracker_before_asking_for_credentials(tracker: Path) -> None:
    out = CliRunner().invoke(cli, ["share", "mentor@example.com", "--sheet", str(tracker)])
    assert out.exit_code == errors.EXIT_USAGE
    assert "is not a Google Sheet" in out.output and "credential" not in out.output.lower()


def test_auth_login_as_the_readme_shows_it_needs_the_client_file() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert "`sheetsync auth login --client-secrets FILE`" in readme
    assert "`sheetsync auth login`" not in readme  # never shown without its required option
    out = CliRunner().invoke(cli, ["auth", "login"])
    assert out.exit_code == errors.EXIT_USAGE and "--client-secrets" in out.output

"""The README, checked against behaviour: its command blocks run, its examples hold."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.cli import cli
from sheetsync.config import parse_config

README = Path(__file__).resolve().parent.parent / "README.md"
TODAY = "2026-03-16"  # the date the sample tracker is written around


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def sheetsync_commands(block: str) -> list[list[str]]:
    """The `sheetsync ...` commands of a shell block (other steps: pip, venv, bash)."""
    out = []
    for line in block.splitlines():
        line = line.split("#", 1)[0] if not line.startswith("#") else ""
        for part in line.split("&&"):
            words = shlex.split(part)
            for n, word in enumerate(words):
                if word == "sheetsync" or word.endswith("/sheetsync"):
                    out.append(words[n + 1 :])
                    break
    return out


def invoke(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_the_quick_start_runs_as_written(isolated: Path) -> None:
    (quick_start,) = [b for b in blocks("sh") if "sheetsync init" in b]
    commands = sheetsync_commands(quick_start)
    assert [c[0] for c in commands] == ["init", "sync"] and "--today" in commands[1]
    for args in commands:
        invoke(args)
    rows = CsvFolderBackend(isolated / "tracker").read()["Applications"]
    assert {"next_action", "due_on", "why", "problems"} <= set(rows.columns)
    assert any(rows.column("next_action")) and (isolated / "tracker" / "Drafts.csv").exists()


def test_the_first_config_example_drops_sheet_and_signs_drafts(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEETSYNC_CONFIG")  # ./sheetsync.toml, as a user has it
    invoke(["init", "tracker"])
    (isolated / "sheetsync.toml").write_text(blocks("toml")[0], encoding="utf-8")
    invoke(["sync", "--today", TODAY])  # no --sheet needed
    drafts = CsvFolderBackend(isolated / "tracker").read()["Drafts"]
    assert any("Jordan Rivera" in body for body in drafts.column("body"))


def test_the_full_config_example_is_valid(isolated: Path) -> None:
    (full,) = [b for b in blocks("toml") if "[rules]" in b]
    (isolated / "my-templates").mkdir()  # the folders and files it names exist
    (isolated / "my-themes.toml").write_text("", encoding="utf-8")
    config = parse_config(tomllib.loads(full), isolated / "sheetsync.toml")
    assert config.holidays == "US" and config.holiday_subdivision == "CA"
    assert config.rules.max_follow_ups == 2 and config.me.name == "Jordan Rivera"


def test_the_cron_line_runs_and_mails_what_the_readme_shows(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEETSYNC_CONFIG")
    (cron,) = blocks("cron")
    (line,) = [x for x in cron.splitlines() if not x.startswith("#")]
    args = sheetsync_commands(line.split("&&", 1)[1])[0]
    invoke(["init", "tracker"])
    (isolated / "sheetsync.toml").write_text('sheet = "tracker"\n', encoding="utf-8")
    mail = invoke([*args, "--today", TODAY])
    (shown,) = [b for b in blocks("text") if "overdue by" in b]
    for example in shown.splitlines():
        assert example in mail.splitlines()  # the README's cron mail is real output
    assert (isolated / "followups.ics").exists()
    assert mail.splitlines()[0] in (isolated / "sheetsync.log").read_text(encoding="utf-8")


def test_the_calendar_feed_command_runs(isolated: Path) -> None:
    text = README.read_text(encoding="utf-8")
    (command,) = re.findall(r"`(sheetsync agenda [^`]*--format ics[^`]*)`", text)
    args = shlex.split(command.split(">")[0])[1:]
    invoke(["init", "tracker"])
    feed = invoke([*args, "--sheet", "tracker", "--today", TODAY])
    assert feed.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in feed


def synopses() -> list[tuple[list[str], list[str]]]:
    """(command words, options) of every `sheetsync ...` in the Commands table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("### Exit codes", 1)[0]
    out = []
    for row in re.findall(r"^\| (.*?) \|", table, re.MULTILINE):
        for usage in re.findall(r"`sheetsync ([^`]*)`", row):
            words = re.findall(r"^[a-z]+(?: (?:login|status))?", usage)[0].split()
            out.append((words, re.findall(r"--[a-z][a-z-]*", usage)))
    return out


@pytest.mark.parametrize(("words", "options"), synopses())
def test_every_command_and_option_in_the_commands_table_exists(
    words: list[str], options: list[str]
) -> None:
    help_text = invoke([*words, "--help"])
    for option in options:
        assert option in help_text, (words, option)

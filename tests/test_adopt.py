"""Trackers people already keep: their headers and status words (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, counting_ids

from sheetsync import core
from sheetsync.config import Config
from sheetsync.errors import LayoutError
from sheetsync.tracker.schema import header_synonyms, match_columns
from sheetsync.tracker.table import Table, Workbook


def _outcome(grid: list[list[str]], config: Config) -> core.Outcome:
    return core.compute(Workbook.from_grids({"Applications": grid}), TODAY, config,
                        new_id=counting_ids())  # fmt: skip


def test_a_newcomers_tracker_gets_a_next_action_without_configuration(config: Config) -> None:
    grid = [["Company Name", "Position", "Date Applied", "Status", "Salary"],
            ["Acme", "Analyst", "2026-02-20", "Applied", "$90k"],
            ["Bolt", "Engineer", "2026-03-01", "Phone Screen!", ""],
            ["Crane", "Designer", "", "Wishlist", ""]]  # fmt: skip
    outcome = _outcome(grid, config)
    apps = outcome.apps.set_index("company")
    assert apps.at["Acme", "next_action"] == "application_follow_up"
    assert apps.at["Acme", "role"] == "Analyst"
    assert apps.at["Bolt", "problems"] == ""
    assert apps.at["Crane", "next_action"] == "" and apps.at["Crane", "problems"] == ""
    assert "Not applied yet" in apps.at["Crane", "why"]
    # the user's columns are read, never written: only sheetsync's own are added
    assert outcome.plan.new_columns["Applications"] == ["next_action", "due_on", "why",
                                                       "problems", "id"]  # fmt: skip
    assert {c.column for c in outcome.plan.changes} <= {"id", "next_action", "due_on", "why",
                                                         "problems"}  # fmt: skip


def test_the_canonical_header_wins_over_a_synonym() -> None:
    columns = match_columns("Applications", ["Employer", "company", "Job Title"], [])
    assert columns == {"company": 1, "role": 2}


def test_headers_match_ignoring_case_spaces_and_punctuation() -> None:
    columns = match_columns("Applications", ["company", "Date Applied?", "E-mail", "Role (title)"],
                            [])  # fmt: skip
    assert columns["applied_on"] == 1 and columns["contact_email"] == 2
    assert "role" not in columns  # "Role (title)" is no synonym: the user's own column


def test_thank_yous_go_to_the_interviewers_under_an_interviewer_s_header(config: Config) -> None:
    grid = [["Company", "Role", "Recruiter", "Recruiter Email", "Interview Date", "Interviewer(s)"],
            ["Acme", "Analyst", "Ann Lee", "ann@acme.example", "2026-03-13",
             "Bo Chan <bo@acme.example>; Cy Diaz <cy@acme.example>"]]  # fmt: skip
    assert match_columns("Applications", grid[0], [])["interviewers"] == 5
    outcome = _outcome(grid, config)
    drafts = outcome.drafts.open_drafts
    to = sorted(d["to_name"] for d in drafts if d["action"] == "thank_you_email")
    assert to == ["Bo Chan", "Cy Diaz"]  # the interviewers, not the recruiter


def test_the_better_ranked_synonym_claims_a_column_and_the_other_stays_the_users() -> None:
    header = ["Company", "Date", "Date Applied"]
    assert match_columns("Applications", header, [])["applied_on"] == 2


def test_a_users_to_do_column_is_never_taken_over(config: Config) -> None:
    grid = [["Company", "Date Applied", "Next Step", "Follow-up Date"],
            ["Acme", "2026-02-20", "call Ann", "2026-04-01"]]  # fmt: skip
    outcome = _outcome(grid, config)
    touched = {(c.column, c.row) for c in outcome.plan.changes}
    assert all(column not in ("Next Step", "Follow-up Date") for column, _ in touched)
    assert outcome.plan.new_columns["Applications"][:4] == ["next_action", "due_on", "why",
                                                           "problems"]  # fmt: skip
    assert not set(header_synonyms()) & {"nextstep", "followupdate"}


def test_no_company_column_names_a_synonym_in_the_hint() -> None:
    with pytest.raises(LayoutError) as caught:
        match_columns("Applications", ["Firm thing", "Role"], [])
    assert "Company Name" in str(caught.value)


def test_no_synonym_is_listed_for_two_columns() -> None:
    import tomllib
    from importlib import resources

    table = tomllib.loads(resources.files("sheetsync.tracker").joinpath("headers.toml")
                          .read_text("utf-8"))["applications"]  # fmt: skip
    from sheetsync.tracker.schema import normalize_header

    seen: dict[str, str] = {}
    for column, names in table.items():
        for name in names:
            key = normalize_header(name).replace("_", "")
            assert seen.setdefault(key, column) == column, (name, column, seen[key])


def _typed(rows: list[dict[str, str]], century: int | None = None) -> tuple[object, object]:
    import pandas as pd

    from sheetsync.tracker.schema import APP_USER_COLUMNS
    from sheetsync.tracker.values import parse_applications

    frame = pd.DataFrame({c: [r.get(c, "") for r in rows] for c in APP_USER_COLUMNS}, dtype=object)
    return parse_applications(frame, "MDY", None, century)


def test_a_day_first_column_is_read_day_first_throughout() -> None:
    import datetime as dt

    apps, problems = _typed([
        {"applied_on": "05/02/2025"}, {"applied_on": "24/01/2025"},
        {"applied_on": "03/04/2025", "interview_on": "03/04/2025"},
    ])  # fmt: skip
    assert [d.date() for d in apps["applied_on"]] == [  # type: ignore[index]
        dt.date(2025, 2, 5), dt.date(2025, 1, 24), dt.date(2025, 4, 3)]  # fmt: skip
    # another column with nothing day-first in it keeps the configured order
    assert apps["interview_on"].iloc[2].date() == dt.date(2025, 3, 4)  # type: ignore[index]
    assert list(problems) == ["", "", ""]  # type: ignore[call-overload]


def test_a_column_with_both_orders_flags_the_dates_it_cannot_tell() -> None:
    apps, problems = _typed([
        {"applied_on": "24/01/2025"}, {"applied_on": "01/30/2025"},
        {"applied_on": "05/02/2025"}, {"applied_on": "2025-02-07"},
    ])  # fmt: skip
    notes = list(problems)  # type: ignore[call-overload]
    assert notes[:2] == ["", ""] and notes[3] == ""
    assert notes[2].startswith("applied_on: ambiguous") and "'05/02/2025'" in notes[2]
    assert apps["applied_on"].isna().tolist() == [False, False, True, False]  # type: ignore[index]


@pytest.mark.parametrize("placeholder", ["N/A", "n/a", "-", "--", "TBD", "none", "null"])
def test_placeholders_read_as_blank(placeholder: str) -> None:
    apps, problems = _typed([{"applied_on": "2026-02-20", "interview_on": placeholder,
                              "follow_ups_sent": placeholder}])  # fmt: skip
    assert list(problems) == [""]  # type: ignore[call-overload]
    assert apps["interview_on"].isna().all()  # type: ignore[index]


def test_an_application_dated_after_today_is_a_problem(config: Config) -> None:
    grid = [["Company", "Date Applied"], ["Acme", "2026-04-01"], ["Bolt", "2026-03-02"]]
    apps = _outcome(grid, config).apps.set_index("company")
    assert apps.at["Acme", "problems"] == "applied_on: after today - fix the date you applied"
    assert apps.at["Acme", "next_action"] == ""
    assert apps.at["Bolt", "problems"] == ""


def _configured(tmp_path: Path, text: str) -> Config:
    from sheetsync.config import load_config

    path = tmp_path / "sheetsync.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_columns_and_statuses_from_the_config_are_used_end_to_end(tmp_path: Path) -> None:
    from sheetsync.backends import open_backend
    from sheetsync.state import State

    folder = tmp_path / "tracker"
    folder.mkdir()
    original = ("Firm,When I applied,Where it stands,Next Step\n"
                "Acme,2026-02-20,Sent it off,call Ann\n")  # fmt: skip
    (folder / "Applications.csv").write_text(original, encoding="utf-8")
    config = _configured(
        tmp_path,
        '[columns]\ncompany = "Firm"\napplied_on = "When I applied"\n'
        'status = "Where it stands"\n[statuses]\n"Sent it off" = "open"\n',
    )
    backend = open_backend(str(folder), config)
    outcome = core.sync(backend, State.open(backend.key, tmp_path / "state"), config,
                        core.RunOptions(TODAY, new_id=counting_ids()))  # fmt: skip
    row = outcome.apps.iloc[0]
    assert (row["company"], row["next_action"], row["problems"]) == (
        "Acme", "application_follow_up", "")
    text = (folder / "Applications.csv").read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    assert header.startswith("Firm,When I applied,Where it stands,Next Step,")
    assert first.startswith("Acme,2026-02-20,Sent it off,call Ann,")  # the user's cells kept


def test_a_configured_header_that_is_not_there_names_the_config_line(tmp_path: Path) -> None:
    config = _configured(tmp_path, '[columns]\napplied_on = "When I applied"\n')
    table = Table("Applications", ["Company", "Applied"], [], dict(config.columns))
    with pytest.raises(LayoutError) as caught:
        _ = table.columns
    assert "[columns]" in str(caught.value) and "When I applied" in str(caught.value)


def test_an_unknown_status_word_says_where_to_give_it_a_meaning() -> None:
    _, problems = _typed([{"status": "Maybe later"}])
    assert "[statuses] in sheetsync.toml" in list(problems)[0]  # type: ignore[call-overload]


def test_the_config_refuses_columns_and_statuses_it_does_not_know(tmp_path: Path) -> None:
    from sheetsync.errors import ConfigError

    with pytest.raises(ConfigError, match="no column of that name"):
        _configured(tmp_path, '[columns]\nsalary = "Pay"\n')
    with pytest.raises(ConfigError, match="not a status"):
        _configured(tmp_path, '[statuses]\n"Sent" = "pending"\n')


def _sync_folder(folder: Path, config: Config, tmp_path: Path) -> core.Outcome:
    from sheetsync.backends import open_backend
    from sheetsync.state import State

    backend = open_backend(str(folder), config)
    state = State.open(backend.key, tmp_path / "state")
    return core.sync(backend, state, config, core.RunOptions(TODAY, new_id=counting_ids()))


def test_a_sole_csv_in_the_folder_is_the_applications_tab(tmp_path: Path, config: Config) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    (folder / "my jobs 2026.csv").write_text("Company,Date Applied\nAcme,2026-02-20\n", "utf-8")
    outcome = _sync_folder(folder, config, tmp_path)
    assert outcome.apps.iloc[0]["next_action"] == "application_follow_up"
    assert sorted(p.name for p in folder.glob("*.csv")) == [
        "Dashboard.csv", "Drafts.csv", "Feedback.csv", "my jobs 2026.csv"]  # fmt: skip
    assert "next_action" in (folder / "my jobs 2026.csv").read_text("utf-8").splitlines()[0]
    again = _sync_folder(folder, config, tmp_path)  # the Dashboard is never taken for it
    assert again.apps.iloc[0]["company"] == "Acme" and not again.plan


def test_a_workbooks_sole_sheet_is_the_applications_tab(tmp_path: Path, config: Config) -> None:
    from openpyxl import Workbook as XlWorkbook
    from openpyxl import load_workbook

    path = tmp_path / "tracker.xlsx"
    book = XlWorkbook()
    sheet = book.worksheets[0]
    sheet.title = "Sheet1"
    sheet.append(["Company Name", "Position", "Date Applied", "Status"])
    sheet.append(["Acme", "Analyst", "2026-02-20", "Applied"])
    book.save(path)
    outcome = _sync_folder(path, config, tmp_path)
    assert outcome.apps.iloc[0]["next_action"] == "application_follow_up"
    assert load_workbook(path).sheetnames == ["Sheet1", "Drafts", "Feedback", "Dashboard"]
    assert not _sync_folder(path, config, tmp_path).plan  # a second sync: nothing to write


def test_tabs_names_the_applications_tab_and_a_wrong_name_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    for name in ("Tracker", "Contacts"):
        (folder / f"{name}.csv").write_text("Company,Date Applied\nAcme,2026-02-20\n", "utf-8")
    with pytest.raises(LayoutError, match=r"\[tabs\]"):  # two candidates: it asks, never guesses
        _sync_folder(folder, _configured(tmp_path, ""), tmp_path)
    outcome = _sync_folder(folder, _configured(tmp_path, '[tabs]\napplications = "tracker"\n'),
                           tmp_path)  # fmt: skip
    assert outcome.apps.iloc[0]["next_action"] == "application_follow_up"
    with pytest.raises(LayoutError, match="no such tab"):
        _sync_folder(folder, _configured(tmp_path, '[tabs]\napplications = "Jobs"\n'), tmp_path)


def test_a_next_action_column_of_the_users_own_is_never_overwritten(
    tmp_path: Path, config: Config
) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    mine = ("Company,Date Applied,Next Action\n"
            "Acme,2026-02-20,call Ann on Friday\nBolt,2026-03-02,\n")  # fmt: skip
    (folder / "Applications.csv").write_text(mine, "utf-8")
    first = _sync_folder(folder, config, tmp_path)
    lines = (folder / "Applications.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("Company,Date Applied,Next Action,sheetsync: next action,")
    assert lines[1].startswith("Acme,2026-02-20,call Ann on Friday,application_follow_up,")
    assert first.apps.iloc[0]["next_action"] == "application_follow_up"
    again = _sync_folder(folder, config, tmp_path)  # later runs keep to their own column
    assert not again.plan
    assert (folder / "Applications.csv").read_text("utf-8").splitlines() == lines


def test_sheetsyncs_own_next_action_column_is_still_recognised() -> None:
    rows = [["Acme", "follow_up"], ["Bolt", ""]]
    assert match_columns("Applications", ["company", "next_action"], rows)["next_action"] == 1


def _workbook_with_a_slicer(path: Path) -> None:
    import zipfile

    from openpyxl import Workbook as XlWorkbook

    book = XlWorkbook()
    sheet = book.worksheets[0]
    sheet.title = "Applications"
    sheet.append(["Company", "Date Applied"])
    sheet.append(["Acme", "2026-02-20"])
    book.save(path)
    with zipfile.ZipFile(path, "a") as archive:  # as Excel stores one (openpyxl drops it)
        archive.writestr("xl/slicers/slicer1.xml", "<slicers/>")


def test_a_workbook_with_a_slicer_is_not_rewritten_silently(tmp_path: Path, config: Config) -> None:
    from sheetsync.backends.xlsx import features_lost_on_save

    path = tmp_path / "tracker.xlsx"
    _workbook_with_a_slicer(path)
    before = path.read_bytes()
    assert features_lost_on_save(path) == ["slicers"]
    with pytest.raises(LayoutError, match="slicers") as caught:
        _sync_folder(path, config, tmp_path)
    assert "xlsx_allow_loss" in str(caught.value)
    assert path.read_bytes() == before  # nothing written
    from sheetsync.state import State

    assert State.open(f"xlsx:{path.resolve()}", tmp_path / "state").pushes() == []  # nor logged
    allowed = _configured(tmp_path, "xlsx_allow_loss = true\n")
    outcome = _sync_folder(path, allowed, tmp_path)
    assert outcome.report is not None and outcome.report.written
    assert features_lost_on_save(path) == []  # the loss the user accepted


def test_a_plain_workbook_loses_nothing(tmp_path: Path) -> None:
    from openpyxl import Workbook as XlWorkbook

    from sheetsync.backends.xlsx import features_lost_on_save

    path = tmp_path / "plain.xlsx"
    XlWorkbook().save(path)
    assert features_lost_on_save(path) == []


def test_doctor_shows_the_mapping_and_the_lines_that_fix_the_rest(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheetsync.cli import cli

    folder = tmp_path / "jobs"
    folder.mkdir()
    (folder / "jobs.csv").write_text(
        "Company Name,Position,Date Applied,Status,When I heard\n"
        "Acme,Analyst,24/01/2026,Applied,03/02/2026\n"
        "Delta,PM,01/02/2026,Hoping,\n", "utf-8")  # fmt: skip
    result = CliRunner().invoke(cli, ["doctor", "--sheet", str(folder)])
    out = result.output
    assert result.exit_code == 0, out  # warnings only
    assert "company <- 'Company Name'" in out and "applied_on <- 'Date Applied'" in out
    assert "applied_on: day-first" in out
    assert "[warn] column 'When I heard': holds dates" in out
    assert "[warn] status words: not understood: 'Hoping' (1 row(s))" in out
    assert '"Hoping" = "open"' in out


def test_your_own_address_in_the_contact_column_is_not_a_recipient() -> None:
    from sheetsync.messages.wanted import recipients

    row = {"contact_name": "", "contact_email": "Jordan@Example.com", "interviewers": ""}
    assert recipients(row, "follow_up", "jordan@example.com") == [("", "")]
    assert recipients(row, "follow_up") == [("", "Jordan@Example.com")]


def test_a_templates_placeholder_rows_are_left_exactly_alone(config: Config) -> None:
    grid = [["Company", "Date Applied", "Status"],
            ["Acme", "2026-02-20", "Applied"],
            ["-", "mm/dd/yyyy", "N/A"],
            ["", "", ""]]  # fmt: skip
    outcome = _outcome(grid, config)
    touched = {c.row for c in outcome.plan.changes}
    assert touched == {0}  # only Acme's row gets an id and sheetsync's columns
    assert outcome.problem_rows == 0


def test_linkedins_dates_say_what_to_fix() -> None:
    apps, problems = _typed([{"applied_on": "2/18/26, 11:35 AM"},
                             {"applied_on": "2/18/2026, 11:35 AM"}])  # fmt: skip
    notes = list(problems)  # type: ignore[call-overload]
    assert notes[0] == ("applied_on: ambiguous: two-digit year ('2/18/26, 11:35 AM'), "
                        "write the year in full "
                        '(or set two_digit_years = "20xx" in sheetsync.toml)')  # fmt: skip
    assert notes[1] == "" and str(apps["applied_on"].iloc[1].date()) == "2026-02-18"  # type: ignore[index]


def test_two_digit_years_read_as_20xx_only_when_the_config_says_so(tmp_path: Path) -> None:
    rows = [{"applied_on": "2/18/26, 11:35 AM"}, {"applied_on": "12-Mar-26"},
            {"interview_on": "3/4/26"}]  # fmt: skip
    apps, problems = _typed(rows, century=2000)
    assert list(problems) == ["", "", ""]  # type: ignore[call-overload]
    read = apps["applied_on"].dt.strftime("%Y-%m-%d").tolist()  # type: ignore[index]
    assert read[:2] == ["2026-02-18", "2026-03-12"]
    assert str(apps["interview_on"].iloc[2].date()) == "2026-03-04"  # type: ignore[index]

    from sheetsync.config import load_config
    from sheetsync.errors import ConfigError

    path = tmp_path / "sheetsync.toml"
    path.write_text('two_digit_years = "20xx"\n', "utf-8")
    assert load_config(path).century == 2000
    path.write_text('two_digit_years = "19xx"\n', "utf-8")
    with pytest.raises(ConfigError, match='two_digit_years must be "20xx"'):
        load_config(path)
    assert Config().century is None  # refused by default: a year is never guessed


def _tracker_with_two_digit_years(tmp_path: Path) -> Path:
    folder = tmp_path / "linkedin"
    folder.mkdir()
    (folder / "jobs.csv").write_text(
        'Company Name,Position,Date Applied,Status\nAcme,Analyst,"2/18/26, 11:35 AM",Applied\n',
        "utf-8",
    )
    return folder


def test_doctor_suggests_two_digit_years_and_the_config_settles_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheetsync.cli import cli

    folder = _tracker_with_two_digit_years(tmp_path)
    out = CliRunner().invoke(cli, ["doctor", "--sheet", str(folder)]).output
    assert "[warn] applied_on years: some dates have a two-digit year" in out
    assert 'two_digit_years = "20xx"' in out
    config = tmp_path / "sheetsync.toml"
    config.write_text('two_digit_years = "20xx"\n', "utf-8")
    args = ["doctor", "--sheet", str(folder), "--config", str(config)]
    out = CliRunner().invoke(cli, args).output
    assert "two-digit" not in out and "applied_on: month-first" in out


def test_sync_verbose_logs_how_the_tracker_was_read(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheetsync.cli import cli

    folder = _tracker_with_two_digit_years(tmp_path)
    args = ["sync", "--sheet", str(folder), "--today", "2026-03-16", "--dry-run", "-v"]
    result = CliRunner().invoke(cli, args)
    assert "Applications columns: company <- 'Company Name', role <- 'Position'" in result.output
    assert 'could say: two_digit_years = "20xx"' in result.output
    quiet = CliRunner().invoke(cli, args[:-1])
    assert "Applications columns" not in quiet.output  # only with -v


def test_the_readmes_header_and_status_tables_are_made_from_the_data() -> None:
    import readme_tables

    readme = readme_tables.README.read_text("utf-8")
    assert readme_tables.generated(readme) == readme, "run: python tests/readme_tables.py"
    assert "| `company` | Company Name, Employer," in readme  # the tables are there
    assert "Ghosted" in readme_tables.statuses_table()

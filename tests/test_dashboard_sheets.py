"""The Dashboard, drop-downs, highlights and chart on real .xlsx files and on the fake
Google Sheets: each exists once after repeated syncs, lands only on sheetsync's
columns and tabs, comes back when deleted, and costs no request on a no-op sync."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fakesheets import FakeGoogle
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from sheetsync.backends.xlsx import features_lost_on_save
from sheetsync.cli import cli
from sheetsync.resources import sample_sheet
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS, FEEDBACK

pytest_plugins = ["fakesheets.plugin"]


def _sync(sheet: str, day: str = "2026-03-16") -> None:
    result = CliRunner().invoke(cli, ["sync", "-q", "--sheet", sheet, "--today", day])
    assert result.exit_code in (0, 3), result.output


def _counts(path: Path) -> dict[str, tuple[int, int, int]]:
    """Per worksheet: (drop-downs, conditional-format rules, charts)."""
    book = load_workbook(path)
    return {ws.title: (len(ws.data_validations.dataValidation),
                       sum(len(cf.rules) for cf in ws.conditional_formatting), len(ws._charts))
            for ws in book.worksheets}  # fmt: skip


def _init(path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output


def test_xlsx_elements_exist_once_after_repeated_syncs_and_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    _init(path)
    for day in ("2026-03-16", "2026-03-16", "2026-03-17", "2026-03-18"):
        _sync(str(path), day)
    assert _counts(path) == {APPLICATIONS: (1, 3, 0), DRAFTS: (1, 3, 0), FEEDBACK: (2, 0, 0),
                             "Dashboard": (0, 0, 2)}  # fmt: skip
    assert features_lost_on_save(path) == []  # what sheetsync added is never refused
    book = load_workbook(path)
    drafts = book[DRAFTS]
    header = [c.value for c in drafts[1]]
    dv = drafts.data_validations.dataValidation[0]
    letter = chr(65 + header.index("status"))
    assert f"{letter}2" in dv.sqref and dv.formula1 == '"draft,approved,sent,skipped,obsolete"'
    assert not dv.showErrorMessage  # not strict: an unknown word is kept
    apps = book[APPLICATIONS]
    header = [c.value for c in apps[1]]
    (note,) = apps.data_validations.dataValidation  # init made the column: a yes/no drop-down
    assert f"{chr(65 + header.index('handwritten_note'))}2" in note.sqref
    assert note.formula1 == '"yes,no"'
    (cf,) = list(apps.conditional_formatting)
    columns = {chr(65 + header.index(c)) for c in ("next_action", "due_on")}
    assert {r.split(":")[0][:-1] for r in str(cf.sqref).split()} <= columns
    dash = book["Dashboard"]
    assert dash["A1"].value == "Updated by sheetsync on"
    assert dash["B1"].value.date().isoformat() == "2026-03-18"
    assert isinstance(dash["B4"].value, int) and dash["B4"].number_format == "General"


def test_xlsx_deleted_chart_and_dropdown_come_back_once_users_own_are_kept(
        tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "t.xlsx"
    _init(path)
    _sync(str(path))
    book = load_workbook(path)
    book["Dashboard"]._charts = []
    book[DRAFTS].data_validations.dataValidation = []
    own = DataValidation(type="list", formula1='"mine,yours"', allow_blank=True)
    own.add("A2:A50")
    book[FEEDBACK].add_data_validation(own)  # the user's, on a column of theirs
    book.save(path)
    _sync(str(path), "2026-03-17")
    _sync(str(path), "2026-03-18")
    counts = _counts(path)
    assert counts["Dashboard"] == (0, 0, 2) and counts[DRAFTS][0] == 1
    assert counts[FEEDBACK][0] == 3  # theirs, and ours on `done` and `interviewed`, each once
    formulas = [dv.formula1 for dv in load_workbook(path)[FEEDBACK].data_validations.dataValidation]
    assert '"mine,yours"' in formulas


def _google_sheet(fake: FakeGoogle) -> Any:
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    return fake.create_spreadsheet({APPLICATIONS: rows})


def _kinds(fake: FakeGoogle) -> list[str]:
    return [e.method_id.split("spreadsheets.", 1)[1] for e in fake.log]


def test_google_sets_everything_up_in_one_request_then_a_noop_costs_one_read(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    book = _google_sheet(fake_google)
    _sync(book.id)
    assert _kinds(fake_google).count("batchUpdate") == 1
    dash = book.sheet("Dashboard")
    assert [c["spec"]["title"] for c in dash.charts] == ["Funnel", "Applications per week"]
    (warning,) = dash.protected  # typing into it warns: sheetsync rewrites it
    assert warning["warningOnly"] and warning["description"].startswith("sheetsync")
    assert dash.get(0, 0).value == "Updated by sheetsync on"
    assert dash.get(0, 1).value == 46097  # a real date
    assert dash.get(3, 0).value == "Applications" and isinstance(dash.get(3, 1).value, int)
    drafts, feedback, apps = (book.sheet(t) for t in (DRAFTS, FEEDBACK, APPLICATIONS))
    header = [drafts.get(0, c).value for c in range(drafts.cols) if drafts.get(0, c)]
    (validation,) = drafts.validations
    assert validation["range"]["startColumnIndex"] == header.index("status")
    assert validation["rule"]["strict"] is False
    assert [v["userEnteredValue"] for v in validation["rule"]["condition"]["values"]] == [
        "draft", "approved", "sent", "skipped", "obsolete"]
    assert len(feedback.validations) >= 1 and not apps.validations  # the user's tab: none
    assert len(apps.conditional_formats) == 3 and len(drafts.conditional_formats) == 3
    app_header = [apps.get(0, c).value for c in range(apps.cols) if apps.get(0, c)]
    ours = {app_header.index("next_action"), app_header.index("due_on")}
    for rule in apps.conditional_formats:
        for rng in rule["ranges"]:
            assert set(range(rng["startColumnIndex"], rng["endColumnIndex"])) <= ours

    fake_google.clear_log()
    _sync(book.id)
    assert _kinds(fake_google) == ["values.batchGet"]  # a no-op: one read, nothing written
    fake_google.clear_log()
    _sync(book.id, "2026-03-17")
    kinds = _kinds(fake_google)
    assert "batchUpdate" not in kinds and kinds.count("values.batchUpdate") == 1
    assert dash.get(0, 1).value == 46098
    assert (len(dash.charts), len(drafts.validations), len(apps.conditional_formats)) == (2, 1, 3)


def test_google_deleted_dashboard_comes_back_once_with_its_chart(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    book = _google_sheet(fake_google)
    _sync(book.id)
    book.sheets.remove(book.sheet("Dashboard"))
    _sync(book.id, "2026-03-17")
    _sync(book.id, "2026-03-17")
    dashboards = [s for s in book.sheets if s.title == "Dashboard"]
    assert len(dashboards) == 1 and len(dashboards[0].charts) == 2
    assert dashboards[0].get(0, 1).value == 46098
    chart = dashboards[0].charts[0]
    (source,) = chart["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"]
    assert source["sheetId"] == dashboards[0].sheet_id  # points at the Dashboard's cells


def test_google_what_was_removed_comes_back_once_on_the_first_sync_of_a_week(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    book = _google_sheet(fake_google)
    _sync(book.id)
    dash, drafts, apps = (book.sheet(t) for t in ("Dashboard", DRAFTS, APPLICATIONS))
    dash.charts.pop(0)  # the funnel
    drafts.validations.clear()
    apps.conditional_formats.pop()
    fake_google.clear_log()
    _sync(book.id, "2026-03-20")  # within the week: not looked at (no extra request)
    assert "get" not in _kinds(fake_google) and len(dash.charts) == 1
    fake_google.clear_log()
    _sync(book.id, "2026-03-23")  # a week on: one look, one setup request puts them back
    kinds = _kinds(fake_google)
    assert kinds.count("get") == 2 and kinds.count("batchUpdate") == 1
    assert (len(dash.charts), len(drafts.validations), len(apps.conditional_formats)) == (2, 1, 3)
    _sync(book.id, "2026-03-30")
    _sync(book.id, "2026-04-06")
    assert (len(dash.charts), len(drafts.validations), len(apps.conditional_formats)) == (2, 1, 3)
    assert len(drafts.conditional_formats) == 3 and len(book.sheet(FEEDBACK).validations) >= 1


def test_google_a_users_own_dropdown_and_highlight_are_never_replaced(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    from sheetsync.tracker.schema import ALL_COLUMNS

    rows = list(csv.reader(io.StringIO(sample_sheet())))
    header = list(ALL_COLUMNS[DRAFTS])
    book = fake_google.create_spreadsheet({APPLICATIONS: rows, DRAFTS: [header]})
    drafts = book.sheet(DRAFTS)
    status = header.index("status")
    theirs = {"range": {"sheetId": drafts.sheet_id, "startRowIndex": 1,
                        "startColumnIndex": status, "endColumnIndex": status + 1},
              "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                  {"userEnteredValue": "todo"}, {"userEnteredValue": "done"}]}}}  # fmt: skip
    drafts.validations.append(theirs)
    own_rule = {"ranges": [{"sheetId": drafts.sheet_id, "startColumnIndex": 0,
                            "endColumnIndex": 1}],
                "booleanRule": {"condition": {"type": "NOT_BLANK"},
                                "format": {"backgroundColor": {"red": 1}}}}  # fmt: skip
    drafts.conditional_formats.append(own_rule)
    for day in ("2026-03-16", "2026-03-23", "2026-03-30"):
        _sync(book.id, day)
    assert drafts.validations == [theirs]  # theirs, untouched, and no second one
    assert own_rule in drafts.conditional_formats and len(drafts.conditional_formats) == 4


def test_the_fake_checks_dropdown_highlight_and_chart_bodies_as_google_does(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    import pytest
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    from sheetsync.backends.google.decor import chart_requests, dropdown_requests
    from sheetsync.backends.google.transport import GoogleTransport

    book = fake_google.create_spreadsheet({"Sheet1": [["status"]]})
    client = HTTPClient(None, session=GoogleTransport())  # type: ignore[arg-type]
    good = dropdown_requests(0, DRAFTS, {"status": 0}, {"status"})
    bad_rule = {"setDataValidation": {"range": {"sheetId": 0}, "rule": {
        "condition": {"type": "ONE_OF_LIST"}, "strictness": True}}}  # fmt: skip
    for request, message in (
        (bad_rule, 'Unknown name "strictness"'),
        ({"addChart": {"chart": {"spec": {"basicChart": {"chartType": "PIE"}}}}}, "chartType"),
        ({"addConditionalFormatRule": {"rule": {"ranges": [{"sheetId": 0}], "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "A2>1"}]},
            "format": {}}}}}, "must start with ="),  # fmt: skip
        ({"addChart": {"chart": {"spec": {}, "position": {"overlayPosition": {
            "anchorCell": {"sheetId": 99}}}}}}, "No grid with id: 99"),  # fmt: skip
    ):
        with pytest.raises(APIError, match=message):
            client.batch_update(book.id, {"requests": [*good, request]})
    sheet = book.sheet("Sheet1")
    assert not sheet.validations and not sheet.charts  # a refused batch applies nothing
    client.batch_update(book.id, {"requests": [*good, *chart_requests(0, set())]})
    assert len(sheet.validations) == 1 and len(sheet.charts) == 2


def test_google_a_dashboard_deleted_while_a_sync_runs_is_made_again(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    import datetime as dt

    from sheetsync import core
    from sheetsync.backends.google.cache import CACHE_FOLDER
    from sheetsync.backends.google.sheets import open_google_backend
    from sheetsync.config import Config
    from sheetsync.state import State, default_state_root

    book = _google_sheet(fake_google)
    _sync(book.id)
    config = Config()
    backend = open_google_backend(book.id, config, cache_dir=default_state_root() / CACHE_FOLDER)
    backend.dashboard_tab = "Dashboard"
    real = backend.write

    def write(plan: Any, base: Any) -> Any:
        book.sheets.remove(book.sheet("Dashboard"))  # deleted after the read
        return real(plan, base)

    backend.write = write  # type: ignore[method-assign]
    state = State.open(backend.key, config.state_dir)
    core.sync(backend, state, config, core.RunOptions(today=dt.date(2026, 3, 17)))
    dash = book.sheet("Dashboard")
    assert dash.get(0, 1).value == 46098 and len(dash.charts) == 2
    assert dash.get(3, 0).value == "Applications"  # the whole tab, not just what changed


def test_xlsx_a_dashboard_sheet_of_the_users_own_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    _init(path)
    book = load_workbook(path)
    mine = book.create_sheet("Dashboard")
    mine["A1"], mine["B1"] = "My goals", 10
    book.save(path)
    _sync(str(path))
    _sync(str(path), "2026-03-17")
    book = load_workbook(path)
    assert [[c.value for c in r] for r in book["Dashboard"].iter_rows()] == [["My goals", 10]]
    assert not book["Dashboard"]._charts and book.sheetnames.count("Dashboard") == 1


def test_google_a_dashboard_tab_of_the_users_own_is_left_alone(
        fake_google: FakeGoogle) -> None:  # fmt: skip
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    book = fake_google.create_spreadsheet({APPLICATIONS: rows, "Dashboard": [["Goal", 10]]})
    _sync(book.id)
    _sync(book.id, "2026-03-23")
    mine = book.sheet("Dashboard")
    assert mine.grid() == [["Goal", 10]] and not mine.charts and not mine.protected
    assert [s.title for s in book.sheets] == [APPLICATIONS, "Dashboard", DRAFTS, FEEDBACK]


def test_xlsx_dashboard_text_never_becomes_a_formula(tmp_path: Path) -> None:
    from openpyxl import Workbook as XlWorkbook

    path = tmp_path / "t.xlsx"
    book = XlWorkbook()
    book.worksheets[0].title = APPLICATIONS
    book.worksheets[0].append(["company", "role", "applied_on"])
    book.worksheets[0].append(["=1+1", "Analyst", "2026-03-02"])
    book.save(path)
    _sync(str(path))
    dash = load_workbook(path)["Dashboard"]
    cells = [c for row in dash.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)

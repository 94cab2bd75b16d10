"""The Google Sheets backend against the fake Sheets API, driven by real gspread."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fakesheets import FakeGoogle, Formula
from gsheets_helpers import (
    APP_HEADER,
    COL,
    app_row,
    computed_plan,
    make_backend,
    rows_by_id,
    tracker_grids,
)

from sheetsync.backends.google.cells import (
    grid_extent,
    is_google_sheet,
    parse_spreadsheet_key,
    to_serial,
    to_text,
    value_ranges,
)
from sheetsync.backends.google.sheets import GoogleSheetsBackend
from sheetsync.errors import ConfigError
from sheetsync.tracker.plan import CellChange, Plan, RowAppend
from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS, DRAFTS, FEEDBACK

pytest_plugins = ["fakesheets.plugin"]

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


# ------------------------------------------------------------------ addressing
@pytest.mark.parametrize("value", [
    KEY,
    f"gsheets:{KEY}",
    f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
    f"https://docs.google.com/spreadsheets/d/{KEY}",
    f"docs.google.com/spreadsheets/u/1/d/{KEY}/edit?usp=sharing",
    f"https://docs.google.com/a/example.com/spreadsheets/d/{KEY}/edit",
    f"https://drive.google.com/open?id={KEY}",
    f"https://drive.google.com/file/d/{KEY}/view",
    f"https://docs.google.com/spreadsheet/ccc?key={KEY}&usp=drive_web",
])  # fmt: skip
def test_sheet_urls_and_keys_give_the_key(value: str) -> None:
    assert parse_spreadsheet_key(value) == KEY
    assert is_google_sheet(value)


def test_published_links_and_junk_are_refused_with_a_hint() -> None:
    with pytest.raises(ConfigError, match="Publish to the web") as info:
        parse_spreadsheet_key("https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnopqrstuvwxyz/pubhtml")
    assert "address" in (info.value.hint or "")
    with pytest.raises(ConfigError, match="not a Google Sheets URL"):
        parse_spreadsheet_key("https://example.com/sheet")
    assert not is_google_sheet("tracker")


def test_key_is_stable_and_labelled(fake_google: FakeGoogle) -> None:
    backend = GoogleSheetsBackend(f"https://docs.google.com/spreadsheets/d/{KEY}/edit")
    assert backend.key == f"gsheets:{KEY}"
    assert KEY in backend.label


# ------------------------------------------------------------------ values
@pytest.mark.parametrize(("value", "text"), [
    (46093, "46093"), (46093.0, "46093"), (1.5, "1.5"), (0.1, "0.1"), (1e-7, "0.0000001"),
    (True, "TRUE"), (False, "FALSE"), (None, ""), ("00123", "00123"), ("nan", "nan"),
    (" x ", " x "), (-3, "-3"), (12345678901234567890, "12345678901234567890"),
])  # fmt: skip
def test_cells_become_exact_text(value: object, text: str) -> None:
    assert to_text(value) == text


def test_returned_ranges_give_the_grid_size() -> None:
    assert grid_extent("Applications!A1:A1000") == (1000, 1)
    assert grid_extent("'My ''Tab'''!A1:Z1") == (1, 26)
    assert grid_extent("Sheet1!A1:AB5001") == (5001, 28)


def test_cells_are_grouped_into_few_small_ranges_with_nothing_extra() -> None:
    cells = {(r, c): f"{r}.{c}" for r in range(1, 6) for c in (21, 22, 23)}
    cells[(7, 21)] = "x"
    cells[(7, 24)] = "y"  # a gap of two cells: bridged with nulls
    cells[(7, 30)] = "z"  # far away: its own range
    ranges = value_ranges("Apps", cells)
    assert [r["range"] for r in ranges] == ["'Apps'!V2:X6", "'Apps'!V8:Y8", "'Apps'!AE8"]
    assert ranges[1]["values"] == [["x", None, None, "y"]]
    sent = {(r, c) for vr in ranges for r, c in _cells_of(vr)}
    assert sent == set(cells)


def _cells_of(vr: dict) -> list[tuple[int, int]]:
    start = vr["range"].split("!")[1].split(":")[0]
    letters = "".join(ch for ch in start if ch.isalpha())
    col0 = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters))) - 1
    row0 = int(start[len(letters):]) - 1
    return [(row0 + i, col0 + j) for i, row in enumerate(vr["values"])
            for j, v in enumerate(row) if v is not None]  # fmt: skip


# ------------------------------------------------------------------ reads
def test_read_returns_exact_text(fake_google: FakeGoogle, tmp_path: Path) -> None:
    header = ["id", "company", "applied_on", "notes", "Salary", "follow_ups_sent", "role"]
    book = fake_google.create_spreadsheet({APPLICATIONS: [
        header,
        ["a1", "00123", 46093, "=SUM(A1)", "1,5", 2, True],
        ["a2", "nan", "2026-03-16", Formula("=1+1", 2), 1.5, "", False],
        [],
        ["a3", "Acme", "03/16/2026", "+1", "", 1e-7, "  spaced  "],
    ]})  # fmt: skip
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    table = wb[APPLICATIONS]
    assert table.header == header
    assert table.rows == [
        ["a1", "00123", "46093", "=SUM(A1)", "1,5", "2", "TRUE"],
        ["a2", "nan", "2026-03-16", "2", "1.5", "", "FALSE"],
        [],
        ["a3", "Acme", "03/16/2026", "+1", "", "0.0000001", "  spaced  "],
    ]
    assert DRAFTS not in wb and FEEDBACK not in wb  # missing tabs are missing keys
    # One batchGet of every tab (400: a tab is missing), metadata, one batchGet again.
    assert [e.method_id.rsplit(".", 1)[-1] for e in fake_google.log] == [
        "batchGet", "get", "batchGet"]
    query = fake_google.log[0].query
    assert query["ranges"] == ["'Applications'", "'Drafts'", "'Feedback'"]
    assert query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_read_of_a_complete_tracker_is_one_request(fake_google: FakeGoogle, tmp_path: Path
                                                   ) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(10))
    wb = make_backend(fake_google, book, tmp_path).read()
    assert fake_google.count() == 1
    assert set(wb) == {APPLICATIONS, DRAFTS, FEEDBACK}
    assert wb[APPLICATIONS].rows[0][COL["applied_on"]] == str(app_row(0)[COL["applied_on"]])
    assert wb[DRAFTS].header == list(ALL_COLUMNS[DRAFTS]) and wb[DRAFTS].rows == []


def test_tabs_named_a_little_differently_are_found_and_remembered(fake_google: FakeGoogle,
                                                                  tmp_path: Path) -> None:
    grids = tracker_grids(2)
    book = fake_google.create_spreadsheet({"Applications ": grids[APPLICATIONS],
                                           "drafts": grids[DRAFTS]})  # fmt: skip
    wb = make_backend(fake_google, book, tmp_path / "cache").read()
    assert set(wb) == {APPLICATIONS, DRAFTS} and len(wb[APPLICATIONS].rows) == 2
    assert fake_google.count() == 3  # a tab is missing: metadata, then read again
    fake_google.clear_log()
    again = make_backend(fake_google, book, tmp_path / "cache")
    assert again.read()[APPLICATIONS].rows == wb[APPLICATIONS].rows
    assert fake_google.requests()[0].query["ranges"][0] == "'Applications '"


def test_tab_names_that_look_like_cells_are_read_by_quoting(fake_google: FakeGoogle) -> None:
    """An unquoted ``tab1`` is cell TAB1 to Google; quoted, it is the tab."""
    book = fake_google.create_spreadsheet({"Sheet1": [["x"]], "tab1": [["y"]]})
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    from sheetsync.backends.google.transport import GoogleTransport

    client = HTTPClient(None, session=GoogleTransport())  # type: ignore[arg-type]
    ok = client.values_batch_get(book.id, ["'tab1'"])
    assert ok["valueRanges"][0]["values"] == [["y"]]
    with pytest.raises(APIError, match="exceeds grid limits"):
        client.values_batch_get(book.id, ["tab1"])


# ------------------------------------------------------------------ request budget
@pytest.mark.parametrize("n", [10, 5000])
def test_a_sync_costs_two_reads_and_one_write_at_any_size(fake_google: FakeGoogle,
                                                          tmp_path: Path, n: int) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(n), rows=n + 100)
    cache = tmp_path / "cache"
    first = make_backend(fake_google, book, cache)  # first contact: layout checked once
    first.write(computed_plan(first.read(), day=date(2026, 3, 19)), first.read())

    fake_google.clear_log()
    backend = make_backend(fake_google, book, cache)  # a later cron run: a new process
    wb = backend.read()
    report = backend.write(computed_plan(wb), wb)

    methods = [e.method_id.split("spreadsheets.", 1)[1] for e in fake_google.log]
    assert methods == ["values.batchGet", "values.batchGet", "values.batchUpdate"]
    assert report.written == 3 * n and report.dropped == [] and report.requests == 2
    reread = fake_google.log[1].query["ranges"]
    assert reread == ["'Applications'"]  # the whole tab, in the same single request
    body = fake_google.log[2].json
    assert body["valueInputOption"] == "RAW"
    assert len(body["data"]) == 1  # every row's three owned cells: one block
    assert body["data"][0]["range"] == f"'Applications'!X2:Z{n + 1}"
    rows = rows_by_id(book)
    assert rows["a00003"][COL["next_action"]] == "follow_up"
    assert rows["a00003"][COL["due_on"]] == to_serial(date(2026, 3, 20))
    assert rows["a00003"][COL["why"]] == "because a00003"


def test_an_empty_plan_sends_nothing(fake_google: FakeGoogle, tmp_path: Path) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(3))
    backend = make_backend(fake_google, book, tmp_path)
    wb = backend.read()
    fake_google.clear_log()
    report = backend.write(Plan(), wb)
    assert fake_google.count() == 0 and report.requests == 0 and report.written == 0


# ------------------------------------------------------------------ rows addressed by id
def _user_cells(row: list) -> list:
    owned = {COL[c] for c in ("next_action", "due_on", "why", "problems")}
    return [v for i, v in enumerate(row) if i not in owned]


def test_rows_inserted_and_resorted_between_read_and_write_get_their_own_values(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(40))
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    plan = computed_plan(wb)
    sheet = book.sheet(APPLICATIONS)
    # Meanwhile, in the browser: a new row at the top, then a sort by company, descending.
    sheet.insert_rows(1)
    for c, v in enumerate(app_row(999)):
        sheet.set(1, c, v)
    sheet.sort_rows(COL["company"], reverse=True)
    before = {k: _user_cells(v) for k, v in rows_by_id(book).items()}

    report = backend.write(plan, wb)

    assert report.dropped == [] and report.written == 3 * 40
    after = rows_by_id(book)
    assert {k: _user_cells(v) for k, v in after.items()} == before  # user cells untouched
    for key, row in after.items():
        if key == "a00999":  # the new row: not in the plan, so nothing written
            assert len(row) <= COL["next_action"] or row[COL["next_action"]] == ""
            continue
        assert row[COL["next_action"]] == "follow_up"
        assert row[COL["why"]] == f"because {key}"


def test_a_row_deleted_in_between_is_dropped_and_reported(fake_google: FakeGoogle,
                                                          tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(5))
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    plan = computed_plan(wb)
    sheet = book.sheet(APPLICATIONS)
    sheet.delete_rows(3)  # a00002
    sheet.set(4, COL["id"], "a-renamed")  # a00004's id edited by hand
    grid_before = sheet.grid("FORMULA")

    report = backend.write(plan, wb)

    assert len(report.dropped) == 6 and report.written == 9
    assert all("a00002" in d or "a00004" in d for d in report.dropped)
    assert "deleted or its id changed" in report.dropped[0]
    after = rows_by_id(book)
    assert "a00002" not in after
    assert after["a-renamed"] == grid_before[4]  # never written anywhere
    assert after["a00003"][COL["next_action"]] == "follow_up"
    assert after["a00003"][COL["why"]] == "because a00003"


def test_rows_without_id_are_matched_on_their_cells(fake_google: FakeGoogle,
                                                    tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(3)
    grids[APPLICATIONS][2][COL["id"]] = ""  # a00001 has no id yet
    book = fake_google.create_spreadsheet(grids)
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    plan = Plan(changes=[CellChange(APPLICATIONS, 1, "", "id", "", "a-new"),
                         CellChange(APPLICATIONS, 1, "", "why", "", "filled")])  # fmt: skip
    sheet = book.sheet(APPLICATIONS)
    sheet.insert_rows(1)  # another id-less row above it, with other cells
    sheet.set(1, COL["company"], "Someone Else")
    report = backend.write(plan, wb)
    assert report.dropped == []
    grid = sheet.grid()
    assert grid[3][COL["id"]] == "a-new" and grid[3][COL["why"]] == "filled"
    assert grid[1][COL["id"]] == ""


def test_a_column_inserted_in_between_is_followed(fake_google: FakeGoogle,
                                                  tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(4))
    backend = make_backend(fake_google, book, tmp_path / "cache")
    backend.write(Plan(changes=[CellChange(APPLICATIONS, 0, "a00000", "why", "", "setup")]),
                  backend.read())  # layout checked; from here on the budget holds
    wb = backend.read()
    sheet = book.sheet(APPLICATIONS)
    sheet.insert_columns(0)
    sheet.set(0, 0, "Priority")
    fake_google.clear_log()
    report = backend.write(computed_plan(wb), wb)
    assert report.dropped == []
    assert fake_google.count("values.batchGet") == 1  # the whole tab is re-read anyway
    rows = {str(r[1]): r for r in sheet.grid()[1:]}
    assert rows["a00002"][COL["why"] + 1] == "because a00002"
    assert rows["a00002"][0] == ""  # the user's new column is not written


# ------------------------------------------------------------------ what gets written
def test_text_is_written_raw_and_never_becomes_a_formula(fake_google: FakeGoogle,
                                                         tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(1))
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    texts = {"next_action": "=SUM(A1)", "why": "+1", "problems": "00123", "due_on": ""}
    backend.write(Plan(changes=[CellChange(APPLICATIONS, 0, "a00000", c, "", t)
                                for c, t in texts.items()]), wb)  # fmt: skip
    backend.write(Plan(appends=[RowAppend(DRAFTS, "d1", {"draft_id": "d1", "body": "=HYPERLINK(1)",
                                                         "subject": "1,5", "to_name": "TRUE"})]),
                  backend.read())  # fmt: skip
    row = book.sheet(APPLICATIONS).grid("FORMULA")[1]
    assert row[COL["next_action"]] == "=SUM(A1)" and row[COL["why"]] == "+1"
    assert row[COL["problems"]] == "00123"
    meta = book.metadata(include_grid=True, ranges=["'Applications'!V2:Y2", "'Drafts'!A2:P2"])
    entered = [v.get("userEnteredValue") for s in meta["sheets"] for d in s.get("data", [])
               for r in d["rowData"] for v in r["values"] if v.get("userEnteredValue")]  # fmt: skip
    assert entered and all("stringValue" in e for e in entered), entered
    assert {"stringValue": "=HYPERLINK(1)"} in entered


def test_dates_follow_the_column_and_ints_are_numbers(fake_google: FakeGoogle,
                                                      tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(3)
    rows = grids[APPLICATIONS]
    rows[1][COL["thank_you_sent_on"]] = to_serial(date(2026, 3, 1))  # formatted as dates
    rows[1][COL["last_follow_up_on"]] = "2026-03-01"  # typed as text
    rows[2][COL["last_follow_up_on"]] = "2026-03-02"
    book = fake_google.create_spreadsheet(grids)
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    day = "2026-03-20"
    backend.write(Plan(changes=[
        CellChange(APPLICATIONS, 2, "a00002", "thank_you_sent_on", "", day, "date"),
        CellChange(APPLICATIONS, 2, "a00002", "last_follow_up_on", "", day, "date"),
        CellChange(APPLICATIONS, 2, "a00002", "due_on", "", day, "date"),
        CellChange(APPLICATIONS, 2, "a00002", "follow_ups_sent", "", "2", "int"),
        CellChange(APPLICATIONS, 1, "a00001", "due_on", "", "someday", "date"),
    ]), wb)  # fmt: skip
    row = rows_by_id(book)["a00002"]
    assert row[COL["thank_you_sent_on"]] == to_serial(date(2026, 3, 20))
    # a real date even where the user's column holds text dates
    assert row[COL["last_follow_up_on"]] == to_serial(date(2026, 3, 20))
    assert row[COL["due_on"]] == to_serial(date(2026, 3, 20))
    assert row[COL["follow_ups_sent"]] == 2
    assert rows_by_id(book)["a00001"][COL["due_on"]] == "someday"  # unreadable: kept as text
    sheet = book.sheet(APPLICATIONS)
    assert sheet.number_format(3, COL["due_on"]) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    # the written cell shows as a date; the user's other cells keep their formatting
    assert sheet.number_format(3, COL["last_follow_up_on"]) == {"type": "DATE",
                                                                "pattern": "yyyy-mm-dd"}
    assert sheet.number_format(1, COL["last_follow_up_on"]) is None
    assert rows_by_id(book)["a00001"][COL["last_follow_up_on"]] == "2026-03-02"
    writes = [e for e in fake_google.log if e.method_id.endswith("values.batchUpdate")]
    assert [w.json["valueInputOption"] for w in writes][-2:] == ["RAW", "USER_ENTERED"]
    assert "2026-03-20" in str(writes[-1].json) and "follow" not in str(writes[-1].json)


def test_appends_go_below_the_last_row_and_grow_the_grid(fake_google: FakeGoogle,
                                                         tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(2)
    grids[DRAFTS].append(["d0", "a00000", "Company 0"])
    book = fake_google.create_spreadsheet(grids, rows=4)
    backend = make_backend(fake_google, book, tmp_path / "cache")

    def draft(i: int) -> RowAppend:
        return RowAppend(DRAFTS, f"d{i}", {"draft_id": f"d{i}", "app_id": "a00001",
                                           "due_on": "2026-03-21", "status": "draft"},
                         {"due_on": "date"})  # fmt: skip

    backend.write(Plan(appends=[draft(1)]), backend.read())  # first contact: layout checked
    wb = backend.read()
    drafts = book.sheet(DRAFTS)
    drafts.set(3, 9, "a user's note below the drafts")  # row 4, typed in the browser
    fake_google.clear_log()
    report = backend.write(Plan(appends=[draft(2), draft(3)]), wb)
    assert report.written == 8
    grid = drafts.grid()
    assert grid[3][9] == "a user's note below the drafts"
    assert [r[0] for r in grid[1:6]] == ["d0", "d1", "", "d2", "d3"]
    assert grid[4][10] == to_serial(date(2026, 3, 21))
    kinds = [e.method_id.rsplit(".", 1)[-1] for e in fake_google.log]
    assert kinds == ["batchGet", "batchUpdate", "batchUpdate"]
    grow = fake_google.log[1].json["requests"]
    due = ALL_COLUMNS[DRAFTS].index("due_on")
    assert grow == [{"appendDimension": {"sheetId": drafts.sheet_id, "dimension": "ROWS",
                                         "length": 102}},
                    {"repeatCell": {"range": {"sheetId": drafts.sheet_id, "startRowIndex": 4,
                                              "startColumnIndex": due, "endColumnIndex": due + 1,
                                              "endRowIndex": 106},
                                    "cell": {"userEnteredFormat": {"numberFormat": {
                                        "type": "DATE", "pattern": "yyyy-mm-dd"}}},
                                    "fields": "userEnteredFormat.numberFormat"}}]  # fmt: skip
    # Rows Google appends come without formats: the new rows get the date format in the
    # same request, so the due date shows as a date, not a serial number.
    assert drafts.number_format(4, due) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert drafts.grid("FORMATTED_VALUE")[4][due] == "2026-03-21"


def test_large_pushes_are_split_only_past_the_payload_limit(fake_google: FakeGoogle,
                                                            tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(60))
    backend = make_backend(fake_google, book, tmp_path / "cache", max_payload_bytes=1500)
    wb = backend.read()
    plan = Plan(changes=[CellChange(APPLICATIONS, r, f"a{r:05d}", "why", "", f"w{r}")
                         for r in range(0, 60, 2)])  # scattered: one range per row
    fake_google.clear_log()
    report = backend.write(plan, wb)
    bodies = [e for e in fake_google.log if e.method_id.endswith("values.batchUpdate")]
    assert len(bodies) > 1 and all(len(e.body) <= 1500 for e in bodies)
    assert report.written == 30
    assert rows_by_id(book)["a00058"][COL["why"]] == "w58"


# ------------------------------------------------------------------ setup
def test_setup_creates_tabs_and_columns_in_one_request_once(fake_google: FakeGoogle,
                                                            tmp_path: Path) -> None:  # fmt: skip
    grids = tracker_grids(3, owned=False)
    book = fake_google.create_spreadsheet({APPLICATIONS: grids[APPLICATIONS]})
    cache = tmp_path / "cache"
    backend = make_backend(fake_google, book, cache)
    wb = backend.read()
    owned = ["next_action", "due_on", "why", "problems"]
    plan = computed_plan(wb)
    plan.new_tabs = [DRAFTS, FEEDBACK]
    plan.new_columns = {APPLICATIONS: owned}
    plan.appends = [RowAppend(DRAFTS, "d1", {"draft_id": "d1", "due_on": "2026-03-21"},
                              {"due_on": "date"})]  # fmt: skip
    fake_google.clear_log()
    report = backend.write(plan, wb)
    assert report.dropped == []
    kinds = [e.method_id.split("spreadsheets.", 1)[1] for e in fake_google.log]
    assert kinds == ["get", "values.batchGet", "batchUpdate", "values.batchUpdate"]
    requests = fake_google.log[2].json["requests"]
    assert [next(iter(r)) for r in requests].count("addSheet") == 2
    apps = book.sheet(APPLICATIONS)
    assert apps.frozen_rows == 1
    assert book.sheet(DRAFTS).frozen_rows == 1 and book.sheet(FEEDBACK).frozen_rows == 1
    assert apps.grid()[0] == APP_HEADER  # headers written with the data
    assert book.sheet(DRAFTS).grid()[0] == list(ALL_COLUMNS[DRAFTS])
    protected = apps.protected
    assert len(protected) == 1 and protected[0]["warningOnly"] is True
    assert protected[0]["range"]["startColumnIndex"] == COL["next_action"]
    assert protected[0]["range"]["endColumnIndex"] == COL["problems"] + 1
    assert apps.number_format(5, COL["due_on"]) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert apps.number_format(0, COL["due_on"]) is None  # not the header
    drafts_due = ALL_COLUMNS[DRAFTS].index("due_on")
    assert book.sheet(DRAFTS).number_format(1, drafts_due) == {"type": "DATE",
                                                               "pattern": "yyyy-mm-dd"}
    assert book.sheet(DRAFTS).grid()[1][drafts_due] == to_serial(date(2026, 3, 21))
    feedback = book.sheet(FEEDBACK)
    requested = ALL_COLUMNS[FEEDBACK].index("requested_on")  # filled by sheetsync
    received = ALL_COLUMNS[FEEDBACK].index("received_on")  # the user's
    assert feedback.number_format(1, requested) is not None
    assert feedback.number_format(1, received) is None

    # The second time, with the same cache or none at all: nothing to set up.
    for second in (make_backend(fake_google, book, cache),
                   make_backend(fake_google, book, tmp_path / "fresh-cache")):  # fmt: skip
        fake_google.clear_log()
        wb = second.read()
        second.write(computed_plan(wb, day=date(2026, 3, 27)), wb)
        assert fake_google.count("spreadsheets.batchUpdate") == 0
    assert len(apps.protected) == 1


def test_a_tab_created_by_hand_meanwhile_is_used_not_duplicated(fake_google: FakeGoogle,
                                                                 tmp_path: Path) -> None:
    grids = tracker_grids(2)
    book = fake_google.create_spreadsheet({APPLICATIONS: grids[APPLICATIONS]})
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    fake_google.create_spreadsheet({}, key="other" + "x" * 40)  # unrelated
    from fakesheets import Sheet

    book.sheets.append(Sheet(555, DRAFTS, 1, 1000, 26))  # the user adds an empty tab
    book.sheet(DRAFTS).set(0, 0, "draft_id")
    plan = Plan(new_tabs=[DRAFTS], appends=[RowAppend(DRAFTS, "d1", {"draft_id": "d1",
                                                                     "app_id": "a00000"})])
    report = backend.write(plan, wb)
    assert report.dropped == [] and [s.title for s in book.sheets] == [APPLICATIONS, DRAFTS]
    grid = book.sheet(DRAFTS).grid()
    assert grid[0] == list(ALL_COLUMNS[DRAFTS]) and grid[1][:2] == ["d1", "a00000"]


def test_setup_on_a_hand_made_tracker_protects_and_formats_existing_columns(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(3))  # owned columns typed by hand
    backend = make_backend(fake_google, book, tmp_path / "cache")
    wb = backend.read()
    backend.write(computed_plan(wb), wb)
    apps = book.sheet(APPLICATIONS)
    assert apps.protected
    assert apps.number_format(1, COL["due_on"]) == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert fake_google.count("spreadsheets.get") == 1


# ------------------------------------------------------------------ the fake itself
def test_the_fake_rejects_what_google_rejects(fake_google: FakeGoogle) -> None:
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    from sheetsync.backends.google.transport import GoogleTransport

    book = fake_google.create_spreadsheet({"Sheet1": [["a"]]}, rows=5)
    client = HTTPClient(None, session=GoogleTransport())  # type: ignore[arg-type]
    with pytest.raises(APIError) as info:
        client.values_batch_update(book.id, {"valueInputOption": "RAW", "data": [
            {"range": "Sheet1!A1", "values": [["x"]], "colour": "red"}]})
    assert info.value.code == 400
    assert info.value.error["status"] == "INVALID_ARGUMENT"
    assert 'Unknown name "colour"' in info.value.error["message"]
    with pytest.raises(APIError, match="Cannot bind query parameter"):
        client.values_batch_get(book.id, ["Sheet1"], params={"valueRender": "FORMULA"})
    with pytest.raises(APIError, match="valueRenderOption"):
        client.values_batch_get(book.id, ["Sheet1"], params={"valueRenderOption": "RAW"})
    with pytest.raises(APIError, match="valueInputOption"):
        client.values_batch_update(book.id, {"data": [{"range": "Sheet1!A1", "values": [[1]]}]})
    with pytest.raises(APIError, match="exceeds grid limits. Max rows: 5"):
        client.values_batch_update(book.id, {"valueInputOption": "RAW",
                                             "data": [{"range": "Sheet1!A6", "values": [[1]]}]})
    with pytest.raises(APIError, match="Unable to parse range"):
        client.values_batch_get(book.id, ["'Nope'!A1"])
    with pytest.raises(APIError, match="Unknown name"):
        client.batch_update(book.id, {"requests": [{"addSheet": {"properties": {"name": "x"}}}]})
    assert book.sheet("Sheet1").grid() == [["a"]]  # nothing applied by any of them


def test_the_fake_models_input_options_and_nulls(fake_google: FakeGoogle) -> None:
    from gspread.http_client import HTTPClient

    from sheetsync.backends.google.transport import GoogleTransport

    book = fake_google.create_spreadsheet({"My 'Tab'": [["keep", "keep", "keep"]]})
    client = HTTPClient(None, session=GoogleTransport())  # type: ignore[arg-type]
    tab = "'My ''Tab'''"
    client.values_batch_update(book.id, {"valueInputOption": "USER_ENTERED", "data": [
        {"range": f"{tab}!A2:D2", "values": [["=A1", "12", "2026-03-16", "'=x"]]}]})
    client.values_batch_update(book.id, {"valueInputOption": "RAW", "data": [
        {"range": f"{tab}!A1:C1", "values": [[None, "", "12"]]}]})
    got = client.values_batch_get(book.id, [f"{tab}!A:D", f"{tab}!B2:B"],
                                  params={"valueRenderOption": "FORMULA"})["valueRanges"]
    assert got[0]["range"] == f"{tab}!A1:D1000"
    assert got[0]["values"] == [["keep", "", "12"], ["=A1", 12, 46097, "=x"]]
    assert got[1]["values"] == [[12]]
    formatted = client.values_batch_get(book.id, [f"{tab}!C2"])["valueRanges"][0]["values"]
    assert formatted == [["2026-03-16"]]


def test_a_row_another_run_added_meanwhile_is_not_added_twice(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(3))
    backend = make_backend(fake_google, book, tmp_path)
    base = backend.read()
    draft = {"draft_id": "a00001:follow_up:hr1:20260301", "app_id": "a00001", "status": "draft"}
    plan = Plan(appends=[RowAppend(DRAFTS, draft["draft_id"], draft)])
    backend.write(plan, base)
    make_backend(fake_google, book, tmp_path).write(plan, base)  # a second, stale run
    grid = book.sheet(DRAFTS).grid("UNFORMATTED_VALUE")
    assert [row[0] for row in grid[1:] if row] == [draft["draft_id"]]

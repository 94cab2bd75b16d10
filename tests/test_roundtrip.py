"""A sync changes nothing but sheetsync-owned cells, whatever the file looks like."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.backends import csvfile
from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.cli import cli
from sheetsync.errors import EXIT_LAYOUT
from sheetsync.tracker.schema import APP_OWNED_COLUMNS, normalize_header

AWKWARD = (
    "\ufeffID,Company ,Role,Applied On,interview-on,Interviewers,Notes,My Own Column,status\r\n"
    '00123,"Acme, Inc",Analyst,2026-02-02,2026-03-13,"Ann Lee <ann@acme.example>\r\nBo Chan",'
    '"=HYPERLINK(""x"")",  keep  spaces  ,open\r\n'
    "\r\n"
    ",Zoë & Co 株式会社,Data Lead,03/02/2026,,,nan,1,5,\r\n"
    ",,,,,,,,\r\n"
    "A9,Globex,Tester,46080,,,+1 formula?,@mention,Rejected\r\n"
    "A10,Initech,Analyst,not a date,,,,x,open"
)


def run(*args: str, code: int = 0) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output


def raw_fields(path: Path) -> tuple[csvfile.CsvDoc, list[list[str]]]:
    doc = csvfile.parse(path.read_bytes().decode("utf-8"))
    fields = []
    for raw in doc.raw:
        body = raw.rstrip("\r\n") if raw.endswith(("\n", "\r")) else raw
        fields.append(csvfile.split_raw(body))
    return doc, fields


def test_awkward_file_keeps_every_user_byte(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(AWKWARD)
    before_doc, before = raw_fields(path / "Applications.csv")
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    after_doc, after = raw_fields(path / "Applications.csv")
    assert after_doc.bom and len(after) == len(before)
    header = [normalize_header(h) for h in after_doc.values[0]]
    owned = {i for i, h in enumerate(header) if h in (*APP_OWNED_COLUMNS, "rejected_on")}
    assert owned == set(range(len(before[0]), len(header)))  # appended on the right
    for old, new in zip(before[1:], after[1:], strict=True):
        for index, raw in enumerate(old):
            if index == 0 and raw == "" and any(c.strip('"') for c in old[1:]):
                continue  # blank id filled
            assert new[index] == raw
    # line endings and blank lines stay exactly as they were
    assert [r[-2:] for r in after_doc.raw[:-1]] == ["\r\n"] * (len(after_doc.raw) - 1)
    assert after_doc.raw[2] == "\r\n" and after_doc.raw[4].startswith(",,,,,,,,")
    table = CsvFolderBackend(path).read()["Applications"]
    assert table.cell(0, "id") == "00123"
    assert table.cell(0, "next_action") == "thank_you_email"
    assert "applied_on" in table.cell(5, "problems") and table.cell(5, "next_action") == ""
    assert table.cell(3, "id") == "" and table.cell(3, "next_action") == ""  # blank row
    # rejected with no date: dated the day sheetsync first saw it, in a column it adds
    assert table.cell(4, "rejected_on") == "2026-03-16" and table.cell(4, "problems") == ""
    assert table.cell(4, "next_action") == "request_feedback"


def test_second_sync_is_byte_identical_on_awkward_input(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(AWKWARD)
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    first = {p.name: p.read_bytes() for p in path.iterdir()}
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    assert {p.name: p.read_bytes() for p in path.iterdir()} == first


@pytest.mark.parametrize(
    "header, cells",
    [
        ("company,Role,ROLE\n", ["B1", "C1"]),
        ("company,,role\nAcme,stray,Analyst\n", ["B1"]),
    ],
)
def test_ambiguous_headers_write_nothing(make_tracker, header: str, cells: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(header + "Acme,Analyst,x\n")
    before = (path / "Applications.csv").read_bytes()
    result = CliRunner().invoke(cli, ["sync", "--sheet", str(path), "--today", "2026-03-16"])
    assert result.exit_code == EXIT_LAYOUT
    for name in cells:
        assert name in result.output
    assert (path / "Applications.csv").read_bytes() == before
    assert not (path / "Drafts.csv").exists()


def test_blank_header_over_empty_column_is_fine(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("company,,role\nAcme,,Analyst\n")
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    assert CsvFolderBackend(path).read()["Applications"].cell(0, "role") == "Analyst"


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    path = tmp_path / "t.xlsx"
    book = Workbook()
    ws = book.active
    ws.title = "Applications"
    ws.append(["company", "role", "notes"])
    ws.append(["=Acme", "Analyst", "00123"])
    ws["A2"].data_type = "s"
    book.save(path)
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    ws = load_workbook(path)["Applications"]
    assert ws["A2"].value == "=Acme" and ws["A2"].data_type == "s"
    assert ws["C2"].value == "00123"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["company", "role", "notes"] and "next_action" in header


def test_data_right_of_the_last_header_stops_the_run(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("id,company,applied_on\nA1,Acme,2026-03-01,my own note\n")
    before = (path / "Applications.csv").read_bytes()
    result = CliRunner().invoke(cli, ["sync", "--sheet", str(path), "--today", "2026-03-16"])
    assert result.exit_code == EXIT_LAYOUT and "D1" in result.output
    assert (path / "Applications.csv").read_bytes() == before


def test_empty_drafts_and_feedback_files_get_a_header_once(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(
        "id,company,status,rejected_on,feedback_requested_on,interview_on\n"
        "A1,Acme,rejected,2026-03-01,2026-03-02,\nA2,Globex,,,,2026-03-13\n",
        Drafts="",
        Feedback="",
    )
    for _ in range(2):
        run("sync", "--sheet", str(path), "--today", "2026-03-16")
    book = CsvFolderBackend(path).read()
    assert book["Feedback"].header[0] == "feedback_id" and len(book["Feedback"].rows) == 1
    assert "received_on" in book["Feedback"].columns
    assert book["Drafts"].header[0] == "draft_id" and len(book["Drafts"].rows) == 1


def test_xlsx_cells_take_text_when_a_value_is_not_a_date_or_number() -> None:
    from openpyxl import Workbook

    from sheetsync.backends.xlsx import _set

    ws = Workbook().worksheets[0]
    _set(ws["A1"], "2026-03-05T09:30:00", "date")
    _set(ws["A2"], "two", "int")
    _set(ws["A3"], "2026-03-05", "date")
    _set(ws["A4"], "3", "int")
    assert ws["A1"].value == "2026-03-05T09:30:00" and ws["A2"].value == "two"
    assert ws["A3"].value.year == 2026 and ws["A4"].value == 3


def test_a_run_stopped_after_the_applications_file_leaves_no_orphan_drafts(
    make_tracker,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    import os

    from sheetsync import fileio

    path = make_tracker("company,interview_on,interviewers\nAcme,2026-03-13,Ann <a@x.example>\n")
    real = os.replace

    class Stop(BaseException):
        """Stands in for the run being killed."""

    def stop_at_drafts(src: str, dst: str) -> None:
        if str(dst).endswith("Drafts.csv"):
            raise Stop
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", stop_at_drafts)
    with pytest.raises(Stop):
        CliRunner().invoke(
            cli, ["sync", "--sheet", str(path), "--today", "2026-03-16"], catch_exceptions=False
        )
    monkeypatch.setattr(fileio.os, "replace", real)
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    drafts = CsvFolderBackend(path).read()["Drafts"]
    statuses = drafts.column("status")
    assert statuses and "obsolete" not in statuses
    app_id = CsvFolderBackend(path).read()["Applications"].ids()[0]
    assert set(drafts.column("app_id")) == {app_id}


def test_long_cells_and_symlinked_files_are_handled(make_tracker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    long_note = "word " * 40_000  # 200,000 characters, past csv's default field limit
    path = make_tracker(f'company,notes\nAcme,"{long_note}"\n')
    real = tmp_path / "real-Applications.csv"
    (path / "Applications.csv").rename(real)
    (path / "Applications.csv").symlink_to(real)
    run("sync", "--sheet", str(path), "--today", "2026-03-16")
    assert (path / "Applications.csv").is_symlink()
    table = CsvFolderBackend(path).read()["Applications"]
    assert table.cell(0, "notes") == long_note and table.cell(0, "id")

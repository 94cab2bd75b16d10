"""The exit codes that need a Google sheet: authentication (3) and unreachable (4)."""

from __future__ import annotations

from click.testing import CliRunner
from fakesheets.server import FakeGoogle, Fault

from sheetsync import errors
from sheetsync.cli import cli


def sync(key: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", "--sheet", key, "--today", "2026-03-16"])
    return result.exit_code, result.output


def test_missing_spreadsheet_exits_4_with_a_hint(fake_google: FakeGoogle) -> None:
    code, out = sync("0" * 44)
    assert code == errors.EXIT_UNREACHABLE
    assert "error:" in out and "Traceback" not in out


def test_refused_access_exits_3_with_what_to_do(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet({"Applications": [["company"], ["Acme"]]})
    fake_google.inject("values.batchGet", Fault.error(403), times=5)
    code, out = sync(book.id)
    assert code == errors.EXIT_AUTH
    assert "error:" in out and "Traceback" not in out
    assert not fake_google.writes()


def test_a_google_sync_through_the_cli_fills_the_sheet(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet(
        {"Applications": [["company", "role", "interview_on"], ["Acme", "Analyst", "2026-03-20"]]}
    )
    code, out = sync(book.id)
    assert code == 0, out
    code, out = sync(book.id)
    assert code == 0, out
    fake_google.clear_log()
    code, out = sync(book.id)  # nothing changed: reads only
    assert code == 0 and not fake_google.writes()
    assert len(fake_google.reads()) <= 2


def test_an_answer_cut_off_mid_body_is_retried(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet({"Applications": [["company"], ["Acme"]]})
    fake_google.inject("", Fault.cut())  # the very first answer
    code, out = sync(book.id)
    assert code == 0, out
    assert fake_google.log[0].fault == "cut" and "Traceback" not in out


def test_a_protected_range_is_named_as_the_cause(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet(
        {"Applications": [["company", "applied_on"], ["Acme", "2026-03-02"]]}
    )
    body = {"error": {"code": 403, "status": "PERMISSION_DENIED",
                      "message": "You are trying to edit a protected cell or object."}}  # fmt: skip
    fake_google.inject("values.batchUpdate", Fault.error(403, body=body))
    code, out = sync(book.id)
    assert code == errors.EXIT_AUTH
    assert "protected range" in out and "Protect sheets and ranges" in out

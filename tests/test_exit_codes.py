"""The exit codes that need a Google sheet: authentication (3) and unreachable (4)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fakesheets.server import FakeGoogle, Fault

from sheetsync import errors
from sheetsync.cli.commands import cli


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


def test_an_answer_cut_off_mid_body_is_retried(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from fakesheets import server

    book = fake_google.create_spreadsheet({"Applications": [["company"], ["Acme"]]})
    cut = {"done": False}
    real = server._Handler._send

    def send_half_once(self, status, payload, headers):  # type: ignore[no-untyped-def]
        if cut["done"]:
            return real(self, status, payload, headers)
        cut["done"] = True
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True

    monkeypatch.setattr(server._Handler, "_send", send_half_once)
    code, out = sync(book.id)
    assert code == 0, out
    assert cut["done"] and "Traceback" not in out


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

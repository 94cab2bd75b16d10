"""Exit codes: those that need a Google sheet (authentication 3, unreachable 4), and
those of local files (file system 7, file format 8) and of a bug (70)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
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


# -- local files: file-system errors, file formats, and the last resort ------------------


def run_local(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_read_only_tracker_folder_exits_7_with_a_hint_and_writes_nothing(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.state import State

    before = {p.name: p.read_bytes() for p in tracker.iterdir()}
    real_access = os.access
    monkeypatch.setattr(  # as root, chmod does not stop writes: the check is what is tested
        os, "access", lambda p, mode: Path(p) != tracker and real_access(p, mode)
    )
    code, out = run_local("sync", "--sheet", str(tracker), "--today", "2026-03-16")
    assert code == errors.EXIT_FILESYSTEM
    assert "cannot write in" in out and str(tracker) in out and "hint:" in out
    assert "Traceback" not in out
    assert {p.name: p.read_bytes() for p in tracker.iterdir()} == before
    assert State.open(f"csv:{tracker.resolve()}").pushes() == []  # refused before logging


def test_a_full_disk_mid_write_is_one_line_with_exit_7(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync import fileio

    def full(tmp: Path, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(fileio, "replace", full)
    before = (tracker / "Applications.csv").read_bytes()
    code, out = run_local("sync", "--sheet", str(tracker), "--today", "2026-03-16")
    assert code == errors.EXIT_FILESYSTEM
    assert "No space left" in out and "free some disk space" in out
    assert "Traceback" not in out
    assert (tracker / "Applications.csv").read_bytes() == before
    assert not list(tracker.glob(".*.tmp"))  # the temporary files are cleaned up


def test_a_log_file_in_a_missing_folder_exits_7(tracker: Path, tmp_path: Path) -> None:
    log = tmp_path / "no" / "such" / "sheetsync.log"
    code, out = run_local("sync", "--sheet", str(tracker), "--log-file", str(log))
    assert code == errors.EXIT_FILESYSTEM and "Traceback" not in out
    assert str(log) in out


def test_a_bug_exits_70_in_one_line_and_logs_the_traceback(
    tracker: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.core import runs

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(runs, "compute", broken)
    log = tmp_path / "sheetsync.log"
    code, out = run_local("sync", "--sheet", str(tracker), "--log-file", str(log))
    assert code == errors.EXIT_INTERNAL
    assert "internal error: KeyError" in out and str(log) in out
    assert "Traceback" not in out
    logged = log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "def broken" not in out and "broken" in logged


def test_a_bug_without_a_log_file_leaves_the_traceback_in_the_state_folder(
    tracker: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.core import runs

    monkeypatch.setattr(runs, "compute", lambda *a, **k: 1 / 0)
    code, out = run_local("sync", "--sheet", str(tracker))
    assert code == errors.EXIT_INTERNAL and "Traceback" not in out
    saved = (isolated / "state" / "error.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in saved and "Traceback" in saved


def test_a_semicolon_separated_csv_is_named_as_such_with_exit_8(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("Company;Role;Date Applied\nAcme;Analyst;02/03/2026\n")
    before = (path / "Applications.csv").read_bytes()
    code, out = run_local("sync", "--sheet", str(path), "--today", "2026-03-16")
    assert code == errors.EXIT_FILE_FORMAT
    assert "semicolon-separated" in out and "no company column" not in out
    assert (path / "Applications.csv").read_bytes() == before
    assert sorted(p.name for p in path.iterdir()) == ["Applications.csv"]


def test_a_csv_that_is_not_utf8_exits_8_not_6(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("company,role\n")
    (path / "Applications.csv").write_bytes("company,role\nCafé Rouge,Chef\n".encode("latin-1"))
    code, out = run_local("sync", "--sheet", str(path), "--today", "2026-03-16")
    assert code == errors.EXIT_FILE_FORMAT
    assert "is not UTF-8 text" in out and "CSV UTF-8" in out


# -- configuration errors name the key and the value (exit 2) ----------------------------


def config_run(tracker: Path, tmp_path: Path, text: str) -> tuple[int, str]:
    cfg = tmp_path / "sheetsync.toml"
    cfg.write_text(text, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tracker.iterdir()}
    code, out = run_local("sync", "--sheet", str(tracker), "--config", str(cfg))
    assert {p.name: p.read_bytes() for p in tracker.iterdir()} == before
    return code, out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[calendar]\nholidays = "US"\nsubdivision = "ZZ"\n',
         "[calendar] subdivision = 'ZZ': not a subdivision of 'US'"),
        ('[calendar]\nholidays = "XX"\n', "[calendar] holidays = 'XX'"),
        ('[calendar]\nsubdivision = "CA"\n', "[calendar] subdivision = 'CA' needs a country"),
        ('templates_dir = "nothere"\n', "templates_dir = 'nothere': no such folder"),
    ],
)  # fmt: skip
def test_a_bad_setting_stops_the_run_naming_key_and_value(
    tracker: Path, tmp_path: Path, text: str, expected: str
) -> None:
    code, out = config_run(tracker, tmp_path, text)
    assert code == errors.EXIT_USAGE
    assert expected in out and "unknown holiday calendar 'US'" not in out


def test_a_template_that_does_not_compile_stops_the_run(tracker: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "follow_up.txt.j2").write_text("Subject: Hi\n{% if %}\n", encoding="utf-8")
    code, out = config_run(tracker, tmp_path, 'templates_dir = "mine"\n')
    assert code == errors.EXIT_USAGE
    assert "templates_dir = 'mine'" in out and "follow_up.txt.j2 line 2" in out


def test_a_good_subdivision_and_template_folder_are_accepted(tracker: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    cfg = tmp_path / "sheetsync.toml"
    cfg.write_text('templates_dir = "mine"\n[calendar]\nholidays = "US"\nsubdivision = "CA"\n')
    code, out = run_local("sync", "--sheet", str(tracker), "--config", str(cfg),
                          "--today", "2026-03-16")  # fmt: skip
    assert code == 0, out


def test_a_state_folder_that_is_a_file_exits_7(tracker: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "state-file"
    blocker.write_text("not a folder", encoding="utf-8")
    cfg = tmp_path / "sheetsync.toml"
    cfg.write_text(f'state_dir = "{blocker}"\n', encoding="utf-8")
    code, out = run_local("sync", "--sheet", str(tracker), "--config", str(cfg))
    assert code == errors.EXIT_FILESYSTEM and "cannot create the state folder" in out
    assert "Traceback" not in out


def test_a_sheet_path_that_is_a_file_exits_7(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("company\nAcme\n", encoding="utf-8")
    code, out = run_local("sync", "--sheet", str(notes))
    assert code == errors.EXIT_FILESYSTEM and "is a file, not a tracker folder" in out


def test_a_reader_that_leaves_early_is_not_an_error(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.cli import output

    def gone(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(output, "print_agenda", gone)  # `sheetsync agenda | head`
    code, out = run_local("agenda", "--sheet", str(tracker), "--today", "2026-03-16")
    assert code == 0 and "error" not in out

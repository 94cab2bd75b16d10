"""The push history: what each push changed, kept compactly and read back in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetsync.config import Config
from sheetsync.state import ROW_ADDED, HistoryCell, State
from sheetsync.tracker.plan import CellChange, Plan, RowAppend
from sheetsync.tracker.table import Workbook


def _plan() -> Plan:
    return Plan(
        changes=[
            CellChange("Applications", 0, "A1", "due_on", "", "2026-03-20", "date"),
            CellChange("Applications", 1, "", "id", "", "n7"),  # the row gets its id now
            CellChange("Applications", 1, "", "why", "was, \"quoted\"", "Ünïcode ✓"),
        ],
        appends=[
            RowAppend("Drafts", "A1:follow_up:ann:20260320",
                      {"draft_id": "A1:follow_up:ann:20260320", "subject": "Hello",
                       "body": "long text", "lint": "x", "mailto": "mailto:a"}),
        ],
    )  # fmt: skip


def test_a_push_logs_every_cell_in_order_and_reads_it_back(tmp_path: Path) -> None:
    state = State.open("csv:/somewhere", tmp_path)
    push_id = state.begin_push(_plan(), Workbook({}), "sync")
    cells = state.push_cells(push_id)
    assert cells[:3] == [
        HistoryCell("Applications", "A1", "due_on", "", "2026-03-20", "date"),
        HistoryCell("Applications", "n7", "id", "", "n7", "text"),  # logged under its new id
        HistoryCell("Applications", "n7", "why", 'was, "quoted"', "Ünïcode ✓", "text"),
    ]
    added = cells[3]
    assert (added.tab, added.row_id, added.column, added.kind) == (
        "Drafts", "A1:follow_up:ann:20260320", ROW_ADDED, "row")
    # the row's cells as JSON text, without the body, lint and link
    assert json.loads(added.new) == {"draft_id": "A1:follow_up:ann:20260320", "subject": "Hello"}
    assert [p.cells for p in state.pushes()] == [4]
    state.close()


def test_pushes_logged_cell_by_cell_by_earlier_versions_still_read(tmp_path: Path) -> None:
    state = State.open("csv:/somewhere", tmp_path)
    with state.db:
        state.db.execute(
            "INSERT INTO pushes (sheet, started_at, finished_at, command) "
            "VALUES ('csv:/somewhere', '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:01+00:00', 'sync')"
        )
        state.db.executemany(
            "INSERT INTO cells VALUES (1, 'Applications', ?, 'next_action', '', ?, 'text')",
            [("A1", "follow_up"), ("A2", "check_in")],
        )
    newer = state.begin_push(_plan(), Workbook({}), "sync")
    assert [(p.id, p.cells) for p in state.pushes()] == [(newer, 4), (1, 2)]
    assert [(c.row_id, c.new) for c in state.push_cells(1)] == [
        ("A1", "follow_up"), ("A2", "check_in")]  # fmt: skip
    assert state.push_cells(999) == []
    state.close()


def test_a_sync_logs_the_entry_its_whole_plan_makes(tracker: Path, config: Config) -> None:
    from conftest import TODAY, counting_ids

    from sheetsync import core
    from sheetsync.backends.csv_folder import CsvFolderBackend

    backend = CsvFolderBackend(tracker)
    state = State.open(backend.key, tracker.parent / "state")
    outcome = core.sync(backend, state, config, core.RunOptions(TODAY, new_id=counting_ids()))
    logged = state.push_cells(outcome.push_id or 0)
    again = state.begin_push(outcome.plan, Workbook({}), "check")  # made at once, from the plan
    assert logged and state.push_cells(again) == logged
    assert any(c.column == ROW_ADDED for c in logged) and any(c.column == "due_on" for c in logged)
    state.close()


def test_holiday_years_are_built_once_and_then_read_from_the_state_folder(
    tracker: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from conftest import TODAY, counting_ids

    from sheetsync import core
    from sheetsync.backends.csv_folder import CsvFolderBackend
    from sheetsync.policy import bizdays

    config = dataclasses.replace(config, holidays="US")
    backend = CsvFolderBackend(tracker)
    state = State.open(backend.key, tracker.parent / "state")
    first = core.sync(backend, state, config, core.RunOptions(TODAY, new_id=counting_ids()))
    years = state.holiday_years("US", None)
    assert TODAY.year in years and any(d.isoformat() == "2026-07-03" for d in years[2026])

    def never(*_: object) -> tuple[()]:
        raise AssertionError("the holidays package was asked again")

    monkeypatch.setattr(bizdays, "_year_dates", never)  # what is known needs no `holidays`
    again = core.pull(backend, state, config, core.RunOptions(TODAY))
    assert list(again.apps["due_on"]) == list(first.apps["due_on"])
    assert state.holiday_years("GB", None) == {}  # another calendar knows nothing yet
    state.close()


def test_an_older_state_folder_gets_digests_of_the_texts_it_remembers(tmp_path: Path) -> None:
    import sqlite3

    from sheetsync.tracker.cells import text_digest

    state = State.open("sheet", tmp_path)
    folder = state.folder
    db = sqlite3.connect(folder / "history.sqlite3")  # as an older version left it
    db.execute("CREATE TABLE rendered (draft_id TEXT PRIMARY KEY, subject TEXT NOT NULL, "
               "body TEXT NOT NULL, inputs TEXT NOT NULL DEFAULT '')")  # fmt: skip
    db.execute("INSERT INTO rendered VALUES ('d1', 'Hi', 'Dear Ann,', 'abc')")
    db.commit()
    db.close()
    assert State.open("sheet", tmp_path).rendered() == {"d1": (text_digest("Hi", "Dear Ann,"),
                                                               "abc")}  # fmt: skip
    again = State.open("sheet", tmp_path)
    again.remember_rendered([("d2", "Re", "Hello Bo,", "def")])
    assert again.rendered()["d2"] == (text_digest("Re", "Hello Bo,"), "def")
    assert text_digest("Hi", "Dear Ann,") != text_digest("Hi", "Dear Ann,.")


def test_a_lock_held_by_another_process_stops_a_run_until_that_process_dies(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from sheetsync.errors import LockedError

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom sheetsync.state import State\n"
         f"with State.open('sheet', {str(tmp_path)!r}).lock():\n"
         "    print('held', flush=True)\n    sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError), State.open("sheet", tmp_path).lock():
            pass
    finally:
        holder.kill()  # killed, not finished: the OS lets go of its lock
        holder.wait()
    with State.open("sheet", tmp_path).lock():
        pass

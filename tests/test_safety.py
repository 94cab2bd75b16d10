"""Cron safety: a run killed at any step loses nothing; two runs never both write."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import TODAY, counting_ids

from sheetsync import core, fileio
from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.config import Config
from sheetsync.errors import LockedError
from sheetsync.state import State


class Crash(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing may catch it."""


def run_sync(path: Path, config: Config) -> core.Outcome:
    backend = CsvFolderBackend(path)
    state = State.open(backend.key)
    try:
        return core.sync(
            backend, state, config, core.RunOptions(today=TODAY, new_id=counting_ids())
        )
    finally:
        state.close()


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.suffix == ".csv"}


STEPS = [
    (State, "begin_push"),
    (State, "finish_push"),
    (State, "save_snapshot"),
]


def arm(monkeypatch: pytest.MonkeyPatch, crash_at: int) -> list[str]:
    """Raise Crash at the crash_at-th step of a run (writes included)."""
    seen: list[str] = []

    def step(name: str) -> None:
        seen.append(name)
        if len(seen) == crash_at:
            raise Crash(name)

    for owner, name in STEPS:
        original = getattr(owner, name)

        def wrapped(*args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            step(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapped)

    real_replace = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        step(f"rename {Path(dst).name}")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace)

    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", **kwargs):  # type: ignore[no-untyped-def]
        handle = real_fdopen(fd, mode, **kwargs)
        write = handle.write

        def half_write(data):  # type: ignore[no-untyped-def]
            step("write")
            write(data[: len(data) // 2])  # a torn write, then the crash (if armed)
            return write(data[len(data) // 2 :])

        handle.write = half_write
        return handle

    monkeypatch.setattr(fileio.os, "fdopen", fdopen)
    return seen


def test_a_run_killed_at_any_step_loses_nothing(
    tracker: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = shutil.copytree(tracker, tmp_path / "reference")
    original = snapshot(tracker)
    with monkeypatch.context() as m:
        steps = arm(m, crash_at=0)  # count the steps of a whole run
        run_sync(reference, config)
    final = snapshot(reference)
    assert len(steps) >= 8, steps

    for crash_at in range(1, len(steps) + 1):
        work = shutil.copytree(tracker, tmp_path / f"crash{crash_at}")
        monkeypatch.setenv("SHEETSYNC_STATE_DIR", str(tmp_path / f"state{crash_at}"))
        with monkeypatch.context() as m:
            arm(m, crash_at)
            with pytest.raises(Crash):
                run_sync(work, config)
        # each file is wholly old or wholly new; no temp file is left to confuse anyone
        for name, data in snapshot(work).items():
            assert data in (original.get(name), final[name]), (crash_at, steps[crash_at - 1], name)
        assert not [p for p in work.iterdir() if p.name.endswith(".tmp")]
        # and the next run finishes the job exactly
        run_sync(work, config)
        assert snapshot(work) == final, (crash_at, steps[crash_at - 1])


def test_two_simultaneous_runs_never_both_write(tracker: Path, config: Config) -> None:
    inside = threading.Event()
    release = threading.Event()
    results: dict[str, object] = {}

    class SlowBackend(CsvFolderBackend):
        def read(self):  # type: ignore[no-untyped-def]
            inside.set()
            release.wait(timeout=10)
            return super().read()

    def first() -> None:
        backend = SlowBackend(tracker)
        state = State.open(backend.key)
        results["first"] = core.sync(backend, state, config, core.RunOptions(today=TODAY))

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=10)
    with pytest.raises(LockedError):
        run_sync(tracker, config)
    release.set()
    thread.join(timeout=30)
    outcome = results["first"]
    assert isinstance(outcome, core.Outcome) and outcome.report is not None
    assert len(State.open(CsvFolderBackend(tracker).key).pushes()) == 1


def test_lock_of_a_killed_run_is_recovered(tracker: Path) -> None:
    key = CsvFolderBackend(tracker).key
    code = (
        "import sys, time\n"
        "from sheetsync.state import State\n"
        f"s = State.open({key!r})\n"
        "with s.lock():\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError), State.open(key).lock():
            pass
        child.kill()
        child.wait(timeout=10)
        with State.open(key).lock():  # the dead run's lock is gone
            pass
    finally:
        if child.poll() is None:
            child.kill()


def test_a_tab_saved_after_its_write_was_built_is_built_again_from_what_was_saved(
    tracker: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sync builds the Applications file early, while drafts are still being
    # made; someone saving the file before it is renamed into place must not
    # lose what they saved.
    edited: list[str] = []
    real_begin = State.begin_push

    def save_meanwhile(self, plan, *args):  # type: ignore[no-untyped-def]
        path = tracker / "Applications.csv"
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        lines[1] = lines[1].replace("Northwind Analytics", "Northwind Labs")  # a user's cell
        path.write_text("\n".join(lines), encoding="utf-8")
        edited.append(lines[1])
        return real_begin(self, plan, *args)

    monkeypatch.setattr(State, "begin_push", save_meanwhile)
    run_sync(tracker, config)
    assert edited and "Northwind Labs" in edited[0]
    final = (tracker / "Applications.csv").read_text(encoding="utf-8")
    assert "Northwind Labs" in final  # the save is kept
    assert "next_action" in final.split("\n")[0]  # and sheetsync's columns are written
    assert not [p for p in tracker.iterdir() if p.name.endswith(".tmp")]

"""The state folder: one lock per sheet, the pull snapshot, and push history.

Layout: ``<state_dir>/<sheet-slug>/`` holding ``lock``, ``snapshot.json``,
``history.sqlite3`` and ``calendar.json``.  Everything here can be deleted
safely: sheetsync then treats every existing draft as possibly edited by the
user (and so never re-renders it) and undo has nothing to undo.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import sqlite3
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.errors import FileSystemError, LockedError
from sheetsync.tracker.cells import text_digest
from sheetsync.tracker.plan import Plan
from sheetsync.tracker.schema import ID_COLUMN
from sheetsync.tracker.table import Workbook

PARTLY_WRITTEN = "(partly written: the rest failed)"  # ends the summary of such a push
SCHEMA = """
CREATE TABLE IF NOT EXISTS pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,              -- NULL: the run stopped before the write completed
    command TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    undone_by INTEGER
);
CREATE TABLE IF NOT EXISTS cells (
    push_id INTEGER NOT NULL REFERENCES pushes(id),
    tab TEXT NOT NULL,
    row_id TEXT NOT NULL,
    col TEXT NOT NULL,
    old TEXT NOT NULL,
    new TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text'
);
CREATE INDEX IF NOT EXISTS cells_by_push ON cells(push_id);
-- Every cell a push changes, as one zlib-compressed JSON object: "cells" holds
-- [tab, row, row_id, col, old, new, kind] arrays (row: its index as read),
-- "added" holds [tab, row_id, [value, ...]] for each row added, its values in
-- the order of "columns"[tab] ("" where it has none).  One row per
-- push: a first sync of a large tracker logs hundreds of thousands of cells,
-- which cost seconds as rows of ``cells`` (kept for the pushes logged that way
-- by earlier versions).
CREATE TABLE IF NOT EXISTS push_log (
    push_id INTEGER PRIMARY KEY REFERENCES pushes(id),
    cells INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS rendered (
    draft_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '',  -- fingerprint of what the text was rendered from
    digest TEXT NOT NULL DEFAULT ''   -- text_digest(subject, body); a sync reads only this
);
-- The status a draft had when a push made it obsolete ('approved', 'draft'), so
-- it comes back with it if its action returns.
CREATE TABLE IF NOT EXISTS obsoleted (
    draft_id TEXT PRIMARY KEY,
    status TEXT NOT NULL
);
-- The themes label of each feedback response (by a hash of its text), per version
-- of the theme rules: a steady sync then compiles no theme pattern.
CREATE TABLE IF NOT EXISTS theme_labels (
    rules TEXT NOT NULL,
    response TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (rules, response)
);
-- Public holidays, a year at a time, as the `holidays` package built them; keyed
-- by the calendar and the package's installed file, so an upgrade builds anew.
CREATE TABLE IF NOT EXISTS holidays (
    calendar TEXT NOT NULL,
    year INTEGER NOT NULL,
    days TEXT NOT NULL,            -- ISO dates, space-separated
    PRIMARY KEY (calendar, year)
);
"""


ROW_ADDED = "*row added*"
# Left out of a logged new row: the link repeats address, subject and body, the
# lint is derived, and a draft's body is kept in the ``rendered`` table already.
UNLOGGED = frozenset({"mailto", "lint", "body"})


def default_state_root() -> Path:
    env = os.environ.get("SHEETSYNC_STATE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_state_path

    return user_state_path("sheetsync")


def sheet_folder(root: Path, sheet_key: str) -> Path:
    digest = hashlib.sha256(sheet_key.encode()).hexdigest()[:10]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", sheet_key.rsplit("/", 1)[-1]).strip("-")[:40]
    return root / f"{slug or 'sheet'}-{digest}"


@dataclass(frozen=True)
class HistoryCell:
    tab: str
    row_id: str
    column: str
    old: str
    new: str
    kind: str


@dataclass(frozen=True)
class PushRecord:
    id: int
    started_at: str
    finished_at: str | None
    command: str
    summary: str
    cells: int
    undone_by: int | None


class State:
    """Per-sheet state; create with :meth:`open`."""

    def __init__(self, folder: Path, sheet_key: str) -> None:
        self.folder = folder
        self.sheet_key = sheet_key
        self._db: sqlite3.Connection | None = None

    @classmethod
    def open(cls, sheet_key: str, root: str | os.PathLike[str] | None = None) -> State:
        base = Path(root).expanduser() if root else default_state_root()
        folder = sheet_folder(base, sheet_key)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise FileSystemError(
                f"cannot create the state folder {folder}: {exc.strerror}",
                hint="set state_dir in sheetsync.toml (or $SHEETSYNC_STATE_DIR) to a writable "
                "folder",
            ) from exc
        return cls(folder, sheet_key)

    # -- locking ---------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold this sheet's lock; a second run fails at once with LockedError.

        The OS releases the lock when a process dies, so a killed run never
        leaves a lock behind that blocks the next one.
        """
        fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not _try_lock(fd):
                raise LockedError(
                    f"another sheetsync run is working on {self.sheet_key}",
                    hint="wait for it to finish; if none is running, run again (the lock "
                    "of a stopped run is released automatically)",
                )
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)

    # -- snapshot ----------------------------------------------------------------
    @property
    def snapshot_path(self) -> Path:
        return self.folder / "snapshot.json"

    def save_snapshot(self, workbook: Workbook, today: dt.date) -> None:
        data = {
            "sheet": self.sheet_key,
            "today": today.isoformat(),
            "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tabs": {name: [t.header, *t.rows] for name, t in workbook.tabs.items()},
            "last_push": self.last_push_id(),
        }
        _write_json(self.snapshot_path, data)

    def last_push_id(self) -> int:
        row = self.db.execute("SELECT MAX(id) FROM pushes").fetchone()
        return int(row[0] or 0)

    def snapshot_is_stale(self) -> bool:
        """True when something was pushed after the last pull was taken."""
        try:
            data = json.loads(self.snapshot_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return int(data.get("last_push", 0)) < self.last_push_id()

    def load_snapshot(self) -> tuple[Workbook, dt.date] | None:
        try:
            data = json.loads(self.snapshot_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged snapshot is as good as none: pull again
        return Workbook.from_grids(data["tabs"]), dt.date.fromisoformat(data["today"])

    # -- calendar feed memory ------------------------------------------------------
    def load_json(self, name: str) -> dict[str, Any]:
        try:
            value = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def save_json(self, name: str, value: dict[str, Any]) -> None:
        _write_json(self.folder / name, value)

    # -- history -------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(self.folder / "history.sqlite3")
            self._db.executescript(SCHEMA)
            _add_digests(self._db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def begin_push(self, plan: Plan, base: Workbook, command: str) -> int:
        """Record what a push is about to write, before writing it."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        entries = len(plan.changes) + len(plan.appends)
        data = history_blob(plan)
        with self.db:
            cur = self.db.execute(
                "INSERT INTO pushes (sheet, started_at, command, summary) VALUES (?, ?, ?, ?)",
                (self.sheet_key, now, command, plan.summary()),
            )
            push_id = int(cur.lastrowid or 0)
            self.db.execute(
                "INSERT INTO push_log (push_id, cells, data) VALUES (?, ?, ?)",
                (push_id, entries, data),
            )
        return push_id

    def finish_push(self, push_id: int, rendered: Sequence[tuple[str, str, str, str]]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("UPDATE pushes SET finished_at = ? WHERE id = ?", (now, push_id))
        self.remember_rendered(rendered)

    def finish_partly(self, push_id: int, landed: Plan) -> None:
        """Record that only ``landed`` of a push reached the sheet (the rest failed).

        The push then holds just those cells, so ``undo`` reverses what was
        written and nothing else.
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        summary = f"{landed.summary()} {PARTLY_WRITTEN}"
        with self.db:
            self.db.execute("UPDATE pushes SET finished_at = ?, summary = ? WHERE id = ?",
                            (now, summary, push_id))  # fmt: skip
            self.db.execute("UPDATE push_log SET cells = ?, data = ? WHERE push_id = ?",
                            (len(landed.changes) + len(landed.appends), history_blob(landed),
                             push_id))  # fmt: skip

    def remember_rendered(self, rendered: Sequence[tuple[str, str, str, str]]) -> None:
        """Keep what sheetsync wrote as each draft's text ``(draft_id, subject, body,
        inputs)``, to tell user edits apart."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO rendered (draft_id, subject, body, inputs, digest) "
                "VALUES (?, ?, ?, ?, ?)",
                [(*r, text_digest(r[1], r[2])) for r in rendered],
            )

    def remember_obsoleted(self, plan: Plan) -> None:
        """Keep the status of each draft the push made obsolete."""
        from sheetsync.tracker.schema import DRAFTS
        from sheetsync.vocabulary import OBSOLETE

        rows = [
            (c.key, c.old.strip().lower())
            for c in plan.changes
            if c.tab == DRAFTS and c.column == "status" and c.new == OBSOLETE and c.key
        ]
        if rows:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO obsoleted (draft_id, status) VALUES (?, ?)", rows
                )

    def before_obsolete(self) -> dict[str, str]:
        """Each obsolete draft's status before it became obsolete."""
        return dict(self.db.execute("SELECT draft_id, status FROM obsoleted"))

    def holiday_years(self, country: str | None, subdivision: str | None
                      ) -> dict[int, tuple[dt.date, ...]]:  # fmt: skip
        """The years of public holidays built before for this calendar."""
        if not country:
            return {}
        rows = self.db.execute("SELECT year, days FROM holidays WHERE calendar = ?",
                               (_calendar_key(country, subdivision),))  # fmt: skip
        return {y: tuple(dt.date.fromisoformat(d) for d in days.split()) for y, days in rows}

    def remember_holidays(self, country: str | None, subdivision: str | None,
                          years: Mapping[int, Sequence[dt.date]]) -> None:  # fmt: skip
        if not country or not years:
            return
        key = _calendar_key(country, subdivision)
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO holidays (calendar, year, days) VALUES (?, ?, ?)",
                [(key, y, " ".join(d.isoformat() for d in days)) for y, days in years.items()],
            )

    def theme_labels(self, rules: str) -> dict[str, str]:
        """The theme labels worked out before under these rules (response key -> label)."""
        return dict(self.db.execute(
            "SELECT response, label FROM theme_labels WHERE rules = ?", (rules,)))

    def remember_theme_labels(self, rules: str, labels: Mapping[str, str]) -> None:
        if labels:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO theme_labels (rules, response, label) "
                    "VALUES (?, ?, ?)", [(rules, k, v) for k, v in labels.items()])

    def rendered(self) -> dict[str, tuple[str, str]]:
        """What sheetsync last wrote as each draft's text (its ``text_digest``), and from
        what: the texts stay in the file, out of memory."""
        return dict((d, (t, i)) for d, t, i in  # noqa: C402 - rows of three, not pairs
                    self.db.execute("SELECT draft_id, digest, inputs FROM rendered"))

    def pushes(self, limit: int = 20) -> list[PushRecord]:
        rows = self.db.execute(
            "SELECT p.id, p.started_at, p.finished_at, p.command, p.summary, "
            "COALESCE((SELECT l.cells FROM push_log l WHERE l.push_id = p.id), "
            "(SELECT COUNT(*) FROM cells c WHERE c.push_id = p.id)), p.undone_by "
            "FROM pushes p ORDER BY p.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [PushRecord(*row) for row in rows]

    def push_cells(self, push_id: int) -> list[HistoryCell]:
        """Every cell the push changed, in the order it planned them."""
        logged = self.db.execute(
            "SELECT data FROM push_log WHERE push_id = ?", (push_id,)
        ).fetchone()
        if logged is not None:
            data = json.loads(zlib.decompress(logged[0]))
            cells = [
                HistoryCell(tab, row_id, col, old, new, kind)
                for tab, _row, row_id, col, old, new, kind in data["cells"]
            ]
            names = data["columns"]
            return cells + [
                HistoryCell(tab, row_id, ROW_ADDED, "", json.dumps(
                    {n: v for n, v in zip(names[tab], values, strict=True) if v},
                    ensure_ascii=False), "row")
                for tab, row_id, values in data["added"]
            ]  # fmt: skip
        rows = self.db.execute(
            "SELECT tab, row_id, col, old, new, kind FROM cells WHERE push_id = ? ORDER BY rowid",
            (push_id,),
        ).fetchall()
        return [HistoryCell(*row) for row in rows]

    def mark_undone(self, push_id: int, by: int) -> None:
        with self.db:
            self.db.execute("UPDATE pushes SET undone_by = ? WHERE id = ?", (by, push_id))


def history_blob(plan: Plan) -> bytes:
    """What the history keeps of a push: its cells as compressed JSON (see ``push_log``).

    A row that gets its id in the push is logged under that id.  A row added
    is logged once, its values in the order of its tab's "columns".
    """
    new_ids = {
        (c.tab, c.row): c.new
        for c in plan.changes
        if not c.key and c.column == ID_COLUMN.get(c.tab)
    }
    cells = [c._replace(key=new_ids.get((c.tab, c.row), "")) if not c.key else c
             for c in plan.changes]  # fmt: skip
    columns: dict[str, dict[str, None]] = {}
    for a in plan.appends:
        columns.setdefault(a.tab, {}).update(dict.fromkeys(a.values))
    names = {tab: [n for n in found if n not in UNLOGGED] for tab, found in columns.items()}
    added = [[a.tab, a.key, [a.values.get(n, "") for n in names[a.tab]]] for a in plan.appends]
    data = {"cells": cells, "columns": names, "added": added}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), 1)  # fast, and JSON shrinks about tenfold


def _write_json(path: Path, value: Any) -> None:
    from sheetsync.fileio import atomic_writer

    with atomic_writer(path) as handle:
        handle.write(json.dumps(value, ensure_ascii=False))


def _calendar_key(country: str, subdivision: str | None) -> str:
    """``US/CA@<stamp>``: the stamp changes when another `holidays` version is installed
    (found without importing it, which is what the cache saves)."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        stamp = str(os.stat(origin).st_mtime_ns) if origin else ""
    except OSError:
        stamp = ""
    return f"{country}/{subdivision or ''}@{stamp}"


def _add_digests(db: sqlite3.Connection) -> None:
    """Give the texts remembered by an older version their digest (once)."""
    if any(row[1] == "digest" for row in db.execute("PRAGMA table_info(rendered)")):
        return
    with db:
        db.execute("ALTER TABLE rendered ADD COLUMN digest TEXT NOT NULL DEFAULT ''")
        rows = db.execute("SELECT draft_id, subject, body FROM rendered").fetchall()
        db.executemany("UPDATE rendered SET digest = ? WHERE draft_id = ?",
                       [(text_digest(s, b), d) for d, s, b in rows])  # fmt: skip


def _try_lock(fd: int) -> bool:
    """Take the OS's lock on an open file without waiting; False when another has it.

    What the ``filelock`` package does, without the tenth of a second its import
    costs every cron run.
    """
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)

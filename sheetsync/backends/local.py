"""Local trackers: a folder of CSV files (one per tab) or an .xlsx workbook.

Writes are atomic per file (temporary file in the same folder, fsync, rename),
so a run killed at any moment leaves each file wholly old or wholly new.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sheetsync.backends import csvfile
from sheetsync.backends.base import Backend, PreparedWrite, WriteReport
from sheetsync.errors import LayoutError, UnreachableError
from sheetsync.tracker.plan import CellChange, Kind, Plan, RowAppend, changed_meanwhile, relocate
from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS, FEEDBACK, ID_COLUMN, TABS
from sheetsync.tracker.table import Table, Workbook


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write ``path`` all-or-nothing: temp file, fsync, rename over the original."""
    path, tmp = _temp_beside(path)
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with _open_temp(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _temp_beside(path: Path) -> tuple[Path, Path]:
    """(the file to replace, an empty temporary file beside it), symlinks followed."""
    if path.is_symlink():  # write where the link points, and keep the link
        path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return path, Path(tmp)


def _open_temp(tmp: Path, mode: str, **kwargs: Any) -> IO[Any]:
    return os.fdopen(os.open(tmp, os.O_WRONLY | os.O_TRUNC), mode, **kwargs)


def _replace(tmp: Path, path: Path) -> None:
    if path.exists():  # keep the user's permissions on the file
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


#: Cells and rows a write must hold before its files are built in worker processes.
BUILD_IN_WORKERS = 20_000


@dataclass
class TabEdits:
    """A plan's changes for one tab, resolved to positions in the current file."""

    header_cells: dict[int, str] = field(default_factory=dict)
    cells: dict[int, dict[int, tuple[str, Kind]]] = field(default_factory=dict)  # row -> col
    appended: list[list[str]] = field(default_factory=list)  # values of each new row
    appended_kinds: list[dict[int, Kind]] = field(default_factory=list)  # non-text cells
    written: int = 0
    dropped: list[str] = field(default_factory=list)


def resolve_edits(tab: str, plan: Plan, base: Workbook, current: Table | None) -> TabEdits:
    """Turn the plan's changes for ``tab`` into positions in ``current`` (re-read now)."""
    edits = TabEdits()
    if current is not None and not any(h.strip() for h in current.header) and not current.rows:
        current = None  # an empty file or sheet: set it up like a new tab
    header = list(current.header) if current is not None else []
    if current is None:
        header = list(ALL_COLUMNS[tab])
        edits.header_cells = dict(enumerate(header))
        current = Table(tab, header, [])
    columns = dict(current.columns)
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    for name in plan.new_columns.get(tab, []):
        if name not in columns:
            columns[name] = width
            edits.header_cells[width] = name
            width += 1
    changes: list[CellChange] = [c for c in plan.changes if c.tab == tab]
    if changes:
        where = relocate(base[tab], current, {c.row for c in changes})
        for change in changes:
            row = where.get(change.row)
            if row is None:
                edits.dropped.append(f"{tab} row {change.key or change.row + 2}: {change.column}")
                continue
            if changed_meanwhile(change, current, row):
                edits.dropped.append(
                    f"{tab} {change.key}: {change.column} was edited meanwhile, kept"
                )
                continue
            edits.cells.setdefault(row, {})[columns[change.column]] = (change.new, change.kind)
            edits.written += 1
    appends: list[RowAppend] = [a for a in plan.appends if a.tab == tab]
    if appends:
        present = set(current.ids())
        # The canonical column at each position ("" where there is none), so a
        # new row is one pass over the header; its empty cells at the end are dropped.
        at = [""] * (max(columns.values()) + 1 if columns else 0)
        for name, index in columns.items():
            at[index] = name
        kinds_seen: dict[tuple[tuple[str, Kind], ...], dict[int, Kind]] = {}  # shared, read-only
        for append in appends:
            if append.key and append.key in present:  # added meanwhile; never twice
                continue
            get = append.values.get
            row_values = [get(name, "") if name else "" for name in at]
            while row_values and not row_values[-1]:
                row_values.pop()
            edits.appended.append(row_values)
            kinds_key = tuple(append.kinds.items())
            kinds = kinds_seen.get(kinds_key)
            if kinds is None:
                kinds = kinds_seen[kinds_key] = {
                    columns[n]: k for n, k in kinds_key if k != "text" and n in columns
                }
            edits.appended_kinds.append(kinds)
            edits.written += len(append.values)
    return edits


def _touched(plan: Plan) -> list[str]:
    tabs = set(plan.new_tabs) | {t for t, cols in plan.new_columns.items() if cols}
    tabs |= {c.tab for c in plan.changes} | {a.tab for a in plan.appends}
    # Applications first: new ids land before any draft that names them, and
    # every write-back is idempotent, so a run stopped between files is
    # completed by the next one.
    return [t for t in TABS if t in tabs]


class CsvFolderBackend(Backend):
    """A folder with ``Applications.csv``, ``Drafts.csv`` and ``Feedback.csv``."""

    early_tabs = (APPLICATIONS, FEEDBACK)  # planned before the drafts are made

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"{path} (CSV folder)"
        self.key = f"csv:{path.resolve()}"

    def _file(self, tab: str) -> Path:
        exact = self.path / f"{tab}.csv"
        if exact.exists():
            return exact
        for candidate in self.path.glob("*.csv"):
            if candidate.stem.strip().lower() == tab.lower():
                return candidate
        return exact

    def _read_text(self, tab: str) -> tuple[str, str] | None:
        """(file name, text) of a tab's file, or None when it has none."""
        path = self._file(tab)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnreachableError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            return path.name, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LayoutError(
                f"{path} is not UTF-8 text (byte {exc.start})",
                hint="save it as 'CSV UTF-8' from your spreadsheet program",
            ) from exc

    def _read_doc(self, tab: str) -> csvfile.CsvDoc | None:
        found = self._read_text(tab)
        return csvfile.parse(found[1], found[0]) if found else None

    def read(self) -> Workbook:
        if not self.path.is_dir():
            raise UnreachableError(
                f"no tracker at {self.path}",
                hint=f"create one with `sheetsync init {self.path}`, or pass --sheet",
            )
        tabs = {}
        for tab in TABS:
            found = self._read_text(tab)
            if found is not None:  # values only: raw records matter only when writing
                values = csvfile.parse_values(found[1], found[0])
                tabs[tab] = Table(tab, list(values[0]) if values else [], values[1:])
        return Workbook(tabs)

    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        return self.prepare(plan, base).commit()

    def prepare(self, plan: Plan, base: Workbook, *, now: bool = False) -> PreparedWrite:
        """Build each tab's new file beside it; ``commit`` renames them into place.

        A large write builds its files in worker processes while the caller
        logs the push (``now``: in this process, before returning).  Files are
        renamed Applications first, so new ids land before any draft that names
        them; every write-back is idempotent, so a run stopped between two
        renames is completed by the next one.
        """
        targets: list[tuple[str, Path, Path]] = []
        try:
            for tab in _touched(plan):
                targets.append((tab, *_temp_beside(self._file(tab))))
        except BaseException:
            _remove(t[2] for t in targets)
            raise
        from sheetsync.parallel import start

        large = len(plan.changes) + len(plan.appends) >= BUILD_IN_WORKERS
        # Largest first: a worker takes it at once, this process takes the rest
        # once the push is logged.  Rows added weigh most (a draft's many cells).
        weight = Counter(c.tab for c in plan.changes)
        weight.update({tab: 10 * n for tab, n in Counter(a.tab for a in plan.appends).items()})
        order = sorted(range(len(targets)), key=lambda i: -weight[targets[i][0]])

        def build(i: int) -> tuple[int, list[str], _Stamp]:
            tab, path, tmp = targets[i]
            stamp = _stamp(path)  # before reading: a change after it shows at commit
            return (*self._build(plan, base, tab, tmp), stamp)

        building = start(  # a small write is quicker built here than forked for
            build, order, min_items=1 if large and not now else len(targets) + 1
        )
        ready: list[tuple[int, list[str], _Stamp]] | None = None
        if now:
            try:
                ready = building.result()
            except BaseException:
                _remove(t[2] for t in targets)
                raise

        def commit() -> WriteReport:
            try:
                results = ready if ready is not None else building.result()
                built = dict(zip(order, results, strict=True))
                report = WriteReport()
                for i, (tab, path, tmp) in enumerate(targets):  # Applications first
                    written, dropped, stamp = built[i]
                    if _stamp(path) != stamp:  # saved by someone since it was read: again
                        written, dropped = self._build(plan, base, tab, tmp)
                    _replace(tmp, path)
                    report.written += written
                    report.dropped += dropped
            finally:
                _remove(t[2] for t in targets)  # those not renamed: the run is failing
            for folder in dict.fromkeys(t[1].parent for t in targets):
                _fsync_dir(folder)
            return report

        def abandon() -> None:
            building.cancel()
            _remove(t[2] for t in targets)

        return PreparedWrite(commit, abandon)

    def _build(self, plan: Plan, base: Workbook, tab: str, tmp: Path) -> tuple[int, list[str]]:
        """Write ``tab``'s new text to ``tmp`` (fsynced): (cells written, changes dropped)."""
        doc = self._read_doc(tab)
        current = Table(tab, list(doc.header), doc.values[1:]) if doc else None
        edits = resolve_edits(tab, plan, base, current)
        if doc is None or not doc.values:
            doc = csvfile.CsvDoc([], [], bool(doc and doc.bom), "\n")
            appended = [list(edits.header_cells.values())]
        else:
            appended = []
        record_edits: dict[int, dict[int, str]] = {
            row + 1: {col: value for col, (value, _) in cols.items()}
            for row, cols in edits.cells.items()
        }
        if edits.header_cells and doc.values:
            record_edits.setdefault(0, {}).update(edits.header_cells)
        appended += edits.appended
        parts, refused = csvfile.render_parts(doc, record_edits, appended)
        dropped = [f"{tab} line {record + 1}: malformed quoting, left alone" for record in refused]
        with _open_temp(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(parts)  # no copy of the whole file in memory, twice over
            handle.flush()
            os.fsync(handle.fileno())
        return edits.written, dropped + edits.dropped


_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    """What tells a file saved anew from the one read: (inode, size, mtime)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def cell_text(value: Any) -> str:
    """An .xlsx cell value as the text sheetsync works with."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class XlsxBackend(Backend):
    """An .xlsx workbook with one worksheet per tab (openpyxl)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"{path} (Excel workbook)"
        self.key = f"xlsx:{path.resolve()}"

    @staticmethod
    def _sheet_name(names: list[str], tab: str) -> str | None:
        for name in names:
            if name.strip().lower() == tab.lower():
                return name
        return None

    def _load(self, read_only: bool) -> Any:
        from openpyxl import load_workbook

        if not self.path.is_file():
            raise UnreachableError(
                f"no workbook at {self.path}",
                hint=f"create one with `sheetsync init {self.path}`, or pass --sheet",
            )
        try:
            return load_workbook(self.path, read_only=read_only, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise LayoutError(f"cannot open {self.path} as an .xlsx workbook: {exc}") from exc

    @staticmethod
    def _table(ws: Any, tab: str) -> Table:
        grid = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while grid and not any(grid[-1]):  # openpyxl reports formatted empty rows
            grid.pop()
        return Table(tab, grid[0] if grid else [], grid[1:])

    def read(self) -> Workbook:
        book = self._load(read_only=True)
        try:
            tabs = {}
            for tab in TABS:
                name = self._sheet_name(book.sheetnames, tab)
                if name is not None:
                    tabs[tab] = self._table(book[name], tab)
            return Workbook(tabs)
        finally:
            book.close()

    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        report = WriteReport()
        book = self._load(read_only=False)
        for tab in _touched(plan):
            name = self._sheet_name(book.sheetnames, tab)
            ws = book[name] if name else book.create_sheet(tab)
            current = self._table(ws, tab) if name else None
            edits = resolve_edits(tab, plan, base, current)
            for col, value in edits.header_cells.items():
                _set(ws.cell(row=1, column=col + 1), value, "text")
            for row, cols in edits.cells.items():
                for col, (value, kind) in cols.items():
                    _set(ws.cell(row=row + 2, column=col + 1), value, kind)
            next_row = (len(current.rows) if current else 0) + 2
            for offset, (values, kinds) in enumerate(
                zip(edits.appended, edits.appended_kinds, strict=True)
            ):
                for col, value in enumerate(values):
                    if value:
                        cell = ws.cell(row=next_row + offset, column=col + 1)
                        _set(cell, value, kinds.get(col, "text"))
            report.written += edits.written
            report.dropped += edits.dropped
        with atomic_writer(self.path, "wb") as handle:
            book.save(handle)
        return report


def _set(cell: Any, value: str, kind: Kind) -> None:
    """Write a real date or number where the value is one; anything else as text."""
    if kind == "date" and value:
        try:
            cell.value = dt.date.fromisoformat(value)
            cell.number_format = "yyyy-mm-dd"
            return
        except ValueError:
            pass  # e.g. undo restoring what the user had typed
    elif kind == "int" and value.strip().isdigit():
        cell.value = int(value)
        return
    cell.value = value if value != "" else None
    if value.startswith("="):  # text, never a formula
        cell.data_type = "s"


def new_tracker(path: Path, sample_csv: str, *, xlsx: bool) -> None:
    """Create a tracker at ``path`` whose Applications tab is ``sample_csv``."""
    if xlsx:
        from openpyxl import Workbook as XlWorkbook

        doc = csvfile.parse(sample_csv)
        book = XlWorkbook()
        ws = book.worksheets[0]
        ws.title = TABS[0]
        for row in doc.values:
            ws.append([v if v else None for v in row])
        for tab in TABS[1:]:
            book.create_sheet(tab).append(list(ALL_COLUMNS[tab]))
        with atomic_writer(path, "wb") as handle:
            book.save(handle)
        return
    path.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path / f"{TABS[0]}.csv") as handle:
        handle.write(sample_csv)
    for tab in TABS[1:]:
        with atomic_writer(path / f"{tab}.csv") as handle:
            handle.write(",".join(ALL_COLUMNS[tab]) + "\n")


__all__ = ["CsvFolderBackend", "XlsxBackend", "new_tracker", "ID_COLUMN"]

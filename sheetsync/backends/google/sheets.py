"""Google Sheets backend: the real spreadsheet, thrifty with quota, safe on a sheet people edit.

Request budget of one sync (``read()`` then ``write()``) once the tabs exist:

* ``read()``: one ``values:batchGet`` of every tracker tab (unformatted values,
  serial-number dates).  Spreadsheet metadata is fetched only when a tab is
  missing (Google answers 400 "Unable to parse range" for it) or for setup.
* ``write()``: one ``values:batchGet`` re-reading the header row and the id
  column(s) of the tabs it touches, then one ``values:batchUpdate`` (RAW)
  holding only the cells of the plan.  An empty plan sends nothing.

Setup (missing tabs and columns, frozen header, warning-only protection of
sheetsync's columns, date format on its date columns) is one
``spreadsheets.batchUpdate``, sent only when something is missing.  Whether a
tab has been set up is remembered in a small JSON file per spreadsheet in the
cache folder, so the check costs one metadata read once per sheet.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from sheetsync.backends.base import Backend, WriteReport
from sheetsync.errors import ConfigError, UnreachableError
from sheetsync.tracker.plan import CellChange, Plan, changed_meanwhile, relocate
from sheetsync.tracker.schema import (
    ALL_COLUMNS,
    APP_USER_COLUMNS,
    APPLICATIONS,
    DATE_COLUMNS,
    DRAFT_USER_COLUMNS,
    DRAFTS,
    FEEDBACK,
    FEEDBACK_USER_COLUMNS,
    OWNED_COLUMNS,
    TABS,
    column_letter,
    match_columns,
    normalize_header,
)
from sheetsync.tracker.table import Table, Workbook

if TYPE_CHECKING:
    import random

    import requests
    from google.auth.credentials import Credentials

    from sheetsync.backends.google.auth import LoadedCredentials
    from sheetsync.backends.google.transport import Clock, GoogleTransport, RetryPolicy
    from sheetsync.config import Config

# Google recommends at most 2 MB per request body; a push is split into several
# values:batchUpdate requests only past this (about 40,000 short cells).
MAX_PAYLOAD_BYTES = 2_000_000
# A gap of up to this many untouched cells inside a row is bridged with JSON
# nulls (which Google skips) rather than starting a new range.
MAX_NULL_GAP = 2
# Rows added beyond what appends need when they outgrow a tab's grid (at least this,
# or a fifth of the grid), so that a growing Drafts tab rarely needs a grid change.
ROW_MARGIN = 100
SETUP_MARKER = "sheetsync"  # protected ranges whose description starts with this are ours
DATE_PATTERN = "yyyy-mm-dd"  # unambiguous in every locale, and sorts
EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet serial numbers
# Columns the user owns (sheetsync writes them only for documented write-backs); every
# other column is written by sheetsync, so its dates are serial numbers under a DATE format.
USER_COLUMNS: dict[str, frozenset[str]] = {
    APPLICATIONS: frozenset(APP_USER_COLUMNS),
    DRAFTS: frozenset(DRAFT_USER_COLUMNS),
    FEEDBACK: frozenset(FEEDBACK_USER_COLUMNS),
}
CACHE_FOLDER = "google-cache"  # under the state folder: sheet ids and setup done, per sheet

_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,}$")
_PATH_KEY_RE = re.compile(r"/d/([A-Za-z0-9_-]+)")
_A1_END_RE = re.compile(r"([A-Z]+)(\d+)$")
_INT_RE = re.compile(r"-?\d+")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------- addressing
def parse_spreadsheet_key(value: str) -> str:
    """The spreadsheet id in any Sheets/Drive URL form, ``gsheets:KEY``, or a bare key."""
    text = value.strip()
    if text.startswith("gsheets:"):
        text = text[len("gsheets:"):]
    if _KEY_RE.fullmatch(text):
        return text
    url = text if "://" in text else "https://" + text
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith("google.com"):
        if "/d/e/" in parts.path:
            raise ConfigError(
                f"{value} is a 'Publish to the web' link, which cannot be edited",
                hint="use the address shown in the browser while editing the sheet "
                "(https://docs.google.com/spreadsheets/d/.../edit)",
            )
        found = _PATH_KEY_RE.search(parts.path)
        if found and _KEY_RE.fullmatch(found.group(1)):
            return found.group(1)
        query = parse_qs(parts.query)
        for name in ("key", "id"):
            for candidate in query.get(name, []):
                if _KEY_RE.fullmatch(candidate):
                    return candidate
    raise ConfigError(
        f"{value!r} is not a Google Sheets URL or spreadsheet key",
        hint="copy the address of the sheet from the browser "
        "(https://docs.google.com/spreadsheets/d/<key>/edit)",
    )


def is_google_sheet(value: str) -> bool:
    """True for Sheets URLs, ``gsheets:KEY`` and bare keys that are not local paths."""
    text = value.strip()
    if text.startswith("gsheets:") or "docs.google.com/" in text or "drive.google.com/" in text:
        return True
    return bool(_KEY_RE.fullmatch(text)) and not Path(text).exists()


def quote_title(title: str) -> str:
    """A tab name as an A1 sheet reference: always quoted, quotes doubled.

    Always quoting matters: an unquoted name that looks like a cell
    (``tab1``) would be read as one.
    """
    return "'" + title.replace("'", "''") + "'"


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> ``B7``."""
    return f"{column_letter(col)}{row + 1}"


def _letters_to_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def grid_extent(a1_range: str) -> tuple[int, int] | None:
    """(rows, columns) to the bottom-right corner of a returned range like ``Tab!A1:Z1000``.

    Google returns the *entire requested range* clamped to the grid, so an
    unbounded ``'Tab'!A:A`` comes back as ``Tab!A1:A<rowCount>``.
    """
    cells = a1_range.rsplit("!", 1)[-1]
    found = _A1_END_RE.search(cells.split(":")[-1])
    if not found:
        return None
    return int(found.group(2)), _letters_to_index(found.group(1)) + 1


# --------------------------------------------------------------------- values
def to_text(value: Any) -> str:
    """An unformatted cell value as sheetsync's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:  # 1e-07 -> 0.0000001, as the sheet shows it
            from decimal import Decimal

            text = format(Decimal(text), "f")
        return text
    return str(value)


def to_serial(value: date) -> int:
    return (value - EPOCH).days


def _iso_date(text: str) -> date | None:
    if not _ISO_DATE_RE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --------------------------------------------------------------------- metadata
@dataclass
class SheetInfo:
    sheet_id: int
    title: str
    rows: int = 1000
    columns: int = 26
    frozen_rows: int = 0
    protected: list[dict[str, Any]] = field(default_factory=list)

    def our_protected_columns(self) -> set[int]:
        cols: set[int] = set()
        for pr in self.protected:
            if not str(pr.get("description", "")).startswith(SETUP_MARKER):
                continue
            rng = pr.get("range") or {}
            start = int(rng.get("startColumnIndex", 0))
            end = int(rng.get("endColumnIndex", start + 1))
            cols.update(range(start, end))
        return cols


def parse_metadata(data: dict[str, Any]) -> dict[str, SheetInfo]:
    out: dict[str, SheetInfo] = {}
    for sheet in data.get("sheets", []):
        props = sheet.get("properties", {})
        grid = props.get("gridProperties", {})
        title = str(props.get("title", ""))
        out[title] = SheetInfo(
            sheet_id=int(props.get("sheetId", 0)),
            title=title,
            rows=int(grid.get("rowCount", 0)),
            columns=int(grid.get("columnCount", 0)),
            frozen_rows=int(grid.get("frozenRowCount", 0)),
            protected=list(sheet.get("protectedRanges", [])),
        )
    return out


def find_title(tab: str, titles: Iterable[str]) -> str | None:
    """The sheet title holding tracker tab ``tab``: exact, else same up to case/spacing."""
    titles = list(titles)
    if tab in titles:
        return tab
    wanted = normalize_header(tab)
    for title in titles:
        if normalize_header(title) == wanted:
            return title
    return None


# --------------------------------------------------------------------- ranges
class DateText(str):
    """An ISO date sheetsync writes into one of the user's own date columns.

    Sent with USER_ENTERED so that Sheets stores a real date (and, for a cell
    without a format, shows it as one) without touching the column's format;
    the text is sheetsync's own ISO date, never user text, so nothing can
    become a formula.
    """


def value_ranges(title: str, cells: dict[tuple[int, int], Any]) -> list[dict[str, Any]]:
    """Group cells ``{(row, col): value}`` (0-based) into few, small ValueRanges.

    Per row, runs of adjacent cells (gaps of up to MAX_NULL_GAP bridged with
    nulls, which Google skips); then vertically adjacent runs with the same
    span are merged.  Only cells in ``cells`` are ever set.
    """
    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    segments: list[tuple[int, int, list[Any]]] = []  # (row, first col, values)
    for r in sorted(rows):
        cols = sorted(rows[r])
        start = prev = cols[0]
        values: list[Any] = [cells[(r, start)]]
        for c in cols[1:]:
            if c - prev - 1 <= MAX_NULL_GAP:
                values.extend([None] * (c - prev - 1))
                values.append(cells[(r, c)])
            else:
                segments.append((r, start, values))
                start, values = c, [cells[(r, c)]]
            prev = c
        segments.append((r, start, values))
    blocks: list[tuple[int, int, list[list[Any]]]] = []  # (first row, first col, rows)
    for r, c, values in segments:
        if blocks:
            r0, c0, block = blocks[-1]
            if c0 == c and len(block[0]) == len(values) and r0 + len(block) == r:
                block.append(values)
                continue
        blocks.append((r, c, [values]))
    out = []
    for r, c, rows_ in blocks:
        end = a1(r + len(rows_) - 1, c + len(rows_[0]) - 1)
        first = a1(r, c)
        ref = first if first == end else f"{first}:{end}"
        out.append({"range": f"{quote_title(title)}!{ref}", "majorDimension": "ROWS",
                    "values": rows_})  # fmt: skip
    return out


def split_payload(data: list[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """Chunks of ValueRanges whose JSON stays under ``limit`` bytes (one range is never cut)."""
    from sheetsync.backends.google.transport import json_size

    chunks: list[list[dict[str, Any]]] = [[]]
    limit -= json_size({"valueInputOption": "USER_ENTERED", "data": []})  # the envelope
    size = 0
    for item in data:
        n = json_size(item) + 2  # ", " between items
        if chunks[-1] and size + n > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += n
    return [c for c in chunks if c]


# --------------------------------------------------------------------- the backend
@dataclass
class _TabState:
    """What write() learned about one existing tab from its re-read."""

    title: str
    header: list[str]
    columns: dict[str, int]
    current: Table  # id (and identifying) columns only, or the whole tab
    typed: dict[int, list[Any]]  # column index -> typed values below the header
    last_row: int  # number of rows holding anything (header included)
    grid_rows: int | None
    grid_cols: int | None


class GoogleSheetsBackend(Backend):
    """A tracker in Google Sheets.

    ``sheet`` is the ``--sheet`` value: a Sheets URL or key.  ``credentials`` is
    the ``--credentials`` path, a :class:`~sheetsync.auth.LoadedCredentials`, a
    google-auth credentials object, or None to use ``$GOOGLE_APPLICATION_CREDENTIALS``,
    then ``config_credentials``, then the saved ``sheetsync auth login`` token.
    With ``$SHEETSYNC_API_ENDPOINT`` set, requests go there anonymously and no
    credentials are needed.  ``transport``/``session`` replace the HTTP layer
    (tests); ``cache_dir`` holds the small metadata cache (default:
    ``<state folder>/google-cache``; ``False`` for none, which costs one
    metadata read per run).
    """

    def __init__(
        self,
        sheet: str,
        credentials: LoadedCredentials | Credentials | str | os.PathLike[str] | None = None,
        *,
        config_credentials: str | os.PathLike[str] | None = None,
        transport: GoogleTransport | None = None,
        session: requests.Session | None = None,
        cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        from gspread.http_client import HTTPClient

        from sheetsync.backends.google import auth
        from sheetsync.backends.google.transport import (
            GoogleTransport,
            Principal,
            endpoint_from_env,
        )

        self.spreadsheet_id = parse_spreadsheet_key(sheet)
        self.key = f"gsheets:{self.spreadsheet_id}"
        self.label = f"Google Sheets {self.spreadsheet_id}"
        self.max_payload_bytes = max_payload_bytes
        if transport is None:
            loaded: LoadedCredentials
            if isinstance(credentials, auth.LoadedCredentials):
                loaded = credentials
            elif credentials is not None and not isinstance(credentials, str | os.PathLike):
                loaded = auth.describe(credentials)
            elif endpoint_from_env() and credentials is None:
                loaded = auth.anonymous()  # an emulator needs no credentials
            else:
                loaded = auth.load_credentials(credentials, config_path=config_credentials)
            transport = GoogleTransport(
                loaded.credentials,
                principal=Principal(loaded.kind, loaded.email),
                session=session,
                policy=policy,
                clock=clock,
                rng=rng,
            )
        self.transport = transport
        # With a session given, HTTPClient never touches its auth argument.
        self.client = HTTPClient(None, session=transport)  # type: ignore[arg-type]
        self._meta: dict[str, SheetInfo] | None = None  # fetched in this process
        self._titles: dict[str, str] = {}  # tracker tab -> sheet title, as last seen
        if cache_dir is None:
            from sheetsync.state import default_state_root

            cache_dir = default_state_root() / CACHE_FOLDER
        self._cache_file = (Path(cache_dir) / f"{self.spreadsheet_id}.json"
                            if cache_dir is not False else None)  # fmt: skip
        self._cache = self._load_cache()
        # Tabs whose title differs from the canonical name ("applications") are
        # remembered, so their read does not cost a failed request each run.
        self._titles.update({k: v for k, v in self._cache.get("titles", {}).items()
                             if k in TABS and isinstance(v, str)})  # fmt: skip

    # ----------------------------------------------------------------- plumbing
    def _load_cache(self) -> dict[str, Any]:
        empty: dict[str, Any] = {"version": 1, "sheet_ids": {}, "set_up": [], "titles": {}}
        if not self._cache_file or not self._cache_file.is_file():
            return empty
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty  # a broken cache only costs a metadata read
        if not isinstance(data, dict) or data.get("version") != 1:
            return empty
        return {**empty, **data}

    def _save_cache(self) -> None:
        if not self._cache_file:
            return
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._cache, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self._cache_file)
        except OSError:
            pass  # the cache is an optimisation; never fail a sync over it

    def _call(self, doing: str, written: str, fn: Any, *args: Any, write: bool = False,
              **kwargs: Any) -> Any:
        """Run one gspread HTTPClient call, turning failures into errors that say what to do."""
        from gspread.exceptions import APIError

        from sheetsync.backends.google.transport import RetriesExhausted, api_error

        try:
            return fn(*args, **kwargs)
        except RetriesExhausted as exc:
            state = written
            if exc.maybe_sent and write:
                state = (f"{written}, unless this last request reached Google: it may or may "
                         "not have been applied (the connection dropped after it was sent); "
                         "running again is safe: it writes the same cells again")  # fmt: skip
            raise UnreachableError(f"{exc.message} while {doing}; {state}",
                                   hint=exc.hint) from exc  # fmt: skip
        except APIError as exc:
            reason, message = _api_error_detail(exc)
            raise api_error(exc.code, reason, message, principal=self.transport.principal,
                            doing=doing, target=f"spreadsheet {self.spreadsheet_id}",
                            written=written) from exc  # fmt: skip

    def _metadata(self, *, fresh: bool = False) -> dict[str, SheetInfo]:
        if self._meta is None or fresh:
            data = self._call(
                "reading the spreadsheet's layout", "nothing was written",
                self.client.fetch_sheet_metadata, self.spreadsheet_id,
                params={"includeGridData": "false",
                        "fields": "spreadsheetId,sheets(properties(sheetId,title,index,"
                                  "gridProperties),protectedRanges)"},
            )  # fmt: skip
            self._meta = parse_metadata(data)
            self._cache["sheet_ids"] = {t: s.sheet_id for t, s in self._meta.items()}
            self._titles = {tab: title for tab in TABS
                            if (title := find_title(tab, self._meta)) is not None}  # fmt: skip
            self._cache["titles"] = {k: v for k, v in self._titles.items() if k != v}
            self._save_cache()
        return self._meta

    def _title(self, tab: str) -> str:
        return self._titles.get(tab, tab)

    def _batch_get(self, ranges: list[str], doing: str, written: str) -> list[dict[str, Any]]:
        data = self._call(
            doing, written, self.client.values_batch_get, self.spreadsheet_id, ranges,
            params={"valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"},
        )  # fmt: skip
        return list(data.get("valueRanges", []))

    def _is_missing_range(self, exc: BaseException) -> bool:
        cause = exc.__cause__
        code = getattr(cause, "code", None)
        return code == 400 and "unable to parse range" in str(exc).lower()

    # ----------------------------------------------------------------- read
    def read(self) -> Workbook:
        """Every tracker tab that exists, as text, in one ``values:batchGet``."""
        tabs = [t for t in TABS if self._meta is None or t in self._titles]
        try:
            answer = self._batch_get([quote_title(self._title(t)) for t in tabs],
                                     "reading the tracker", "nothing was written")  # fmt: skip
        except UnreachableError as exc:
            if not self._is_missing_range(exc):
                raise
            # A tab does not exist (yet): learn which ones do, then read those.
            self._metadata(fresh=True)
            tabs = [t for t in TABS if t in self._titles]
            if not tabs:
                return Workbook({})
            answer = self._batch_get([quote_title(self._title(t)) for t in tabs],
                                     "reading the tracker", "nothing was written")  # fmt: skip
        out: dict[str, Table] = {}
        for tab, vr in zip(tabs, answer, strict=False):
            grid = [[to_text(v) for v in row] for row in vr.get("values", [])]
            header = grid[0] if grid else []
            out[tab] = Table(tab, header, grid[1:])
        return Workbook(out)

    # ----------------------------------------------------------------- write
    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        report = WriteReport()
        if not plan:
            return report
        calls_before = self.transport.calls
        new_columns = {t: list(cols) for t, cols in plan.new_columns.items() if cols}
        touched: list[str] = []
        for tab in [*plan.new_tabs, *new_columns, *(c.tab for c in plan.changes),
                    *(a.tab for a in plan.appends)]:  # fmt: skip
            if tab not in touched:
                touched.append(tab)
        set_up = set(self._cache.get("set_up", []))
        needs_check = bool(plan.new_tabs or new_columns) or any(t not in set_up for t in touched)
        # Creating tabs or columns: look afresh, so a tab someone added since the read
        # is used rather than duplicated.  A first check may reuse what read() fetched.
        meta = (self._metadata(fresh=bool(plan.new_tabs or new_columns))
                if needs_check else None)  # fmt: skip
        if meta is not None:
            existing = {t for t in touched if t in self._titles}
        else:
            existing = {t for t in touched if t in base and t not in plan.new_tabs}
        for tab in [t for t in touched if t not in existing and t not in plan.new_tabs]:
            # Deleted since the read: drop its changes, never recreate it blindly.
            report.dropped.extend(_describe_drop(c, "its tab no longer exists")
                                  for c in plan.changes if c.tab == tab)  # fmt: skip
            report.dropped.extend(f"{tab}: new row {a.key or '(no id)'} not written (its tab "
                                  "no longer exists)" for a in plan.appends if a.tab == tab)
            touched.remove(tab)
        creating = [t for t in touched if t not in existing]

        states = self._reread(plan, base, sorted(existing, key=TABS.index))
        for tab in plan.new_tabs:
            if tab in states:  # created by someone since the read: complete its header
                new_columns[tab] = [c for c in ALL_COLUMNS[tab] if c not in states[tab].columns]
        cells: dict[str, dict[tuple[int, int], Any]] = {}
        header_cols: dict[str, dict[str, int]] = {}
        for tab in touched:
            if tab in states:
                header_cols[tab] = self._place_new_columns(tab, states[tab], new_columns)
            elif tab in creating:
                header_cols[tab] = {c: i for i, c in enumerate(ALL_COLUMNS[tab])}
        for tab in touched:
            if tab not in header_cols:
                continue
            tab_cells = cells.setdefault(tab, {})
            state = states.get(tab)
            columns = header_cols[tab]
            if state is None:  # a tab we create: header row first
                for name, index in columns.items():
                    tab_cells[(0, index)] = name
            else:
                for name in new_columns.get(tab, []):
                    if name not in state.columns:
                        tab_cells[(0, columns[name])] = name
            report.written += self._place_changes(tab, plan, base, state, columns, tab_cells,
                                                  report)  # fmt: skip
            report.written += self._place_appends(tab, plan, state, columns, tab_cells, report)

        setup = self._setup_requests(touched, creating, states, header_cols, cells, meta)
        if setup:
            self._call("setting up the tracker's tabs and columns",
                       "nothing was written (no tab, column or cell changed)",
                       self.client.batch_update, self.spreadsheet_id,
                       {"requests": setup}, write=True)  # fmt: skip
            self._meta = None  # the layout changed; look again next time it matters
        if meta is not None:
            self._cache["set_up"] = sorted(set_up | set(touched))
        data: list[dict[str, Any]] = []
        dates: list[dict[str, Any]] = []  # write-backs into the user's date columns
        for tab in touched:
            tab_cells = cells.get(tab) or {}
            plain = {k: v for k, v in tab_cells.items() if not isinstance(v, DateText)}
            entered = {k: str(v) for k, v in tab_cells.items() if isinstance(v, DateText)}
            if plain:
                data.extend(value_ranges(self._title(tab), plain))
            if entered:
                dates.extend(value_ranges(self._title(tab), entered))
        self._send_values(data, setup_done=bool(setup))
        # Only after a draft was marked sent: one more small request.
        self._send_values(dates, setup_done=bool(setup), option="USER_ENTERED")
        self._save_cache()
        report.requests = self.transport.calls - calls_before
        return report

    def _reread(self, plan: Plan, base: Workbook, tabs: Sequence[str]) -> dict[str, _TabState]:
        """One ``values:batchGet`` of ``tabs`` as they are now, just before writing.

        Whole tabs: rows without an id (or sharing one) are found by all their
        cells, and cells of the user's that someone edited meanwhile are kept.
        Still one request; only the bytes grow with the tab.
        """
        if not tabs:
            return {}
        wanted: dict[str, list[int] | None] = dict.fromkeys(tabs)  # None: the whole tab
        return self._fetch_states(wanted)

    def _fetch_states(self, wanted: dict[str, list[int] | None]) -> dict[str, _TabState]:
        ranges: list[str] = []
        for tab, idx in wanted.items():
            title = quote_title(self._title(tab))
            if idx is None:
                ranges.append(title)
            else:
                ranges.append(f"{title}!1:1")
                ranges.extend(f"{title}!{column_letter(i)}:{column_letter(i)}" for i in idx)
        doing = "re-reading row ids before writing"
        try:
            answer = self._batch_get(ranges, doing, "nothing was written")
        except UnreachableError as exc:
            if not self._is_missing_range(exc):
                raise
            raise UnreachableError(
                "a tracker tab was renamed or deleted since the sheet was read; "
                "nothing was written",
                hint="run sync again (it reads the sheet afresh)",
            ) from exc
        states: dict[str, _TabState] = {}
        pos = 0
        for tab, idx in wanted.items():
            title = self._title(tab)
            if idx is None:
                vr = answer[pos]
                pos += 1
                typed_grid = [list(r) for r in vr.get("values", [])]
                extent = grid_extent(str(vr.get("range", "")))
                header = [to_text(v) for v in (typed_grid[0] if typed_grid else [])]
                columns = match_columns(tab, header, [])
                text_rows = [[to_text(v) for v in r] for r in typed_grid[1:]]
                width = max((len(r) for r in typed_grid), default=0)
                typed = {c: [r[c] if c < len(r) else None for r in typed_grid[1:]]
                         for c in range(width)}  # fmt: skip
                current = Table(tab, header, text_rows)
                states[tab] = _TabState(title, header, columns, current, typed,
                                        len(typed_grid), extent[0] if extent else None,
                                        extent[1] if extent else None)  # fmt: skip
                continue
            head_vr = answer[pos]
            col_vrs = answer[pos + 1: pos + 1 + len(idx)]
            pos += 1 + len(idx)
            head_values = head_vr.get("values", [[]])
            header = [to_text(v) for v in (head_values[0] if head_values else [])]
            columns = match_columns(tab, header, [])
            head_extent = grid_extent(str(head_vr.get("range", "")))
            col_values: dict[int, list[Any]] = {}
            grid_rows = None
            for i, vr in zip(idx, col_vrs, strict=True):
                col_values[i] = [r[0] if r else None for r in vr.get("values", [])]
                extent = grid_extent(str(vr.get("range", "")))
                if extent:
                    grid_rows = extent[0]
            last_row = max([len(v) for v in col_values.values()] + [1 if header else 0])
            fetched_names = {n: i for n, i in columns.items() if i in col_values}
            order = sorted(fetched_names, key=lambda n: fetched_names[n])
            sub_header = [header[fetched_names[n]] for n in order]
            sub_rows = []
            for r in range(1, last_row):
                sub_rows.append([to_text(_at(col_values[fetched_names[n]], r)) for n in order])
            current = Table(tab, sub_header, sub_rows)
            typed = {i: [_at(v, r) for r in range(1, last_row)] for i, v in col_values.items()}
            states[tab] = _TabState(title, header, columns, current, typed, last_row,
                                    grid_rows, head_extent[1] if head_extent else None)  # fmt: skip
        return states

    def _place_new_columns(self, tab: str, state: _TabState,
                           new_columns: dict[str, list[str]]) -> dict[str, int]:
        """Column positions to write to: current header plus new columns on its right."""
        columns = dict(state.columns)
        last = max((i for i, h in enumerate(state.header) if h.strip()), default=-1)
        for name in new_columns.get(tab, []):
            if name not in columns:
                last += 1
                columns[name] = last
        return columns

    def _encode(self, tab: str, column: str, text: str, kind: str,
                typed: list[Any] | None) -> Any:
        """The JSON value to send: text stays text (RAW), dates and ints become numbers."""
        if text == "":
            return ""  # Google clears the cell
        if kind == "int" and _INT_RE.fullmatch(text.strip()):
            return int(text.strip())
        if kind == "date":
            when = _iso_date(text.strip())
            if when is None:
                return text
            # sheetsync's own date columns carry a DATE format (set up once); a date
            # in the user's column is entered as typed text would be (see DateText).
            if column not in USER_COLUMNS[tab]:
                return to_serial(when)
            return DateText(when.isoformat())
        return text

    def _place_changes(self, tab: str, plan: Plan, base: Workbook, state: _TabState | None,
                       columns: dict[str, int], cells: dict[tuple[int, int], Any],
                       report: WriteReport) -> int:
        changes = [c for c in plan.changes if c.tab == tab]
        if not changes:
            return 0
        if state is None:  # the tab is being created: no existing rows to change
            report.dropped.extend(_describe_drop(c, "its row is not in the sheet")
                                  for c in changes)  # fmt: skip
            return 0
        mapping = relocate(base[tab], state.current, {c.row for c in changes})
        written = 0
        for change in changes:
            row = mapping.get(change.row)
            if row is None:
                report.dropped.append(_describe_drop(change, "the row was deleted or its id "
                                                     "changed since the sheet was read"))
                continue
            if changed_meanwhile(change, state.current, row):
                report.dropped.append(_describe_drop(change, "someone edited it meanwhile; "
                                                     "their text is kept"))
                continue
            col = columns.get(change.column)
            if col is None:
                report.dropped.append(_describe_drop(change, "the column is gone"))
                continue
            cells[(row + 1, col)] = self._encode(tab, change.column, change.new, change.kind,
                                                 state.typed.get(col))  # fmt: skip
            written += 1
        return written

    def _place_appends(self, tab: str, plan: Plan, state: _TabState | None,
                       columns: dict[str, int], cells: dict[tuple[int, int], Any],
                       report: WriteReport) -> int:
        appends = [a for a in plan.appends if a.tab == tab]
        row = state.last_row if state is not None else 1
        row = max(row, 1)
        written = 0
        present = set(state.current.ids()) if state is not None else set()
        for append in appends:
            if append.key and append.key in present:  # added meanwhile (another run)
                continue
            for name, text in append.values.items():
                col = columns.get(name)
                if col is None:
                    report.dropped.append(f"{tab}: new row {append.key or '(no id)'}: "
                                          f"{name} not written (the tab has no such column)")
                    continue
                typed = state.typed.get(col) if state is not None else None
                value = self._encode(tab, name, text, append.kinds.get(name, "text"), typed)
                if value == "":
                    continue  # a new row's empty cell is empty already
                cells[(row, col)] = value
                written += 1
            row += 1
        return written

    def _setup_requests(self, touched: list[str], creating: list[str],
                        states: dict[str, _TabState], header_cols: dict[str, dict[str, int]],
                        cells: dict[str, dict[tuple[int, int], Any]],
                        meta: dict[str, SheetInfo] | None) -> list[dict[str, Any]]:
        """The spreadsheets.batchUpdate requests this write needs (often none)."""
        requests: list[dict[str, Any]] = []
        used_ids = {s.sheet_id for s in (meta or {}).values()} | set(
            self._cache.get("sheet_ids", {}).values())
        for tab in touched:
            columns = header_cols.get(tab)
            if columns is None:
                continue
            max_row = max((r for r, _ in cells.get(tab, {})), default=0) + 1
            max_col = max(columns.values(), default=0) + 1
            info: SheetInfo | None = None
            if tab in creating:
                sheet_id = _new_sheet_id(used_ids)
                used_ids.add(sheet_id)
                rows = max(1000, max_row + ROW_MARGIN)
                requests.append({"addSheet": {"properties": {
                    "sheetId": sheet_id, "title": tab,
                    "gridProperties": {"rowCount": rows, "columnCount": max(26, max_col),
                                       "frozenRowCount": 1}}}})  # fmt: skip
                self._titles[tab] = tab
                self._cache.setdefault("sheet_ids", {})[tab] = sheet_id
                info = SheetInfo(sheet_id, tab, rows, max(26, max_col), 1)
                protected: set[int] = set()
            else:
                state = states[tab]
                if meta is not None:
                    info = meta.get(state.title)
                grid_rows = state.grid_rows or (info.rows if info else None)
                grid_cols = state.grid_cols or (info.columns if info else None)
                grow_rows = max_row - grid_rows if grid_rows else 0
                grow_cols = max_col - grid_cols if grid_cols else 0
                if grow_rows > 0 or grow_cols > 0:
                    sheet_id = self._sheet_id(state.title, info)
                    if grow_rows > 0 and grid_rows:
                        margin = max(ROW_MARGIN, grid_rows // 5)
                        requests.append({"appendDimension": {
                            "sheetId": sheet_id, "dimension": "ROWS",
                            "length": grow_rows + margin}})  # fmt: skip
                    if grow_cols > 0:
                        requests.append({"appendDimension": {
                            "sheetId": sheet_id, "dimension": "COLUMNS", "length": grow_cols}})
                if info is None:
                    continue  # layout checked before (cache): nothing else to do
                if info.frozen_rows == 0:
                    requests.append({"updateSheetProperties": {
                        "properties": {"sheetId": info.sheet_id,
                                       "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount"}})  # fmt: skip
                protected = info.our_protected_columns()
            # A tab is set up once: when created, or when it has none of our protection.
            first_setup = tab in creating or not protected
            fresh = set(columns) - (set(states[tab].columns) if tab in states else set())
            owned = sorted(columns[c] for c in OWNED_COLUMNS[tab]
                           if c in columns and columns[c] not in protected)  # fmt: skip
            for start, end in _runs(owned):
                requests.append({"addProtectedRange": {"protectedRange": {
                    "range": {"sheetId": info.sheet_id, "startColumnIndex": start,
                              "endColumnIndex": end},
                    "description": f"{SETUP_MARKER}: computed on every sync; edits here are "
                                   "overwritten",
                    "warningOnly": True}}})  # fmt: skip
            dates = sorted(columns[c] for c in DATE_COLUMNS[tab]
                           if c in columns and c not in USER_COLUMNS[tab]
                           and (first_setup or c in fresh))  # fmt: skip
            for start, end in _runs(dates):
                requests.append({"repeatCell": {
                    "range": {"sheetId": info.sheet_id, "startRowIndex": 1,
                              "startColumnIndex": start, "endColumnIndex": end},
                    "cell": {"userEnteredFormat": {"numberFormat": {
                        "type": "DATE", "pattern": DATE_PATTERN}}},
                    "fields": "userEnteredFormat.numberFormat"}})  # fmt: skip
        return requests

    def _sheet_id(self, title: str, info: SheetInfo | None) -> int:
        if info is not None:
            return info.sheet_id
        cached = self._cache.get("sheet_ids", {}).get(title)
        if isinstance(cached, int):
            return cached
        meta = self._metadata(fresh=True)
        if title not in meta:
            raise UnreachableError(f"the tab {title!r} disappeared while writing; "
                                   "nothing was written", hint="run sync again")  # fmt: skip
        return meta[title].sheet_id

    def _send_values(self, data: list[dict[str, Any]], *, setup_done: bool,
                     option: str = "RAW") -> None:
        """One values:batchUpdate (RAW), or several only past the payload limit."""
        if not data:
            return
        chunks = split_payload(data, self.max_payload_bytes)
        sent_cells = 0
        for number, chunk in enumerate(chunks, 1):
            if number == 1:
                written = ("the new tabs and columns were set up, but no cell value was written"
                           if setup_done else "nothing from this push was written")
            else:
                written = (f"parts 1-{number - 1} of {len(chunks)} of this push were written "
                           f"({sent_cells} cells), nothing from part {number} on")
            # values:batchUpdate is atomic: a failed request wrote none of its cells.
            self._call(f"writing part {number} of {len(chunks)} of the changes"
                       if len(chunks) > 1 else "writing the changes", written,
                       self.client.values_batch_update, self.spreadsheet_id,
                       {"valueInputOption": option, "data": chunk}, write=True)  # fmt: skip
            sent_cells += sum(sum(v is not None for v in row) for vr in chunk
                              for row in vr["values"])  # fmt: skip

    def close(self) -> None:
        self.transport.close()


def open_google_backend(location: str, config: Config,
                        credentials: str | None = None) -> GoogleSheetsBackend:
    """The backend for ``--sheet`` / ``--credentials`` / sheetsync.toml."""
    from sheetsync.state import default_state_root

    root = Path(config.state_dir).expanduser() if config.state_dir else default_state_root()
    return GoogleSheetsBackend(location, credentials, config_credentials=config.credentials,
                               cache_dir=root / CACHE_FOLDER)  # fmt: skip


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _runs(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 6), (9, 10)] (half-open)."""
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _new_sheet_id(used: set[int]) -> int:
    import random as _random

    while True:
        candidate = _random.randrange(1, 2**31 - 1)
        if candidate not in used:
            return candidate


def _describe_drop(change: CellChange, why: str) -> str:
    row = f"row {change.key}" if change.key else f"unnamed row {change.row + 2}"
    return f"{change.tab}: {row}: {change.column} not written ({why})"


def _api_error_detail(exc: Any) -> tuple[str, str]:
    error = getattr(exc, "error", {}) or {}
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    reason = str(error.get("status", "")) if isinstance(error, dict) else ""
    for item in (error.get("errors") or []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and item.get("reason"):
            reason = str(item["reason"])
    for item in (error.get("details") or []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and item.get("reason"):
            reason = str(item["reason"])
    return reason, message


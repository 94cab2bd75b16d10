"""Google Sheets backend: the real spreadsheet, thrifty with quota, safe on a sheet people edit.

Request budget of one sync (``read()`` then ``write()``) once the tabs exist:

* ``read()``: one ``values:batchGet`` of every tracker tab (unformatted values,
  serial-number dates).  Spreadsheet metadata is fetched only when a tab is
  missing (Google answers 400 "Unable to parse range" for it) or for setup.
* ``write()``: one ``values:batchGet`` re-reading the tabs it touches, then one
  ``values:batchUpdate`` (RAW) holding only the cells of the plan.  An empty
  plan sends nothing.

Setup (see :mod:`~sheetsync.backends.google.setup`) is one
``spreadsheets.batchUpdate``, sent only when something is missing.  Whether a
tab has been set up is remembered in the cache folder (see
:mod:`~sheetsync.backends.google.cache`), so the check costs one metadata
read once per sheet.  Sending (setup never re-sent blindly, values in parts)
is in :mod:`~sheetsync.backends.google.sending`.  When Google refuses a sheetId
or tab name the cache remembered (a tab deleted and recreated, or renamed),
the cache is dropped and the write tried once more on a fresh look.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync.backends.base import Backend, WriteReport
from sheetsync.backends.google.cache import load_cache, save_cache
from sheetsync.backends.google.cells import parse_spreadsheet_key, quote_title, to_text
from sheetsync.backends.google.decor import (
    chart_requests,
    dashboard_formats,
    dashboard_protection,
    dashboard_value,
)
from sheetsync.backends.google.placement import (
    Cells,
    Columns,
    Origins,
    TabState,
    describe_drop,
    place_plan,
    tab_state,
)
from sheetsync.backends.google.repair import recheck_due, repair_requests
from sheetsync.backends.google.sending import send_setup, send_values, value_parts
from sheetsync.backends.google.setup import (
    SheetInfo,
    add_sheet,
    grow_requests,
    layout_requests,
    new_sheet_id,
    owned_date_columns,
    parse_metadata,
)
from sheetsync.errors import PartlyWritten, UnreachableError
from sheetsync.tracker.plan import DashboardWrite, Plan
from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS, TABS
from sheetsync.tracker.table import DashboardRead, Table, Workbook

if TYPE_CHECKING:
    import random

    import requests
    from google.auth.credentials import Credentials

    from sheetsync.backends.google.auth import LoadedCredentials
    from sheetsync.backends.google.transport import Clock, GoogleTransport, RetryPolicy
    from sheetsync.config import Config

# What Google says (HTTP 400) when the layout sheetsync used is out of date: a tab
# deleted and recreated (new sheetId), renamed, or rows deleted meanwhile.
STALE_SIGNS = ("no grid with id", "unable to parse range", "exceeds grid limits")
DASHBOARD_KEY = "\0dashboard"  # the Dashboard's key among the tabs' cells and titles
# Google recommends at most 2 MB per request body; a push is split into several
# values:batchUpdate requests only past this (about 40,000 short cells).
MAX_PAYLOAD_BYTES = 2_000_000


class GoogleSheetsBackend(Backend):
    """A tracker in Google Sheets.

    ``sheet`` is the ``--sheet`` value: a Sheets URL or key.  ``credentials`` is
    the ``--credentials`` path, a
    :class:`~sheetsync.backends.google.auth.LoadedCredentials`, a google-auth
    credentials object, or None to use ``$GOOGLE_APPLICATION_CREDENTIALS``, then
    ``config_credentials``, then the saved ``sheetsync auth login`` token.
    With ``$SHEETSYNC_API_ENDPOINT`` set, requests go there anonymously and no
    credentials are needed.  ``transport``/``session`` replace the HTTP layer
    (tests); ``cache_dir`` holds the small metadata cache (None for none, which
    costs one metadata read per run).
    """

    def __init__(
        self,
        sheet: str,
        credentials: LoadedCredentials | Credentials | str | os.PathLike[str] | None = None,
        *,
        config_credentials: str | os.PathLike[str] | None = None,
        transport: GoogleTransport | None = None,
        session: requests.Session | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        from gspread.http_client import HTTPClient

        self.spreadsheet_id = parse_spreadsheet_key(sheet)
        self.key = f"gsheets:{self.spreadsheet_id}"
        self.label = f"Google Sheets {self.spreadsheet_id}"
        self.max_payload_bytes = max_payload_bytes
        if transport is None:
            transport = _make_transport(credentials, config_credentials, session=session,
                                        policy=policy, clock=clock, rng=rng)  # fmt: skip
        self.transport = transport
        # With a session given, HTTPClient never touches its auth argument.
        self.client = HTTPClient(None, session=transport)  # type: ignore[arg-type]
        self._meta: dict[str, SheetInfo] | None = None  # fetched in this process
        self._titles: dict[str, str] = {}  # tracker tab -> sheet title, as last seen
        self._cache_file = (Path(cache_dir) / f"{self.spreadsheet_id}.json"
                            if cache_dir is not None else None)  # fmt: skip
        self._cache = load_cache(self._cache_file)
        # Tabs whose title differs from the canonical name ("applications") are
        # remembered, so their read does not cost a failed request each run.
        self._titles.update({k: v for k, v in self._cache.get("titles", {}).items()
                             if k in TABS and isinstance(v, str)})  # fmt: skip

    # ----------------------------------------------------------------- plumbing
    def call_api(self, doing: str, written: str, fn: Callable[..., Any], *args: Any,
                 write: bool = False, **kwargs: Any) -> Any:  # fmt: skip
        """Run ``fn`` (a call on :attr:`client`), turning failures into errors that say what to do.

        ``doing`` names the request in messages ("reading the tracker");
        ``written`` says what a failure leaves behind ("nothing was written");
        ``write`` marks a request whose effect is unknown when the connection drops.
        """
        from gspread.exceptions import APIError

        from sheetsync.backends.google.transport import RetriesExhausted, api_error, error_detail

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
            reason, message = error_detail(exc.error)
            raise api_error(exc.code, reason, message, principal=self.transport.principal,
                            doing=doing, target=f"spreadsheet {self.spreadsheet_id}",
                            written=written) from exc  # fmt: skip

    def _metadata(self, *, fresh: bool = False) -> dict[str, SheetInfo]:
        if self._meta is None or fresh:
            data = self.call_api(
                "reading the spreadsheet's layout", "nothing was written",
                self.client.fetch_sheet_metadata, self.spreadsheet_id,
                params={"includeGridData": "false",
                        "fields": "spreadsheetId,sheets(properties(sheetId,title,index,"
                                  "gridProperties),protectedRanges,conditionalFormats,"
                                  "charts(chartId,spec(title)))"},
            )  # fmt: skip
            self._meta = parse_metadata(data)
            self._cache["sheet_ids"] = {t: s.sheet_id for t, s in self._meta.items()}
            names = list(self._meta)
            found = {tab: self.find_tab(tab, names) for tab in TABS}
            self._titles = {tab: title for tab, title in found.items() if title is not None}
            self._cache["titles"] = {k: v for k, v in self._titles.items() if k != v}
            save_cache(self._cache_file, self._cache)
        return self._meta

    def _title(self, tab: str) -> str:
        return self._titles.get(tab, tab)

    def _dashboard(self, dash: DashboardWrite, meta: dict[str, SheetInfo] | None,
                   cells: dict[str, Cells]) -> list[dict[str, Any]]:  # fmt: skip
        """Place the Dashboard's cells in ``cells``; the setup requests it needs: the tab,
        its formats and chart when the tab is missing, its chart when that was deleted."""
        found = self.find_dashboard(list(meta)) if meta is not None else dash.title
        values = dash.cells
        requests: list[dict[str, Any]] = []
        if found is None:
            known = self._cache.setdefault("sheet_ids", {})
            used = {s.sheet_id for s in (meta or {}).values()}
            sheet_id = known.get(dash.title)  # the same id when a lost setup is rebuilt
            if not isinstance(sheet_id, int) or sheet_id in used:
                sheet_id = new_sheet_id(used | set(known.values()))
            known[dash.title] = sheet_id  # names it in messages
            requests.append(add_sheet(dash.title, sheet_id, len(dash.grid), 26)[0])
            requests += [*dashboard_formats(sheet_id), dashboard_protection(sheet_id),
                         *chart_requests(sheet_id, set())]
            found, values = dash.title, dash.full  # (deleted since the read: all of it)
        elif meta is not None:  # a chart deleted: back, once
            requests += chart_requests(meta[found].sheet_id, meta[found].charts)
        self._titles[DASHBOARD_KEY] = found
        cells[DASHBOARD_KEY] = {(c.row, c.col): dashboard_value(c.new, c.kind) for c in values}
        return requests

    def _batch_get(self, ranges: list[str], doing: str, written: str) -> list[dict[str, Any]]:
        data = self.call_api(
            doing, written, self.client.values_batch_get, self.spreadsheet_id, ranges,
            params={"valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"},
        )  # fmt: skip
        return list(data.get("valueRanges", []))

    # ----------------------------------------------------------------- read
    def read(self) -> Workbook:
        """Every tracker tab that exists, and the Dashboard, as text, in one
        ``values:batchGet``."""
        tabs = [t for t in TABS if self._meta is None or t in self._titles]
        dash = self.dashboard_tab if self._meta is None else self.find_dashboard(list(self._meta))
        try:
            answer = self._batch_get([quote_title(self._title(t)) for t in tabs]
                                     + ([quote_title(dash)] if dash else []),
                                     "reading the tracker", "nothing was written")  # fmt: skip
        except UnreachableError as exc:
            if not _missing_range(exc):
                raise
            # A tab does not exist (yet): learn which ones do, then read those.
            meta = self._metadata(fresh=True)
            tabs = [t for t in TABS if t in self._titles]
            dash = self.find_dashboard(list(meta))
            if not tabs and not dash:
                return Workbook({}, self._dashboard_read(None, []))
            answer = self._batch_get([quote_title(self._title(t)) for t in tabs]
                                     + ([quote_title(dash)] if dash else []),
                                     "reading the tracker", "nothing was written")  # fmt: skip
        out: dict[str, Table] = {}
        grids = [[[to_text(v) for v in row] for row in vr.get("values", [])] for vr in answer]
        for tab, grid in zip(tabs, grids, strict=False):
            header = grid[0] if grid else []
            out[tab] = self.make_table(tab, header, grid[1:])
        return Workbook(out, self._dashboard_read(dash, grids[len(tabs):]))

    def _dashboard_read(self, title: str | None, grids: list[list[list[str]]]
                        ) -> DashboardRead | None:  # fmt: skip
        if not self.dashboard_tab:
            return None
        if title is None or not grids:
            return DashboardRead(self.dashboard_tab, None)
        return DashboardRead(title, grids[0])

    # ----------------------------------------------------------------- write
    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        if not plan:
            return WriteReport()
        calls_before = self.transport.calls
        try:
            report = self._write(plan, base)
        except PartlyWritten:
            raise
        except UnreachableError as exc:
            if not _stale_layout(exc):
                raise
            # A tab was deleted and recreated (a new sheetId) or renamed since the
            # cache learnt it: forget the layout and write once more on a fresh look,
            # which also sets the recreated tab up again.
            self._forget_layout()
            report = self._write(plan, base)
        report.requests = self.transport.calls - calls_before
        return report

    def _forget_layout(self) -> None:
        self._meta = None
        self._titles = {}
        self._cache.update(sheet_ids={}, set_up=[], titles={})
        save_cache(self._cache_file, self._cache)

    def _write(self, plan: Plan, base: Workbook) -> WriteReport:
        report = WriteReport()
        new_columns = {t: list(cols) for t, cols in plan.new_columns.items() if cols}
        touched: list[str] = []
        for tab in [*plan.new_tabs, *new_columns, *(c.tab for c in plan.changes),
                    *(a.tab for a in plan.appends)]:  # fmt: skip
            if tab not in touched:
                touched.append(tab)
        set_up = set(self._cache.get("set_up", []))
        needs_check = bool(plan.new_tabs or new_columns) or any(t not in set_up for t in touched)
        dash = plan.dashboard if self.dashboard_tab else None
        as_of = dash.grid[0][1] if dash and dash.grid and len(dash.grid[0]) > 1 else ""
        # With a Dashboard, the first writing sync of a week looks at the layout too:
        # what someone removed (a chart, a drop-down, a highlight) comes back, once.
        weekly = bool(as_of) and recheck_due(self._cache.get("layout_checked"), as_of)
        # (a layout forgotten after a stale write: the Dashboard may be the tab that went)
        needs_check = needs_check or weekly or bool(dash and (dash.create or not set_up))
        # Creating tabs or columns: look afresh, so a tab someone added since the read
        # is used rather than duplicated.  A first check may reuse what read() fetched.
        meta = (self._metadata(fresh=bool(plan.new_tabs or new_columns or (dash and dash.create)))
                if needs_check else None)  # fmt: skip
        existing = self._existing_tabs(plan, base, touched, meta is not None, report)
        creating = [t for t in touched if t not in existing]

        states = self._reread(sorted(existing, key=TABS.index))
        for tab in plan.new_tabs:
            if tab in states:  # created by someone since the read: complete its header
                new_columns[tab] = [c for c in ALL_COLUMNS[tab] if c not in states[tab].columns]
        origins: Origins = {}
        cells, header_cols = place_plan(plan, base, touched, states, new_columns, report,
                                        origins)  # fmt: skip

        setup = self._setup_requests(touched, creating, states, header_cols, cells, meta)
        if dash:  # (a Dashboard made since the read is in the fresh metadata: used)
            setup += self._dashboard(dash, meta, cells)
        if meta is not None and dash is not None:
            columns = {t: header_cols.get(t) or base[t].columns for t in TABS if t in base}
            fresh = {t: set(cols) - set(states[t].columns) if t in states else set(cols)
                     for t, cols in header_cols.items()}  # fmt: skip
            setup += repair_requests(self, meta, columns, set(touched), fresh)
            if as_of:
                self._cache["layout_checked"] = as_of
        if setup:
            send_setup(self, setup,
                       lambda: (self._rebuild_setup(touched, creating, states, header_cols, cells)
                                + (self._dashboard(dash, self._metadata(), {}) if dash else [])),
                       self._sheet_titles)  # fmt: skip
            self._meta = None  # the layout changed; look again next time it matters
        if meta is not None:
            self._cache["set_up"] = sorted(set_up | set(touched))
        parts = value_parts([*touched, *([DASHBOARD_KEY] if dash else [])], cells, self._title,
                            self.max_payload_bytes)  # fmt: skip
        send_values(self, parts, setup_done=bool(setup), plan=plan, origins=origins)
        save_cache(self._cache_file, self._cache)
        return report

    def _rebuild_setup(self, touched: list[str], creating: list[str],
                       states: dict[str, TabState], header_cols: dict[str, Columns],
                       cells: dict[str, Cells]) -> list[dict[str, Any]]:  # fmt: skip
        """The setup requests still needed, from a fresh look at the layout.

        Called when a setup's answer was lost: what it applied is now in the
        metadata, so nothing already there is requested again.
        """
        meta = self._metadata(fresh=True)
        for state in states.values():
            info = meta.get(state.title)
            if info is not None:  # the grid as it is now (it may have grown)
                state.grid_rows, state.grid_cols = info.rows, info.columns
        for tab in creating:
            title = self._titles.get(tab)
            if title is None or tab in states:
                continue
            info = meta[title]  # created by the request whose answer was lost
            # Its protection and date formats came in the same (atomic) request.
            known = dict(header_cols.get(tab, {})) if info.our_protected_columns() else {}
            states[tab] = TabState(title, [], known, Table(tab, [], []), 0, info.rows,
                                   info.columns)  # fmt: skip
        still = [t for t in creating if t not in self._titles]
        return self._setup_requests(touched, still, states, header_cols, cells, meta)

    def _sheet_titles(self) -> dict[int, str]:
        """Tab names by sheet id, as far as known (for messages)."""
        known = {v: k for k, v in self._cache.get("sheet_ids", {}).items() if isinstance(v, int)}
        known.update({info.sheet_id: title for title, info in (self._meta or {}).items()})
        return known

    def _existing_tabs(self, plan: Plan, base: Workbook, touched: list[str], looked: bool,
                       report: WriteReport) -> set[str]:  # fmt: skip
        """The touched tabs that exist; tabs deleted since the read leave ``touched``."""
        if looked:  # the metadata is fresh enough to say
            existing = {t for t in touched if t in self._titles}
        else:
            existing = {t for t in touched if t in base and t not in plan.new_tabs}
        for tab in [t for t in touched if t not in existing and t not in plan.new_tabs]:
            # Deleted since the read: drop its changes, never recreate it blindly.
            report.dropped.extend(describe_drop(c, "its tab no longer exists")
                                  for c in plan.changes if c.tab == tab)  # fmt: skip
            report.dropped.extend(f"{tab}: new row {a.key or '(no id)'} not written (its tab "
                                  "no longer exists)" for a in plan.appends if a.tab == tab)
            touched.remove(tab)
        return existing

    def _reread(self, tabs: Sequence[str]) -> dict[str, TabState]:
        """One ``values:batchGet`` of ``tabs`` as they are now, just before writing.

        Whole tabs: rows without an id (or sharing one) are found by all their
        cells, and cells of the user's that someone edited meanwhile are kept.
        Still one request; only the bytes grow with the tab.
        """
        if not tabs:
            return {}
        titles = [self._title(tab) for tab in tabs]
        try:
            answer = self._batch_get([quote_title(t) for t in titles],
                                     "re-reading row ids before writing",
                                     "nothing was written")  # fmt: skip
        except UnreachableError as exc:
            if not _missing_range(exc):
                raise
            raise UnreachableError(
                "a tracker tab was renamed or deleted since the sheet was read; "
                "nothing was written",
                hint="run sync again (it reads the sheet afresh)",
            ) from exc
        return {tab: tab_state(tab, title, vr, self.aliases if tab == APPLICATIONS else {})
                for tab, title, vr in zip(tabs, titles, answer, strict=True)}  # fmt: skip

    def _setup_requests(self, touched: list[str], creating: list[str],
                        states: dict[str, TabState], header_cols: dict[str, Columns],
                        cells: dict[str, Cells],
                        meta: dict[str, SheetInfo] | None) -> list[dict[str, Any]]:  # fmt: skip
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
            if tab in creating:
                sheet_id = new_sheet_id(used_ids)
                used_ids.add(sheet_id)
                request, info = add_sheet(tab, sheet_id, max_row, max_col)
                requests.append(request)
                self._titles[tab] = tab
                self._cache.setdefault("sheet_ids", {})[tab] = sheet_id
                known: Sequence[str] = ()
            else:
                state = states[tab]
                found = meta.get(state.title) if meta is not None else None
                requests.extend(self._grow_requests(state, found, max_row, max_col,
                                                    owned_date_columns(tab, columns)))
                if found is None:
                    continue  # layout checked before (cache): nothing else to do
                info, known = found, list(state.columns)
            requests.extend(layout_requests(tab, info, columns, known))
        return requests

    def _grow_requests(self, state: TabState, info: SheetInfo | None, max_row: int,
                       max_col: int, dates: Sequence[int]) -> list[dict[str, Any]]:  # fmt: skip
        """Rows and columns to add when the cells to write outgrow the tab's grid."""
        grid_rows = state.grid_rows or (info.rows if info else None)
        grid_cols = state.grid_cols or (info.columns if info else None)
        grow_rows = max_row - grid_rows if grid_rows else 0
        grow_cols = max_col - grid_cols if grid_cols else 0
        if grow_rows <= 0 and grow_cols <= 0:
            return []
        return grow_requests(self._sheet_id(state.title, info), grid_rows, grow_rows, grow_cols,
                             dates)  # fmt: skip

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

    def close(self) -> None:
        self.transport.close()


def open_google_backend(location: str, config: Config, credentials: str | None = None, *,
                        cache_dir: str | os.PathLike[str] | None = None) -> GoogleSheetsBackend:
    """The backend for ``--sheet`` / ``--credentials`` / sheetsync.toml.

    ``cache_dir`` is the caller's to choose (the command line keeps it in the
    state folder); None keeps no cache.
    """
    return GoogleSheetsBackend(location, credentials, config_credentials=config.credentials,
                               cache_dir=cache_dir)  # fmt: skip


def _make_transport(
    credentials: LoadedCredentials | Credentials | str | os.PathLike[str] | None,
    config_credentials: str | os.PathLike[str] | None,
    **options: Any,
) -> GoogleTransport:
    """The HTTP layer over whichever credentials were given (see GoogleSheetsBackend)."""
    from sheetsync.backends.google import auth
    from sheetsync.backends.google.transport import GoogleTransport, Principal, endpoint_from_env

    loaded: LoadedCredentials
    if isinstance(credentials, auth.LoadedCredentials):
        loaded = credentials
    elif credentials is not None and not isinstance(credentials, str | os.PathLike):
        loaded = auth.describe(credentials)
    elif endpoint_from_env() and credentials is None:
        loaded = auth.anonymous()  # an emulator needs no credentials
    else:
        loaded = auth.load_credentials(credentials, config_path=config_credentials)
    return GoogleTransport(loaded.credentials, principal=Principal(loaded.kind, loaded.email),
                           **options)  # fmt: skip


def _stale_layout(exc: BaseException) -> bool:
    """True for Google's answer to a sheetId, tab name or grid size that no longer holds."""
    cause: BaseException | None = exc
    while cause is not None and getattr(cause, "code", None) is None:
        cause = cause.__cause__
    text = str(cause).lower()
    return getattr(cause, "code", None) == 400 and any(
        sign in text for sign in STALE_SIGNS)


def _missing_range(exc: BaseException) -> bool:
    """True for Google's answer to a range on a tab that does not exist."""
    code = getattr(exc.__cause__, "code", None)
    return code == 400 and "unable to parse range" in str(exc).lower()

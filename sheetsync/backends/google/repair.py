"""Putting back what sheetsync added to a Google sheet and someone removed: highlights
(visible in the layout metadata), drop-downs (visible only in the cells, so row 2 of
each column that should have one is read, in one request) and the Dashboard's chart.

Runs on a sync that looks at the layout anyway (a tab or column added, the
Dashboard created) and, with a Dashboard, on the first writing sync of each week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sheetsync.backends.google.cells import a1, quote_title
from sheetsync.backends.google.decor import dropdown_requests, highlight_requests
from sheetsync.tracker.decor import OWNED_CHOICES
from sheetsync.tracker.schema import TABS

if TYPE_CHECKING:
    from sheetsync.backends.google.setup import SheetInfo
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

RECHECK_DAYS = 7  # how often a sheet with a Dashboard has its layout looked at


def recheck_due(last: object, as_of: str) -> bool:
    """True when the layout was last looked at ``RECHECK_DAYS`` or more before ``as_of``."""
    try:
        today = dt.date.fromisoformat(as_of)
    except ValueError:
        return False
    try:
        return (today - dt.date.fromisoformat(str(last))).days >= RECHECK_DAYS
    except ValueError:
        return True  # never looked (or the cache was lost)


def repair_requests(backend: GoogleSheetsBackend, meta: Mapping[str, SheetInfo],
                    columns: Mapping[str, Mapping[str, int]], skip: set[str],
                    fresh: Mapping[str, set[str]]) -> list[dict[str, Any]]:  # fmt: skip
    """Highlights and drop-downs missing from the tracker tabs that exist.

    ``columns``: where each tab's columns are; ``skip``: tabs whose highlights the
    setup already covers; ``fresh``: columns this write creates (they get their
    drop-down with the setup).
    """
    requests: list[dict[str, Any]] = []
    wanted: list[tuple[str, SheetInfo, str, int]] = []
    for tab in TABS:
        title = backend._titles.get(tab)
        info = meta.get(title) if title else None
        if info is None or tab not in columns:
            continue
        if tab not in skip:
            requests += highlight_requests(info.sheet_id, tab, dict(columns[tab]), info.formulas)
        for (owner, column), _ in OWNED_CHOICES.items():
            if owner == tab and column in columns[tab] and column not in fresh.get(tab, set()):
                wanted.append((tab, info, column, columns[tab][column]))
    if not wanted:
        return requests
    checked = _validated(backend, [(info.title, col) for _, info, _, col in wanted])
    for (tab, info, column, col), has in zip(wanted, checked, strict=True):
        if not has:  # none there (never made, or deleted): ours, once
            requests += dropdown_requests(info.sheet_id, tab, {column: col}, {column})
    return requests


def _validated(backend: GoogleSheetsBackend, cells: list[tuple[str, int]]) -> list[bool]:
    """Whether row 2 of each (tab title, column) holds a drop-down: the user's or ours."""
    ranges = [f"{quote_title(title)}!{a1(1, col)}" for title, col in cells]
    data = backend.call_api(
        "checking the tracker's drop-downs", "nothing was written",
        backend.client.fetch_sheet_metadata, backend.spreadsheet_id,
        params={"includeGridData": "true", "ranges": ranges,
                "fields": "sheets(properties(title),data(startColumn,rowData(values("
                          "dataValidation))))"},
    )  # fmt: skip
    found: set[tuple[str, int]] = set()
    for sheet in data.get("sheets", []):
        title = str(sheet.get("properties", {}).get("title", ""))
        for grid in sheet.get("data", []):
            rows = grid.get("rowData") or [{}]
            values = rows[0].get("values") or [{}]
            if values[0].get("dataValidation"):
                found.add((title, int(grid.get("startColumn", 0))))
    return [(title, col) in found for title, col in cells]

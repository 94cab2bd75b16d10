"""The spreadsheet's layout: its tabs as Google describes them, and the setup requests.

Setup (missing tabs and columns, frozen header, warning-only protection of
sheetsync's columns, date format on its date columns) is one
``spreadsheets.batchUpdate``, sent only when something is missing.  The
functions here only build requests; the backend decides when to send them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheetsync.backends.google.cells import USER_COLUMNS
from sheetsync.backends.google.decor import dropdown_requests, highlight_requests, present_formulas
from sheetsync.tracker.schema import DATE_COLUMNS, OWNED_COLUMNS

# Rows added beyond what appends need when they outgrow a tab's grid (at least this,
# or a fifth of the grid), so that a growing Drafts tab rarely needs a grid change.
ROW_MARGIN = 100
SETUP_MARKER = "sheetsync"  # protected ranges whose description starts with this are ours
DATE_PATTERN = "yyyy-mm-dd"  # unambiguous in every locale, and sorts


@dataclass
class SheetInfo:
    sheet_id: int
    title: str
    rows: int = 1000
    columns: int = 26
    frozen_rows: int = 0
    protected: list[dict[str, Any]] = field(default_factory=list)
    formulas: set[str] = field(default_factory=set)  # of its conditional formats
    charts: set[str] = field(default_factory=set)  # their titles

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
            formulas=present_formulas(sheet),
            charts={str(c.get("spec", {}).get("title", "")) for c in sheet.get("charts", [])},
        )
    return out


def new_sheet_id(used: set[int]) -> int:
    while True:
        candidate = random.randrange(1, 2**31 - 1)
        if candidate not in used:
            return candidate


def add_sheet(
    tab: str, sheet_id: int, max_row: int, max_col: int
) -> tuple[dict[str, Any], SheetInfo]:
    """The request creating tab ``tab`` big enough for ``max_row`` x ``max_col``, and its info."""
    rows = max(1000, max_row + ROW_MARGIN)
    request = {"addSheet": {"properties": {
        "sheetId": sheet_id, "title": tab,
        "gridProperties": {"rowCount": rows, "columnCount": max(26, max_col),
                           "frozenRowCount": 1}}}}  # fmt: skip
    return request, SheetInfo(sheet_id, tab, rows, max(26, max_col), 1)


def grow_requests(sheet_id: int, grid_rows: int | None, grow_rows: int, grow_cols: int,
                  date_columns: Sequence[int] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Rows (with a margin) and columns to add so the cells to write fit the grid.

    Rows Google appends come without the formats of the rows above, so the new
    rows get sheetsync's date format on ``date_columns`` in the same request.
    """
    requests: list[dict[str, Any]] = []
    if grow_rows > 0 and grid_rows:
        margin = max(ROW_MARGIN, grid_rows // 5)
        length = grow_rows + margin
        requests.append({"appendDimension": {
            "sheetId": sheet_id, "dimension": "ROWS", "length": length}})  # fmt: skip
        requests.extend(date_format(sheet_id, start, end, grid_rows, grid_rows + length)
                        for start, end in _runs(sorted(date_columns)))  # fmt: skip
    if grow_cols > 0:
        requests.append({"appendDimension": {
            "sheetId": sheet_id, "dimension": "COLUMNS", "length": grow_cols}})  # fmt: skip
    return requests


def date_format(sheet_id: int, start: int, end: int, first_row: int = 1,
                end_row: int | None = None) -> dict[str, Any]:  # fmt: skip
    """sheetsync's DATE format on columns [start, end), rows [first_row, end_row or the end)."""
    grid: dict[str, Any] = {"sheetId": sheet_id, "startRowIndex": first_row,
                            "startColumnIndex": start, "endColumnIndex": end}  # fmt: skip
    if end_row is not None:
        grid["endRowIndex"] = end_row
    return {"repeatCell": {
        "range": grid,
        "cell": {"userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": DATE_PATTERN}}},
        "fields": "userEnteredFormat.numberFormat"}}  # fmt: skip


def owned_date_columns(tab: str, columns: dict[str, int]) -> list[int]:
    """Where sheetsync's own date columns of ``tab`` are (the user's keep their format)."""
    return sorted(columns[c] for c in DATE_COLUMNS[tab]
                  if c in columns and c not in USER_COLUMNS[tab])  # fmt: skip


def layout_requests(tab: str, info: SheetInfo, columns: dict[str, int],
                    known: Iterable[str]) -> list[dict[str, Any]]:  # fmt: skip
    """Frozen header, protection of sheetsync's columns and date formats that are missing.

    ``columns`` is where every column will be; ``known`` the columns the tab
    had before this write (none for a tab being created).
    """
    requests: list[dict[str, Any]] = []
    if info.frozen_rows == 0:
        requests.append({"updateSheetProperties": {
            "properties": {"sheetId": info.sheet_id, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount"}})  # fmt: skip
    protected = info.our_protected_columns()
    # A tab is set up once: when created, or when it has none of our protection.
    first_setup = not protected
    fresh = set(columns) - set(known)
    owned = sorted(columns[c] for c in OWNED_COLUMNS[tab]
                   if c in columns and columns[c] not in protected)  # fmt: skip
    for start, end in _runs(owned):
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": info.sheet_id, "startColumnIndex": start,
                      "endColumnIndex": end},
            "description": f"{SETUP_MARKER}: computed on every sync; edits here are "
                           "overwritten",
            "warningOnly": True}}})  # fmt: skip
    wanted = {c: i for c, i in columns.items() if first_setup or c in fresh}
    requests.extend(date_format(info.sheet_id, start, end)
                    for start, end in _runs(owned_date_columns(tab, wanted)))  # fmt: skip
    requests += dropdown_requests(info.sheet_id, tab, columns, fresh)
    requests += highlight_requests(info.sheet_id, tab, columns, info.formulas)
    return requests


def describe_setup(request: dict[str, Any], titles: dict[int, str]) -> str:
    """One setup request in words, for messages that say what was and wasn't applied."""
    kind, body = next(iter(request.items()))
    if kind == "addSheet":
        return f"tab {body['properties']['title']!r} created"
    if kind == "addChart":
        return "funnel chart added to the Dashboard"
    grid = (body.get("range") or body.get("protectedRange", {}).get("range")
            or (body.get("rule") or {}).get("ranges", [None])[0] or body)  # fmt: skip
    sheet_id = grid.get("sheetId", body.get("properties", {}).get("sheetId"))
    tab = repr(titles.get(int(sheet_id or 0), f"sheet {sheet_id}"))
    if kind == "appendDimension":
        return f"{body['length']} {body['dimension'].lower()} added to {tab}"
    if kind == "updateSheetProperties":
        return f"header row of {tab} frozen"
    letters = _letters(grid)
    if kind == "addProtectedRange":
        return f"columns {letters} of {tab} protected (warning only)"
    if kind == "setDataValidation":
        return f"drop-down on column {letters} of {tab}"
    if kind == "addConditionalFormatRule":
        return f"highlight on columns {letters} of {tab}"
    if kind == "repeatCell":
        rows = (f" rows {grid['startRowIndex'] + 1}-{grid['endRowIndex']}"
                if "endRowIndex" in grid else "")  # fmt: skip
        return f"date format on columns {letters}{rows} of {tab}"
    return f"{kind} on {tab}"


def _letters(grid: dict[str, Any]) -> str:
    from sheetsync.tracker.schema import column_letter

    start = int(grid.get("startColumnIndex", 0))
    end = int(grid.get("endColumnIndex", start + 1))
    first, last = column_letter(start), column_letter(end - 1)
    return first if first == last else f"{first}-{last}"


def _runs(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 6), (9, 10)] (half-open)."""
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out

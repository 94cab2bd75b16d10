"""The Google side of :mod:`sheetsync.tracker.decor` and the Dashboard tab: requests for
the one setup ``spreadsheets.batchUpdate``, built only for what is missing."""

from __future__ import annotations

from typing import Any

from sheetsync.dashboard.grid import (
    CHARTS,
    DATE_COLUMN,
    LISTS_FROM,
    RATE_ROW,
    WEEK_ROWS,
    WIDTH,
)
from sheetsync.tracker.decor import MARKER, choices, highlights, runs


def _rgb(hex_colour: str) -> dict[str, float]:
    return {name: round(int(hex_colour[i:i + 2], 16) / 255, 4)
            for name, i in (("red", 0), ("green", 2), ("blue", 4))}  # fmt: skip


def dropdown_requests(sheet_id: int, tab: str, columns: dict[str, int],
                      created: set[str]) -> list[dict[str, Any]]:  # fmt: skip
    """``setDataValidation`` for each column of ``created`` that gets a drop-down.

    Only columns this write creates: a column that was there may hold a drop-down
    of the user's, which Google's metadata does not show and must not be replaced.
    """
    out = []
    for column in sorted(created):
        words = choices(tab, column, True) if column in columns else None
        if words is None:
            continue
        col = columns[column]
        out.append({"setDataValidation": {
            "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": col,
                      "endColumnIndex": col + 1},
            "rule": {"condition": {"type": "ONE_OF_LIST",
                                   "values": [{"userEnteredValue": w} for w in words]},
                     # not strict: an unknown word is kept, and lint names it
                     "inputMessage": f"{MARKER}: pick one", "strict": False,
                     "showCustomUi": True}}})  # fmt: skip
    return out


def highlight_requests(sheet_id: int, tab: str, columns: dict[str, int],
                       present: set[str]) -> list[dict[str, Any]]:  # fmt: skip
    """``addConditionalFormatRule`` for each highlight whose formula the tab lacks."""
    out = []
    for rule in highlights(tab, columns):
        formula = "=" + rule.formula
        if formula in present:
            continue
        fmt: dict[str, Any] = {"backgroundColor": _rgb(rule.fill)}
        if rule.grey_text:
            fmt["textFormat"] = {"foregroundColor": _rgb("808080")}
        ranges = [{"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": start,
                   "endColumnIndex": end}
                  for start, end in runs([columns[c] for c in rule.columns])]  # fmt: skip
        out.append({"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": ranges,
            "booleanRule": {"condition": {"type": "CUSTOM_FORMULA",
                                          "values": [{"userEnteredValue": formula}]},
                            "format": fmt}}}})  # fmt: skip
    return out


def present_formulas(sheet: dict[str, Any]) -> set[str]:
    """The custom formulas of a tab's conditional formats, as the metadata lists them."""
    return {str(v.get("userEnteredValue", ""))
            for rule in sheet.get("conditionalFormats", [])
            for v in ((rule.get("booleanRule") or {}).get("condition") or {}).get("values", [])}


def dashboard_protection(sheet_id: int) -> dict[str, Any]:
    """A warning before anyone types into the Dashboard's cells: sheetsync rewrites them."""
    return {"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet_id, "startColumnIndex": 0, "endColumnIndex": WIDTH},
        "description": f"{MARKER}: the Dashboard is rewritten on every sync",
        "warningOnly": True}}}  # fmt: skip


def dashboard_formats(sheet_id: int) -> list[dict[str, Any]]:
    """Date and percent formats where the Dashboard holds dates and the response rate."""
    def fmt(r0: int, r1: int | None, c: int, kind: str, pattern: str) -> dict[str, Any]:
        grid: dict[str, Any] = {"sheetId": sheet_id, "startRowIndex": r0,
                                "startColumnIndex": c, "endColumnIndex": c + 1}  # fmt: skip
        if r1 is not None:
            grid["endRowIndex"] = r1
        return {"repeatCell": {"range": grid, "cell": {"userEnteredFormat": {
            "numberFormat": {"type": kind, "pattern": pattern}}},
            "fields": "userEnteredFormat.numberFormat"}}  # fmt: skip

    return [fmt(0, 1, 1, "DATE", "yyyy-mm-dd"), fmt(RATE_ROW, RATE_ROW + 1, 1, "PERCENT", "0%"),
            fmt(WEEK_ROWS[0], WEEK_ROWS[1], 0, "DATE", "yyyy-mm-dd"),
            fmt(LISTS_FROM, None, DATE_COLUMN, "DATE", "yyyy-mm-dd")]  # fmt: skip


def chart_requests(sheet_id: int, present: set[str]) -> list[dict[str, Any]]:
    """The Dashboard's charts it lacks (by title), each over the Dashboard's own cells,
    so they follow the values: the funnel as bars, the weekly applications as columns."""
    out = []
    for title, rows, chart_type, anchor in CHARTS:
        if title in present:
            continue

        def source(col: int, rows: tuple[int, int] = rows) -> dict[str, Any]:
            return {"sourceRange": {"sources": [{"sheetId": sheet_id, "startRowIndex": rows[0],
                                                 "endRowIndex": rows[1], "startColumnIndex": col,
                                                 "endColumnIndex": col + 1}]}}  # fmt: skip

        out.append({"addChart": {"chart": {
            "spec": {"title": title, "basicChart": {
                "chartType": chart_type, "legendPosition": "NO_LEGEND", "headerCount": 0,
                "domains": [{"domain": source(0), "reversed": chart_type == "BAR"}],
                "series": [{"series": source(1), "targetAxis": "BOTTOM_AXIS"
                            if chart_type == "BAR" else "LEFT_AXIS"}]}},
            "position": {"overlayPosition": {
                "anchorCell": {"sheetId": sheet_id, "rowIndex": anchor[0],
                               "columnIndex": anchor[1]},
                "widthPixels": 480, "heightPixels": 300}}}}})  # fmt: skip
    return out


def dashboard_value(text: str, kind: str) -> Any:
    """A Dashboard cell as Google stores it (RAW): numbers, dates as serial numbers."""
    from datetime import date

    from sheetsync.backends.google.cells import to_serial

    if not text or kind == "text":
        return text
    if kind == "date":
        return to_serial(date.fromisoformat(text))
    return int(text) if kind == "int" else float(text)

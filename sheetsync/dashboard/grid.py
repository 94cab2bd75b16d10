"""The Dashboard tab's layout: fixed blocks at fixed places, then the lists.

The funnel and the weekly counts always sit in the same cells, so the chart
can point at them once and follow their values.  Dates are real dates and
numbers are numbers (``kind``); the text form is what a sync compares with the
tab as read, so only cells whose value changed are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:  # the plan imports this module; the overview imports the agenda
    from sheetsync.dashboard.overview import Item, Overview

CellKind = Literal["text", "int", "number", "percent", "date"]
#: The Dashboard's first cell, beside the sync date: how a tab is known to be sheetsync's.
TITLE = "Updated by sheetsync on"
WEEKS = 8  # applications sent per week, over the last 8 weeks
WIDTH = 4  # columns A-D
FUNNEL_ROWS = (3, 9)  # [first, end) rows (0-based) of the funnel's stages, under its header
RATE_ROW = 9
WEEK_ROWS = (13, 13 + WEEKS)
LISTS_FROM = WEEK_ROWS[1] + 1  # the lists start here; their column D holds dates
DATE_COLUMN = 3
CHART_ANCHOR = (1, 5)  # (row, column) of the funnel chart's top-left corner: F2
WEEKS_ANCHOR = (17, 5)  # ... and of the weekly chart's: F18
#: The Dashboard's charts: (title, [first, end) data rows, Google chart type, anchor);
#: labels in column A, values in column B.
CHARTS = (
    ("Funnel", FUNNEL_ROWS, "BAR", CHART_ANCHOR),
    ("Applications per week", WEEK_ROWS, "COLUMN", WEEKS_ANCHOR),
)


class Value(NamedTuple):
    text: str  # as compared and as written to a CSV file
    kind: CellKind = "text"


Grid = list[list[Value]]
BLANK = Value("")


def overview_grid(ov: Overview) -> Grid:
    """The Dashboard as rows of typed values (ragged: short rows end early)."""
    rows: Grid = [
        [Value(TITLE), _date(ov.as_of)],
        [],
        [Value("Funnel"), Value("Count")],
        *[[Value(label), Value(str(n), "int")] for label, n in ov.funnel],
        [Value("Response rate"), _number(ov.response_rate, "percent")],
        [Value("Median days to first reply"), _number(ov.median_days_to_reply, "number")],
        [],
        [Value("Week starting"), Value("Applications sent")],
        *[[_date(day), Value(str(n), "int")] for day, n in ov.weekly],
        [],
    ]
    sections: Sequence[tuple[str, tuple[str, str, str, str], list[Item]]] = (
        ("Due in the next 7 days, and overdue", ("Company", "Role", "Action", "Due on"), ov.due),
        (f"Drafts awaiting approval ({ov.approved} approved, not sent yet)",
         ("Company", "Role", "Draft", "Due on"), ov.awaiting_approval),
        ("Open feedback action items", ("Company", "Role", "Action item", "Due on"),
         ov.feedback_open),
    )  # fmt: skip
    for title, header, items in sections:
        rows.append([Value(title)])
        rows.append([Value(h) for h in header])
        rows.extend(
            [Value(i.company), Value(i.role), Value(i.what), _date(i.due_on)] for i in items
        )
        if not items:
            rows.append([Value("(none)")])
        rows.append([])
    rows.append([Value("Feedback themes"), Value("Responses")])
    rows.extend([Value(theme), Value(str(n), "int")] for theme, n in ov.themes)
    if not ov.themes:
        rows.append([Value("(none yet)")])
    return [_trim(r) for r in rows]


def is_ours(grid: list[list[str]] | None) -> bool:
    """True for a Dashboard tab sheetsync made (or an empty one): it may be rewritten.
    A tab of that name holding anything else is the user's, and is left alone."""
    if not grid or not any(c.strip() for row in grid for c in row):
        return True
    return bool(grid[0]) and grid[0][0].strip() == TITLE


def text_grid(grid: Grid) -> list[list[str]]:
    return [[v.text for v in row] for row in grid]


class GridCell(NamedTuple):
    """One Dashboard cell to write (0-based, the title row is row 0)."""

    row: int
    col: int
    old: str
    new: str
    kind: CellKind


def grid_changes(current: list[list[str]] | None, new: Grid) -> list[GridCell]:
    """The cells of ``new`` that differ from ``current`` (as read), and the cells
    ``current`` holds that ``new`` leaves blank (a list grew shorter)."""
    current = current or []
    out: list[GridCell] = []
    for r in range(max(len(current), len(new))):
        have = current[r] if r < len(current) else []
        want = new[r] if r < len(new) else []
        for c in range(max(len(have), len(want))):
            old = have[c] if c < len(have) else ""
            value = want[c] if c < len(want) else BLANK
            if not same(old, value):
                out.append(GridCell(r, c, old, value.text, value.kind))
    return out


def same(old: str, value: Value) -> bool:
    """True when the cell already shows ``value``: a date read back as a serial number
    or a number read back as ``3.0`` is the same value."""
    if old == value.text:
        return True
    if not old or not value.text:
        return False
    if value.kind == "date":
        from sheetsync.tracker.plan import same_value

        return same_value(old, value.text, "date")
    if value.kind != "text":
        try:
            return abs(float(old) - float(value.text)) < 1e-9
        except ValueError:
            return False
    return False


def _date(day: dt.date | None) -> Value:
    return Value(day.isoformat(), "date") if day else BLANK


def _number(value: float | None, kind: CellKind) -> Value:
    if value is None:
        return BLANK
    return Value(str(int(value)) if float(value).is_integer() else repr(value), kind)


def _trim(row: list[Value]) -> list[Value]:
    while row and not row[-1].text:
        row = row[:-1]
    return row

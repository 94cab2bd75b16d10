"""Cells as Google sees them: spreadsheet keys, A1 notation, and values in and out.

Light on purpose (no gspread, no requests): :func:`is_google_sheet` runs for
every command, Google or not.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sheetsync.errors import ConfigError
from sheetsync.tracker.schema import (
    APP_USER_COLUMNS,
    APPLICATIONS,
    DRAFT_USER_COLUMNS,
    DRAFTS,
    FEEDBACK,
    FEEDBACK_USER_COLUMNS,
    column_letter,
)

# A gap of up to this many untouched cells inside a row is bridged with JSON
# nulls (which Google skips) rather than starting a new range.
MAX_NULL_GAP = 2
EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet serial numbers
# Columns the user owns (sheetsync writes them only for documented write-backs); every
# other column is written by sheetsync, so its dates are serial numbers under a DATE format.
USER_COLUMNS: dict[str, frozenset[str]] = {
    APPLICATIONS: frozenset(APP_USER_COLUMNS),
    DRAFTS: frozenset(DRAFT_USER_COLUMNS),
    FEEDBACK: frozenset(FEEDBACK_USER_COLUMNS),
}

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


class Entered(str):
    """A value sheetsync records in one of the user's own columns (a write-back).

    Sent with USER_ENTERED, in one request of their own: a sent follow-up's
    count and date land together or not at all, so a failed request never
    leaves one recorded without the other (which the next run would count
    again).  The text is sheetsync's own (a number or an ISO date), never user
    text, so nothing can become a formula.
    """


class DateText(Entered):
    """An ISO date sheetsync writes into one of the user's own date columns.

    USER_ENTERED makes Sheets store a real date (and, for a cell without a
    format, show it as one) without touching the column's format.
    """


def encode(tab: str, column: str, text: str, kind: str) -> Any:
    """The JSON value to send: text stays text (RAW), dates and ints become numbers."""
    if text == "":
        return ""  # Google clears the cell
    if kind == "int" and _INT_RE.fullmatch(text.strip()):
        number = int(text.strip())
        return Entered(str(number)) if column in USER_COLUMNS[tab] else number
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


# --------------------------------------------------------------------- ranges
def value_ranges(title: str, cells: dict[tuple[int, int], Any]) -> list[dict[str, Any]]:
    """Group cells ``{(row, col): value}`` (0-based) into few, small ValueRanges.

    Per row, runs of adjacent cells (gaps of up to MAX_NULL_GAP bridged with
    nulls, which Google skips); then vertically adjacent runs with the same
    span are merged.  Only cells in ``cells`` are ever set.
    """
    blocks: list[tuple[int, int, list[list[Any]]]] = []  # (first row, first col, rows)
    for r, c, values in _row_segments(cells):
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


def _row_segments(cells: dict[tuple[int, int], Any]) -> list[tuple[int, int, list[Any]]]:
    """(row, first col, values) runs of each row, small gaps bridged with nulls."""
    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    segments: list[tuple[int, int, list[Any]]] = []
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
    return segments


def json_size(value: Any) -> int:
    """Bytes ``value`` takes in a request body (requests uses ``json.dumps`` defaults)."""
    return len(json.dumps(value).encode())


def split_payload(data: list[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """Chunks of ValueRanges whose JSON stays under ``limit`` bytes (one range is never cut)."""
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

"""The state behind the fake: spreadsheets, sheets, typed cells, formats, protections, shares.

Behaviour follows Google's where sheetsync depends on it:

* A1 ranges: ``Sheet1``, ``'My Tab'!A1:C5``, ``'It''s'!B2:B``, ``A:A``, ``1:1``; an
  unquoted name that looks like a cell (``tab1``) *is* a cell of the first sheet;
  an unknown sheet is 400 "Unable to parse range".
* Reads return the entire requested range clamped to the grid in ``range``, and
  values without trailing empty rows and columns.  Bounded ranges past the grid
  are 400 "exceeds grid limits".
* Writes: RAW stores strings as strings; USER_ENTERED parses numbers, booleans,
  ISO dates and ``=`` formulas.  ``null`` skips a cell, ``""`` clears it (both as
  the ValueRange reference says).  Writes past the grid are refused with 400
  "Range (...) exceeds grid limits. Max rows: N, max columns: M": Google does not
  grow the grid for ``values`` writes (reported for values.batchUpdate in
  nithinmurali/pygsheets#124, for appends past the last row in
  jroehl/gsheet.action#611 and past the last column in home-assistant/core#104198);
  ``appendDimension`` grows it.
* ``values:batchUpdate`` and ``spreadsheets.batchUpdate`` are atomic.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .discovery import InvalidRequest

EPOCH = date(1899, 12, 30)
_SIDE = re.compile(r"^([A-Za-z]{0,3})(\d*)$")
_CELLISH = re.compile(r"^[A-Za-z]{1,3}\d+$|^[A-Za-z]{1,3}\d*:[A-Za-z]{0,3}\d*$|^\d+:\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class Formula:
    """A formula cell for seeding a sheet: its text and (optionally) its computed value."""

    text: str
    value: Any = None


@dataclass
class Cell:
    value: Any = None  # str | float | int | bool | None (computed value for formulas)
    formula: str | None = None
    number_format: dict[str, Any] | None = None  # per-cell userEnteredFormat.numberFormat


def col_letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_sheet(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not _CELLISH.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    rows: int = 1000
    cols: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    formats: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)  # (range, rule) as sent
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)

    # -- reading helpers used by tests
    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def number_format(self, row: int, col: int) -> dict[str, Any] | None:
        cell = self.cells.get((row, col))
        if cell is not None and cell.number_format is not None:
            return cell.number_format
        found = None
        for rng, fmt in self.formats:
            if _in_grid_range(rng, row, col):
                found = fmt
        return found

    def grid(self, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        return self.render(0, 0, self.rows - 1, self.cols - 1, render, "SERIAL_NUMBER")

    def render(self, r0: int, c0: int, r1: int, c1: int, render: str,
               dt_render: str, major: str = "ROWS") -> list[list[Any]]:  # fmt: skip
        out: list[list[Any]] = []
        for r in range(r0, r1 + 1):
            row = [self._render_cell(r, c, render, dt_render) for c in range(c0, c1 + 1)]
            out.append(row)
        if major == "COLUMNS":
            out = [list(col) for col in zip(*out, strict=False)] if out else []
        while out and all(v is None for v in out[-1]):
            out.pop()
        trimmed = []
        for row in out:
            while row and row[-1] is None:
                row.pop()
            trimmed.append(["" if v is None else v for v in row])
        return trimmed

    def _render_cell(self, r: int, c: int, render: str, dt_render: str) -> Any:
        cell = self.cells.get((r, c))
        if cell is None or (cell.value is None and cell.formula is None):
            return None
        if render == "FORMULA" and cell.formula is not None:
            return cell.formula
        value = cell.value
        if value is None:
            return ""
        fmt = self.number_format(r, c)
        is_date = bool(fmt and fmt.get("type") in ("DATE", "DATE_TIME"))
        if isinstance(value, bool):
            return ("TRUE" if value else "FALSE") if render == "FORMATTED_VALUE" else value
        if isinstance(value, int | float):
            if render == "FORMATTED_VALUE" or (is_date and dt_render == "FORMATTED_STRING"):
                return _format_number(value, fmt)
            return int(value) if float(value).is_integer() else value
        return value

    # -- editing helpers that simulate a person in the browser
    def set(self, row: int, col: int, value: Any) -> None:
        if value is None or value == "":
            self.cells.pop((row, col), None)
        elif isinstance(value, Formula):
            self.cells[(row, col)] = Cell(value.value, value.text)
        else:
            self.cells[(row, col)] = Cell(value)

    def insert_rows(self, at: int, count: int = 1) -> None:
        """Insert ``count`` empty rows before 0-based row ``at`` (what 'Insert row' does)."""
        self.cells = {((r + count if r >= at else r), c): v for (r, c), v in self.cells.items()}
        self.rows += count

    def delete_rows(self, at: int, count: int = 1) -> None:
        kept: dict[tuple[int, int], Cell] = {}
        for (r, c), v in self.cells.items():
            if at <= r < at + count:
                continue
            kept[((r - count if r >= at + count else r), c)] = v
        self.cells = kept
        self.rows -= count

    def insert_columns(self, at: int, count: int = 1) -> None:
        self.cells = {(r, (c + count if c >= at else c)): v for (r, c), v in self.cells.items()}
        self.cols += count

    def sort_rows(self, key_col: int, *, first_row: int = 1, reverse: bool = False) -> None:
        """Sort data rows by one column (as text), like Data > Sort range."""
        last = max((r for r, _ in self.cells), default=0)
        rows = [{c: v for (r2, c), v in self.cells.items() if r2 == r}
                for r in range(first_row, last + 1)]  # fmt: skip
        rows.sort(key=lambda row: str(row[key_col].value if key_col in row else ""),
                  reverse=reverse)  # fmt: skip
        kept = {k: v for k, v in self.cells.items() if k[0] < first_row}
        for offset, row in enumerate(rows):
            for c, v in row.items():
                kept[(first_row + offset, c)] = v
        self.cells = kept


def _in_grid_range(rng: dict[str, Any], row: int, col: int) -> bool:
    return (int(rng.get("startRowIndex", 0)) <= row < int(rng.get("endRowIndex", 10**9))
            and int(rng.get("startColumnIndex", 0)) <= col
            < int(rng.get("endColumnIndex", 10**9)))  # fmt: skip


def _format_number(value: float, fmt: dict[str, Any] | None) -> str:
    if fmt and fmt.get("type") in ("DATE", "DATE_TIME"):
        day = EPOCH + timedelta(days=int(value))
        pattern = str(fmt.get("pattern") or "m/d/yyyy")
        return (pattern.replace("yyyy", f"{day.year:04d}").replace("mm", f"{day.month:02d}")
                .replace("dd", f"{day.day:02d}").replace("m", str(day.month))
                .replace("d", str(day.day)))  # fmt: skip
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class Range:
    sheet: Sheet
    r0: int
    c0: int
    r1: int | None  # None: to the bottom of the grid
    c1: int | None  # None: to the right edge
    anchor: bool = False  # a single cell: writes may extend from it

    def a1(self, r1: int, c1: int) -> str:
        start = f"{col_letters(self.c0)}{self.r0 + 1}"
        end = f"{col_letters(c1)}{r1 + 1}"
        cells = start if start == end else f"{start}:{end}"
        return f"{quote_sheet(self.sheet.title)}!{cells}"


def split_sheet_name(text: str) -> tuple[str | None, str]:
    """``'It''s'!A1`` -> ("It's", "A1"); ``A1:B2`` -> (None, "A1:B2"); ``Tab`` -> ("Tab", "")."""
    if text.startswith("'"):
        i, name = 1, ""
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name += "'"
                    i += 2
                    continue
                rest = text[i + 1:]
                if rest and not rest.startswith("!"):
                    raise InvalidRequest(f"Unable to parse range: {text}")
                return name, rest[1:]
            name += text[i]
            i += 1
        raise InvalidRequest(f"Unable to parse range: {text}")
    if "!" in text:
        name, cells = text.split("!", 1)
        return name, cells
    if _CELLISH.match(text):
        return None, text
    return text, ""


@dataclass
class Spreadsheet:
    id: str
    title: str = "Tracker"
    sheets: list[Sheet] = field(default_factory=list)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    denied: int | None = None  # answer every request with this status (403: not shared)
    # An Excel file stored in Drive: the Sheets API refuses it (Drive still answers).
    office: bool = False
    cell_limit: int = 10_000_000  # Google's limit per spreadsheet, all tabs together
    _ids: Any = field(default_factory=lambda: itertools.count(1000))
    # Drive's file version: bumped by every write through the API and by every edit a
    # test makes to the model (noticed by content when the version is next asked for).
    _version: int = 1
    _content: str = ""

    # -- Drive's version
    def fingerprint(self) -> str:
        """Everything an edit can change, as text (cells in a fixed order)."""
        sheets = [(s.sheet_id, s.title, s.index, s.rows, s.cols, s.frozen_rows,
                   sorted(s.cells.items()), s.formats, s.protected) for s in self.sheets]
        return repr((self.title, sheets, self.permissions))

    def version(self) -> int:
        """Drive's ``version``: changes whenever the file changed since it was last asked."""
        content = self.fingerprint()
        if content != self._content:
            if self._content:
                self._version += 1
            self._content = content
        return self._version

    def bump(self) -> None:
        """A write through the API: Drive bumps the version even if no value changed."""
        self.version()
        self._version += 1
        self._content = self.fingerprint()

    # -- lookups
    def sheet(self, title: str) -> Sheet:
        for s in self.sheets:
            if s.title == title:
                return s
        raise KeyError(title)

    def find_sheet(self, name: str, text: str) -> Sheet:
        for s in self.sheets:
            if s.title == name:
                return s
        for s in self.sheets:
            if s.title.lower() == name.lower():
                return s
        raise InvalidRequest(f"Unable to parse range: {text}")

    def recreate_sheet(self, title: str, rows: int | None = None) -> Sheet:
        """Delete tab ``title`` and put back a copy of its cells under the same name.

        What a person does restoring a copy of a tab: a new sheetId, and none of
        the old tab's protection, frozen row or formats.  ``rows``: the copy's
        grid height (a copy pasted into a small new tab), else the old one's.
        """
        old = self.sheet(title)
        self.sheets.remove(old)
        new_id = max(s.sheet_id for s in [old, *self.sheets]) + 1000
        sheet = Sheet(new_id, title, old.index, rows or old.rows, old.cols)
        sheet.cells = {k: Cell(c.value, c.formula) for k, c in old.cells.items()}
        self.sheets.insert(old.index, sheet)
        return sheet

    def sheet_by_id(self, sheet_id: int, where: str) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise InvalidRequest(f"Invalid {where}: No grid with id: {sheet_id}")

    def parse_range(self, text: str) -> Range:
        if not text:
            raise InvalidRequest("Unable to parse range: ")
        name, cells = split_sheet_name(text)
        if name is None:
            if not self.sheets:
                raise InvalidRequest(f"Unable to parse range: {text}")
            sheet = self.sheets[0]
        else:
            sheet = self.find_sheet(name, text)
        if not cells:
            return Range(sheet, 0, 0, None, None)
        parts = cells.split(":")
        if len(parts) > 2:
            raise InvalidRequest(f"Unable to parse range: {text}")
        sides = [_SIDE.match(p) for p in parts]
        if any(m is None or (not m.group(1) and not m.group(2)) for m in sides):
            raise InvalidRequest(f"Unable to parse range: {text}")
        (c_a, r_a) = sides[0].group(1), sides[0].group(2)  # type: ignore[union-attr]
        if len(parts) == 1:
            if not (c_a and r_a):
                raise InvalidRequest(f"Unable to parse range: {text}")
            r, c = int(r_a) - 1, col_index(c_a)
            return Range(sheet, r, c, r, c, anchor=True)
        (c_b, r_b) = sides[1].group(1), sides[1].group(2)  # type: ignore[union-attr]
        if (c_a and not c_b and not r_b) or (r_a and not r_b and not c_a and c_b):
            raise InvalidRequest(f"Unable to parse range: {text}")
        r0 = int(r_a) - 1 if r_a else 0
        c0 = col_index(c_a) if c_a else 0
        r1 = int(r_b) - 1 if r_b else None
        c1 = col_index(c_b) if c_b else None
        if (r_a and not c_a) and (r_b and not c_b):  # 1:1 -> whole rows
            c0, c1 = 0, None
        if r1 is not None and r1 < r0:
            r0, r1 = r1, r0
        if c1 is not None and c1 < c0:
            c0, c1 = c1, c0
        return Range(sheet, r0, c0, r1, c1)

    @staticmethod
    def _limits(rng: Range, text: str, row: int, col: int) -> None:
        sheet = rng.sheet
        if row >= sheet.rows or col >= sheet.cols:
            raise InvalidRequest(f"Range ({quote_sheet(sheet.title)}!{col_letters(col)}"
                                 f"{row + 1}) exceeds grid limits. Max rows: {sheet.rows}, "
                                 f"max columns: {sheet.cols}")  # fmt: skip

    # -- values API
    def get_values(self, text: str, render: str, dt_render: str, major: str) -> dict[str, Any]:
        rng = self.parse_range(text)
        sheet = rng.sheet
        self._limits(rng, text, rng.r0, rng.c0)
        r1 = sheet.rows - 1 if rng.r1 is None else rng.r1
        c1 = sheet.cols - 1 if rng.c1 is None else rng.c1
        self._limits(rng, text, r1, c1)
        out: dict[str, Any] = {"range": rng.a1(r1, c1), "majorDimension": major}
        values = sheet.render(rng.r0, rng.c0, r1, c1, render, dt_render, major)
        if values:
            out["values"] = values
        return out

    def plan_update(self, vr: dict[str, Any], input_option: str) -> tuple[Range, list[Any]]:
        """Validate one ValueRange of a write; returns where and what (nothing applied yet)."""
        text = str(vr.get("range", ""))
        rng = self.parse_range(text)
        values = vr.get("values") or []
        if vr.get("majorDimension") == "COLUMNS":
            width = max((len(r) for r in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        height = len(values)
        width = max((len(r) for r in values), default=0)
        if not rng.anchor:
            if rng.r1 is not None and height > rng.r1 - rng.r0 + 1:
                raise InvalidRequest(f"Requested writing within range [{text}], but tried "
                                     f"writing to row [{rng.r0 + height}]")  # fmt: skip
            if rng.c1 is not None and width > rng.c1 - rng.c0 + 1:
                raise InvalidRequest(f"Requested writing within range [{text}], but tried "
                                     f"writing to column [{col_letters(rng.c0 + width - 1)}]")
        self._limits(rng, text, rng.r0, rng.c0)
        if height and width:
            self._limits(rng, text, rng.r0 + height - 1, rng.c0 + width - 1)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if isinstance(v, dict | list):
                    kind = "struct_value" if isinstance(v, dict) else "list_value"
                    raise InvalidRequest(f"Invalid values[{i}][{j}]: {kind}")
        return rng, values

    def apply_update(self, rng: Range, values: list[Any], input_option: str) -> int:
        count = 0
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if v is None:
                    continue  # null: leave the cell alone
                count += 1
                key = (rng.r0 + i, rng.c0 + j)
                old = rng.sheet.cells.get(key)
                keep_fmt = old.number_format if old else None
                if v == "":
                    if keep_fmt:
                        rng.sheet.cells[key] = Cell(None, None, keep_fmt)
                    else:
                        rng.sheet.cells.pop(key, None)
                    continue
                cell = _parse_input(v) if input_option == "USER_ENTERED" else Cell(v)
                if cell.number_format is None:
                    cell.number_format = keep_fmt
                rng.sheet.cells[key] = cell
        return count

    # -- spreadsheets.batchUpdate
    def batch_update(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        saved = copy.deepcopy((self.sheets, self.title))
        try:
            replies = [self._one(i, req) for i, req in enumerate(requests)]
            if sum(s.rows * s.cols for s in self.sheets) > self.cell_limit:
                raise InvalidRequest("This action would increase the number of cells in the "
                                     f"workbook above the limit of {self.cell_limit} cells.")
            return replies
        except InvalidRequest:
            self.sheets, self.title = saved
            raise

    def _one(self, i: int, req: dict[str, Any]) -> dict[str, Any]:
        if len(req) != 1:
            raise InvalidRequest(f"Invalid requests[{i}]: exactly one kind of request must be set")
        kind, body = next(iter(req.items()))
        where = f"requests[{i}].{kind}"
        if kind == "addSheet":
            props = body.get("properties", {})
            title = props.get("title") or f"Sheet{len(self.sheets) + 1}"
            if any(s.title.lower() == title.lower() for s in self.sheets):
                raise InvalidRequest(f"Invalid {where}: A sheet with the name \"{title}\" "
                                     "already exists. Please enter another name.")  # fmt: skip
            sheet_id = props.get("sheetId")
            if sheet_id is None:
                sheet_id = next(self._ids)
            if any(s.sheet_id == int(sheet_id) for s in self.sheets):
                raise InvalidRequest(f"Invalid {where}: Sheet with id {sheet_id} already exists")
            grid = props.get("gridProperties", {})
            sheet = Sheet(int(sheet_id), title, len(self.sheets), int(grid.get("rowCount", 1000)),
                          int(grid.get("columnCount", 26)), int(grid.get("frozenRowCount", 0)))
            self.sheets.append(sheet)
            return {"addSheet": {"properties": self.sheet_properties(sheet)}}
        if kind == "updateSheetProperties":
            props = body.get("properties", {})
            sheet = self.sheet_by_id(int(props.get("sheetId", 0)), where)
            fields = str(body.get("fields", ""))
            if not fields:
                raise InvalidRequest(f"Invalid {where}: fields is required")
            grid = props.get("gridProperties", {})
            for name in fields.split(","):
                name = name.strip()
                if name == "title":
                    sheet.title = props["title"]
                elif name == "gridProperties.frozenRowCount":
                    sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
                elif name == "gridProperties.rowCount":
                    sheet.rows = int(grid["rowCount"])
                elif name == "gridProperties.columnCount":
                    sheet.cols = int(grid["columnCount"])
                else:
                    raise InvalidRequest(f"Invalid {where}: fake does not model field {name}")
            return {}
        if kind == "addProtectedRange":
            pr = copy.deepcopy(body.get("protectedRange", {}))
            rng = pr.get("range") or {}
            sheet = self.sheet_by_id(int(rng.get("sheetId", 0)), where)
            if pr.get("warningOnly") and pr.get("editors"):
                raise InvalidRequest(f"Invalid {where}: Editors are not supported with "
                                     "warning_only protection.")  # fmt: skip
            pr["protectedRangeId"] = next(self._ids)
            sheet.protected.append(pr)
            return {"addProtectedRange": {"protectedRange": pr}}
        if kind == "repeatCell":
            rng = body.get("range") or {}
            sheet = self.sheet_by_id(int(rng.get("sheetId", 0)), where)
            fields = str(body.get("fields", ""))
            fmt = ((body.get("cell") or {}).get("userEnteredFormat") or {}).get("numberFormat")
            if fields != "userEnteredFormat.numberFormat" or fmt is None:
                raise InvalidRequest(f"Invalid {where}: fake models only number formats")
            if not fmt.get("type"):
                raise InvalidRequest(f"Invalid {where}: numberFormat.type must be set")
            # An unbounded range means "to the edge of the grid as it is now": rows
            # appended later come without the format (what Google does).
            bounded = {**rng, "endRowIndex": int(rng.get("endRowIndex", sheet.rows)),
                       "endColumnIndex": int(rng.get("endColumnIndex", sheet.cols))}
            sheet.formats.append((bounded, dict(fmt)))
            for (r, c), cell in sheet.cells.items():  # explicit cell formats are replaced
                if _in_grid_range(rng, r, c):
                    cell.number_format = None
            return {}
        if kind == "appendDimension":
            sheet = self.sheet_by_id(int(body.get("sheetId", 0)), where)
            length = int(body.get("length", 0))
            if length <= 0:
                raise InvalidRequest(f"Invalid {where}: length must be positive")
            if body.get("dimension") == "ROWS":
                sheet.rows += length
            elif body.get("dimension") == "COLUMNS":
                sheet.cols += length
            else:
                raise InvalidRequest(f"Invalid {where}: dimension must be ROWS or COLUMNS")
            return {}
        decorated = self._decoration(kind, body, where)
        if decorated is not None:
            return decorated
        raise InvalidRequest(f"Invalid requests[{i}]: fake does not model {kind}")

    def _decoration(self, kind: str, body: dict[str, Any], where: str) -> dict[str, Any] | None:
        """Drop-downs, conditional formats and charts: checked as Google checks them, kept."""
        if kind == "setDataValidation":
            rng = body.get("range") or {}
            sheet = self.sheet_by_id(int(rng.get("sheetId", 0)), where)
            rule = body.get("rule")
            if rule is not None:
                condition = rule.get("condition") or {}
                if condition.get("type") == "ONE_OF_LIST" and not condition.get("values"):
                    raise InvalidRequest(f"Invalid {where}: ONE_OF_LIST needs values")
            # A validation set on a range replaces any the range had (Google's rule).
            sheet.validations = [v for v in sheet.validations if v["range"] != rng]
            if rule is not None:
                sheet.validations.append({"range": copy.deepcopy(rng), "rule": copy.deepcopy(rule)})
            return {}
        if kind == "addConditionalFormatRule":
            rule = copy.deepcopy(body.get("rule") or {})
            ranges = rule.get("ranges") or []
            if not ranges:
                raise InvalidRequest(f"Invalid {where}: rule.ranges must not be empty")
            sheets = {self.sheet_by_id(int(r.get("sheetId", 0)), where).sheet_id for r in ranges}
            if len(sheets) != 1:
                raise InvalidRequest(f"Invalid {where}: All ranges must be on the same sheet")
            sheet = self.sheet_by_id(sheets.pop(), where)
            condition = (rule.get("booleanRule") or {}).get("condition") or {}
            first = str((condition.get("values") or [{}])[0].get("userEnteredValue", ""))
            if condition.get("type") == "CUSTOM_FORMULA" and not first.startswith("="):
                raise InvalidRequest(f"Invalid {where}: a custom formula must start with =")
            sheet.conditional_formats.insert(int(body.get("index", 0)), rule)
            return {}
        if kind == "addChart":
            chart = copy.deepcopy(body.get("chart") or {})
            anchor = ((chart.get("position") or {}).get("overlayPosition") or {}).get("anchorCell")
            if anchor is None:
                raise InvalidRequest(f"Invalid {where}: fake models overlay charts only")
            sheet = self.sheet_by_id(int(anchor.get("sheetId", 0)), where)
            basic = chart.get("spec", {}).get("basicChart", {})
            for part in basic.get("domains", []) + basic.get("series", []):
                data = part.get("domain") or part.get("series") or {}
                for source in data.get("sourceRange", {}).get("sources", []):
                    self.sheet_by_id(int(source.get("sheetId", 0)), where)
            chart["chartId"] = next(self._ids)
            sheet.charts.append(chart)
            return {"addChart": {"chart": chart}}
        return None

    # -- metadata
    @staticmethod
    def sheet_properties(sheet: Sheet) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": sheet.rows, "columnCount": sheet.cols}
        if sheet.frozen_rows:
            grid["frozenRowCount"] = sheet.frozen_rows
        return {"sheetId": sheet.sheet_id, "title": sheet.title, "index": sheet.index,
                "sheetType": "GRID", "gridProperties": grid}  # fmt: skip

    def metadata(self, include_grid: bool = False, ranges: list[str] | None = None
                 ) -> dict[str, Any]:  # fmt: skip
        sheets = []
        wanted: dict[int, list[Range]] = {}
        for text in ranges or []:
            rng = self.parse_range(text)
            wanted.setdefault(rng.sheet.sheet_id, []).append(rng)
        for sheet in self.sheets:
            entry: dict[str, Any] = {"properties": self.sheet_properties(sheet)}
            if sheet.protected:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected)
            if sheet.conditional_formats:
                entry["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
            if sheet.charts:
                entry["charts"] = copy.deepcopy(sheet.charts)
            if include_grid:
                entry["data"] = [self._grid_data(rng) for rng in wanted.get(
                    sheet.sheet_id, [Range(sheet, 0, 0, None, None)] if not ranges else [])]
            sheets.append(entry)
        return {"spreadsheetId": self.id, "properties": {"title": self.title, "locale": "en_US",
                "timeZone": "Etc/GMT"}, "sheets": sheets,
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit"}

    def _grid_data(self, rng: Range) -> dict[str, Any]:
        sheet = rng.sheet
        r1 = sheet.rows - 1 if rng.r1 is None else rng.r1
        c1 = sheet.cols - 1 if rng.c1 is None else rng.c1
        rows = []
        for r in range(rng.r0, r1 + 1):
            values = []
            for c in range(rng.c0, c1 + 1):
                cell = sheet.cells.get((r, c))
                data: dict[str, Any] = {}
                fmt = sheet.number_format(r, c)
                if fmt:
                    data["userEnteredFormat"] = {"numberFormat": fmt}
                rules = [v["rule"] for v in sheet.validations if _in_grid_range(v["range"], r, c)]
                if rules:
                    data["dataValidation"] = copy.deepcopy(rules[-1])
                if cell is not None and (cell.value is not None or cell.formula):
                    data["userEnteredValue"] = (
                        {"formulaValue": cell.formula} if cell.formula else _typed(cell.value))
                    if cell.value is not None:
                        data["effectiveValue"] = _typed(cell.value)
                    data["formattedValue"] = sheet._render_cell(r, c, "FORMATTED_VALUE",
                                                                "FORMATTED_STRING")
                values.append(data)
            rows.append({"values": values})
        return {"startRow": rng.r0, "startColumn": rng.c0, "rowData": rows}


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


def _parse_input(value: Any) -> Cell:
    """USER_ENTERED: what typing ``value`` into a cell would store."""
    if not isinstance(value, str):
        return Cell(value)
    text = value
    if text.startswith("'"):
        return Cell(text[1:])
    if text.startswith("=") and len(text) > 1:
        return Cell(None, text)
    upper = text.strip().upper()
    if upper in ("TRUE", "FALSE"):
        return Cell(upper == "TRUE")
    if _NUMBER.match(text.strip()):
        number = float(text.strip())
        return Cell(int(number) if number.is_integer() else number)
    iso = _ISO.match(text.strip())
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return Cell(text)
        return Cell((day - EPOCH).days, None, {"type": "DATE", "pattern": "yyyy-mm-dd"})
    return Cell(text)

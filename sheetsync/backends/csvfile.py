"""CSV files read and rewritten without disturbing a single byte of other cells.

Python's ``csv`` module (C speed) reads the values; alongside, each record's
raw text is kept.  Records sheetsync does not change are written back verbatim,
so quoting style, CRLF or LF endings, a BOM, quoted new lines and odd spacing
all survive.  A changed record is re-split into its raw fields and only the
changed fields are re-encoded.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sheetsync.errors import LayoutError

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FIELD = re.compile(r'"(?:[^"]|"")*"[^,]*|[^,]*')
# Line ends of str.splitlines that a CSV file does not have (see _split_lines).
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"

BOM = "\ufeff"

# A cell may hold a long pasted e-mail; csv's default limit is 131,072 characters.
csv.field_size_limit(2**31 - 1)


@dataclass
class CsvDoc:
    """A parsed CSV file: values per record plus each record's raw text."""

    values: list[list[str]]
    raw: list[str]  # raw text of each record, terminator included
    bom: bool
    newline: str  # terminator used for records sheetsync adds

    @property
    def header(self) -> list[str]:
        return self.values[0] if self.values else []


def parse(text: str, name: str = "CSV") -> CsvDoc:
    """Values and raw text of every record; raises LayoutError for unreadable quoting."""
    return _parse(text, name, keep_raw=True)


def parse_values(text: str, name: str = "CSV") -> list[list[str]]:
    """``parse(text).values``, without keeping each record's raw text (for reading)."""
    return _parse(text, name, keep_raw=False).values


def _parse(text: str, name: str, *, keep_raw: bool) -> CsvDoc:
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    raw: list[str] = []
    if keep_raw:
        lines = _split_lines(text)
        reader = csv.reader(iter(lines), strict=False)
    else:  # the lines a block at a time: a large file's lines are never all in memory
        reader = csv.reader(chain.from_iterable(_line_blocks(text)), strict=False)
    try:
        if keep_raw:
            values = _records_with_raw(reader, lines, raw)
            final = raw[-1] if raw else ""
        else:  # one C-speed pass; only the last record's raw text is wanted, found after
            values = list(reader)
            final = _final_record(text, values)
    except csv.Error as exc:
        raise LayoutError(
            f"{name}: cannot read line {reader.line_num}: {exc}",
            hint="a quoted cell is probably missing its closing quote",
        ) from exc
    if final.count('"') % 2:
        try:  # csv accepts a quote left open at the very end; sheetsync must not
            list(csv.reader(iter(_split_lines(final)), strict=True))
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise LayoutError(
                    f"{name}: the last line has a quoted cell that is never closed",
                    hint="add the missing closing quote (\") in a text editor, then run again",
                ) from exc
    ended = [r for r in raw[:200] if r.endswith("\n")]
    crlf = sum(1 for r in ended if r.endswith("\r\n"))
    newline = "\r\n" if ended and crlf * 2 >= len(ended) else "\n"
    return CsvDoc(values, raw, bom, newline)


def _split_lines(text: str) -> list[str]:
    """The text's lines, each with its terminator: only \\r\\n, \\r and \\n end a line.

    ``str.splitlines`` is about four times quicker than the regex (a second of a
    100 MB file), but also ends lines at the characters of ``_OTHER_BREAKS``:
    it is used only on text that holds none of them (a few fast scans).
    """
    if any(c in text for c in _OTHER_BREAKS):
        return _LINES.findall(text)
    return text.splitlines(keepends=True)


def _records_with_raw(reader: Any, lines: list[str], raw: list[str]) -> list[list[str]]:
    """Every record's values, appending each record's raw text to ``raw``."""
    values: list[list[str]] = []
    consumed = 0
    for record in reader:
        values.append(record)
        end = reader.line_num
        raw.append(lines[consumed] if end == consumed + 1 else "".join(lines[consumed:end]))
        consumed = end
    return values


def _line_blocks(text: str, size: int = 1 << 20) -> Iterator[list[str]]:
    """``_split_lines(text)``, a block of about ``size`` characters at a time (each
    block ends just after a \\n, so no line and no \\r\\n is cut in two)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start + size)
        stop = end if stop < 0 else stop + 1
        yield _split_lines(text[start:stop])
        start = stop


def _last_lines(text: str, count: int, size: int = 4096) -> list[str]:
    """The last ``count`` lines of ``text`` (all of them when it has fewer)."""
    while size < len(text):
        lines = _split_lines(text[-size:])
        if len(lines) > count:  # the first may be cut: it is not among those returned
            return lines[-count:]
        size *= 8
    return _split_lines(text)[-count:]


def _final_record(text: str, values: list[list[str]]) -> str:
    """The raw text of the last record, which ends the text.

    Inside quotes ``csv`` keeps every line break, so the record spans one line
    more than its cells hold breaks.  That is checked by reading those lines
    again; were it ever wrong, the records are counted off from the start.
    """
    if not values:
        return ""
    cells = ",".join(values[-1])
    count = 1 + cells.count("\n") + cells.count("\r") - cells.count("\r\n")
    lines = _last_lines(text, count)
    if len(lines) == count and list(csv.reader(iter(lines))) == values[-1:]:
        return "".join(lines)
    lines = _split_lines(text)  # pragma: no cover - a safety net
    reader = csv.reader(iter(lines), strict=False)
    start = end = 0
    for _ in reader:
        start, end = end, reader.line_num
    return "".join(lines[start:end])


def encode_field(value: str) -> str:
    """Minimal quoting, as spreadsheet programs write it."""
    # Four substring tests are three times quicker than one regex search.
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def encode_record(values: Sequence[str]) -> str:
    """One record's fields, minimally quoted and joined (no terminator)."""
    # encode_field, inlined: a call per cell costs as much as the tests
    return ",".join([
        '"' + v.replace('"', '""') + '"' if "," in v or '"' in v or "\n" in v or "\r" in v else v
        for v in values
    ])  # fmt: skip


def split_raw(body: str) -> list[str]:
    """Split one record's raw text (no terminator) into raw fields."""
    if body == "":
        return []
    fields = []
    pos = 0
    while True:
        match = _FIELD.match(body, pos)
        assert match is not None  # the pattern matches the empty string
        fields.append(match.group())
        pos = match.end()
        if pos >= len(body):
            return fields
        pos += 1  # the comma
        if pos == len(body):
            fields.append("")
            return fields


def edit_record(raw: str, expected: Sequence[str], edits: Mapping[int, str]) -> str | None:
    """``raw`` with the fields at ``edits``' indexes replaced; None if unsafe.

    ``expected`` is what ``csv`` read for this record: if the raw split does
    not agree with it (malformed quoting), the record is left alone.
    """
    terminator = _terminator(raw)
    body = raw[: len(raw) - len(terminator)] if terminator else raw
    have = len(expected)
    if min(edits) >= have:  # only new cells past the end: no need to re-split
        tail = [""] * (max(edits) + 1 - have)
        for index, value in edits.items():
            tail[index - have] = encode_field(value)
        return body + ("," if have else "") + ",".join(tail) + terminator
    fields = split_raw(body)
    if len(fields) != have:
        return None
    width = max(len(fields), max(edits) + 1)
    fields.extend([""] * (width - len(fields)))
    for index, value in edits.items():
        fields[index] = encode_field(value)
    return ",".join(fields) + terminator


def _terminator(raw: str) -> str:
    """The line end a record's raw text closes with ("" for none)."""
    if raw.endswith("\n"):
        return "\r\n" if raw.endswith("\r\n") else "\n"
    return "\r" if raw.endswith("\r") else ""


def render(
    doc: CsvDoc,
    edits: Mapping[int, Mapping[int, str]],
    appended: Sequence[Sequence[str]] = (),
) -> tuple[str, list[int]]:
    """The file's new text, and the record numbers that could not be edited safely."""
    parts, refused = render_parts(doc, edits, appended)
    return "".join(parts), refused


def render_parts(
    doc: CsvDoc,
    edits: Mapping[int, Mapping[int, str]],
    appended: Sequence[Sequence[str]] = (),
) -> tuple[list[str], list[int]]:
    """:func:`render`'s text in pieces, to write without joining a large file in memory."""
    out = list(doc.raw)
    refused = []
    for record, changes in edits.items():
        new = edit_record(doc.raw[record], doc.values[record], changes)
        if new is None:
            refused.append(record)
        else:
            out[record] = new
    if appended:
        if out and not _terminator(out[-1]):
            out[-1] += doc.newline
        # substring tests and replace beat csv.writer, which copies long cells
        # (a draft's body and link) character by character.
        out.extend(encode_record(row) + doc.newline for row in appended)
    if doc.bom:
        out.insert(0, BOM)
    return out, refused

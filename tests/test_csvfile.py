"""The CSV layer keeps every byte it is not asked to change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.backends import csvfile
from sheetsync.errors import LayoutError

AWKWARD = (
    "\ufeffid,company,Notes ,extra\r\n"
    '1,"Acme, Inc","line one\nline two",=SUM(A1:A3)\r\n'
    "\r\n"
    ',00123, spaced , "quoted"\r\n'
    '2,"say ""hi""",nan,1,5\r\n'
    "3,Zoë 株式会社,,"
)


def test_unchanged_document_renders_byte_for_byte() -> None:
    doc = csvfile.parse(AWKWARD)
    text, refused = csvfile.render(doc, {})
    assert text == AWKWARD
    assert refused == []


def test_values_are_read_exactly() -> None:
    doc = csvfile.parse(AWKWARD)
    assert doc.bom
    assert doc.values[1] == ["1", "Acme, Inc", "line one\nline two", "=SUM(A1:A3)"]
    assert doc.values[2] == []  # a blank line is a blank record, kept in place
    assert doc.values[3] == ["", "00123", " spaced ", ' "quoted"']
    assert doc.values[4] == ["2", 'say "hi"', "nan", "1", "5"]


def test_editing_one_field_leaves_the_rest_of_the_record_alone() -> None:
    doc = csvfile.parse(AWKWARD)
    text, _ = csvfile.render(doc, {1: {3: "new, value"}, 3: {0: "n1"}})
    lines = text.split("\r\n")
    assert lines[1] == '1,"Acme, Inc","line one\nline two","new, value"'
    assert lines[3] == 'n1,00123, spaced , "quoted"'
    assert lines[4] == '2,"say ""hi""",nan,1,5'  # untouched record: verbatim


def test_edit_beyond_a_short_record_pads_with_empty_fields() -> None:
    doc = csvfile.parse("a,b,c,d\n1\n")
    text, _ = csvfile.render(doc, {1: {3: "x"}})
    assert text == "a,b,c,d\n1,,,x\n"


def test_appended_records_use_the_files_line_ending_and_quote_minimally() -> None:
    doc = csvfile.parse("a,b\r\n1,2")
    text, _ = csvfile.render(doc, {}, [["x,y", 'q"'], ["", "=1+1"]])
    assert text == 'a,b\r\n1,2\r\n"x,y","q"""\r\n,=1+1\r\n'


def test_malformed_record_is_refused_not_mangled() -> None:
    raw = 'a,b\n"x"y,2\n'
    doc = csvfile.parse(raw)
    # csv reads '"x"y' as one field 'xy'; the raw splitter agrees, so it is editable
    assert doc.values[1] == ["xy", "2"]
    text, refused = csvfile.render(doc, {1: {1: "3"}})
    assert text == 'a,b\n"x"y,3\n' and refused == []


def test_a_quote_left_open_at_the_end_is_a_layout_error() -> None:
    import pytest

    from sheetsync.errors import LayoutError

    # csv would read the rest of the file into that cell; writing after it
    # would then land inside the user's text
    with pytest.raises(LayoutError, match="never closed"):
        csvfile.parse('id,notes\nA1,"my notes')


def test_an_odd_quote_inside_an_unquoted_cell_is_fine() -> None:
    doc = csvfile.parse('a,b\n5" screen,2\n')
    assert doc.values[1] == ['5" screen', "2"]


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n"]),
    cells,
)
def test_round_trip_and_single_edit_for_any_content(
    rows: list[list[str]], newline: str, value: str
) -> None:
    text = "".join(",".join(csvfile.encode_field(c) for c in r) + newline for r in rows)
    doc = csvfile.parse(text)
    assert csvfile.render(doc, {})[0] == text
    edited, refused = csvfile.render(doc, {0: {0: value}})
    assert refused == []
    again = csvfile.parse(edited)
    first = again.values[0]
    assert (first[:1] == [value]) or (value == "" and first in ([], [""]))
    assert again.raw[1:] == doc.raw[1:]  # every other record byte-identical


def test_cells_appended_past_the_end_keep_the_record_verbatim() -> None:
    doc = csvfile.parse('a,b\r\n"x\ny",2\r\n\r\n')
    text, refused = csvfile.render(doc, {1: {3: "new"}, 2: {0: "z"}})
    assert refused == []
    assert text == 'a,b\r\n"x\ny",2,,new\r\nz\r\n'


def test_appended_records_quote_a_lone_carriage_return_in_a_lf_file() -> None:
    doc = csvfile.parse("a,b\n1,2\n")
    text, _ = csvfile.render(doc, {}, [["x\ry", "z"]])
    assert text == 'a,b\n1,2\n"x\ry",z\n'
    assert csvfile.parse(text).values[2] == ["x\ry", "z"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["", csvfile.BOM]),
    st.sampled_from(["", '"', 'x"y', '"a"b', '"open\n']),
)
def test_reading_values_only_gives_what_the_full_parse_gives(
    rows: list[list[str]], newline: str, bom: str, tail: str
) -> None:
    text = bom + "".join(",".join(csvfile.encode_field(c) for c in r) + newline for r in rows)
    text += tail
    try:
        expected = csvfile.parse(text).values
    except LayoutError as exc:
        with pytest.raises(LayoutError) as raised:
            csvfile.parse_values(text)
        assert str(raised.value) == str(exc)
        return
    assert csvfile.parse_values(text) == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(cells, min_size=1, max_size=5).filter(lambda r: r != [""]),
       st.sampled_from(["\n", "\r\n"]))  # fmt: skip
def test_appended_records_read_back_as_written_and_quote_only_what_needs_it(
    row: list[str], newline: str
) -> None:
    import csv
    import io

    doc = csvfile.parse("a" + newline)
    text, _ = csvfile.render(doc, {}, [row])
    assert csvfile.parse(text).values[1] == row
    record = csvfile.encode_record(row)
    assert record == ",".join(csvfile.encode_field(v) for v in row)
    for value in row:  # minimal quoting: what Python's csv writer quotes, and no more
        quoted = io.StringIO()
        csv.writer(quoted).writerow([value, "x"])  # quotes what holds , " \r or \n
        needs = quoted.getvalue().startswith('"') and value != ""
        assert csvfile.encode_field(value).startswith('"') == needs


def test_a_records_line_end_is_found_whatever_it_is() -> None:
    for raw, end in [("a,b\r\n", "\r\n"), ("a,b\n", "\n"), ("a,b\r", "\r"), ("a,b", ""), ("", "")]:
        assert csvfile._terminator(raw) == end


def test_rows_sheetsync_writes_are_as_wide_as_the_header(tracker: Path) -> None:
    import csv as csv_module

    from click.testing import CliRunner

    from sheetsync.cli import cli

    result = CliRunner().invoke(cli, ["sync", "--sheet", str(tracker), "--today", "2026-03-16"])
    assert result.exit_code == 0, result.output
    for name in ("Drafts.csv", "Feedback.csv", "Applications.csv"):
        with (tracker / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv_module.DictReader(handle))
        assert rows and all(None not in row.values() for row in rows), name
        assert all(None not in row for row in rows), name  # no cells beyond the header

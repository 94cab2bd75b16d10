"""Tables: the text of each column, however ragged the rows are."""

from __future__ import annotations

import pytest

from sheetsync.tracker.table import Table

HEADER = ["id", "company", "role", "Extra"]


@pytest.mark.parametrize(
    "rows",
    [
        [["A1", "Acme", "Analyst", "x"], ["A2", "Globex", "Engineer", "y"]],  # full rows
        [["A1", "Acme", "Analyst", "x"], ["A2", "Globex"]],  # a short row
        [["A1", "Acme", "Analyst", "x"]],  # one row
        [],
    ],
)
def test_frame_holds_each_column_as_column_gives_it(rows: list[list[str]]) -> None:
    table = Table("Applications", HEADER, rows)
    wanted = ["company", "id", "status", "role"]  # status: not in the tab
    frame = table.frame(wanted)
    assert list(frame.columns) == wanted
    for name in wanted:
        assert frame[name].tolist() == table.column(name)
    assert frame["status"].tolist() == [""] * len(rows)


def test_blank_rows_are_those_with_nothing_but_spaces() -> None:
    rows = [["", " ", "\t"], ["", "x", ""], [], ["\n", "\u00a0"], ["  a  "]]
    table = Table("Applications", HEADER, rows)
    assert table.blank_rows() == [True, False, True, True, False]

"""What sheetsync adds to a tracker to make the sheet itself helpful, backend-neutral:
drop-downs on columns it owns or created, highlights on its own columns, the
Dashboard's chart.  Backends turn these into Google requests or openpyxl objects.

Colours are light tints of the Okabe-Ito palette, which stays distinct for the
common forms of colour blindness; each also differs in lightness.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from sheetsync.tracker.schema import APPLICATIONS, DRAFTS, FEEDBACK, column_letter
from sheetsync.vocabulary import DRAFT_STATUSES

MARKER: Final = "sheetsync"  # names what sheetsync added (a drop-down's prompt title)
YES_NO: Final = ("yes", "no")

#: Drop-downs on columns whose rows sheetsync makes: always (unless the column
#: already has a drop-down of the user's).
OWNED_CHOICES: Final = {(DRAFTS, "status"): DRAFT_STATUSES, (FEEDBACK, "done"): YES_NO}
#: Drop-downs on the user's columns, only where sheetsync created the column.
CREATED_CHOICES: Final = {(APPLICATIONS, "handwritten_note"): YES_NO,
                          (FEEDBACK, "interviewed"): YES_NO}  # fmt: skip


def choices(tab: str, column: str, created: bool) -> tuple[str, ...] | None:
    """The drop-down's words for ``column`` of ``tab``, or None for no drop-down."""
    found = OWNED_CHOICES.get((tab, column))
    if found is None and created:
        found = CREATED_CHOICES.get((tab, column))
    return found


class Highlight(NamedTuple):
    """A conditional format: cells of ``columns`` whose row meets ``formula`` (written
    for row 2, the first data row, as both Sheets and Excel read it) get ``fill``."""

    columns: tuple[str, ...]
    formula: str
    fill: str  # RRGGBB
    grey_text: bool = False


OVERDUE = "F6C3A0"  # vermillion tint
DUE_TODAY = "F9DE9F"  # orange tint
DUE_SOON = "CFE7F7"  # sky-blue tint
APPROVED_FILL = "BFE6D9"  # bluish-green tint
SENT_FILL = "E4E4F2"  # pale blue-grey
OBSOLETE_FILL = "EEEEEE"  # grey, with grey text


def highlights(tab: str, columns: dict[str, int]) -> list[Highlight]:
    """The highlights of ``tab``, given where its columns are (none if a column is missing)."""
    if tab == APPLICATIONS and "due_on" in columns and "next_action" in columns:
        due = f"${column_letter(columns['due_on'])}2"
        cols: tuple[str, ...] = ("next_action", "due_on")
        return [
            Highlight(cols, f'AND(ISNUMBER({due}),{due}<TODAY())', OVERDUE),
            Highlight(cols, f"AND(ISNUMBER({due}),{due}=TODAY())", DUE_TODAY),
            Highlight(cols, f"AND(ISNUMBER({due}),{due}>TODAY(),{due}<=TODAY()+3)", DUE_SOON),
        ]
    if tab == DRAFTS and "status" in columns:
        status = f"${column_letter(columns['status'])}2"
        shown = tuple(c for c in ("company", "role", "action", "status") if c in columns)
        return [
            Highlight(shown, f'LOWER(TRIM({status}))="approved"', APPROVED_FILL),
            Highlight(shown, f'LOWER(TRIM({status}))="sent"', SENT_FILL),
            Highlight(shown, f'LOWER(TRIM({status}))="obsolete"', OBSOLETE_FILL, True),
        ]
    return []


def runs(indexes: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 9] -> [(3, 5), (9, 10)]: half-open runs of column indexes."""
    out: list[tuple[int, int]] = []
    for i in sorted(indexes):
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out

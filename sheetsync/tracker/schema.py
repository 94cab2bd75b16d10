"""The tracker schema: tabs, columns, who owns each column, and header matching.

Header matching is forgiving (``Applied On`` == ``applied_on``) but never
guesses: duplicate or blank headers over data raise :class:`LayoutError`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Final

from sheetsync.errors import LayoutError
from sheetsync.vocabulary import POLICY_ACTIONS

APPLICATIONS: Final = "Applications"
DRAFTS: Final = "Drafts"
FEEDBACK: Final = "Feedback"
TABS: Final = (APPLICATIONS, DRAFTS, FEEDBACK)

APP_USER_COLUMNS: Final = (
    "id",
    "company",
    "role",
    "contact_name",
    "contact_email",
    "applied_on",
    "closing_date",
    "interview_on",
    "interview_type",
    "interviewers",
    "handwritten_note",
    "decision_expected_on",
    "thank_you_sent_on",
    "follow_ups_sent",
    "last_follow_up_on",
    "last_heard_on",
    "status",
    "rejected_on",
    "feedback_requested_on",
    "snooze_until",
    "talking_points",
    "fit",
    "notes",
)
APP_OWNED_COLUMNS: Final = ("next_action", "due_on", "why", "problems")
APP_DATE_COLUMNS: Final = (
    "applied_on",
    "closing_date",
    "interview_on",
    "decision_expected_on",
    "thank_you_sent_on",
    "last_follow_up_on",
    "last_heard_on",
    "rejected_on",
    "feedback_requested_on",
    "snooze_until",
)
APP_REQUIRED: Final = ("company",)

DRAFT_COLUMNS: Final = (
    "draft_id",
    "app_id",
    "company",
    "role",
    "action",
    "channel",
    "to_name",
    "to_email",
    "subject",
    "body",
    "due_on",
    "status",
    "sent_on",
    "lint",
    "review_notes",
    "mailto",
)
# Drafts rows are created by sheetsync; afterwards the user/mentor own these:
DRAFT_USER_COLUMNS: Final = ("subject", "body", "status", "sent_on", "review_notes")

FEEDBACK_COLUMNS: Final = (
    "feedback_id",
    "app_id",
    "company",
    "role",
    "interviewed",
    "requested_on",
    "received_on",
    "response",
    "action_item",
    "action_due",
    "done",
    "thanked_on",
    "themes",
    "next_action",
    "due_on",
    "problems",
)
FEEDBACK_OWNED_COLUMNS: Final = ("themes", "next_action", "due_on", "problems")
FEEDBACK_USER_COLUMNS: Final = (
    "received_on",
    "response",
    "action_item",
    "action_due",
    "done",
    "thanked_on",
)

# Column that identifies a row in each tab.
ID_COLUMN: Final = {APPLICATIONS: "id", DRAFTS: "draft_id", FEEDBACK: "feedback_id"}
# Columns sheetsync computes on every sync (and may overwrite) per tab.
OWNED_COLUMNS: Final = {
    APPLICATIONS: APP_OWNED_COLUMNS,
    DRAFTS: tuple(c for c in DRAFT_COLUMNS if c not in DRAFT_USER_COLUMNS),
    FEEDBACK: FEEDBACK_OWNED_COLUMNS,
}
ALL_COLUMNS: Final = {
    APPLICATIONS: APP_USER_COLUMNS + APP_OWNED_COLUMNS,
    DRAFTS: DRAFT_COLUMNS,
    FEEDBACK: FEEDBACK_COLUMNS,
}
# Columns sheetsync appends to an existing tab that lacks them (a new tab gets
# every column of ALL_COLUMNS).
ENSURED_COLUMNS: Final = {
    APPLICATIONS: APP_OWNED_COLUMNS,
    DRAFTS: (*OWNED_COLUMNS[DRAFTS], "subject", "body", "status"),
    FEEDBACK: (*FEEDBACK_COLUMNS[:6], *FEEDBACK_OWNED_COLUMNS),
}
# Columns holding dates, written as real dates where the backend has them.
DATE_COLUMNS: Final = {
    APPLICATIONS: APP_DATE_COLUMNS + ("due_on",),
    DRAFTS: ("due_on", "sent_on"),
    FEEDBACK: ("requested_on", "received_on", "action_due", "thanked_on", "due_on"),
}

_SEPARATORS = re.compile(r"[\W_]+")


def normalize_header(text: str) -> str:
    """``' Applied-On? '`` -> ``'applied_on'``: case, spaces and punctuation ignored."""
    return _SEPARATORS.sub("_", text.strip().lower()).strip("_")


@lru_cache(maxsize=1)
def header_synonyms() -> dict[str, tuple[str, int]]:
    """Header without separators -> (canonical Applications column, rank), from
    ``headers.toml`` ("E-mail" and "Email" are one synonym).

    A lower rank (earlier in its column's list) wins when two headers claim one
    column.  Columns sheetsync writes are left out: a header such as "Next
    Step" is the user's own to-do column and must never be taken over.
    """
    text = resources.files("sheetsync.tracker").joinpath("headers.toml").read_text("utf-8")
    table = tomllib.loads(text)["applications"]
    out: dict[str, tuple[str, int]] = {}
    for column, names in table.items():
        if column in APP_USER_COLUMNS:
            for rank, name in enumerate(names):
                out.setdefault(normalize_header(name).replace("_", ""), (column, rank))
    return out


def _own_columns(
    tab: str, found: dict[str, int], seen: dict[str, int], rows: Sequence[Sequence[str]]
) -> None:
    """sheetsync's columns: ``sheetsync: next action`` wins over ``next_action``,
    and a ``next_action`` column of the user's own to-dos is left to them."""
    for column in OWNED_COLUMNS[tab]:
        index = seen.get(normalize_header(OWN_PREFIX + column.replace("_", " ")))
        if index is not None:
            found[column] = index
    if tab == APPLICATIONS and _users_own(found, rows):
        del found["next_action"]


def _add_aliases(
    tab: str, found: dict[str, int], seen: dict[str, int], aliases: Mapping[str, str]
) -> None:
    """Columns named in ``[columns]``: each must be a header of the tab."""
    for column, wanted in aliases.items():
        index = seen.get(normalize_header(wanted))
        if index is None:
            raise LayoutError(
                f"sheetsync.toml maps {column} to {wanted!r}, but the {tab} tab has no such header",
                hint=f"fix `{column} = \"...\"` under [columns] in sheetsync.toml to a header "
                f"in row 1 of the {tab} tab",
            )
        for other, at in list(found.items()):
            if at == index or other == column:
                del found[other]
        found[column] = index


def _add_synonyms(found: dict[str, int], seen: dict[str, int]) -> None:
    """Columns found under a synonym; the canonical header, then the best-ranked synonym wins."""
    synonyms = header_synonyms()
    best: dict[str, tuple[int, int]] = {}  # column -> (rank, index)
    for name, index in seen.items():
        column, rank = synonyms.get(name.replace("_", ""), ("", 0))
        taken = index in found.values()
        if column and not taken and column not in found and (
            column not in best or rank < best[column][0]
        ):
            best[column] = (rank, index)
    found.update({column: index for column, (_, index) in best.items()})


OWN_PREFIX: Final = "sheetsync: "


def header_text(tab: str, column: str, header: Sequence[str]) -> str:
    """The header sheetsync gives a column it adds: its name, or ``sheetsync: next
    action`` when the tab already has a column of the user's under that name."""
    taken = {normalize_header(h) for h in header}
    return f"{OWN_PREFIX}{column.replace('_', ' ')}" if column in taken else column


def _users_own(found: dict[str, int], rows: Sequence[Sequence[str]]) -> bool:
    """True for a ``next_action`` column of the user's own to-dos: it holds text that
    is none of sheetsync's actions, in a tab sheetsync has never written (it always
    adds ``why`` and ``problems`` too).  sheetsync then adds a column of its own; in
    a tab it has written, a word typed into its column is simply overwritten."""
    index = found.get("next_action")
    if index is None or "why" in found or "problems" in found:
        return False
    values = {r[index].strip() for r in rows if index < len(r)} - {""}
    return bool(values) and not values & set(POLICY_ACTIONS)


def find_tab(tab: str, names: Sequence[str], configured: str | None = None) -> str | None:
    """Which of ``names`` (files, worksheets, sheet titles) holds tracker tab ``tab``.

    The name given in ``[tabs]``, else the tab's own name (case and spacing
    ignored), else, for Applications, the one name that is no other tab's: a
    workbook with a single sheet needs no configuration.
    """
    if configured:
        found = [n for n in names if normalize_header(n) == normalize_header(configured)]
        if not found:
            raise LayoutError(
                f"sheetsync.toml names the {tab} tab {configured!r}, but there is no such tab"
                + (f" (there are: {', '.join(names)})" if names else ""),
                hint=f"fix `{tab.lower()} = \"...\"` under [tabs] in sheetsync.toml",
            )
        return found[0]
    if tab in names:
        return tab
    for name in names:
        if normalize_header(name) == normalize_header(tab):
            return name
    if tab != APPLICATIONS:
        return None
    others = {normalize_header(t) for t in TABS if t != tab}
    candidates = [n for n in names if normalize_header(n) not in others]
    return candidates[0] if len(candidates) == 1 else None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet column names, for messages)."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def match_columns(
    tab: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    aliases: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Map each known canonical column of ``tab`` to its index in ``header``.

    On the Applications tab, a header that is a known synonym ("Date Applied")
    stands for its column unless the canonical header is there too.  Unknown
    headers are the user's extra columns and are ignored.  A duplicate
    known header, or a blank header above cells holding data, raises
    :class:`LayoutError` naming the cells, because writing could then land in
    the wrong column.
    """
    known = set(ALL_COLUMNS[tab])
    found: dict[str, int] = {}
    dupes: dict[str, list[int]] = {}
    seen: dict[str, int] = {}
    problems: list[str] = []
    # Cells to the right of the last header count as under a blank header.
    width = max(len(header), max((len(row) for row in rows), default=0))
    padded = [*header, *[""] * (width - len(header))]
    for index, raw in enumerate(padded):
        name = normalize_header(raw)
        if not name:
            if any(index < len(row) and row[index].strip() for row in rows):
                problems.append(
                    f"{tab}!{column_letter(index)}1 has no header but the column holds data"
                )
            continue
        if name in seen:
            dupes.setdefault(name, [seen[name]]).append(index)
            continue
        seen[name] = index
        if name in known:
            found[name] = index
    _own_columns(tab, found, seen, rows)
    if aliases:  # the config's word wins over any header
        _add_aliases(tab, found, seen, aliases)
    if tab == APPLICATIONS:
        _add_synonyms(found, seen)
    for name, indexes in dupes.items():
        cells = ", ".join(f"{tab}!{column_letter(i)}1" for i in indexes)
        problems.append(f"header {name!r} appears more than once ({cells})")
    if problems:
        raise LayoutError(
            "; ".join(problems),
            hint="give every column with data a unique header, then run again",
        )
    missing = [c for c in (APP_REQUIRED if tab == APPLICATIONS else ()) if c not in found]
    if missing:
        raise LayoutError(
            f"the {tab} tab has no {', '.join(missing)} column",
            hint=f"add a header named {missing[0]!r} in row 1 of the {tab} tab"
            + (" (or 'Company Name', 'Employer')" if missing[0] == "company" else ""),
        )
    return found

"""Sending a write to Google: setup that is never re-sent blindly, then values in parts.

A ``spreadsheets.batchUpdate`` (setup) is not idempotent: applied twice, an
``addSheet`` fails "already exists" and an ``appendDimension`` grows the grid
twice.  So when its answer is lost it is not sent again as it was: the layout
is read afresh, the requests are rebuilt from what now exists, and only what
is missing is sent.  ``values:batchUpdate`` writes explicit cells, so resending
it is safe; when a push needs several (a large first sync, or dates written
into the user's own columns), what landed before a failure is reported as
such, with the plan of it, so the history can record it and ``undo`` reverse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheetsync.backends.google.cells import Entered, split_payload, value_ranges
from sheetsync.backends.google.setup import describe_setup
from sheetsync.errors import PartlyWritten, SheetsyncError, UnreachableError
from sheetsync.tracker.plan import Plan

if TYPE_CHECKING:
    from sheetsync.backends.google.placement import Cells, Origins
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

SETUP_ROUNDS = 3  # sends of a setup whose answer keeps getting lost, each after a fresh look
# Google allows about 60 write requests a minute per user: parts of a large push
# go out at most one a second, so a first sync does not run into the quota.
WRITE_INTERVAL = 1.0
NOTHING_SET_UP = "nothing was written (no tab, column or cell changed)"
_A1_START = re.compile(r"([A-Z]+)(\d+)")

Key = tuple[str, int, int]  # (tab, row, col)


@dataclass
class Part:
    """One ``values:batchUpdate``: its input option, ranges and the cells it sets."""

    option: str  # "RAW" | "USER_ENTERED"
    data: list[dict[str, Any]]
    keys: list[Key] = field(default_factory=list)


# ------------------------------------------------------------------ setup
def send_setup(backend: GoogleSheetsBackend, requests: list[dict[str, Any]],
               rebuild: Callable[[], list[dict[str, Any]]],
               titles: Callable[[], dict[int, str]]) -> None:  # fmt: skip
    """Send the setup; if its answer is lost, look again and send only what is missing.

    ``rebuild`` reads the layout afresh and returns the requests still needed
    (none when everything landed); ``titles`` maps sheet ids to tab names.
    """
    wanted = [describe_setup(r, titles()) for r in requests]
    for round_ in range(1, SETUP_ROUNDS + 1):
        try:
            with backend.transport.single_shot():
                backend.call_api("setting up the tracker's tabs and columns",
                                 _setup_state(wanted, requests, titles()),
                                 backend.client.batch_update, backend.spreadsheet_id,
                                 {"requests": requests}, write=True)  # fmt: skip
            return
        except UnreachableError as exc:
            if not maybe_sent(exc) and round_ == 1:
                raise  # refused: nothing of this request was applied (it is atomic)
            lost = exc
        # The answer was lost, or a resend refused (perhaps because the first one
        # landed after all): look at the sheet before anything else.
        try:
            requests = _still_needed(requests, rebuild())
        except SheetsyncError as exc:
            raise UnreachableError(
                f"{_cause(lost)} while setting up the tracker's tabs and columns, and the "
                f"layout could not be read to check what was applied ({exc.message}); no "
                "cell value was written", hint="run sync again: it checks the layout first "
                "and adds only what is missing") from exc  # fmt: skip
        if not requests:
            return  # it had been applied
        if round_ == SETUP_ROUNDS or not maybe_sent(lost):
            raise UnreachableError(
                f"{_cause(lost)} while setting up the tracker's tabs and columns; "
                f"{_setup_state(wanted, requests, titles())}",
                hint="run sync again: it checks the layout first and adds only what is "
                     "missing") from lost  # fmt: skip


def _still_needed(sent: list[dict[str, Any]],
                  rebuilt: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """What to send again after ``sent`` lost its answer, given the ``rebuilt`` requests.

    The metadata shows tabs, grids, frozen rows and protections but not number
    formats.  A batchUpdate applies all or nothing, so when a visible part of
    ``sent`` is now there, its date formats landed with it.
    """
    def visible(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in requests if "repeatCell" not in r]

    if visible(sent) and len(visible(rebuilt)) < len(visible(sent)):
        return visible(rebuilt)
    return rebuilt


def _setup_state(wanted: list[str], remaining: list[dict[str, Any]],
                 titles: dict[int, str]) -> str:  # fmt: skip
    """What a failed setup leaves behind, in words."""
    missing = [describe_setup(r, titles) for r in remaining]
    applied = [w for w in wanted if w not in missing]
    if not applied:
        return NOTHING_SET_UP
    return (f"applied: {'; '.join(applied)}; not applied: {'; '.join(missing)}; "
            "no cell value was written")  # fmt: skip


def maybe_sent(exc: BaseException) -> bool:
    """True when the failed request may have reached Google and been applied."""
    return bool(getattr(exc.__cause__, "maybe_sent", False))


def _cause(exc: UnreachableError) -> str:
    """What went wrong with a setup request, without what it left behind (said apart)."""
    from sheetsync.backends.google.transport import RetriesExhausted, error_detail

    cause = exc.__cause__
    if isinstance(cause, RetriesExhausted):
        return cause.message
    _, message = error_detail(getattr(cause, "error", None))
    code = getattr(cause, "code", None)
    if code is not None:
        return f"Google refused the request (HTTP {code}{f': {message}' if message else ''})"
    return exc.message


# ------------------------------------------------------------------ values
def value_parts(touched: Sequence[str], cells: dict[str, Cells], title: Callable[[str], str],
                max_bytes: int) -> list[Part]:  # fmt: skip
    """The requests a push's cells go out in: RAW ones, then (rarely) one USER_ENTERED.

    Usually one RAW request.  Several only past the payload limit; a
    USER_ENTERED one only for what a sent draft records in the user's own
    columns (see :class:`~sheetsync.backends.google.cells.Entered`), all of it
    in that one request.
    """
    plain: list[tuple[str, dict[str, Any]]] = []
    entered: list[tuple[str, dict[str, Any]]] = []
    for tab in touched:
        tab_cells = cells.get(tab) or {}
        raw = {k: v for k, v in tab_cells.items() if not isinstance(v, Entered)}
        dates = {k: str(v) for k, v in tab_cells.items() if isinstance(v, Entered)}
        plain.extend((tab, vr) for vr in value_ranges(title(tab), raw) if raw)
        entered.extend((tab, vr) for vr in value_ranges(title(tab), dates) if dates)
    parts: list[Part] = []
    for option, ranges in (("RAW", plain), ("USER_ENTERED", entered)):
        if not ranges:
            continue
        tab_of = {id(vr): tab for tab, vr in ranges}
        for chunk in split_payload([vr for _, vr in ranges], max_bytes):
            keys = [k for vr in chunk for k in _keys(tab_of[id(vr)], vr)]
            parts.append(Part(option, chunk, keys))
    return parts


def _keys(tab: str, value_range: dict[str, Any]) -> list[Key]:
    """The cells a ValueRange sets (nulls skip a cell)."""
    start = str(value_range["range"]).rsplit("!", 1)[-1].split(":")[0]
    found = _A1_START.fullmatch(start)
    if not found:
        return []
    col = 0
    for ch in found.group(1):
        col = col * 26 + ord(ch) - 64
    r0, c0 = int(found.group(2)) - 1, col - 1
    return [(tab, r0 + i, c0 + j) for i, row in enumerate(value_range["values"])
            for j, v in enumerate(row) if v is not None]  # fmt: skip


def send_values(backend: GoogleSheetsBackend, parts: list[Part], *, setup_done: bool,
                plan: Plan, origins: Origins) -> None:  # fmt: skip
    """Send ``parts`` in order; on a failure, say (and hand over) what landed before it."""
    landed: list[Key] = []
    for number, part in enumerate(parts, 1):
        if number > 1 and part.option == "RAW":
            backend.transport.pace(WRITE_INTERVAL)
        doing = (f"writing part {number} of {len(parts)} of the changes"
                 if len(parts) > 1 else "writing the changes")  # fmt: skip
        written = _written(parts, number, len(landed), setup_done, origins)
        try:
            # values:batchUpdate is atomic: a failed request wrote none of its cells.
            backend.call_api(doing, written, backend.client.values_batch_update,
                             backend.spreadsheet_id,
                             {"valueInputOption": part.option, "data": part.data},
                             write=True)  # fmt: skip
        except SheetsyncError as exc:
            keys = landed + (part.keys if maybe_sent(exc) else [])
            if not keys:
                raise
            hint = ("run sync again to write the rest; what was written is in the history, "
                    "and `sheetsync undo` reverses it" if landed else
                    "run sync again: it writes the same cells again; if they were written, "
                    "they are in the history and `sheetsync undo` reverses them")  # fmt: skip
            error = PartlyWritten(exc.message, landed=landed_plan(plan, origins, keys),
                                  hint=hint)  # fmt: skip
            error.exit_code = exc.exit_code
            raise error from exc
        landed.extend(part.keys)


def _written(parts: list[Part], number: int, sent: int, setup_done: bool,
             origins: Origins) -> str:  # fmt: skip
    """What is on the sheet if part ``number`` fails."""
    if number == 1:
        return ("the new tabs and columns were set up, but no cell value was written"
                if setup_done else "nothing from this push was written")  # fmt: skip
    part = parts[number - 1]
    if part.option == "USER_ENTERED":
        columns = sorted({f"{tab} {getattr(origins.get((tab, row, col)), 'column', '?')}"
                          for tab, row, col in part.keys})  # fmt: skip
        return (f"the rest of this push was written ({sent} cells), but not the "
                f"{len(part.keys)} cell(s) it records in your own columns "
                f"({', '.join(columns)})")  # fmt: skip
    return (f"parts 1-{number - 1} of {len(parts)} of this push were written ({sent} cells), "
            f"nothing from part {number} on")  # fmt: skip


def landed_plan(plan: Plan, origins: Origins, keys: Sequence[Key]) -> Plan:
    """The part of ``plan`` whose cells are among ``keys`` (a row added counts if any cell is)."""
    hit = {id(origins[k]) for k in keys if k in origins}
    return Plan(changes=[c for c in plan.changes if id(c) in hit],
                appends=[a for a in plan.appends if id(a) in hit])  # fmt: skip

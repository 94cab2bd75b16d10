"""The Dashboard's part of a plan, and the agenda held back for approval (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sheetsync.dashboard.grid import TITLE, grid_changes, is_ours, overview_grid, text_grid
from sheetsync.tracker.plan import DashboardWrite

if TYPE_CHECKING:
    from sheetsync.agenda.items import AgendaItem
    from sheetsync.dashboard.overview import Overview
    from sheetsync.tracker.table import DashboardRead, Table

APPROVED = ("approved", "sent")  # a draft the mentor (or you) let go


def plan_dashboard(read: DashboardRead | None,
                   overview: Overview) -> tuple[DashboardWrite | None, list[str]]:  # fmt: skip
    """The Dashboard cells to write (none when every value is as the tab shows it), and
    a note when a tab of that name is the user's own, which is never written."""
    if read is None:  # no Dashboard kept (``dashboard = false``)
        return None, []
    if not is_ours(read.grid):
        return None, [
            f"the {read.title!r} tab is not sheetsync's Dashboard (its first cell is not "
            f"{TITLE!r}), so it was left alone; to have one, set `dashboard = \"<another "
            "name>\"` (or `dashboard = false`) under [tabs] in sheetsync.toml"]
    grid = overview_grid(overview)
    full = grid_changes(None, grid)
    cells = full if read.grid is None else grid_changes(read.grid, grid)
    return DashboardWrite(read.title, read.grid is None, text_grid(grid), cells, full), []


def with_status(drafts: Sequence[dict[str, str]], table: Table | None) -> list[dict[str, str]]:
    """The live drafts, each with its status (a kept row's is the one the tab holds)."""
    held = dict(zip(table.ids(), table.column("status"), strict=True)) if table else {}
    return [d if "status" in d else {**d, "status": held.get(d["draft_id"], "").strip()}
            for d in drafts]  # fmt: skip


def hold_unapproved(
    agenda: Sequence[AgendaItem], drafts: Sequence[dict[str, str]]
) -> tuple[list[AgendaItem], list[AgendaItem]]:
    """Split the agenda into what is due and what awaits approval.

    An action with drafts is held back while none of them is approved
    (``require_approval``); one with no draft (an interview, moving on) stays.
    """
    statuses: dict[tuple[str, str], set[str]] = {}
    for draft in drafts:
        status = draft.get("status", "").strip().lower()
        statuses.setdefault((draft["app_id"], draft["action"]), set()).add(status)
        statuses.setdefault((draft["draft_id"], draft["action"]), set()).add(status)
    due: list[AgendaItem] = []
    held: list[AgendaItem] = []
    for item in agenda:
        seen = statuses.get((item.uid, item.action)) or statuses.get((item.app_id, item.action))
        if seen and not seen & set(APPROVED):
            held.append(item)
        else:
            due.append(item)
    return due, held

"""The agenda: every due action from the Applications, Drafts and Feedback tabs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd

from sheetsync.tracker.plan import iso_text, plain_dates
from sheetsync.tracker.schema import APPLICATIONS, DRAFTS
from sheetsync.vocabulary import FEEDBACK_CARD, NOTE_ACTIONS, OBSOLETE


@dataclass(frozen=True)
class AgendaItem:
    """One thing the user should do on (or by) ``due_on``."""

    uid: str  # stable across syncs for the same occurrence (calendar UIDs build on it)
    tab: str  # "Applications" or "Feedback" (or "Drafts" for handwritten notes)
    app_id: str
    company: str
    role: str
    action: str  # policy action, e.g. "check_in", "thank_you_note", "act_on_feedback"
    due_on: date
    why: str
    subject: str = ""  # the draft's subject, when a draft exists
    to: str = ""  # recipients, "Ann Lee, Bo Chan"

    def overdue(self, today: date) -> bool:
        return self.due_on < today

    def as_dict(self, today: date) -> dict[str, Any]:
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat()
        data["overdue"] = self.overdue(today)
        return data


def application_agenda(
    typed: pd.DataFrame, result: pd.DataFrame, rows: pd.Index, open_drafts: list[dict[str, str]]
) -> list[AgendaItem]:
    """An item per application row with a due action, then one per handwritten note due.

    Each names the subject of its draft and its recipients, when drafts exist.
    """
    drafts_of: dict[tuple[str, str], list[dict[str, str]]] = {}
    for draft in open_drafts:
        drafts_of.setdefault((draft["app_id"], draft["action"]), []).append(draft)
    has_action = result["next_action"].ne("").to_numpy() & result["due_on"].notna().to_numpy()
    picked = rows[has_action[rows]]
    # plain lists, walked together: indexing numpy arrays item by item is slow
    columns = zip(
        typed.loc[picked, "id"].astype(str).tolist(),
        typed.loc[picked, "company"].astype(str).str.strip().tolist(),
        typed.loc[picked, "role"].astype(str).str.strip().tolist(),
        result.loc[picked, "next_action"].astype(str).tolist(),
        plain_dates(result.loc[picked, "due_on"]),
        result.loc[picked, "why"].astype(str).tolist(),
        iso_text(result.loc[picked, "basis"]).tolist() if "basis" in result else [""] * len(picked),
        strict=True,
    )
    items = []
    for app_id, company, role, action, due, why, basis in columns:
        drafts = drafts_of.get((app_id, action), [])
        items.append(
            AgendaItem(
                f"{app_id}:{action}:{basis}", APPLICATIONS, app_id, company, role, action, due,
                why, drafts[0]["subject"] if drafts else "",
                ", ".join([d["to_name"] or d["to_email"] for d in drafts]),
            )
        )  # fmt: skip
    return items + [_note_item(d) for d in open_drafts if _note_due(d)]


def _note_due(draft: dict[str, str]) -> bool:
    return (
        draft["action"] in NOTE_ACTIONS
        and bool(draft["due_on"])
        and draft.get("status") != OBSOLETE
    )


def _note_item(draft: dict[str, str]) -> AgendaItem:
    """A handwritten note is its own item: one per interviewer, due on its own day."""
    return AgendaItem(
        uid=draft["draft_id"],
        tab=DRAFTS,
        app_id=draft["app_id"],
        company=draft["company"],
        role=draft["role"],
        action=draft["action"],
        due_on=date.fromisoformat(draft["due_on"]),
        why=f"Handwritten thank-you card to {draft['to_name'] or 'your contact'} for their"
        " kind feedback - post it within a few days"
        if draft["action"] == FEEDBACK_CARD
        else f"Handwritten thank-you note to {draft['to_name'] or 'your interviewer'}"
        " - post it within two business days of the interview",
        to=draft["to_name"],
    )

"""The agenda: every due action from the Applications and Feedback tabs, in one list."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


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

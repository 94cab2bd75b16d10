"""What the Dashboard shows, computed from the tracker as read (pure: no I/O, no clock).

Every number is defined here once; the Dashboard tab, ``Dashboard.csv`` and
``sheetsync dashboard`` all show this one :class:`Overview`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.agenda.items import AgendaItem
from sheetsync.dashboard.grid import WEEKS
from sheetsync.vocabulary import ACTION_LABELS, DONE_WORDS

DUE_WITHIN_DAYS = 7  # "this week": overdue, and due in the next 7 days
MAX_ITEMS = 50  # per list, so the Dashboard's size stays bounded
AWAITING = ("draft", "")  # draft statuses still waiting for approval


@dataclass(frozen=True)
class Item:
    """One line of a Dashboard list."""

    company: str
    role: str
    what: str  # the action, the draft's action, or the feedback action item
    due_on: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {"company": self.company, "role": self.role, "what": self.what,
                "due_on": self.due_on.isoformat() if self.due_on else None}  # fmt: skip


@dataclass(frozen=True)
class Overview:
    """The Dashboard's content."""

    as_of: dt.date
    funnel: list[tuple[str, int]]  # (label, count), in funnel order
    response_rate: float | None  # share of applications that heard back (0..1)
    median_days_to_reply: float | None
    weekly: list[tuple[dt.date, int]]  # (Monday, applications sent that week), oldest first
    due: list[Item] = field(default_factory=list)  # overdue and due within 7 days
    awaiting_approval: list[Item] = field(default_factory=list)  # the mentor's review queue
    approved: int = 0  # drafts approved, not sent yet
    feedback_open: list[Item] = field(default_factory=list)  # action items not done
    themes: list[tuple[str, int]] = field(default_factory=list)  # most frequent first

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "funnel": dict(self.funnel),
            "response_rate": self.response_rate,
            "median_days_to_first_reply": self.median_days_to_reply,
            "applications_per_week": [
                {"week_starting": d.isoformat(), "applications": n} for d, n in self.weekly
            ],
            "due": [i.as_dict() for i in self.due],
            "awaiting_approval": [i.as_dict() for i in self.awaiting_approval],
            "approved_not_sent": self.approved,
            "feedback_action_items_open": [i.as_dict() for i in self.feedback_open],
            "feedback_themes": dict(self.themes),
        }


def build_overview(
    typed: pd.DataFrame,
    active: pd.Series,
    agenda: Sequence[AgendaItem],
    drafts: Sequence[dict[str, str]],
    feedback: pd.DataFrame,
    today: dt.date,
    date_order: str = "MDY",
    act_on_feedback_days: int = 7,
) -> Overview:
    """The overview of the active application rows ``typed`` (as the policy reads them),
    the ``agenda``, the live ``drafts`` and the Feedback rows (with their ``themes``)."""
    apps = typed[active.to_numpy()]
    funnel, rate, median = _funnel(apps, today)
    awaiting = [d for d in drafts if d.get("status", "").strip().lower() in AWAITING]
    return Overview(
        as_of=today,
        funnel=funnel,
        response_rate=rate,
        median_days_to_reply=median,
        weekly=_weekly(apps, today),
        due=_due(agenda, today),
        awaiting_approval=[
            Item(d["company"], d["role"], _label(d["action"]), _day(d.get("due_on", "")))
            for d in heapq.nsmallest(MAX_ITEMS, awaiting,
                                     key=lambda d: (d.get("due_on") or "9", d["company"]))
        ],  # fmt: skip
        approved=sum(1 for d in drafts if d.get("status", "").strip().lower() == "approved"),
        feedback_open=_feedback_open(feedback, date_order, act_on_feedback_days),
        themes=_themes(feedback),
    )


def _funnel(apps: pd.DataFrame, today: dt.date) -> tuple[list[tuple[str, int]], float | None,
                                                         float | None]:  # fmt: skip
    """Counts by stage; the response rate and median days from applying to the first reply."""
    status = apps["status"].fillna("").astype(str).str.strip().replace("", "open")
    applied = apps[status.ne("wishlist").to_numpy()]
    status = status[status.ne("wishlist")]
    day = pd.Timestamp(today)
    interviewed = applied["interview_on"].le(day) | status.isin(("offer", "accepted"))
    offers = status.isin(("offer", "accepted"))
    rejected = status.eq("rejected")
    closed = status.isin(("closed", "withdrawn"))
    heard = interviewed | offers | rejected | applied["last_heard_on"].notna()
    first_reply = applied[["last_heard_on", "interview_on", "rejected_on"]].min(axis=1)
    days = (first_reply - applied["applied_on"]).dt.days
    days = days[days.notna() & days.ge(0)]
    n = len(applied)
    funnel = [
        ("Applications", n),
        ("Interviewed", int(interviewed.sum())),
        ("Offers", int(offers.sum())),
        ("Rejections", int(rejected.sum())),
        ("Closed or withdrawn", int(closed.sum())),
        ("Still waiting", int(status.eq("open").sum())),
    ]
    rate = round(int(heard.sum()) / n, 4) if n else None
    median = float(days.median()) if len(days) else None
    return funnel, rate, median


def _weekly(apps: pd.DataFrame, today: dt.date) -> list[tuple[dt.date, int]]:
    """Applications by the week (Monday to Sunday) of ``applied_on``, this week last."""
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    days = apps["applied_on"].dropna().to_numpy().astype("datetime64[D]")
    # Each date's Monday, in numpy: 1970-01-01, day 0, was a Thursday (weekday 3).
    mondays = days - ((days.astype("int64") + 3) % 7).astype("timedelta64[D]")
    recent = mondays[mondays >= np.datetime64(starts[0], "D")]
    counts = Counter(recent.tolist())  # datetime.date keys
    return [(start, counts.get(start, 0)) for start in starts]


def _due(agenda: Sequence[AgendaItem], today: dt.date) -> list[Item]:
    """The first ``MAX_ITEMS`` actions due within a week (or overdue), soonest first."""
    until = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    picked = heapq.nsmallest(MAX_ITEMS, (i for i in agenda if i.due_on <= until),
                             key=lambda i: i.due_on)  # fmt: skip
    return [Item(i.company, i.role, _label(i.action), i.due_on) for i in picked]


def _feedback_open(feedback: pd.DataFrame, date_order: str, act_days: int) -> list[Item]:
    """Feedback action items written down and not marked done, each due on its
    ``action_due``, else ``act_days`` after the answer came (as the Feedback tab says)."""
    if feedback.empty:
        return []
    from sheetsync.tracker.values import parse_dates

    item = feedback["action_item"].fillna("").astype(str).str.strip()
    done = feedback["done"].fillna("").astype(str).str.strip().str.lower().isin(DONE_WORDS)
    rows = feedback[item.ne("").to_numpy() & ~done.to_numpy()]
    if rows.empty:
        return []
    due, _ = parse_dates(rows["action_due"].fillna("").astype(str), date_order)
    received, _ = parse_dates(rows["received_on"].fillna("").astype(str), date_order)
    due = due.fillna(received + pd.Timedelta(days=act_days))
    out = [
        Item(str(company).strip(), str(role).strip(), str(what).strip(),
             None if pd.isna(day) else day.date())
        for company, role, what, day in zip(rows["company"], rows["role"], rows["action_item"],
                                            due, strict=True)
    ]  # fmt: skip
    out.sort(key=lambda i: (i.due_on or dt.date.max, i.company))
    return out[:MAX_ITEMS]


def _themes(feedback: pd.DataFrame) -> list[tuple[str, int]]:
    """Each theme with the number of responses that mention it, most frequent first."""
    if feedback.empty or "themes" not in feedback:
        return []
    counts: Counter[str] = Counter()
    for cell in feedback["themes"].fillna("").astype(str):
        counts.update({t.strip() for t in cell.split(";") if t.strip()})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]


def _label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " "))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None

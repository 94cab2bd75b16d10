"""Closing the loop: what sent and skipped drafts mean for the tracker.

A draft marked ``sent`` is recorded on its application (or Feedback row) once,
only in cells that are blank or hold an older, readable date; ``skipped``
passes a step in memory only.  Pure functions of the tabs as read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.tracker.plan import CellChange
from sheetsync.tracker.schema import FEEDBACK
from sheetsync.tracker.table import Table
from sheetsync.vocabulary import FOLLOW_UP_ACTIONS, LIVE_DRAFT_STATUSES


def draft_frame(table: Table | None, date_order: str) -> pd.DataFrame:
    from sheetsync.tracker.values import parse_dates

    cols = ["draft_id", "app_id", "action", "status", "sent_on", "due_on"]
    if table is None:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        return empty.assign(
            sent=pd.Series(dtype="datetime64[ns]"), due=pd.Series(dtype="datetime64[ns]")
        )
    frame = table.frame(cols)
    frame["status"] = frame["status"].str.strip().str.lower()
    frame["app_id"] = frame["app_id"].str.strip()
    frame["action"] = frame["action"].str.strip()
    frame["sent"], _ = parse_dates(frame["sent_on"], date_order)
    frame["due"], _ = parse_dates(frame["due_on"], date_order)
    return frame


def write_backs(
    text: pd.DataFrame,
    drafts: pd.DataFrame,
    today: dt.date,
    date_order: str,
) -> dict[str, pd.Series]:
    """New values for the user-owned cells a sent draft records, per column.

    Only cells that are blank or hold a readable, older date change, so applying
    the same sent drafts again changes nothing: each is recorded once.  A cell
    sheetsync cannot read is never written (its row has a problem note), and a
    draft whose ``sent_on`` cannot be read is not recorded (its lint says why).
    """
    from sheetsync.tracker.values import parse_dates

    live = drafts["status"].isin(LIVE_DRAFT_STATUSES)
    sent = drafts[
        (drafts["status"] == "sent")
        & (drafts["sent"].notna() | drafts["sent_on"].str.strip().eq(""))
    ].copy()
    sent["when"] = sent["sent"].fillna(pd.Timestamp(today))
    by_id = pd.Series(text.index, index=text["id"].str.strip())
    by_id = by_id[~by_id.index.duplicated(keep=False) & (by_id.index != "")]
    out: dict[str, pd.Series] = {}

    def readable(column: str, rows: np.ndarray) -> tuple[pd.Series, np.ndarray]:
        values, errors = parse_dates(text.loc[rows, column], date_order)
        return values, errors.eq("").to_numpy(copy=True)

    def latest(column: str, rows: pd.DataFrame) -> None:
        when = rows.groupby("app_id")["when"].max()
        when = when[when.index.isin(by_id.index)]
        if when.empty:
            return
        target = by_id.loc[when.index].to_numpy()
        current, ok = readable(column, target)
        newer = ok & (current.isna().to_numpy() | (current.to_numpy() < when.to_numpy()))
        if newer.any():
            out[column] = pd.Series(
                when.dt.strftime("%Y-%m-%d").to_numpy()[newer], index=target[newer]
            )

    # thank-you: recorded once every live thank-you draft of the application is done
    thanks = drafts["action"] == "thank_you_email"
    pending = drafts.loc[thanks & live, "app_id"]
    latest(
        "thank_you_sent_on",
        sent[(sent["action"] == "thank_you_email") & ~sent["app_id"].isin(pending)],
    )
    latest("feedback_requested_on", sent[sent["action"] == "request_feedback"])

    # follow-ups: each sent one counts once, with any skipped step before it
    steps = drafts[drafts["action"].isin(FOLLOW_UP_ACTIONS) & drafts["app_id"].isin(by_id.index)]
    steps = pd.concat(
        [
            sent[sent["action"].isin(FOLLOW_UP_ACTIONS)].assign(is_sent=True),
            steps[steps["status"].eq("skipped") & steps["due"].notna()].assign(
                when=lambda f: f["due"], is_sent=False
            ),
        ]
    )
    steps = steps[steps["app_id"].isin(by_id.index)]
    if steps.empty:
        return out
    rows = by_id.loc[steps["app_id"]].to_numpy()
    last, ok = readable("last_follow_up_on", rows)
    count_text = text.loc[rows, "follow_ups_sent"].str.strip()
    count = pd.to_numeric(count_text, errors="coerce")
    ok &= (count_text.eq("") | (count.notna() & (count >= 0))).to_numpy()
    fresh = steps[ok & (last.isna().to_numpy() | (last.to_numpy() < steps["when"].to_numpy()))]
    fresh = fresh[fresh["app_id"].isin(fresh.loc[fresh["is_sent"], "app_id"])]
    if fresh.empty:
        return out  # only skipped steps: counted in memory, never written
    counts = fresh.groupby("app_id").agg(steps=("when", "count"))
    counts["last"] = fresh[fresh["is_sent"]].groupby("app_id")["when"].max()
    target = by_id.loc[counts.index].to_numpy()
    n = pd.to_numeric(text.loc[target, "follow_ups_sent"].str.strip(), errors="coerce")
    n = n.fillna(0).astype(int).to_numpy()
    # The employer was in touch after our last follow-up: the count starts afresh,
    # as the policy already treats it, so one new note is not taken for the last.
    heard, _ = parse_dates(text.loc[target, "last_heard_on"], date_order)
    prior, _ = parse_dates(text.loc[target, "last_follow_up_on"], date_order)
    reset = (heard.notna() & (prior.isna() | (heard > prior))).to_numpy()
    n = np.where(reset, 0, n) + counts["steps"].to_numpy()
    out["follow_ups_sent"] = pd.Series([str(v) for v in n], index=target)
    out["last_follow_up_on"] = pd.Series(
        counts["last"].dt.strftime("%Y-%m-%d").to_numpy(), index=target
    )
    return out


def feedback_thanks(
    fb_table: Table | None, drafts: pd.DataFrame, today: dt.date, date_order: str
) -> list[CellChange]:
    """``thanked_on`` for Feedback rows whose thank-you draft was sent (blank or older only)."""
    from sheetsync.tracker.values import parse_dates

    if fb_table is None or not fb_table.rows:
        return []
    sent = drafts[(drafts["action"] == "thank_for_feedback") & (drafts["status"] == "sent")]
    sent = sent[sent["sent"].notna() | sent["sent_on"].str.strip().eq("")]
    if sent.empty:
        return []
    when = sent.assign(
        fb=sent["draft_id"].str.split(":").str[0], when=sent["sent"].fillna(pd.Timestamp(today))
    )
    latest = when.groupby("fb")["when"].max()
    ids = fb_table.ids()
    current = fb_table.column("thanked_on")
    parsed, errors = parse_dates(pd.Series(current, dtype=object), date_order)
    days: list[Any] = list(parsed)
    unique = {key for key, n in Counter(ids).items() if n == 1}
    changes = []
    for row, key in enumerate(ids):
        if key not in latest.index or key not in unique or errors.iat[row]:
            continue
        day = latest[key]
        if pd.isna(days[row]) or days[row] < day:
            iso = day.strftime("%Y-%m-%d")
            changes.append(CellChange(FEEDBACK, row, key, "thanked_on", current[row], iso, "date"))
    return changes


def apply_skips(text: pd.DataFrame, drafts: pd.DataFrame, date_order: str) -> pd.DataFrame:
    """Treat ``skipped`` drafts as done on their due date, in memory only."""
    from sheetsync.tracker.values import parse_dates

    skipped = drafts[(drafts["status"] == "skipped") & drafts["due"].notna()]
    if skipped.empty:
        return text
    text = text.copy()
    ids = text["id"].str.strip()
    live = drafts["status"].isin(LIVE_DRAFT_STATUSES)
    # a thank-you step passes only once no live thank-you of the application is left
    waiting = set(drafts.loc[live & (drafts["action"] == "thank_you_email"), "app_id"])
    skipped = skipped[~((skipped["action"] == "thank_you_email") & skipped["app_id"].isin(waiting))]
    for action, column in (
        ("thank_you_email", "thank_you_sent_on"),
        ("request_feedback", "feedback_requested_on"),
    ):
        done = skipped[skipped["action"] == action].groupby("app_id")["due"].max()
        rows = ids.isin(done.index) & text[column].str.strip().eq("")
        if not rows.any():
            continue
        text.loc[rows, column] = ids[rows].map(done).dt.strftime("%Y-%m-%d")
    follow = skipped[skipped["action"].isin(FOLLOW_UP_ACTIONS)]
    if not follow.empty:
        last, _ = parse_dates(text["last_follow_up_on"], date_order)
        last_by_id = pd.Series(last.to_numpy(), index=ids)
        last_by_id = last_by_id[~last_by_id.index.duplicated()]
        prior = follow["app_id"].map(last_by_id)
        fresh = follow[prior.isna() | (prior < follow["due"])]
        counts = fresh.groupby("app_id")["due"].agg(["count", "max"])
        rows = ids.isin(counts.index)
        if not rows.any():
            return text
        n = pd.to_numeric(text.loc[rows, "follow_ups_sent"].str.strip(), errors="coerce")
        text.loc[rows, "follow_ups_sent"] = (
            n.fillna(0).astype(int) + ids[rows].map(counts["count"])
        ).astype(str)
        text.loc[rows, "last_follow_up_on"] = ids[rows].map(counts["max"]).dt.strftime("%Y-%m-%d")
    return text

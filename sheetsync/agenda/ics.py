"""The agenda as an iCalendar feed (RFC 5545): one all-day event per due action.

Calendar apps match events by UID and keep the version with the highest
SEQUENCE, so re-importing the file after a sync moves or cancels events
instead of duplicating them.  That needs a little memory between runs, kept by
the caller as JSON: for each UID, what was last published (date, title,
description), its SEQUENCE and DTSTAMP.

- UID: ``<item.uid>@sheetsync``; the agenda's uid is stable per occurrence.
- SEQUENCE starts at 0 and goes up by one whenever the date, title,
  description or status changes; DTSTAMP is the time of that change (the
  ``stamp`` argument, by default midnight UTC of ``today``), so unchanged
  events come out byte-for-byte the same on every run.
- An event whose action is gone (done, snoozed, no longer due) is published
  once more as ``STATUS:CANCELLED`` with a higher SEQUENCE, and kept in the
  feed until ``KEEP_CANCELLED_DAYS`` after the later of its date and the day it
  was cancelled, so a calendar that refreshes now and then still sees it.
- Each event has a display alarm at 09:00 on its day (``TRIGGER;RELATED=START:
  PT9H``: the all-day event starts at midnight, local time of the calendar).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from sheetsync.agenda.items import AgendaItem
from sheetsync.vocabulary import ACTION_EVENTS

PRODID = "-//sheetsync//sheetsync follow-ups//EN"
UID_SUFFIX = "@sheetsync"
REMINDER = timedelta(hours=9)  # 09:00 on the day of the all-day event
KEEP_CANCELLED_DAYS = 30
CONFIRMED, CANCELLED = "CONFIRMED", "CANCELLED"


def _who(item: AgendaItem) -> str:
    return " - ".join(p for p in (item.company.strip(), item.role.strip()) if p) or "(no company)"


def event_summary(item: AgendaItem) -> str:
    """``Check in with Acme - Data Analyst`` (recipients added when known)."""
    template = ACTION_EVENTS.get(item.action)
    if template is None:
        text = f"{item.action.replace('_', ' ').strip().capitalize() or 'Follow up'}: {_who(item)}"
    else:
        text = template.format(who=_who(item))
    return f"{text} ({item.to})" if item.to.strip() else text


def event_description(item: AgendaItem) -> str:
    """The agenda's ``why``, then the draft's subject and recipients when there are any."""
    lines = [item.why.strip()] if item.why.strip() else []
    if item.subject.strip():
        lines.append(f"Draft subject: {item.subject.strip()}")
    if item.to.strip():
        lines.append(f"To: {item.to.strip()}")
    source = f"{item.tab} tab" + (f", application {item.app_id}" if item.app_id else "")
    lines.append(f"({source})")
    return "\n".join(lines)


def _utc_stamp(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _clean_previous(previous: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Entries of the stored state that are well-formed; anything else is forgotten."""
    out: dict[str, dict[str, Any]] = {}
    for uid, entry in (previous or {}).items():
        try:
            cleaned = {
                "due_on": date.fromisoformat(entry["due_on"]).isoformat(),
                "summary": str(entry["summary"]),
                "description": str(entry["description"]),
                "sequence": int(entry["sequence"]),
                "stamp": _utc_stamp(_parse_stamp(entry["stamp"])),
                "status": CANCELLED if entry.get("status") == CANCELLED else CONFIRMED,
                "cancelled_on": (
                    date.fromisoformat(entry["cancelled_on"]).isoformat()
                    if entry.get("cancelled_on")
                    else ""
                ),
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        out[str(uid)] = cleaned
    return out


def _unique(items: Iterable[AgendaItem]) -> list[tuple[str, AgendaItem]]:
    """(UID, item); a uid given twice gets ``-2``, ``-3`` (in input order) rather than lost."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        base = item.uid.strip()
        seen[base] = seen.get(base, 0) + 1
        uid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append((uid + UID_SUFFIX, item))
    return out


def _event(uid: str, entry: dict[str, Any]) -> Event:
    day = date.fromisoformat(entry["due_on"])
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _parse_stamp(entry["stamp"]))
    event.add("dtstart", day)  # a DATE value: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", entry["summary"])
    event.add("description", entry["description"])
    event.add("sequence", entry["sequence"])
    event.add("status", entry["status"])
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    if entry["status"] == CONFIRMED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry["summary"])
        alarm.add("trigger", REMINDER, parameters={"RELATED": "START"})
        event.add_component(alarm)
    return event


def agenda_to_ics(
    items: list[AgendaItem],
    *,
    today: date,
    previous: dict[str, dict[str, Any]] | None,
    calendar_name: str = "sheetsync follow-ups",
    stamp: datetime | None = None,
    until: date | None = None,
) -> tuple[bytes, dict[str, dict[str, Any]]]:
    """The feed for ``items`` and the state to pass as ``previous`` next time.

    ``previous`` is the state the last call returned (``None`` the first
    time).  ``stamp`` is the DTSTAMP for events that are new or changed in this
    run (default: ``today`` at 00:00 UTC; never the wall clock, so output is
    reproducible).  Events are ordered by date, then UID.

    ``until`` leaves out the items due after it, neither listed nor cancelled
    (``agenda --days``); the state returned then covers only the feed written.
    """
    now = _utc_stamp(stamp if stamp is not None else datetime.combine(today, time(0), UTC))
    old = _clean_previous(previous)
    state: dict[str, dict[str, Any]] = {}
    entry: dict[str, Any]
    pairs = _unique(items)
    if until is not None:
        later = {uid for uid, item in pairs if item.due_on > until}
        pairs = [(uid, item) for uid, item in pairs if uid not in later]
        old = {uid: before for uid, before in old.items() if uid not in later}

    for uid, item in pairs:
        content = {
            "due_on": item.due_on.isoformat(),
            "summary": event_summary(item),
            "description": event_description(item),
        }
        before = old.get(uid)
        if before is None:
            entry = {**content, "sequence": 0, "stamp": now}
        elif before["status"] == CONFIRMED and all(before[k] == v for k, v in content.items()):
            entry = {**before}  # unchanged: same SEQUENCE and DTSTAMP, same bytes
        else:  # moved, retitled, or back after being cancelled
            entry = {**content, "sequence": before["sequence"] + 1, "stamp": now}
        entry.update(status=CONFIRMED, cancelled_on="")
        state[uid] = entry

    for uid, before in old.items():
        if uid in state:
            continue
        if before["status"] == CONFIRMED:
            entry = {**before, "sequence": before["sequence"] + 1, "stamp": now,
                     "status": CANCELLED, "cancelled_on": today.isoformat()}  # fmt: skip
        else:
            entry = {**before}
        last_seen = max(date.fromisoformat(entry["due_on"]),
                        date.fromisoformat(entry["cancelled_on"] or entry["due_on"]))  # fmt: skip
        if today <= last_seen + timedelta(days=KEEP_CANCELLED_DAYS):
            state[uid] = entry

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    for uid in sorted(state, key=lambda u: (state[u]["due_on"], u)):
        calendar.add_component(_event(uid, state[uid]))
    return calendar.to_ical(), state

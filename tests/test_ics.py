"""The agenda as an iCalendar feed, checked by parsing the file back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar, Event

from sheetsync.agenda.ics import KEEP_CANCELLED_DAYS, agenda_to_ics
from sheetsync.agenda.items import AgendaItem
from sheetsync.vocabulary import ACTION_EVENTS

TODAY = date(2026, 3, 16)

ITEMS = [
    AgendaItem(uid="A1:check_in:20260318", tab="Applications", app_id="A1", company="Acme",
               role="Data Analyst", action="check_in", due_on=date(2026, 3, 18),
               why="Acme said they would decide by Mon 16 Mar; two days have passed",
               subject="Checking in: Data Analyst", to="Ann Lee"),
    AgendaItem(uid="A2:thank_you_email:20260316", tab="Applications", app_id="A2",
               company="Beta Café", role="Product Manager", action="thank_you_email",
               due_on=date(2026, 3, 16), why="Interviewed on Sun 15 Mar; thank them within a day"),
    AgendaItem(uid="fb-A3-thank", tab="Feedback", app_id="A3", company="Gamma", role="",
               action="thank_for_feedback", due_on=date(2026, 3, 11),
               why="Feedback from Gamma came in on Tue 10 Mar - thank them within a day"),
]  # fmt: skip


def events(data: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(data)
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "UIDs must be unique"
    return found


def run(items: list[AgendaItem], today: date = TODAY, previous: dict[str, Any] | None = None,
        **kw: Any) -> tuple[bytes, dict[str, dict[str, Any]]]:  # fmt: skip
    return agenda_to_ics(items, today=today, previous=previous, **kw)


def test_one_all_day_event_per_item() -> None:
    data, _ = run(ITEMS)
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "sheetsync" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "sheetsync follow-ups"
    found = events(data)
    assert set(found) == {f"{i.uid}@sheetsync" for i in ITEMS}
    for item in ITEMS:
        event = found[f"{item.uid}@sheetsync"]
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is date and start == item.due_on  # a DATE: all-day
        assert end == item.due_on + timedelta(days=1)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert int(event["SEQUENCE"]) == 0
        assert item.why in str(event["DESCRIPTION"])
        assert event["DTSTAMP"].dt == datetime(2026, 3, 16, tzinfo=UTC)  # no wall clock


def test_summaries_and_descriptions() -> None:
    found = events(run(ITEMS)[0])
    assert str(found["A1:check_in:20260318@sheetsync"]["SUMMARY"]) == (
        "Check in with Acme - Data Analyst (Ann Lee)"
    )
    assert str(found["A2:thank_you_email:20260316@sheetsync"]["SUMMARY"]) == (
        "Send thank-you e-mail to Beta Café - Product Manager"
    )
    assert str(found["fb-A3-thank@sheetsync"]["SUMMARY"]) == "Thank Gamma for the feedback"
    description = str(found["A1:check_in:20260318@sheetsync"]["DESCRIPTION"])
    assert "Draft subject: Checking in: Data Analyst" in description
    assert "To: Ann Lee" in description


@pytest.mark.parametrize("action", sorted(ACTION_EVENTS))
def test_every_action_has_a_readable_title(action: str) -> None:
    item = replace(ITEMS[1], action=action, uid=f"x-{action}")
    summary = str(events(run([item])[0])[f"x-{action}@sheetsync"]["SUMMARY"])
    assert "Beta Café - Product Manager" in summary
    assert "_" not in summary


def test_an_unknown_action_still_gets_a_title() -> None:
    item = replace(ITEMS[1], action="call_recruiter", uid="x")
    assert str(events(run([item])[0])["x@sheetsync"]["SUMMARY"]) == (
        "Call recruiter: Beta Café - Product Manager"
    )


def test_every_event_has_a_morning_display_alarm() -> None:
    for event in events(run(ITEMS)[0]).values():
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        alarm = alarms[0]
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt == timedelta(hours=9)
        assert alarm["TRIGGER"].params["RELATED"] == "START"
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])


def test_regenerating_is_byte_identical() -> None:
    first, state = run(ITEMS)
    assert run(ITEMS)[0] == first  # same inputs
    again, state2 = run(ITEMS, previous=state)  # fed its own state
    assert again == first
    later, _ = run(ITEMS, today=TODAY + timedelta(days=3), previous=state2)
    assert later == first  # nothing changed, so nothing (not even DTSTAMP) moves
    # The state is plain JSON and works after a round trip through a file.
    assert run(ITEMS, previous=json.loads(json.dumps(state)))[0] == first


def test_moving_an_item_keeps_the_uid_and_bumps_the_sequence() -> None:
    _, state = run(ITEMS)
    moved = [replace(ITEMS[0], due_on=date(2026, 3, 20)), *ITEMS[1:]]
    stamp = datetime(2026, 3, 17, 8, 30, tzinfo=UTC)
    data, state = run(moved, today=date(2026, 3, 17), previous=state, stamp=stamp)
    found = events(data)
    assert len(found) == len(ITEMS)
    event = found["A1:check_in:20260318@sheetsync"]
    assert event["DTSTART"].dt == date(2026, 3, 20)
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTAMP"].dt == stamp
    assert int(found["fb-A3-thank@sheetsync"]["SEQUENCE"]) == 0  # untouched
    # A changed description is a change too.
    reworded = [replace(moved[0], why="New reason"), *moved[1:]]
    event = events(run(reworded, previous=state)[0])["A1:check_in:20260318@sheetsync"]
    assert int(event["SEQUENCE"]) == 2


def test_a_removed_item_is_cancelled_then_dropped() -> None:
    _, state = run(ITEMS)
    gone = "fb-A3-thank@sheetsync"  # due 11 Mar, done on 17 Mar
    data, state = run(ITEMS[:2], today=date(2026, 3, 17), previous=state)
    event = events(data)[gone]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt == date(2026, 3, 11)
    assert event.walk("VALARM") == []
    assert all(str(e["STATUS"]) == "CONFIRMED" for u, e in events(data).items() if u != gone)

    # Still published (unchanged) while calendars may not have seen it yet ...
    last_day = date(2026, 3, 17) + timedelta(days=KEEP_CANCELLED_DAYS)
    data, state = run(ITEMS[:2], today=last_day, previous=state)
    assert int(events(data)[gone]["SEQUENCE"]) == 1
    # ... then forgotten.
    data, state = run(ITEMS[:2], today=last_day + timedelta(days=1), previous=state)
    assert gone not in events(data)
    assert gone not in state


def test_a_cancelled_item_that_comes_back_is_confirmed_again() -> None:
    _, state = run(ITEMS)
    _, state = run(ITEMS[:2], previous=state)
    event = events(run(ITEMS, previous=state)[0])["fb-A3-thank@sheetsync"]
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CONFIRMED", 2)


def test_duplicate_uids_do_not_swallow_an_item() -> None:
    twin = replace(ITEMS[0], due_on=date(2026, 3, 25))
    found = events(run([ITEMS[0], twin])[0])
    assert set(found) == {"A1:check_in:20260318@sheetsync", "A1:check_in:20260318-2@sheetsync"}


def test_unusable_previous_entries_are_ignored() -> None:
    previous: dict[str, Any] = {
        "fb-A3-thank@sheetsync": {"due_on": "not a date"},
        "junk@sheetsync": "nope",
    }
    data, state = run(ITEMS, previous=previous)
    assert set(events(data)) == {f"{i.uid}@sheetsync" for i in ITEMS}
    assert "junk@sheetsync" not in state


def test_empty_agenda_gives_a_valid_empty_calendar() -> None:
    data, state = run([])
    assert Calendar.from_ical(data).walk("VEVENT") == []
    assert state == {}
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_long_and_unicode_text_survives_folding() -> None:
    why = "Répondre à l'équipe; " * 12 + "fin, avec des virgules"
    item = replace(ITEMS[1], why=why, uid="long")
    data, _ = run([item])
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert str(events(data)["long@sheetsync"]["DESCRIPTION"]).startswith(why)

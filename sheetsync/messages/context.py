"""What a message template sees: the context built from an application row, and its filters.

Template context (every key is always present; text is ``""`` when unknown,
dates are ``datetime.date`` or ``None``):

``company``, ``role``
    From the application row.
``recipient_name``
    The recipient's full name as written, e.g. ``"Dr. Ana Ruiz"``.
``recipient_first_name``
    How to address them: ``"Ana"`` for "Ana Ruiz", "Dr. Ana Ruiz" or
    "Ruiz, Ana"; ``"Dr. Ruiz"`` when only a title and surname are known; a
    group name as is ("Hiring Team"); ``""`` when unknown (greet with "Hello,").
``recipient_email``
    The recipient's address, or ``""``.
``contact_name``
    The row's main contact.
``interview_on``, ``applied_on``, ``closing_date``, ``decision_expected_on``
    Dates or None; print them with the ``date_text`` filter ("March 4").
``interview_day``
    The interview's weekday ("Tuesday"), or ``""``.
``interview_type``
    As written in the row ("video", "onsite", ...).
``notes``
    The point to recall from the interview: the row's notes on one line,
    without points that mention pay or benefits or that are questions; when
    some points name the recipient, only those, spoken to them ("Tom asked
    about X" -> "you asked about X"); at most about 20 words; without a
    closing full stop (the template adds it).
``interviewed``
    True when the application got an interview.
``feedback_response``
    The feedback received (``thank_for_feedback``).
``me``
    The sender: ``me.name``, ``me.email``, ``me.phone``, ``me.linkedin``.
``variant``
    Which wording to use, ``0 .. N-1``; set by the renderer.
``sign_off``
    A closing such as ``"Kind regards,"``; set by the renderer.
``signature``
    ``_signature.txt.j2`` as rendered for this message; set by the renderer.

Filters: ``date_text`` (``March 4``, or ``4 March`` with ``date_order = "DMY"``;
"" for no date) and ``greet`` (``recipient_first_name|greet("Dear")`` ->
``Dear Ana,``, or ``Hello,`` without a name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from sheetsync.config import Me
from sheetsync.messages.names import address_name, clean_name, recall_point
from sheetsync.tracker.cells import cell_date, cell_text, is_missing
from sheetsync.vocabulary import MONTHS, NO_WORDS, WEEKDAYS, YES_WORDS

#: The application columns ``build_context`` reads (and drafting needs): nothing else
#: of a row reaches a template.
CONTEXT_COLUMNS: Final = (
    "id", "company", "role", "contact_name", "contact_email", "interviewers", "interview_on",
    "interview_type", "notes", "applied_on", "closing_date", "decision_expected_on",
    "interviewed", "response", "feedback_response",
)  # fmt: skip


def build_context(row: Mapping[str, Any], recipient: tuple[str, str], me: Me) -> dict[str, Any]:
    """The template context for one recipient of one application row.

    ``row`` maps canonical column names to typed values: dates as
    ``datetime.date`` or pandas ``Timestamp`` (``None``/``NaT`` when blank),
    text as ``str`` (``None``/``NaN`` when blank).  ``recipient`` is
    ``(name, email)``; either may be "".  Never raises for odd cell values.
    """
    name, email = clean_name(cell_text(recipient[0])), cell_text(recipient[1])
    contact_name = cell_text(row.get("contact_name"))
    contact_email = cell_text(row.get("contact_email"))
    if not name and email and contact_email and email.casefold() == contact_email.casefold():
        name = clean_name(contact_name)
    interview_on = cell_date(row.get("interview_on"))
    response = row.get("feedback_response")
    if is_missing(response):
        response = row.get("response")
    return {
        "company": cell_text(row.get("company")),
        "role": cell_text(row.get("role")),
        "recipient_name": name,
        "recipient_first_name": address_name(name),
        "recipient_email": email,
        "contact_name": contact_name,
        "interview_on": interview_on,
        "interview_day": WEEKDAYS[interview_on.weekday()] if interview_on else "",
        "interview_type": cell_text(row.get("interview_type")),
        "notes": recall_point(row.get("notes"), name),
        "applied_on": cell_date(row.get("applied_on")),
        "closing_date": cell_date(row.get("closing_date")),
        "decision_expected_on": cell_date(row.get("decision_expected_on")),
        "interviewed": _interviewed(row, interview_on),
        "feedback_response": cell_text(response),
        "me": me,
    }


def sample_context(me: Me | None = None) -> dict[str, Any]:
    """A realistic context, for checking templates and for previews."""
    row = {
        "company": "Northwind Analytics",
        "role": "Data Analyst",
        "contact_name": "Ana Ruiz",
        "contact_email": "ana.ruiz@northwind.example",
        "applied_on": date(2026, 2, 9),
        "closing_date": date(2026, 2, 20),
        "interview_on": date(2026, 3, 3),
        "interview_type": "video",
        "decision_expected_on": date(2026, 3, 13),
        "notes": "the plan to move weekly reporting from spreadsheets to dashboards",
        "response": "Strong SQL; give more concrete examples of stakeholder work.",
    }
    me = me or Me(
        "Sam Carter", "sam.carter@example.com", "+1 555 0100", "linkedin.com/in/samcarter"
    )
    return build_context(row, ("Dr. Ana Ruiz", "ana.ruiz@northwind.example"), me)


def _interviewed(row: Mapping[str, Any], interview_on: date | None) -> bool:
    flag = row.get("interviewed")
    if isinstance(flag, bool):
        return flag
    text = cell_text(flag).lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return interview_on is not None or bool(cell_text(row.get("interviewers")))


# -- filters ----------------------------------------------------------------------------


def date_text(value: Any, order: str = "MDY") -> str:
    """``date(2026, 3, 4)`` -> ``"March 4"`` (``"4 March"`` for DMY); "" for no date."""
    day = cell_date(value)
    if day is None:
        return "" if is_missing(value) else str(value)
    month = MONTHS[day.month - 1]
    return f"{day.day} {month}" if order == "DMY" else f"{month} {day.day}"


def greet(name: Any, word: str = "Dear") -> str:
    """The greeting line: ``"Ana"|greet("Dear")`` -> ``"Dear Ana,"``; no name -> ``"Hello,"``."""
    text = cell_text(name)
    return f"{word} {text}," if text else "Hello,"

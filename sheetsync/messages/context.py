"""What a message template sees: the context built from an application row, and its filters.

Template context (every key is always present; text is ``""`` when unknown,
dates are ``datetime.date`` or ``None``):

``company``, ``role``
    From the application row.
``the_role``
    ``"the Data Analyst role"``, or ``"the position"`` when the role is blank.
``recipient_name``
    The recipient's full name as written, e.g. ``"Dr. Ana Ruiz"``.
``recipient_first_name``
    How to address them in the ``first_name`` style: ``"Ana"`` for "Ana Ruiz",
    "Ruiz, Ana" or "Ana Ruiz, RN"; ``"Dr. Cole"`` for "Dr. Amanda Cole";
    a group name as is ("Hiring Team"); ``""`` when unknown.
``greeting_name``
    The name the greeting uses in the configured ``greeting_style``:
    ``"Angela"`` or ``"Principal Ruiz"`` (formal) for "Principal Angela
    Ruiz"; ``"Dr. Cole"`` in every style; ``""`` when unknown.
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
``point``
    The talking point this message recalls (from ``talking_points``; never
    from the private ``notes``), in the recipient's grammar, without a closing
    full stop; ``""`` when none.
``point_is_topic``
    True when ``point`` reads after "our conversation about" (a topic such as
    "the reporting backlog"); otherwise it is a statement, best after a colon.
``notes``
    The same as ``point`` (kept for templates written before ``point``).
``fit``
    The row's ``fit`` (skills or experience that fit the role), else
    ``[me] strengths``; ``""`` when neither is set.
``interviewed``
    True when the application got an interview.
``feedback_response``
    The feedback received (``thank_for_feedback``).
``feedback_themes``
    What the feedback was about, as words ("interview answers and
    examples"); ``""`` when no theme is recognised.
``ask_all``
    True with ``feedback_questions = "all"`` under ``[drafts]``: a feedback
    request asks the full list of questions instead of one.
``me``
    The sender: ``me.name``, ``me.email``, ``me.phone``, ``me.linkedin``.
``variant``
    Which wording to use, ``0 .. N-1``; set by the renderer.
``sign_off``
    A closing such as ``"Kind regards,"``; set by the renderer.
``signature``
    ``_signature.txt.j2`` as rendered for this message; set by the renderer.

Filters: ``date_text`` (``March 4``, or ``4 March`` with ``date_order = "DMY"``;
"" for no date) and ``greet`` (``greeting_name|greet("Hello")`` -> ``Hello Ana,``;
``Dear Dr. Cole,`` for a title or full name; ``Hello,`` without a name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sheetsync.config import Me
from sheetsync.messages.names import Person, clean_name
from sheetsync.messages.points import Recalled  # noqa: TC001 - a parameter's type
from sheetsync.tracker.cells import cell_date, cell_text, is_missing
from sheetsync.vocabulary import MONTHS, NO_WORDS, WEEKDAYS, YES_WORDS


def build_context(
    row: Mapping[str, Any],
    recipient: tuple[str, str],
    me: Me,
    point: Recalled | None = None,
    style: str = "first_name",
) -> dict[str, Any]:
    """The template context for one recipient of one application row.

    ``row`` maps canonical column names to typed values: dates as
    ``datetime.date`` or pandas ``Timestamp`` (``None``/``NaT`` when blank),
    text as ``str`` (``None``/``NaN`` when blank).  ``recipient`` is
    ``(name, email)``; either may be "".  ``point`` is the talking point this
    recipient gets (:func:`sheetsync.messages.points.assign_points`) and
    ``style`` the ``greeting_style``.  Never raises for odd cell values.
    """
    name, email = clean_name(cell_text(recipient[0])), cell_text(recipient[1])
    contact_name = cell_text(row.get("contact_name"))
    contact_email = cell_text(row.get("contact_email"))
    if not name and email and contact_email and email.casefold() == contact_email.casefold():
        name = clean_name(contact_name)
    person = Person.parse(name)
    if point is None:  # this recipient alone: their own point, else the first shared one
        from sheetsync.messages.points import assign_points

        (point,) = assign_points(row.get("talking_points"), [name])
    role = cell_text(row.get("role"))
    interview_on = cell_date(row.get("interview_on"))
    response = row.get("feedback_response")
    if is_missing(response):
        response = row.get("response")
    return {
        "company": cell_text(row.get("company")),
        "role": role,
        "the_role": the_role(role),
        "recipient_name": name,
        "recipient_first_name": person.greeting(),
        "greeting_name": person.greeting(style),
        "recipient_email": email,
        "contact_name": contact_name,
        "interview_on": interview_on,
        "interview_day": WEEKDAYS[interview_on.weekday()] if interview_on else "",
        "interview_type": cell_text(row.get("interview_type")),
        "point": point.text,
        "point_is_topic": point.topic,
        "notes": point.text,
        "fit": cell_text(row.get("fit")) or me.strengths.strip(),
        "applied_on": cell_date(row.get("applied_on")),
        "closing_date": cell_date(row.get("closing_date")),
        "decision_expected_on": cell_date(row.get("decision_expected_on")),
        "interviewed": _interviewed(row, interview_on),
        "feedback_response": cell_text(response),
        "feedback_themes": "",
        "ask_all": False,
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
        "talking_points": "the plan to move weekly reporting from spreadsheets to dashboards",
        "fit": "five years of SQL and dashboard work",
        "response": "Strong SQL; give more concrete examples of stakeholder work.",
    }
    me = me or Me(
        "Sam Carter", "sam.carter@example.com", "+1 555 0100", "linkedin.com/in/samcarter"
    )
    from sheetsync.messages.points import assign_points

    name = "Dr. Ana Ruiz"
    (point,) = assign_points(row["talking_points"], [name])
    return build_context(row, (name, "ana.ruiz@northwind.example"), me, point)


def themes_phrase(themes: list[str]) -> str:
    """``["resume", "interview answers"]`` -> ``"my resume and my interview answers"``."""
    words = [f"my {t}" for t in themes if t != "other"]
    return " and ".join(words[:2])


def the_role(role: str) -> str:
    """``"Data Analyst"`` -> ``"the Data Analyst role"``; blank -> ``"the position"``."""
    if not role:
        return "the position"
    last = role.split()[-1].lower()
    return f"the {role}" if last in ("role", "position", "job", "opening", "post") else (
        f"the {role} role")  # fmt: skip


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
    """The greeting line: ``"Ana"|greet("Hello")`` -> ``"Hello Ana,"``; a full name or a
    title is always "Dear" (``"Dear Dr. Cole,"``, never "Hello Dr. Cole,"); no name ->
    ``"Hello,"``."""
    text = cell_text(name)
    if not text:
        return "Hello,"
    return f"{'Dear' if ' ' in text else word} {text},"

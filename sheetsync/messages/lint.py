"""Lint for drafted messages: problems a reader should fix before sending.

Every check returns short, actionable text for the Drafts tab's ``lint``
column, e.g. ``"over 150 words (163): trim it"``.  The rules follow the
career advice the templates are built on: short, professional, no emoji or
exclamation marks, nothing about pay, no questions in a thank-you, no
leftover placeholders, a subject (e-mail) and a signature.

Decisions where the rules leave room:

* One ``!`` is tolerated; two or more are flagged.
* Pay words are matched as whole words: ``pay``, ``salary``, ``benefits``,
  ``compensation``, ``wage``, ``bonus``, ``remuneration``, ``PTO``,
  ``paid time off``, ``401(k)``, ``pension``, ``stock options``.  "repay",
  "paying" and "paid" are not flagged, nor are "pay attention" and "pay off".
* The signature check looks for the sender's name (``[me] name``) in the last
  few lines of the body.  When the name is unset or still the default "Your
  Name", that is reported instead, because the message would go out unsigned.
  For e-mail, when ``[me]`` has an e-mail address or phone number, at least
  one of them must appear too.
* "No talking points" applies to the messages that recall the interview:
  both thank-yous, ``follow_up`` and ``check_in``.
* A question in a thank-you is a ``?`` or a veiled one ("I was wondering
  whether", "could you let me know").  Offers ("let me know if I can send
  anything") are not questions.
* Annoyed tone: "frustrating", "still haven't heard", "per my last e-mail",
  "unacceptable", "ignored"...  "I look forward to hearing from you" is fine.
* Another application's company: a company name from another row, as a whole
  word with its capitals, that is not part of this draft's own company or role.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from sheetsync.config import Me
from sheetsync.vocabulary import THANK_YOU_ACTIONS

# Messages whose wording recalls a point from the interview (the row's notes).
POINTS_ACTIONS: Final = frozenset({"thank_you_email", "thank_you_note", "follow_up", "check_in"})
DEFAULT_NAME: Final = "Your Name"
FIT_ACTIONS: Final = frozenset({"thank_you_email", "follow_up", "check_in",
                                "application_follow_up"})  # fmt: skip
NO_FIT: Final = ("no fit to restate: add the skills or experience that fit this role to the "
                 "row's fit (or strengths under [me])")  # fmt: skip
NO_POINTS: Final = ("no talking points to personalise from: add what you discussed to the "
                    "row's talking_points")  # fmt: skip
VEILED_QUESTION: Final = re.compile(
    r"\b(?:I (?:was|am)|I'm) wondering\b|\bI wondered\b|\bI(?: would|'d) (?:like|love) to know\b"
    r"|\b(?:could|can|would) you (?:please )?(?:tell me|let me know|share|confirm|clarify)\b"
    r"|\bplease (?:let me know|tell me|confirm) (?:whether|when|how|what|why|who)\b",
    re.IGNORECASE,
)
ANNOYED: Final = re.compile(
    r"\bfrustrat\w*|\bannoy\w*|\bunacceptable\b|\bignor(?:ed|ing) (?:me|my)\b"
    r"|\bstill (?:have ?n[o']t|haven't|not|had no) (?:heard|had|received)\b"
    r"|\b(?:haven't|have not|never) heard back\b|\bper my (?:last|previous|earlier) \w+"
    r"|\bas I (?:already )?(?:said|mentioned|wrote) (?:before|previously|earlier)\b"
    r"|\bno one (?:has )?(?:got|gotten|replied|responded|answered)\b"
    r"|\b(?:it has|it's) been (?:weeks|months|ages)\b",
    re.IGNORECASE,
)
GREETING_LINE: Final = re.compile(r"^\s*(?:Dear|Hello|Hi|Hey|Good (?:morning|afternoon|evening))\b",
                                  re.IGNORECASE)  # fmt: skip

PAY_WORDS: Final = re.compile(
    r"\b(?:salary|salaries|compensation|remuneration|wages?|bonus(?:es)?|benefits"
    r"|pension|stock options|paid time off|PTO|401\(?k\)?|overtime|stipends?"
    r"|hourly (?:rate|wage|pay)|health (?:insurance|cover(?:age)?|plan)"
    r"|dental (?:plan|insurance|cover(?:age)?)|vacation (?:days|time|policy|allowance)"
    r"|(?:holiday|annual) (?:leave|allowance)|equity (?:stake|grant|package)|RSUs?"
    r"|relocation (?:package|assistance|allowance|support|bonus|costs|expenses)"
    r"|sign-?on bonus|a raise|per (?:hour|annum)|base (?:rate|pay)"
    r"|pay(?!\s+(?:\w+\s+)?attention\b)(?!\s+off\b)(?:\s?(?:rate|range|band|scale|check))?)"
    r"(?![\w(])",
    re.IGNORECASE,
)
# An amount of money: $85k, £40,000, 38/hr, 90k a year.
PAY_AMOUNT: Final = re.compile(
    r"[$\u00a3\u20ac\u00a5]\s?\d[\d,.]*\s?[kKmM]?\b"
    r"|\b\d[\d,.]*\s?[kK]\s?(?:-\s?\d[\d,.]*\s?[kK]\b|(?:a|per) year\b|/\s?yr\b|annually\b)"
    r"|\b\d[\d,.]*\s?(?:/|an? |per )\s?(?:hr|hour|yr|year|annum)\b|/\s?hr\b",
    re.IGNORECASE,
)

# Pictographs, dingbats, symbol blocks, flags, and the emoji variation selector.
EMOJI: Final = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55"
    "\u231a\u231b\u23e9-\u23fa\u3030\u303d\u3297\u3299\ufe0f]"
)
EMOTICON: Final = re.compile(r"(?<![\w:;])[:;]-?[()DPp](?![\w)(])")

PLACEHOLDERS: Final = (
    re.compile(r"\[[^\[\]\n]{1,60}\]"),  # [Job Title]
    re.compile(r"<[A-Z][A-Za-z .'-]{0,40}>"),  # <Name>
    re.compile(r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)|\{#|\}\}|%\}", re.MULTILINE),  # template syntax
    re.compile(r"\bNone\b(?!\s+of\b)"),  # a missing value printed by Python
    re.compile(r"\b(?:nan|NaN|NaT)\b"),  # a missing value printed by pandas
    re.compile(r"\b(?:TODO|FIXME|TBD|XXX)\b|lorem ipsum", re.IGNORECASE),
    re.compile(r"\b(?:Your Name|Company Name|Job Title|Hiring Manager Name)\b"),
    re.compile(r"_{3,}"),  # a fill-in blank
)
EMPTY_GREETING: Final = re.compile(
    r"^[ \t]*(?:(?:Dear|Hi|Hello|Hey|Good (?:morning|afternoon|evening))[ \t]+,"
    r"|Dear[ \t]*,"
    r"|(?:Dear|Hi|Hello)[ \t]+(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?[ \t]*,)",
    re.MULTILINE | re.IGNORECASE,
)
URL: Final = re.compile(r"\S*(?:https?://|www\.|linkedin\.com)\S*", re.IGNORECASE)
SIGNATURE_LINES: Final = 6  # the sender's name must be in the body's last lines


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(text.split())


# A cheap first test (substring tests beat a regex of alternatives): every pay
# word contains one of these.
_PAY_HINTS: Final = ("salar", "compens", "remuner", "wage", "bonus", "benefit", "pension",
                     "stock option", "paid time", "pto", "401", "pay", "hourly", "overtime",
                     "stipend", "health", "dental", "vacation", "leave", "allowance", "equity",
                     "rsu", "relocation", "raise", "per hour", "annum", "base")  # fmt: skip
# ... and every amount one of these, and a digit.
_AMOUNT_HINTS: Final = ("$", "\u00a3", "\u20ac", "\u00a5", "hr", "hour", "yr", "year", "annum",
                        "annually", "k-")  # fmt: skip
_DIGITS: Final = frozenset("0123456789")
# Annoyed wording and veiled questions: each match holds one of these (lower case).
_ANNOYED_HINTS: Final = ("frustrat", "annoy", "unacceptable", "ignor", "still have",
                         "still haven", "still not", "still had", "heard back", "per my",
                         "as i said", "as i mentioned", "as i wrote", "as i already", "no one",
                         "been weeks", "been months", "been ages")  # fmt: skip
_VEILED_HINTS: Final = ("wonder", "to know", "tell me", "let me know", "share", "confirm",
                        "clarify")  # fmt: skip


def _contains_any(text: str, pieces: tuple[str, ...]) -> bool:
    for piece in pieces:  # noqa: SIM110 - a plain loop is faster than any() with a generator
        if piece in text:
            return True
    return False


def mentions_pay(text: str, lowered: str | None = None) -> str | None:
    """The first pay or benefits word in ``text``, or None (``lowered``: ``text.lower()``)."""
    low = text.lower() if lowered is None else lowered
    found = [m for m in (
        PAY_WORDS.search(text) if _contains_any(low, _PAY_HINTS) else None,
        PAY_AMOUNT.search(text) if _contains_any(low, _AMOUNT_HINTS)
        and (not _DIGITS.isdisjoint(low) or "/" in low) else None,  # "/hr" needs no digit
    ) if m is not None]  # fmt: skip
    return min(found, key=lambda m: m.start()).group(0) if found else None


def lint_message(
    action: str,
    channel: str,
    subject: str,
    body: str,
    me: Me,
    *,
    email_word_limit: int = 150,
    note_word_limit: int = 80,
    has_points: bool = True,
    has_fit: bool = True,
    to_name: str | None = None,
    to_email: str | None = None,
    point_notes: Sequence[str] = (),
    others: Callable[[str], str | None] | None = None,
) -> list[str]:
    """Problems with one drafted message, each a short instruction; [] when fine.

    ``action`` is the template or policy action (``thank_you_email``,
    ``follow_up``, ``request_feedback``, ...); ``channel`` is ``email`` or
    ``note`` (a handwritten note: no subject, no word of contact details).
    ``to_name``/``to_email`` are the recipient's (None: not checked);
    ``point_notes`` are lint lines about the row's talking points (names that
    matched no interviewer, points left out and why);
    ``others`` finds another application's company name in a text.
    """
    problems: list[str] = []
    if not body.strip():
        problems.append("empty body: write the message or skip the draft")
    text = f"{subject}\n{body}"

    bangs = text.count("!")
    if bangs > 1:
        problems.append(f"{bangs} exclamation marks: keep at most one")
    # every EMOJI character is outside ASCII, and isascii() costs nothing
    emoji = (None if text.isascii() else EMOJI.search(text)) or _emoticon(text)
    if emoji:
        problems.append(f"emoji ({emoji.group(0)}): remove it")

    limit = note_word_limit if channel == "note" else email_word_limit
    words = word_count(body)
    if words > limit:
        problems.append(f"over {limit} words ({words}): trim it")

    lowered = text.lower()
    pay = mentions_pay(text, lowered)
    if pay:
        problems.append(f'mentions pay or benefits ("{pay}"): leave that for the offer')

    if action in THANK_YOU_ACTIONS and (
        ("?" in body and "?" in URL.sub("", body))
        or (_contains_any(lowered, _VEILED_HINTS) and VEILED_QUESTION.search(body))
    ):
        problems.append("question in a thank-you: save it for a later follow-up")
    annoyed = ANNOYED.search(body) if _contains_any(lowered, _ANNOYED_HINTS) else None
    if annoyed:
        problems.append(f'sounds annoyed ("{annoyed.group(0)}"): keep it friendly and brief')
    other = others(text) if others else None
    if other:
        problems.append(f'names another application\'s company ("{other}"): check the copy')

    found = _placeholders(text, lowered=lowered)
    if found:
        problems.append(f"placeholder left over ({', '.join(found)}): fill it in")
    greeting = EMPTY_GREETING.search(body)
    if greeting:
        problems.append(
            f'empty greeting ("{greeting.group(0).strip()}"): add the name or use "Hello,"'
        )

    if channel != "note" and not subject.strip():
        problems.append("no subject: add one")
    if body.strip():
        problems.extend(_signature_problems(channel, body, me))

    problems += _recipient_problems(channel, body, to_name, to_email)
    if not has_points and action in POINTS_ACTIONS:
        problems.append(NO_POINTS)
    if not has_fit and action in FIT_ACTIONS:
        problems.append(NO_FIT)
    problems.extend(point_notes)  # what points.point_problems found
    return problems


def _recipient_problems(
    channel: str, body: str, to_name: str | None, to_email: str | None
) -> list[str]:
    """The greeting names the recipient, and an e-mail has somewhere to go."""
    from sheetsync.messages.names import Person

    problems = []
    first = next((line for line in body.splitlines() if line.strip()), "")
    if to_name and GREETING_LINE.match(first) and not EMPTY_GREETING.match(first):
        forms = Person.parse(to_name).forms()
        low = first.casefold()
        if forms and not any(f.casefold() in low for f in forms):
            problems.append(f"the greeting does not name {to_name}: check who it is for")
    if channel == "email" and to_email is not None and not to_email.strip():
        who = to_name or "the recipient"
        problems.append(f"no e-mail address for {who}: find it (or call) before sending")
    return problems


# Every match of a PLACEHOLDERS pattern contains one of these ("%}" holds "}";
# "Your Name", "Company Name" and "Hiring Manager Name" hold "Name"), or, in lower
# case, one of the second set ("NaN" holds "nan").
_HINTS: Final = ("[", "<", "{", "}", "___", "Name", "Job Title", "NaT")
_HINTS_ANY_CASE: Final = ("nan", "none", "todo", "fixme", "tbd", "xxx", "lorem ipsum")


def _emoticon(text: str) -> re.Match[str] | None:
    """The first EMOTICON in ``text``: tried only where a ``:`` or ``;`` is.

    A pattern that opens with a lookbehind is tried at every position, which is
    slow on a whole message; every emoticon starts with one of these two marks.
    """
    found: re.Match[str] | None = None
    for mark in ":;":
        at = text.find(mark)
        while at != -1 and (found is None or at < found.start()):
            match = EMOTICON.match(text, at)
            if match:
                found = match
                break
            at = text.find(mark, at + 1)
    return found


def _placeholders(text: str, limit: int = 3, lowered: str | None = None) -> list[str]:
    if not _contains_any(text, _HINTS) and not _contains_any(
        text.lower() if lowered is None else lowered, _HINTS_ANY_CASE
    ):
        return []
    found: list[str] = []
    for pattern in PLACEHOLDERS:
        for match in pattern.finditer(text):
            snippet = match.group(0).strip()[:30]
            if snippet and snippet not in found:
                found.append(snippet)
    return found[:limit]


def _signature_problems(channel: str, body: str, me: Me) -> list[str]:
    name = me.name.strip()
    if not name or name == DEFAULT_NAME:
        return ["no sender name: set name under [me] in the config"]
    tail = [line for line in map(str.strip, body.splitlines()) if line]
    tail_text = "\n".join(tail[-SIGNATURE_LINES:]).casefold()
    if name.casefold() not in tail_text:
        return [f"no signature: end with your name ({name})"]
    if channel == "note":
        return []
    contacts = [c.strip() for c in (me.email, me.phone) if c.strip()]
    if contacts and not any(c.casefold() in tail_text for c in contacts):
        return ["no contact details in the signature: add your e-mail or phone"]
    return []


def duplicate_bodies(drafts: Iterable[Sequence[str]]) -> dict[str, str]:
    """Drafts whose body repeats another draft's body in the same application.

    Each item is ``(app_id, draft_id, body)`` or ``(app_id, draft_id, body,
    to_name)``.  Bodies are compared without their greeting, sign-off and
    signature and without the recipient's name, ignoring case and spacing:
    "Dear Ann, <text>" and "Dear Bo, <text>" are the same note.  Empty bodies
    are skipped.  Returns ``{draft_id: problem}`` for every draft involved,
    each pointing at another draft of the group.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for item in drafts:
        app_id, draft_id, body = item[0], item[1], item[2]
        to_name = item[3] if len(item) > 3 else ""
        key = _comparable(body, to_name)
        if key:
            groups[(app_id, key)].append((draft_id, to_name))
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for index, (draft_id, _) in enumerate(members):
            other_id, other_name = members[1] if index == 0 else members[0]
            target = f"the draft to {other_name}" if other_name else f"draft {other_id}"
            out[draft_id] = f"same body as {target}: reword one"
    return out


_SIGN_OFF_LINE: Final = re.compile(r"^[A-Z][\w ,.'-]{0,30},$")


def _comparable(body: str, to_name: str) -> str:
    """The body as two notes are compared: greeting, sign-off onwards and names left out."""
    from sheetsync.messages.names import Person

    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if lines and GREETING_LINE.match(lines[0]):
        lines = lines[1:]
    ends = [i for i, line in enumerate(lines) if i and _SIGN_OFF_LINE.match(line)]
    if ends:
        lines = lines[: ends[-1]]
    text = " ".join(" ".join(lines).split())
    for form in Person.parse(to_name).forms() if to_name else ():
        text = text.replace(form, "")
    return " ".join(text.split()).casefold()

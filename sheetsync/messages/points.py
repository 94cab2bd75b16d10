"""Talking points: what was discussed, to recall in messages, one per recipient.

The ``talking_points`` cell holds one point per line (or per ``;``).  A line
that starts with an interviewer's name and a colon (``Dana: the reporting
pipeline``) is only for that person; the other lines are shared, and handed
round so that no two recipients get the same one while there are enough.
Each point is spoken to its recipient ("Tom asked about X" becomes "you asked
about X" in Tom's message), and a point that would still name its own
recipient in the third person is not used for them.  The private ``notes``
column is never read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from sheetsync.messages.lint import mentions_pay
from sheetsync.messages.names import Person
from sheetsync.tracker.cells import is_missing

POINT_MAX_WORDS: Final = 20

_POINT_BREAKS = re.compile(r"[\n;]+")
_NAME_WORD = r"[A-Z][\w.'\u2019-]*"
_OWNER = re.compile(rf"^(?P<who>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})\s*:\s*(?P<what>\S.*)$")
# Notes often start with what happened rather than what it was about.
_LEAD_IN = re.compile(r"^(?:(?:I|we)\s+)?(?:discussed|talked about|spoke about|asked about"
                      r"|mentioned|covered|went over|re:|about|topic:)\s+",
                      re.IGNORECASE)  # fmt: skip
_WH = frozenset({"how", "what", "why", "whether", "when", "where", "which", "who"})
# A point starting with one of these, or holding one of _VERBS, is a statement (read after a
# colon); anything else is a topic (read after "our conversation about").
_SUBJECTS = frozenset({"i", "you", "we", "they", "it", "there", "this", "that"})
# Lower-cased at the start of a point woven into a sentence.
_FUNCTION_WORDS = frozenset({"the", "a", "an", "your", "our", "their", "its", "you", "we",
                             "they", "it", "this", "that", "there", "my", "these", "those"}) | _WH
_VERBS = frozenset({
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can",
    "could", "should", "may", "might", "must", "do", "does", "did", "takes", "took", "uses",
    "used", "runs", "ran", "needs", "wants", "plans", "leads", "manages", "expects", "hopes",
    "asked", "explained", "said", "mentioned", "described", "shared", "told", "showed",
    "walked", "talked", "discussed", "gave", "spoke", "works", "handles", "owns",
})  # fmt: skip
# Base forms such as "plan", "use" or "need" are left out: they are nouns as often
# ("the staffing plan"), and a point spoken to "you" starts with a subject anyway.
# Points a message must not repeat back: praise of the candidate, and what the interviewer
# told in confidence about people and money troubles.
_PRAISE = re.compile(r"\b(?:liked|loved|praised|complimented|impressed|enjoyed my|"
                     r"(?:great|good|excellent|nice) (?:question|answer|point)s?)\b",
                     re.IGNORECASE)  # fmt: skip
_SENSITIVE = re.compile(
    r"\b(?:leaving|stepping down|laid off|lay-?offs?|budget cuts?|cuts? to the budget"
    r"|short[- ]staffed|understaffed|resign\w*|fired|quitting|turnover|burn-?out"
    r"|lost (?:\w+ )?(?:nurses|staff|people|employees|members)"
    r"|short (?:\w+ )?(?:nurses|aides|staff|people|hands))\b", re.IGNORECASE)
# "she"/"he" in a point of the recipient's own is them; in a shared point, nobody knows who.
_THIRD_PERSON = re.compile(r"\b(?:she|he|him|his|her|hers)\b", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"\b(?:she|he)\b(?P<rest>\s+(?P<verb>[A-Za-z]+))?", re.IGNORECASE)
_OTHER_PRONOUN = re.compile(r"\b(?:his|her)\b(?=\s+[a-z])|\b(?P<obj>him|her)\b", re.IGNORECASE)

# Verbs after the recipient's name that can safely be spoken to them ("Tom asked",
# "Ella wants" -> "you asked", "you want"); any other word leaves the point as written.
_SAME_FOR_YOU = frozenset({
    "said", "told", "wrote", "gave", "showed", "spoke", "took", "made", "felt", "thought",
    "saw", "met", "led", "knew", "brought", "had", "sent", "began", "drew", "ran", "will",
    "would", "can", "could", "should", "might", "may", "must",
})  # fmt: skip
_PRESENT_FOR_YOU = {
    "is": "are", "was": "were", "has": "have", "does": "do", "wants": "want", "needs": "need",
    "likes": "like", "thinks": "think", "says": "say", "mentions": "mention",
    "expects": "expect", "plans": "plan", "hopes": "hope", "leads": "lead",
    "manages": "manage", "runs": "run", "owns": "own", "prefers": "prefer", "feels": "feel",
    "sees": "see", "knows": "know", "works": "work", "uses": "use", "cares": "care",
    "values": "value", "loves": "love", "oversees": "oversee", "handles": "handle",
    "heads": "head", "believes": "believe", "hires": "hire", "builds": "build",
}  # fmt: skip


@dataclass(frozen=True)
class Point:
    """One point, whose it is ("" = shared), and why it is left out ("" = usable)."""

    text: str
    owner: str = ""
    left_out: str = ""


@dataclass(frozen=True)
class Recalled:
    """The point a message recalls, ready for a template ("" when none)."""

    text: str = ""
    topic: bool = False  # reads after "our conversation about"; else after a colon


def split_points(cell: Any) -> list[Point]:
    """The cell's points (questions, notes to yourself, are dropped), with the reason a
    point must not go into a message (pay, praise of you, things told in confidence)."""
    text = "" if is_missing(cell) else str(cell)
    out = []
    for raw in _POINT_BREAKS.split(text):
        line = " ".join(raw.strip(" \t-*\u2022").split())
        owner = ""
        if match := _OWNER.match(line):
            owner, line = match["who"], match["what"]
        line = _LEAD_IN.sub("", line).rstrip(" .,:!")
        if not line or line.endswith("?"):
            continue
        why = ""
        if pay := mentions_pay(line):
            why = f'mentions pay ("{pay}")'
        elif found := _PRAISE.search(line):
            why = f'repeats praise ("{found.group(0)}")'
        elif found := _SENSITIVE.search(line):
            why = f'repeats something said in confidence ("{found.group(0)}")'
        out.append(Point(line, owner, why))
    return out


def _owns(person: Person, owner: str) -> bool:
    key = owner.casefold()
    return any(form.casefold() == key for form in person.forms())


def point_problems(cell: Any, names: Sequence[str]) -> list[str]:
    """What lint says about the talking points of a message to ``names``."""
    people = [Person.parse(n) for n in names]
    out = []
    for point in split_points(cell):
        short = point.text if len(point.text) <= 40 else point.text[:37] + "..."
        if point.left_out:
            out.append(f'talking point "{short}" {point.left_out}: left out of messages')
            continue
        if point.owner:
            matched = sum(_owns(person, point.owner) for person in people)
            if matched == 0:
                out.append(f'talking point for "{point.owner}" matched no interviewer: '
                           "it goes to everyone")  # fmt: skip
            elif matched > 1:
                out.append(f'talking point for "{point.owner}" matches {matched} interviewers: '
                           "write the surname too; left out until then")  # fmt: skip
        elif _THIRD_PERSON.search(point.text) and not any(_about(point, p) for p in people):
            out.append(f'talking point "{short}" says he or she: start it with the person\'s '
                       "name and a colon (Dana: ...); left out until then")  # fmt: skip
    return out


def assign_points(cell: Any, names: Sequence[str], max_words: int = POINT_MAX_WORDS
                  ) -> list[Recalled]:  # fmt: skip
    """The point each of ``names`` (the recipients, in order) gets to recall.

    A person's own points come first (their name before its colon, or in it); the
    shared ones are handed round the others in turn.  A point named for two of them,
    or a shared one that says "he" or "she", goes to nobody.
    """
    points = [p for p in split_points(cell) if not p.left_out]
    people = [Person.parse(n) for n in names]
    owners = [[person for person in people if _about(p, person)] for p in points]
    owned = [[p for p, who in zip(points, owners, strict=True) if who == [person]]
             for person in people]  # fmt: skip
    shared = [p for p, who in zip(points, owners, strict=True) if not who
              and not (p.owner and any(_owns(x, p.owner) for x in people))
              and not _THIRD_PERSON.search(p.text)]  # fmt: skip
    out: list[Recalled] = []
    turn = 0
    for person, own in zip(people, owned, strict=True):
        order = own
        if not own and shared:  # hand the shared points round, one each in turn
            start = turn % len(shared)
            order, turn = shared[start:] + shared[:start], turn + 1
        spoken = (_spoken(p.text, person, max_words, p in own) for p in order)
        out.append(next(filter(None, spoken), Recalled()))
    return out


def _about(point: Point, person: Person) -> bool:
    """Whether ``point`` is for ``person``: their name before its colon, or in it."""
    if point.owner:
        return _owns(person, point.owner)
    forms = person.forms()
    return bool(forms) and any(f in point.text for f in forms) and bool(
        _mention_regex(forms).search(point.text))  # fmt: skip


def _spoken(point: str, person: Person, max_words: int, theirs: bool = False
            ) -> Recalled | None:  # fmt: skip
    """``point`` in ``person``'s grammar (``theirs``: "she"/"he" is them), or None when it
    would still speak of them in the third person."""
    forms = person.forms()
    if forms and any(f in point for f in forms):  # a cheap test before the pattern
        point = _mention_regex(forms).sub(_to_second_person, point)
        if any(re.search(rf"\b{re.escape(f)}\b", point) for f in forms):
            return None
    if _THIRD_PERSON.search(point):
        if not theirs:
            return None
        point = _SUBJECT_PRONOUN.sub(_to_second_person, point)
        point = _OTHER_PRONOUN.sub(lambda m: "you" if m.group("obj") else "your", point)
    point = _shorten(point, max_words)
    words = point.split()
    if not words:
        return None
    first = words[0].lower()
    lower_next = len(words) > 1 and words[1].islower()
    if first in _FUNCTION_WORDS or (words[0].istitle() and lower_next and words[0] != "I"):
        point = first + point[len(words[0]):]
    lowered = {w.lower().strip(",.") for w in words}
    statement = first not in _WH and (first in _SUBJECTS or bool(_VERBS & lowered))
    return Recalled(point, not statement)


def _shorten(point: str, max_words: int) -> str:
    """Cut a long point at a sentence end, else a clause end, else at ``max_words``."""
    words = point.split()
    if len(words) <= max_words:
        return point.rstrip(" .,:;!")
    fitted = ""
    for sentence in re.split(r"(?<=[.!])\s+", point):
        candidate = f"{fitted} {sentence}".strip()
        if len(candidate.split()) > max_words:
            break
        fitted = candidate
    if fitted:
        return fitted.rstrip(" .,:;!")
    head = words[:max_words]
    ends = [i for i, w in enumerate(head) if i >= 3 and (w[-1] in ",;:" or w in ("-", "\u2013"))]
    return " ".join(head[: ends[-1] + 1] if ends else head).rstrip(" .,:;!-\u2013")


@lru_cache(maxsize=1024)
def _mention_regex(forms: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern for any of ``forms`` naming the recipient in a point."""
    names = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"\b(?:{names})\b(?P<poss>['\u2019]s\b)?(?P<rest>\s+(?P<verb>[A-Za-z]+))?")


def _to_second_person(match: re.Match[str]) -> str:
    """ "Tom asked" -> "you asked", "Ella wants" -> "you want", "Dana's" -> "your"."""
    rest = match.group("rest") or ""
    verb = (match.group("verb") or "").lower()
    if match.groupdict().get("poss"):
        return "your" + rest
    if verb in _PRESENT_FOR_YOU:
        return "you " + _PRESENT_FOR_YOU[verb]
    if verb in _SAME_FOR_YOU or (verb.endswith("ed") and len(verb) > 3):
        return "you" + rest
    return match.group(0)

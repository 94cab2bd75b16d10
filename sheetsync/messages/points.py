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
_LEAD_IN = re.compile(r"^(?:we\s+)?(?:discussed|talked about|spoke about|covered|went over|"
                      r"re:|about|topic:)\s+", re.IGNORECASE)  # fmt: skip
# A point that starts like this reads as a topic: "our conversation about <point>".
_TOPIC_START = frozenset({"the", "a", "an", "your", "our", "their", "its", "how", "what",
                          "why", "whether", "when", "where", "which", "who"})  # fmt: skip
_WH = frozenset({"how", "what", "why", "whether", "when", "where", "which", "who"})
# Lower-cased at the start of a point woven into a sentence; anything else keeps its case.
_FUNCTION_WORDS = _TOPIC_START | frozenset({"you", "we", "they", "it", "this", "that", "there",
                                            "he", "she", "his", "her", "my", "these", "those"})
_VERBS = frozenset({
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can",
    "could", "should", "may", "might", "must", "do", "does", "did", "takes", "took", "uses",
    "used", "runs", "ran", "needs", "wants", "plans", "leads", "manages", "expects", "hopes",
    "asked", "explained", "said", "mentioned", "described", "shared", "told", "showed",
    "walked", "talked", "discussed", "gave", "spoke", "works", "handles", "owns",
})  # fmt: skip

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
    """One point, and whose it is ("" = shared)."""

    text: str
    owner: str = ""


@dataclass(frozen=True)
class Recalled:
    """The point a message recalls, ready for a template ("" when none)."""

    text: str = ""
    topic: bool = False  # reads after "our conversation about"; else after a colon


def split_points(cell: Any) -> list[Point]:
    """The cell's usable points: questions and anything about pay left out."""
    text = "" if is_missing(cell) else str(cell)
    out = []
    for raw in _POINT_BREAKS.split(text):
        line = " ".join(raw.strip(" \t-*\u2022").split())
        owner = ""
        if match := _OWNER.match(line):
            owner, line = match["who"], match["what"]
        line = _LEAD_IN.sub("", line).rstrip(" .,:!")
        if line and not line.endswith("?") and not mentions_pay(line):
            out.append(Point(line, owner))
    return out


def _owns(person: Person, owner: str) -> bool:
    key = owner.casefold()
    return any(form.casefold() == key for form in person.forms())


def unmatched_owners(cell: Any, names: Sequence[str]) -> list[str]:
    """Names written before a point's colon that match none of ``names``."""
    people = [Person.parse(n) for n in names]
    owners = {p.owner for p in split_points(cell) if p.owner}
    return sorted(o for o in owners if not any(_owns(person, o) for person in people))


def assign_points(cell: Any, names: Sequence[str], max_words: int = POINT_MAX_WORDS
                  ) -> list[Recalled]:  # fmt: skip
    """The point each of ``names`` (the recipients, in order) gets to recall.

    A person's own points come first; the shared ones are handed round the
    others in turn.  A point that names someone else's colon is shared.
    """
    points = split_points(cell)
    people = [Person.parse(n) for n in names]
    owned = [[p for p in points if _about(p, person)] for person in people]
    claimed = {id(p) for own in owned for p in own}
    shared = [p for p in points if id(p) not in claimed]
    out: list[Recalled] = []
    turn = 0
    for person, own in zip(people, owned, strict=True):
        order = own
        if not own and shared:  # hand the shared points round, one each in turn
            start = turn % len(shared)
            order, turn = shared[start:] + shared[:start], turn + 1
        spoken = (_spoken(p.text, person, max_words) for p in order)
        out.append(next(filter(None, spoken), Recalled()))
    return out


def _about(point: Point, person: Person) -> bool:
    """Whether ``point`` is for ``person``: their name before its colon, or in it."""
    if point.owner:
        return _owns(person, point.owner)
    forms = person.forms()
    return bool(forms) and any(f in point.text for f in forms) and bool(
        _mention_regex(forms).search(point.text))  # fmt: skip


def _spoken(point: str, person: Person, max_words: int) -> Recalled | None:
    """``point`` in ``person``'s grammar, or None when it would name them in the third person."""
    forms = person.forms()
    if forms and any(f in point for f in forms):  # a cheap test before the pattern
        point = _mention_regex(forms).sub(_to_second_person, point)
        if any(re.search(rf"\b{re.escape(f)}\b", point) for f in forms):
            return None
    point = _shorten(point, max_words)
    words = point.split()
    if words and words[0].lower() in _FUNCTION_WORDS and words[0] != "I":
        point = words[0].lower() + point[len(words[0]):]
    first = words[0].lower() if words else ""
    topic = first in _WH or (first in _TOPIC_START and not _VERBS & {w.lower() for w in words})
    return Recalled(point, topic) if point else None


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
    if match.group("poss"):
        return "your" + rest
    if verb in _PRESENT_FOR_YOU:
        return "you " + _PRESENT_FOR_YOU[verb]
    if verb in _SAME_FOR_YOU or (verb.endswith("ed") and len(verb) > 3):
        return "you" + rest
    return match.group(0)

"""English names and notes for messages: how to greet someone, and the point to recall.

``address_name("Dr. Ana Ruiz")`` is ``"Ana"``; ``recall_point`` turns a row's
notes into one short phrase, spoken to the recipient when it names them
("Tom asked about X" -> "you asked about X").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from sheetsync.messages.lint import mentions_pay
from sheetsync.tracker.cells import is_missing

NOTES_MAX_WORDS: Final = 20

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "cpa", "esq"})
_GROUP_WORDS = frozenset({
    "hiring", "team", "manager", "recruiter", "recruiting", "recruitment", "talent", "hr",
    "human", "resources", "department", "committee", "panel", "careers", "office",
})  # fmt: skip
_POINT_BREAKS = re.compile(r"[\n;]+")

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


def clean_name(name: str) -> str:
    """Drop an address written with the name: ``"Ana Ruiz <ana@x.com>"`` -> ``"Ana Ruiz"``."""
    name = name.split("<", 1)[0].strip().strip("\"'")
    return "" if "@" in name else " ".join(name.split())


def address_name(name: str) -> str:
    """How to greet someone: first name, or title and surname, or a group name.

    ``"Dr. Ana Ruiz"`` -> ``"Ana"``, ``"Dr. Ruiz"`` -> ``"Dr. Ruiz"``,
    ``"Ruiz, Ana"`` -> ``"Ana"``, ``"ana ruiz"`` -> ``"Ana"``,
    ``"Hiring Team"`` -> ``"Hiring Team"``, ``""`` -> ``""``.
    """
    name = " ".join(name.split())
    if not name:
        return ""
    if {w.strip(".,").lower() for w in name.split()} & _GROUP_WORDS:
        return name
    head, comma, tail = name.partition(",")
    if comma and tail.strip():
        suffix_only = all(w.strip(".").lower() in _SUFFIXES for w in tail.split())
        name = head.strip() if suffix_only else f"{tail.strip()} {head.strip()}"
    words = name.split()
    title = ""
    while words and words[0].strip(".").lower() in _TITLES:
        title = words.pop(0)
    if not words:
        return ""
    if title and len(words) == 1:
        return f"{title} {words[0]}"
    first = words[0]
    if len(first.strip(".")) <= 1:  # an initial: "J. Smith"
        return f"{title} {words[-1]}" if title else " ".join(words)
    if name.islower() or name.isupper():
        first = "-".join(part.capitalize() for part in first.split("-"))
    return first


def recall_point(notes: Any, recipient: str = "", max_words: int = NOTES_MAX_WORDS) -> str:
    """The row's notes as one phrase to recall in a message ("" when none).

    Points are split on new lines and ``;``; points that are questions or that
    mention pay or benefits are left out.  When some points name the
    recipient, only those are used, spoken to them where that stays
    grammatical ("Tom asked ..." -> "you asked ...", "Dana's team" -> "your
    team").  Points are kept while they fit in ``max_words``; a longer first
    point is cut at a sentence or clause end.  The closing full stop is dropped.
    """
    text = "" if is_missing(notes) else str(notes)
    points: list[str] = []
    for raw in _POINT_BREAKS.split(text):
        point = " ".join(raw.strip(" \t-*\u2022").split())
        if point and not point.endswith("?") and not mentions_pay(point):
            points.append(point.rstrip(" .,:!"))
    forms = _mention_forms(recipient)
    joined = "\n".join(points)
    if any(form in joined for form in forms):  # the pattern matches only where one is
        mention = _mention_regex(forms)
        own = [p for p in points if mention.search(p)]
        if own:
            points = [mention.sub(_to_second_person, p) for p in own]
    kept: list[str] = []
    words = 0
    for point in points:
        size = len(point.split())
        if kept and words + size > max_words:
            break
        kept.append(point if kept else _shorten(point, max_words))
        words += size
    return "; ".join(kept)


def _shorten(point: str, max_words: int) -> str:
    """Cut a long point at a sentence end, else a clause end, else at ``max_words``."""
    words = point.split()
    if len(words) <= max_words:
        return point
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


@lru_cache(maxsize=4096)  # once per person, however many drafts
def _mention_forms(name: str) -> tuple[str, ...]:
    """The ways notes may name the recipient (full name, first name, title form), longest first."""
    words = [w for w in name.split() if w.strip(".").lower() not in _TITLES]
    forms = {name, " ".join(words), address_name(name)}
    if words and len(words[0].strip(".")) > 1:
        forms.add(words[0])
    return tuple(sorted((f for f in forms if f and "," not in f and len(f) > 1),
                        key=lambda f: (-len(f), f)))  # fmt: skip


@lru_cache(maxsize=1024)
def _mention_regex(forms: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern for any of ``forms`` naming the recipient in the notes."""
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


# -- who is in an interviewers cell ------------------------------------------------------

# Entries end at ";" or a line break, or at a comma right after ">" (a comma
# anywhere else may be part of a name such as "Lee, Ann").
_ENTRY_SPLIT = re.compile(r"[;\r\n]+|(?<=>)\s*,")
_NAME_EMAIL = re.compile(r"^(?P<name>[^<>]*?)\s*<\s*(?:mailto:)?(?P<email>[^<>\s]+@[^<>\s]+)\s*>$",
                         re.IGNORECASE)  # fmt: skip
_BARE_EMAIL = re.compile(r"^(?:mailto:)?(?P<email>[^<>\s@]+@[^<>\s@]+)$", re.IGNORECASE)


def parse_interviewers(text: str) -> list[tuple[str, str]]:
    """``"Ann Lee <ann@x.com>; Bo Chan"`` -> ``[("Ann Lee", "ann@x.com"), ("Bo Chan", "")]``.

    Entries are separated by ``;`` or new lines; each is ``Name <email>``, a
    bare name, or a bare e-mail address (name ""). Quotes around a name are
    dropped.  Blank entries are skipped.
    """
    people: list[tuple[str, str]] = []
    for entry in _ENTRY_SPLIT.split(text or ""):
        entry = entry.strip()
        if not entry:
            continue
        if match := _NAME_EMAIL.match(entry):
            name, email = match["name"], match["email"]
        elif match := _BARE_EMAIL.match(entry):
            name, email = "", match["email"]
        else:
            name, email = entry, ""
        name = name.strip().strip("\"'").strip()
        people.append((name, email))
    return people

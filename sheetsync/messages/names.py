"""People's names in messages: who a name is, how to greet them, who is in a cell.

``greeting_name("Dr. Amanda Cole")`` is ``"Dr. Cole"`` and
``greeting_name("Denise Okoro, RN")`` is ``"Denise"`` (``"Denise Okoro"`` in the
formal style); a title written before a name is kept in every style
(``"Principal Ruiz"``, ``"Ms. Doe"``).  The words that make a title, a credential or
a group name are data, in ``names.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final

GREETING_STYLES: Final = ("first_name", "formal")


@dataclass(frozen=True)
class _Words:
    titles: frozenset[str]
    academic: frozenset[str]
    roles: dict[str, str]  # normalised role title -> as written in names.toml
    credentials: frozenset[str]
    doctoral: frozenset[str]
    groups: frozenset[str]


def _key(word: str) -> str:
    return word.replace(".", "").strip(",").lower()


@lru_cache(maxsize=1)
def _words() -> _Words:
    text = resources.files("sheetsync.messages").joinpath("names.toml").read_text("utf-8")
    data = tomllib.loads(text)

    def keys(name: str) -> frozenset[str]:
        return frozenset(_key(w) for w in data[name])

    return _Words(
        keys("titles"), keys("academic_titles"), {_key(w): w for w in data["role_titles"]},
        keys("credentials"), keys("doctoral_credentials"), keys("group_words"),
    )  # fmt: skip


@dataclass(frozen=True)
class Person:
    """A name as written, taken apart: ``Person.parse("Principal Angela Ruiz, EdD")``."""

    written: str  # tidied, without an address
    first: str = ""  # given name, "" when unknown (or only an initial)
    last: str = ""  # surname, "" for a single name
    title: str = ""  # "Dr.", "Ms.", "Principal"... as it is greeted
    doctor: bool = False  # greeted "Dr." / "Professor" in every style
    group: bool = False  # "Hiring Team": greeted as written
    initials: str = ""  # "J." of "J. Smith"

    @classmethod
    def parse(cls, name: str) -> Person:
        return _parse(clean_name(name))

    def greeting(self, style: str = "first_name") -> str:
        """The name after "Dear": ``"Angela"`` (``"Angela Ruiz"`` formal); with a title,
        ``"Principal Ruiz"``, ``"Ms. Doe"``, ``"Dr. Cole"`` in every style; ``""`` unknown."""
        if self.group or not (self.first or self.last):
            return self.written if self.group else ""
        if self.doctor and self.last:
            return f"{self.title or 'Dr.'} {self.last}"
        if self.title and self.last:  # a title you wrote ("Ms.", "Principal") is kept
            return f"{self.title} {self.last}"
        if style == "formal" or not self.first:
            if self.title and self.last:
                return f"{self.title} {self.last}"
            return " ".join(w for w in (self.first or self.initials, self.last) if w)
        return self.first

    def forms(self) -> tuple[str, ...]:
        """The ways a note may name this person, longest first."""
        forms = {self.written, f"{self.first} {self.last}".strip(), self.first, self.last}
        if self.title and self.last:
            forms.add(f"{self.title} {self.last}")
        return tuple(sorted((f for f in forms if len(f) > 1 and "," not in f),
                            key=lambda f: (-len(f), f)))  # fmt: skip


def clean_name(name: str) -> str:
    """Drop an address written with the name: ``"Ana Ruiz <ana@x.com>"`` -> ``"Ana Ruiz"``."""
    name = name.split("<", 1)[0].strip().strip("\"'")
    return "" if "@" in name else " ".join(name.split())


def _capitalised(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _title(words: list[str], known: _Words) -> tuple[str, bool]:
    """Take a leading title off ``words``: (the title as greeted, academic?)."""
    for size in (2, 1):  # "Vice Principal" before "Principal"
        if len(words) > size:
            key = _key(" ".join(words[:size]))
            if key in known.roles:
                del words[:size]
                return known.roles[key], False
    if len(words) > 1 and _key(words[0]) in known.titles:
        key = _key(words.pop(0))
        academic = key in known.academic
        shown = {"doctor": "Dr.", "dr": "Dr.", "prof": "Professor", "professor": "Professor"}
        return shown.get(key, key.capitalize() + ("." if len(key) <= 3 else "")), academic
    return "", False


@lru_cache(maxsize=4096)  # a name is parsed for its context, its points and its lint
def _parse(name: str) -> Person:
    known = _words()
    if not name:
        return Person("")
    if {_key(w) for w in name.split()} & known.groups:
        return Person(name, group=True)
    parts = [p.strip() for p in name.split(",") if p.strip()]
    credentials = []
    while len(parts) > 1 and all(_key(w) in known.credentials for w in parts[-1].split()):
        credentials += [_key(w) for w in parts.pop().split()]
    if len(parts) == 2:  # "Cole, Amanda"
        parts = [f"{parts[1]} {parts[0]}"]
    words = " ".join(parts).split()
    while len(words) > 2 and _key(words[-1]) in known.credentials and not words[-1].islower():
        credentials.append(_key(words.pop()))  # "Amanda Cole PhD"
    title, academic = _title(words, known)
    if len(words) == 1 and _key(words[0]) in known.titles:
        return Person("")  # a title alone ("Dr.") names nobody
    doctor = academic or bool(set(credentials) & known.doctoral)
    if name.islower() or name.isupper():
        words = [_capitalised(w) for w in words]
    written = " ".join(([title] if title else []) + words)
    if not words:
        return Person(name)
    if len(words) == 1:
        if title:
            return Person(written, last=words[0], title=title, doctor=doctor)
        return Person(written, first=words[0])
    first, last = words[0], words[-1]
    if len(first.strip(".")) <= 1:  # an initial: "J. Smith"
        return Person(written, last=last, title=title, doctor=doctor,
                      initials=" ".join(words[:-1]))  # fmt: skip
    return Person(written, first=first, last=last, title=title, doctor=doctor)


def address_name(name: str) -> str:
    """How to address someone in the default style (see :meth:`Person.greeting`)."""
    return Person.parse(name).greeting()


def greeting_name(name: str, style: str = "first_name") -> str:
    """The name a greeting uses for ``name`` in ``style`` (``first_name`` or ``formal``)."""
    return Person.parse(name).greeting(style)


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

"""One draft: what it is, whom it goes to, and its stable id and mail link."""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from sheetsync.tracker.cells import text_digest
from sheetsync.tracker.schema import DRAFT_COLUMNS
from sheetsync.vocabulary import NOTE_ACTIONS

#: The application columns a message context reads (and drafting needs): nothing else
#: of a row reaches a template.
CONTEXT_COLUMNS: Final = (
    "id", "company", "role", "contact_name", "contact_email", "interviewers", "interview_on",
    "interview_type", "talking_points", "fit", "applied_on", "closing_date",
    "decision_expected_on",
    "interviewed", "response", "feedback_response",
)  # fmt: skip
#: A message template's file name is ``<name>.txt.j2``.
SUFFIX: Final = ".txt.j2"
#: Sheets holds at most 50,000 characters a cell, and mail programs truncate long links.
MAILTO_LIMIT = 8000
#: What a new draft's row fills in, in the tab's column order: all but the
#: columns the user fills in later.
NEW_DRAFT_COLUMNS = tuple(c for c in DRAFT_COLUMNS if c not in ("sent_on", "review_notes"))


def template_for(action: str, *, interviewed: bool = True) -> str:
    """The template for a policy action: ``request_feedback`` has two flavours."""
    if action == "request_feedback":
        return "request_feedback_interviewed" if interviewed else "request_feedback_not_interviewed"
    return action


def channel_for(template: str) -> str:
    """``"note"`` for a handwritten note, else ``"email"``."""
    return "note" if template.removesuffix(SUFFIX) in NOTE_ACTIONS else "email"


def stable_hash(key: str) -> int:
    """A hash that is the same in every run (unlike ``hash()``)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


@lru_cache(maxsize=65536)  # a name or address is in many draft ids, sync after sync
def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "contact"


_NOT_SLUG: Final = re.compile(r"[^a-z0-9]+")


def wrote_last(last: tuple[str, ...] | None, text: tuple[str, str]) -> bool:
    """Whether ``text`` (subject, body) is what sheetsync last wrote as a draft's, ``last``
    being what the state remembers of it: ``(text_digest, inputs)``, None for nothing."""
    return last is not None and last[0] == text_digest(*text)


def make_draft_id(app_id: str, action: str, recipient: tuple[str, str], basis: str) -> str:
    """``A1:check_in:ann-acme-example:20260310``; ``basis`` is the date an action
    counts from as ``YYYYMMDD`` ("" for none: ``undated``)."""
    who = slug(recipient[1] or recipient[0]) if any(recipient) else "contact"
    return f"{app_id}:{action}:{who}:{basis or 'undated'}"


# Percent-encoding of ASCII as ``urllib.parse.quote(text, safe="")`` does it, one
# ``str.replace`` per unsafe character the text holds (``%`` first, so no escape
# is escaped twice): urllib's loop per character was a tenth of a first sync.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_UNSAFE = tuple((chr(i), f"%{i:02X}") for i in range(128) if chr(i) not in _SAFE and i != 37)


def _quote(text: str) -> str:
    if not text.isascii():
        return urllib.parse.quote(text, safe="")
    text = text.replace("%", "%25")
    for char, escape in _UNSAFE:
        if char in text:
            text = text.replace(char, escape)
    return text


def mailto(to: str, subject: str, body: str) -> str:
    """A ``mailto:`` link (RFC 6068) that opens the draft in a mail program; "" when
    there is no address to send it to (a link to nobody only invites a mistake)."""
    if not to.strip():
        return ""
    address = urllib.parse.quote(to, safe="@,")
    head = f"mailto:{address}?subject={_quote(subject)}"
    link = f"{head}&body={_quote(body)}"
    # Past the limit the link opens a message with the subject only.
    return link if len(link) <= MAILTO_LIMIT else head


@dataclass
class Wanted:
    """A draft the current state of the tracker calls for."""

    draft_id: str
    app_id: str
    company: str
    role: str
    action: str
    channel: str
    to_name: str
    to_email: str
    due_on: str
    subject: str
    body: str
    error: str = ""
    has_points: bool = True  # the row has talking points to recall
    has_fit: bool = True  # the row (or [me] strengths) says what fits the role
    point_notes: tuple[str, ...] = ()  # lint lines about the row's talking points
    others: Callable[[str], str | None] | None = None  # finds another row's company
    inputs: str = ""  # fingerprint of what it was rendered from
    reused: bool = False  # text taken from the last render: inputs unchanged
    lint: tuple[str, ...] | None = None  # lint of subject + body, when already done
    mailto: str = ""  # the link for subject + body, when lint is set

    def identity(self) -> dict[str, str]:
        """The cells that say which draft a row is and to whom, in the tab's order."""
        return {
            "draft_id": self.draft_id,
            "app_id": self.app_id,
            "company": self.company,
            "role": self.role,
            "action": self.action,
            "channel": self.channel,
            "to_name": self.to_name,
            "to_email": self.to_email,
        }


class CompanyNames:
    """The tracker's company names, to find one in a draft meant for another company.

    A name is found where it stands alone (no letter, digit, ``_`` or ``&`` on either
    side); at one place the longest name wins.
    """

    def __init__(self, companies: Iterable[str]) -> None:
        self.names = sorted({c.strip() for c in companies if 3 <= len(c.strip()) <= 100},
                            key=lambda c: (-len(c), c))  # fmt: skip  (longer is no name)
        self._index: _NameIndex | None = None

    def finder(self, company: str, role: str) -> Callable[[str], str | None]:
        """A function giving the first company in a text that is not ``company`` (nor in
        ``company`` or ``role``: "Acme" in a draft to "Acme Health" is fine)."""
        own = f"{company}\n{role}".casefold()

        def find(text: str) -> str | None:
            for name in self._found(text):
                if name.casefold() not in own:
                    return name
            return None

        return find

    def _found(self, text: str) -> Iterator[str]:
        """The names in ``text`` from its start, each after the end of the one before."""
        if not self.names:
            return
        if self._index is None:  # once per sync, and only when a draft is linted
            self._index = _NameIndex(self.names)
        yield from self._index.found(text)


# A name's lead: the run of word characters (and "&") it opens with, or its first
# character when that is another sign ("(Acme)").
_LEAD: Final = re.compile(r"[\w&]+|[^\w&\s]")
_WORDLIKE: Final = re.compile(r"[\w&]")


class _NameIndex:
    """Company names by their lead, each lead with its names' lengths, longest first.

    A regex finds the leads in a text (as a tree of shared beginnings, tried in one
    step at a place); the names there are then looked up.  Compiling a regex of every
    whole name took 0.2-0.3 s for 5,000 names and seconds for 100,000, in every
    process that lints; a name's lead is shorter, and leads are often shared
    ("Bluefield Labs", "Bluefield Health").
    """

    def __init__(self, names: Iterable[str]) -> None:  # longest first
        self.names = frozenset(names)
        self.lengths: dict[str, list[int]] = {}
        for name in names:
            lead = _LEAD.match(name)
            assert lead is not None  # names are stripped and not empty
            lengths = self.lengths.setdefault(lead.group(0), [])
            if not lengths or lengths[-1] != len(name):
                lengths.append(len(name))
        words = [lead for lead in self.lengths if _WORDLIKE.match(lead)]
        signs = "".join(re.escape(lead) for lead in self.lengths if not _WORDLIKE.match(lead))
        # A word lead is a whole run of the text; a sign stands for itself.
        found = [f"(?:{_prefix_tree(words)})(?![\\w&])"] if words else []
        self.leads = re.compile("|".join(found + ([f"[{signs}]"] if signs else [])))

    def found(self, text: str) -> Iterator[str]:
        """Where a name stands alone (no letter, digit, ``_`` or ``&`` on either side),
        the longest one there; then on from its end."""
        at = 0
        while (lead := self.leads.search(text, at)) is not None:
            start, at = lead.start(), lead.start() + 1
            if start and _WORDLIKE.match(text, start - 1):  # not standing alone
                continue
            for length in self.lengths[lead.group(0)]:
                end = start + length
                name = text[start:end]
                if end <= len(text) and name in self.names and not _WORDLIKE.match(text, end):
                    yield name
                    at = end
                    break


def _prefix_tree(names: Iterable[str]) -> str:
    """A regex matching any of ``names``, preferring the longest, with shared beginnings
    written once."""
    tree: dict[str, Any] = {}
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(branches) == 1 else body + "?"  # longer first

    return emit(tree)

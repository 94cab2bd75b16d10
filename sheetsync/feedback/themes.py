"""Feedback themes: keyword rules, kept as data, that say what a response is about.

The built-in rules live in ``themes.toml`` next to this module; users add to
them with their own file of the same format (``themes_file`` in
``sheetsync.toml``).  See ``themes.toml`` for the format.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from sheetsync.errors import ConfigError

OTHER = "other"  # a non-empty response that no rule recognises
SEPARATOR = "; "  # joins theme names in the `themes` cell
_LIST_KEYS = ("keywords", "patterns", "ignore")

# Sentence ends: ., ! or ? then space; a blank line; or a line break before a
# capital, digit or bullet (a list).  A line break before a lower-case word is
# a hard-wrapped e-mail line and does not end the sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*\n\s*|\s*\n\s*(?=[-*•\dA-ZÀ-Þ])")
_SEPARATOR_IN_PHRASE = re.compile(r"[\s\-]+")


def _normalize_text(text: str) -> str:
    # Pasted e-mails mix composed/decomposed accents and curly apostrophes.
    return unicodedata.normalize("NFC", text).replace("\u2019", "'")


def _normalize_name(name: str) -> str:
    return " ".join(_normalize_text(name).lower().split())


def keyword_regex(keyword: str) -> str:
    """The regular expression for one keyword or phrase (see ``themes.toml``).

    Word boundaries are lookarounds rather than ``\\b`` so that keywords that
    start or end with punctuation (``c.v.``, ``C++``) still match.
    """
    parts = [p for p in _SEPARATOR_IN_PHRASE.split(_normalize_text(keyword).strip()) if p]
    if not parts:
        raise ValueError("empty keyword")
    pieces = []
    for part in parts:
        core = part.rstrip("*")
        if not core:
            raise ValueError(f"keyword {keyword!r} has a * with no word before it")
        pieces.append(re.escape(core) + (r"\w*" if part.endswith("*") else ""))
    return r"(?<!\w)" + r"[\s\-]*".join(pieces) + r"(?!\w)"


@dataclass(frozen=True)
class Theme:
    """One theme's rules, compiled when first used (a sync whose responses are all
    labelled already compiles none)."""

    name: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def build(
        cls, name: str, keywords: Iterable[str], patterns: Iterable[str], ignore: Iterable[str]
    ) -> Theme:
        kw, pats, ign = (tuple(dict.fromkeys(x)) for x in (keywords, patterns, ignore))
        return cls(name, kw, pats, ign)

    @cached_property
    def _regexes(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        alternatives = [keyword_regex(k) for k in self.keywords]
        alternatives += [f"(?:{p})" for p in self.patterns]
        find = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
        mask = (re.compile("|".join(keyword_regex(i) for i in self.ignore), re.IGNORECASE)
                if self.ignore else None)  # fmt: skip
        return find, mask

    def matches(self, text: str) -> bool:
        find, mask = self._regexes
        if find is None:
            return False
        if mask is not None:
            text = mask.sub(" ", text)
        return find.search(text) is not None


@dataclass(frozen=True)
class ThemeRules:
    """All themes, in reporting order (``other`` is always last)."""

    themes: tuple[Theme, ...] = ()
    #: labels known from earlier runs, by :func:`text_key`; ``learned`` collects new ones
    known: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    learned: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def signature(self) -> str:
        """Changes whenever a rule changes: labels remembered under another are stale."""
        rules = [(t.name, t.keywords, t.patterns, t.ignore) for t in self.themes]
        return hashlib.sha1(repr(rules).encode()).hexdigest()[:16]

    def remembering(self, known: Mapping[str, str]) -> ThemeRules:
        """These rules, with the labels worked out before (``text_key`` -> label)."""
        return ThemeRules(self.themes, dict(known))

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes] + [OTHER]

    def match(self, text: str) -> list[str]:
        """Theme names for ``text`` in rule order; ``[]`` for blank, ``["other"]`` if none match."""
        if not text or not text.strip():
            return []
        clean = _normalize_text(text)
        found = [t.name for t in self.themes if t.matches(clean)]
        return found or [OTHER]

    def label(self, text: str) -> str:
        """The ``themes`` cell for one response: ``"resume; interview answers"``."""
        key = text_key(text)
        label = self.known.get(key)
        if label is None:
            label = self.known[key] = self.learned[key] = SEPARATOR.join(self.match(text))
        return label

    def label_series(self, responses: pd.Series) -> pd.Series:
        """:meth:`label` for each cell; missing values count as blank."""
        labels = {v: self.label(v) for v in responses.unique() if isinstance(v, str)}
        return responses.map(lambda v: labels.get(v, "") if isinstance(v, str) else "").astype(
            object
        )

    def quotes(self, text: str) -> dict[str, list[str]]:
        """For each theme of ``text``, the sentences that mention it.

        A theme found only across a sentence break, and ``other``, quote the
        whole response (whitespace collapsed).
        """
        themes = self.match(text)
        if not themes:
            return {}
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
        by_theme = {t.name: t for t in self.themes}
        whole = " ".join(text.split())
        out: dict[str, list[str]] = {}
        for name in themes:
            theme = by_theme.get(name)
            hits = [s for s in sentences if theme.matches(_normalize_text(s))] if theme else []
            out[name] = [" ".join(s.split()) for s in hits] or [whole]
        return out

    def merged(self, other: ThemeRules) -> ThemeRules:
        """These rules plus ``other``'s: same-name themes add their lists, new ones append."""
        mine = {t.name: t for t in self.themes}
        order = [t.name for t in self.themes]
        for theme in other.themes:
            if theme.name in mine:
                old = mine[theme.name]
                mine[theme.name] = Theme.build(
                    theme.name,
                    old.keywords + theme.keywords,
                    old.patterns + theme.patterns,
                    old.ignore + theme.ignore,
                )
            else:
                mine[theme.name] = theme
                order.append(theme.name)
        return ThemeRules(tuple(mine[n] for n in order))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str) -> ThemeRules:
        """Rules from parsed TOML; ``where`` names the file in error messages."""
        extra = sorted(set(data) - {"themes"})
        if extra:
            raise ConfigError(f"{where}: unknown key(s): {', '.join(extra)}",
                              hint='put each theme in a [themes."name"] table')  # fmt: skip
        raw = data.get("themes", {})
        if not isinstance(raw, Mapping):
            raise ConfigError(f'{where}: themes must be a table of [themes."name"] tables')
        themes: dict[str, Theme] = {}
        for raw_name, spec in raw.items():
            name = _normalize_name(raw_name)
            label = f'{where}: [themes."{raw_name}"]'
            if not name or ";" in name:
                raise ConfigError(f"{label}: a theme name must be non-empty and have no ';'")
            if name == OTHER:
                raise ConfigError(f"{label}: {OTHER!r} is reserved for responses no rule matches")
            if name in themes:
                raise ConfigError(f"{label}: the theme {name!r} is defined twice")
            if not isinstance(spec, Mapping):
                raise ConfigError(f"{label} must be a table")
            unknown = sorted(set(spec) - set(_LIST_KEYS))
            if unknown:
                raise ConfigError(f"{label}: unknown key(s): {', '.join(unknown)}",
                                  hint=f"known keys: {', '.join(_LIST_KEYS)}")  # fmt: skip
            lists: dict[str, list[str]] = {}
            for key in _LIST_KEYS:
                value = spec.get(key, [])
                if not isinstance(value, list) or not all(
                    isinstance(v, str) and v.strip() for v in value
                ):
                    raise ConfigError(f"{label}: {key} must be a list of non-empty strings")
                lists[key] = value
            try:
                for word in lists["keywords"] + lists["ignore"]:
                    keyword_regex(word)
            except ValueError as exc:
                raise ConfigError(f"{label}: {exc}") from exc
            for pattern in lists["patterns"]:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"{label}: bad pattern {pattern!r}: {exc}") from exc
            themes[name] = Theme.build(name, lists["keywords"], lists["patterns"], lists["ignore"])
        return cls(tuple(themes.values()))

    @classmethod
    def from_toml(cls, text: str, where: str) -> ThemeRules:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
        return cls.from_mapping(data, where)


@cache
def builtin_rules() -> ThemeRules:
    """The rules shipped with sheetsync (``sheetsync/themes.toml``)."""
    text = resources.files("sheetsync.feedback").joinpath("themes.toml").read_text(encoding="utf-8")
    return ThemeRules.from_toml(text, "built-in themes.toml")


def text_key(text: str) -> str:
    """A short stand-in for a response in the state folder (the text itself stays in the sheet)."""
    return hashlib.sha1(text.encode()).hexdigest()[:20]


def load_themes(user_file: str | os.PathLike[str] | None = None) -> ThemeRules:
    """The built-in rules, extended by ``user_file`` (``Config.themes_file``) when given."""
    rules = ThemeRules(builtin_rules().themes)  # labels learned are this caller's own
    if user_file is None:
        return rules
    path = Path(user_file).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read themes file {path}: {exc}",
                          hint="check themes_file in sheetsync.toml") from exc  # fmt: skip
    return rules.merged(ThemeRules.from_toml(text, str(path)))

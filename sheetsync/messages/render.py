"""Message drafts: Jinja2 templates rendered in a sandbox, one variant per recipient.

Templates live in ``<package>/templates`` (an installed wheel) or
``<repo>/templates`` (a source checkout); a file of the same name in the
config's ``templates_dir`` overrides a single built-in template.  Each message
is one file, ``<name>.txt.j2``.  Its first non-blank line ``Subject: ...`` is
the e-mail subject (a handwritten note has none); everything after it is the
body.  See ``templates/README.md``.

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

Filters: ``date_text`` (``March 4``, or ``4 March`` with ``date_order = "DMY"``;
"" for no date) and ``greet`` (``recipient_first_name|greet("Dear")`` ->
``Dear Ana,``, or ``Hello,`` without a name).

The number of variants N of a template is one more than the highest number it
compares ``variant`` to with ``==`` (or the N of ``variant % N``); 1 when it
does not use ``variant``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Final

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, nodes
from jinja2.sandbox import SandboxedEnvironment

from sheetsync.config import Config, Me
from sheetsync.errors import TemplateProblem
from sheetsync.messages.lint import mentions_pay
from sheetsync.resources import templates_dir

SUFFIX: Final = ".txt.j2"
MESSAGES: Final = (
    "thank_you_email", "thank_you_note", "check_in", "follow_up", "final_follow_up",
    "application_follow_up", "request_feedback_interviewed",
    "request_feedback_not_interviewed", "thank_for_feedback",
)  # fmt: skip
NOTE_MESSAGES: Final = frozenset({"thank_you_note"})
SIGN_OFFS: Final = (
    "Best regards,", "Kind regards,", "Warm regards,", "With thanks,", "Many thanks,",
    "Sincerely,",
)  # fmt: skip
SIGNATURE: Final = "_signature.txt.j2"  # an e-mail template shows it as {{ signature }}
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
NOTES_MAX_WORDS: Final = 20
#: The application columns ``build_context`` reads (and drafting needs): nothing else
#: of a row reaches a template.
CONTEXT_COLUMNS: Final = (
    "id", "company", "role", "contact_name", "contact_email", "interviewers", "interview_on",
    "interview_type", "notes", "applied_on", "closing_date", "decision_expected_on",
    "interviewed", "response", "feedback_response",
)  # fmt: skip

_MISSING_TEXT = frozenset({"nan", "none", "nat", "null", "<na>"})
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "cpa", "esq"})
_GROUP_WORDS = frozenset({
    "hiring", "team", "manager", "recruiter", "recruiting", "recruitment", "talent", "hr",
    "human", "resources", "department", "committee", "panel", "careers", "office",
})  # fmt: skip
_BLANK_RUNS = re.compile(r"\n{3,}")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class Rendered:
    """One rendered message; ``error`` is "" when fine, else subject and body are ""."""

    subject: str
    body: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class _Compiled:
    template: jinja2.Template | None
    variants: int
    error: str
    globals: dict[str, Any] = field(default_factory=dict)  # the template's, as a plain dict
    signature: bool = False  # it shows {{ signature }}


def template_file(name: str) -> str:
    """``"check_in"`` -> ``"check_in.txt.j2"`` (a full file name is kept)."""
    return name if name.endswith(SUFFIX) else name + SUFFIX


def template_for(action: str, *, interviewed: bool = True) -> str:
    """The template for a policy action: ``request_feedback`` has two flavours."""
    if action == "request_feedback":
        return "request_feedback_interviewed" if interviewed else "request_feedback_not_interviewed"
    return action


def channel_for(template: str) -> str:
    """``"note"`` for a handwritten note, else ``"email"``."""
    return "note" if template.removesuffix(SUFFIX) in NOTE_MESSAGES else "email"


def date_text(value: Any, order: str = "MDY") -> str:
    """``date(2026, 3, 4)`` -> ``"March 4"`` (``"4 March"`` for DMY); "" for no date."""
    day = _to_date(value)
    if day is None:
        return "" if _is_missing(value) else str(value)
    month = MONTHS[day.month - 1]
    return f"{day.day} {month}" if order == "DMY" else f"{month} {day.day}"


def greet(name: Any, word: str = "Dear") -> str:
    """The greeting line: ``"Ana"|greet("Dear")`` -> ``"Dear Ana,"``; no name -> ``"Hello,"``."""
    text = _text(name)
    return f"{word} {text}," if text else "Hello,"


def stable_hash(key: str) -> int:
    """A hash that is the same in every run (unlike ``hash()``)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


_ME_FIELDS: Final = frozenset({"name", "email", "phone", "linkedin"})


class _Environment(SandboxedEnvironment):
    """The sandbox, with a fast path for ``me.name`` and friends.

    ``Me`` is sheetsync's own frozen record of plain strings, so its fields
    need none of the sandbox's per-access safety checks (a few per message).
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Me and attribute in _ME_FIELDS:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


class Renderer:
    """Renders message templates; compiles each template once and caches it."""

    def __init__(self, config: Config | None = None) -> None:
        config = config or Config()
        self.builtin_dir = templates_dir().resolve()
        self.user_dir = Path(config.templates_dir).expanduser() if config.templates_dir else None
        search = [str(d) for d in (self.user_dir, self.builtin_dir) if d is not None]
        self.env = _Environment(
            loader=FileSystemLoader(search, encoding="utf-8"),
            undefined=StrictUndefined,
            autoescape=False,  # plain text
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # one compile per Renderer
        )
        self.env.filters["date_text"] = partial(date_text, order=config.date_order)
        self.env.filters["greet"] = greet
        self._cache: dict[str, _Compiled] = {}
        # The signature as each (sign-off, sender) renders it, when it uses nothing else.
        self._signatures: dict[tuple[Any, Any], str] = {}
        self._signature_is_fixed: bool | None = None  # None: not known yet

    # -- public API ---------------------------------------------------------

    def variants(self, template: str) -> int:
        """How many wordings ``template`` has (0 when it cannot be loaded)."""
        compiled = self._compile(template)
        return compiled.variants if compiled.template is not None else 0

    def render(
        self,
        template: str,
        context: Mapping[str, Any],
        recipient_key: str,
        *,
        variant: int | None = None,
    ) -> Rendered:
        """Render for one recipient; the wording is chosen from ``recipient_key``.

        ``recipient_key`` is any stable text per recipient (the draft_id works).
        ``variant`` forces a wording (previews, tests).  Never raises for a
        template problem: the error is in ``Rendered.error``.
        """
        compiled = self._compile(template)
        if compiled.template is None:
            return Rendered("", "", compiled.error)
        if variant is not None:
            return self._render(compiled, context, variant % compiled.variants, 0)
        wanted, sign_off = self._preferred(compiled, recipient_key)
        return self._render(compiled, context, wanted, sign_off)

    def render_many(
        self,
        template: str,
        context: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        recipient_keys: Sequence[str],
    ) -> list[Rendered]:
        """Render for all recipients of one application, with distinct bodies.

        ``context`` is one context per recipient (same order as the keys) or a
        single context shared by all.  Recipients are taken in the order of
        their stable hash; each gets its preferred wording (the one
        :meth:`render` would pick) unless an earlier one took it, then the next
        free wording.  With more recipients than wordings, the sign-off varies
        too.  A body equal to one already given out is re-rendered with the
        next choice, so bodies differ whenever the template allows it.
        """
        keys = list(recipient_keys)
        contexts = [context] * len(keys) if isinstance(context, Mapping) else list(context)
        if len(contexts) != len(keys):
            raise ValueError(f"{len(contexts)} contexts for {len(keys)} recipients")
        compiled = self._compile(template)
        if compiled.template is None:
            return [Rendered("", "", compiled.error) for _ in keys]
        out: list[Rendered | None] = [None] * len(keys)
        used_variants: set[int] = set()
        used: set[tuple[int, int]] = set()
        bodies: set[str] = set()
        if len(keys) == 1:  # one recipient: no other body to differ from
            return [self._render(compiled, contexts[0], *self._preferred(compiled, keys[0]))]
        for i in sorted(range(len(keys)), key=lambda i: (stable_hash(keys[i]), keys[i], i)):
            preferred = self._preferred(compiled, keys[i])
            chosen: Rendered | None = None
            fallback: Rendered | None = None  # first try, if every body repeats
            for choice in self._choices(compiled.variants, preferred, used_variants, used):
                result = self._render(compiled, contexts[i], *choice)
                if not result.ok or _same_text(result.body) not in bodies:
                    chosen = result
                    used_variants.add(choice[0])
                    used.add(choice)
                    break
                fallback = fallback or result
            result = chosen or fallback or self._render(compiled, contexts[i], *preferred)
            bodies.add(_same_text(result.body))
            out[i] = result
        return [r for r in out if r is not None]

    def check(self) -> list[str]:
        """Problems with the template set: unknown files, syntax or render errors.

        Renders every message with a sample context, so undefined variables in
        user templates show up before a sync.
        """
        problems: list[str] = []
        if self.user_dir is not None:
            if not self.user_dir.is_dir():
                problems.append(f"templates_dir {self.user_dir} is not a folder")
            else:
                known = {template_file(m) for m in MESSAGES}
                for path in sorted(self.user_dir.glob("*.j2")):
                    if path.name not in known and not path.name.startswith("_"):
                        problems.append(
                            f"{path}: no message is called {path.name.removesuffix(SUFFIX)!r}"
                            f" (known: {', '.join(MESSAGES)})"
                        )
        context = sample_context()
        for name in MESSAGES:
            for variant in range(max(self.variants(name), 1)):
                result = self.render(name, context, name, variant=variant)
                if not result.ok:
                    problems.append(result.error)
                    break
        return problems

    # -- internals ----------------------------------------------------------

    def _compile(self, template: str) -> _Compiled:
        cached = self._cache.get(template)
        if cached is not None:
            return cached
        try:
            loaded = self._load(template_file(template))
            compiled = _Compiled(
                loaded,
                self._count_variants(template),
                "",
                dict(loaded.globals),
                "signature" in self._names_used(template_file(template)),
            )
        except TemplateProblem as exc:
            compiled = _Compiled(None, 0, exc.message)
        self._cache[template] = compiled
        return compiled

    def _load(self, filename: str) -> jinja2.Template:
        try:
            return self.env.get_template(filename)
        except jinja2.TemplateNotFound as exc:
            where = " or ".join(str(d) for d in (self.user_dir, self.builtin_dir) if d)
            raise TemplateProblem(f"no template {exc.name} in {where}") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(self._describe(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateProblem(f"cannot read template {filename}: {exc}") from exc

    def _names_used(self, filename: str) -> set[str]:
        """The variables a template reads from its context."""
        from jinja2 import meta

        assert self.env.loader is not None
        source, path, _ = self.env.loader.get_source(self.env, filename)
        return meta.find_undeclared_variables(self.env.parse(source, filename, path))

    def _signature(self, values: dict[str, Any]) -> str:
        """``{{ signature }}``: the ``_signature.txt.j2`` template, rendered once per
        sign-off when it reads only ``me`` and ``sign_off`` (an include per message
        costs a third of the render), else with the message's own context."""
        if self._signature_is_fixed is None:
            try:
                self._signature_is_fixed = self._names_used(SIGNATURE) <= {"me", "sign_off"}
            except Exception:  # missing or broken: rendering it below says so
                self._signature_is_fixed = False
        fixed = self._signature_is_fixed
        key = (values["sign_off"], values.get("me"))
        if fixed:
            try:
                cached = self._signatures.get(key)
            except TypeError:  # a sender that cannot be a key: rendered each time
                fixed = False
            else:
                if cached is not None:
                    return cached
        template = self.env.get_template(SIGNATURE)
        text = "".join(template.root_render_func(template.new_context(values, shared=True)))
        if fixed:
            self._signatures[key] = text
        return text

    def _count_variants(self, template: str) -> int:
        assert self.env.loader is not None
        source, path, _ = self.env.loader.get_source(self.env, template_file(template))
        tree = self.env.parse(source, template_file(template), path)
        highest = 0
        for node in tree.find_all(nodes.Compare):
            terms = [node.expr] + [op.expr for op in node.ops if op.op in ("eq", "ne")]
            if any(isinstance(t, nodes.Name) and t.name == "variant" for t in terms):
                for term in terms:
                    if isinstance(term, nodes.Const) and isinstance(term.value, int):
                        highest = max(highest, term.value + 1)
        for mod in tree.find_all(nodes.Mod):
            left, right = mod.left, mod.right
            if isinstance(left, nodes.Name) and left.name == "variant":
                count = right.value if isinstance(right, nodes.Const) else None
                if isinstance(count, int):
                    highest = max(highest, count)
        return max(highest, 1)

    @staticmethod
    def _preferred(compiled: _Compiled, key: str) -> tuple[int, int]:
        digest = stable_hash(key)
        return digest % compiled.variants, (digest // compiled.variants) % len(SIGN_OFFS)

    @staticmethod
    def _choices(
        variants: int,
        preferred: tuple[int, int],
        used_variants: set[int],
        used: set[tuple[int, int]],
    ) -> Iterator[tuple[int, int]]:
        """Unused wordings first (keeping the sign-off), then unused (wording, sign-off) pairs."""
        start, sign_off = preferred
        seen: set[tuple[int, int]] = set()
        for step in range(variants):
            choice = ((start + step) % variants, sign_off)
            if choice[0] not in used_variants:
                seen.add(choice)
                yield choice
        total = variants * len(SIGN_OFFS)
        first = sign_off * variants + start
        for step in range(total):
            index = (first + step) % total
            choice = (index % variants, index // variants)
            if choice not in used and choice not in seen:
                yield choice

    def _render(
        self, compiled: _Compiled, context: Mapping[str, Any], variant: int, sign_off: int
    ) -> Rendered:
        template = compiled.template
        assert template is not None
        # What Template.render does, with one dict instead of three: the
        # context is built here already, globals included, so it is shared.
        values = {**compiled.globals, **context}
        values["variant"] = variant
        values["sign_off"] = SIGN_OFFS[sign_off]
        try:
            if compiled.signature:
                values["signature"] = self._signature(values)
            text = "".join(template.root_render_func(template.new_context(values, shared=True)))
        except Exception:  # any template failure fails only this draft
            try:
                self.env.handle_exception()  # re-raises with the template's own lines
            except Exception as exc:
                return Rendered("", "", self._describe(exc, template.filename))
        subject, body = split_message(text)
        return Rendered(subject, body)

    def _display(self, filename: str | None) -> str:
        if not filename:
            return "template"
        path = Path(filename)
        try:
            return "templates/" + path.resolve().relative_to(self.builtin_dir).as_posix()
        except ValueError:
            return str(path)

    def _template_dirs(self) -> list[Path]:
        return [d.resolve() for d in (self.user_dir, self.builtin_dir) if d is not None]

    def _describe(self, exc: BaseException, fallback: str | None = None) -> str:
        """``"templates/check_in.txt.j2 line 7: 'contact' is undefined"``."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            where = self._display(exc.filename or exc.name or fallback)
            return f"{where} line {exc.lineno}: {exc.message}"
        # Jinja rewrites tracebacks so template frames carry the file and line.
        location: tuple[str, int] | None = None
        dirs = self._template_dirs()
        tb = exc.__traceback__
        while tb is not None:  # keep the innermost template frame
            filename = tb.tb_frame.f_code.co_filename
            if any(d in Path(filename).resolve().parents for d in dirs):
                location = (filename, tb.tb_lineno)
            tb = tb.tb_next
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template {exc.name} not found"
        elif isinstance(exc, jinja2.TemplateError):
            message = exc.message or type(exc).__name__
        else:
            message = f"{type(exc).__name__}: {exc}"
        if location is None:
            return f"{self._display(fallback)}: {message}"
        return f"{self._display(location[0])} line {location[1]}: {message}"


def split_message(text: str) -> tuple[str, str]:
    """Rendered text -> (subject, body): a leading ``Subject:`` line is the subject.

    Lines lose trailing spaces, runs of blank lines shrink to one, doubled
    spaces left by optional phrases shrink to one.
    """
    # Substring tests first: most messages need none of the (slower) regexes.
    if " \n" in text or "\t" in text or text.endswith(" "):
        text = _TRAILING_SPACE.sub("", text)
    if "  " in text:
        text = _INNER_SPACES.sub(" ", text)
    text = text.lstrip("\n")
    subject = ""
    if text[:8].lower() == "subject:":
        line, _, text = text.partition("\n")
        subject = " ".join(line[8:].split())
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return subject, text.strip("\n")


def _same_text(body: str) -> str:
    return " ".join(body.split()).casefold()


# -- context --------------------------------------------------------------------


def build_context(row: Mapping[str, Any], recipient: tuple[str, str], me: Me) -> dict[str, Any]:
    """The template context for one recipient of one application row.

    ``row`` maps canonical column names to typed values: dates as
    ``datetime.date`` or pandas ``Timestamp`` (``None``/``NaT`` when blank),
    text as ``str`` (``None``/``NaN`` when blank).  ``recipient`` is
    ``(name, email)``; either may be "".  Never raises for odd cell values.
    """
    name, email = _clean_name(_text(recipient[0])), _text(recipient[1])
    contact_name = _text(row.get("contact_name"))
    contact_email = _text(row.get("contact_email"))
    if not name and email and contact_email and email.casefold() == contact_email.casefold():
        name = _clean_name(contact_name)
    interview_on = _to_date(row.get("interview_on"))
    response = row.get("feedback_response")
    if _is_missing(response):
        response = row.get("response")
    return {
        "company": _text(row.get("company")),
        "role": _text(row.get("role")),
        "recipient_name": name,
        "recipient_first_name": address_name(name),
        "recipient_email": email,
        "contact_name": contact_name,
        "interview_on": interview_on,
        "interview_day": WEEKDAYS[interview_on.weekday()] if interview_on else "",
        "interview_type": _text(row.get("interview_type")),
        "notes": recall_point(row.get("notes"), name),
        "applied_on": _to_date(row.get("applied_on")),
        "closing_date": _to_date(row.get("closing_date")),
        "decision_expected_on": _to_date(row.get("decision_expected_on")),
        "interviewed": _interviewed(row, interview_on),
        "feedback_response": _text(response),
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


_POINT_BREAKS = re.compile(r"[\n;]+")


def recall_point(notes: Any, recipient: str = "", max_words: int = NOTES_MAX_WORDS) -> str:
    """The row's notes as one phrase to recall in a message ("" when none).

    Points are split on new lines and ``;``; points that are questions or that
    mention pay or benefits are left out.  When some points name the
    recipient, only those are used, spoken to them where that stays
    grammatical ("Tom asked ..." -> "you asked ...", "Dana's team" -> "your
    team").  Points are kept while they fit in ``max_words``; a longer first
    point is cut at a sentence or clause end.  The closing full stop is dropped.
    """
    text = "" if _is_missing(notes) else str(notes)
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


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip().lower() in _MISSING_TEXT
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def _text(value: Any) -> str:
    if type(value) is str:  # the common case, without _is_missing's general checks
        text = " ".join(value.split())
        return "" if text.lower() in _MISSING_TEXT else text
    return "" if _is_missing(value) else " ".join(str(value).split())


def _to_date(value: Any) -> date | None:
    if _is_missing(value):
        return None
    if isinstance(value, datetime):  # includes pandas Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _clean_name(name: str) -> str:
    """Drop an address written with the name: ``"Ana Ruiz <ana@x.com>"`` -> ``"Ana Ruiz"``."""
    name = name.split("<", 1)[0].strip().strip("\"'")
    return "" if "@" in name else " ".join(name.split())


def _interviewed(row: Mapping[str, Any], interview_on: date | None) -> bool:
    flag = row.get("interviewed")
    if isinstance(flag, bool):
        return flag
    text = _text(flag).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return interview_on is not None or bool(_text(row.get("interviewers")))

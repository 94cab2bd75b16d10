"""Message drafts: Jinja2 templates rendered in a sandbox, one variant per recipient.

Templates live in ``<package>/templates`` (an installed wheel) or
``<repo>/templates`` (a source checkout); a file of the same name in the
config's ``templates_dir`` overrides a single built-in template.  Each message
is one file, ``<name>.txt.j2``.  Its first non-blank line ``Subject: ...`` is
the e-mail subject (a handwritten note has none); everything after it is the
body.  See ``templates/README.md``; what a template sees is in
:mod:`sheetsync.messages.context`.

The number of variants N of a template is one more than the highest number it
compares ``variant`` to with ``==`` (or the N of ``variant % N``); 1 when it
does not use ``variant``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from sheetsync.config import Config
from sheetsync.errors import TemplateProblem
from sheetsync.messages.context import date_text, greet, sample_context
from sheetsync.messages.draft import SUFFIX, stable_hash
from sheetsync.resources import templates_dir
from sheetsync.vocabulary import MESSAGE_TEMPLATES

SIGN_OFFS: Final = (
    "Best regards,", "Kind regards,", "Warm regards,", "With thanks,", "All the best,",
    "Sincerely,",
)  # fmt: skip
SIGNATURE: Final = "_signature.txt.j2"  # an e-mail template shows it as {{ signature }}
SENTENCE_WORDINGS: Final = 4  # a template using `wording` has four wordings per sentence
SENTENCES: Final = 4  # ... for its first four sentences (wording[0] .. wording[3])
WORDING_VARIANTS: Final = 8  # ... and so eight variants, all different

_BLANK_RUNS = re.compile(r"\n{3,}")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


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
    signature: bool = False  # it shows {{ signature }}


def override_problems(config: Config) -> list[str]:
    """Why templates in ``templates_dir`` cannot be compiled ("file line N: why"), if any."""
    renderer = Renderer(config)
    if renderer.user_dir is None:
        return []
    found = sorted(renderer.user_dir.glob(f"*{SUFFIX}"))
    return [e for e in (renderer._compile(p.name).error for p in found) if e]


def template_file(name: str) -> str:
    """``"check_in"`` -> ``"check_in.txt.j2"`` (a full file name is kept)."""
    return name if name.endswith(SUFFIX) else name + SUFFIX


class Renderer:
    """Renders message templates; compiles each template once and caches it."""

    def __init__(self, config: Config | None = None) -> None:
        config = config or Config()
        self.builtin_dir = templates_dir().resolve()
        self.user_dir = Path(config.templates_dir).expanduser() if config.templates_dir else None
        search = [str(d) for d in (self.user_dir, self.builtin_dir) if d is not None]
        self.env = SandboxedEnvironment(
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
        self._signature_reads: frozenset[str] | None = None
        self._signatures: dict[tuple[str, Any], str] = {}

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
        # Up to four recipients take wordings 0-3, which share no sentence at all.
        span = compiled.variants
        if span == WORDING_VARIANTS and len(keys) <= SENTENCE_WORDINGS:
            span = SENTENCE_WORDINGS
        for i in sorted(range(len(keys)), key=lambda i: (stable_hash(keys[i]), keys[i], i)):
            first, sign_off = self._preferred(compiled, keys[i])
            preferred = (first % span, sign_off)
            chosen: Rendered | None = None
            fallback: Rendered | None = None  # first try, if every body repeats
            for choice in self._choices(span, preferred, used_variants, used):
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
                known = {template_file(m) for m in MESSAGE_TEMPLATES}
                for path in sorted(self.user_dir.glob("*.j2")):
                    if path.name not in known and not path.name.startswith("_"):
                        problems.append(
                            f"{path}: no message is called {path.name.removesuffix(SUFFIX)!r}"
                            f" (known: {', '.join(MESSAGE_TEMPLATES)})"
                        )
        context = sample_context()
        for name in MESSAGE_TEMPLATES:
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
            loaded, tree = self._load(template_file(template))
            reads = meta.find_undeclared_variables(tree)
            compiled = _Compiled(loaded, _count_variants(tree, reads), "", "signature" in reads)
        except TemplateProblem as exc:
            compiled = _Compiled(None, 0, exc.message)
        self._cache[template] = compiled
        return compiled

    def _load(self, filename: str) -> tuple[jinja2.Template, nodes.Template]:
        """The template and its syntax tree, parsed once for both (as the loader would)."""
        env = self.env
        try:
            tree, path, uptodate = self._parse(filename)
            code = env.compile(tree, filename, path)
        except jinja2.TemplateNotFound as exc:
            where = " or ".join(str(d) for d in (self.user_dir, self.builtin_dir) if d)
            raise TemplateProblem(f"no template {exc.name} in {where}") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(self._describe(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateProblem(f"cannot read template {filename}: {exc}") from exc
        return env.template_class.from_code(env, code, env.make_globals(None), uptodate), tree

    def _parse(self, filename: str) -> tuple[nodes.Template, str | None, Callable[[], bool] | None]:
        """The template's syntax tree, its file's path and the loader's up-to-date test."""
        assert self.env.loader is not None
        source, path, uptodate = self.env.loader.get_source(self.env, filename)
        return self.env.parse(source, filename, path), path, uptodate

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
        values = {**context, "variant": variant, "sign_off": SIGN_OFFS[sign_off],
                  "wording": wording(variant)}  # fmt: skip
        try:
            if compiled.signature:  # what an include of it would show, as text
                values["signature"] = self._signature(values)
            text = template.render(values)
        except Exception as exc:  # any template failure fails only this draft
            return Rendered("", "", self._describe(exc, template.filename))
        subject, body = split_message(text)
        return Rendered(subject, body)

    def _signature(self, values: Mapping[str, Any]) -> str:
        """The signature for these values; rendered once per sign-off when, like the
        built-in one, it reads nothing but ``me`` and ``sign_off``."""
        if self._signature_reads is None:
            self._signature_reads = frozenset(
                meta.find_undeclared_variables(self._parse(SIGNATURE)[0]))  # fmt: skip
        template = self.env.get_template(SIGNATURE)
        if not self._signature_reads <= {"me", "sign_off"}:
            return template.render(values)
        key = (values["sign_off"], values["me"])
        if key not in self._signatures:
            self._signatures[key] = template.render(values)
        return self._signatures[key]

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


def wording(variant: int) -> tuple[int, ...]:
    """Which of four wordings each sentence of a message takes, for ``variant`` 0-7.

    Variants 0-3 take wording ``variant`` throughout; 4-7 shift by one more per
    sentence.  Any two of the eight then share at most one sentence in four.
    """
    first, step = variant % SENTENCE_WORDINGS, (variant // SENTENCE_WORDINGS) % 2
    return tuple((first + k * step) % SENTENCE_WORDINGS for k in range(SENTENCES))


def _count_variants(tree: nodes.Template, reads: set[str]) -> int:
    """One more than the highest number ``variant`` is compared to, or the N of ``variant % N``;
    a template that reads (``reads``) ``wording`` has eight."""
    highest = WORDING_VARIANTS if "wording" in reads else 0
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

"""Configuration: ``sheetsync.toml`` found via --config, $SHEETSYNC_CONFIG,
./sheetsync.toml, then the user config folder.  Every key has a default, so no
file is needed to try sheetsync on the sample tracker.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sheetsync.errors import ConfigError

APP_NAME = "sheetsync"


@dataclass(frozen=True)
class Rules:
    """The follow-up policy's numbers (``[rules]``); days unless stated."""

    thank_you_within_days: int = 1  # thank-you e-mail: interview + 1 day, never rolled
    note_within_business_days: int = 2  # handwritten note: interview + 2 business days
    check_in_after_decision_days: int = 2  # check in 2 days after the promised decision
    follow_up_after_days: int = 7  # a week of silence after the interview/thank-you
    after_closing_days: int = 14  # not interviewed: two weeks after the closing date
    final_follow_up_after_days: int = 7  # one more note a week after the first
    max_follow_ups: int = 2  # after this many, suggest moving on
    move_on_after_days: int = 7  # ... a week after the last follow-up
    request_feedback_after_days: int = 1  # reply to a rejection the next day
    feedback_wait_days: int = 14  # Feedback tab: stop waiting for an answer after this
    thank_for_feedback_after_days: int = 1
    act_on_feedback_days: int = 7  # default due date for a feedback action item
    note_late_after_days: int = 7  # no handwritten card this long after the interview


@dataclass(frozen=True)
class Me:
    """The sender, for signatures (``[me]``)."""

    name: str = "Your Name"
    email: str = ""
    phone: str = ""
    linkedin: str = ""
    strengths: str = ""  # what fits most roles, when a row's `fit` is blank


@dataclass(frozen=True)
class Config:
    sheet: str | None = None  # local path, Google Sheets URL or key
    timezone: str | None = None  # IANA name; None = the machine's local zone
    date_order: str = "MDY"  # how to read numeric dates like 03/04/2026: MDY or DMY
    two_digit_years: str | None = None  # "20xx": read 2/18/26 as 2026 (Applications tab)
    holidays: str | None = None  # [calendar] holidays: country code, e.g. "US", "GB"
    holiday_subdivision: str | None = None  # [calendar] subdivision, e.g. "CA"
    credentials: str | None = None  # service-account JSON for Google Sheets
    state_dir: str | None = None  # locks, snapshots, history; default: user state dir
    templates_dir: str | None = None  # user templates overriding the built-in ones
    themes_file: str | None = None  # extra feedback theme keywords (TOML)
    email_word_limit: int = 150  # [drafts]
    note_word_limit: int = 80  # [drafts]
    greeting_style: str = "first_name"  # [drafts] "first_name" (Dear Ana,) or "formal"
    feedback_questions: str = "one"  # [drafts] a feedback request asks "one" question or "all"
    rules: Rules = field(default_factory=Rules)
    me: Me = field(default_factory=Me)
    #: [columns]: (sheetsync column, your header) pairs for the Applications tab
    columns: tuple[tuple[str, str], ...] = ()
    #: [tabs] applications: the name of the tab (or CSV file) holding the applications
    applications_tab: str | None = None
    #: [tabs] dashboard: the Dashboard tab's name; None: no Dashboard (``dashboard = false``)
    dashboard_tab: str | None = "Dashboard"
    #: keep drafts not yet approved out of the agenda and calendar
    require_approval: bool = False
    xlsx_allow_loss: bool = False  # rewrite an .xlsx even if openpyxl drops charts etc.
    #: [statuses]: (your word, sheetsync status) pairs, beside the built-in words
    statuses: tuple[tuple[str, str], ...] = ()
    source: Path | None = None  # the file this came from, if any
    #: [serve] token: what `sheetsync serve` asks of callers (kept out of repr: a secret)
    serve_token: str | None = field(default=None, repr=False)

    @property
    def century(self) -> int | None:
        """The century a two-digit year is read in (``two_digit_years``), or None: refuse."""
        return 2000 if self.two_digit_years else None


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to use, or None for built-in defaults."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"config file {path} does not exist",
                hint="check the --config path, or run without it",
            )
        return path
    env = os.environ.get("SHEETSYNC_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"$SHEETSYNC_CONFIG points to {path}, which does not exist")
        return path
    for candidate in (Path.cwd() / "sheetsync.toml", user_config_dir() / "sheetsync.toml"):
        if candidate.is_file():
            return candidate
    return None


def _section(data: dict[str, Any], name: str, cls: type, where: Path) -> dict[str, Any]:
    raw = data.pop(name, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    allowed = {f.name: f.type for f in fields(cls)}
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) in [{name}]: {', '.join(unknown)}",
            hint=f"known keys: {', '.join(sorted(allowed))}",
        )
    for key, value in raw.items():
        expected = int if allowed[key] in (int, "int") else str
        if expected is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConfigError(f"{where}: [{name}] {key} must be a whole number, not {value!r}")
        if expected is int and value < 0:
            raise ConfigError(f"{where}: [{name}] {key} cannot be negative")
        if expected is str and not isinstance(value, str):
            raise ConfigError(f"{where}: [{name}] {key} must be text, not {value!r}")
    return raw


def _pairs(data: dict[str, Any], name: str, where: Path) -> tuple[tuple[str, str], ...]:
    """A table of text values (``[columns]``, ``[statuses]``) as (key, value) pairs."""
    raw = data.pop(name, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: [{name}] {key} must be text, not {value!r}")
    return tuple((str(k), str(v)) for k, v in raw.items())


def _dashboard_tab(data: dict[str, Any], where: Path) -> str | None:
    """``[tabs] dashboard``: the Dashboard tab's name, or false for no Dashboard."""
    tabs = data.get("tabs")
    if not isinstance(tabs, dict) or "dashboard" not in tabs:
        return "Dashboard"
    tabs = dict(tabs)
    value = tabs.pop("dashboard")
    data["tabs"] = tabs
    if value is False:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{where}: [tabs] dashboard must be a tab name or false, not {value!r}",
            hint='e.g. `dashboard = "Overview"`, or `dashboard = false` for no Dashboard',
        )
    from sheetsync.tracker.schema import TABS, normalize_header

    if normalize_header(value) in {normalize_header(t) for t in TABS} or (
        normalize_header(value) == normalize_header(str(tabs.get("applications", "")))
    ):
        raise ConfigError(f"{where}: [tabs] dashboard = {value!r} names a tab of the tracker",
                          hint="the Dashboard is a tab of its own: give it another name")
    return value.strip()


def _check_mappings(
    columns: tuple[tuple[str, str], ...], statuses: tuple[tuple[str, str], ...], where: Path
) -> None:
    from sheetsync.tracker.schema import ALL_COLUMNS, APPLICATIONS
    from sheetsync.vocabulary import APPLICATION_STATUSES

    known = ALL_COLUMNS[APPLICATIONS]
    for column, _ in columns:
        if column not in known:
            raise ConfigError(
                f"{where}: [columns] {column}: sheetsync has no column of that name",
                hint=f"the keys are sheetsync's columns: {', '.join(known)}",
            )
    for word, status in statuses:
        if status.strip().lower() not in APPLICATION_STATUSES:
            raise ConfigError(
                f"{where}: [statuses] {word!r} = {status!r}: not a status sheetsync knows",
                hint=f"use one of {', '.join(APPLICATION_STATUSES)}",
            )


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    return parse_config(data, path)


def parse_config(data: dict[str, Any], where: Path) -> Config:
    data = dict(data)
    rules = Rules(**_section(data, "rules", Rules, where))
    me = Me(**_section(data, "me", Me, where))
    columns = _pairs(data, "columns", where)
    dashboard = _dashboard_tab(data, where)
    tabs = dict(_pairs(data, "tabs", where))
    unknown = sorted(set(tabs) - {"applications"})
    if unknown:
        raise ConfigError(
            f"{where}: [tabs] knows only `applications` and `dashboard`, not "
            f"{', '.join(unknown)}",
            hint="sheetsync names its own Drafts and Feedback tabs",
        )
    statuses = _pairs(data, "statuses", where)
    _check_mappings(columns, statuses, where)
    serve_token = _serve_token(data, where)
    calendar = data.pop("calendar", {})
    drafts = data.pop("drafts", {})
    if not isinstance(calendar, dict) or not isinstance(drafts, dict):
        raise ConfigError(f"{where}: [calendar] and [drafts] must be tables")
    top: dict[str, Any] = {}
    for key in (
        "sheet",
        "timezone",
        "date_order",
        "two_digit_years",
        "credentials",
        "state_dir",
        "templates_dir",
        "themes_file",
    ):
        if key in data:
            value = data.pop(key)
            if not isinstance(value, str):
                raise ConfigError(f"{where}: {key} must be text, not {value!r}")
            top[key] = value
    for key in ("xlsx_allow_loss", "require_approval"):
        if key in data:
            flag = data.pop(key)
            if not isinstance(flag, bool):
                raise ConfigError(f"{where}: {key} must be true or false, not {flag!r}")
            top[key] = flag
    if data:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(data))}")
    for key in ("holidays", "subdivision"):
        if key in calendar and not isinstance(calendar[key], str):
            raise ConfigError(f"{where}: [calendar] {key} must be text")
    for key in ("email_word_limit", "note_word_limit"):
        if key in drafts and not isinstance(drafts[key], int):
            raise ConfigError(f"{where}: [drafts] {key} must be a whole number")
    style = drafts.get("greeting_style", "first_name")
    if style not in ("first_name", "formal"):
        raise ConfigError(f'{where}: [drafts] greeting_style must be "first_name" or "formal",'
                          f" not {style!r}")  # fmt: skip
    questions = drafts.get("feedback_questions", "one")
    if questions not in ("one", "all"):
        raise ConfigError(f'{where}: [drafts] feedback_questions must be "one" or "all",'
                          f" not {questions!r}")  # fmt: skip
    extra = set(drafts) - {"email_word_limit", "note_word_limit", "greeting_style",
                           "feedback_questions"}  # fmt: skip
    if extra:
        raise ConfigError(f"{where}: unknown key(s) in [drafts]: {', '.join(sorted(extra))}")
    base = where.parent
    written = dict(top)  # as typed, for messages
    for key in ("credentials", "state_dir", "templates_dir", "themes_file"):
        if key in top:  # relative paths are relative to the config file
            top[key] = str(base / Path(top[key]).expanduser())
    order = top.get("date_order", "MDY").upper()
    if order not in ("MDY", "DMY"):
        raise ConfigError(f'{where}: date_order must be "MDY" or "DMY", not {order!r}')
    top["date_order"] = order
    if top.get("two_digit_years", "20xx").lower() != "20xx":
        raise ConfigError(
            f'{where}: two_digit_years must be "20xx" (read 2/18/26 as 2026), '
            f"not {top['two_digit_years']!r}",
            hint="leave it out to have two-digit years flagged instead",
        )
    cfg = Config(
        **top,
        holidays=calendar.get("holidays") or None,
        holiday_subdivision=calendar.get("subdivision") or None,
        email_word_limit=drafts.get("email_word_limit", 150),
        note_word_limit=drafts.get("note_word_limit", 80),
        greeting_style=style,
        feedback_questions=questions,
        rules=rules,
        me=me,
        columns=columns,
        statuses=statuses,
        applications_tab=tabs.get("applications"),
        dashboard_tab=dashboard,
        source=where,
        serve_token=serve_token,
    )
    validate(cfg)
    _check_templates(cfg, written.get("templates_dir", ""), where)
    return cfg


def _serve_token(data: dict[str, Any], where: Path) -> str | None:
    """``[serve] token``; its value never appears in a message."""
    raw = data.pop("serve", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [serve] must be a table")
    unknown = sorted(set(raw) - {"token"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) in [serve]: {', '.join(unknown)}",
                          hint="known keys: token")  # fmt: skip
    token = raw.get("token")
    if token is not None and not isinstance(token, str):
        raise ConfigError(f"{where}: [serve] token must be text")
    return token or None


def _check_templates(cfg: Config, written: str, where: Path) -> None:
    """A ``templates_dir`` that is not a folder, or holds a template that does not
    compile, stops the run: silently drafting with other templates would mislead."""
    if not cfg.templates_dir:
        return
    folder = Path(cfg.templates_dir)
    if not folder.is_dir():
        raise ConfigError(
            f"{where}: templates_dir = {written!r}: no such folder ({folder})",
            hint="fix the path (relative to sheetsync.toml), or remove the key to use "
            "the built-in templates",
        )
    from sheetsync.messages.render import override_problems  # jinja: only when needed

    problems = override_problems(cfg)
    if problems:
        raise ConfigError(
            f"{where}: templates_dir = {written!r}: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            hint="fix the template (see templates/README.md), or move it out of the folder",
        )


def validate(cfg: Config) -> None:
    if cfg.timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(cfg.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"unknown time zone {cfg.timezone!r}",
                hint='use an IANA name such as "Europe/London"',
            ) from exc
    # The holiday country and subdivision are checked where the calendar is first
    # built (policy.bizdays): importing `holidays` for every run would cost more
    # than the rest of a small sync.
    if cfg.holiday_subdivision and not cfg.holidays:
        raise ConfigError(
            f"[calendar] subdivision = {cfg.holiday_subdivision!r} needs a country",
            hint='add `holidays = "<country code>"` under [calendar], e.g. "US"',
        )
    if cfg.rules.max_follow_ups < 1:
        raise ConfigError("[rules] max_follow_ups must be at least 1")

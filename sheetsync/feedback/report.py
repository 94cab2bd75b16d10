"""The feedback report (``sheetsync feedback``): themes ranked with quotes, open action items.

:func:`feedback_report` builds a JSON-able summary from the Feedback tab and
its computed columns; ``report_json``, ``report_csv``, ``report_markdown`` and
``report_text`` print it.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import date
from typing import Any

import pandas as pd

from sheetsync.agenda.items import AgendaItem
from sheetsync.config import Rules
from sheetsync.feedback.tab import aligned, feedback_context, open_items, text_of
from sheetsync.feedback.themes import OTHER, SEPARATOR, ThemeRules
from sheetsync.vocabulary import AWAIT_RESPONSE, NO_RESPONSE

CSV_FIELDS = ("section", "rank", "theme", "count", "due_on", "overdue", "action",
              "company", "role", "app_id", "text")  # fmt: skip


def feedback_report(
    frame: pd.DataFrame,
    computed: pd.DataFrame,
    today: date,
    *,
    rules: Rules | None = None,
    date_order: str | None = None,
    themes: ThemeRules | None = None,
) -> dict[str, Any]:
    """A JSON-able summary across all feedback (``sheetsync feedback``).

    ``themes`` is ranked by the number of responses that mention each theme
    (ties in rule order, ``other`` last), each with its quotes: the sentences
    that matched (the whole response when no rules are known, and for
    ``other``).  ``actions`` are the open items sorted by due date, with
    ``overdue`` flagged.
    """
    rules, date_order, known = feedback_context(computed, rules, date_order)
    next_actions = aligned(computed, "next_action", frame)
    responses = text_of(frame, "response")
    items = open_items(frame, computed, today, rules, date_order)
    return {
        "today": today.isoformat(),
        "requests": int((text_of(frame, "requested_on").str.strip() != "").sum()),
        "responses": int((responses.str.strip() != "").sum()),
        "awaiting_response": int((next_actions == AWAIT_RESPONSE).sum()),
        "no_response": int((next_actions == NO_RESPONSE).sum()),
        "themes": _ranked_themes(
            frame, aligned(computed, "themes", frame), themes or known, date_order
        ),
        "actions": _actions(items, today),
    }


def _iso_dates(texts: pd.Series, date_order: str) -> pd.Series:
    """Dates as ISO text (``Apr 30, 2026`` -> ``2026-04-30``); unreadable ones as typed."""
    from sheetsync.tracker.plan import iso_text
    from sheetsync.tracker.values import parse_dates

    parsed, _ = parse_dates(texts, date_order)
    iso = iso_text(parsed)
    return iso.where(parsed.notna(), texts.str.strip())


def _ranked_themes(
    frame: pd.DataFrame, labels: pd.Series, theme_rules: ThemeRules | None, date_order: str
) -> list[dict[str, Any]]:
    """Each theme with its quotes, most responses first."""
    responses = text_of(frame, "response")
    received = _iso_dates(text_of(frame, "received_on"), date_order)
    company, role, app_id = (text_of(frame, c) for c in ("company", "role", "app_id"))

    found: dict[str, list[dict[str, str]]] = {}
    for n in range(len(frame)):
        names = _split_themes(labels.iloc[n])
        if not names:
            continue
        text = responses.iloc[n]
        quotes = theme_rules.quotes(text) if theme_rules else {}
        whole = " ".join(text.split())
        for name in names:
            for quote in quotes.get(name) or [whole]:
                found.setdefault(name, []).append({
                    "quote": quote, "company": company.iloc[n].strip(),
                    "role": role.iloc[n].strip(), "app_id": app_id.iloc[n].strip(),
                    "received_on": received.iloc[n].strip(),
                })  # fmt: skip

    order = theme_rules.names if theme_rules else []
    counts = {name: _responses_with(labels, name) for name in found}

    def rank_key(name: str) -> tuple[int, bool, int, str]:
        position = order.index(name) if name in order else len(order)
        return (-counts[name], name == OTHER, position, name)

    return [
        {"rank": rank, "theme": name, "count": counts[name], "quotes": found[name]}
        for rank, name in enumerate(sorted(found, key=rank_key), start=1)
    ]


def _actions(items: list[tuple[AgendaItem, str]], today: date) -> list[dict[str, Any]]:
    """The open items by due date, overdue ones flagged."""
    actions = []
    for item, what in sorted(items, key=lambda t: (t[0].due_on, t[0].company, t[0].uid)):
        actions.append({
            "due_on": item.due_on.isoformat(), "overdue": item.overdue(today),
            "days_overdue": max((today - item.due_on).days, 0), "action": item.action,
            "company": item.company, "role": item.role, "app_id": item.app_id,
            "item": what, "uid": item.uid,
        })  # fmt: skip
    return actions


def _split_themes(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(SEPARATOR.strip()) if t.strip()]


def _responses_with(labels: pd.Series, name: str) -> int:
    return int(labels.map(lambda v: name in _split_themes(v)).sum())


# --- renderers --------------------------------------------------------------


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_csv(report: dict[str, Any]) -> str:
    """One flat table: a ``theme`` row per quote, then an ``action`` row per open item."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for theme in report["themes"]:
        for quote in theme["quotes"]:
            writer.writerow({
                "section": "theme", "rank": theme["rank"], "theme": theme["theme"],
                "count": theme["count"], "company": quote["company"], "role": quote["role"],
                "app_id": quote["app_id"], "text": quote["quote"],
            })  # fmt: skip
    for action in report["actions"]:
        writer.writerow({
            "section": "action", "due_on": action["due_on"],
            "overdue": "yes" if action["overdue"] else "no", "action": action["action"],
            "company": action["company"], "role": action["role"], "app_id": action["app_id"],
            "text": action["item"],
        })  # fmt: skip
    return buffer.getvalue()


def _summary(report: dict[str, Any]) -> str:
    return (
        f"{report['requests']} feedback request(s), {report['responses']} response(s), "
        f"{report['awaiting_response']} awaiting a response, "
        f"{report['no_response']} with no response"
    )


def _who(company: str, role: str) -> str:
    return " - ".join(p for p in (company, role) if p) or "(no company)"


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def report_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Feedback report ({report['today']})", "", _summary(report) + ".", ""]
    lines += ["## Themes", ""]
    if report["themes"]:
        lines += ["| Rank | Theme | Responses |", "|---:|---|---:|"]
        lines += [f"| {t['rank']} | {_md_cell(t['theme'])} | {t['count']} |"
                  for t in report["themes"]]  # fmt: skip
        for theme in report["themes"]:
            lines += ["", f"### {theme['rank']}. {theme['theme']} ({theme['count']})", ""]
            for q in theme["quotes"]:
                lines.append(f"> {_md_cell(q['quote'])}")
                lines.append(f"> — {_md_cell(_who(q['company'], q['role']))}")
                lines.append("")
            lines.pop()
    else:
        lines.append("No feedback responses yet.")
    lines += ["", "## Open action items", ""]
    if report["actions"]:
        lines += ["| Due | Overdue | Company | Role | Action | What to do |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for a in report["actions"]:
            late = f"**{a['days_overdue']} day(s)**" if a["overdue"] else ""
            lines.append(
                f"| {a['due_on']} | {late} | {_md_cell(a['company'])} | {_md_cell(a['role'])} "
                f"| {a['action']} | {_md_cell(a['item'])} |"
            )
    else:
        lines.append("Nothing open.")
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]]  # fmt: skip


def report_text(report: dict[str, Any], width: int = 88) -> str:
    """Plain text for a terminal: ranked themes with quotes, then open items."""
    lines = [f"Feedback ({report['today']}): {_summary(report)}", "", "Themes"]
    if not report["themes"]:
        lines.append("  no feedback responses yet")
    for theme in report["themes"]:
        lines.append(f"  {theme['rank']:>2}. {theme['theme']} ({theme['count']})")
        for q in theme["quotes"]:
            quote = f'"{q["quote"]}" - {_who(q["company"], q["role"])}'
            lines.append(textwrap.fill(quote, width=width, initial_indent="      ",
                                       subsequent_indent="       "))  # fmt: skip
    lines += ["", "Open action items"]
    if not report["actions"]:
        lines.append("  nothing open")
    else:
        rows = [
            [a["due_on"], f"{a['days_overdue']}d late" if a["overdue"] else "",
             _who(a["company"], a["role"]), a["action"], " ".join(a["item"].split())]
            for a in report["actions"]
        ]  # fmt: skip
        lines += ["  " + line for line in _table(["DUE", "OVERDUE", "FOR", "ACTION", "WHAT"], rows)]
    return "\n".join(lines) + "\n"

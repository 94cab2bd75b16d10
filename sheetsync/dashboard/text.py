"""``sheetsync dashboard``: the Dashboard's overview as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sheetsync.dashboard.overview import Item, Overview


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _items(items: list[Item]) -> list[tuple[str, str, str, str]]:
    return [(i.company, i.role, i.what, i.due_on.isoformat() if i.due_on else "")
            for i in items]  # fmt: skip


Section = tuple[str, Sequence[str], Sequence[Sequence[str]]]


def _sections(ov: Overview) -> list[Section]:
    """(title, header, rows) of every block, in the Dashboard's order."""
    return [
        ("Funnel", ("Stage", "Count"),
         [(label, str(n)) for label, n in ov.funnel]
         + [("Response rate", _percent(ov.response_rate)),
            ("Median days to first reply", _days(ov.median_days_to_reply))]),
        ("Applications sent per week", ("Week starting", "Applications"),
         [(d.isoformat(), str(n)) for d, n in ov.weekly]),
        ("Due in the next 7 days, and overdue", ("Company", "Role", "Action", "Due on"),
         list(_items(ov.due))),
        (f"Drafts awaiting approval ({ov.approved} approved, not sent yet)",
         ("Company", "Role", "Draft", "Due on"), list(_items(ov.awaiting_approval))),
        ("Open feedback action items", ("Company", "Role", "Action item", "Due on"),
         list(_items(ov.feedback_open))),
        ("Feedback themes", ("Theme", "Responses"), [(t, str(n)) for t, n in ov.themes]),
    ]  # fmt: skip


def overview_text(ov: Overview) -> str:
    lines = [f"Dashboard as of {ov.as_of.isoformat()}"]
    for title, header, rows in _sections(ov):
        lines += ["", title]
        if not rows:
            lines.append("  (none)")
            continue
        table = [header, *rows]
        widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
        for row in table:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                         .rstrip())  # fmt: skip
    return "\n".join(lines)


def overview_markdown(ov: Overview) -> str:
    lines = [f"# Dashboard as of {ov.as_of.isoformat()}"]
    for title, header, rows in _sections(ov):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("(none)")
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def overview_json(ov: Overview) -> str:
    return json.dumps(ov.as_dict(), indent=2)

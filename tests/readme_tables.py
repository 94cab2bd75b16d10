"""The README's tables of header synonyms and status words, made from the data files
(``sheetsync/tracker/headers.toml`` and ``statuses.toml``) so they cannot drift.

``python tests/readme_tables.py`` rewrites them in README.md; a test checks them.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import resources
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
MARKERS = ("headers", "statuses")


def _data(name: str) -> dict[str, list[str]]:
    text = resources.files("sheetsync.tracker").joinpath(name).read_text("utf-8")
    data = tomllib.loads(text)
    return dict(data["applications" if name == "headers.toml" else "statuses"])


def headers_table() -> str:
    rows = ["| sheetsync column | your header may also be |", "|---|---|"]
    for column, names in _data("headers.toml").items():
        if names:
            rows.append(f"| `{column}` | " + ", ".join(names) + " |")
    return "\n".join(rows)


def statuses_table() -> str:
    rows = ["| status | words read as it |", "|---|---|"]
    for status, words in _data("statuses.toml").items():
        rows.append(f"| `{status}` | " + ", ".join(words) + " |")
    return "\n".join(rows)


def _block(name: str) -> re.Pattern[str]:
    start = rf"<!-- {name} table: made by tests/readme_tables.py -->\n"
    return re.compile(rf"({start})(?:[^<]*\n)?(<!-- end -->)")


def generated(readme: str) -> str:
    """``readme`` with both tables made anew from the data."""
    for name, table in zip(MARKERS, (headers_table(), statuses_table()), strict=True):
        pattern = _block(name)
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no {name} table markers")
        readme = pattern.sub(lambda m, t=table: m[1] + t + "\n" + m[2], readme)
    return readme


if __name__ == "__main__":
    README.write_text(generated(README.read_text("utf-8")), "utf-8")
    sys.exit(0)

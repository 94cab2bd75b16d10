"""Files shipped with the package: templates and the sample tracker.

In a wheel they live inside the package (``sheetsync/templates``,
``sheetsync/data``); in a source checkout they are at the repository root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def templates_dir(package: Path = PACKAGE) -> Path:
    """The built-in templates: ``<package>/templates`` when installed, else ``<repo>/templates``."""
    inside = package / "templates"
    return inside if inside.is_dir() else package.parent / "templates"


def sample_sheet() -> str:
    for path in (PACKAGE / "data" / "sample_sheet.csv", ROOT / "sample_sheet.csv"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("sample_sheet.csv is missing from this installation")

"""What the backend remembers about a spreadsheet between runs, in one small JSON file.

Sheet ids, tabs already set up, and titles that differ from the tracker's tab
names: each saves a metadata read.  Losing the file only costs that read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

CACHE_FOLDER = "google-cache"  # under the state folder: one file per spreadsheet


def load_cache(path: Path | None) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": 1, "sheet_ids": {}, "set_up": [], "titles": {}}
    if not path or not path.is_file():
        return empty
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty  # a broken cache only costs a metadata read
    if not isinstance(data, dict) or data.get("version") != 1:
        return empty
    return {**empty, **data}


def save_cache(path: Path | None, data: dict[str, Any]) -> None:
    if not path:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # the cache is an optimisation; never fail a sync over it

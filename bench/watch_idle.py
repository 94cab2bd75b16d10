"""What an idle ``sheetsync watch`` costs: requests per hour at the default interval.

Run from the repository root::

    python bench/watch_idle.py            # prints the result, updates docs/benchmarks.md
    python bench/watch_idle.py --no-write # prints only

A watch on a Google Sheet against the fake API (real gspread over real HTTP):
the first sync and its confirming sync, then an hour of idle looks at the
default interval, then one edit.  The loop's sleep is simulated (each wait
returns at once), which changes nothing of what is counted: a look costs the
same requests whenever it happens.  The fake counts every request by API
method.  The same hour on a local CSV folder counts ``stat`` calls and reads.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "tests")):  # the package, and the fake API
    if entry not in sys.path:
        sys.path.insert(0, entry)

OUT = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- watch-idle -->", "<!-- /watch-idle -->"
TODAY = "2026-03-16"


def _script(looks: int, edit: Any = None) -> Any:
    """A sleep that returns at once ``looks`` times (running ``edit`` at the first), then
    stops the loop."""
    waits = [0]

    def sleep(seconds: float) -> bool:
        waits[0] += 1
        if waits[0] > looks:
            return True
        if edit is not None and waits[0] == 1:
            edit()
        return False

    return sleep


def measure_google(hour: int) -> dict[str, Any]:
    import datetime as dt

    from fakesheets import FakeGoogle

    from sheetsync.backends.google.sheets import GoogleSheetsBackend
    from sheetsync.config import Config
    from sheetsync.core import RunOptions, sync
    from sheetsync.live.changes import change_token
    from sheetsync.live.watch import DEFAULT_INTERVAL, Watcher
    from sheetsync.resources import sample_sheet
    from sheetsync.state import State

    fake = FakeGoogle().start()
    os.environ["SHEETSYNC_API_ENDPOINT"] = fake.url
    rows = list(csv.reader(io.StringIO(sample_sheet())))
    book = fake.create_spreadsheet({"Applications": rows})
    today = dt.date.fromisoformat(TODAY)
    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-watch-") as work:
        backend = GoogleSheetsBackend(book.id, cache_dir=Path(work) / "cache")
        state = State.open(backend.key, Path(work) / "state")

        def run_sync() -> bool:
            return sync(backend, state, Config(), RunOptions(today)).push_id is not None

        def watcher(sleep: Any) -> Watcher:
            return Watcher(lambda: change_token(backend), run_sync, sleep=sleep)

        first = watcher(_script(1))
        first.run()  # the first sync (writes) and its confirming sync
        fake.clear_log()
        idle = watcher(_script(hour - 1))
        idle.recorded = first.recorded
        started = time.perf_counter()
        idle.run()
        took = time.perf_counter() - started
        quiet = Counter(e.method_id for e in fake.requests())

        def edit() -> None:  # counting starts with the edit
            fake.clear_log()
            book.sheet("Applications").set(2, 1, "Edited Co")

        edited = watcher(_script(2, edit))  # the look after the edit, and the one after that
        edited.recorded = idle.recorded
        edited.run()
        edit = Counter(e.method_id for e in fake.requests())
    fake.stop()
    return {"looks": idle.stats.looks, "syncs": idle.stats.syncs, "by_method": quiet,
            "wall": took, "edit": edit, "interval": DEFAULT_INTERVAL}  # fmt: skip


def measure_local(hour: int) -> dict[str, Any]:
    from sheetsync.backends.create import new_tracker
    from sheetsync.backends.csv_folder import CsvFolderBackend
    from sheetsync.live.changes import change_token
    from sheetsync.live.watch import Watcher
    from sheetsync.resources import sample_sheet

    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-watch-") as work:
        path = Path(work) / "tracker"
        new_tracker(path, sample_sheet(), xlsx=False)
        backend = CsvFolderBackend(path)
        syncs: list[int] = []
        watcher = Watcher(lambda: change_token(backend), lambda: bool(syncs.append(1)),
                          sleep=_script(hour - 1))  # fmt: skip
        watcher.recorded = change_token(backend)
        started = time.perf_counter()
        watcher.run()
        took = time.perf_counter() - started
    return {"looks": watcher.stats.looks, "syncs": len(syncs), "wall": took}


def section(google: dict[str, Any], local: dict[str, Any]) -> str:
    methods = ", ".join(f"{n} {m.removeprefix('drive.').removeprefix('sheets.spreadsheets.')}"
                        for m, n in sorted(google["by_method"].items()))  # fmt: skip
    sheets = sum(n for m, n in google["by_method"].items() if m.startswith("sheets."))
    edit = ", ".join(f"{n} {m.removeprefix('drive.').removeprefix('sheets.spreadsheets.')}"
                     for m, n in sorted(google["edit"].items()))  # fmt: skip
    per_look = google["wall"] / max(google["looks"], 1) * 1000
    local_look = local["wall"] / max(local["looks"], 1) * 1000
    total = sum(google["by_method"].values())
    rows = [f"| Google Sheets (fake) | {google['looks']} | {total} ({methods}) | {sheets} | "
            f"{google['syncs']} | {per_look:.1f} ms |",
            f"| CSV folder | {local['looks']} | none (`stat` of each tab file) | none | "
            f"{local['syncs']} | {local_look:.2f} ms |"]  # fmt: skip
    return f"""{BEGIN}
## `sheetsync watch`, idle

Produced by `python bench/watch_idle.py` (not by `bench/run.py`, which keeps this
section): a watch on the sample tracker in Google Sheets (the fake API) at the
default interval of {google['interval']:g} s, one hour of looks with nobody editing.

| Tracker | Looks per hour | Requests per hour | Sheets API requests | Syncs | Time per look |
|---|---|---|---|---|---|
{rows[0]}
{rows[1]}

An edit then costs, over the next two looks: {edit} (at the first, the
sync that writes; at the second, the confirming sync that finds nothing to write).
Drive's `files.get` counts against Drive's per-user quota, not the Sheets quota
of 60 requests per minute per user.
{END}
"""


def keep_section(old: str, new_text: str) -> str:
    """``new_text`` with this section of ``old`` appended (bench/run.py rewrites the file)."""
    found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", old, re.S)
    return new_text.rstrip("\n") + "\n\n" + found.group(0) if found else new_text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    from sheetsync.live.watch import DEFAULT_INTERVAL

    hour = int(3600 / DEFAULT_INTERVAL)
    text = section(measure_google(hour), measure_local(hour))
    print(text)
    if not args.no_write:
        old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        pattern = re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?"
        body = re.sub(pattern, "", old, flags=re.S).rstrip("\n")
        OUT.write_text(body + "\n\n" + text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

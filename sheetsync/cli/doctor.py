"""`sheetsync doctor`: each check says what is wrong and how to fix it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import click

from sheetsync.cli.group import cli
from sheetsync.cli.options import Run, pass_run, sheet_options
from sheetsync.errors import SheetsyncError

if TYPE_CHECKING:  # `sheetsync --help` imports no pandas
    from sheetsync.config import Config
    from sheetsync.tracker.table import Table


@cli.command()
@sheet_options
@pass_run
def doctor(run: Run) -> None:
    """Check config, credentials, access to the sheet, headers and the state folder."""
    ok = True
    for check in run_checks(run):
        mark = "ok " if check.ok else "warn" if check.warn else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            ok = ok and check.warn
            if check.fix:
                click.echo(f"       fix: {check.fix}")
    if not ok:
        sys.exit(2)


def _mapping_checks(table: Table, config: Config) -> Iterator[Check]:
    """How the Applications tab was read, and the sheetsync.toml lines that fix the rest."""
    from sheetsync.tracker.mapping import describe

    found = describe(table, dict(config.statuses), config.century)
    shown = ", ".join(f"{column} <- {header!r}" for column, header in found.recognised)
    yield Check("Applications columns", True, shown or "none")
    if found.unknown:
        yield Check("your own columns", True, ", ".join(
            f"{h!r}" + (f" (like {c}?)" if c else "") for h, c in found.unknown))  # fmt: skip
    if found.date_orders:
        orders = ", ".join(f"{c}: {o}" for c, o in found.date_orders)
        yield Check("date order", "ambiguous" not in orders, orders,
                    "write the dates the column cannot tell apart as 2025-01-24")  # fmt: skip
    for header in found.dates_unmapped:
        yield Check(f"column {header!r}", False, "holds dates but sheetsync does not read it",
                    "if it is one of sheetsync's dates, map it under [columns] (see below)",
                    warn=True)  # fmt: skip
    for column in found.short_years:
        yield Check(f"{column} years", False, "some dates have a two-digit year (2/18/26)",
                    "write the years in full, or let sheetsync read them as 20xx (see below)",
                    warn=True)  # fmt: skip
    if found.statuses:
        words = ", ".join(f"{w!r} ({n} row(s))" for w, n in found.statuses)
        yield Check("status words", False, f"not understood: {words}",
                    "give each a meaning under [statuses] (see below)", warn=True)  # fmt: skip
    if found.suggestions:
        yield Check("suggested sheetsync.toml lines", True,
                    "\n       " + "\n       ".join(found.suggestions))  # fmt: skip


class Check(NamedTuple):  # a named tuple: `sheetsync --help` need not import dataclasses
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # worth a look, but nothing stops a sync


def run_checks(run: Run) -> Iterator[Check]:
    config = run.config
    yield Check(
        "config",
        True,
        str(config.source) if config.source else "built-in defaults (no sheetsync.toml found)",
    )
    if config.holidays:
        from sheetsync.policy.bizdays import check_calendar

        try:
            check_calendar(config.holidays, config.holiday_subdivision)
            where = config.holidays + (f"/{config.holiday_subdivision}"
                                       if config.holiday_subdivision else "")  # fmt: skip
            yield Check("holiday calendar", True, where)
        except SheetsyncError as exc:
            yield Check("holiday calendar", False, exc.message, exc.hint or "")
    if not run.location:
        yield Check(
            "sheet",
            False,
            "no sheet configured",
            'pass --sheet, or set `sheet = "..."` in sheetsync.toml',
        )
        return
    creds = (
        run.credentials or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or config.credentials
    )
    from sheetsync.backends import is_google

    if is_google(run.location) and not os.environ.get("SHEETSYNC_API_ENDPOINT"):
        from sheetsync.backends.google.auth import status

        who = status(creds)
        yield Check(
            "credentials",
            who.kind is not None and not who.problems,
            "; ".join(who.lines()),
            "; ".join(who.problems) or "see docs/google-setup.md",
        )
    try:
        workbook = run.backend.read()
    except SheetsyncError as exc:
        yield Check("sheet access", False, exc.message, exc.hint or "")
        return
    yield Check("sheet access", True, f"read {run.backend.label}")
    for name, table in workbook.tabs.items():
        try:
            columns = table.columns
        except SheetsyncError as exc:
            yield Check(f"{name} headers", False, exc.message, exc.hint or "")
            continue
        yield Check(
            f"{name} headers", True, f"{len(columns)} known column(s), {len(table.rows)} row(s)"
        )
        if name == "Applications":
            yield from _mapping_checks(table, config)
    from sheetsync.messages.render import Renderer

    template_problems = Renderer(config).check()
    yield Check(
        "templates",
        not template_problems,
        "; ".join(template_problems) or "every message template renders",
        "fix the named template file (see templates/README.md)" if template_problems else "",
    )
    try:
        state = run.state
        probe = state.folder / ".doctor"
        probe.write_text("ok")
        probe.unlink()
        yield Check("state folder", True, str(state.folder))
    except (OSError, SheetsyncError) as exc:
        yield Check(
            "state folder",
            False,
            str(exc),
            "set state_dir in sheetsync.toml to a folder you can write",
        )

"""What the terminal (and cron's mail) says: -q lines, dry runs, what comes next."""

from __future__ import annotations

from pathlib import Path

from conftest import run

from sheetsync.backends.csv_folder import CsvFolderBackend

TODAY = "2026-03-16"


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_quiet_names_each_due_item_and_problem_most_overdue_first(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(
        "id,company,role,contact_name,contact_email,applied_on,interview_on,follow_ups_sent\n"
        "a1,Acme,Analyst,Ann Lee,ann@acme.example,2026-02-20,,\n"  # application follow-up 03-06
        "b2,Bolt,Engineer,Bo Chan,bo@bolt.example,2026-03-02,,\n"  # due 03-16: today
        "c3,Cove,Designer,,,2026-03-10,31/02/2026,\n"  # a problem
        "d4,Dune,Writer,,,2026-03-15,,\n"  # due in two weeks: not mentioned
    )
    log = path.parent / "cron.log"
    out = run("sync", "-q", "--sheet", str(path), "--today", TODAY, "--log-file", str(log))
    lines = out.splitlines()
    assert lines == [
        "overdue by 10 days: Application follow-up to Ann Lee - Acme, Analyst "
        "(due Fri 06 Mar 2026)",
        "due today: Application follow-up to Bo Chan - Bolt, Engineer (due Mon 16 Mar 2026)",
        "problem: Cove - Designer (Applications row 4, id c3): interview_on: not a date "
        "('31/02/2026')",
    ]
    logged = log.read_text(encoding="utf-8")
    assert all(line in logged for line in lines)  # the cron mail is kept in the log too


def test_quiet_prints_nothing_at_all_when_nothing_needs_the_user(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker("company,role,applied_on\nAcme,Analyst,2026-03-13\n")
    assert run("sync", "-q", "--sheet", str(path), "--today", TODAY) == ""
    table = CsvFolderBackend(path).read()["Applications"]
    assert table.cell(0, "next_action") == "application_follow_up"  # the run did its work


def test_a_dry_run_says_first_that_nothing_was_written(tracker: Path) -> None:
    before = files(tracker)
    out = run("sync", "--dry-run", "--sheet", str(tracker), "--today", TODAY)
    assert out.splitlines()[0] == "Dry run: nothing written."
    assert "sheetsync synced" not in out and "sheetsync would have synced:" in out
    assert "draft(s) would be added" in out and "cell(s) would be written" in out
    assert " added," not in out.replace("would be added,", "")  # "would" throughout
    assert files(tracker) == before
    run("pull", "--sheet", str(tracker), "--today", TODAY)
    out = run("push", "--dry-run", "--sheet", str(tracker), "--today", TODAY)
    assert out.startswith("Dry run: nothing written.\n") and "sheetsync would have pushed:" in out
    assert files(tracker) == before


def test_when_nothing_is_due_the_next_three_actions_are_named(make_tracker) -> None:  # type: ignore[no-untyped-def]
    path = make_tracker(
        "company,role,applied_on\n"
        "Acme,Analyst,2026-03-10\nBolt,Engineer,2026-03-11\nCove,Designer,2026-03-12\n"
        "Dune,Writer,2026-03-13\n"
    )
    out = run("sync", "--sheet", str(path), "--today", TODAY)
    assert "Nothing due. Coming up next (3):" in out
    assert "Acme" in out and "Bolt" in out and "Cove" in out and "Dune" not in out
    out = run("agenda", "--sheet", str(path), "--today", TODAY, "--days", "1")
    assert "Coming up next (3):" in out and "Acme" in out


def test_application_names_under_fifty_characters_are_not_cut(make_tracker) -> None:  # type: ignore[no-untyped-def]
    name = "Northwind Analytics - Senior Data Visualisation"  # 47 characters
    company, role = name.split(" - ")
    path = make_tracker(f"company,role,applied_on\n{company},{role},2026-02-20\n")
    out = run("sync", "--sheet", str(path), "--today", TODAY)
    assert name in out and "…" not in out

"""Messages a careful person would send: private notes stay private, proper greetings,
every interviewer worded differently, graceful gaps, and lint that catches the rest."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import TODAY, counting_ids
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync import core
from sheetsync.config import Config
from sheetsync.messages.draft import CompanyNames
from sheetsync.messages.lint import lint_message
from sheetsync.messages.names import greeting_name
from sheetsync.tracker.table import Workbook

HEADER = ["company", "role", "contact_name", "contact_email", "interview_on", "interviewers",
          "thank_you_sent_on", "handwritten_note", "talking_points", "fit", "notes", "status",
          "rejected_on", "applied_on"]  # fmt: skip

PRIVATE_NOTES = ("One part of our conversation stood out: you seemed distracted and cut me off "
                 "twice; need to send references by Friday; nervous about the forklift "
                 "certification question; we discussed the $38/hr base rate and mandatory "
                 "overtime")  # fmt: skip
PRIVATE_WORDS = ("distracted", "cut me off", "references by Friday", "nervous", "forklift",
                 "$38", "overtime")  # fmt: skip


def _row(**cells: str) -> list[str]:
    return [cells.get(c, "") for c in HEADER]


def _drafts(rows: list[list[str]], config: Config) -> list[dict[str, str]]:
    outcome = core.compute(Workbook.from_grids({"Applications": [HEADER, *rows]}), TODAY,
                           config, new_id=counting_ids())  # fmt: skip
    return outcome.drafts.open_drafts


def _people(n: int) -> str:
    names = ["Dana Whitfield", "Sam Okafor", "Dr. Amanda Cole", "Denise Okoro, RN",
             "Paul Jensen, BSN, RN", "Principal Angela Ruiz", "Mei Lin", "Raj Mehta"]  # fmt: skip
    return "; ".join(f"{name} <p{i}@acme.example>" for i, name in enumerate(names[:n]))


def _sentences(body: str) -> set[str]:
    """The sentences of a body, greeting and sign-off onwards left out, names blanked."""
    lines = [line for line in body.splitlines() if line.strip()][1:]  # no greeting
    text = " ".join(lines[: next(i for i, line in enumerate(lines) if line.endswith(","))])
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()}


def test_no_word_of_the_private_notes_reaches_any_message(config: Config) -> None:
    rows = [
        _row(company="Acme", role="Forklift Operator", interview_on="2026-03-13",
             interviewers=_people(3), handwritten_note="yes", notes=PRIVATE_NOTES),
        _row(company="Bolt", role="Analyst", interview_on="2026-03-02",
             thank_you_sent_on="2026-03-03", contact_name="Ann Lee",
             contact_email="ann@bolt.example", notes=PRIVATE_NOTES),
        _row(company="Crane", role="Planner", applied_on="2026-02-10",
             contact_email="jobs@crane.example", notes=PRIVATE_NOTES),
        _row(company="Delta", role="Nurse", status="rejected", rejected_on="2026-03-13",
             contact_name="Dr. Amanda Cole", contact_email="a@delta.example",
             interview_on="2026-03-01", notes=PRIVATE_NOTES),
    ]  # fmt: skip
    drafts = _drafts(rows, config)
    assert {d["action"] for d in drafts} >= {"thank_you_email", "thank_you_note", "follow_up",
                                             "application_follow_up", "request_feedback"}
    for draft in drafts:
        text = draft["subject"] + "\n" + draft["body"]
        assert not [w for w in PRIVATE_WORDS if w in text], draft["draft_id"]


@pytest.mark.parametrize(("name", "first_name", "formal"), [
    ("Denise Okoro, RN", "Denise", "Denise Okoro"),
    ("Paul Jensen, BSN, RN", "Paul", "Paul Jensen"),
    ("Principal Angela Ruiz", "Principal Ruiz", "Principal Ruiz"),  # a title is kept
    ("Dr. Amanda Cole", "Dr. Cole", "Dr. Cole"),
    ("Amanda Cole, PhD", "Dr. Cole", "Dr. Cole"),
    ("Prof. Li Wei", "Professor Wei", "Professor Wei"),
    ("Ms. Jane Doe", "Ms. Doe", "Ms. Doe"),
    ("Coach Mike Brown", "Coach Brown", "Coach Brown"),
    ("Cole, Amanda", "Amanda", "Amanda Cole"),
    ("Dana", "Dana", "Dana"),
    ("dana whitfield", "Dana", "Dana Whitfield"),
    ("Hiring Team", "Hiring Team", "Hiring Team"),
    ("Dr.", "", ""),
])  # fmt: skip
def test_names_are_greeted_properly_in_each_style(name: str, first_name: str, formal: str) -> None:
    assert greeting_name(name) == first_name
    assert greeting_name(name, "formal") == formal


def test_greetings_in_drafts_follow_the_style_and_never_break(config: Config) -> None:
    row = _row(company="Acme", role="Nurse", interview_on="2026-03-13", interviewers=_people(6),
               talking_points="the night-shift staffing plan")  # fmt: skip
    for style, expected in (("first_name", {"Dana", "Sam", "Dr. Cole", "Denise", "Paul",
                                            "Principal Ruiz"}),
                            ("formal", {"Dana Whitfield", "Sam Okafor", "Dr. Cole",
                                        "Denise Okoro", "Paul Jensen", "Principal Ruiz"})):
        styled = dataclasses.replace(config, greeting_style=style)
        thanks = [d for d in _drafts([row], styled) if d["action"] == "thank_you_email"]
        greeted = {re.sub(r"^(Dear|Hello) (.*),$", r"\2", d["body"].splitlines()[0])
                   for d in thanks}  # fmt: skip
        assert greeted == expected
        assert not any("RN" in d["body"].splitlines()[0] for d in thanks)


@pytest.mark.parametrize("count", range(1, 9))
def test_every_interviewer_gets_a_note_of_their_own(config: Config, count: int) -> None:
    points = "\n".join(["the reporting pipeline", "the move to a new warehouse system",
                        "Dana: how the team plans its quarter", "the audit next spring"])
    row = _row(company="Acme", role="Analyst", interview_on="2026-03-13",
               interviewers=_people(count), handwritten_note="yes", talking_points=points)
    drafts = _drafts([row], config)
    for action in ("thank_you_email", "thank_you_note"):
        bodies = [d["body"] for d in drafts if d["action"] == action]
        assert len(bodies) == count
        for i, one in enumerate(bodies):
            for other in bodies[i + 1:]:
                mine, theirs = _sentences(one), _sentences(other)
                shared = {re.sub(r"\b(you|your)\b", "", s) for s in mine} & {
                    re.sub(r"\b(you|your)\b", "", s) for s in theirs}
                assert len(shared) * 2 < len(mine), (one, other)  # mostly their own
        if count >= 4:  # four shared points and more people: each point goes somewhere
            assert all(p in "".join(bodies) for p in ("reporting pipeline", "audit next"))
        dana = next(b for b in bodies if b.splitlines()[0].endswith("Dana,"))
        assert "how the team plans its quarter" in dana
        assert sum("plans its quarter" in b for b in bodies) == 1  # Dana's alone


def test_a_point_naming_its_recipient_speaks_to_them_and_never_about_them(
    config: Config,
) -> None:
    row = _row(company="Mosaic", role="Analyst", interview_on="2026-03-13",
               interviewers="Daniel Kim <d@m.example>; Laura Chen <l@m.example>",
               talking_points="Laura explained the audit-readiness project\n"
                              "Daniel: the reporting backlog\nZed: the parking")  # fmt: skip
    thanks = {d["to_name"]: d for d in _drafts([row], config) if d["action"] == "thank_you_email"}
    laura, daniel = thanks["Laura Chen"]["body"], thanks["Daniel Kim"]["body"]
    assert "you explained the audit-readiness project" in laura and "Laura" not in laura[12:]
    assert "the reporting backlog" in daniel and "Laura explained" not in daniel
    assert 'talking point for "Zed" matched no interviewer' in thanks["Daniel Kim"]["lint"]


def test_gaps_read_naturally_or_are_flagged(config: Config) -> None:
    rows = [
        _row(company="Acme", applied_on="2026-02-10", contact_email="jobs@acme.example"),
        _row(role="Analyst", applied_on="2026-02-10", contact_email="jobs@x.example"),
        _row(company="Bolt", role="Planner", applied_on="2026-02-10", contact_name="Ann Lee"),
    ]
    outcome = core.compute(Workbook.from_grids({"Applications": [HEADER, *rows]}), TODAY,
                           config, new_id=counting_ids())  # fmt: skip
    drafts = {d["company"]: d for d in outcome.drafts.open_drafts}
    assert "the position at Acme" in drafts["Acme"]["body"]
    assert "open role" not in drafts["Acme"]["body"] and " at and " not in drafts["Acme"]["body"]
    assert "" not in drafts  # no company: no draft ...
    assert outcome.apps["problems"].iloc[1].startswith("company: blank")  # ... but a problem
    bolt = drafts["Bolt"]
    assert bolt["body"].startswith("Dear Ann,") or bolt["body"].startswith("Hello Ann,")
    assert "no e-mail address for Ann Lee" in bolt["lint"] and bolt["mailto"] == ""


def test_a_second_round_interview_gets_its_own_thank_you(config: Config) -> None:
    row = _row(company="Acme", role="Analyst", interview_on="2026-03-13",
               thank_you_sent_on="2026-03-03", interviewers=_people(2), handwritten_note="yes",
               talking_points="the reporting pipeline")  # fmt: skip
    outcome = core.compute(Workbook.from_grids({"Applications": [HEADER, row]}), TODAY, config,
                           new_id=counting_ids())  # fmt: skip
    assert outcome.apps["next_action"].iloc[0] == "thank_you_email"
    assert str(outcome.apps["due_on"].iloc[0]) == "2026-03-14"
    actions = sorted(d["action"] for d in outcome.drafts.open_drafts)
    assert actions == ["thank_you_email"] * 2 + ["thank_you_note"] * 2


def test_a_handwritten_card_weeks_after_the_interview_is_not_drafted(config: Config) -> None:
    row = _row(company="Acme", role="Analyst", interview_on="2026-03-02",
               interviewers=_people(1), handwritten_note="yes")  # fmt: skip
    outcome = core.compute(Workbook.from_grids({"Applications": [HEADER, row]}), TODAY, config,
                           new_id=counting_ids())  # fmt: skip
    assert "too late for a handwritten card" in outcome.apps["why"].iloc[0]
    assert [d["action"] for d in outcome.drafts.open_drafts] == ["thank_you_email"]


def test_feedback_replies_are_short_and_thanks_name_what_it_was_about(config: Config) -> None:
    from sheetsync.messages.context import sample_context
    from sheetsync.messages.render import Renderer

    renderer = Renderer(config)
    context = sample_context(config.me)
    for variant in range(3):
        ask = renderer.render("request_feedback_interviewed", context, "k", variant=variant).body
        assert ask.count("?") == 1 and "\n- " not in ask and "\n1." not in ask
        thanks = renderer.render("thank_for_feedback",
                                 {**context, "feedback_themes": "my interview answers"}, "k",
                                 variant=variant).body  # fmt: skip
        assert "my interview answers" in thanks and "exactly what I needed" not in thanks


def _lint(body: str, action: str = "follow_up", **facts: object) -> str:
    me = Config().me
    me = dataclasses.replace(me, name="Jordan Rivera")
    signed = f"{body}\n\nBest regards,\nJordan Rivera"
    return "; ".join(lint_message(action, "email", "Hi", signed, me, **facts))  # type: ignore[arg-type]


@pytest.mark.parametrize(("hit", "near_miss"), [
    ("We discussed the $85k base.", "We discussed the 12k rows of data."),
    ("The role pays 38/hr.", "I can share the hourly reports."),
    ("Thanks for explaining the health insurance.", "I enjoyed hearing about health equity."),
    ("Mandatory overtime sounds fine.", "The project ran over time once."),
    ("Is there a relocation package?", "I am happy to relocate."),
    ("The equity package sounds generous.", "Your diversity and equity work is inspiring."),
    ("I would like a raise next year.", "I would like to raise one more point."),
])  # fmt: skip
def test_lint_flags_pay_words_and_amounts_but_not_their_look_alikes(
    hit: str, near_miss: str
) -> None:
    assert "mentions pay or benefits" in _lint("Dear Ann,\n\n" + hit)
    assert "mentions pay or benefits" not in _lint("Dear Ann,\n\n" + near_miss)


def test_lint_flags_the_rest_and_not_the_near_misses() -> None:
    thanks = "thank_you_email"
    veiled = _lint("Dear Ann,\n\nI was wondering whether you have decided.", thanks)
    assert "question in a thank-you" in veiled
    offer = _lint("Dear Ann,\n\nPlease let me know if I can send anything else.", thanks)
    assert "question" not in offer
    assert "sounds annoyed" in _lint("Dear Ann,\n\nI still haven't heard anything back.")
    assert "sounds annoyed" not in _lint("Dear Ann,\n\nI look forward to hearing from you.")
    others = CompanyNames(["Acme Health", "Bolt", "Crane & Co"]).finder("Acme Health", "Nurse")
    assert "another application's company (\"Bolt\")" in _lint(
        "Dear Ann,\n\nI would love to join Bolt.", others=others)
    assert "another application" not in _lint(
        "Dear Ann,\n\nI would love to join Acme Health, a bolt of energy.", others=others)
    wrong = _lint("Dear Tom,\n\nThank you.", to_name="Ann Lee", to_email="ann@x.example")
    assert "the greeting does not name Ann Lee" in wrong
    right = _lint("Dear Ms. Lee,\n\nThank you.", to_name="Ann Lee", to_email="ann@x.example")
    assert "greeting" not in right and "no e-mail address" not in right
    assert "no e-mail address for Ann Lee" in _lint("Dear Ann,\n\nHi.", to_name="Ann Lee",
                                                    to_email="")  # fmt: skip


def _first_other(names: list[str], company: str, text: str) -> str | None:
    """What CompanyNames finds, as one regex of every name says it."""
    kept = sorted({n.strip() for n in names if 3 <= len(n.strip()) <= 100},
                  key=lambda n: (-len(n), n))  # fmt: skip
    if not kept:
        return None
    pattern = re.compile(rf"(?<![\w&])(?:{'|'.join(re.escape(n) for n in kept)})(?![\w&])")
    own = f"{company}\nrole".casefold()
    return next((m.group(0) for m in pattern.finditer(text) if m.group(0).casefold() not in own),
                None)  # fmt: skip


_WORDS = st.sampled_from(["Acme", "Acme Health", "Bolt", "Bolt & Co", "AT&T", "Crane", "the",
                          "Co", "Health", "Bo", "é", "Éa", "(Acme)", "-Bolt", "x", "&Co",
                          "Acme-Health", "Acme.", "((Bo"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(names=st.lists(st.lists(_WORDS, min_size=1, max_size=3).map(" ".join), max_size=6),
       text=st.lists(st.one_of(_WORDS, st.sampled_from([" ", ", ", "&", "_", "."])),
                     max_size=14).map("".join),
       own=st.integers(min_value=0, max_value=5))  # fmt: skip
def test_company_names_are_found_as_one_regex_of_them_would(
    names: list[str], text: str, own: int
) -> None:
    company = names[own] if own < len(names) else "Zed"
    found = CompanyNames(names).finder(company, "role")(text)
    assert found == _first_other(names, company, text)


@pytest.mark.parametrize(("cell", "names", "expected"), [
    ("Dr. Amanda Cole: her research on sepsis alerts", ["Dr. Amanda Cole"],
     ["your research on sepsis alerts"]),
    ("Dana said she wants a faster close", ["Dana Whitfield"],
     ["you said you want a faster close"]),
    ("she explained the second site", ["Kevin Shah"], [""]),  # whose "she"? nobody's
    ("I asked about night-shift handoffs", ["Denise Okoro, RN"], ["night-shift handoffs"]),
    ("Elena liked my forecasting case study", ["Elena Rossi"], [""]),  # praise is not repeated
    ("Great question about conflict resolution", ["Sarah Park"], [""]),
    ("Paul told me they lost three nurses", ["Paul Jensen", "Denise Okoro"], ["", ""]),
    ("Amanda: the scheduling software", ["Amanda Price", "Amanda Cole"], ["", ""]),
    ("Classroom management", ["David Brown"], ["classroom management"]),
    ("the night-shift staffing plan", ["Denise Okoro"], ["the night-shift staffing plan"]),
])  # fmt: skip
def test_points_are_spoken_to_their_person_or_left_out(
    cell: str, names: list[str], expected: list[str]
) -> None:
    from sheetsync.messages.points import assign_points, point_problems

    assert [r.text for r in assign_points(cell, names)] == expected
    if "" in expected and len(cell.split(":")[0]) > 10:  # left out: lint says why
        assert point_problems(cell, names)


def test_up_to_four_interviewers_share_no_sentence_and_fit_ends_its_sentence(
    config: Config,
) -> None:
    fit = "eight years of med-surg nursing, including four as charge nurse"
    row = _row(company="Acme", role="Nurse", interview_on="2026-03-13", interviewers=_people(4),
               talking_points="the night-shift plan\nthe new wing", fit=fit)  # fmt: skip
    bodies = [d["body"] for d in _drafts([row], config) if d["action"] == "thank_you_email"]
    sentences = [_sentences(b) for b in bodies]
    for i, mine in enumerate(sentences):
        for theirs in sentences[i + 1:]:
            assert not (mine & theirs - {s for s in mine if "night-shift" in s or "wing" in s})
    for body in bodies:
        if fit in body:
            assert f"{fit}." in body  # the fit closes its sentence, commas and all
        first = body.splitlines()[0]
        assert not re.match(r"Hello \S+ \S+,", first)  # "Hello Dr. Cole," reads like a merge


def test_thanks_for_feedback_claims_nothing_the_feedback_did_not_say(config: Config) -> None:
    from sheetsync.messages.context import sample_context
    from sheetsync.messages.render import Renderer

    renderer = Renderer(config)
    plain = {**sample_context(config.me), "feedback_response": "We went with an internal "
             "candidate.", "feedback_themes": ""}  # fmt: skip
    for variant in range(3):
        body = renderer.render("thank_for_feedback", plain, "k", variant=variant).body
        assert not re.search(r"honesty|already started|act on|put .* to use", body)


def test_lint_says_when_there_is_no_fit_to_restate() -> None:
    from sheetsync.messages.lint import NO_FIT

    assert NO_FIT in _lint("Dear Ann,\n\nThank you.", "follow_up", has_fit=False)
    assert NO_FIT not in _lint("Dear Ann,\n\nThank you.", "follow_up", has_fit=True)
    assert NO_FIT not in _lint("Dear Ann,\n\nThank you.", "request_feedback", has_fit=False)


def test_a_favourable_feedback_reply_gets_a_handwritten_card_while_there_is_time(
    config: Config,
) -> None:
    from sheetsync.feedback.cards import is_favourable
    from sheetsync.tracker.schema import FEEDBACK_COLUMNS

    assert is_favourable("You were a very strong candidate; please apply again.")
    assert not is_favourable("We went with an internal candidate.")
    apps = [HEADER + ["id", "feedback_requested_on"],
            _row(company="Acme", role="Nurse", contact_name="Dr. Amanda Cole",
                 contact_email="a@acme.example", status="rejected", rejected_on="2026-03-02",
                 interview_on="2026-02-20") + ["A1", "2026-03-03"],
            _row(company="Bolt", role="Analyst", contact_name="Ann Lee",
                 contact_email="ann@bolt.example", status="rejected", rejected_on="2026-03-02",
                 interview_on="2026-02-20") + ["B1", "2026-03-03"]]  # fmt: skip

    def feedback(app_id: str, received: str, response: str) -> list[str]:
        cells = {"feedback_id": f"fb-{app_id}", "app_id": app_id, "requested_on": "2026-03-03",
                 "received_on": received, "response": response}  # fmt: skip
        return [cells.get(c, "") for c in FEEDBACK_COLUMNS]

    def cards(received: str) -> list[dict[str, str]]:
        grids = {"Applications": apps, "Feedback": [list(FEEDBACK_COLUMNS),
                 feedback("A1", received, "A very strong candidate; it was a tough decision."),
                 feedback("B1", received, "We went with an internal candidate.")]}  # fmt: skip
        outcome = core.compute(Workbook.from_grids(grids), TODAY, config, new_id=counting_ids())
        return [d for d in outcome.drafts.open_drafts if d["action"] == "thank_for_feedback_note"]

    fresh = cards("2026-03-13")
    assert [(d["company"], d["channel"], d["due_on"]) for d in fresh] == [
        ("Acme", "note", "2026-03-17")]  # two business days after the reply
    assert fresh[0]["body"].startswith("Dear Dr. Cole,") and fresh[0]["subject"] == ""
    assert cards("2026-03-01") == []  # two weeks on, a card is late: the e-mail is enough


def test_a_noun_phrase_reads_as_a_topic_and_a_clause_as_a_statement() -> None:
    from sheetsync.messages.points import assign_points

    def topic(cell: str) -> bool:
        return assign_points(cell, ["Ann Lee"])[0].topic

    assert topic("the night-shift staffing plan") and topic("how the team plans its quarter")
    assert topic("classroom management") and topic("the use of Epic on the wards")
    assert not topic("the team is moving to Epic") and not topic("they need a second analyst")


def test_a_feedback_cards_business_days_skip_the_calendars_holidays() -> None:
    import datetime as dt

    import pandas as pd

    from sheetsync.config import Rules
    from sheetsync.feedback.cards import card_rows
    from sheetsync.policy.bizdays import Calendar

    frame = pd.DataFrame({"response": ["A very strong candidate."], "received_on": ["2026-05-22"]})
    today = dt.date(2026, 5, 26)
    assert card_rows(frame, today, Rules(), "MDY") == [(0, "2026-05-26")]
    # Monday 25 May 2026 is Memorial Day in the US calendar
    assert card_rows(frame, today, Rules(), "MDY", Calendar("US")) == [(0, "2026-05-27")]

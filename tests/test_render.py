"""Message templates and the renderer: content rules, variants, overrides, safety."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sheetsync.config import Config, Me
from sheetsync.messages.context import build_context, date_text, sample_context
from sheetsync.messages.draft import channel_for, template_for
from sheetsync.messages.lint import NO_POINTS, POINTS_ACTIONS, lint_message
from sheetsync.messages.names import address_name
from sheetsync.messages.points import assign_points
from sheetsync.messages.render import SIGN_OFFS, Renderer, split_message
from sheetsync.resources import templates_dir
from sheetsync.vocabulary import MESSAGE_TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
ME = Me("Jordan Rivera", "jordan.rivera@example.com", "+1 555 0100", "linkedin.com/in/jordanrivera")
ROW: dict[str, Any] = {
    "id": "A02",
    "company": "Bluebird Health",
    "role": "Operations Coordinator",
    "contact_name": "Grace Kim",
    "contact_email": "grace.kim@bluebirdhealth.example",
    "applied_on": pd.Timestamp("2026-02-11"),
    "closing_date": pd.Timestamp("2026-02-25"),
    "interview_on": pd.Timestamp("2026-03-13"),
    "interview_type": "on-site",
    "interviewers": "Priya Natarajan <priya.n@bluebirdhealth.example>; Tom Becker",
    "decision_expected_on": pd.Timestamp("2026-03-27"),
    "talking_points": "Priya described the new patient-intake rollout; Tom asked how I would cut "
    "scheduling errors",
    "notes": "they seemed distracted; nervous about the $38/hr base rate",
    "response": "Good examples; be more concise when describing past projects.",
}
BARE_ROW: dict[str, Any] = {  # no notes, no interview, no role, no contact
    "id": "A08",
    "company": "Silverline Insurance",
    "role": float("nan"),
    "contact_name": None,
    "contact_email": None,
    "applied_on": pd.Timestamp("2026-02-10"),
    "closing_date": pd.NaT,
    "interview_on": pd.NaT,
    "decision_expected_on": None,
    "notes": float("nan"),
}
CASES = {
    "interviewer": (ROW, ("Priya Natarajan", "priya.n@bluebirdhealth.example")),
    "no-notes": ({**ROW, "notes": ""}, ("Grace Kim", "grace.kim@bluebirdhealth.example")),
    "no-name": (BARE_ROW, ("", "careers@silverline.example")),
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(Config(me=ME))


def user_renderer(folder: Path) -> Renderer:
    return Renderer(Config(me=ME, templates_dir=str(folder)))


def _all_renders(renderer: Renderer) -> list[tuple[str, str, int]]:
    return [
        (name, case, variant)
        for name in MESSAGE_TEMPLATES
        for case in CASES
        for variant in range(renderer.variants(name))
    ]


@pytest.mark.parametrize(
    ("name", "case", "variant"), _all_renders(Renderer(Config(me=ME))), ids=lambda v: str(v)
)
def test_every_template_renders_clean(
    renderer: Renderer, name: str, case: str, variant: int
) -> None:
    row, person = CASES[case]
    context = build_context(row, person, ME)
    out = renderer.render(name, context, "key", variant=variant)
    assert out.ok, out.error
    channel = channel_for(name)
    assert (out.subject != "") == (channel == "email")
    assert "None" not in out.body and "nan" not in out.body and "{" not in out.body
    expected = [NO_POINTS] if name in POINTS_ACTIONS and not context["notes"] else []
    problems = lint_message(name, channel, out.subject, out.body, ME,
                            has_points=bool(context["notes"]))  # fmt: skip
    assert problems == expected
    first_line = out.body.splitlines()[0]
    if person[0]:
        assert re.fullmatch(rf"(Dear|Hello) {context['recipient_first_name']},", first_line)
    else:
        assert first_line == "Hello,"
    assert "\n\n\n" not in out.body and not out.body.endswith("\n")
    # Signature: the name; for e-mail also every contact line, last of all LinkedIn.
    lines = out.body.splitlines()
    if channel == "note":
        assert lines[-1] == ME.name and ME.email not in out.body
    else:
        assert lines[-4:] == [ME.name, ME.email, ME.phone, ME.linkedin]
        assert lines[-5] in SIGN_OFFS


def test_long_names_and_notes_stay_within_the_word_limits(renderer: Renderer) -> None:
    row = {
        **ROW,
        "company": "Mosaic Health Partners of Greater Springfield",
        "role": "Senior Clinical Quality and Reporting Analyst",
        "notes": " ".join(["detail"] * 40),
    }
    me = Me("Jordan Rivera-Castellanos", ME.email, ME.phone, ME.linkedin)
    context = build_context(row, ("Dr. Ana Ruiz", ""), me)
    for name in MESSAGE_TEMPLATES:
        for variant in range(renderer.variants(name)):
            out = renderer.render(name, context, "k", variant=variant)
            problems = lint_message(name, channel_for(name), out.subject, out.body, me)
            assert not any("words" in p for p in problems)


@pytest.mark.parametrize("name", MESSAGE_TEMPLATES)
def test_each_template_has_three_distinct_wordings(renderer: Renderer, name: str) -> None:
    context = sample_context(ME)
    assert renderer.variants(name) >= 3
    bodies = {renderer.render(name, context, "k", variant=v).body for v in range(3)}
    assert len(bodies) == 3


def test_subjects_are_specific(renderer: Renderer) -> None:
    context = build_context(ROW, ("Tom Becker", ""), ME)
    subject = renderer.render("thank_you_email", context, "k").subject
    assert subject == "Thank you - Operations Coordinator interview"
    subject = renderer.render("application_follow_up", context, "k").subject
    assert subject == "Following up on my Operations Coordinator application"
    bare = build_context(BARE_ROW, ("", ""), ME)  # no role: the company stands in
    assert "Silverline Insurance" in renderer.render("follow_up", bare, "k").subject


@pytest.mark.parametrize("variant", range(3))
def test_talking_points_are_woven_in_and_spoken_to_the_recipient(
    renderer: Renderer, variant: int
) -> None:
    tom = build_context(ROW, ("Tom Becker", ""), ME)
    priya = build_context(ROW, ("Priya Natarajan", ""), ME)
    for name in ("thank_you_email", "thank_you_note", "follow_up", "check_in"):
        body = renderer.render(name, tom, "k", variant=variant).body
        assert ": you asked how I would cut scheduling errors." in body
        assert "Priya" not in body
        body = renderer.render(name, priya, "k", variant=variant).body
        assert ": you described the new patient-intake rollout." in body
        assert "distracted" not in body and "38" not in body  # notes are private


@pytest.mark.parametrize("variant", range(3))
def test_content_rules_per_message(renderer: Renderer, variant: int) -> None:
    context = sample_context(ME)

    def body(name: str) -> str:
        return renderer.render(name, context, "k", variant=variant).body.lower()

    for name in ("thank_you_email", "thank_you_note"):
        text = body(name)
        assert "thank" in text or "grateful" in text
        assert "?" not in text
    for name in ("follow_up", "check_in", "application_follow_up"):
        text = body(name)
        assert "interest" in text or "keen" in text or "enthusias" in text
        asks_status = r"where (things|the selection process) stand|where you are|update|news"
        assert re.search(asks_status, text)
        assert re.search(r"information|detail|references|anything", text)
    assert word_count(body("final_follow_up")) < 75
    door_open = re.compile(r"future (openings|opportunities|roles)|opens up|stay in touch")
    interviewed = body("request_feedback_interviewed")
    assert "thank" in interviewed and "interview" in interviewed and door_open.search(interviewed)
    not_interviewed = body("request_feedback_not_interviewed")
    assert "thank" in not_interviewed and door_open.search(not_interviewed)
    for text in (interviewed, not_interviewed):  # short: one open question, no survey
        assert text.count("?") == 1 and "\n- " not in text and word_count(text) < 110
    full = renderer.render("request_feedback_not_interviewed", {**context, "ask_all": True},
                           "k", variant=variant).body.lower()  # fmt: skip
    assert "resume" in full and "requirements" in full and full.count("?") == 3
    assert "feedback" in body("thank_for_feedback")


def word_count(text: str) -> int:
    return len(text.split())


def test_thank_for_feedback_follows_interviewed(renderer: Renderer) -> None:
    yes = build_context({**ROW, "interviewed": "yes"}, ("Grace Kim", ""), ME)
    no = build_context({**ROW, "interviewed": "no"}, ("Grace Kim", ""), ME)
    assert "my interview" in renderer.render("thank_for_feedback", yes, "k", variant=0).body
    assert "my application" in renderer.render("thank_for_feedback", no, "k", variant=0).body
    assert yes["feedback_response"].startswith("Good examples")


def test_signature_lines_only_when_set() -> None:
    renderer = Renderer(Config(me=Me("Jordan Rivera")))
    context = build_context(ROW, ("Grace Kim", ""), Me("Jordan Rivera"))
    body = renderer.render("follow_up", context, "k").body
    assert body.splitlines()[-1] == "Jordan Rivera"
    assert body.splitlines()[-2] in SIGN_OFFS


# -- variants -------------------------------------------------------------------------


def test_variant_is_deterministic_across_processes(renderer: Renderer) -> None:
    context = sample_context(ME)
    here = [renderer.render("follow_up", context, f"A{i}|x@example.com").body for i in range(6)]
    assert len(set(here)) > 1  # the key really chooses
    code = (
        "from sheetsync.messages.context import sample_context;"
        "from sheetsync.messages.render import Renderer;"
        "from sheetsync.config import Config, Me;"
        f"me = Me{tuple(vars(ME).values())!r};"
        "r = Renderer(Config(me=me));"
        "print('\\x00'.join(r.render('follow_up', sample_context(me), f'A{i}|x@example.com').body"
        " for i in range(6)))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        assert done.stdout.rstrip("\n").split("\x00") == here


def _strip_names(body: str, names: list[str]) -> str:
    lines = [line for line in body.splitlines() if line not in SIGN_OFFS]
    text = "\n".join(lines[1:])  # without greeting and sign-off
    for name in names:
        text = text.replace(name, "")
    return text


@pytest.mark.parametrize("name", MESSAGE_TEMPLATES)
def test_two_recipients_get_different_wordings(renderer: Renderer, name: str) -> None:
    people = [("Priya Natarajan", "priya.n@bluebirdhealth.example"), ("Tom Becker", "")]
    row = {**ROW, "notes": ""}
    contexts = [build_context(row, p, ME) for p in people]
    for app in ("A02", "A03", "A04", "A05"):
        keys = [f"{app}|{p[1] or p[0]}" for p in people]
        first, second = renderer.render_many(name, contexts, keys)
        assert first.ok and second.ok
        names = ["Priya", "Tom"]
        assert _strip_names(first.body, names) != _strip_names(second.body, names)


def test_more_recipients_than_variants_still_get_distinct_bodies(renderer: Renderer) -> None:
    people = [("Alex Morgan", f"alex{i}@example.com") for i in range(8)]  # same name
    contexts = [build_context(ROW, p, ME) for p in people]
    out = renderer.render_many("thank_you_email", contexts, [p[1] for p in people])
    assert all(r.ok for r in out)
    assert len({r.body for r in out}) == len(people)
    wordings = {_strip_names(r.body, ["Alex"]) for r in out}
    assert len(wordings) == renderer.variants("thank_you_email")


def test_render_many_skips_wordings_that_render_the_same(tmp_path: Path) -> None:
    source = "{% if variant < 2 %}Same{% elif variant == 2 %}Other{% endif %}"
    (tmp_path / "final_follow_up.txt.j2").write_text(source)
    renderer = user_renderer(tmp_path)
    for app in range(12):
        out = renderer.render_many("final_follow_up", {}, [f"A{app}|a", f"A{app}|b"])
        assert sorted(r.body for r in out) == ["Other", "Same"]


def test_render_many_is_order_independent_and_matches_render(renderer: Renderer) -> None:
    people = [("Priya Natarajan", "p@x.example"), ("Tom Becker", "t@x.example"),
              ("Grace Kim", "g@x.example")]  # fmt: skip
    contexts = [build_context(ROW, p, ME) for p in people]
    keys = [f"A02|{p[1]}" for p in people]
    forward = renderer.render_many("check_in", contexts, keys)
    backward = renderer.render_many("check_in", contexts[::-1], keys[::-1])
    assert forward == backward[::-1]
    alone = renderer.render_many("check_in", contexts[:1], keys[:1])
    assert alone == [renderer.render("check_in", contexts[0], keys[0])]
    shared = renderer.render_many("final_follow_up", contexts[0], keys)  # one shared context
    assert len({r.body for r in shared}) == 3


def test_render_many_needs_one_context_per_key(renderer: Renderer) -> None:
    with pytest.raises(ValueError, match="2 contexts for 3 recipients"):
        renderer.render_many("check_in", [{}, {}], ["a", "b", "c"])


# -- overrides, errors, sandbox ---------------------------------------------------------


def test_user_template_overrides_only_its_own_message(tmp_path: Path) -> None:
    (tmp_path / "thank_you_email.txt.j2").write_text(
        "Subject: Thanks, {{ recipient_first_name }}\n\nShort and sweet.\n{{ me.name }}\n"
    )
    renderer = user_renderer(tmp_path)
    context = sample_context(ME)
    custom = renderer.render("thank_you_email", context, "k")
    assert (custom.subject, custom.body) == ("Thanks, Dr. Ruiz", "Short and sweet.\nJordan Rivera")
    builtin = renderer.render("follow_up", context, "k")
    assert builtin.ok and builtin.subject.startswith("Following up on my")


def test_user_signature_applies_to_builtin_templates(tmp_path: Path) -> None:
    (tmp_path / "_signature.txt.j2").write_text("Cheers,\n{{ me.name }} (she/her)\n")
    out = user_renderer(tmp_path).render("follow_up", sample_context(ME), "k")
    assert out.body.endswith("Cheers,\nJordan Rivera (she/her)")


def test_a_signature_that_reads_the_message_is_rendered_for_each_message(tmp_path: Path) -> None:
    signature = "{{ sign_off }}\n{{ me.name }}, for {{ company }}\n"
    (tmp_path / "_signature.txt.j2").write_text(signature)
    renderer = user_renderer(tmp_path)
    for company in ("Acme", "Globex"):
        context = {**sample_context(ME), "company": company}
        out = renderer.render("follow_up", context, "k", variant=0)
        assert out.body.endswith(f"Jordan Rivera, for {company}")


def test_the_shown_signature_is_what_an_include_of_it_gives(tmp_path: Path) -> None:
    from sheetsync.messages.render import SIGN_OFFS

    source = (ROOT / "templates" / "follow_up.txt.j2").read_text(encoding="utf-8")
    assert "{{ signature }}" in source
    (tmp_path / "follow_up.txt.j2").write_text(
        source.replace("{{ signature }}", '{% include "_signature.txt.j2" %}'), encoding="utf-8"
    )
    included, shown = user_renderer(tmp_path), Renderer(Config(me=ME))
    for key in ("a", "b", "c", "d", "e", "f", "g"):  # several sign-offs
        wanted = included.render("follow_up", sample_context(ME), key)
        assert shown.render("follow_up", sample_context(ME), key) == wanted
        assert wanted.ok and any(wanted.body.count(s) for s in SIGN_OFFS)


def test_a_broken_signature_fails_the_e_mails_and_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "_signature.txt.j2").write_text("{{ me.name }\n")
    out = user_renderer(tmp_path).render("follow_up", sample_context(ME), "k")
    assert not out.ok and "_signature.txt.j2" in out.error


def test_syntax_error_names_file_and_line_and_spares_other_templates(tmp_path: Path) -> None:
    (tmp_path / "check_in.txt.j2").write_text("Subject: x\n\nHello\n{% if %}\n")
    renderer = user_renderer(tmp_path)
    out = renderer.render("check_in", sample_context(ME), "k")
    assert out.subject == "" and out.body == ""
    assert out.error.startswith(f"{tmp_path / 'check_in.txt.j2'} line 4: ")
    assert renderer.render("follow_up", sample_context(ME), "k").ok
    many = renderer.render_many("check_in", [sample_context(ME)] * 2, ["a", "b"])
    assert [bool(r.error) for r in many] == [True, True]


def test_undefined_variable_names_file_line_and_variable(tmp_path: Path) -> None:
    lines = ["Subject: Checking in", "", "Hello,", "", "", "", "{{ contact }}", ""]
    (tmp_path / "check_in.txt.j2").write_text("\n".join(lines))
    out = user_renderer(tmp_path).render("check_in", sample_context(ME), "k")
    assert out.error == f"{tmp_path / 'check_in.txt.j2'} line 7: 'contact' is undefined"


def test_user_templates_can_use_jinjas_global_helpers(tmp_path: Path) -> None:
    # range, namespace and friends stay available to a template.
    text = (
        "Subject: x\n\n{% set ns = namespace(n=0) %}"
        "{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}Total {{ ns.n }}\n"
    )
    (tmp_path / "check_in.txt.j2").write_text(text)
    out = user_renderer(tmp_path).render("check_in", sample_context(ME), "k")
    assert out.ok and out.body == "Total 3"


def test_error_in_builtin_include_names_the_builtin_file(tmp_path: Path) -> None:
    (tmp_path / "follow_up.txt.j2").write_text(
        "Subject: x\n\nHi\n{% include '_missing.txt.j2' %}\n"
    )
    out = user_renderer(tmp_path).render("follow_up", sample_context(ME), "k")
    assert "follow_up.txt.j2 line 4" in out.error and "_missing.txt.j2" in out.error


def test_error_in_a_builtin_template_is_shown_relative(renderer: Renderer) -> None:
    context = sample_context(ME)
    del context["point"]
    out = renderer.render("follow_up", context, "k", variant=0)
    assert re.fullmatch(r"templates/follow_up\.txt\.j2 line \d+: 'point' is undefined", out.error)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ me.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ recipient_name.format_map.__self__.__class__ }}",
    ],
)
def test_sandbox_blocks_python_internals(tmp_path: Path, source: str) -> None:
    (tmp_path / "thank_you_note.txt.j2").write_text(f"Hello\n{source}\n")
    out = user_renderer(tmp_path).render("thank_you_note", sample_context(ME), "k")
    assert out.body == "" and "line 2" in out.error
    assert "unsafe" in out.error or "undefined" in out.error


def test_unknown_template_is_an_error_not_an_exception(renderer: Renderer) -> None:
    out = renderer.render("thank_you_letter", sample_context(ME), "k")
    assert not out.ok and "thank_you_letter.txt.j2" in out.error
    assert renderer.variants("thank_you_letter") == 0


def test_templates_are_compiled_once(tmp_path: Path) -> None:
    path = tmp_path / "thank_you_note.txt.j2"
    path.write_text("First\n{{ me.name }}\n")
    renderer = user_renderer(tmp_path)
    assert renderer.render("thank_you_note", sample_context(ME), "k").body.startswith("First")
    path.write_text("Second\n{{ me.name }}\n")
    assert renderer.render("thank_you_note", sample_context(ME), "k").body.startswith("First")
    assert user_renderer(tmp_path).render("thank_you_note", sample_context(ME),
                                          "k").body.startswith("Second")  # fmt: skip


def test_variant_count_comes_from_the_template(tmp_path: Path) -> None:
    (tmp_path / "check_in.txt.j2").write_text("{{ ['a', 'b', 'c', 'd', 'e'][variant % 5] }}")
    (tmp_path / "follow_up.txt.j2").write_text("{% if 3 == variant %}x{% endif %}")
    (tmp_path / "final_follow_up.txt.j2").write_text("no variants")
    renderer = user_renderer(tmp_path)
    assert renderer.variants("check_in") == 5
    assert renderer.variants("follow_up") == 4
    assert renderer.variants("final_follow_up") == 1
    out = renderer.render_many("check_in", {}, [str(i) for i in range(5)])
    assert sorted(r.body for r in out) == ["a", "b", "c", "d", "e"]


def test_check_reports_problems(tmp_path: Path) -> None:
    assert Renderer(Config(me=ME)).check() == []
    (tmp_path / "follow_up.txt.j2").write_text("{{ typo_name }}")
    (tmp_path / "thank_you.txt.j2").write_text("x")
    problems = user_renderer(tmp_path).check()
    assert any("'typo_name' is undefined" in p for p in problems)
    assert any("no message is called 'thank_you'" in p for p in problems)
    missing = Renderer(Config(templates_dir=str(tmp_path / "nope"))).check()
    assert missing == [f"templates_dir {tmp_path / 'nope'} is not a folder"]


def test_builtin_folder_prefers_the_package(tmp_path: Path) -> None:
    package = tmp_path / "sheetsync"
    (package / "templates").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    assert templates_dir(package) == package / "templates"
    (package / "templates").rmdir()
    assert templates_dir(package) == tmp_path / "templates"
    assert (templates_dir() / "follow_up.txt.j2").is_file()  # installed or checkout


# -- context --------------------------------------------------------------------------


def test_build_context_types_and_blanks() -> None:
    context = build_context(ROW, ("Priya Natarajan <priya.n@bluebirdhealth.example>", ""), ME)
    assert context["interview_on"] == dt.date(2026, 3, 13)
    assert context["interview_day"] == "Friday"
    assert context["recipient_name"] == "Priya Natarajan"
    assert context["interviewed"] is True
    assert context["me"] is ME
    bare = build_context(BARE_ROW, ("", ""), ME)
    assert bare["role"] == "" and bare["contact_name"] == "" and bare["notes"] == ""
    assert bare["interview_on"] is None and bare["closing_date"] is None
    assert bare["interview_day"] == "" and bare["interviewed"] is False
    assert bare["applied_on"] == dt.date(2026, 2, 10)
    odd = build_context({"applied_on": "2026-02-10", "closing_date": "soon", "notes": pd.NA},
                        ("nan", "x@example.com"), ME)  # fmt: skip
    assert odd["applied_on"] == dt.date(2026, 2, 10) and odd["closing_date"] is None
    assert odd["notes"] == "" and odd["recipient_name"] == "" and odd["company"] == ""


def test_recipient_without_name_falls_back_to_the_contact() -> None:
    context = build_context(ROW, ("", "GRACE.KIM@bluebirdhealth.example"), ME)
    assert context["recipient_first_name"] == "Grace"


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("Ana Ruiz", "Ana"),
        ("Dr. Ana Ruiz", "Dr. Ruiz"),
        ("Dr. Ruiz", "Dr. Ruiz"),
        ("Ruiz, Ana", "Ana"),
        ("Ana Ruiz, PhD", "Dr. Ruiz"),
        ("Denise Okoro, RN", "Denise"),
        ("Principal Angela Ruiz", "Principal Ruiz"),
        ("ana ruiz", "Ana"),
        ("ANA-MARIA RUIZ", "Ana-Maria"),
        ("DeShawn McKenzie", "DeShawn"),
        ("J. Smith", "J. Smith"),
        ("Hiring Team", "Hiring Team"),
        ("Dr.", ""),
        ("", ""),
    ],
)
def test_address_name(name: str, address: str) -> None:
    assert address_name(name) == address


def _point(cell: str, recipient: str = "") -> str:
    return assign_points(cell, [recipient])[0].text


def test_a_talking_point_filters_trims_and_speaks_to_its_recipient() -> None:
    cell = "Team of five.\n- salary band is 90k\nAsk about dbt?; dashboards in Looker!"
    assert _point(cell) == "team of five"  # pay and questions left out, one point each
    assert _point("Dana's team is moving to a planning tool", "Dana Whitfield") == (
        "your team is moving to a planning tool"
    )
    long_sentences = "Team of five analysts. " + " ".join(["They use Looker daily."] * 8)
    assert _point(long_sentences) == "team of five analysts. " + " ".join(
        ["They use Looker daily."] * 4  # 4 + 4 * 4 = 20 words
    ).rstrip(".")
    clauses = "They are moving reporting to dashboards, " + "and " * 30 + "more"
    assert _point(clauses) == "they are moving reporting to dashboards"
    assert _point("x " * 40) == " ".join(["x"] * 20)
    assert _point("Leo is travelling", "Leo Marsh") == "you are travelling"
    assert _point("Ella wants a faster report", "Ella Moore") == "you want a faster report"
    assert _point("Raj will send the case", "Raj") == "you will send the case"
    assert _point("Mia was upbeat about the project", "Mia Scott") == (
        "you were upbeat about the project"
    )
    # a point that would still name its own recipient in the third person is not theirs
    assert _point("Ella really wants it", "Ella Moore") == ""


def test_date_text_and_helpers() -> None:
    assert date_text(dt.date(2026, 3, 4)) == "March 4"
    assert date_text(pd.Timestamp("2026-03-04"), order="DMY") == "4 March"
    assert date_text(None) == "" and date_text(pd.NaT) == ""
    assert template_for("request_feedback", interviewed=False) == "request_feedback_not_interviewed"
    assert template_for("request_feedback") == "request_feedback_interviewed"
    assert template_for("check_in") == "check_in"
    assert channel_for("thank_you_note") == "note" and channel_for("check_in") == "email"
    assert split_message("\nSubject:  Hi  there \n\nBody  text   \n\n\n\nEnd\n") == (
        "Hi there",
        "Body text\n\nEnd",
    )


def test_dmy_config_prints_day_first(tmp_path: Path) -> None:
    renderer = Renderer(Config(me=ME, date_order="DMY"))
    out = renderer.render("follow_up", sample_context(ME), "k", variant=0)
    assert "on 3 March for the" in out.body

"""Lint rules for drafted messages: one positive and one negative case per rule."""

from __future__ import annotations

import pytest

from sheetsync.config import Me
from sheetsync.messages.lint import NO_POINTS, duplicate_bodies, lint_message, mentions_pay

ME = Me("Jordan Rivera", "jordan.rivera@example.com", "+1 555 0100", "linkedin.com/in/jordanrivera")
SIGNATURE = "Best regards,\nJordan Rivera\njordan.rivera@example.com\n+1 555 0100"
SUBJECT = "Following up on my Data Analyst interview"


def email(text: str, *, signature: str = SIGNATURE) -> str:
    return f"Dear Ana,\n\n{text}\n\n{signature}"


def lint(
    body: str,
    *,
    action: str = "follow_up",
    channel: str = "email",
    subject: str = SUBJECT,
    me: Me = ME,
    **options: object,
) -> list[str]:
    return lint_message(action, channel, subject, body, me, **options)  # type: ignore[arg-type]


def test_a_good_message_has_no_problems() -> None:
    body = email("I remain very interested in the role. Could you share where things stand?")
    assert lint(body) == []


def test_note_signed_with_name_only_is_fine() -> None:
    body = "Dear Ana,\n\nThank you for your time.\n\nWith thanks,\nJordan Rivera"
    assert lint(body, action="thank_you_note", channel="note", subject="") == []


@pytest.mark.parametrize(("text", "flagged"), [
    ("Thanks so much! I loved it!", True),
    ("Thanks!! Great talk.", True),
    ("Thank you for your time! I enjoyed it.", False),
    ("Thank you for your time.", False),
])  # fmt: skip
def test_exclamation_marks(text: str, flagged: bool) -> None:
    problems = lint(email(text))
    assert any("exclamation marks: keep at most one" in p for p in problems) == flagged


def test_exclamation_in_subject_counts() -> None:
    problems = lint(email("One here!"), subject="Thanks!")
    assert "2 exclamation marks: keep at most one" in problems


@pytest.mark.parametrize(("text", "flagged"), [
    ("It was great to meet you \U0001f600.", True),
    ("Looking forward to it \U0001f44d", True),
    ("Great team \u2764\ufe0f", True),
    ("Talk soon :)", True),
    ("Talk soon ;-)", True),
    ("See the plan: (a) and (b). Caf\u00e9 \u2013 na\u00efve \u201cquotes\u201d \u2022 ok.", False),
])  # fmt: skip
def test_emoji(text: str, flagged: bool) -> None:
    assert any(p.startswith("emoji") for p in lint(email(text))) == flagged


def test_word_limits_for_email_and_note() -> None:
    long_email = email(" ".join(["word"] * 150))
    problems = lint(long_email)
    assert f"over 150 words ({len(long_email.split())}): trim it" in problems
    assert not any("words" in p for p in lint(email(" ".join(["word"] * 100))))
    note = "Dear Ana,\n\n" + " ".join(["word"] * 80) + "\n\nJordan Rivera"
    problems = lint(note, action="thank_you_note", channel="note", subject="")
    assert f"over 80 words ({len(note.split())}): trim it" in problems
    assert not any("words" in p for p in lint(note, channel="note", subject="",
                                             note_word_limit=100))  # fmt: skip
    assert any("over 40 words" in p for p in lint(email(" ".join(["w"] * 40)),
                                                  email_word_limit=40))  # fmt: skip


@pytest.mark.parametrize("text", [
    "I would like to discuss the salary.",
    "What is the pay range?",
    "Happy to talk about pay.",
    "The benefits package sounds great.",
    "Is there a signing bonus?",
    "Total compensation matters to me.",
    "How much PTO is there?",
    "Does it include a 401(k) match?",
    "Is there paid time off?",
    "What are the wages?",
])  # fmt: skip
def test_pay_and_benefits_are_flagged(text: str) -> None:
    assert any(p.startswith("mentions pay or benefits") for p in lint(email(text)))


@pytest.mark.parametrize("text", [
    "I pay close attention to detail.",
    "I paid attention to the reporting backlog.",
    "My work will pay off for the team.",
    "I am paying attention to the roadmap.",
    "I would repay the trust you place in me.",
    "The team would benefit from automation.",
    "Our payroll system migration went well.",
])  # fmt: skip
def test_pay_lookalikes_are_not_flagged(text: str) -> None:
    assert mentions_pay(text) is None
    assert not any(p.startswith("mentions pay") for p in lint(email(text)))


def test_question_in_thank_you_only() -> None:
    asks = email("Thank you for your time. When will I hear back?")
    assert "question in a thank-you: save it for a later follow-up" in lint(
        asks, action="thank_you_email"
    )
    assert not any("question" in p for p in lint(asks, action="follow_up"))
    url = email("Thank you for your time.", signature=SIGNATURE + "\nhttps://x.example/?ref=1")
    assert not any("question" in p for p in lint(url, action="thank_you_email"))


@pytest.mark.parametrize(("text", "snippet"), [
    ("I enjoyed learning about the [Job Title] role.", "[Job Title]"),
    ("Thank you, <Name>.", "<Name>"),
    ("I enjoyed our talk about {{ notes }}.", "{{ notes }}"),
    ("{% if notes %}Notes here.", "{% if notes %}"),
    ("I enjoyed learning about the None role.", "None"),
    ("Our talk about nan was great.", "nan"),
    ("TODO: add a point from the interview.", "TODO"),
    ("Signed, Your Name", "Your Name"),
    ("I enjoyed our talk about ____.", "____"),
])  # fmt: skip
def test_placeholders_are_flagged(text: str, snippet: str) -> None:
    problems = [p for p in lint(email(text)) if p.startswith("placeholder left over")]
    assert problems and snippet in problems[0]


def test_placeholder_lookalikes_are_not_flagged() -> None:
    text = "None of the reports were late. Sam <sam@x.example> can vouch for my work."
    assert not any(p.startswith("placeholder") for p in lint(email(text)))


@pytest.mark.parametrize(("greeting", "flagged"), [
    ("Dear ,", True),
    ("Hi ,", True),
    ("Dear,", True),
    ("Dear Ms. ,", True),
    ("Hello,", False),
    ("Dear Ana,", False),
    ("Hi Ana,", False),
])  # fmt: skip
def test_empty_greeting(greeting: str, flagged: bool) -> None:
    body = f"{greeting}\n\nThank you for your time.\n\n{SIGNATURE}"
    assert any(p.startswith("empty greeting") for p in lint(body)) == flagged


def test_missing_subject_only_for_email() -> None:
    assert "no subject: add one" in lint(email("Hello again."), subject="  ")
    note = "Dear Ana,\n\nThank you.\n\nJordan Rivera"
    assert "no subject: add one" not in lint(note, action="thank_you_note", channel="note",
                                             subject="")  # fmt: skip


def test_missing_signature() -> None:
    unsigned = email("Thank you for your time.", signature="Best regards")
    assert "no signature: end with your name (Jordan Rivera)" in lint(unsigned)
    early = "Jordan Rivera here.\n\n" + "\n".join(f"line {i}" for i in range(10))
    assert "no signature: end with your name (Jordan Rivera)" in lint(early)
    assert not any(p.startswith("no signature") for p in lint(email("Thanks.")))


def test_missing_contact_details_for_email_only() -> None:
    bare = email("Thank you for your time.", signature="Best regards,\nJordan Rivera")
    assert "no contact details in the signature: add your e-mail or phone" in lint(bare)
    assert lint(bare, me=Me("Jordan Rivera", linkedin="linkedin.com/in/jr")) == []
    note = "Dear Ana,\n\nThank you.\n\nJordan Rivera"
    assert lint(note, action="thank_you_note", channel="note", subject="") == []


@pytest.mark.parametrize("me", [Me(), Me(name="  ")])
def test_default_sender_name_is_reported(me: Me) -> None:
    body = email("Thank you for your time.", signature="Best regards,\nYour Name")
    problems = lint(body, me=me)
    assert "no sender name: set name under [me] in the config" in problems
    assert not any(p.startswith("no signature") for p in problems)


def test_no_notes_only_for_messages_that_recall_the_interview() -> None:
    body = email("Thank you for your time.")
    for action in ("thank_you_email", "follow_up", "check_in"):
        assert NO_POINTS in lint(body, action=action, has_points=False)
        assert NO_POINTS not in lint(body, action=action, has_points=True)
    for action in ("final_follow_up", "application_follow_up", "request_feedback"):
        assert NO_POINTS not in lint(body, action=action, has_points=False)


def test_empty_body() -> None:
    assert lint("   ")[0] == "empty body: write the message or skip the draft"
    assert not any(p.startswith("empty body") for p in lint(email("Hi.")))


def test_duplicate_bodies_within_one_application() -> None:
    drafts = [
        ("A1", "d1", "Thank you for\nyour time.", "Priya Natarajan"),
        ("A1", "d2", "Thank you for your  time.", "Tom Becker"),
        ("A1", "d3", "A different text.", "Grace Kim"),
        ("A2", "d4", "Thank you for your time.", "Ben Carter"),  # other application
        ("A1", "d5", "", "Nobody"),
        ("A1", "d6", "   ", "Nobody"),
    ]
    assert duplicate_bodies(drafts) == {
        "d1": "same body as the draft to Tom Becker: reword one",
        "d2": "same body as the draft to Priya Natarajan: reword one",
    }


def test_duplicate_bodies_without_names() -> None:
    drafts = [("A1", "d1", "Same."), ("A1", "d2", "same."), ("A1", "d3", "Same.")]
    assert duplicate_bodies(drafts) == {
        "d1": "same body as draft d2: reword one",
        "d2": "same body as draft d1: reword one",
        "d3": "same body as draft d1: reword one",
    }
    assert duplicate_bodies([("A1", "d1", "One."), ("A1", "d2", "Two.")]) == {}

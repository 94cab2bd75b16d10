"""The cheap substring tests in lint never hide a problem the full patterns would find."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.messages import lint

# Pieces that make the patterns match (or nearly), mixed with ordinary text.
PIECES = [
    "Dear", "dear", "Hi", "Hello", "Hey", "Good morning", " ", "\t", ",", ".", "\n", "Mr",
    "Mrs", "Ms", "Mx", "Dr", "Prof", "Ana", "[", "]", "Job Title", "<", ">", "Name", "{{",
    "}}", "{%", "%}", "{#", "None", "none", "of", "nan", "NaN", "NaT", "TODO", "tbd", "Lorem",
    "lorem ipsum", "___", "_", "Your Name", "Company Name", "Hiring Manager Name", "pay",
    "Pay", "salary", "SALARY", "401(k)", "401k", "PTO", "paid time off", "stock options",
    "bonus", "benefits", "wage", "pension", "attention", "off", "range", "x", "$", "85",
    "k", "K", "/hr", "/ yr", " a year", " per hour", "hourly", " rate", "health", " insurance",
    "overtime", "relocation", " package", "a raise", "equity", "-", "£", "40,000",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
check = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@check
@given(texts)
def test_placeholder_prefilter_is_sound(text: str) -> None:
    full = [m.group(0) for p in lint.PLACEHOLDERS for m in p.finditer(text) if m.group(0).strip()]
    assert bool(lint._placeholders(text)) == bool(full)


@check
@given(texts)
def test_pay_prefilter_is_sound(text: str) -> None:
    found = [m for m in (lint.PAY_WORDS.search(text), lint.PAY_AMOUNT.search(text)) if m]
    first = min(found, key=lambda m: m.start()).group(0) if found else None
    assert lint.mentions_pay(text) == first


TONE_PIECES = [
    "I ", "i ", "still ", "have", "haven't", "havent", "not ", "had no ", "heard", " back",
    "frustrating", "Annoyed", "per my last email", "as I ", "already ", "said ", "before",
    "no one ", "has ", "replied", "it's ", "been ", "weeks", "ignored ", "me", "I was ",
    "wondering", "wondered", "would like to know", "could you ", "please ", "let me know ",
    "tell me ", "whether", "share", "confirm", "clarify", "you ", "x", ".", "\n",
]  # fmt: skip


@check
@given(st.lists(st.sampled_from(TONE_PIECES), max_size=10).map("".join))
def test_tone_and_question_prefilters_are_sound(text: str) -> None:
    low = text.lower()
    if lint.ANNOYED.search(text):
        assert lint._contains_any(low, lint._ANNOYED_HINTS)
    if lint.VEILED_QUESTION.search(text):
        assert lint._contains_any(low, lint._VEILED_HINTS)


EMOTICON_PIECES = [":", ";", "-", ")", "(", "D", "P", "p", "a", " ", "_", "\n", "é", "1"]


@check
@given(st.lists(st.sampled_from(EMOTICON_PIECES), max_size=14).map("".join))
def test_emoticon_search_finds_what_the_pattern_finds(text: str) -> None:
    expected = lint.EMOTICON.search(text)
    found = lint._emoticon(text)
    assert (found and (found.start(), found.group(0))) == (
        expected and (expected.start(), expected.group(0))
    )


@pytest.mark.parametrize(
    "placeholder",
    ["[Job Title]", "<Name>", "{{ company }}", "{% if x %}", "{# note #}", "None", "nan",
     "NaN", "NaT", "TODO", "fixme", "TBD", "XXX", "Lorem ipsum", "Your Name", "Company Name",
     "Job Title", "Hiring Manager Name", "____"],
)  # fmt: skip
def test_every_kind_of_placeholder_gets_past_the_prefilter(placeholder: str) -> None:
    text = f"Thank you for the chat about the role ({placeholder}) on Tuesday."
    assert lint._placeholders(text), placeholder


EMOJI_PIECES = ["a", " ", "!", ":", ")", "é", "\u2764", "\ufe0f", "\U0001f600", "\u2b50", "\n"]


@check
@given(st.lists(st.sampled_from(EMOJI_PIECES), max_size=10).map("".join))
def test_ascii_text_is_never_flagged_for_emoji_and_other_text_is_searched(text: str) -> None:
    from sheetsync.config import Me

    problems = lint.lint_message("follow_up", "email", "Hello", text, Me("A B"))
    flagged = any(p.startswith("emoji") for p in problems)
    assert flagged == bool(lint.EMOJI.search(text) or lint.EMOTICON.search(text))


NAME_PIECES = ["Ana", "Ruiz", "Dr.", "Ana Ruiz", "Ruiz, Ana", " ", "  ", "\n", ";", "'s", "asked",
               "ana", "Anna", "the team", "Tom", "-", "?", "pay"]  # fmt: skip


@check
@given(
    st.lists(st.sampled_from(NAME_PIECES), max_size=10).map("".join),
    st.sampled_from(["Ana Ruiz", "Dr. Ana Ruiz", "Dr. Ruiz", "ana ruiz", "Ana", "", "Tom Lowe"]),
)
def test_talking_points_look_for_the_recipient_only_where_a_form_of_the_name_is(
    notes: str, recipient: str
) -> None:
    from sheetsync.messages import points as module
    from sheetsync.messages.names import Person

    forms = Person.parse(recipient).forms()
    pattern = module._mention_regex(forms) if forms else None
    points = [p.text for p in module.split_points(notes)]
    named = bool(pattern) and any(pattern.search(p) for p in points if p)
    assert named <= any(f in "\n".join(points) for f in forms)  # never hides a mention

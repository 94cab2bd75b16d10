"""The cheap substring tests in lint never hide a problem the full patterns would find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync import lint

# Pieces that make the patterns match (or nearly), mixed with ordinary text.
PIECES = [
    "Dear", "dear", "Hi", "Hello", "Hey", "Good morning", " ", "\t", ",", ".", "\n", "Mr",
    "Mrs", "Ms", "Mx", "Dr", "Prof", "Ana", "[", "]", "Job Title", "<", ">", "Name", "{{",
    "}}", "{%", "%}", "{#", "None", "none", "of", "nan", "NaN", "NaT", "TODO", "tbd", "Lorem",
    "lorem ipsum", "___", "_", "Your Name", "Company Name", "Hiring Manager Name", "pay",
    "Pay", "salary", "SALARY", "401(k)", "401k", "PTO", "paid time off", "stock options",
    "bonus", "benefits", "wage", "pension", "attention", "off", "range", "x",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
check = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@check
@given(texts)
def test_empty_greeting_prefilter_is_sound(text: str) -> None:
    if lint.EMPTY_GREETING.search(text):
        assert lint._may_greet_empty(text)


@check
@given(texts)
def test_placeholder_prefilter_is_sound(text: str) -> None:
    full = [m.group(0) for p in lint.PLACEHOLDERS for m in p.finditer(text) if m.group(0).strip()]
    assert bool(lint._placeholders(text)) == bool(full)


@check
@given(texts)
def test_pay_prefilter_is_sound(text: str) -> None:
    match = lint.PAY_WORDS.search(text)
    assert lint.mentions_pay(text) == (match.group(0) if match else None)

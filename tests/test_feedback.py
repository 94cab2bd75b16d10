"""The Feedback tab: row creation, computed columns, themes, agenda and report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.config import Rules
from sheetsync.errors import ConfigError
from sheetsync.feedback.report import (
    feedback_report,
    report_csv,
    report_json,
    report_markdown,
    report_text,
)
from sheetsync.feedback.tab import compute_feedback, feedback_agenda, new_feedback_rows
from sheetsync.feedback.themes import OTHER, ThemeRules, builtin_rules, load_themes
from sheetsync.tracker.schema import FEEDBACK_COLUMNS, FEEDBACK_OWNED_COLUMNS
from sheetsync.vocabulary import ACT_ON_FEEDBACK, AWAIT_RESPONSE, NO_RESPONSE, THANK_FOR_FEEDBACK

TODAY = date(2026, 3, 16)  # a Monday
RULES = Rules()
APP_COLUMNS = ("id", "company", "role", "interview_on", "feedback_requested_on")


def feedback_frame(*rows: dict[str, str], index: list[int] | None = None) -> pd.DataFrame:
    """A text frame like ``Table.frame()`` of the Feedback tab."""
    data = [{c: row.get(c, "") for c in FEEDBACK_COLUMNS} for row in rows]
    return pd.DataFrame(data, columns=list(FEEDBACK_COLUMNS), index=index, dtype=object)


def apps_frame(*rows: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(APP_COLUMNS, r, strict=True)) for r in rows], dtype=object)


def compute(
    frame: pd.DataFrame,
    today: date = TODAY,
    rules: Rules = RULES,
    order: str = "MDY",
    themes: ThemeRules | None = None,
) -> pd.DataFrame:
    return compute_feedback(frame, today, rules, order, themes or builtin_rules())


def one(row: dict[str, str], today: date = TODAY, rules: Rules = RULES) -> dict[str, str]:
    """The computed cells of a single row."""
    return compute(feedback_frame(row), today, rules).iloc[0].to_dict()


# --- new rows ----------------------------------------------------------------


def test_new_rows_one_per_requested_application() -> None:
    apps = apps_frame(
        ("A1", "Acme", "Data Analyst", "2026-02-20", "2026-03-02"),
        ("A2", "Beta", "PM", "", "2026-03-03"),
        ("A3", "Gamma", "Dev", "2026-03-01", ""),  # no request: no row
        ("", "Delta", "QA", "", "2026-03-01"),  # no id yet: next sync
        ("A5", "Eps", "Ops", "2026-03-10", "2026-03-05"),  # interview after the request
    )
    rows = new_feedback_rows(apps, set(), TODAY)
    assert rows == [
        {"feedback_id": "fb-A1", "app_id": "A1", "company": "Acme", "role": "Data Analyst",
         "interviewed": "yes", "requested_on": "2026-03-02"},
        {"feedback_id": "fb-A2", "app_id": "A2", "company": "Beta", "role": "PM",
         "interviewed": "no", "requested_on": "2026-03-03"},
        {"feedback_id": "fb-A5", "app_id": "A5", "company": "Eps", "role": "Ops",
         "interviewed": "no", "requested_on": "2026-03-05"},
    ]  # fmt: skip


def test_interview_on_the_request_day_counts_as_interviewed() -> None:
    apps = apps_frame(("A1", "Acme", "", "2026-03-02", "2026-03-02"))
    assert new_feedback_rows(apps, set(), TODAY)[0]["interviewed"] == "yes"


def test_rows_are_created_exactly_once_across_syncs() -> None:
    apps = apps_frame(
        ("A1", "Acme", "Analyst", "", "2026-03-02"),
        ("A2", "Beta", "PM", "", ""),
    )
    tab: list[dict[str, str]] = []
    for _ in range(3):
        tab += new_feedback_rows(apps, {r["app_id"] for r in tab}, TODAY)
    assert [r["app_id"] for r in tab] == ["A1"]

    # A2's request is recorded later: exactly one more row, then nothing.
    apps.loc[1, "feedback_requested_on"] = "2026-03-10"
    for _ in range(3):
        tab += new_feedback_rows(apps, {r["app_id"] for r in tab}, TODAY)
    assert [r["app_id"] for r in tab] == ["A1", "A2"]


def test_a_hand_added_row_for_the_application_prevents_a_new_one() -> None:
    apps = apps_frame(("A1", "Acme", "", "", "2026-03-02"), ("A2", "Beta", "", "", "2026-03-02"))
    rows = new_feedback_rows(apps, {"A1", ""}, TODAY)
    assert [r["app_id"] for r in rows] == ["A2"]


def test_duplicate_application_ids_give_one_row() -> None:
    apps = apps_frame(("A1", "Acme", "", "", "2026-03-02"), ("A1", "Acme", "", "", "2026-03-04"))
    assert len(new_feedback_rows(apps, set(), TODAY)) == 1


def test_feedback_id_taken_by_a_hand_made_row_gets_a_suffix() -> None:
    apps = apps_frame(("A1", "Acme", "", "", "2026-03-02"))
    rows = new_feedback_rows(apps, set(), TODAY, existing_feedback_ids={"fb-A1"})
    assert rows[0]["feedback_id"] == "fb-A1-2"


def test_future_or_unreadable_request_dates_wait() -> None:
    apps = apps_frame(
        ("A1", "Acme", "", "", "2026-03-17"),  # tomorrow
        ("A2", "Beta", "", "", "next week"),
    )
    assert new_feedback_rows(apps, set(), TODAY) == []
    assert len(new_feedback_rows(apps, set(), date(2026, 3, 17))) == 1


def test_text_dates_follow_the_date_order_and_unreadable_interview_is_not_guessed() -> None:
    apps = apps_frame(
        ("A1", "Acme", "", "01/03/2026", "02/03/2026"),  # DMY: 1 Mar, 2 Mar
        ("A2", "Beta", "", "sometime", "02/03/2026"),
    )
    rows = new_feedback_rows(apps, set(), TODAY, date_order="DMY")
    assert rows[0]["requested_on"] == "2026-03-02"
    assert rows[0]["interviewed"] == "yes"
    assert rows[1]["interviewed"] == ""


def test_typed_applications_are_accepted() -> None:
    apps = pd.DataFrame({
        "id": ["A1", "A2"], "company": ["Acme", "Beta"], "role": ["Analyst", ""],
        "interview_on": pd.to_datetime(["2026-02-27", None]),
        "feedback_requested_on": pd.to_datetime(["2026-03-02", "2026-03-04"]),
    })  # fmt: skip
    rows = new_feedback_rows(apps, set(), TODAY)
    assert [(r["app_id"], r["interviewed"], r["requested_on"]) for r in rows] == [
        ("A1", "yes", "2026-03-02"),
        ("A2", "no", "2026-03-04"),
    ]


# --- next_action ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "action", "due"),
    [
        (date(2026, 3, 2), AWAIT_RESPONSE, "2026-03-16"),  # the request day
        (date(2026, 3, 16), AWAIT_RESPONSE, "2026-03-16"),  # day 14: still waiting
        (date(2026, 3, 17), NO_RESPONSE, ""),  # day 15: stop, do not chase
    ],
)
def test_await_response_then_no_response(today: date, action: str, due: str) -> None:
    got = one({"feedback_id": "fb-A1", "app_id": "A1", "requested_on": "2026-03-02"}, today)
    assert (got["next_action"], got["due_on"], got["problems"]) == (action, due, "")


def test_wait_days_come_from_the_rules() -> None:
    row = {"app_id": "A1", "requested_on": "2026-03-02"}
    assert one(row, date(2026, 3, 10), Rules(feedback_wait_days=7))["next_action"] == NO_RESPONSE
    assert one(row, date(2026, 3, 9), Rules(feedback_wait_days=7))["due_on"] == "2026-03-09"


def test_received_feedback_is_thanked_the_next_day() -> None:
    row = {"app_id": "A1", "requested_on": "2026-03-02", "received_on": "2026-03-10",
           "response": "Your CV was too long."}  # fmt: skip
    got = one(row)
    assert (got["next_action"], got["due_on"]) == (THANK_FOR_FEEDBACK, "2026-03-11")
    row["thanked_on"] = "2026-03-11"
    got = one(row)
    assert (got["next_action"], got["due_on"]) == ("", "")


def test_action_item_is_due_a_week_after_receipt_or_on_action_due() -> None:
    row = {"app_id": "A1", "received_on": "2026-03-10", "thanked_on": "2026-03-10",
           "response": "More SQL.", "action_item": "Take a SQL course"}  # fmt: skip
    got = one(row)
    assert (got["next_action"], got["due_on"]) == (ACT_ON_FEEDBACK, "2026-03-17")
    got = one({**row, "action_due": "04/01/2026"})  # MDY: 1 April
    assert (got["next_action"], got["due_on"]) == (ACT_ON_FEEDBACK, "2026-04-01")
    got = one(row, rules=Rules(act_on_feedback_days=3))
    assert got["due_on"] == "2026-03-13"


@pytest.mark.parametrize("done", ["yes", "Y", "TRUE", " x ", "Done", "1"])
def test_done_action_items_are_closed(done: str) -> None:
    row = {"app_id": "A1", "received_on": "2026-03-10", "thanked_on": "2026-03-10",
           "action_item": "Fix the CV", "done": done}  # fmt: skip
    assert one(row)["next_action"] == ""


@pytest.mark.parametrize("done", ["", "no", "in progress", "0"])
def test_not_done_action_items_stay_open(done: str) -> None:
    row = {"app_id": "A1", "received_on": "2026-03-10", "thanked_on": "2026-03-10",
           "action_item": "Fix the CV", "done": done}  # fmt: skip
    assert one(row)["next_action"] == ACT_ON_FEEDBACK


def test_thank_you_comes_first_and_the_agenda_lists_both() -> None:
    frame = feedback_frame({
        "feedback_id": "fb-A1", "app_id": "A1", "company": "Acme", "role": "Analyst",
        "requested_on": "2026-02-20", "received_on": "2026-03-03",
        "response": "Practise STAR answers.", "action_item": "Practise STAR answers",
    })  # fmt: skip
    computed = compute(frame)
    assert computed.loc[0, "next_action"] == THANK_FOR_FEEDBACK
    assert computed.loc[0, "due_on"] == "2026-03-04"
    items = feedback_agenda(frame, computed, TODAY)
    assert [(i.action, i.due_on) for i in items] == [
        (THANK_FOR_FEEDBACK, date(2026, 3, 4)),
        (ACT_ON_FEEDBACK, date(2026, 3, 10)),
    ]
    thank, act = items
    assert thank.uid == "fb-A1-thank"
    assert act.uid.startswith("fb-A1-act-")
    assert {i.tab for i in items} == {"Feedback"}
    assert (thank.app_id, thank.company, thank.role) == ("A1", "Acme", "Analyst")
    assert thank.why == "Feedback from Acme came in on Tue 3 Mar - thank them within a day"
    assert "Practise STAR answers" in act.why


def test_agenda_uids_are_stable_and_follow_the_action_item_text() -> None:
    row = {"app_id": "A1", "company": "Acme", "received_on": "2026-03-03",
           "thanked_on": "2026-03-04", "action_item": "Rewrite the CV summary"}  # fmt: skip

    def act_uid(r: dict[str, str]) -> str:
        frame = feedback_frame(r)
        return feedback_agenda(frame, compute(frame), TODAY)[0].uid

    first = act_uid(row)
    assert act_uid(row) == first
    assert act_uid({**row, "action_item": "  Rewrite the  CV summary "}) == first
    assert act_uid({**row, "action_item": "Practise interview answers"}) != first


def test_agenda_uses_the_rules_compute_feedback_was_given() -> None:
    frame = feedback_frame({"app_id": "A1", "received_on": "2026-03-03",
                            "action_item": "Fix the CV"})  # fmt: skip
    computed = compute(frame, rules=Rules(act_on_feedback_days=2))
    act = [i for i in feedback_agenda(frame, computed, TODAY) if i.action == ACT_ON_FEEDBACK]
    assert act[0].due_on == date(2026, 3, 5)


def test_agenda_skips_waiting_closed_and_problem_rows() -> None:
    frame = feedback_frame(
        {"app_id": "A1", "requested_on": "2026-03-10"},  # waiting
        {"app_id": "A2", "requested_on": "2026-01-10"},  # no response
        {"app_id": "A3", "received_on": "2026-03-01", "thanked_on": "2026-03-02"},  # closed
        {"app_id": "A4", "received_on": "last week", "action_item": "x"},  # problem
    )
    assert feedback_agenda(frame, compute(frame), TODAY) == []


# --- hand-added rows, problems, identity --------------------------------------


def test_rows_added_by_hand_without_ids_work() -> None:
    frame = feedback_frame(
        {"company": "Hand Made", "received_on": "2026-03-12", "response": "Your CV is fine.",
         "action_item": "Ask a friend to review the CV"},
        {"feedback_id": "F-7", "company": "Other Co", "received_on": "2026-03-12"},
        {},  # a fully blank row
    )  # fmt: skip
    computed = compute(frame)
    assert list(computed["next_action"]) == [THANK_FOR_FEEDBACK, THANK_FOR_FEEDBACK, ""]
    assert list(computed["themes"]) == ["resume", "", ""]
    items = feedback_agenda(frame, computed, TODAY)
    uids = [i.uid for i in items]
    assert len(uids) == len(set(uids)) == 3
    assert "fb-F-7-thank" in uids
    # The same hand-made rows, sorted differently, keep their uids.
    flipped = frame.iloc[::-1]
    assert sorted(i.uid for i in feedback_agenda(flipped, compute(flipped), TODAY)) == sorted(uids)


def test_copied_rows_get_distinct_uids() -> None:
    row = {"app_id": "A1", "received_on": "2026-03-12"}
    frame = feedback_frame(row, row)
    uids = [i.uid for i in feedback_agenda(frame, compute(frame), TODAY)]
    assert uids == ["fb-A1-thank", "fb-A1-2-thank"]


def test_bad_dates_go_to_problems_and_block_the_action_but_not_themes() -> None:
    got = one({"app_id": "A1", "requested_on": "2026-03-01", "received_on": "next week",
               "response": "Your cover letter was generic."})  # fmt: skip
    assert got["problems"] == "received_on: not a date ('next week')"
    assert (got["next_action"], got["due_on"]) == ("", "")
    assert got["themes"] == "cover letter"


def test_several_bad_dates_are_all_reported_in_column_order() -> None:
    got = one({"requested_on": "31/02/2026", "received_on": "2026-03-10",
               "action_item": "x", "action_due": "soon"})  # fmt: skip
    assert got["problems"].split("; ") == [
        "requested_on: not a date ('31/02/2026')",
        "action_due: not a date ('soon')",
    ]
    assert got["next_action"] == THANK_FOR_FEEDBACK  # needs neither unreadable cell


def test_an_unreadable_action_due_holds_back_only_the_action_item() -> None:
    frame = feedback_frame({"app_id": "A1", "received_on": "2026-03-12",
                            "action_item": "Rewrite the CV",
                            "action_due": "next week"})  # fmt: skip
    computed = compute(frame)
    assert computed["problems"].iat[0] == "action_due: not a date ('next week')"
    assert computed["next_action"].iat[0] == THANK_FOR_FEEDBACK
    items = feedback_agenda(frame, computed, TODAY)
    assert [(i.action, i.due_on) for i in items] == [(THANK_FOR_FEEDBACK, date(2026, 3, 13))]


def test_a_response_without_a_received_date_is_a_problem() -> None:
    got = one({"app_id": "A1", "requested_on": "2026-03-10", "response": "Good CV."})
    assert got["problems"].startswith("received_on: blank")
    assert got["next_action"] == ""
    assert got["themes"] == "resume"


def test_results_keep_the_input_index_and_order() -> None:
    frame = feedback_frame(
        {"app_id": "A1", "requested_on": "2026-03-10"},
        {"app_id": "A2", "received_on": "2026-03-12"},
        {"app_id": "A3", "requested_on": "2026-01-01"},
        index=[7, 2, 5],
    )
    computed = compute(frame)
    assert list(computed.index) == [7, 2, 5]
    assert list(computed.columns) == list(FEEDBACK_OWNED_COLUMNS)
    assert list(computed["next_action"]) == [AWAIT_RESPONSE, THANK_FOR_FEEDBACK, NO_RESPONSE]
    assert list(frame["app_id"]) == ["A1", "A2", "A3"]  # the input is untouched


def test_an_empty_tab_and_a_tab_missing_columns() -> None:
    assert compute(feedback_frame()).empty
    partial = pd.DataFrame({"company": ["Acme"], "received_on": ["2026-03-12"]}, dtype=object)
    got = compute(partial)
    assert got.loc[0, "next_action"] == THANK_FOR_FEEDBACK


# --- themes -------------------------------------------------------------------

RESPONSES = {
    "Your CV was strong.": "resume",
    "Your résumé was strong.": "resume",
    "Your re\u0301sume\u0301 was strong.": "resume",  # decomposed accents, as pasted
    "The covering letter did not say why you wanted the role.": "cover letter",
    "You came across as nervous and did not keep eye-contact.": "interview answers",
    "Use the STAR method for behavioural questions.": "interview answers",
    "We needed stronger Python and a relevant certification.": "skills or qualifications",
    "Another candidate had more years of experience.": "experience",
    "There were typos, and the layout was hard to read.": "format or style",
    "Honestly, it was a close call.": OTHER,
    "We will resume hiring in the spring.": OTHER,  # "resume" the verb
    "You were a star candidate.": OTHER,  # STAR only in capitals
    "We're sure you will excel elsewhere.": OTHER,
    "We hope you enjoyed the candidate experience.": OTHER,
    "We resumed the process after a pause.": OTHER,  # whole words: "resume" is not "resumed"
}


@pytest.mark.parametrize(("text", "theme"), RESPONSES.items())
def test_builtin_themes(text: str, theme: str) -> None:
    assert builtin_rules().label(text) == theme


def test_empty_response_has_no_theme_and_unknown_text_is_other() -> None:
    frame = feedback_frame({"response": ""}, {"response": "  \n "}, {"response": "Thanks!"})
    assert list(compute(frame)["themes"]) == ["", "", OTHER]


def test_several_themes_in_a_stable_order() -> None:
    text = "Fix the typos. Your answers were vague. Also your CV is two pages."
    assert builtin_rules().label(text) == "resume; interview answers; format or style"
    assert builtin_rules().label(text.upper()) == "resume; interview answers; format or style"


def test_quotes_are_the_sentences_that_matched() -> None:
    quotes = builtin_rules().quotes("Great chat.  Your CV was\n too long.\nYou rambled!")
    assert quotes == {
        "resume": ["Your CV was too long."],  # a hard-wrapped line is one sentence
        "interview answers": ["You rambled!"],
        "format or style": ["Your CV was too long."],
    }
    listed = builtin_rules().quotes("- CV: two pages\n- Nervous\n\nno degree")
    assert listed == {
        "resume": ["- CV: two pages"],
        "interview answers": ["- Nervous"],
        "skills or qualifications": ["no degree"],
        "format or style": ["- CV: two pages"],
    }
    assert builtin_rules().quotes("Hm.") == {OTHER: ["Hm."]}
    assert builtin_rules().quotes("") == {}


def test_a_user_theme_file_extends_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "my-themes.toml"
    path.write_text(
        '[themes.resume]\nkeywords = ["portfolio"]\n\n'
        '[themes."Salary"]\nkeywords = ["salary", "pay expectation*"]\n'
        "patterns = ['\\bcomp(ensation)?\\b']\n",
        encoding="utf-8",
    )
    rules = load_themes(path)
    assert rules.names[-2:] == ["salary", OTHER]
    assert rules.label("Your portfolio lacked depth.") == "resume"
    assert rules.label("Your CV was fine.") == "resume"  # built-in keywords still there
    assert rules.label("Your pay expectations were high.") == "salary"
    assert rules.label("Comp was the issue, and the CV.") == "resume; salary"
    frame = feedback_frame({"response": "Salary was out of range."})
    assert compute(frame, themes=rules).loc[0, "themes"] == "salary"
    assert builtin_rules().label("Your portfolio lacked depth.") == OTHER  # no leak


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[themes.x\n", "not valid TOML"),
        ('[themes.other]\nkeywords = ["meh"]\n', "reserved"),
        ("[themes.x]\nkeywords = 'cv'\n", "list of non-empty strings"),
        ("[themes.x]\npatterns = ['(']\n", "bad pattern"),
        ('[themes.x]\nwords = ["a"]\n', "unknown key"),
        ('[theme.x]\nkeywords = ["a"]\n', "unknown key"),
        ('[themes."a; b"]\nkeywords = ["a"]\n', "no ';'"),
    ],
)
def test_bad_theme_files_are_reported(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_themes(path)
    assert str(path) in str(info.value)


def test_a_missing_theme_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read themes file"):
        load_themes(tmp_path / "nope.toml")


# --- report -------------------------------------------------------------------


@pytest.fixture
def report_input() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = feedback_frame(
        {"feedback_id": "fb-A1", "app_id": "A1", "company": "Acme", "role": "Analyst",
         "requested_on": "2026-02-01", "received_on": "2026-03-02", "thanked_on": "2026-03-03",
         "response": "You came across as nervous. Your CV was good.",
         "action_item": "Mock interview with Sam", "action_due": "2026-03-20"},
        {"feedback_id": "fb-A2", "app_id": "A2", "company": "Beta", "role": "PM",
         "requested_on": "2026-02-01", "received_on": "2026-03-05",
         "response": "Give more specific examples in your answers.",
         "action_item": "Write five STAR stories"},
        {"feedback_id": "fb-A3", "app_id": "A3", "company": "Gamma", "role": "Dev",
         "requested_on": "2026-02-01", "received_on": "2026-03-14", "thanked_on": "2026-03-14",
         "response": "We went another way, sorry | no details."},
        {"feedback_id": "fb-A4", "app_id": "A4", "company": "Delta", "role": "Ops",
         "requested_on": "2026-03-10"},
        {"feedback_id": "fb-A5", "app_id": "A5", "company": "Eps", "role": "QA",
         "requested_on": "2026-01-01"},
    )  # fmt: skip
    return frame, compute(frame)


def test_report_ranks_themes_with_quotes(report_input: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    report = feedback_report(*report_input, TODAY)
    ranked = [(t["rank"], t["theme"], t["count"]) for t in report["themes"]]
    assert ranked == [(1, "interview answers", 2), (2, "resume", 1), (3, OTHER, 1)]
    interview = report["themes"][0]["quotes"]
    assert [(q["company"], q["quote"]) for q in interview] == [
        ("Acme", "You came across as nervous."),
        ("Beta", "Give more specific examples in your answers."),
    ]
    assert report["themes"][2]["quotes"][0]["quote"] == "We went another way, sorry | no details."
    assert (report["requests"], report["responses"]) == (5, 3)
    assert (report["awaiting_response"], report["no_response"]) == (1, 1)


def test_report_lists_open_items_by_due_date(
    report_input: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    actions = feedback_report(*report_input, TODAY)["actions"]
    assert [(a["due_on"], a["company"], a["action"], a["overdue"]) for a in actions] == [
        ("2026-03-06", "Beta", THANK_FOR_FEEDBACK, True),
        ("2026-03-12", "Beta", ACT_ON_FEEDBACK, True),
        ("2026-03-20", "Acme", ACT_ON_FEEDBACK, False),
    ]
    assert actions[0]["days_overdue"] == 10
    assert actions[2]["item"] == "Mock interview with Sam"


def test_report_formats_parse_back(report_input: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    report = feedback_report(*report_input, TODAY)
    assert json.loads(report_json(report)) == report

    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    themes = [r for r in rows if r["section"] == "theme"]
    actions = [r for r in rows if r["section"] == "action"]
    assert [r["theme"] for r in themes] == ["interview answers", "interview answers",
                                            "resume", OTHER]  # fmt: skip
    assert themes[-1]["text"] == "We went another way, sorry | no details."
    assert [(r["due_on"], r["overdue"]) for r in actions] == [
        ("2026-03-06", "yes"), ("2026-03-12", "yes"), ("2026-03-20", "no"),
    ]  # fmt: skip

    markdown = report_markdown(report)
    assert "| 1 | interview answers | 2 |" in markdown
    assert "> We went another way, sorry \\| no details." in markdown  # pipes escaped
    assert markdown.index("## Themes") < markdown.index("## Open action items")

    text = report_text(report)
    assert text.index("interview answers") < text.index("resume") < text.index(OTHER)
    assert "Mock interview with Sam" in text
    assert "10d late" in text


def test_report_on_an_empty_tab() -> None:
    frame = feedback_frame()
    report = feedback_report(frame, compute(frame), TODAY)
    assert (report["themes"], report["actions"], report["responses"]) == ([], [], 0)
    assert "Nothing open." in report_markdown(report)
    assert list(csv.reader(io.StringIO(report_csv(report))))[1:] == []


def test_a_repeated_index_is_handled_by_position() -> None:
    old = feedback_frame({"app_id": "A1", "received_on": "2026-03-12"})
    new = feedback_frame({"app_id": "A2", "requested_on": "2026-03-10"})
    frame = pd.concat([old, new])  # both rows have index 0
    computed = compute(frame)
    assert list(computed["next_action"]) == [THANK_FOR_FEEDBACK, AWAIT_RESPONSE]
    assert [i.uid for i in feedback_agenda(frame, computed, TODAY)] == ["fb-A1-thank"]
    assert feedback_report(frame, computed, TODAY)["awaiting_response"] == 1


def test_the_json_report_gives_received_on_as_an_iso_date() -> None:
    frame = feedback_frame({"app_id": "A1", "received_on": "Apr 30, 2026",
                            "response": "Your resume was too long."})  # fmt: skip
    report = json.loads(report_json(feedback_report(frame, compute(frame), TODAY)))
    (quote,) = report["themes"][0]["quotes"]
    assert quote["received_on"] == "2026-04-30"


def test_theme_labels_are_remembered_and_rules_compile_only_for_new_responses() -> None:
    from sheetsync.feedback.themes import load_themes, text_key

    rules = load_themes()
    response = "Strong SQL, but your resume undersold the dashboards."
    label = rules.label(response)
    assert "resume" in label and rules.learned == {text_key(response): label}
    fresh = load_themes().remembering({text_key(response): "from before"})
    assert fresh.label(response) == "from before" and fresh.learned == {}
    assert load_themes().learned == {}  # each caller learns on its own
    assert rules.signature == load_themes().signature

"""The interview under the first result on the Check page (AppTest, the shipped pack)."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from engine import default_weights, load_pack, match_findings, prepare
from engine.interview import MORE, next_step, start
from engine.triage.copy import CLINICIAN_PROMPT

from .conftest import check_page

pytestmark = pytest.mark.slow  # AppTest runs whole pages

TIMEOUT = 60
HARD_LUMP, KIDNEY_FAILURE, RETIFORM = "HP:0001482", "HP:0003774", "CT:retiform_purpura"
YES, NO, NOT_SURE, UNDO = ("check:interview:yes", "check:interview:no", "check:interview:not_sure",
                           "check:interview:undo")
MORE_BUTTON = "check:interview:more"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def new_app(**params: str) -> AppTest:
    at = AppTest.from_function(check_page, default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def button(at: AppTest, key: str) -> Any:
    return next(b for b in at.button if b.key == key)


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def question(at: AppTest) -> str:
    """The question on screen (its finding's plain label), or "" when the interview has stopped."""
    for m in at.markdown:
        if m.value.startswith("Question ") and "Does this apply to you?" in m.value:
            return m.value.split("\n", 1)[1].strip("*")
    return ""


def why(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Why this question:"))


def expected_first_question(pack, present: list[str]) -> str:
    step = next_step(prepare(pack, default_weights(pack), "tfidf"), start(present))
    assert step.question is not None
    return step.question.question.lay_label


def test_a_result_is_followed_by_one_question_with_why_and_three_answers(pack) -> None:
    at = new_app(present=HARD_LUMP)
    assert not at.exception
    assert any(s.value == "Sharpen your result: one question at a time" for s in at.subheader)
    assert question(at) == expected_first_question(pack, [HARD_LUMP])
    assert why(at).startswith("Why this question: ")
    assert [b.label for b in at.button if b.key in (YES, NO, NOT_SURE)] == ["Yes", "No", "Not sure"]
    assert "Questions a clinician may ask next" not in [s.value for s in at.subheader]  # asked here instead


def test_yes_adds_the_finding_and_updates_the_result_link_and_checklist(pack) -> None:
    at = new_app(present=HARD_LUMP)
    first = question(at)
    fid = next(f.id for f in pack.findings if f.lay_label == first)
    button(at, YES).click().run()
    assert not at.exception
    assert at.query_params["present"] == f"{HARD_LUMP},{fid}"
    assert at.checkbox(key=f"check:tick:{fid}").value
    assert not any("out of date" in h.value for h in at.header)  # the result includes the answer
    full = match_findings(pack, [HARD_LUMP, fid])
    names = [e.label for e in at.expander if e.label[:2] in ("1.", "2.", "3.")]
    assert [n.split(" — ")[0][3:] for n in names] == [pack.condition(m.condition_id).display_name
                                                       for m in full.ranking.matches[:3]]
    change = next(m.value for m in at.markdown if m.value.startswith("You answered yes to"))
    assert first in change
    now = next(m.value for m in at.markdown if m.value.startswith("Your closest three now:"))
    assert [line[3:] for line in now.splitlines() if line[:3] in ("1. ", "2. ", "3. ")] == [
        pack.condition(m.condition_id).display_name for m in full.ranking.matches[:3]]
    assert f"Urgency: **{full.triage.level}**" in now
    assert question(at) not in ("", first)
    assert any(m.value.startswith("Question 2.") for m in at.markdown)
    # the safety texts stay on the result
    assert any(CLINICIAN_PROMPT in m.value or "Please see a clinician" in m.value for m in at.markdown)
    assert any("Disclaimer (from the source article):" in m.value for m in at.markdown)


def test_no_marks_the_finding_absent_and_not_sure_only_sets_it_aside(pack) -> None:
    at = new_app(present=HARD_LUMP)
    first = question(at)
    fid = next(f.id for f in pack.findings if f.lay_label == first)
    button(at, NO).click().run()
    assert at.query_params["absent"] == fid
    assert fid in at.multiselect(key="check:absent").value
    second = question(at)
    button(at, NOT_SURE).click().run()
    assert "absent" in at.query_params and at.query_params["absent"] == fid  # "not sure" is in no list
    assert at.query_params["present"] == HARD_LUMP
    assert question(at) not in (first, second)
    given = next(e for e in at.expander if e.label == "Your answers to these questions (2)")
    assert [m.value for m in given.markdown] == [f"- {first}: **no**\n- {second}: **not sure**"]
    said = next(m.value for m in at.markdown if m.value.startswith("You answered not sure to"))
    assert said.endswith("set aside, it will not be asked again.")
    assert not any(m.value.startswith("Your closest three now:") for m in at.markdown)  # nothing changed


def test_undo_takes_the_last_answer_back(pack) -> None:
    at = new_app(present=HARD_LUMP)
    first = question(at)
    button(at, YES).click().run()
    button(at, UNDO).click().run()
    assert not at.exception
    assert at.query_params["present"] == HARD_LUMP
    assert question(at) == first
    assert not has_button(at, UNDO)


def test_the_interview_stops_and_says_why(pack) -> None:
    at = new_app(present=HARD_LUMP)
    for _ in range(60):
        if not has_button(at, NOT_SURE):
            break
        button(at, NOT_SURE).click().run()
    assert not at.exception
    assert question(at) == ""
    stop = [i.value for i in at.info if i.value.startswith("No more questions: ")]
    assert stop and not at.success  # a stop is no all-clear


def test_after_a_settled_stop_the_person_can_ask_for_more_questions(pack) -> None:
    """The rule stops when the best question cannot change anything; "Ask me more questions" looks at the five
    best and asks one that can (the same question as the engine's look at five), once."""
    chalky = "CT:chalky_discharge"  # the best question after it changes nothing; one of the five best can
    scorer = prepare(pack, default_weights(pack), "tfidf")
    assert next_step(scorer, start([chalky])).stop == "settled"
    further = next_step(scorer, start([chalky]), lookahead=MORE).question
    assert further is not None
    at = new_app(present=chalky)
    assert question(at) == "" and has_button(at, MORE_BUTTON)
    button(at, MORE_BUTTON).click().run()
    assert not at.exception
    assert question(at) == further.question.lay_label
    for _ in range(60):
        if not has_button(at, NOT_SURE):
            break
        button(at, NOT_SURE).click().run()
    stop = [i.value for i in at.info if i.value.startswith("No more questions: ")]
    assert stop and not has_button(at, MORE_BUTTON)  # asked for once; the longer look has stopped too


def test_an_emergency_result_asks_no_questions() -> None:
    at = new_app(present=f"{RETIFORM},{KIDNEY_FAILURE}")
    assert not at.exception
    assert not has_button(at, YES)
    assert any(e.value.startswith("No more questions: your answers already call for emergency care")
               for e in at.error)


def test_pending_changes_pause_the_questions_until_submitted() -> None:
    at = new_app(present=HARD_LUMP)
    at.checkbox(key="check:tick:CT:injury_at_site").check().run()
    assert not has_button(at, YES)
    assert any("Press **Show my matches** to update your result first" in i.value for i in at.info)
    at.button(key="check:submit").click().run()
    assert has_button(at, YES)


def test_clear_all_forgets_the_interview() -> None:
    at = new_app(present=HARD_LUMP)
    button(at, NOT_SURE).click().run()
    at.button(key="check:reset").click().run()
    assert "check:interview:answers" not in at.session_state
    at.checkbox(key=f"check:tick:{HARD_LUMP}").check()
    at.button(key="check:submit").click().run()
    assert any(m.value.startswith("Question 1.") for m in at.markdown)


def test_the_interview_follows_the_chosen_method(pack) -> None:
    at = new_app(present=HARD_LUMP, method="likelihood")
    step = next_step(prepare(pack, default_weights(pack), "likelihood"), start([HARD_LUMP]))
    assert step.question is not None
    assert question(at) == step.question.question.lay_label

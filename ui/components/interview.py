"""The interview after the first result on the Check page: the most useful next question, one at a time.

The questions and the stop come from :mod:`engine.interview`. A "yes" or a "no" becomes part of the person's
answers (the checklist, the result above, the link and the summaries follow at once, through the page's
``set_answer``); a "not sure" is only remembered for this browser session, so that it is not asked again.
Nothing is stored on the server or logged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from engine.interview import (
    ANSWER_WORDS,
    ANSWERS,
    MORE,
    MORE_WORDS,
    TOP_WORDS,
    Answer,
    InterviewState,
    Outcome,
    Question,
    Step,
    describe_change,
    next_step,
)
from engine.io.presentation import Presentation
from engine.knowledge.pack import KnowledgePack
from engine.match.scoring import Scorer
from engine.triage.levels import SCALE

ANSWERS_KEY = "check:interview:answers"  # the interview's answers, in order: ((finding ID, answer), ...)
CHANGE_KEY = "check:interview:change"  # what the last answer changed, said once after it
FURTHER_KEY = "check:interview:further"  # the person asked for more questions after a settled stop
FOCUS_KEY, FOCUSED_KEY = "check:interview:focus", "check:interview:focused"
QUESTION_BOX = "interview_question"  # the container's key: its element carries the class st-key-interview_question

#: The page's way to make an answer part of the person's answers: (finding ID, answer); "not_sure" takes a
#: finding out of both the present and the absent ones (used to undo an answer).
SetAnswer = Callable[[str, str], None]


def forget() -> None:
    """Drop the interview's memory (the page's "Clear all")."""
    for key in (ANSWERS_KEY, CHANGE_KEY, FURTHER_KEY):
        st.session_state.pop(key, None)


def _answers() -> tuple[tuple[str, Answer], ...]:
    answers: tuple[tuple[str, Answer], ...] = st.session_state.get(ANSWERS_KEY, ())
    return answers


def interview_state(present: Sequence[str], absent: Sequence[str]) -> InterviewState:
    """The interview on top of what is shown: answers the person has since changed in the checklist (a "yes"
    unticked, a "no" taken back, a "not sure" ticked after all) are dropped from its memory."""
    p, a = tuple(present), tuple(absent)
    kept = tuple((f, x) for f, x in _answers()
                 if (x == "yes" and f in p) or (x == "no" and f in a) or (x == "not_sure" and f not in p + a))
    st.session_state[ANSWERS_KEY] = kept
    return InterviewState(p, a, tuple(f for f, x in kept if x == "not_sure"), kept)


def outcome_lines(pack: KnowledgePack, outcome: Outcome) -> str:
    """The closest three and the urgency level, as Markdown lines."""
    names = "\n".join(f"{n}. {pack.condition(c).display_name}" for n, c in enumerate(outcome.top, start=1))
    return f"Your closest {TOP_WORDS} now:\n\n{names}\n\nUrgency: **{outcome.level}** ({SCALE[outcome.level]})."


def _on_answer(pack: KnowledgePack, question: Question, now: Outcome, answer: Answer, set_answer: SetAnswer) -> None:
    """An answer button (a callback: the page drawn next already includes the answer)."""
    set_answer(question.finding_id, answer)
    st.session_state[ANSWERS_KEY] = (*[(f, x) for f, x in _answers() if f != question.finding_id],
                                     (question.finding_id, answer))
    then = {"yes": question.if_yes, "no": question.if_no}.get(answer)
    change = describe_change(pack, now, then) if then else ""
    said = f"You answered {ANSWER_WORDS[answer].lower()} to “{question.question.lay_label}”"
    if change:
        line = f"{said}: {change}."
    elif answer == "not_sure":
        line = f"{said}: set aside, it will not be asked again."
    else:
        line = f"{said}: your closest {TOP_WORDS} and the urgency stay as they were."
    st.session_state[CHANGE_KEY] = (line, bool(change))
    st.session_state[FOCUS_KEY] = st.session_state.get(FOCUS_KEY, 0) + 1


def _on_undo(set_answer: SetAnswer) -> None:
    answers = _answers()
    if not answers:
        return
    fid, _ = answers[-1]
    set_answer(fid, "not_sure")  # neither present nor absent: as before the question
    st.session_state[ANSWERS_KEY] = answers[:-1]
    st.session_state[CHANGE_KEY] = ("Your last answer was taken back.", True)
    st.session_state[FOCUS_KEY] = st.session_state.get(FOCUS_KEY, 0) + 1


def _on_more() -> None:
    st.session_state[FURTHER_KEY] = True
    st.session_state[FOCUS_KEY] = st.session_state.get(FOCUS_KEY, 0) + 1


def _focus_question() -> None:
    """After an answer, move the keyboard focus (and the view, if it moved away) to the new question or the stop,
    so that a screen reader reads it and the answer buttons are the next tab stops (once per answer)."""
    nonce = st.session_state.get(FOCUS_KEY, 0)
    if not nonce or st.session_state.get(FOCUSED_KEY) == nonce:
        return
    st.session_state[FOCUSED_KEY] = nonce
    st.html(f"""<script>/* answer {nonce} */
(() => {{ let tries = 0; const go = () => {{
  const el = document.querySelector(".st-key-{QUESTION_BOX}");
  if (!el) {{ if (tries++ < 40) setTimeout(go, 100); return; }}
  el.setAttribute("tabindex", "-1"); el.scrollIntoView({{block: "nearest"}}); el.focus({{preventScroll: true}});
}}; setTimeout(go, 50); }})();</script>""", unsafe_allow_javascript=True, width=1)


def _show_question(pack: KnowledgePack, step: Step, set_answer: SetAnswer) -> None:
    question = step.question
    assert question is not None
    st.markdown(f"Question {step.state.asked + 1}. Does this apply to you?  \n**{question.question.lay_label}**")
    st.caption(f"Why this question: {question.why}")
    with st.container(horizontal=True, gap="small"):
        for answer in ANSWERS:
            st.button(ANSWER_WORDS[answer], key=f"check:interview:{answer}", on_click=_on_answer,
                      args=(pack, question, step.now, answer, set_answer))  # all alike: none is suggested


def show(pack: KnowledgePack, scorer: Scorer, present: Sequence[str], absent: Sequence[str],
         presentation: Presentation, stale: bool, set_answer: SetAnswer) -> None:
    """The interview under the first result: the next question with why it is asked, or why the questions stopped;
    the answers so far, with a way to take the last one back."""
    st.subheader("Sharpen your result: one question at a time")
    if stale:
        st.info("Press **Show my matches** to update your result first: the questions continue from there.",
                icon=":material/update:")
        return
    further = bool(st.session_state.get(FURTHER_KEY))
    step = next_step(scorer, interview_state(present, absent), presentation, MORE if further else 1)
    st.markdown("Answer if you can; **Not sure** is always fine. Each answer updates your matches and how soon to "
                "see a doctor above, and the summaries. It is still an educational match, not a diagnosis.")
    change = st.session_state.pop(CHANGE_KEY, None)
    with st.container(border=True, key=QUESTION_BOX):
        if change:
            said, changed = change
            st.markdown(said)
            if changed:
                st.markdown(outcome_lines(pack, step.now))
        if step.question is not None:
            _show_question(pack, step, set_answer)
        elif step.stop == "emergency":
            st.error(step.stop_note, icon=":material/emergency:")
        else:  # not green: a stop is no all-clear
            st.info(step.stop_note, icon=":material/done_all:")
            if step.stop == "settled" and not further:
                st.button("Ask me more questions", key="check:interview:more", on_click=_on_more,
                          icon=":material/playlist_add:",
                          help=f"Looks at the {MORE_WORDS} most useful questions left, not only the first, and asks "
                               "any whose answer could still change your closest matches or the urgency. They "
                               "are less likely to matter, and Not sure is still fine.")
    given = step.state.answers
    if given:
        with st.expander(f"Your answers to these questions ({len(given)})", key="check:interview:given"):
            st.markdown("\n".join(f"- {pack.finding(f).lay_label}: **{ANSWER_WORDS[x].lower()}**" for f, x in given))
        st.button("Take back my last answer", key="check:interview:undo", on_click=_on_undo, args=(set_answer,),
                  icon=":material/undo:")
    _focus_question()

"""The Check page's answers as session state: ticks not yet submitted, the shown selection, and whether it is stale.

Ticks live in the browser session only (nothing is stored on the server or logged). A checkbox that is not drawn
(a search hides it, another page is open) forgets its widget value, so every touched finding is also kept in one
dict that survives searches and page switches. "Show my matches" copies the ticks into the shown selection
(:class:`CheckState`); the result on screen is out of date while the two differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import streamlit as st

from engine import DEFAULT_METHOD, InputError, KnowledgePack
from engine.io.presentation import BLOCKS, VITAL_SIGNS, Presentation, parse_presentation
from ui.components.widgets import as_code

TICK_PREFIX = "check:tick:"
ABSENT_KEY = "check:absent"
METHOD_KEY = "check:method"
STATE_KEY = "check:state"
TICKS_KEY = "check:ticks"
CONTEXT_PREFIX = "check:context:"
VITAL_PREFIX = "check:vital:"
PAGE_RUNS_KEY = "check:page_runs"


@dataclass
class CheckState:
    """What was submitted last (the result shown), plus notes about how a link was read."""

    present: list[str]
    absent: list[str]
    method: str = DEFAULT_METHOD
    notes: tuple[str, ...] = ()
    #: The optional course and context (not written into the link).
    presentation: Presentation = field(default_factory=Presentation)

    @property
    def empty(self) -> bool:
        return not self.present and not self.absent


def tick_key(finding_id: str) -> str:
    return f"{TICK_PREFIX}{finding_id}"


def check_state() -> CheckState:
    """The shown selection (empty until something is submitted or read from a link)."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = CheckState([], [])
    state: CheckState = st.session_state[STATE_KEY]
    return state


def ticks() -> dict[str, bool]:
    """Finding ID -> ticked, for every finding touched this session (submitted or not)."""
    if TICKS_KEY not in st.session_state:
        st.session_state[TICKS_KEY] = {}
    touched: dict[str, bool] = st.session_state[TICKS_KEY]
    return touched


def sync_ticks() -> dict[str, bool]:
    """Copy the drawn checkboxes' values (this run's clicks included) into the session's ticks.

    Called before every run of the whole page (never in a rerun of the checklist alone), so it also counts them.
    """
    st.session_state[PAGE_RUNS_KEY] = st.session_state.get(PAGE_RUNS_KEY, 0) + 1
    touched = ticks()
    for key in [k for k in st.session_state if str(k).startswith(TICK_PREFIX)]:
        touched[str(key).removeprefix(TICK_PREFIX)] = bool(st.session_state[key])
    return touched


def pending_present(pack: KnowledgePack) -> list[str]:
    """The ticked findings, submitted or not, in pack order."""
    touched = ticks()
    return [i for i in pack.finding_ids if touched.get(i)]


def current_presentation() -> tuple[Presentation, str | None]:
    """The course-and-context answers on screen, and a note when a value was refused (it is then left out)."""
    answers: dict[str, dict[str, object]] = {}
    for block, keys in BLOCKS.items():
        for key in keys:
            value = st.session_state.get(f"{CONTEXT_PREFIX}{key}")
            if value is not None:
                answers.setdefault(block, {})[key] = (value == "true") if key == "pregnant" else value
    vitals = {v.key: st.session_state.get(f"{VITAL_PREFIX}{v.key}") for v in VITAL_SIGNS}
    answers["vitals"] = {k: v for k, v in vitals.items() if v is not None}
    try:
        return parse_presentation(answers, "your answers"), None
    except InputError as exc:
        answers.pop("vitals")
        try:
            return parse_presentation(answers, "your answers"), f"A value was left out: {as_code(exc)}"
        except InputError:
            return Presentation(), f"Your course and context answers were left out: {as_code(exc)}"


def submit(finding_ids: tuple[str, ...]) -> None:
    """Make the ticks, the "not present" choices, the method and the context answers the shown selection."""
    touched = sync_ticks()
    present = [i for i in finding_ids if touched.get(i)]
    chosen = list(st.session_state.get(ABSENT_KEY, []))
    absent = [i for i in chosen if i not in present]
    notes = ("Findings ticked as present were removed from the ones you do not have.",) if absent != chosen else ()
    presentation, problem = current_presentation()
    if problem:
        notes = (*notes, problem)
    st.session_state[STATE_KEY] = CheckState(present, absent, st.session_state.get(METHOD_KEY, DEFAULT_METHOD),
                                             notes, presentation)


def clear() -> None:
    """Untick everything and forget the shown selection (from a callback, so widget state may be changed)."""
    for key in [k for k in st.session_state if str(k).startswith(TICK_PREFIX)]:
        st.session_state[key] = False
    st.session_state[TICKS_KEY] = {}
    st.session_state[ABSENT_KEY] = []
    st.session_state[METHOD_KEY] = DEFAULT_METHOD
    st.session_state[STATE_KEY] = CheckState([], [])


def set_answer(finding_id: str, answer: str) -> None:
    """An interview answer made part of the shown answers and the checklist: "yes" present, "no" absent, anything
    else neither (a callback: it runs before the page, so the result drawn next includes it and is not stale)."""
    state = check_state()
    present = [i for i in state.present if i != finding_id] + ([finding_id] if answer == "yes" else [])
    absent = [i for i in state.absent if i != finding_id] + ([finding_id] if answer == "no" else [])
    st.session_state[STATE_KEY] = replace(state, present=present, absent=absent, notes=())
    st.session_state[tick_key(finding_id)] = ticks()[finding_id] = answer == "yes"
    chosen = [i for i in st.session_state.get(ABSENT_KEY, state.absent) if i != finding_id]
    st.session_state[ABSENT_KEY] = chosen + ([finding_id] if answer == "no" else [])


def is_stale(pack: KnowledgePack, state: CheckState) -> bool:
    """The answers on screen differ from the ones the shown result was computed for."""
    if state.empty:
        return False
    absent = [i for i in st.session_state.get(ABSENT_KEY, state.absent) if i not in ticks() or not ticks()[i]]
    return (set(pending_present(pack)) != set(state.present) or set(absent) != set(state.absent)
            or st.session_state.get(METHOD_KEY, state.method) != state.method
            or current_presentation()[0] != state.presentation)

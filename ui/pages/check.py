"""Check page: a person ticks findings in plain language and sees educational matches.

Nothing ticked is stored on the server or logged: it lives in this browser session and,
after "Show my matches", in the page address (so the link can be shared). Ticks not yet
submitted are kept in the session (across searches and page switches); a result whose
answers have changed since is marked out of date. The tick state is :mod:`ui.components.ticks`, the link
:mod:`ui.components.link`; this module draws the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from engine import DEFAULT_METHOD, METHOD_INFO, METHODS, InputError, KnowledgePack, Result
from engine.io.phenopacket import PhenopacketCase
from engine.io.presentation import BLOCKS, CHOICES, VITAL_SIGNS, WORDING
from engine.knowledge.pack import DCC, Finding
from engine.knowledge.priors import ContextRule, load_context_rules
from engine.match.search import SearchIndex, build_index
from engine.triage.copy import NOT_A_DIAGNOSIS, level_lines
from engine.triage.emergency import (
    EmergencyQuestion,
    load_emergency_questions,
    step_findings,
    step_triage,
    with_step_answers,
)
from engine.triage.services import Services, country_from_locale, load_services, localise, where_to_get_help
from ui.components import interview, phenopacket_files
from ui.components import ticks as ticks_state
from ui.components.check_result import (
    SUMMARY_ANCHOR,
    show_clinician_prompt,
    show_closeness_chart,
    show_headline,
    show_match_cards,
)
from ui.components.link import clear_link, read_link_once, write_link
from ui.components.summary import (
    PDF_MIME,
    SUMMARY_PDF_NAME,
    SUMMARY_TEXT_NAME,
    TEXT_MIME,
    build_summary,
    build_summary_pdf,
)
from ui.components.ticks import (
    ABSENT_KEY,
    CONTEXT_PREFIX,
    METHOD_KEY,
    PAGE_RUNS_KEY,
    STATE_KEY,
    VITAL_PREFIX,
    CheckState,
    check_state,
    is_stale,
    set_answer,
    submit,
    sync_ticks,
    tick_key,
)
from ui.components.ticks import clear as clear_ticks
from ui.components.widgets import (
    GROUP_TITLES,
    LEVEL_ICON,
    as_code,
    show_triage,
)
from ui.state import current_weights, get_pack, get_scorer, run

SEARCH_KEY = "check:search"
SCROLL_KEY, SCROLLED_KEY = "check:scroll", "check:scrolled"
EMERGENCY_PREFIX = "check:emergency:"
STEP_KEY = "check:emergency_step"
CHECKLIST_RUNS_KEY = "check:checklist_runs"
SHOWN_STALE_KEY = "check:shown_stale"
PACKET_KEY, PACKET_TABLE_KEY = "check:phenopacket", "check:phenopacket_table"
COUNTRY_KEY = "check:country"
NO_COUNTRY = ""  # not set: the advice keeps "your local emergency number"
RESULT_ANCHOR = "your-matches"
EDUCATION_SECTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("types",), "Types"),
    (("causes",), "Common causes"),
    (("symptoms",), "Symptoms people notice"),
    (("tests", "diagnostic_tests"), "Tests a clinician may use"),
    (("treatments", "treatment_options"), "Treatment options"),
    (("medications",), "Medications a clinician may prescribe"),
)


# --- search -------------------------------------------------------------------------------------------

@st.cache_resource(max_entries=4)
def _search_index(fingerprint: str, _pack: KnowledgePack) -> SearchIndex:
    return build_index(_pack)


def search_index(pack: KnowledgePack) -> SearchIndex:
    """The pack's search index (engine.match.search), built once per pack."""
    return _search_index(pack.fingerprint, pack)


def filter_findings(pack: KnowledgePack, query: str) -> list[Finding]:
    """Findings matching every word of ``query`` (word-aware, synonyms, typos), best first."""
    return search_index(pack).search(query)


def _on_submit(finding_ids: tuple[str, ...]) -> None:
    """"Show my matches" (a callback: it runs before the page, so the whole page sees the new selection)."""
    submit(finding_ids)
    st.session_state[SCROLL_KEY] = st.session_state.get(SCROLL_KEY, 0) + 1


def _reset() -> None:
    """Clear every tick, the result and the link (a callback, so widget state may be changed)."""
    clear_ticks()
    st.session_state.pop(PACKET_TABLE_KEY, None)
    interview.forget()
    clear_link()


# --- the checklist ------------------------------------------------------------------------------------

def _tick_columns(findings: Sequence[Finding], key: str) -> None:
    """Two columns of checkboxes, each starting from the session's pending ticks.

    The list runs down the left column, then down the right one, so the keyboard's order (the page's order) is
    the reading order; on a phone the columns stack and keep it. What each finding means is one "What these
    mean" button under the list, not a help icon (and a keyboard stop) per checkbox.
    """
    ticks = ticks_state.ticks()
    cols = st.columns(2)
    half = (len(findings) + 1) // 2
    for n, f in enumerate(findings):
        key_ = tick_key(f.id)
        if key_ not in st.session_state:  # a widget that was not drawn (search, another page) forgets its value
            st.session_state[key_] = bool(ticks.get(f.id))
        ticks[f.id] = cols[0 if n < half else 1].checkbox(f.lay_label, key=key_, wrap=True)
    described = [f for f in findings if f.description]
    if described:
        with st.popover("What these mean", icon=":material/help:", key=f"check:meaning:{key}"):
            st.markdown("\n".join(f"- **{f.lay_label}**: {f.description}" for f in described))


def _group_label(title: str, findings: Sequence[Finding]) -> str:
    n = sum(bool(ticks_state.ticks().get(f.id)) for f in findings)
    return f"{title} ({n} ticked)" if n else title


@st.fragment
def _checkboxes(pack: KnowledgePack, query: str, open_first: bool = True) -> None:
    """The checklist: search hits first (with a count), then each group's core findings and any other ticks.

    A group shows its curated core findings; the rest of the vocabulary is reached through the search.
    A finding ticked through the search stays listed in its group, so it can be unticked.

    A fragment: a tick reruns the checklist alone, not the whole page. When that changes whether the result on
    screen is out of date, the whole page is drawn again, so the mark above follows at once.
    """
    whole_page = st.session_state.get(PAGE_RUNS_KEY) != st.session_state.get(CHECKLIST_RUNS_KEY)
    st.session_state[CHECKLIST_RUNS_KEY] = st.session_state.get(PAGE_RUNS_KEY)
    _draw_checkboxes(pack, query, open_first)
    state = check_state()
    stale = None if state.empty else is_stale(pack, state)  # with this run's ticks, now drawn
    if whole_page:
        st.session_state[SHOWN_STALE_KEY] = stale  # what the page drawn around this checklist shows
    elif stale != st.session_state.get(SHOWN_STALE_KEY):
        st.session_state[SHOWN_STALE_KEY] = stale
        st.rerun(scope="app")


def _draw_checkboxes(pack: KnowledgePack, query: str, open_first: bool) -> None:
    """The checklist itself (:func:`_checkboxes` is the fragment around it)."""
    searching = bool(query.split())
    hits = filter_findings(pack, query) if searching else []
    # Search results go in a container that is always there (empty, it takes no space), so that starting or
    # clearing a search does not move the groups below to new places and make the browser build them again.
    search_area = st.container()
    if searching:
        n = len(hits)
        search_area.markdown(f"**{n} finding{'' if n == 1 else 's'} match “{as_code(query)}”**" if n else
                             f"**No finding matches “{as_code(query)}”.** Try another word, or clear the search.")
        if hits:
            with search_area.container(border=True, key="check:hits"):
                _tick_columns(hits, "hits")
    shown = {f.id for f in hits}
    ticks = ticks_state.ticks()
    for n, (group, title) in enumerate(GROUP_TITLES.items()):
        in_group = [f for f in pack.findings if f.group == group and f.id not in shown and (f.core or ticks.get(f.id))]
        if in_group:
            with st.expander(_group_label(title, in_group), expanded=not searching and open_first and n == 0,
                             key=f"check:group:{group}"):
                _tick_columns(in_group, group)
    others = sum(1 for f in pack.findings if not f.core)
    if others and not searching:
        st.caption(f"{others} more specific findings are not listed here: search for them by a word.")


def _advanced(pack: KnowledgePack) -> None:
    with st.expander("More options: findings you do not have, matching method"):
        st.multiselect("Findings you are sure you do **not** have (optional)", pack.finding_ids,
                       format_func=lambda i: pack.finding(i).lay_label, key=ABSENT_KEY,
                       placeholder="Choose findings", persist_state="session")
        if METHOD_KEY not in st.session_state:
            st.session_state[METHOD_KEY] = DEFAULT_METHOD
        st.radio("Matching method", METHODS, key=METHOD_KEY, horizontal=True, persist_state="session",
                 format_func=lambda m: METHOD_INFO[m].title,
                 help=f"The default ({METHOD_INFO[DEFAULT_METHOD].title}) matched published cases best; the About "
                      "page explains all of them.")


def _submit_row(pack: KnowledgePack, where: str) -> None:
    left, right = st.columns([3, 1])
    left.button("Show my matches", type="primary", key="check:submit" if where == "top" else f"check:submit:{where}",
                on_click=_on_submit, args=(pack.finding_ids,), icon=":material/arrow_downward:")
    if where == "top":
        right.button("Clear all", on_click=_reset, key="check:reset")


# --- about you ----------------------------------------------------------------------------------------

@st.cache_resource
def _context_rules(fingerprint: str, _pack: KnowledgePack) -> tuple[ContextRule, ...]:
    return load_context_rules(_pack)


def context_rules(pack: KnowledgePack) -> tuple[ContextRule, ...]:
    return _context_rules(pack.fingerprint, pack)


_CONTEXT_LABELS = {
    "onset": "When did it start?", "trajectory": "How is it changing?",
    "known_condition": "Has a clinician already diagnosed what causes it?", "activities": "Usual activities",
    "eating_drinking": "Eating and drinking", "urine": "Passing urine", "age_band": "Age",
    "sex": "Sex", "pregnant": "Pregnant, or gave birth or miscarried in the last 6 weeks?",
    "immunosuppression": "Medicines or illness that weaken the immune system",
}


def _wording(key: str) -> Callable[[str], str]:
    """How one answer of ``key`` reads on screen."""
    return lambda value: WORDING[key][value]


def _course_and_context() -> None:
    """Optional answers that change the urgency: course, how unwell, who, and measured vital signs."""
    with st.expander("How it started, how unwell you are, and about you (optional: changes how soon to be seen)"):
        st.markdown("Each answer is optional: leave it empty if you are not sure. They change **how soon** to see "
                    "someone (a lump there for years differs from one that appeared in hours with a fever).")
        for keys in BLOCKS.values():
            for n, key in enumerate(keys):
                if n % 2 == 0:  # one row of two per pair: the keyboard's order is the reading order, across
                    cols = st.columns(2)
                options = ["true", "false"] if key == "pregnant" else list(CHOICES[key])
                cols[n % 2].selectbox(_CONTEXT_LABELS[key], options, index=None, key=f"{CONTEXT_PREFIX}{key}",
                                      format_func=_wording(key), placeholder="Not sure / skip",
                                      persist_state="session")
        st.markdown("**Measured vital signs** (only if someone measured them)")
        for col, sign in zip(st.columns(len(VITAL_SIGNS)), VITAL_SIGNS, strict=True):
            unit = "°C" if sign.unit == "Cel" else sign.unit
            col.number_input(f"{sign.label} ({unit})", min_value=sign.low, max_value=sign.high, value=None,
                             step=0.1 if sign.unit == "Cel" else 1.0, key=f"{VITAL_PREFIX}{sign.key}",
                             placeholder="-", persist_state="session")


def _show_context(pack: KnowledgePack, result: Result) -> None:
    """What the engine did with "about you" (:attr:`engine.result.Result.context`): each condition it raised, with
    its source; or, for a method that compares findings only, that age and sex were not used."""
    context = result.context
    if context is None or not context.given:
        return
    if not context.rules:
        st.info(context.note, icon=":material/info:")
        return
    given = {"age_band": "your age", "sex": "your sex"}
    lines = [f"- **{pack.condition(r.condition_id).display_name}** starts a little higher because of "
             f"{given[r.factor]}. {r.evidence} _Source: {pack.sources[r.source].citation}_"
             for r in context.rules]
    with st.expander("How “about you” changed the ranking", expanded=True):
        st.markdown(context.note)
        st.markdown("\n".join(lines))
        st.markdown("The sources say which way each condition leans; how much it moves the ranking is a modelling "
                    "choice of this tool, kept small so that your findings always count for more.")


# --- the emergency step -------------------------------------------------------------------------------

@st.cache_resource
def _emergency_questions(fingerprint: str, _pack: KnowledgePack) -> tuple[EmergencyQuestion, ...]:
    return load_emergency_questions(_pack)


def emergency_questions(pack: KnowledgePack) -> tuple[EmergencyQuestion, ...]:
    return _emergency_questions(pack.fingerprint, pack)


def step_answers(pack: KnowledgePack) -> list[str]:
    """The emergency questions answered yes on screen (none unless the step's first answer is "Yes")."""
    if st.session_state.get(STEP_KEY) != "Yes":
        return []
    return [q.question_id for q in emergency_questions(pack)
            if st.session_state.get(f"{EMERGENCY_PREFIX}{q.question_id}")]


def _emergency_step(pack: KnowledgePack, has_result: bool) -> None:
    """The NHS "when to call 999" signs before the checklist, as one question (one keyboard stop); "yes" asks
    which. Their answers go through the same rules as the checklist: without a result the step shows that level
    at once; with one, the result (which includes them) is the one voice."""
    questions = emergency_questions(pack)
    with st.container(border=True, key="check:emergency"):
        st.markdown("**First: is any of this happening now?**")
        if st.session_state.get(STEP_KEY) != "Yes":  # the signs as text: no keyboard stop each
            st.markdown("\n".join(f"- {q.question}" for q in questions))
        any_yes = st.radio("Is any of this happening now?", ["No", "Yes"], index=None, horizontal=True,
                           key=STEP_KEY, label_visibility="collapsed", persist_state="session")
        if any_yes != "Yes":
            for q in questions:  # a "no" clears earlier answers: they must not linger unseen in the result
                st.session_state.pop(f"{EMERGENCY_PREFIX}{q.question_id}", None)
            return
        st.markdown("**Which one?** Tick every one that is happening now.")
        for q in questions:
            st.checkbox(q.question, key=f"{EMERGENCY_PREFIX}{q.question_id}")
        yes = step_answers(pack)
        if not yes:
            st.error(localise("If you are not sure, call your local emergency number now.", current_services()),
                     icon=":material/emergency:")
            return
        if has_result:
            st.markdown("Your answers here are part of your result: see how soon to get help just below.")
        else:
            triage = step_triage(pack, questions, yes)
            if triage is not None:
                show_triage(triage, current_services())


# --- where to get help: the country's emergency number ------------------------------------------------

@st.cache_resource
def _all_services() -> dict[str, Services]:
    """The shipped emergency numbers by country code (data/emergency_numbers.csv)."""
    return {s.country_code: s for s in load_services()}


def current_services() -> Services | None:
    """The chosen country's emergency number and urgent-care service; None when no country is set."""
    return _all_services().get(st.session_state.get(COUNTRY_KEY) or NO_COUNTRY)


def _default_country() -> None:
    """On a session's first run, the country of the browser's language setting ("en-GB": United Kingdom) when
    this tool knows its numbers; else none (the general advice). The person can change it."""
    if COUNTRY_KEY not in st.session_state:
        st.session_state[COUNTRY_KEY] = country_from_locale(st.context.locale, _all_services()) or NO_COUNTRY


def _country_select() -> None:
    """One selector (one keyboard stop) for the country whose emergency number the advice names."""
    services = _all_services()
    options = [NO_COUNTRY, *sorted(services, key=lambda c: services[c].country)]
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    left.selectbox("Your country (for the emergency number)", options, key=COUNTRY_KEY, persist_state="session",
                   format_func=lambda c: services[c].country if c else "Not set (general advice)")
    chosen = current_services()
    right.markdown(where_to_get_help(chosen) if chosen else
                   "Choose your country to see its emergency number in the advice.")


# --- focus and the Back button ------------------------------------------------------------------------

def _scroll_to_result() -> None:
    """After "Show my matches", move the view and the keyboard focus to the result heading (once per submit)."""
    nonce = st.session_state.get(SCROLL_KEY, 0)
    if not nonce or st.session_state.get(SCROLLED_KEY) == nonce:
        return
    st.session_state[SCROLLED_KEY] = nonce
    st.html(f"""<script>/* submit {nonce} */
(() => {{ let tries = 0; const go = () => {{
  const el = document.getElementById("{RESULT_ANCHOR}");
  if (!el) {{ if (tries++ < 40) setTimeout(go, 100); return; }}
  el.setAttribute("tabindex", "-1"); el.scrollIntoView({{block: "start"}}); el.focus({{preventScroll: true}});
}}; setTimeout(go, 50); }})();</script>""", unsafe_allow_javascript=True, width=1)


def _load_phenopacket(packet: PhenopacketCase) -> str:
    """Tick what an uploaded phenopacket reports (an uploader callback: it runs before the form is drawn)."""
    pack = get_pack()
    present, absent, table = phenopacket_files.selection_from_packet(pack, packet)
    for f in pack.findings:
        st.session_state[tick_key(f.id)] = f.id in present
    st.session_state[ABSENT_KEY] = absent
    answers = packet.presentation.answers()
    for keys in BLOCKS.values():
        for key in keys:
            st.session_state[f"{CONTEXT_PREFIX}{key}"] = answers.get(key)
    for sign in VITAL_SIGNS:
        st.session_state[f"{VITAL_PREFIX}{sign.key}"] = packet.presentation.vitals.given().get(sign.key)
    st.session_state[STATE_KEY] = CheckState(present, absent, st.session_state.get(METHOD_KEY, DEFAULT_METHOD),
                                             presentation=packet.presentation)
    st.session_state[PACKET_TABLE_KEY] = table
    course = f", {len(answers) + len(packet.presentation.vitals.given())} course and context answer(s)" \
        if not packet.presentation.empty else ""
    return f"{len(present)} finding(s) ticked, {len(absent)} marked as not present{course}."


def _phenopacket_upload() -> None:
    with st.expander("Load findings from a phenopacket (GA4GH JSON file)", key="check:phenopacket_box"):
        phenopacket_files.uploader(PACKET_KEY, "Phenopacket (.json, at most 1 MB)", _load_phenopacket)
    phenopacket_files.mapping_table(PACKET_TABLE_KEY)


# --- the result ---------------------------------------------------------------------------------------

def _show_matches(pack: KnowledgePack, state: CheckState, result: Result, stale: bool) -> None:
    """What the result means first (the headline, in words, no percentage), a link down to the summaries, one
    card per close match, then a chart of them scaled to the scores' own range."""
    st.subheader("Your closest matches (out of date)" if stale else "Your closest matches")
    show_headline(pack, result)
    if result.ranking.nothing_matched:
        return
    show_match_cards(pack, result, state.present)
    show_closeness_chart(pack, result)


def _interview(pack: KnowledgePack, state: CheckState, stale: bool) -> None:
    """The next questions, one at a time, with the same scorer as the result (ui.components.interview)."""
    scorer = get_scorer(state.method, current_weights())  # the interview applies age and sex as the result does
    interview.show(pack, scorer, state.present, state.absent, state.presentation, stale, set_answer)


def _show_state_notes(state: CheckState) -> None:
    """Notes about the link or the form (ignored IDs, contradictions), shown even when nothing is left."""
    if state.notes:
        st.warning("\n".join(f"- {n}" for n in state.notes), icon=":material/info:")


def _show_reading_notes(result: Result) -> None:
    notes = [m.note for m in result.ranking.mappings if m.note]
    if notes:
        with st.expander("How your answers were read", expanded=True):
            st.markdown("\n".join(f"- {n}" for n in notes))


def _education_items(value: Any) -> list[str]:
    """Education entries as Markdown bullets: strings, tables with a name and a description, or lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name") or value.get("title")
        text = value.get("description") or value.get("summary") or value.get("text") or ""
        if name:
            return [f"**{name}**" + (f": {text}" if text else "")]
        return [f"**{k}**: {v}" for k, v in value.items()]
    if isinstance(value, list):
        return [item for v in value for item in _education_items(v)]
    return [str(value)]


def _show_education(pack: KnowledgePack) -> None:
    edu = pack.education.get(DCC, {})
    sections = [(title, next((edu[k] for k in keys if k in edu), None)) for keys, title in EDUCATION_SECTIONS]
    sections = [(title, value) for title, value in sections if value]
    if not sections:
        return
    st.subheader(f"Learn about {pack.condition(DCC).name.lower()}" if DCC in pack.condition_index
                 else "Learn more")
    st.caption("General information from the source article, not advice for you: a clinician decides what fits.")
    for title, value in sections:
        with st.expander(title):
            st.markdown("\n".join(f"- {item}" for item in _education_items(value)))


def _show_summary_and_link(pack: KnowledgePack, state: CheckState, result: Result,
                           used: tuple[ContextRule, ...], services: Services | None) -> None:
    """The clinician prompt (drawn unlike the urgency block), the downloads, and how to come back."""
    st.subheader("Bring this to your clinician", anchor=SUMMARY_ANCHOR)
    if result.triage.level != "emergency":  # on an emergency it already stands right under the urgency block
        show_clinician_prompt("patient")
    cols = st.columns(2)  # the summaries are built when a button is pressed: a PDF costs about 50 ms a run
    cols[0].download_button("Download a summary (PDF)",
                            lambda: build_summary_pdf(pack, result, state.present, state.absent, context=used,
                                                      services=services),
                            file_name=SUMMARY_PDF_NAME, mime=PDF_MIME, key="check:download_pdf", on_click="ignore",
                            icon=":material/picture_as_pdf:")
    cols[1].download_button("Download a summary (plain text)",
                            lambda: build_summary(pack, result, state.present, state.absent, context=used,
                                                  services=services),
                            file_name=SUMMARY_TEXT_NAME, mime=TEXT_MIME, key="check:download", on_click="ignore",
                            icon=":material/download:")
    phenopacket_files.download(pack, state.present, state.absent, "check-selection", (), "check:pp_download",
                            state.presentation)
    st.markdown("To come back to these ticks or share them, copy the address in your browser's address bar: it "
                "now holds the findings you ticked. Nothing is stored on our side.")
    st.markdown(f"**Disclaimer (from the source article):** {pack.disclaimer_substance}  \n{NOT_A_DIAGNOSIS}")


def show_result(pack: KnowledgePack, state: CheckState, result: Result, stale: bool = False,
                used: tuple[ContextRule, ...] = (), services: Services | None = None) -> None:
    """The result, in order: the one urgency block (on an emergency, what to do next right under it), what the
    result means and the close matches (within a phone screen of the urgency line), the clinician prompt with
    the summaries and the disclaimer, then the rest."""
    st.header("Your result (out of date)" if stale else "Your result", anchor=RESULT_ANCHOR)
    if stale:
        st.warning("**You changed your answers after this result was shown.** It still shows your earlier "
                   "answers: press **Show my matches** to update it.", icon=":material/update:")
    show_triage(result.triage, services)
    if result.triage.level == "emergency":
        show_clinician_prompt("emergency")
    _show_matches(pack, state, result, stale)
    _show_summary_and_link(pack, state, result, used, services)
    _show_context(pack, result)
    _interview(pack, state, stale)
    _show_reading_notes(result)
    _show_education(pack)


def _red_flag_line(result: Result, services: Services | None) -> None:
    """Above the form, for an emergency or urgent result: the level and its one action in one line, so it is
    never below the fold; the urgency block itself (the one voice) is in the result."""
    heading, _, action = level_lines(result.triage.level)
    st.error(localise(f"**{heading}.** {action} [Why, and what to watch for: see your result]"
                      f"(#{RESULT_ANCHOR}).", services), icon=LEVEL_ICON[result.triage.level])


def with_step(pack: KnowledgePack, state: CheckState, yes: Sequence[str]) -> CheckState:
    """The shown selection with the emergency step's "yes" answers added (they count at once, submitted or not:
    an emergency answer can never sit above a result that ignores it)."""
    if not yes:
        return state
    questions = emergency_questions(pack)
    added = [f for f in step_findings(questions, yes) if f not in state.present]
    return CheckState([*state.present, *added], [i for i in state.absent if i not in added], state.method,
                      state.notes, with_step_answers(state.presentation, questions, yes))




def _compute(pack: KnowledgePack, state: CheckState) -> tuple[Result | None, tuple[ContextRule, ...]]:
    """The engine's result for the shown selection and the "about you" rules used (None when nothing is ticked
    or it cannot be matched)."""
    if state.empty:
        return None, ()
    try:
        result = run(state.present, state.absent, state.method, current_weights(), state.presentation,
                     context_rules(pack))
        return result, result.context.rules if result.context is not None else ()
    except InputError as exc:
        st.error(f"These answers could not be matched: {as_code(exc)}")
        return None, ()


def render() -> None:
    """The Check page: the emergency step, red flags, search and the submit button, the checklist, the result."""
    pack = get_pack()
    st.title("Check your findings")
    st.markdown("Tick what you notice, then press **Show my matches**. This educational tool compares your "
                "findings with conditions that can cause hard lumps or calcium in the skin. "
                "**It gives matches, not a diagnosis.**")
    read_link_once(pack)
    sync_ticks()  # before anything compares them with the shown result
    state = check_state()
    write_link(state)  # every run: the address always holds what is shown, even after visiting another page
    yes = step_answers(pack)
    shown = with_step(pack, state, yes)
    result, used = _compute(pack, shown)
    _default_country()
    _emergency_step(pack, result is not None)
    _country_select()
    services = current_services()
    stale = result is not None and is_stale(pack, state)
    # The lines a result adds above the form go in one container that is always there (empty, it takes no space):
    # an element inserted straight into the page would shift every element below it to a new place, and the
    # browser would then build the whole form again (77 checkboxes) instead of updating it.
    above_form = st.container()
    if result is not None and result.triage.is_red_flag:
        with above_form:
            _red_flag_line(result, services)  # never below the fold; the full block is first in the result
    if result is not None:
        above_form.markdown(f"[Jump to your matches](#{RESULT_ANCHOR})" + (" (out of date: press **Show my matches** "
                                                                           "to update them)" if stale else ""))
    query = st.text_input("Search the findings", key=SEARCH_KEY, placeholder="for example: lump, kidney, x-ray",
                          help="Finds whole words, other words for the same thing and small typos.",
                          persist_state="session")
    _submit_row(pack, "top")
    _course_and_context()
    _checkboxes(pack, query, open_first=result is None)
    _advanced(pack)
    _phenopacket_upload()
    _submit_row(pack, "bottom")
    _show_state_notes(state)
    if result is None:
        if state.empty:
            st.info("Nothing ticked yet. Tick the findings that apply to you, then press **Show my matches**.",
                    icon=":material/touch_app:")
        return
    show_result(pack, shown, result, stale, used, services)
    _scroll_to_result()

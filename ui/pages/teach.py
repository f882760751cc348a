"""Teach page: educators demonstrate differential reasoning on teaching cases or hand-built cases.

Clinical labels and HPO IDs throughout. Every result is shown with the safety block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st

from engine import CORPUS_METHOD_INFO, DEFAULT_METHOD, METHOD_INFO, METHODS, Case, KnowledgePack, Result, TriageError
from engine.corpus.pack import rank_corpus
from engine.evaluation.corpus import corpus_query
from engine.evaluation.quiz import QUIZ_SIZE, score_top3
from engine.io.phenopacket import PhenopacketCase, require_known_terms
from engine.triage.assess import triage_terms
from ui import state
from ui.components import frames, layout, phenopacket_files, teach_charts, widgets

PRESENT_KEY, ABSENT_KEY = "teach:present", "teach:absent"
CASE_KEY, PICK_KEY, STEP_KEY, METHOD_KEY = "teach:case_id", "teach:case_pick", "teach:step", "teach:method"
COMPARE_KEY, STEPS_SEEN_KEY = "teach:compare", "teach:steps_seen"
QUIZ_KEY, PICKS_KEY, COMMITTED_KEY = "teach:quiz", "teach:quiz_picks", "teach:quiz_committed"
CORPUS_ON_KEY, CORPUS_PACK_KEY, CORPUS_METHOD_KEY = "teach:corpus_on", "teach:corpus_pack", "teach:corpus_method"
PACKET_KEY, PACKET_DISEASES_KEY = "teach:phenopacket", "teach:phenopacket_diseases"
CLEARED_KEY = "teach:cleared"  # the working case was emptied on purpose: do not load a case into it again
QUIZ_PARAM = "quiz"  # /teach?quiz=1 opens in quiz mode, so nothing is shown before the educator can hide it
TOP, CORPUS_TOP = 5, 20
COMPARE_MAX = 6  # conditions side by side: more columns than this no longer fit a projected page
CORPUS_AXIS = {m: info.axis for m, info in CORPUS_METHOD_INFO.items()}  # from the engine registry


# --- state -------------------------------------------------------------------------------------------

def load_case(case: Case) -> None:
    """Put a teaching case into the working case (present and pertinent negatives), at its first finding."""
    st.session_state[PRESENT_KEY] = list(case.present)
    st.session_state[ABSENT_KEY] = list(case.absent)
    st.session_state[CASE_KEY] = case.id
    st.session_state[STEP_KEY] = 1
    st.session_state[CLEARED_KEY] = False
    for key in (COMPARE_KEY, PICKS_KEY, COMMITTED_KEY):
        st.session_state.pop(key, None)


def _clear_case() -> None:
    for key in (PRESENT_KEY, ABSENT_KEY, CASE_KEY, STEP_KEY, COMPARE_KEY, PICKS_KEY, COMMITTED_KEY):
        st.session_state.pop(key, None)
    st.session_state[CLEARED_KEY] = True


def _edited() -> None:
    """The working case was changed by hand: it is no longer the teaching case it started from."""
    st.session_state.pop(CASE_KEY, None)
    st.session_state[CLEARED_KEY] = not (st.session_state.get(PRESENT_KEY) or st.session_state.get(ABSENT_KEY))


def _move(delta: int, n: int) -> None:
    """Previous (-1) / Next (+1) finding, kept within 1..n."""
    st.session_state[STEP_KEY] = max(1, min(int(st.session_state.get(STEP_KEY, 1)) + delta, n))


def _restart() -> None:
    st.session_state[STEP_KEY] = 1
    for key in (PICKS_KEY, COMMITTED_KEY):
        st.session_state.pop(key, None)


def quiz_order(cases: Sequence[Case]) -> list[Case]:
    """The cases in quiz order: shuffled by a hash of their id, the same for everyone on every visit (so a class
    can be told "quiz case 12"), with no trace of the file order, which groups cases by condition."""
    return sorted(cases, key=lambda c: hashlib.sha256(c.id.encode()).hexdigest())


def _quiz_mode() -> bool:
    return bool(st.session_state.get(QUIZ_KEY))


def _ordered(cases: Sequence[Case]) -> list[Case]:
    return quiz_order(cases) if _quiz_mode() else list(cases)


def _quiz_case(cases: Sequence[Case]) -> Case | None:
    """The loaded teaching case when quiz mode is on (a hand-built or uploaded case is never a quiz)."""
    if not _quiz_mode():
        return None
    return next((c for c in cases if c.id == st.session_state.get(CASE_KEY)), None)


def _answer_hidden(cases: Sequence[Case]) -> bool:
    """True while a quiz runs and its top 3 is not committed: nothing may show the case's answer or findings."""
    return _quiz_case(cases) is not None and st.session_state.get(COMMITTED_KEY) is None


def _pick_changed(cases: Sequence[Case]) -> None:
    """A case chosen in the picker is loaded at once, at its first finding."""
    case = next((c for c in cases if c.id == st.session_state.get(PICK_KEY)), None)
    if case is not None:
        load_case(case)


def _quiz_changed(cases: Sequence[Case]) -> None:
    """Quiz mode switched on: the chosen case starts again at its first finding, with nothing committed."""
    if _quiz_mode():
        _pick_changed(cases)


def _next_quiz_case(cases: Sequence[Case]) -> None:
    """Load the next case in quiz order (after the last, the first)."""
    ordered = quiz_order(cases)
    ids = [c.id for c in ordered]
    current = st.session_state.get(PICK_KEY)
    nxt = ordered[(ids.index(current) + 1) % len(ordered)] if current in ids else ordered[0]
    st.session_state[PICK_KEY] = nxt.id
    load_case(nxt)


def _arrive(cases: Sequence[Case]) -> None:
    """Quiz mode from the address (``?quiz=1``), and a case in the working case on arrival.

    Widget values are saved again first: a widget that is not drawn on a run (the case editors are not, during a
    quiz) would otherwise lose its value at the end of that run.
    """
    for key in (PRESENT_KEY, ABSENT_KEY):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    if QUIZ_KEY not in st.session_state:
        st.session_state[QUIZ_KEY] = st.query_params.get(QUIZ_PARAM, "") in ("1", "true", "on", "yes")
    if not cases or st.session_state.get(CLEARED_KEY):
        return
    if st.session_state.get(PRESENT_KEY) or st.session_state.get(ABSENT_KEY):
        return
    ids = [c.id for c in _ordered(cases)]
    if st.session_state.get(PICK_KEY) not in ids:
        st.session_state[PICK_KEY] = ids[0]
    _pick_changed(cases)


def _cases() -> list[Case]:
    try:
        return state.get_teaching_cases()
    except TriageError as exc:
        st.error(f"The teaching cases could not be read: {widgets.as_code(exc)}")
        return []


def _load_phenopacket(packet: PhenopacketCase) -> str:
    """An uploaded phenopacket becomes the working case (an uploader callback, before the widgets are drawn)."""
    require_known_terms(packet, state.get_pack().ontology)
    marker = f"phenopacket {packet.origin}"
    load_case(Case(id=marker, present=packet.present, absent=packet.absent, expected=""))
    labels = dict(packet.labels)
    st.session_state[PACKET_DISEASES_KEY] = (marker, [(d, labels.get(d, "")) for d in packet.diseases])
    return f"now the working case: {len(packet.present)} present, {len(packet.absent)} absent."


def _phenopacket_save(pack: KnowledgePack, cases: Sequence[Case], present: list[str], absent: list[str]) -> None:
    """Download the working case as a phenopacket, with the loaded case's expected disease when there is one."""
    loaded = st.session_state.get(CASE_KEY)
    marker, diseases = st.session_state.get(PACKET_DISEASES_KEY, (None, []))
    if loaded != marker:
        case = next((c for c in cases if c.id == loaded), None)
        diseases = phenopacket_files.condition_diseases(pack, case.expected) if case else []
    phenopacket_files.download(pack, present, absent, str(loaded or "teach-case").replace(" ", "_"), diseases,
                            "teach:pp_download")


# --- sections ----------------------------------------------------------------------------------------

def _picker(pack: KnowledgePack, cases: list[Case]) -> None:
    """Quiz switch, case picker and the chosen case; the library folded below them (hidden in quiz mode)."""
    st.header("Choose a teaching case")
    if not cases:
        st.info("No teaching cases available yet: build a case by hand below.")
        return
    st.toggle("Quiz mode: hide the case and its expected condition until the student commits a top 3",
              key=QUIZ_KEY, on_change=_quiz_changed, args=(cases,))
    quiz = _quiz_mode()
    ordered = _ordered(cases)
    by_id = {c.id: c for c in cases}
    number = {c.id: n for n, c in enumerate(ordered, 1)}

    def fmt(cid: str) -> str:
        # in quiz mode a neutral number: the title and the id name the condition
        return f"Quiz case {number[cid]} of {len(ordered)}" if quiz else f"{by_id[cid].title or cid} ({cid})"

    pick = st.selectbox("Teaching case (loads when chosen)", [c.id for c in ordered], key=PICK_KEY,
                        format_func=fmt, on_change=_pick_changed, args=(cases,))
    case = by_id[pick]
    course = case.presentation.describe()
    course_line = f"**Course and context:** {'; '.join(course) if course else '_not given_'}"
    if quiz and st.session_state.get(COMMITTED_KEY) is None:
        st.markdown(f"**{fmt(pick)}.** {course_line}  \nThe title, summary, teaching point, source and expected "
                    "condition are shown once the student's top 3 is committed.")
    else:
        st.markdown(f"**{case.title or case.id}** — {case.summary}")
        st.markdown(course_line)
        st.markdown(f"**Teaching point:** {case.teaching_point or '_none given_'}")
        expected = frames.condition_name(pack, case.expected)
        st.markdown(f"Expected: {expected} · Source: {case.source or 'n/a'}")
    st.button("Reload this case", key="teach:load", on_click=load_case, args=(case,),
              help="Put the chosen case back into the working case, at its first finding.")
    if quiz:
        st.caption("The case library is hidden in quiz mode: it names every case's condition.")
        return
    with st.expander(f"Case library: all {len(cases)} teaching cases"):
        wide, narrow = layout.wide_and_narrow("library")
        wide.table(frames.library_frame(pack, cases), hide_index=True)
        # seven columns and long citations do not fit a phone: two
        narrow.table(frames.compact_library_frame(pack, cases), hide_index=True)


def _finding_options(pack: KnowledgePack, cases: Sequence[Case]) -> list[str]:
    ids = list(pack.finding_ids)
    for c in cases:
        ids += [f for f in (*c.present, *c.absent) if f not in ids]
    for key in (PRESENT_KEY, ABSENT_KEY):  # anything already in the working case stays selectable
        ids += [f for f in st.session_state.get(key, []) if f not in ids]
    return ids


def _working_case(pack: KnowledgePack, cases: Sequence[Case]) -> tuple[list[str], list[str]]:
    st.header("Working case")
    present = list(st.session_state.get(PRESENT_KEY, []))
    absent = list(st.session_state.get(ABSENT_KEY, []))
    if _answer_hidden(cases):
        # a quiz: the case's findings show only as they are revealed under "Step through the findings"
        st.markdown("Quiz mode: the findings are revealed one at a time below. The whole case, and its editor, "
                    "show once the student's top 3 is committed.")
        return present, absent
    loaded = st.session_state.get(CASE_KEY)
    st.caption(f"Loaded teaching case: {widgets.as_code(loaded)}" if loaded
               else "Built by hand: add findings below, or choose a teaching case above.")
    options = _finding_options(pack, cases)

    def fmt(fid: str) -> str:
        return f"{frames.finding_label(pack, fid, cases)} · {fid}"

    present = st.multiselect("Findings present", options, key=PRESENT_KEY, format_func=fmt, on_change=_edited)
    absent = st.multiselect("Findings explicitly absent (pertinent negatives)", options, key=ABSENT_KEY,
                            format_func=fmt, on_change=_edited)
    st.button("Clear the working case", key="teach:clear", on_click=_clear_case)
    return present, absent


def _stepper(steps: list[tuple[str, bool]]) -> int:
    """Finding k of n with Previous, Next and Restart; a new case starts at finding 1."""
    n = len(steps)
    if st.session_state.get(STEPS_SEEN_KEY) != steps:
        st.session_state[STEPS_SEEN_KEY] = steps
        st.session_state[STEP_KEY] = 1
    step = max(1, min(int(st.session_state.get(STEP_KEY, 1)), n))
    st.session_state[STEP_KEY] = step
    cols = st.columns([2, 1, 1, 1])
    cols[0].markdown(f"**Finding {step} of {n}**")
    cols[1].button("Previous", key="teach:prev", on_click=_move, args=(-1, n), disabled=step <= 1,
                   icon=":material/arrow_back:")
    cols[2].button("Next", key="teach:next", on_click=_move, args=(1, n), disabled=step >= n,
                   icon=":material/arrow_forward:", type="primary")
    cols[3].button("Restart", key="teach:restart", on_click=_restart, icon=":material/restart_alt:")
    return step


def _quiz(pack: KnowledgePack, case: Case, cases: Sequence[Case]) -> bool:
    """The student's top 3; True once committed (then the expected condition and the score are shown)."""
    st.markdown(f"**Quiz: commit your top {QUIZ_SIZE} before the answer is shown** (best first).")
    committed = st.session_state.get(COMMITTED_KEY)
    picks = st.multiselect(f"Your top {QUIZ_SIZE}", list(pack.condition_ids), key=PICKS_KEY,
                           max_selections=QUIZ_SIZE, disabled=committed is not None,
                           format_func=lambda c: pack.condition(c).display_name)
    if committed is None:
        if st.button(f"Commit my top {QUIZ_SIZE}", key="teach:commit", type="primary",
                     disabled=len(picks) != QUIZ_SIZE):
            st.session_state[COMMITTED_KEY] = list(picks)
            st.rerun()
        st.info("The ranking and the expected condition are hidden until you commit.")
        return False
    result = score_top3(committed, case.accepted)
    st.success(f"**Score: {result.points} / {result.out_of}.** {result.feedback} "
               f"Expected: {frames.condition_name(pack, case.expected)}.")
    st.button("Next quiz case", key="teach:next_quiz", on_click=_next_quiz_case, args=(cases,),
              icon=":material/skip_next:")
    return True


def _step_through(pack: KnowledgePack, cases: Sequence[Case], steps: list[tuple[str, bool]],
                  method: str) -> tuple[Result, list[tuple[str, bool]]] | None:
    """Reveal the findings one by one; None while a quiz is not committed (nothing may give the answer away)."""
    st.header("Step through the findings")
    step = _stepper(steps)
    shown = steps[:step]
    st.markdown("Revealed so far:\n" + "\n".join(
        f"{n}. {frames.finding_label(pack, f, cases)} ({f}): {'present' if p else 'absent'}"
        for n, (f, p) in enumerate(shown, 1)))
    result = state.run([f for f, p in shown if p], [f for f, p in shown if not p], method)
    quiz_case = _quiz_case(cases)
    if quiz_case is not None and not _quiz(pack, quiz_case, cases):
        return None
    frame = frames.step_frame(state.get_scorer(method, state.current_weights()), steps, cases, TOP)
    if not frame.empty:
        short = {c.display_name: c.name for c in pack.conditions}
        st.altair_chart(widgets.readable(teach_charts.trajectory_chart(frame, step, len(steps), short, TOP)),
                        width="stretch")
        st.caption(f"One line per condition that reaches the top {TOP} at some step, named at the newest finding. "
                   f"In colour (colour-blind-safe palette): the top {TOP} now; in grey: the others. Hover a point "
                   "for the finding added and the match strength.")
    widgets.show_triage_banner(result)
    st.markdown(f"**Ranking after {step} of {len(steps)} findings** ({METHOD_INFO[method].title})")
    wide, narrow = layout.wide_and_narrow("ranking")
    wide.table(widgets.ranking_frame(pack, result, TOP), hide_index=True)
    # eight columns do not fit a phone: three, the numbers in words
    narrow.table(frames.compact_ranking_frame(pack, result, TOP), hide_index=True)
    widgets.show_safety_block(pack, "educator")
    return result, shown


def _compare(pack: KnowledgePack, result: Result, shown: list[tuple[str, bool]]) -> None:
    st.header("Compare conditions side by side")
    ids = list(pack.condition_ids)
    if COMPARE_KEY not in st.session_state:
        st.session_state[COMPARE_KEY] = [m.condition_id for m in result.ranking.matches[:3]]
    chosen = st.multiselect(f"Conditions (up to {COMPARE_MAX})", ids, key=COMPARE_KEY, max_selections=COMPARE_MAX,
                            format_func=lambda c: pack.condition(c).display_name)
    if not chosen:
        st.info("Choose at least one condition.")
        return
    frame = frames.profile_frame(pack, chosen, dict(shown))
    every = st.checkbox("Show every profile finding (not only the most telling ones)", key="teach:heat_all")
    total = frame["finding_id"].nunique()
    frame = (teach_charts.heat_rows(frame, None) if every
             else teach_charts.heat_rows(frames.salient_profile_rows(frame), teach_charts.HEAT_ROWS))
    names = {f: frames.finding_label(pack, f) for f in frame["finding_id"].unique()}
    columns = {pack.condition(c).display_name: pack.condition(c).name for c in chosen}
    st.altair_chart(widgets.readable(teach_charts.heatmap(frame, names, columns)), width="stretch")
    st.caption(f"{frame['finding_id'].nunique()} of the {total} findings in these profiles: reported ones first "
               f"({teach_charts.PRESENT_MARK} present, {teach_charts.ABSENT_MARK} absent), then those that separate "
               "the conditions most. Each cell: how often the finding occurs with the condition (profile "
               "frequency; empty = not in its profile). ★ = hallmark. Hover a cell for the HPO ID and full names.")


def _next_question(pack: KnowledgePack, result: Result) -> None:
    st.header("Most discriminating next finding")
    st.caption("Among the findings not yet revealed or asked, at the current step.")
    if not result.next_questions:
        st.info("No unasked finding separates the leading conditions any further.")
        return
    best = result.next_questions[0]
    st.markdown(f"**Ask about: {best.label} ({best.finding_id})** — expected information gain "
                f"{best.information_gain:.2f} bits.")
    st.markdown(f"Why: {best.reason}")
    wide, narrow = layout.wide_and_narrow("next_question")
    wide.table(frames.next_questions_frame(pack, result), hide_index=True)
    # six columns do not fit a phone: the finding, whom it favours
    narrow.table(frames.compact_next_questions_frame(pack, result), hide_index=True)


def _methods(pack: KnowledgePack, present: list[str], absent: list[str]) -> None:
    st.header("The same case under each scoring method")
    st.caption("All findings of the working case; top 5 per method.")
    for method in METHODS:
        info = METHOD_INFO[method]
        st.markdown(f"**{info.title}** (`{method}`): {info.summary}")
        st.latex(info.latex)
    for col, method in zip(st.columns(len(METHODS)), METHODS, strict=True):
        with col:
            st.markdown(f"**Top {TOP}: {METHOD_INFO[method].title}**")
            st.table(frames.method_top_frame(pack, state.run(present, absent, method), TOP), hide_index=True)


def _corpus(pack: KnowledgePack, cases: Sequence[Case], present: list[str], absent: list[str]) -> None:
    """Rank every HPO-annotated rare disease for the working case (loaded only when switched on)."""
    st.header("Widen the differential: all HPO-annotated rare diseases")
    st.markdown(
        "The curated pack above compares a handful of calcinosis conditions and their mimics. Here the same "
        "case is matched against **every rare disease with HPO annotations** (thousands of Orphanet / OMIM "
        "diseases, from the HPO release shipped with the app), as phenotype-driven rare-disease search tools "
        "do. It is educational: a long list of possibilities to discuss, **not a diagnosis**, and it knows "
        "nothing about how common a disease is.")
    name, method = widgets.corpus_choice(CORPUS_PACK_KEY, CORPUS_METHOD_KEY)
    if not st.toggle("Rank the rare-disease corpus for the working case", key=CORPUS_ON_KEY):
        st.caption("Off. Switch it on to load the corpus (a few seconds the first time) and rank it.")
        return
    try:
        corpus = state.get_corpus(name)
        query = corpus_query(corpus, present, absent)
        if query.left_out:
            st.info(f"**{len(query.left_out)} finding(s) left out.** The corpus speaks only HPO: findings with a "
                    "`CT:` ID are this project's own (history, test results, body sites) and have no HPO "
                    "meaning, so they cannot be matched against HPO annotations.")
            st.dataframe(frames.corpus_left_out_frame(pack, query, cases), hide_index=True)
        if not query.usable:
            st.warning("No present finding of the working case is an HPO term, so the corpus cannot rank it.")
            return
        hits = rank_corpus(corpus, query.present, query.absent, method=method, top=CORPUS_TOP)
        # The curated pack's red-flag rules, through its mapping, on the same HPO terms.
        triage = triage_terms(pack, query.present, query.absent)
    except TriageError as exc:
        st.error(f"The corpus cannot rank this case: {widgets.as_code(exc)}")
        return
    negatives = (f", {len(query.absent)} pertinent negative(s)" if CORPUS_METHOD_INFO[method].uses_absent else
                 " (pertinent negatives are used by the likelihood method only)") if query.absent else ""
    st.caption(f"HPO release {corpus.version} · {corpus.n_diseases:,} diseases in `{corpus.name}` · "
               f"all findings of the working case: {len(query.present)} present HPO term(s){negatives} · "
               f"{widgets.CORPUS_METHOD_TITLES.get(method, method)}")
    frame = frames.corpus_hits_frame(corpus, hits)
    st.markdown(f"**Top {len(frame)} of {corpus.n_diseases:,} diseases**")
    st.dataframe(frame, hide_index=True, column_config={"disease": st.column_config.TextColumn("disease")})
    axis = CORPUS_AXIS.get(method, f"Score ({method}; higher = closer match)")
    st.altair_chart(widgets.readable(teach_charts.corpus_chart(frame, axis)), width="stretch")
    widgets.show_triage(triage)
    widgets.show_safety_block(pack, "educator")


# --- page --------------------------------------------------------------------------------------------

def render() -> None:
    """The Teach page."""
    layout.install()  # the ranking, the next finding and the library: full tables on wide screens, compact on a phone
    st.title("Teach: differential reasoning")
    st.markdown("Educational symptom matching for teaching; a match is not a diagnosis.")
    pack = state.get_pack()
    cases = _cases()
    _arrive(cases)
    _picker(pack, cases)
    with st.expander("Phenopacket (GA4GH): load a case from a file"):
        phenopacket_files.uploader(PACKET_KEY, "Phenopacket (.json, at most 1 MB)", _load_phenopacket)
    present, absent = _working_case(pack, cases)
    if (present or absent) and not _answer_hidden(cases):  # the file would carry the expected condition
        _phenopacket_save(pack, cases, present, absent)
    steps = frames.case_steps(present, absent)
    if not steps:
        st.info("Add findings (or choose a teaching case above) to see the ranking.")
        return
    method = st.selectbox("Scoring method", METHODS, index=METHODS.index(DEFAULT_METHOD), key=METHOD_KEY,
                          format_func=lambda m: METHOD_INFO[m].title)
    try:
        stepped = _step_through(pack, cases, steps, method)
        if stepped is None:  # quiz not committed yet: nothing that gives the answer away
            return
        result, shown = stepped
        _compare(pack, result, shown)
        _next_question(pack, result)
        _methods(pack, present, absent)
        with st.expander("Explanation of the top matches (current step)"):
            widgets.show_explanation(pack, result, lay=False)
    except TriageError as exc:
        st.error(f"This case cannot be scored: {widgets.as_code(exc)}")
    _corpus(pack, cases, present, absent)

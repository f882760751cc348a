"""Check page: a person ticks findings in plain language and sees educational matches.

Nothing ticked is stored on the server or logged: it lives in this browser session and,
after "Show my matches", in the page address (so the link can be shared).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from engine import METHOD_INFO, METHODS, InputError, KnowledgePack, Result
from engine.pack import DCC, Finding
from ui import phenopacket_io
from ui.common import (
    GROUP_TITLES,
    as_code,
    get_pack,
    ranking_chart,
    run,
    show_evidence_note,
    show_explanation,
    show_safety_block,
    show_triage_banner,
)
from ui.summary import SUMMARY_FILE_NAME, SUMMARY_MIME, build_summary

DEFAULT_METHOD = "likelihood"
TICK_PREFIX = "tick:"
SEARCH_KEY = "check:search"
ABSENT_KEY = "check:absent"
METHOD_KEY = "check:method"
STATE_KEY = "check:state"
LINK_READ_KEY = "check:link_read"
PACKET_KEY, PACKET_TABLE_KEY = "check:phenopacket", "check:phenopacket_table"
CHART_LABEL_LIMIT = 320  # px: condition names are long
MAX_LINK_IDS = 200
MAX_ID_CHARS = 40
EDUCATION_SECTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("types",), "Types"),
    (("causes",), "Common causes"),
    (("symptoms",), "Symptoms people notice"),
    (("tests", "diagnostic_tests"), "Tests a clinician may use"),
    (("treatments", "treatment_options"), "Treatment options"),
    (("medications",), "Medications a clinician may prescribe"),
)


@dataclass
class CheckState:
    """What was submitted last (the result shown), plus notes about how a link was read."""

    present: list[str]
    absent: list[str]
    method: str = DEFAULT_METHOD
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.present and not self.absent


def tick_key(finding_id: str) -> str:
    return f"{TICK_PREFIX}{finding_id}"


def _state() -> CheckState:
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = CheckState([], [])
    return st.session_state[STATE_KEY]


# --- search -------------------------------------------------------------------------------------------

def matches_search(finding: Finding, query: str) -> bool:
    """Every word of ``query`` occurs in the finding's lay label, label or description."""
    text = f"{finding.lay_label} {finding.label} {finding.description}".lower()
    return all(word in text for word in query.lower().split())


def filter_findings(findings: Iterable[Finding], query: str) -> list[Finding]:
    return [f for f in findings if matches_search(f, query)]


# --- shareable link -----------------------------------------------------------------------------------

def _display_id(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9:_.-]", "?", raw)[:MAX_ID_CHARS]


def parse_link_ids(pack: KnowledgePack, values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Known finding IDs (pack order of appearance, no duplicates) and the unknown ones, display-safe."""
    known: list[str] = []
    unknown: list[str] = []
    tokens = [t.strip() for v in values for t in str(v).split(",") if t.strip()]
    for token in tokens[:MAX_LINK_IDS]:
        if token in pack.finding_index:
            if token not in known:
                known.append(token)
        elif _display_id(token) not in unknown:
            unknown.append(_display_id(token))
    if len(tokens) > MAX_LINK_IDS:
        unknown.append(f"(and {len(tokens) - MAX_LINK_IDS} more, over the limit of {MAX_LINK_IDS})")
    return known, unknown


def state_from_link(pack: KnowledgePack, params: Any) -> CheckState:
    """Read ``present``, ``absent`` and ``method`` from query params; never raises on bad input."""
    present, bad_present = parse_link_ids(pack, params.get_all("present"))
    absent, bad_absent = parse_link_ids(pack, params.get_all("absent"))
    notes = []
    unknown = bad_present + [b for b in bad_absent if b not in bad_present]
    if unknown:
        notes.append(f"The link held {len(unknown)} finding ID(s) this tool does not know; they were ignored: "
                     + ", ".join(f"`{u}`" for u in unknown))
    both = [i for i in absent if i in present]
    if both:
        notes.append(f"{len(both)} finding(s) were listed both as present and as absent; they count as present.")
        absent = [i for i in absent if i not in present]
    method = params.get("method", DEFAULT_METHOD)
    if method not in METHODS:
        notes.append(f"The link asked for an unknown method; {METHOD_INFO[DEFAULT_METHOD].title} is used.")
        method = DEFAULT_METHOD
    return CheckState(present, absent, method, tuple(notes))


def link_params(state: CheckState) -> dict[str, str]:
    params = {"present": ",".join(state.present), "absent": ",".join(state.absent)}
    if state.method != DEFAULT_METHOD:
        params["method"] = state.method
    return {k: v for k, v in params.items() if v}


def _write_link(state: CheckState) -> None:
    """Make the page address hold exactly the shown selection (only keys that differ are written)."""
    params = link_params(state)
    for key in ("present", "absent", "method"):
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]


def _read_link_once(pack: KnowledgePack) -> None:
    """On the first run of a session, restore ticks from the address (if it holds any)."""
    if st.session_state.get(LINK_READ_KEY):
        return
    st.session_state[LINK_READ_KEY] = True
    if not any(k in st.query_params for k in ("present", "absent", "method")):
        return
    state = state_from_link(pack, st.query_params)
    st.session_state[STATE_KEY] = state
    for fid in state.present:
        st.session_state[tick_key(fid)] = True
    st.session_state[ABSENT_KEY] = list(state.absent)
    st.session_state[METHOD_KEY] = state.method


# --- the form -----------------------------------------------------------------------------------------

def _reset() -> None:
    """Clear every tick, the result and the link (a callback, so widget state may be changed)."""
    for key in [k for k in st.session_state if str(k).startswith(TICK_PREFIX)]:
        st.session_state[key] = False
    st.session_state[ABSENT_KEY] = []
    st.session_state[METHOD_KEY] = DEFAULT_METHOD
    st.session_state[STATE_KEY] = CheckState([], [])
    st.session_state.pop(PACKET_TABLE_KEY, None)
    for key in ("present", "absent", "method"):
        if key in st.query_params:
            del st.query_params[key]


def _tick_columns(findings: list[Finding], ticked: set[str]) -> dict[str, bool]:
    """Two columns of checkboxes; a checkbox starts from the last submitted ticks."""
    values: dict[str, bool] = {}
    cols = st.columns(2)
    for n, f in enumerate(findings):
        key = tick_key(f.id)
        if key not in st.session_state:
            st.session_state[key] = f.id in ticked
        values[f.id] = cols[n % 2].checkbox(f.lay_label, key=key, help=f.description or None, wrap=True)
    return values


def _group_label(title: str, findings: list[Finding], ticked: set[str]) -> str:
    """The title with how many of its findings are ticked (the values the form last committed)."""
    n = sum(bool(st.session_state.get(tick_key(f.id), f.id in ticked)) for f in findings)
    return f"{title} ({n} ticked)" if n else title


def _checkboxes(pack: KnowledgePack, query: str, ticked: set[str], open_first: bool = True) -> dict[str, bool]:
    """Every finding's checkbox, grouped; returns finding_id -> ticked.

    A search moves the findings it does not match into one collapsed section instead of dropping
    them, so ticks not yet submitted are never lost (a widget that is not drawn forgets its value).
    """
    searching = bool(query.split())
    shown = filter_findings(pack.findings, query)
    values: dict[str, bool] = {}
    for n, (group, title) in enumerate(GROUP_TITLES.items()):
        in_group = [f for f in shown if f.group == group]
        if in_group:
            with st.expander(_group_label(title, in_group, ticked), expanded=searching or (open_first and n == 0),
                             key=f"check:group:{group}:{'search' if searching else 'all'}"):
                values.update(_tick_columns(in_group, ticked))
    rest = [f for f in pack.findings if f.id not in values]
    if not shown:
        st.caption("No finding matches your search; clear the search box to see them all.")
    if rest:
        with st.expander(_group_label(f"Findings that do not match your search ({len(rest)})", rest, ticked),
                         key="check:group:rest"):
            st.caption("Hidden by your search. Ticks here still count.")
            values.update(_tick_columns(rest, ticked))
    return values


def _advanced(pack: KnowledgePack) -> None:
    with st.expander("More options: findings you do not have, matching method"):
        st.multiselect("Findings you are sure you do **not** have (optional)", pack.finding_ids,
                       format_func=lambda i: pack.finding(i).lay_label, key=ABSENT_KEY,
                       placeholder="Choose findings")
        if METHOD_KEY not in st.session_state:
            st.session_state[METHOD_KEY] = DEFAULT_METHOD
        st.radio("Matching method", METHODS, key=METHOD_KEY, horizontal=True,
                 format_func=lambda m: METHOD_INFO[m].title,
                 help="The default (likelihood ratio) suits most people; the About page explains all three.")


def _on_submit(finding_ids: tuple[str, ...]) -> None:
    """"Show my matches" (a callback: it runs before the page, so the whole page sees the new selection)."""
    present = [i for i in finding_ids if st.session_state.get(tick_key(i))]
    chosen = list(st.session_state.get(ABSENT_KEY, []))
    absent = [i for i in chosen if i not in present]
    notes = ("Findings ticked as present were removed from the ones you do not have.",) if absent != chosen else ()
    st.session_state[STATE_KEY] = CheckState(present, absent, st.session_state.get(METHOD_KEY, DEFAULT_METHOD),
                                             notes)


def _form(pack: KnowledgePack, query: str, has_result: bool) -> None:
    """The tick form: every finding's checkbox, more options, "Show my matches" and "Clear all"."""
    with st.form("check:form", border=False):
        _checkboxes(pack, query, set(_state().present), open_first=not has_result)
        _advanced(pack)
        left, right = st.columns([3, 1])
        left.form_submit_button("Show my matches", type="primary", key="check:submit", on_click=_on_submit,
                                args=(pack.finding_ids,))
        right.form_submit_button("Clear all", on_click=_reset, key="check:reset")


def _load_phenopacket(packet: phenopacket_io.PhenopacketCase) -> str:
    """Tick what an uploaded phenopacket reports (an uploader callback: it runs before the form is drawn)."""
    pack = get_pack()
    present, absent, table = phenopacket_io.selection_from_packet(pack, packet)
    for f in pack.findings:
        st.session_state[tick_key(f.id)] = f.id in present
    st.session_state[ABSENT_KEY] = absent
    st.session_state[STATE_KEY] = CheckState(present, absent, st.session_state.get(METHOD_KEY, DEFAULT_METHOD))
    st.session_state[PACKET_TABLE_KEY] = table
    return f"{packet.origin}: {len(present)} finding(s) ticked, {len(absent)} marked as not present."


def _phenopacket_upload() -> None:
    with st.expander("Load findings from a phenopacket (GA4GH JSON file)"):
        phenopacket_io.uploader(PACKET_KEY, "Phenopacket (.json, at most 1 MB)", _load_phenopacket)
    phenopacket_io.mapping_table(PACKET_TABLE_KEY)


# --- the result ---------------------------------------------------------------------------------------

def _show_matches(pack: KnowledgePack, result: Result) -> None:
    st.subheader("Your closest matches")
    st.caption("A match says how well your findings fit each condition's usual picture. It is not a diagnosis.")
    show_evidence_note(result)
    if result.ranking.nothing_matched:
        st.info("None of the conditions in this tool matches the findings you ticked. A clinician can still "
                "help: please bring the summary below.")
        return
    st.altair_chart(ranking_chart(result).configure_axisY(labelLimit=CHART_LABEL_LIMIT), width="stretch")
    show_explanation(pack, result)


def _show_next_questions(result: Result) -> None:
    if not result.next_questions:
        return
    st.subheader("Questions a clinician may ask next")
    st.caption("Knowing the answer would best tell your closest matches apart. You can tick them above if they "
               "apply to you.")
    st.markdown("\n".join(f"- **{q.lay_label}**: {q.reason}" for q in result.next_questions))


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


def _show_summary_and_link(pack: KnowledgePack, state: CheckState, result: Result) -> None:
    st.subheader("Bring this to your clinician")
    st.download_button("Download a summary (text)", build_summary(pack, result, state.present, state.absent),
                       file_name=SUMMARY_FILE_NAME, mime=SUMMARY_MIME, key="check:download", on_click="ignore",
                       icon=":material/download:")
    phenopacket_io.download(pack, state.present, state.absent, "check-selection", (), "check:pp_download")
    st.caption("To come back to these ticks or share them, copy the address in your browser's address bar: it now "
               "holds the findings you ticked. Nothing is stored on our side.")


def show_result(pack: KnowledgePack, state: CheckState, result: Result) -> None:
    """The result, in order: triage banner, safety block, matches, next questions, notes, education."""
    show_triage_banner(result)
    show_safety_block(pack)
    _show_matches(pack, result)
    _show_next_questions(result)
    _show_reading_notes(result)
    _show_summary_and_link(pack, state, result)
    _show_education(pack)


def _compute(state: CheckState) -> Result | None:
    """The engine's result for the shown selection (None when nothing is ticked or it cannot be matched)."""
    if state.empty:
        return None
    try:
        return run(state.present, state.absent, state.method)
    except InputError as exc:
        st.error(f"These answers could not be matched: {as_code(exc)}")
        return None


def render() -> None:
    """The Check page: red flags on top when there are any, the form, then the result below it."""
    pack = get_pack()
    st.title("Check your findings")
    st.markdown("Tick what you notice, then press **Show my matches**. This educational tool compares your "
                "findings with conditions that can cause hard lumps or calcium in the skin. "
                "**It gives matches, not a diagnosis.**")
    _read_link_once(pack)
    state = _state()
    _write_link(state)  # every run: the address always holds what is shown, even after visiting another page
    result = _compute(state)
    if result is not None and result.triage.is_red_flag:
        show_triage_banner(result)  # never below the fold; repeated first in the result
        st.caption("Your matches are shown below the list of findings.")
    query = st.text_input("Search the findings", key=SEARCH_KEY, placeholder="for example: lump, kidney, fingers",
                          help="Shows the findings whose words match first; the others move to one folded section.")
    _phenopacket_upload()
    _form(pack, query, has_result=result is not None)
    _show_state_notes(state)
    if result is None:
        if state.empty:
            st.info("Nothing ticked yet. Tick the findings that apply to you, then press **Show my matches**.",
                    icon=":material/touch_app:")
        return
    show_result(pack, state, result)

"""Shared UI pieces: cached pack and scorers, the current weights, and the result widgets.

Every result shown anywhere goes through :func:`show_safety_block`, so the clinician
prompt and the seed's disclaimer are never missing and never behind a click.
Nothing a person ticks is stored or logged: it lives in the session only.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from engine import (
    Case,
    KnowledgePack,
    Result,
    Scorer,
    Triage,
    Weights,
    default_weights,
    encode_case,
    load_pack,
    prepare,
    run_case,
    teaching_cases,
)
from engine.corpus.pack import CORPUS_PACKS, CorpusPack, load_corpus
from engine.corpus.pack import METHODS as CORPUS_METHODS
from engine.inputs import one_line

WEIGHTS_KEY = "analyst_weights"
MAX_LISTED = 6  # findings listed per explanation column before "and N more"
LEVEL_ICON = {"emergency": ":material/emergency:", "urgent": ":material/warning:", "soon": ":material/event:",
              "routine": ":material/stethoscope:"}
CORPUS_TITLES = {
    "hpo-orpha": "Orphanet diseases (hpo-orpha)",
    "hpo-omim": "OMIM diseases (hpo-omim)",
    "hpo-all": "Orphanet + OMIM + DECIPHER (hpo-all)",
}
CORPUS_METHOD_TITLES = {
    "likelihood": "Likelihood ratios (LIRICAL-style)",
    "resnik": "Resnik similarity, patient → disease",
    "resnik-bma": "Resnik similarity, best-match average both ways",
}
GROUP_TITLES = {
    "skin": "What you notice on the skin",
    "joints_muscles": "Joints and muscles",
    "whole_body": "Whole body",
    "organs": "Organs",
    "history": "Your medical history",
    "tests": "Test results you know",
}


def as_code(text: object) -> str:
    """``text`` on one line as a Markdown code span, so Streamlit shows it literally.

    For anything a visitor controls (upload names, weight keys, case fields, error messages that
    quote them): no live link, image, HTML, colour or icon directive can come through.
    """
    line = one_line(str(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""  # CommonMark drops one space each side
    return f"{fence}{pad}{line}{pad}{fence}" if line else ""


@st.cache_resource(show_spinner="Loading the knowledge pack…")
def get_pack() -> KnowledgePack:
    """The curated pack, loaded and validated once per server process."""
    return load_pack()


@st.cache_resource(max_entries=64)
def _scorer(method: str, weights_key: tuple, _weights: Weights) -> Scorer:
    return prepare(get_pack(), _weights, method)


@st.cache_resource(show_spinner="Loading the teaching cases…")
def _teaching_cases(pack_id: int) -> list[Case]:
    return teaching_cases(get_pack())


@st.cache_resource(show_spinner="Loading the rare-disease corpus (a few seconds the first time)…", max_entries=3)
def get_corpus(name: str) -> CorpusPack:
    """A corpus pack (``hpo-orpha``, ``hpo-omim``, ``hpo-all``), loaded only when a page asks for it.

    Raises ``PackError`` for an unknown name. The engine also caches it in memory and on disk
    (``docs/corpus.md``), so this mainly keeps one object per server process.
    """
    return load_corpus(name)


def corpus_choice(pack_key: str, method_key: str) -> tuple[str, str]:
    """Two side-by-side selectors: corpus pack (default ``hpo-orpha``) and corpus method (default likelihood)."""
    cols = st.columns(2)
    name = cols[0].selectbox("Corpus pack", CORPUS_PACKS, index=CORPUS_PACKS.index("hpo-orpha"), key=pack_key,
                             format_func=lambda n: CORPUS_TITLES.get(n, n))
    method = cols[1].selectbox("Corpus method", CORPUS_METHODS, index=CORPUS_METHODS.index("likelihood"),
                               key=method_key, format_func=lambda m: CORPUS_METHOD_TITLES.get(m, m))
    return name, method


def get_teaching_cases() -> list[Case]:
    """The teaching cases of ``data/cases/`` read against the current pack (raises ``InputError``)."""
    return _teaching_cases(id(get_pack()))


def get_scorer(method: str, weights: Weights) -> Scorer:
    """A prepared scorer, cached per method and weights fingerprint."""
    return _scorer(method, weights.key(), weights)


def current_weights() -> Weights:
    """The analyst's weights for this session (the defaults until changed on the Analyze page)."""
    if WEIGHTS_KEY not in st.session_state:
        st.session_state[WEIGHTS_KEY] = default_weights(get_pack())
    return st.session_state[WEIGHTS_KEY]


def set_weights(weights: Weights) -> None:
    st.session_state[WEIGHTS_KEY] = weights


def run(present: list[str], absent: list[str], method: str, weights: Weights | None = None) -> Result:
    """Score reported findings with the session's weights (engine call; raises engine errors)."""
    weights = weights or current_weights()
    case = encode_case(get_pack(), present, absent, float(weights.param("similarity_floor")))
    return run_case(get_scorer(method, weights), case)


def show_safety_block(pack: KnowledgePack) -> None:
    """The clinician prompt and the seed's disclaimer: shown with every result, never collapsed."""
    st.warning(
        "**Please see a clinician.** This is an educational match, not a diagnosis. Only a doctor or nurse "
        "who examines you can tell what is going on. Bring the summary below to your appointment.",
        icon=":material/stethoscope:",
    )
    # The seed's text already starts with "Disclaimer:"; shown verbatim, then its origin.
    st.caption(f"{pack.disclaimer} _(From the source article.)_")


def show_triage(t: Triage) -> None:
    """Red-flag banner first for emergency/urgent, a calmer note otherwise."""
    text = f"**{t.level.upper()}: {t.advice}**"
    reasons = "\n".join(f"- {r.message}" for r in t.reasons if r.level == t.level)
    body = f"{text}\n\n{reasons}" if reasons else text
    if t.is_red_flag:
        st.error(body, icon=LEVEL_ICON[t.level])
    elif t.level == "soon":
        st.warning(body, icon=LEVEL_ICON[t.level])
    else:
        st.info(body, icon=LEVEL_ICON[t.level])


def show_triage_banner(result: Result) -> None:
    """The result's triage (see :func:`show_triage`)."""
    show_triage(result.triage)


def ranking_frame(result: Result, top: int = 8) -> pd.DataFrame:
    """The top matches as a small table: rank, condition, the share shown to people (scaled down when the
    evidence is thin), the share of its usual features reported, absolute fit and score."""
    rows = [{"rank": m.rank, "condition": m.name, "condition_id": m.condition_id,
             "match strength": round(m.shown_share, 4),
             "usual features": round(m.fit.usual_matched / m.fit.usual_total, 4) if m.fit.usual_total else 0.0,
             "fit": m.fit.describe(), "score": round(m.score, 4),
             "matched": len(m.matched)} for m in result.ranking.matches[:top]]
    return pd.DataFrame(rows)


def ranking_chart(result: Result, top: int = 8) -> alt.Chart:
    """Horizontal bars, best match on top: the shown share of the match, or, when the evidence is thin
    (no percentage is headlined then), the share of each condition's usual features that were reported."""
    frame = ranking_frame(result, top)
    field, title = (("usual features", "Share of its usual features you reported") if result.ranking.thin
                    else ("match strength", "Share of the match"))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", axis=alt.Axis(format="%"), title=title),
            y=alt.Y("condition:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None),
            tooltip=["rank", "condition", alt.Tooltip(f"{field}:Q", format=".1%"), "fit", "score", "matched"],
        )
        .properties(height=28 * len(frame) + 20)
    )


def show_evidence_note(result: Result) -> None:
    """When the evidence is thin, say so first (before any match)."""
    if result.evidence_note:
        st.info(f"**The evidence is thin.** {result.evidence_note}", icon=":material/help:")


def label(pack: KnowledgePack, finding_id: str, lay: bool = True) -> str:
    f = pack.finding(finding_id)
    return f.lay_label if lay else f.label


def show_explanation(pack: KnowledgePack, result: Result, top: int = 5, lay: bool = True) -> None:
    """Per match: plain summary, why it ranks there, matched / expected-not-reported / unexplained."""
    for m in result.ranking.matches[:top]:
        cond = pack.condition(m.condition_id)
        share = (f"fits {m.fit.usual_matched} of {m.fit.usual_total} usual features" if result.ranking.thin
                 else f"{m.shown_share:.0%} of the match")
        with st.expander(f"{m.rank}. {cond.lay_name if lay else cond.name} — {share}", expanded=m.rank == 1):
            st.write(cond.summary)
            st.write(m.why())
            st.caption(f"Absolute fit: {m.fit.describe()}.")
            cols = st.columns(3)
            sections = (("Matches your findings", m.matched), ("Usual, but not reported", m.expected_not_reported),
                        ("Your findings it does not explain", m.unexplained))
            for col, (title, ids) in zip(cols, sections, strict=True):
                col.markdown(f"**{title}**")
                shown = ids[:MAX_LISTED]  # the engine lists hallmarks and the most frequent first
                lines = [f"- {label(pack, i, lay)}" for i in shown]
                if len(ids) > len(shown):
                    lines.append(f"- _and {len(ids) - len(shown)} more_")
                col.markdown("\n".join(lines) or "_none_")
            if m.ruled_out:
                st.markdown("**You said you do not have:** " + ", ".join(label(pack, i, lay) for i in m.ruled_out))
            codes = " · ".join(c for c in (*cond.orpha, *cond.omim, *(f"ICD-10 {x}" for x in cond.icd10)))
            if codes:
                st.caption(codes)

"""Session state and cached loaders: the pack, scorers, teaching cases, corpora, and the current weights.

Nothing a person ticks is stored or logged: it lives in the session only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st

from engine import (
    Case,
    KnowledgePack,
    Result,
    Scorer,
    Weights,
    default_weights,
    load_pack,
    prepare,
    run_case,
    teaching_cases,
)
from engine.corpus.pack import CorpusPack, load_corpus
from engine.io.presentation import Presentation
from engine.knowledge.priors import ContextRule
from engine.triage.assess import encode_with_presentation

WEIGHTS_KEY = "analyze:weights"


@st.cache_resource(show_spinner="Loading the knowledge pack…")
def get_pack() -> KnowledgePack:
    """The curated pack, loaded and validated once per server process."""
    return load_pack()


@st.cache_resource(max_entries=64)
def _scorer(method: str, weights_key: str, _weights: Weights) -> Scorer:
    return prepare(get_pack(), _weights, method)


@st.cache_resource(show_spinner="Loading the teaching cases…")
def _teaching_cases(fingerprint: str) -> list[Case]:
    return teaching_cases(get_pack())


@st.cache_resource(show_spinner="Loading the rare-disease corpus (a few seconds the first time)…", max_entries=3)
def get_corpus(name: str) -> CorpusPack:
    """A corpus pack (``hpo-orpha``, ``hpo-omim``, ``hpo-all``), loaded only when a page asks for it.

    Raises ``PackError`` for an unknown name. The engine also caches it in memory and on disk
    (``docs/corpus.md``), so this mainly keeps one object per server process.
    """
    return load_corpus(name)


def get_teaching_cases() -> list[Case]:
    """The teaching cases of ``data/cases/`` read against the current pack (raises ``InputError``)."""
    return _teaching_cases(get_pack().fingerprint)


def get_scorer(method: str, weights: Weights) -> Scorer:
    """A prepared scorer, cached per method and weights fingerprint."""
    return _scorer(method, weights_digest(weights), weights)


def weights_digest(weights: Weights) -> str:
    """:meth:`Weights.key` as a short digest: Streamlit's cache hashes a string at once, whereas it walks the
    key's 400-odd entries one by one (about 7 ms on every run that shows a result)."""
    return hashlib.sha256(repr(weights.key()).encode()).hexdigest()


def current_weights() -> Weights:
    """The analyst's weights for this session (the defaults until changed on the Analyze page)."""
    if WEIGHTS_KEY not in st.session_state:
        st.session_state[WEIGHTS_KEY] = default_weights(get_pack())
    weights: Weights = st.session_state[WEIGHTS_KEY]
    return weights


def set_weights(weights: Weights) -> None:
    st.session_state[WEIGHTS_KEY] = weights


def run(present: list[str], absent: list[str], method: str, weights: Weights | None = None,
        presentation: Presentation | None = None, rules: Sequence[ContextRule] | None = None) -> Result:
    """Score reported findings, with their course and context, with the session's weights (engine call; raises
    engine errors). With ``rules``, the age band and sex of ``presentation`` adjust the ranking, as
    :func:`engine.result.run_case` does."""
    weights = weights or current_weights()
    case = encode_with_presentation(get_pack(), present, absent, weights.params.similarity_floor, presentation)
    return run_case(get_scorer(method, weights), case, presentation=presentation, rules=rules)

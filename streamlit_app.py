"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import gc
import sys

import streamlit as st

st.set_page_config(page_title="calcinosis-triage (educational)", page_icon="🩺", layout="centered")
# Cold start: the first visitor after a restart waits for pandas, scikit-learn, the HPO ontology and the
# pack (several seconds). Say so at once instead of showing a blank page; warm reruns skip this.
COLD = "ui.state" not in sys.modules
loading = st.empty()
if COLD:
    loading.info("Loading the symptom-matching tool… The first visit after a restart takes a few seconds.",
                 icon=":material/hourglass_top:")
# `streamlit run` puts this file's folder on the import path, so `ui` and `engine` import from any working
# directory; an installed calcinosis-triage provides them too. Imported after the message on purpose.
from engine import DEFAULT_METHOD, default_weights  # noqa: E402
from ui.components import browser  # noqa: E402
from ui.pages import about, analyze, check, teach  # noqa: E402
from ui.state import get_pack, get_scorer  # noqa: E402

pack = get_pack()
if COLD:
    # What every Check visit uses, built once per process: the search index and the default scorer.
    check.search_index(pack)
    get_scorer(DEFAULT_METHOD, default_weights(pack))
    # Streamlit runs a full garbage collection after every script run (runner.postScriptGC). The libraries, the
    # ontology, the pack and the caches above live as long as the process; frozen, they are left out of those
    # collections, which then cost about 1 ms instead of about 130 ms a run.
    gc.freeze()
loading.empty()
browser.install()
# The Check page is the default, served at the root address; its url_path only has to be unique. "/check" (a link
# someone typed or kept) is a hidden page that moves to the root with the same query, so it shows the Check page
# instead of "Page not found".
CHECK = st.Page(check.render, title="Check", icon=":material/checklist:", url_path="start", default=True)


def _to_check() -> None:
    st.switch_page(CHECK, query_params=[(k, v) for k in st.query_params for v in st.query_params.get_all(k)])


st.navigation([
    CHECK,
    st.Page(teach.render, title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(analyze.render, title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
    st.Page(_to_check, title="Check", url_path="check", visibility="hidden"),
]).run()

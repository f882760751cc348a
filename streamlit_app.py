"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

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
from ui import about, analyze, browser, check, teach  # noqa: E402
from ui.state import get_pack  # noqa: E402

get_pack()
loading.empty()
browser.install()
st.navigation([
    st.Page(check.render, title="Check", icon=":material/checklist:", url_path="check", default=True),
    st.Page(teach.render, title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(analyze.render, title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
]).run()

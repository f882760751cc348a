"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import streamlit as st

# `streamlit run` puts this file's folder on the import path, so `ui` and `engine` import from any working
# directory; an installed calcinosis-triage provides them too.
from ui import about, analyze, check, teach

st.set_page_config(page_title="calcinosis-triage (educational)", page_icon="🩺", layout="centered")
st.navigation([
    st.Page(check.render, title="Check", icon=":material/checklist:", url_path="check", default=True),
    st.Page(teach.render, title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(analyze.render, title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
]).run()

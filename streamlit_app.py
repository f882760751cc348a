"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # run from any working directory
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import about, analyze, browser, check, teach  # noqa: E402

st.set_page_config(page_title="calcinosis-triage (educational)", page_icon="🩺", layout="centered")
browser.install()
st.navigation([
    st.Page(check.render, title="Check", icon=":material/checklist:", url_path="check", default=True),
    st.Page(teach.render, title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(analyze.render, title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
]).run()

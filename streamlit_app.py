"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # run from any working directory
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import about, analyze, check, teach  # noqa: E402

# The browser's Back and Forward buttons change the address but Streamlit does not follow; reload the page
# for the address shown, so the page and a copied link always agree (the Check page reads its ticks from it).
BACK_BUTTON_SYNC = """<script>
if (!window.__ctPopstate) {
  window.__ctPopstate = true;
  window.addEventListener("popstate", () => window.location.reload());
}
</script>"""

st.set_page_config(page_title="calcinosis-triage (educational)", page_icon="🩺", layout="centered")
st.html(BACK_BUTTON_SYNC, unsafe_allow_javascript=True, width=1)
st.navigation([
    st.Page(check.render, title="Check", icon=":material/checklist:", url_path="check", default=True),
    st.Page(teach.render, title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(analyze.render, title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
]).run()

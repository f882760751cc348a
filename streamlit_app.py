"""calcinosis-triage: page setup and routing only (run with ``streamlit run streamlit_app.py``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import about, check  # noqa: E402


def lazy_page(name: str) -> Callable[[], None]:
    """A page whose module ``ui.<name>`` is imported when shown (it may not exist yet)."""

    def page() -> None:
        try:
            module = importlib.import_module(f"ui.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ui.{name}":
                raise
            st.info("This page is not ready yet.")
            return
        module.render()

    page.__name__ = f"{name}_page"
    return page


st.set_page_config(page_title="calcinosis-triage (educational)", page_icon="🩺", layout="centered")
st.navigation([
    st.Page(check.render, title="Check", icon=":material/checklist:", url_path="check", default=True),
    st.Page(lazy_page("teach"), title="Teach", icon=":material/school:", url_path="teach"),
    st.Page(lazy_page("analyze"), title="Analyze", icon=":material/analytics:", url_path="analyze"),
    st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
]).run()

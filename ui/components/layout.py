"""Wide and narrow versions of one part of a page, the screen's width choosing which is shown.

A page draws both, in the two containers :func:`wide_and_narrow` gives (keyed ``wide_…`` and ``narrow_…``), and
calls :func:`install`: the CSS shows
``wide_…`` only on wide screens and ``narrow_…`` only on narrow ones (a phone at 390 px). Used where a chart or a
table needs more width than a phone has (Analyze's confusion matrix; Teach's ranking, next finding and case
library).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

#: Below this page width Streamlit stacks columns; a part that needs the width gives way to its narrow version.
NARROW_PX = 640
#: Containers keyed ``wide_…`` show only on wide screens, ``narrow_…`` only on narrow ones (a phone at 390 px).
LAYOUT_CSS = f"""<style>
@media (max-width: {NARROW_PX}px) {{ [class*="st-key-wide_"] {{ display: none; }} }}
@media (min-width: {NARROW_PX + 1}px) {{ [class*="st-key-narrow_"] {{ display: none; }} }}
</style>"""


def install() -> None:
    """Add the CSS to the page (style only: Streamlit sends it where it takes no room)."""
    st.html(LAYOUT_CSS)


def wide_and_narrow(name: str) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Two containers for one part of the page, in this order: the one shown on wide screens and the one shown on
    a phone (keyed ``wide_<name>`` and ``narrow_<name>``)."""
    return st.container(key=f"wide_{name}"), st.container(key=f"narrow_{name}")

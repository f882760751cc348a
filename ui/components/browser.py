"""Browser-side fixes installed once per page run: keyboard access.

- Scrollable regions (wide tables, formulas) get ``tabindex=0`` so keyboard users can scroll them.

Back / Forward need nothing here: Streamlit itself switches to the page of the address shown, in the same
session, so loaded weights, ticks and uploads stay (a reload would start a new session and lose them). The
Check page then writes its shown selection back into the address, so a copied link still agrees.

Caption contrast is set in ``.streamlit/config.toml``: black text makes Streamlit's 60%-opacity
captions #666666 on white (5.7:1).
"""

from __future__ import annotations

import streamlit as st

SCRIPT = """<script>
(() => {
  if (window.__ctFixes) return;
  window.__ctFixes = true;
  const focusable = () => {
    for (const el of document.querySelectorAll(".katex-display, [data-testid='stTable'] > div, pre")) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    }
  };
  new MutationObserver(focusable).observe(document.body, {childList: true, subtree: true});
  focusable();
})();
</script>"""


def install() -> None:
    """Add the script to the page (it guards itself against running twice)."""
    st.html(SCRIPT, unsafe_allow_javascript=True, width=1)

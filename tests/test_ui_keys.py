"""Session-state keys follow one style, ``page:name`` (``check:``, ``teach:``, ``analyze:``), on every page.

A key's page says whose state it is, so a page's keys can be listed, cleared or searched for in one go.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # whole pages: seconds, out of the inner loop

KEY_STYLE = re.compile(r"^(check|teach|analyze):[a-z0-9_]+(:[A-Za-z0-9_:.\-]+)?$")


def page(name: str) -> None:
    import importlib

    importlib.import_module(f"ui.pages.{name}").render()


@pytest.mark.parametrize("name", ["check", "teach", "analyze"])
def test_every_session_key_a_page_sets_is_page_colon_name(name: str) -> None:
    at = AppTest.from_function(page, args=(name,), default_timeout=60)
    at.run()
    if name == "check":  # tick something and submit, so the result's and the interview's keys exist too
        at.checkbox(key="check:tick:HP:0001482").check().run()
        at.button(key="check:submit").click().run()
    assert not at.exception, at.exception
    keys = [k for k in at.session_state if not k.startswith("$$")]  # "$$": Streamlit's own
    assert keys
    assert [k for k in keys if not KEY_STYLE.match(k)] == []

"""Cold start (issue 9): the first visitor after a restart sees a loading message, not a blank page.

Its own fresh `streamlit run` (the other browser tests warm theirs up). How fast the message comes is
measured by ``bench/load.py``, never here; this test checks that it comes at all, before the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from ui.local_app import local_app

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, START_TIMEOUT_S, _need_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOADING = "Loading the symptom-matching tool"


def test_first_visitor_sees_a_loading_message_then_the_page() -> None:
    _need_chromium()
    with local_app(ROOT / "streamlit_app.py", timeout_s=START_TIMEOUT_S) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(app.url, wait_until="commit")
            message = page.get_by_text(LOADING)
            message.wait_for()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "cold-start.png"))
            page.get_by_text("Check your findings").first.wait_for()
            message.wait_for(state="detached")
            page.reload()  # a warm visit: straight to the page, no loading message
            page.get_by_text("Check your findings").first.wait_for()
            assert page.get_by_text(LOADING).count() == 0
        finally:
            browser.close()

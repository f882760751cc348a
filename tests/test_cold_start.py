"""Cold start (issue 9): the first visitor after a restart sees a loading message, not a blank page.

Its own fresh `streamlit run` (the other browser tests warm theirs up). How fast the message comes is
measured by ``bench/load.py``, never here; this test checks that it comes at all, before the page.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port, _need_chromium, _wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOADING = "Loading the symptom-matching tool"


def test_first_visitor_sees_a_loading_message_then_the_page() -> None:
    _need_chromium()
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(60_000)
                page.goto(url, wait_until="commit")
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
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

"""End to end: `streamlit run streamlit_app.py` driven by Debian Chromium through Playwright."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from ui.local_app import CHROMIUM, CHROMIUM_ARGS, local_app

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
SHOTS = Path(os.environ.get("SHOTS_DIR", ARTIFACTS))  # screenshots: outside the repo when SHOTS_DIR is set
RESULT_TEXT = {"check": "Your closest matches", "teach": "Step through the findings",
               "analyze": "All methods compared", "about": "Sources"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")
MAX_TABS_TO_SUBMIT = 20  # was about 90; Streamlit's own skip link, page links and menu take about 8
START_TIMEOUT_S = 60
TICK_IDS = (("HP:0001482", "Hard lumps under the skin"),
            ("CT:injury_at_site", "Past injury, wound, burn or surgery where the lump is"),
            ("CT:systemic_sclerosis_diagnosis", "Diagnosed systemic sclerosis (scleroderma)"))
TICKS = ((TICK_IDS[0][1], ""), (TICK_IDS[1][1], "injury"), (TICK_IDS[2][1], "systemic sclerosis"))

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium package, or set REQUIRE_BROWSER=1 to fail)")


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    _need_chromium()
    with local_app(ROOT / "streamlit_app.py", timeout_s=START_TIMEOUT_S,
                   extra_args=("--client.toolbarMode", "minimal")) as app:
        yield app.url


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()


def _settle(page: Page) -> None:
    """Wait until the rerun is over: no element is still marked stale or drawn as a loading skeleton."""
    page.wait_for_function("!document.querySelector('[data-stale=\"true\"], [data-testid=\"stSkeleton\"]')")
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-stale=\"true\"]')")


def _tick(page: Page, label: str) -> None:
    """Tick a finding and wait until its box shows ticked; click again if a rerun swallowed the first click."""
    box = page.get_by_role("checkbox", name=label, exact=True)
    for _ in range(3):
        page.get_by_text(label, exact=True).click()
        try:
            expect(box).to_be_checked(timeout=5_000)
            return
        except AssertionError:
            _settle(page)
            if box.is_checked():  # ticked late: clicking again would untick it
                return
    expect(box).to_be_checked()


def _result_page(app_url: str, browser: Browser) -> Page:
    """A desktop page opened from a link with one finding ticked, its result shown."""
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/?present=HP:0001482")
    page.get_by_text("Your closest matches", exact=True).wait_for()
    return page


def _search(page: Page, words: str) -> None:
    box = page.get_by_role("textbox", name="Search the findings")
    box.fill(words)
    box.press("Enter")
    if words:
        page.get_by_text(f"match “{words}”", exact=False).first.wait_for()
    _settle(page)


def _axe_problems(page: Page) -> list[str]:
    """Serious or critical axe-core violations on the page as shown (axe.js is bundled with the package)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {n['target']}" for v in results.response["violations"]
            if v["impact"] in SERIOUS for n in v["nodes"]]


def _open_with_result(page: Page, app_url: str, name: str) -> None:
    """Open one page of the app with a result on screen."""
    if name == "check":
        page.goto(f"{app_url}/?present=HP:0001482,CT:injury_at_site,HP:0003774")
        page.get_by_text("Your closest matches", exact=True).wait_for()
    elif name == "teach":
        page.goto(f"{app_url}/teach")  # a teaching case is loaded on arrival
        page.get_by_text("Step through the findings").wait_for()
    elif name == "analyze":
        page.goto(f"{app_url}/analyze")
        page.get_by_text("Confusion matrix (current weights)").wait_for(timeout=120_000)
    else:
        page.goto(f"{app_url}/about")
        page.get_by_text("About this tool").wait_for()
    _settle(page)
    page.wait_for_timeout(700)


def test_tick_submit_and_see_matches_with_safety_block(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_text("Check your findings").first.wait_for()
    # Tick one finding, then find the others by searching: ticks not yet submitted must survive a search.
    _tick(page, TICKS[0][0])
    for label, words in TICKS[1:]:
        _search(page, words)
        _tick(page, label)
    _search(page, "")
    page.get_by_role("button", name="Show my matches").first.click()
    page.get_by_text("Your closest matches", exact=True).wait_for()
    page.get_by_text("Please see a clinician").first.wait_for()
    page.get_by_text("Disclaimer (from the source article):").wait_for()
    page.get_by_text("Calcium lumps in damaged or inflamed skin").first.wait_for()
    page.get_by_text("Your findings that fit it").first.wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    present = parse_qs(urlparse(page.url).query)["present"][0].split(",")
    assert sorted(present) == sorted(fid for fid, _ in TICK_IDS)
    page.get_by_role("button", name="Show my matches").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-check.png"))
    page.close()


def test_shared_link_restores_ticks(app_url: str, browser: Browser) -> None:
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/?present=HP:0001482,HP:9999999")
    page.get_by_text("Your closest matches", exact=True).wait_for()
    page.get_by_text("does not know; they were ignored").wait_for()
    page.get_by_text("What you notice on the skin (1 ticked)").click()  # groups are folded when a result shows
    assert page.get_by_role("checkbox", name="Hard lumps under the skin").is_checked()
    assert parse_qs(urlparse(page.url).query)["present"] == ["HP:0001482"]  # unknown IDs dropped from the link
    page.get_by_role("link", name="About").click()
    page.get_by_text("About this tool").wait_for()
    page.get_by_role("link", name="Check").click()
    page.get_by_text("Your closest matches", exact=True).wait_for()
    page.wait_for_url("**present=HP*")
    page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_with_a_result_passes_axe_and_is_photographed(app_url: str, browser: Browser,
                                                                  viewport: str) -> None:
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.set_default_timeout(60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name in ("check", "teach", "analyze", "about"):
        _open_with_result(page, app_url, name)
        page.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"))
        page.get_by_text(RESULT_TEXT[name], exact=False).first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"{name}-{viewport}-result.png"))
        problems[name] = _axe_problems(page)
    page.close()
    assert not any(problems.values()), problems


def test_keyboard_reaches_submit_quickly_and_focus_moves_to_the_result(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/?present=HP:0001482")  # a fresh page with ticks from a link
    page.get_by_text("Check your findings").first.wait_for()
    _settle(page)
    tabs = 0
    focused_on_submit = ("document.activeElement?.tagName === 'BUTTON' && "
                         "document.activeElement.innerText.includes('Show my matches')")
    while not page.evaluate(focused_on_submit) and tabs < 200:
        page.keyboard.press("Tab")
        tabs += 1
    assert tabs <= MAX_TABS_TO_SUBMIT, f"{tabs} tab stops to reach Show my matches"
    page.keyboard.press("Enter")
    page.get_by_text("Your closest matches", exact=True).wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'your-matches'")
    page.close()


def test_pending_ticks_survive_a_page_switch_and_a_changed_result_is_marked(app_url: str, browser: Browser) -> None:
    page = _result_page(app_url, browser)
    _search(page, "injury")
    page.get_by_text(TICK_IDS[1][1], exact=True).first.click()  # ticked, not submitted
    _settle(page)
    page.get_by_text("Your result (out of date)").wait_for()
    page.get_by_role("link", name="About").click()
    page.get_by_text("About this tool").wait_for()
    page.get_by_role("link", name="Check").click()
    page.get_by_text("Your result (out of date)").wait_for()
    _search(page, "injury")
    assert page.get_by_role("checkbox", name=TICK_IDS[1][1]).first.is_checked()
    page.close()


def test_back_button_keeps_the_page_and_the_address_in_step(app_url: str, browser: Browser) -> None:
    page = _result_page(app_url, browser)
    page.get_by_role("link", name="About").click()
    page.get_by_text("About this tool").wait_for()
    page.go_back()
    page.get_by_text("Your closest matches", exact=True).wait_for()
    assert "about" not in urlparse(page.url).path
    assert page.get_by_text("About this tool").count() == 0
    page.go_forward()
    page.get_by_text("About this tool").wait_for()
    assert urlparse(page.url).path.endswith("/about")
    page.close()


def test_an_emergency_answer_after_a_result_leaves_no_lower_level_on_screen_or_in_the_summaries(
        app_url: str, browser: Browser, tmp_path: Path) -> None:
    page = _result_page(app_url, browser)  # a hard lump: a routine result
    page.get_by_text("ROUTINE: see a doctor in the coming weeks").first.wait_for()
    page.get_by_role("radiogroup").first.get_by_text("Yes", exact=True).click()
    _tick(page, "Is the person unconscious, or very drowsy and hard to wake?")
    page.get_by_text("EMERGENCY: get help now").first.wait_for()
    _settle(page)
    shown = page.locator("[data-testid='stMain']").inner_text()
    for lower in ("ROUTINE", "SOON:", "URGENT:", "Make a routine appointment", "Book an appointment"):
        assert lower not in shown, lower
    for label in ("Download a summary (plain text)", "Download a summary (PDF)"):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        data = path.read_bytes()
        if path.suffix == ".pdf":
            from pypdf import PdfReader

            text = " ".join(p.extract_text() for p in PdfReader(path).pages)
        else:
            text = data.decode("utf-8")
        assert "EMERGENCY" in text and "ROUTINE" not in text, label
    page.close()


def test_missing_chromium_skips_unless_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="REQUIRE_BROWSER=1"):
        _need_chromium()
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        _need_chromium()


INJECTED_NAME = "[click](https://evil.example/a) ![x](https://evil.example/x.png) <img src=https://evil.example/y>"
GOOD_PACKET = (b'{"id": "p", "phenotypicFeatures": [{"type": {"id": "HP:0001482"}}], '
               b'"metaData": {"createdBy": "test", "phenopacketSchemaVersion": "2.0"}}')


def _outside_links_and_images(page: Page) -> list[str]:
    """Links and images on the page that point outside the app (anything not on 127.0.0.1 / localhost)."""
    return page.evaluate("""() => {
      const outside = (u) => { try { const h = new URL(u, location.href).hostname;
        return h !== location.hostname && h !== ''; } catch { return true; } };
      return [...document.querySelectorAll('a[href]')].map(a => a.href).filter(outside)
        .concat([...document.querySelectorAll('img[src]')].map(i => i.src).filter(outside));
    }""")


def test_an_uploaded_name_with_a_link_and_an_image_renders_neither(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_text("Check your findings").first.wait_for()
    before = _outside_links_and_images(page)
    page.get_by_text("Load findings from a phenopacket (GA4GH JSON file)").click()
    box = page.locator("[data-testid='stFileUploader'] input[type='file']").first
    for content, shown in ((GOOD_PACKET, "finding(s) ticked"), (b"{not json", "Nothing was changed")):
        box.set_input_files({"name": f"{INJECTED_NAME}.json", "mimeType": "application/json", "buffer": content})
        page.get_by_text(shown, exact=False).first.wait_for()
        _settle(page)
        assert _outside_links_and_images(page) == before  # no link or image to an outside host was added
        assert page.locator("img[src*='evil'], a[href*='evil']").count() == 0
        assert page.locator("code", has_text="evil.example/a").count() >= 1  # the name is there, as code
    page.close()


def test_the_check_address_is_routable(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/check?present=HP:0001482")
    page.get_by_text("Your closest matches", exact=True).wait_for()
    assert page.get_by_text("Page not found").count() == 0
    assert parse_qs(urlparse(page.url).query)["present"] == ["HP:0001482"]
    page.close()


def test_back_and_forward_keep_loaded_weights_and_ticks(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_text("Check your findings").first.wait_for()
    _tick(page, TICKS[0][0])  # ticked, not submitted
    page.get_by_role("link", name="Analyze").click()
    page.get_by_text("Load and save weights").wait_for()
    weights = page.locator("[data-testid='stFileUploader'] input[type='file']").first
    weights.set_input_files({"name": "mine.toml", "mimeType": "application/toml", "buffer": b"[params]\nleak = 0.2\n"})
    page.get_by_text("Loaded weights from").first.wait_for()
    page.get_by_text("All methods compared").first.wait_for(timeout=120_000)
    _settle(page)
    assert page.get_by_text("The current weights are the defaults").count() == 0
    page.get_by_role("link", name="About").click()
    page.get_by_text("About this tool").wait_for()
    page.go_back()
    page.get_by_text("Loaded weights from").first.wait_for()
    page.get_by_text("All methods compared").first.wait_for(timeout=120_000)
    _settle(page)
    assert page.get_by_text("The current weights are the defaults").count() == 0  # the loaded weights stayed
    page.go_back()
    page.get_by_text("Check your findings").first.wait_for()
    _settle(page)
    assert page.get_by_role("checkbox", name=TICKS[0][0], exact=True).is_checked()  # so did the tick
    page.go_forward()
    page.get_by_text("Loaded weights from").first.wait_for()
    page.close()


def test_the_summaries_download_when_pressed(app_url: str, browser: Browser, tmp_path: Path) -> None:
    """The summaries are built when their button is pressed (not on every run): the files still arrive whole."""
    page = _result_page(app_url, browser)
    for label, start in (("Download a summary (PDF)", b"%PDF-"), ("Download a summary (plain text)", b"")):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        content = path.read_bytes()
        assert content.startswith(start) and len(content) > 500, content[:80]
    assert b"not a diagnosis" in content.lower() or b"clinician" in content.lower()
    page.close()


# --- Teach: quiz mode and charts for a projector ---------------------------------------------------------

PROJECTOR = {"width": 1024, "height": 768}
TEACH_WIDTHS = {"1280": VIEWPORTS["desktop"], "1024": PROJECTOR, "390": VIEWPORTS["phone"]}


def _everything_on_the_page(page: Page) -> str:
    """All text the page holds, shown or not, every attribute value and every input's value, the title and the
    address: where an answer could hide."""
    return page.evaluate("""() => [document.title, location.href, document.body.textContent,
        ...[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.value)),
        ...[...document.querySelectorAll('input, textarea, select')].map(e => e.value)].join('\\n')""")


def _teach_case(quiz: bool) -> tuple[object, object]:
    from engine import load_pack, teaching_cases
    from ui.pages.teach import quiz_order

    pack = load_pack()
    cases = teaching_cases(pack)
    return pack, (quiz_order(cases)[0] if quiz else cases[0])


def test_teach_quiz_mode_keeps_the_answer_and_the_unrevealed_findings_off_the_page(app_url: str,
                                                                                   browser: Browser) -> None:
    """/teach?quiz=1: nothing in the page (text, hidden text, attributes, input values, title, address) names the
    expected condition, the case id, title, summary, teaching point or source, or a finding not yet revealed,
    until the student commits a top 3; then the score and the answer show."""
    from engine import Case, KnowledgePack
    from ui.components.frames import case_steps

    pack, case = _teach_case(quiz=True)
    assert isinstance(pack, KnowledgePack) and isinstance(case, Case)
    cond = pack.condition(case.expected)
    secrets = [t for t in (cond.display_name, cond.lay_name, cond.name, cond.id, case.id, case.title, case.summary,
                           case.teaching_point, case.source) if t]
    steps = case_steps(case.present, case.absent)
    page = browser.new_page(viewport=PROJECTOR)
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/teach?quiz=1")
    page.get_by_text("Step through the findings").wait_for()
    page.get_by_text("Quiz case 1 of").first.wait_for()
    _settle(page)
    for k in range(1, min(len(steps), 3) + 1):
        text = _everything_on_the_page(page)
        assert [t for t in secrets if t.lower() in text.lower()] == [], k
        assert [f for f, _ in steps[k:] if f in text] == [], k  # findings still to come
        assert all(f in text for f, _ in steps[:k]), k
        if k < min(len(steps), 3):
            page.get_by_role("button", name="Next").click()
            page.get_by_text(f"Finding {k + 1} of {len(steps)}").wait_for()
            _settle(page)
    assert page.locator("[data-testid='stVegaLiteChart'], [data-testid='stTable']").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "teach-quiz-1024.png"))
    picks = [*[c for c in pack.condition_ids if c not in case.accepted][:2], case.expected]
    box = page.get_by_role("combobox", name="Your top 3")
    for cid in picks:
        box.click()
        box.fill(pack.condition(cid).display_name)
        page.keyboard.press("Enter")  # the one option left
        page.locator("[data-testid='stMultiSelect']").get_by_text(pack.condition(cid).display_name).first.wait_for()
        _settle(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Commit my top 3").click()
    page.get_by_text("Score: 1 / 3").wait_for()
    page.get_by_text(cond.display_name).first.wait_for()
    page.close()


def _teach_axe_problems(page: Page) -> list[str]:
    """Serious or critical axe-core violations, and headings that skip a level (moderate, but they break the
    outline a screen reader offers)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {n['target']}" for v in results.response["violations"]
            if v["impact"] in SERIOUS or v["id"] == "heading-order" for n in v["nodes"]]


def _heat_rows_shown(page: Page) -> int:
    caption = page.get_by_text(re.compile(r"\d+ of the \d+ findings in these profiles")).inner_text()
    match = re.search(r"(\d+) of the \d+ findings", caption)
    assert match, caption
    return int(match.group(1))


@pytest.mark.parametrize("width", list(TEACH_WIDTHS))
def test_teach_picker_comes_first_and_every_chart_fits_a_projector(app_url: str, browser: Browser,
                                                                    width: str) -> None:
    """At 1280 px, at a projector's 1024 px and on a 390 px phone: the case picker is on the first screen with a
    case loaded, and each chart (rank trajectory, profile heat map, rare-disease corpus) stays inside the page
    column, the heat map with at least 20 px per row; axe-core finds nothing serious and no skipped heading level.
    The screenshots are for looking at: labels must not overlap or be cut."""
    viewport = TEACH_WIDTHS[width]
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(120_000)
    page.goto(f"{app_url}/teach")
    page.get_by_text("Step through the findings").wait_for()
    _settle(page)
    picker = page.get_by_text("Teaching case (loads when chosen)").bounding_box()
    assert picker and picker["y"] + picker["height"] < viewport["height"]  # no scrolling to reach the picker
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"teach-top-{width}.png"))
    page.get_by_text(re.compile(r"Ranking after \d+ of \d+ findings")).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"teach-result-{width}.png"))  # the page scrolls inside: no full_page
    assert _teach_axe_problems(page) == []
    for k in range(2, 5):
        page.get_by_role("button", name="Next").click()
        page.get_by_text(f"Finding {k} of").wait_for()
        _settle(page)
    page.get_by_text("Rank the rare-disease corpus for the working case").click()
    page.get_by_text(re.compile(r"Top \d+ of [\d,]+ diseases")).wait_for()
    _settle(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(3)
    column = page.locator("[data-testid='stMainBlockContainer']").bounding_box()
    assert column
    boxes = {}
    for i, name in enumerate(("trajectory", "heatmap", "corpus")):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        chart.screenshot(path=str(SHOTS / f"teach-{name}-{width}.png"))
        box = chart.bounding_box()
        assert box and box["height"] > 100, name
        inner = chart.locator("canvas, svg").first.bounding_box()
        assert inner and inner["x"] >= column["x"] - 1 and inner["x"] + inner["width"] <= column["x"] + column[
            "width"] + 1, (name, inner, column)  # nothing runs off the page column
        boxes[name] = box
    rows = _heat_rows_shown(page)
    assert 1 <= rows <= 15 and boxes["heatmap"]["height"] >= 20 * rows
    page.screenshot(path=str(SHOTS / f"teach-corpus-view-{width}.png"))
    assert _teach_axe_problems(page) == []  # with the corpus ranked too


def _overflow(locator: Any) -> dict[str, int]:
    """The scroll container of a Streamlit table: how wide its content is and how wide it is shown."""
    return locator.locator("[data-testid='stTable'] > div").first.evaluate(
        "e => ({scrollWidth: e.scrollWidth, clientWidth: e.clientWidth})")


#: Teach's tables drawn twice (ui.components.layout): the part's key, its compact columns, some of its full ones.
TEACH_TABLES = {"ranking": (["rank", "condition", "how it fits"], {"condition_id", "match strength", "fit", "score"}),
                "next_question": (["finding", "if present, favours"], {"finding_id", "information gain (bits)",
                                                                          "favours", "against", "why"}),
                "library": (["case", "condition"], {"id", "title", "expected", "triage", "source"})}


def _scroll_to_top_of(locator: Any) -> None:
    """Scroll the page column until the top of ``locator`` is near the top of the screen, below the app's header
    (a table taller than the screen is then shown from its column headers on)."""
    locator.evaluate("""e => {
        e.scrollIntoView({block: 'start'});
        let box = e.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY)))
            box = box.parentElement;
        (box || document.scrollingElement).scrollBy(0, -96);
    }""")


def _one_table_shown(page: Page, part: str, width: str) -> None:
    """At 390 px the compact table of ``part`` is shown, its content no wider than the table, the table inside the
    page column and the page no wider than the screen; at 1280 and 1024 px the full table, as before. Both
    photographed from the table's top: the table alone (one screenful of it) and the screen around it."""
    viewport, (compact, full) = TEACH_WIDTHS[width], TEACH_TABLES[part]
    wide, narrow = page.locator(f".st-key-wide_{part}"), page.locator(f".st-key-narrow_{part}")
    phone = width == "390"
    shown = narrow if phone else wide
    expect(shown).to_be_visible()
    expect(wide if phone else narrow).to_be_hidden()
    _scroll_to_top_of(shown)
    _settle(page)
    headers = [h.strip() for h in shown.get_by_role("columnheader").all_inner_texts()]
    if phone:
        assert headers == compact, (part, headers)
        size = _overflow(shown)
        assert size["scrollWidth"] <= size["clientWidth"], (part, size)  # no sideways scrolling inside the table
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], part
        box, column = shown.bounding_box(), page.locator("[data-testid='stMainBlockContainer']").bounding_box()
        assert box and column and box["x"] >= column["x"] - 1 and box["x"] + box["width"] <= column["x"] + column[
            "width"] + 1, (part, box, column)
    else:
        assert full <= set(headers), (part, headers)
    SHOTS.mkdir(parents=True, exist_ok=True)
    box = shown.bounding_box()
    assert box
    top, bottom = max(box["y"], 0), min(box["y"] + box["height"], viewport["height"])
    name = part.replace("_", "-")
    page.screenshot(path=str(SHOTS / f"teach-{name}-{width}.png"),  # the table, as much of it as one screen holds
                    clip={"x": box["x"], "y": top, "width": box["width"], "height": bottom - top})
    page.screenshot(path=str(SHOTS / f"teach-{name}-view-{width}.png"))


@pytest.mark.parametrize("width", list(TEACH_WIDTHS))
def test_teach_tables_fit_a_phone_without_sideways_scrolling(app_url: str, browser: Browser, width: str) -> None:
    """At 390 px the ranking (rank, condition, how it fits), the most discriminating next finding (the finding,
    whom it favours over whom) and the case library, unfolded (the case, its condition), are compact tables whose
    content is no wider than the table, and the page no wider than the screen; at 1280 and 1024 px the full
    tables are shown, as before. The screenshots are for looking at: each must read without scrolling sideways."""
    page = browser.new_page(viewport=TEACH_WIDTHS[width])
    page.set_default_timeout(60_000)
    _open_with_result(page, app_url, "teach")
    page.get_by_text(re.compile(r"Case library: all \d+ teaching cases")).click()  # unfold it
    for part in TEACH_TABLES:
        _one_table_shown(page, part, width)
    page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_analyze_shows_tables_instead_of_wide_charts_on_a_phone(app_url: str, browser: Browser,
                                                                viewport: str) -> None:
    """At phone width the confusion matrix is a table (the 17 × 17 heat map cannot be read there) and the
    sensitivity bars keep most of the width (their names sit above them, not on an axis beside them)."""
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.set_default_timeout(60_000)
    _open_with_result(page, app_url, "analyze")
    wide, narrow = page.locator(".st-key-wide_confusion"), page.locator(".st-key-narrow_confusion")
    phone = viewport == "phone"
    expect(narrow if phone else wide).to_be_visible()
    expect(wide if phone else narrow).to_be_hidden()
    shown = narrow if phone else wide
    if phone:
        assert shown.get_by_role("columnheader", name="ranked first instead").count() == 1
    page.get_by_text("Sensitivity: which weights move the rankings most").scroll_into_view_if_needed()
    _settle(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").last
    chart.scroll_into_view_if_needed()
    box, column = chart.bounding_box(), page.locator("[data-testid='stMainBlockContainer']").bounding_box()
    assert box is not None and column is not None and box["width"] >= 0.8 * column["width"]


INTERVIEW_CASE = "calci-dialysis-necrotic-ulcers"  # "not sure" three times, then a "yes" that raises the urgency
INTERVIEW_BOX = ".st-key-interview_question"


def _interview_transcript() -> tuple[str, Any]:
    """The case's first finding and the interview the engine runs for it, answered from the case (a finding the
    case does not mention: not sure), as the page runs it (default method and weights, no course answers)."""
    from engine import default_weights, load_pack, prepare, teaching_cases
    from engine.interview import run_interview, start

    pack = load_pack()
    case = next(c for c in teaching_cases(pack) if c.id == INTERVIEW_CASE)

    def oracle(fid: str) -> Any:
        return "yes" if fid in case.present else "no" if fid in case.absent else "not_sure"

    return case.present[0], run_interview(prepare(pack, default_weights(pack), "tfidf"), start(case.present[:1]),
                                          oracle)


def _more_step(state: Any) -> Any:
    """Where the interview goes when the person asks for more after its stop (the engine's look at five)."""
    from engine import default_weights, load_pack, prepare
    from engine.interview import MORE, next_step

    pack = load_pack()
    return next_step(prepare(pack, default_weights(pack), "tfidf"), state, lookahead=MORE)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_case_walks_through_the_interview(app_url: str, browser: Browser, viewport: str) -> None:
    """One question at a time, each answer updating the ranking and the urgency on screen, until it stops with a
    reason; the keyboard focus follows the questions; axe-core finds nothing serious; photographed at each width."""
    from engine import load_pack
    from engine.interview import describe_change

    pack = load_pack()
    first, transcript = _interview_transcript()
    answers = transcript.final.state.answers
    assert [a for _, a in answers].count("yes") >= 1 and transcript.final.stop == "settled"
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/?present={first}")
    page.get_by_text("Sharpen your result: one question at a time").wait_for()
    _settle(page)
    box = page.locator(INTERVIEW_BOX)
    words = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
    for n, (step, (fid, answer)) in enumerate(zip(transcript.steps, answers, strict=False), start=1):
        assert step.question is not None and step.question.finding_id == fid
        box.get_by_text(f"Question {n}. Does this apply to you?").wait_for()
        expect(box).to_contain_text(step.question.question.lay_label)
        expect(box).to_contain_text("Why this question: ")
        if n == 2:
            box.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"interview-{viewport}.png"))
            assert not _axe_problems(page)
        box.get_by_role("button", name=words[answer], exact=True).click()
        box.get_by_text(f"You answered {words[answer].lower()} to “{pack.finding(fid).lay_label}”").wait_for()
        _settle(page)
        before, after = step.now, transcript.steps[n].now
        names = [pack.condition(c).display_name for c in after.top]
        if describe_change(pack, before, after):  # what changed is said, with the new closest three
            expect(box).to_contain_text("Your closest three now:")
            for name in names:
                expect(box).to_contain_text(name)
        main = page.locator("[data-testid='stMain']")
        expect(main.locator("summary").filter(has_text=f"1. {names[0]} —").first).to_be_visible()  # the result
        page.wait_for_function(f"document.activeElement?.matches('{INTERVIEW_BOX}')")  # focus on the new question
    heading = {"routine": "ROUTINE:", "soon": "SOON:", "urgent": "URGENT:", "emergency": "EMERGENCY:"}
    page.get_by_text(heading[transcript.final.now.level]).first.wait_for()  # the urgency moved with the answers
    expect(box).to_contain_text("No more questions: the most useful one left")
    present = parse_qs(urlparse(page.url).query)["present"][0].split(",")
    assert present == [first, *[f for f, a in answers if a == "yes"]]  # yes answers are part of the link
    page.screenshot(path=str(SHOTS / f"interview-{viewport}-stopped.png"))
    assert not _axe_problems(page)
    page.keyboard.press("Tab")  # from the stop: asking for more, the answers given, taking the last one back
    assert page.evaluate("document.activeElement?.innerText || ''").strip().endswith("Ask me more questions")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement?.innerText || ''").strip().endswith(
        f"Your answers to these questions ({len(answers)})")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement?.innerText || ''").strip().endswith("Take back my last answer")
    box.get_by_role("button", name="Ask me more questions").click()  # the longer look: a question, or why not
    more = _more_step(transcript.final.state)
    if more.question is not None:
        box.get_by_text(f"Question {len(answers) + 1}. Does this apply to you?").wait_for()
        expect(box).to_contain_text(more.question.question.lay_label)
    else:
        expect(box).to_contain_text("No more questions: none of the five most useful ones left")
    expect(box.get_by_role("button", name="Ask me more questions")).to_have_count(0)
    page.close()

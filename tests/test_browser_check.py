"""The Check page in Chromium, for people: the matches within a phone screen of the urgency line, the summaries
reachable from the top, a calm theme, the keyboard path through the checklist, the country's emergency number,
axe-core at both widths, and screenshots of a result at 1280 and 390 px (``SHOTS_DIR``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from engine import load_pack

from .test_browser import SHOTS, VIEWPORTS, _axe_problems, _settle, app_url, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PHONE_SCREEN_PX = 844  # a 390 x 844 phone
DCC_STORY = "HP:0001482,CT:lumps_on_fingers,CT:injury_at_site,CT:normal_calcium_phosphate,HP:0025520"
SOON_STORY = "HP:0010783,HP:0001386"  # red skin, swollen joints: SOON with two reasons
PRIMARY_RGB = "rgb(23, 107, 135)"  # .streamlit/config.toml primaryColor #176B87
MAX_TABS_THROUGH_SKIN = 30  # after ticking the first skin finding, to the lower "Show my matches"
LEVEL_LINE = ("() => { const e = [...document.querySelectorAll('strong')]"
              ".find(x => /^(ROUTINE|SOON|URGENT|EMERGENCY):/.test(x.innerText)); "
              "return e ? e.getBoundingClientRect().top : null; }")
FIRST_CARD = ("() => { const e = [...document.querySelectorAll('[data-testid=stExpander] summary')]"
              ".find(x => /(^|\\s)1\\. /.test(x.innerText)); return e ? e.getBoundingClientRect().top : null; }")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811 (the fixture above)
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="en-GB")
    page.set_default_timeout(60_000)
    yield page
    page.close()


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_text("Your closest matches", exact=True).wait_for()
    _settle(page)
    page.wait_for_timeout(500)


@pytest.mark.parametrize(("name", "present"), [("dcc", DCC_STORY), ("soon", SOON_STORY)])
def test_the_matches_start_within_one_phone_screen_of_the_urgency_line(app_url: str, phone: Page,  # noqa: F811
                                                                       name: str, present: str) -> None:
    _open(phone, f"{app_url}/?present={present}")
    level, first = phone.evaluate(LEVEL_LINE), phone.evaluate(FIRST_CARD)
    assert level is not None and first is not None
    assert 0 < first - level <= PHONE_SCREEN_PX, f"the first match is {first - level:.0f} px below the urgency line"


def test_the_summaries_are_one_tap_from_the_top_of_the_matches(app_url: str, phone: Page) -> None:  # noqa: F811
    _open(phone, f"{app_url}/?present={DCC_STORY}")
    phone.get_by_role("link", name="Bring a summary to your clinician").click()
    phone.wait_for_timeout(800)
    pdf = phone.get_by_role("button", name="Download a summary (PDF)")
    box = pdf.bounding_box()
    assert box is not None and 0 <= box["y"] <= VIEWPORTS["phone"]["height"] - box["height"]


def test_the_accent_colour_is_calm_and_a_focused_field_is_not_red(app_url: str, browser: Browser) -> None:  # noqa: F811
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.get_by_text("Check your findings").first.wait_for()
    _settle(page)
    submit = page.get_by_role("button", name="Show my matches").first
    assert submit.evaluate("e => getComputedStyle(e).backgroundColor") == PRIMARY_RGB
    search = page.get_by_role("textbox", name="Search the findings")
    search.focus()
    page.wait_for_timeout(300)
    border = search.evaluate("e => getComputedStyle(e.closest('[data-testid=stTextInputRootElement]'))"
                             ".borderTopColor")
    assert border == PRIMARY_RGB  # the focused box is outlined in the calm colour, not in red
    assert page.get_by_role("checkbox").first.evaluate(
        "e => getComputedStyle(e.closest('label')).color") != "rgb(255, 75, 75)"
    page.close()


def test_the_keyboard_goes_through_the_checklist_in_reading_order_without_a_stop_per_help(
        app_url: str, browser: Browser) -> None:  # noqa: F811
    pack = load_pack()
    skin = [f.lay_label for f in pack.findings if f.group == "skin" and f.core]
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.set_default_timeout(60_000)
    page.goto(app_url)  # nothing ticked: the skin group is open
    page.get_by_text("Check your findings").first.wait_for()
    _settle(page)
    page.get_by_role("checkbox", name=skin[0], exact=True).focus()
    page.keyboard.press("Space")
    _settle(page)
    page.get_by_role("checkbox", name=skin[0], exact=True).focus()
    focused: list[str] = []
    positions: list[tuple[float, float]] = []
    tabs = 0
    on_submit = ("document.activeElement?.tagName === 'BUTTON' && "
                 "document.activeElement.innerText.includes('Show my matches')")
    while not page.evaluate(on_submit) and tabs < 120:
        page.keyboard.press("Tab")
        tabs += 1
        label = page.evaluate("() => document.activeElement?.getAttribute('aria-label') || "
                              "document.activeElement?.innerText || ''")
        assert not label.startswith("Help for"), label
        if page.evaluate("document.activeElement?.type === 'checkbox'"):
            focused.append(page.evaluate("() => document.activeElement.closest('label')?.innerText.trim()"))
            box = page.evaluate("() => { const r = document.activeElement.closest('label')"
                                ".getBoundingClientRect(); return [r.left, r.top]; }")
            positions.append((box[0], box[1]))
    assert tabs <= MAX_TABS_THROUGH_SKIN, f"{tabs} tab stops from the first skin finding to Show my matches"
    assert focused == skin[1:]  # the pack's order: the order the items are read in
    columns = [positions[0][0]] + [x for (px, _), (x, _) in itertools.pairwise(positions) if x != px]
    assert len(columns) == 2 and columns[0] < columns[1]  # down the left column once, then down the right one
    for (x0, y0), (x1, y1) in itertools.pairwise(positions):
        assert y1 > y0 or x1 > x0  # each next item is below the last, or at the top of the next column
    page.close()


@pytest.mark.parametrize(("locale", "country", "number"), [("en-GB", "United Kingdom", "999"),
                                                             ("de-DE", "Germany", "112")])
def test_the_browser_locale_chooses_the_emergency_number_and_the_person_can_change_it(
        app_url: str, browser: Browser, locale: str, country: str, number: str) -> None:  # noqa: F811
    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale=locale)
    page.set_default_timeout(60_000)
    _open(page, f"{app_url}/?present=HP:0001945,HP:0200042")  # fever with an open sore: URGENT
    main = page.locator("[data-testid='stMain']")
    assert f"{country}: emergency {number}" in main.inner_text()
    assert f"call {number} now" in main.inner_text() and "your local emergency number" not in main.inner_text()
    page.get_by_role("combobox", name="Your country (for the emergency number)").click()
    page.keyboard.type("Australia")
    page.keyboard.press("Enter")
    page.get_by_text("Australia: emergency 000").wait_for()
    _settle(page)
    assert "call 000 now" in main.inner_text() and "healthdirect" in main.inner_text()
    page.close()


def test_a_locale_without_a_region_keeps_the_generic_advice(app_url: str, browser: Browser) -> None:  # noqa: F811
    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="en")
    page.set_default_timeout(60_000)
    _open(page, f"{app_url}/?present=HP:0001482")
    assert "call your local emergency number now" in page.locator("[data-testid='stMain']").inner_text()
    page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_result_passes_axe_with_headings_in_order_and_is_photographed(app_url: str, browser: Browser,  # noqa: F811
                                                                         viewport: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport=VIEWPORTS[viewport], locale="en-GB")
    page.set_default_timeout(60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for name, present in (("dcc", DCC_STORY), ("soon", SOON_STORY)):
        _open(page, f"{app_url}/?present={present}")
        page.get_by_text("Your closest matches", exact=True).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"check-{name}-{viewport}-result.png"))
        height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": VIEWPORTS[viewport]["width"], "height": min(height + 100, 12_000)})
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"check-{name}-{viewport}-full.png"))
        page.set_viewport_size(VIEWPORTS[viewport])
        problems[name] = _axe_problems(page)
        violations = Axe().run(page).response["violations"]
        problems[name] += [f"{v['id']}: {n['target']}" for v in violations if v["id"] == "heading-order"
                           for n in v["nodes"]]
    page.close()
    assert not any(problems.values()), problems

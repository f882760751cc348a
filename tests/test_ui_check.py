"""The Check page under streamlit's AppTest, against the real knowledge pack in data/."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from engine import load_pack
from engine.pack import DATA_DIR, DCC
from ui.check import filter_findings, matches_search
from ui.common import GROUP_TITLES

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30
HARD_LUMP, INJURY, SCLERODERMA = "HP:0001482", "CT:injury_at_site", "CT:systemic_sclerosis_diagnosis"
TEXT_TYPES = {"markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header"}


def check_page() -> None:
    import ui.check

    ui.check.render()


def about_page() -> None:
    import ui.about

    ui.about.render()


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def emergency_rule() -> dict[str, str]:
    """The red-flag rule for painful net-like dark patches with kidney failure/dialysis (from data)."""
    with (DATA_DIR / "red_flags.csv").open(encoding="utf-8") as fh:
        rules = [r for r in csv.DictReader(fh) if r["level"] == "emergency"]
    return next(r for r in rules if "CT:retiform_purpura" in r["findings"] and "HP:0003774" in r["findings"])


def new_app(**params: str) -> AppTest:
    at = AppTest.from_function(check_page, default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def submit(at: AppTest, *finding_ids: str) -> AppTest:
    for fid in finding_ids:
        at.checkbox(key=f"tick:{fid}").check()
    return at.button(key="check:submit").click().run()


def walk(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from walk(child)


def page_texts(at: AppTest) -> list[str]:
    """Every visible text: text elements' values and the labels of expanders and widgets."""
    out = []
    for el in walk(at.main):
        if getattr(el, "type", None) in TEXT_TYPES:
            out.append(str(el.value))
        elif isinstance(getattr(el, "label", None), str):
            out.append(el.label)
    return out


def chart_count(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def match_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander if re.match(r"^\d+\. ", e.label)]


def test_nothing_ticked_shows_a_friendly_prompt_and_no_chart() -> None:
    at = new_app()
    assert not at.exception
    assert any("Nothing ticked yet" in i.value for i in at.info)
    assert chart_count(at) == 0
    submit(at)
    assert any("Nothing ticked yet" in i.value for i in at.info)
    assert chart_count(at) == 0 and not at.get("download_button")


def test_checkboxes_are_grouped_plain_language_with_stable_keys(pack) -> None:
    at = new_app()
    keys = {c.key for c in at.checkbox}
    assert keys == {f"tick:{f.id}" for f in pack.findings}
    assert at.checkbox(key=f"tick:{HARD_LUMP}").label == pack.finding(HARD_LUMP).lay_label
    groups = [e for e in at.expander if e.label in GROUP_TITLES.values()]
    assert [e.label for e in groups] == list(GROUP_TITLES.values())
    skin = next(e for e in groups if e.label == GROUP_TITLES["skin"])
    assert {c.key for c in skin.checkbox} == {f"tick:{f.id}" for f in pack.findings if f.group == "skin"}
    assert skin.proto.expanded and not any(e.proto.expanded for e in groups if e is not skin)


def test_lumps_injury_and_scleroderma_rank_dcc_in_top_three(pack) -> None:
    at = submit(new_app(), HARD_LUMP, INJURY, SCLERODERMA)
    assert not at.exception
    top3 = match_labels(at)[:3]
    assert any(pack.condition(DCC).lay_name in label for label in top3), top3
    assert chart_count(at) == 1
    assert at.query_params["present"] == ",".join(i for i in pack.finding_ids if i in {HARD_LUMP, INJURY, SCLERODERMA})


def test_emergency_combination_shows_the_red_flag_banner_first() -> None:
    rule = emergency_rule()
    at = submit(new_app(), *rule["findings"].split(";"))
    assert not at.exception
    banner = at.error[0].value
    assert banner.startswith("**EMERGENCY") and rule["message"] in banner
    texts = page_texts(at)
    first = {name: next(i for i, t in enumerate(texts) if needle in t)
             for name, needle in (("banner", "**EMERGENCY"), ("safety", "Please see a clinician"),
                                  ("matches", "Your closest matches"))}
    assert first["banner"] < first["safety"] < first["matches"]


def test_a_shared_emergency_link_shows_the_banner_above_the_form() -> None:
    rule = emergency_rule()
    at = new_app(present=rule["findings"].replace(";", ","))
    texts = page_texts(at)
    banners = [i for i, t in enumerate(texts) if t.startswith("**EMERGENCY")]
    assert len(banners) == 2  # above the form, and first in the result
    form_start = next(i for i, t in enumerate(texts) if t.startswith(GROUP_TITLES["skin"]))
    assert banners[0] < form_start < banners[1]
    groups = [e for e in at.expander if e.label.startswith(tuple(GROUP_TITLES.values()))]
    assert groups and not any(e.proto.expanded for e in groups)  # folded, so the result is near the top


@pytest.mark.parametrize("ticks", [
    (HARD_LUMP,),
    (HARD_LUMP, INJURY, SCLERODERMA),
    ("CT:retiform_purpura", "HP:0003774"),
    ("HP:0001945", "HP:0200042"),
])
def test_disclaimer_and_clinician_prompt_on_every_result(pack, ticks: tuple[str, ...]) -> None:
    at = submit(new_app(), *ticks)
    assert not at.exception
    assert any("Please see a clinician" in w.value and "not a diagnosis" in w.value for w in at.warning)
    assert any(pack.disclaimer in c.value for c in at.caption)
    summary = at.get("download_button")[0]
    assert summary.label.startswith("Download a summary")


def test_query_params_restore_the_ticks_and_show_the_result(pack) -> None:
    at = new_app(present=f"{HARD_LUMP},{INJURY}", absent="HP:0001945")
    assert not at.exception
    assert at.checkbox(key=f"tick:{HARD_LUMP}").value and at.checkbox(key=f"tick:{INJURY}").value
    assert not at.checkbox(key="tick:HP:0001945").value
    assert at.multiselect(key="check:absent").value == ["HP:0001945"]
    assert chart_count(at) == 1 and match_labels(at)


def test_unknown_query_param_ids_give_a_note_not_an_exception() -> None:
    at = new_app(present=f"{HARD_LUMP},HP:9999999,<b>x</b>", absent="CT:nope", method="magic")
    assert not at.exception
    notes = " ".join(page_texts(at))
    assert "does not know; they were ignored" in notes and "HP:9999999" in notes and "CT:nope" in notes
    assert "<b>" not in notes
    assert "unknown method" in notes
    assert at.checkbox(key=f"tick:{HARD_LUMP}").value
    assert chart_count(at) == 1
    assert at.query_params["present"] == HARD_LUMP and "absent" not in at.query_params  # the link is cleaned
    assert "method" not in at.query_params


def test_only_unknown_ids_in_the_link_give_a_note_and_the_prompt() -> None:
    at = new_app(present="HP:0000000,,,")
    assert not at.exception
    assert any("ignored" in t for t in page_texts(at))
    assert any("Nothing ticked yet" in i.value for i in at.info)


def expander_keys(at: AppTest, label_start: str) -> set[str]:
    return {c.key for e in at.expander if e.label.startswith(label_start) for c in e.checkbox}


def test_search_shows_matching_findings_first_and_folds_the_rest(pack) -> None:
    at = submit(new_app(), HARD_LUMP)  # AppTest drops unsubmitted form values on other reruns; the browser test
    at.text_input(key="check:search").input("kidney dialysis").run()  # checks that pending ticks survive a search
    shown = {c.key for e in at.expander if not e.label.startswith("Findings that do not match") for c in e.checkbox}
    folded = expander_keys(at, "Findings that do not match")
    assert shown and "tick:HP:0003774" in shown and f"tick:{HARD_LUMP}" in folded
    assert shown | folded == {f"tick:{f.id}" for f in pack.findings}
    assert all(matches_search(pack.finding(k.removeprefix("tick:")), "kidney dialysis") for k in shown)
    at = submit(at, "HP:0003774")
    assert at.query_params["present"].split(",") == [i for i in pack.finding_ids if i in {HARD_LUMP, "HP:0003774"}]


def test_search_matches_description_words_and_handles_no_hits(pack) -> None:
    f = next(f for f in pack.findings if f.description)
    word = f.description.split()[-1].strip(".,;()").lower()
    assert f in filter_findings(pack.findings, word)
    at = new_app()
    at.text_input(key="check:search").input("zzzz-no-such-word").run()
    assert not at.exception and any("No finding matches your search" in c.value for c in at.caption)
    assert len(at.checkbox) == len(pack.findings)


def test_findings_marked_absent_and_method_go_into_the_link() -> None:
    at = new_app()
    at.checkbox(key=f"tick:{HARD_LUMP}").check()
    at.multiselect(key="check:absent").select("HP:0001945")
    at.radio(key="check:method").set_value("weighted")
    at.button(key="check:submit").click().run()
    assert not at.exception
    assert at.query_params["absent"] == "HP:0001945" and at.query_params["method"] == "weighted"


def test_clear_all_resets_ticks_result_and_link() -> None:
    at = submit(new_app(), HARD_LUMP, INJURY)
    at.button(key="check:reset").click().run()
    assert not at.exception
    assert not at.checkbox(key=f"tick:{HARD_LUMP}").value
    assert "present" not in at.query_params
    assert chart_count(at) == 0 and any("Nothing ticked yet" in i.value for i in at.info)


@pytest.mark.parametrize("ticks", [(), (HARD_LUMP, INJURY, SCLERODERMA), ("CT:retiform_purpura", "HP:0003774")])
def test_diagnosis_only_ever_as_not_a_diagnosis(ticks: tuple[str, ...]) -> None:
    at = submit(new_app(), *ticks)
    for text in page_texts(at):
        for m in re.finditer(r"\bdiagnos[ie]s\b", text, flags=re.IGNORECASE):
            assert text[max(0, m.start() - 6):m.end()].lower() == "not a diagnosis", text


def test_the_whole_app_runs(pack) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception


def test_about_page_names_methods_sources_hpo_and_disclaimer(pack) -> None:
    at = AppTest.from_function(about_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    text = " ".join(page_texts(at))
    assert pack.hpo_version in text and pack.disclaimer in text and "Likelihood ratio" in text
    assert "not a diagnosis" in text


def test_thin_evidence_is_said_first_without_a_percentage(pack) -> None:
    at = submit(new_app(), "HP:0000989")  # only "Itchy skin"
    assert not at.exception
    texts = page_texts(at)
    note = next(i for i, t in enumerate(texts) if "The evidence is thin" in t)
    first_match = next(i for i, t in enumerate(texts) if re.match(r"^1\. ", t))
    assert note < first_match
    assert "eczema" in texts[note]
    assert not any("%" in label for label in match_labels(at))
    assert any("usual features" in label for label in match_labels(at))
    assert any("Absolute fit: fits" in c.value for c in at.caption)


def test_enough_evidence_shows_the_share_and_the_fit(pack) -> None:
    at = submit(new_app(), "HP:0100324", "HP:0011838", "HP:0030880", "HP:0031917", "HP:0030859")
    assert not at.exception
    assert not any("The evidence is thin" in t for t in page_texts(at))
    assert "% of the match" in match_labels(at)[0]
    assert any("Absolute fit: fits" in c.value and "evidence strong" in c.value for c in at.caption)

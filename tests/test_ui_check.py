"""The Check page under streamlit's AppTest, against the real knowledge pack in data/."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import ui.components.ticks
import ui.components.widgets
import ui.pages.check
import ui.state
from engine import DEFAULT_METHOD, load_pack
from engine.knowledge.pack import DATA_DIR, DCC
from engine.triage.copy import CLINICIAN_PROMPT, EMERGENCY_FIRST
from engine.triage.emergency import load_emergency_questions
from engine.triage.levels import LEVEL_ADVICE
from ui.components.summary import build_summary, build_summary_pdf, latin1
from ui.components.widgets import GROUP_TITLES, SAFETY_NOTES
from ui.pages.check import filter_findings

from .conftest import check_page

# AppTest runs whole pages: seconds per test, so out of the inner loop (`-m "not slow and not browser"`)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30
HARD_LUMP, INJURY, SCLERODERMA = "HP:0001482", "CT:injury_at_site", "CT:systemic_sclerosis_diagnosis"
#: A classic dystrophic calcinosis story: lumps on the fingers after an injury, calcium on the X-ray, normal blood
#: calcium and phosphate (five findings, moderate evidence).
DCC_STORY = (HARD_LUMP, "CT:lumps_on_fingers", INJURY, "CT:normal_calcium_phosphate", "HP:0025520")
TEXT_TYPES = {"markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header"}


def about_page() -> None:
    import ui.pages.about

    ui.pages.about.render()


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
        at.checkbox(key=f"check:tick:{fid}").check()
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


def chart_frame(at: AppTest) -> Any:
    """The rows of the result chart (its main data or a named dataset)."""
    proto = at.get("vega_lite_chart")[0].proto
    blobs = [d.data.data for d in proto.datasets] + ([proto.data.data] if proto.data.data else [])
    frames = [pa.ipc.open_stream(b).read_all().to_pandas() for b in blobs]
    return next(f for f in frames if "condition" in f)


def chart_conditions(at: AppTest) -> list[str]:
    """The condition names the result chart draws, in rank order."""
    frame = chart_frame(at)
    return list(frame.sort_values("rank")["condition"])


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
    keys = {c.key for c in at.checkbox if c.key.startswith("check:tick:")}
    # the curated core of each group up front; the other findings are reached through search
    assert keys == {f"check:tick:{f.id}" for f in pack.findings if f.core}
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").label == pack.finding(HARD_LUMP).lay_label
    groups = [e for e in at.expander if e.label in GROUP_TITLES.values()]
    assert [e.label for e in groups] == list(GROUP_TITLES.values())
    skin = next(e for e in groups if e.label == GROUP_TITLES["skin"])
    core_skin = {f.id for f in pack.findings if f.group == "skin" and f.core}
    assert {c.key for c in skin.checkbox} == {f"check:tick:{i}" for i in core_skin}
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
    line, block = at.error[0].value, at.error[1].value
    assert line.startswith("**EMERGENCY: get help now.**") and "#your-matches" in line  # one line above the form
    assert block.startswith(f"_{EMERGENCY_FIRST}_") and "EMERGENCY: get help now" in block  # the one full block
    assert rule["message"] in block and rule["message"] not in line
    texts = page_texts(at)
    first = {name: next(i for i, t in enumerate(texts) if needle in t)
             for name, needle in (("block", EMERGENCY_FIRST), ("safety", SAFETY_NOTES["emergency"]),
                                  ("matches", "Your closest matches"))}
    assert first["block"] < first["safety"] < first["matches"]
    # what to do now comes first; the appointment prompt for routine results is not shown
    assert not any(SAFETY_NOTES["patient"] in t for t in texts)


def test_a_shared_emergency_link_shows_the_banner_above_the_form() -> None:
    rule = emergency_rule()
    at = new_app(present=rule["findings"].replace(";", ","))
    texts = page_texts(at)
    banners = [i for i, t in enumerate(texts) if "EMERGENCY: get help now" in t]
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
    body = [m.value for m in at.markdown]  # body text, not a low-contrast caption
    assert any(("Please see a clinician" in n or "Get help now" in n) and "not a diagnosis" in n for n in body)
    assert any(pack.disclaimer_substance in m and "not a diagnosis" in m for m in body)
    assert not any(pack.disclaimer_substance in c.value for c in at.caption)
    assert "bookmark this website" not in " ".join(page_texts(at))
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download a summary (PDF)", "Download a summary (plain text)",
                      "Download as a phenopacket (GA4GH v2 JSON)"]


def test_query_params_restore_the_ticks_and_show_the_result(pack) -> None:
    at = new_app(present=f"{HARD_LUMP},{INJURY}", absent="HP:0001945")
    assert not at.exception
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value and at.checkbox(key=f"check:tick:{INJURY}").value
    assert not at.checkbox(key="check:tick:HP:0001945").value
    assert at.multiselect(key="check:absent").value == ["HP:0001945"]
    assert match_labels(at)


def test_unknown_query_param_ids_give_a_note_not_an_exception() -> None:
    at = new_app(present=f"{HARD_LUMP},HP:9999999,<b>x</b>", absent="CT:nope", method="magic")
    assert not at.exception
    notes = " ".join(page_texts(at))
    assert "does not know; they were ignored" in notes and "HP:9999999" in notes and "CT:nope" in notes
    assert "<b>" not in notes
    assert "unknown method" in notes
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value
    assert match_labels(at)
    assert at.query_params["present"] == HARD_LUMP and "absent" not in at.query_params  # the link is cleaned
    assert "method" not in at.query_params


def test_only_unknown_ids_in_the_link_give_a_note_and_the_prompt() -> None:
    at = new_app(present="HP:0000000,,,")
    assert not at.exception
    assert any("ignored" in t for t in page_texts(at))
    assert any("Nothing ticked yet" in i.value for i in at.info)


def hit_keys(at: AppTest) -> list[str]:
    """The checkboxes in the search-results box, in order."""
    box = next(c for c in walk(at.main) if getattr(c, "key", None) == "check:hits" or
               getattr(getattr(c, "proto", None), "id", None) == "check:hits")
    return [c.key for c in walk(box) if getattr(c, "type", None) == "checkbox"]


def search(at: AppTest, words: str) -> AppTest:
    return at.text_input(key="check:search").input(words).run()


def test_search_is_word_aware_with_synonyms_typos_and_a_count(pack) -> None:
    assert not any("appearing" in f.lay_label.lower() for f in filter_findings(pack, "ear"))
    assert any("ear" in f.lay_label.lower().split() for f in filter_findings(pack, "ear"))
    assert HARD_LUMP in [f.id for f in filter_findings(pack, "knot")]  # a lay synonym
    xray = [f.id for f in filter_findings(pack, "xray")]  # a common spelling of X-ray
    assert "HP:0025520" in xray
    assert "HP:0012622" in [f.id for f in filter_findings(pack, "kidny")]  # a typo
    assert "HP:0001482" in [f.id for f in filter_findings(pack, "nodule")]  # HPO name and synonyms
    at = search(new_app(), "xray")
    assert any(f"**{len(xray)} findings match “`xray`”**" == m.value for m in at.markdown)
    assert not at.exception


def test_search_keeps_pending_ticks_and_folds_nothing_away(pack) -> None:
    at = new_app()
    at.checkbox(key=f"check:tick:{HARD_LUMP}").check().run()
    at = search(at, "dialysis")
    at.checkbox(key="check:tick:HP:0003774").check().run()
    at = search(at, "")
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value and at.checkbox(key="check:tick:HP:0003774").value
    at.button(key="check:submit").click().run()
    assert at.query_params["present"].split(",") == [i for i in pack.finding_ids if i in {HARD_LUMP, "HP:0003774"}]


def test_no_hits_says_so(pack) -> None:
    at = search(new_app(), "zzzz-no-such-word")
    assert not at.exception and any("No finding matches" in m.value for m in at.markdown)
    # the core checklist stays (search-only findings appear only when a search finds them)
    assert len(at.checkbox) == sum(f.core for f in pack.findings)  # the step's questions wait for its "yes"


def test_non_core_findings_are_found_by_search_and_stay_ticked(monkeypatch, pack) -> None:
    """Groups list the curated core; the rest is reached by search, and a tick survives the search closing."""
    extra = next(f for f in pack.findings if f.group == "tests")
    findings = tuple(dataclasses.replace(f, core=False) if f.id == extra.id else f for f in pack.findings)
    small = dataclasses.replace(pack, findings=findings)
    monkeypatch.setattr(ui.state, "get_pack", lambda: small)
    monkeypatch.setattr("ui.pages.check.get_pack", lambda: small)
    at = new_app()
    assert f"check:tick:{extra.id}" not in {c.key for c in at.checkbox}
    assert any("more specific findings are not listed" in c.value for c in at.caption)
    at = search(at, extra.lay_label)
    at.checkbox(key=f"check:tick:{extra.id}").check().run()
    at = search(at, "")
    assert at.checkbox(key=f"check:tick:{extra.id}").value  # still listed (ticked), so it can be unticked
    at.button(key="check:submit").click().run()
    assert extra.id in at.query_params["present"].split(",")


def test_changing_ticks_after_a_result_marks_it_out_of_date() -> None:
    at = submit(new_app(), HARD_LUMP)
    assert "Your result" in [h.value for h in at.header]
    at.checkbox(key=f"check:tick:{INJURY}").check().run()
    assert "Your result (out of date)" in [h.value for h in at.header]
    assert any("You changed your answers" in w.value for w in at.warning)
    at.button(key="check:submit").click().run()
    assert "Your result" in [h.value for h in at.header] and not any("changed your answers" in w.value
                                                                     for w in at.warning)


def test_submit_is_reachable_before_the_checklist_and_the_result_can_be_jumped_to() -> None:
    at = submit(new_app(), HARD_LUMP)
    order = [getattr(e, "key", None) or getattr(e, "label", None) for e in walk(at.main)]
    assert order.index("check:submit") < order.index(f"check:tick:{HARD_LUMP}")
    assert any(m.value.startswith("[Jump to your matches](#your-matches)") for m in at.markdown)
    html = [e for e in walk(at.main) if getattr(e, "type", None) == "html"]
    assert any("your-matches" in str(getattr(e, "proto", "")) for e in html)  # focus moves to the result


def markdown_after(at: AppTest, heading: str) -> str:
    """The first markdown text after the subheader ``heading`` (in page order)."""
    elements = list(walk(at.main))
    start = next(i for i, e in enumerate(elements) if getattr(e, "type", None) == "subheader" and e.value == heading)
    return next(e.value for e in elements[start:] if getattr(e, "type", None) == "markdown")


def test_chart_and_list_show_the_same_conditions_by_one_name(pack) -> None:
    at = submit(new_app(), *DCC_STORY)
    listed = [re.sub(r"^\d+\. (.*) — explains .*$", r"\1", label) for label in match_labels(at)]
    assert chart_conditions(at) == listed and len(listed) == 5
    assert all(pack.condition(c.id).display_name in listed for c in pack.conditions
               if pack.condition(c.id).display_name in chart_conditions(at))


def test_inferred_findings_are_marked_in_place(pack) -> None:
    at = submit(new_app(), "HP:0003774")  # dialysis implies chronic kidney disease
    texts = " ".join(page_texts(at))
    ckd, dialysis = pack.finding("HP:0012622").lay_label, pack.finding("HP:0003774").lay_label
    assert f"{ckd} _(inferred: counted because you reported “{dialysis}”)_" in texts


def test_emergency_step_shows_advice_at_once_before_the_checklist(pack) -> None:
    questions = load_emergency_questions(pack)
    at = new_app()
    listed = " ".join(m.value for m in at.markdown)
    assert all(q.question in listed for q in questions)  # every sign listed, behind one keyboard stop
    assert not at.error
    at.radio(key="check:emergency_step").set_value("Yes").run()
    at.checkbox(key=f"check:emergency:{questions[2].question_id}").check().run()
    advice = at.error[0].value
    assert LEVEL_ADVICE["emergency"] in advice
    texts = page_texts(at)
    assert texts.index(advice) < next(i for i, t in enumerate(texts) if t.startswith(GROUP_TITLES["skin"]))


def test_an_emergency_answer_after_a_result_leaves_no_lower_level_anywhere(pack) -> None:
    at = submit(new_app(), HARD_LUMP)
    assert "ROUTINE" in " ".join(page_texts(at))
    at.radio(key="check:emergency_step").set_value("Yes").run()
    at.checkbox(key="check:emergency:unconscious").check().run()
    texts = " ".join(page_texts(at))
    assert "EMERGENCY: get help now" in texts
    for lower in ("ROUTINE", "SOON:", "URGENT:", LEVEL_ADVICE["routine"], SAFETY_NOTES["patient"]):
        assert lower not in texts, lower
    # the summaries are built from the same state the page shows: the step's answers included
    shown = ui.pages.check.with_step(pack, ui.components.ticks.CheckState([HARD_LUMP], []), ["unconscious"])
    result = ui.state.run(shown.present, shown.absent, DEFAULT_METHOD, presentation=shown.presentation)
    text = build_summary(pack, result, shown.present, shown.absent)
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(build_summary_pdf(pack, result, shown.present)))
                   .pages)
    for summary in (text, pdf):
        assert "EMERGENCY" in summary and "ROUTINE" not in summary


def test_pdf_summary_opens_and_holds_disclaimer_ticks_and_triage(pack) -> None:
    rule = emergency_rule()
    ticks = rule["findings"].split(";")
    at = submit(new_app(), *ticks)
    assert any(b.label.endswith("(PDF)") for b in at.get("download_button"))
    result = ui.state.run(ticks, [], "likelihood")
    reader = PdfReader(io.BytesIO(build_summary_pdf(pack, result, ticks)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "EMERGENCY" in text and " ".join(latin1(result.triage.advice).split()) in text
    assert all(" ".join(latin1(pack.finding(i).lay_label).split()) in text for i in ticks)
    assert " ".join(latin1(pack.disclaimer_substance).split()) in text and "not a diagnosis" in text


def test_findings_marked_absent_and_method_go_into_the_link() -> None:
    at = new_app()
    at.checkbox(key=f"check:tick:{HARD_LUMP}").check()
    at.multiselect(key="check:absent").select("HP:0001945")
    at.radio(key="check:method").set_value("weighted")
    at.button(key="check:submit").click().run()
    assert not at.exception
    assert at.query_params["absent"] == "HP:0001945" and at.query_params["method"] == "weighted"


def test_clear_all_resets_ticks_result_and_link() -> None:
    at = submit(new_app(), HARD_LUMP, INJURY)
    at.button(key="check:reset").click().run()
    assert not at.exception
    assert not at.checkbox(key=f"check:tick:{HARD_LUMP}").value
    assert "present" not in at.query_params
    assert chart_count(at) == 0 and any("Nothing ticked yet" in i.value for i in at.info)


@pytest.mark.parametrize("ticks", [(), (HARD_LUMP, INJURY, SCLERODERMA), ("CT:retiform_purpura", "HP:0003774")])
def test_diagnosis_only_ever_as_not_a_diagnosis(ticks: tuple[str, ...]) -> None:
    """The result never calls itself a diagnosis (what a finding means, e.g. "a diagnosis of diabetes" in the
    checklist's "What these mean", describes the finding and is left out)."""
    at = submit(new_app(), *ticks)
    for text in page_texts(at):
        if text.startswith("- **") and ": " in text and "moves these" not in text:
            continue  # a "What these mean" list: finding: description
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
    assert CLINICIAN_PROMPT not in text  # the patient prompt belongs to Check
    assert "https://doi.org/10.1016/j.jaad.2010.08.038" in text  # DOIs and PMIDs are links
    assert "https://pubmed.ncbi.nlm.nih.gov/27371996/" in text
    assert "Dystrophic Calcinosis Cutis" in text and "RxHarun" in text


def test_search_ignores_small_words_in_a_phrase(pack) -> None:
    hits = [f.id for f in filter_findings(pack, "hard lumps on the fingers")]
    assert "CT:lumps_on_fingers" in hits


def test_thin_evidence_is_said_first_without_a_percentage_or_chart(pack) -> None:
    at = submit(new_app(), "HP:0000989")  # only "Itchy skin"
    assert not at.exception
    texts = page_texts(at)
    note = next(i for i, t in enumerate(texts) if "The evidence is thin" in t)
    first_match = next(i for i, t in enumerate(texts) if re.match(r"^1\. ", t))
    assert note < first_match
    assert "eczema" in texts[note]
    assert any(f"None of the {len(pack.conditions)} conditions in this tool stands out" in t for t in texts)
    assert not any("%" in label for label in match_labels(at))
    assert chart_count(at) == 0  # a chart would draw a difference thin evidence does not have


def test_enough_evidence_says_what_the_result_means_and_how_strong(pack) -> None:
    # some of these are search-only findings, so they come in through a link, as a shared result would
    at = new_app(present="HP:0100324,HP:0011838,HP:0030880,HP:0031917,HP:0030859")
    assert not at.exception
    assert not any("The evidence is thin" in t for t in page_texts(at))
    headline = markdown_after(at, "Your closest matches")
    assert f"Of the {len(pack.conditions)} conditions in this tool, your findings are closest to" in headline
    assert "Evidence: strong" in headline and "%" not in headline
    assert "explains" in match_labels(at)[0] and "%" not in match_labels(at)[0]


# --- what a result means, the match card, one urgency block, the keyboard path, where to get help -------------

def result_elements(at: AppTest) -> list[Any]:
    """The elements of the result, in page order (from the "Your result" header on)."""
    elements = list(walk(at.main))
    start = next(i for i, e in enumerate(elements) if getattr(e, "type", None) == "header"
                 and str(e.value).startswith("Your result"))
    return elements[start:]


def card(at: AppTest, rank: int) -> Any:
    return next(e for e in at.expander if e.label.startswith(f"{rank}. "))


def card_texts(block: Any) -> list[str]:
    return [str(e.value) for e in walk(block) if getattr(e, "type", None) == "markdown"]


def test_the_headline_leads_with_the_meaning_and_the_chart_is_scaled_to_the_scores(pack) -> None:
    at = submit(new_app(), *DCC_STORY)
    assert not at.exception
    headline = markdown_after(at, "Your closest matches")
    assert headline.startswith(f"**Of the {len(pack.conditions)} conditions in this tool, your findings are closest "
                               "to Calcium lumps in damaged or inflamed skin (Dystrophic calcinosis cutis).**")
    assert "Evidence: moderate (some of your findings are specific to it" in headline
    assert "not a diagnosis" in headline
    for text in [headline, *match_labels(at), *card_texts(card(at, 1))]:
        assert not re.search(r"\d\s?%", text), text  # no percentage where a person reads what the result means
    frame = chart_frame(at).sort_values("rank")
    assert frame["closeness"].iloc[0] == 1.0 and list(frame["closeness"]) == sorted(frame["closeness"], reverse=True)
    result = ui.state.run(list(DCC_STORY), [], DEFAULT_METHOD)
    top = result.ranking.matches[:5]
    assert list(frame["closeness"]) == pytest.approx([m.share / top[0].share for m in top], abs=1e-4)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 1] and x["axis"]["labels"] is False  # the closest is the full bar, no %


def test_the_match_card_agrees_with_itself_and_lists_nothing_reported_as_not_reported(pack) -> None:
    at = submit(new_app(), *DCC_STORY)
    first = card(at, 1)
    assert first.label.endswith("— explains all 5 of your findings")
    texts = card_texts(first)
    whole = "\n".join(texts)
    assert "Matches 5 of your findings" not in whole and "fits " not in whole
    match = ui.state.run(list(DCC_STORY), [], DEFAULT_METHOD).ranking.top
    assert (f"**Explains all 5 of your findings; {match.fit.usual_matched} of its {match.fit.usual_total} usual "
            "features are among them, and 4 more are close to what you reported.**") in whole
    fitting = next(t for t in texts if t.startswith("**Your findings that fit it**"))
    usual = next(t for t in texts if t.startswith("**Usual for it, not reported**"))
    lump, finger = pack.finding("CT:lumps_on_fingers").lay_label, pack.finding("HP:6001163").lay_label
    assert f"{lump} _(the same as “{finger}”)_" in fitting
    for reported_in_other_words in ("HP:6001163", "HP:0200036", "HP:0003761", "HP:0007618"):
        assert pack.finding(reported_in_other_words).lay_label not in usual
    assert fitting.count("\n- ") == 5  # the five findings, once each


def test_what_only_a_test_shows_is_listed_apart(pack) -> None:
    at = submit(new_app(), HARD_LUMP, INJURY)
    dcc = next(e for e in at.expander if pack.condition(DCC).lay_name in e.label)
    usual = next(t for t in card_texts(dcc) if t.startswith("**Usual for it, not reported**"))
    person, tests = usual.split("_Only a test can show:_")
    assert pack.finding("CT:normal_calcium_phosphate").lay_label in tests
    assert pack.finding("CT:normal_calcium_phosphate").lay_label not in person
    assert "_You may notice or know:_" in person


def test_one_urgency_block_a_distinct_clinician_prompt_and_the_summaries_linked_from_the_top(pack) -> None:
    at = submit(new_app(), "HP:0010783", "HP:0001386")  # red skin, swollen joints: SOON
    assert not at.exception
    alerts = [str(a.value) for a in (*at.info, *at.warning, *at.error)]
    assert len([a for a in alerts if "SOON: see a doctor within days" in a]) == 1  # one urgency block
    assert not any("Please see a clinician" in a for a in alerts)  # the prompt is not another coloured alert
    prompt = next(c for c in walk(at.main) if getattr(getattr(c, "proto", None), "id", None) == "check:clinician"
                  or getattr(c, "key", None) == "check:clinician")
    assert any(SAFETY_NOTES["patient"] in t for t in card_texts(prompt))
    order = [str(getattr(e, "value", None) or getattr(e, "label", None) or "") for e in result_elements(at)]

    def first(needle: str) -> int:
        return next(i for i, t in enumerate(order) if needle in t)

    steps = ["SOON: see a doctor within days", f"{len(pack.conditions)} conditions in this tool",
             "#bring-this-to-your-clinician", "1. ",
             "Bring this to your clinician", "Download a summary (PDF)", "Disclaimer (from the source article)",
             "Learn about"]
    assert [first(s) for s in steps] == sorted(first(s) for s in steps), [(s, first(s)) for s in steps]


def test_checklist_items_add_no_help_stop_and_run_in_reading_order(pack) -> None:
    at = new_app()
    boxes = [c for c in walk(at.main) if getattr(c, "type", None) == "checkbox" and c.key.startswith("check:tick:")]
    assert boxes and not any(c.proto.help for c in boxes)  # no "Help for ..." keyboard stop per item
    expected = [f"check:tick:{f.id}" for group in GROUP_TITLES for f in pack.findings if f.group == group and f.core]
    assert [c.key for c in boxes] == expected  # page (and keyboard) order: down the left column, then the right
    meanings = [e for e in walk(at.main) if getattr(e, "type", None) == "popover"
                or "What these mean" in str(getattr(e, "label", ""))]
    assert len(meanings) == len(GROUP_TITLES)  # what the items mean: one button per group
    skin = next(f for f in pack.findings if f.group == "skin" and f.core)
    assert f"**{skin.lay_label}**: {skin.description}" in " ".join(m.value for m in at.markdown)


def test_a_chosen_country_names_its_emergency_number_and_urgent_care_service(pack) -> None:
    at = AppTest.from_function(check_page, default_timeout=TIMEOUT)
    at.session_state["check:country"] = "GB"
    at.run()
    assert at.selectbox(key="check:country").value == "GB"
    at = submit(at, "HP:0001945", "HP:0200042")  # fever with an open sore: URGENT
    texts = " ".join(page_texts(at))
    assert "If you think this is an emergency, call 999 now." in texts
    assert "If you cannot, contact NHS 111" in texts and "go to urgent care" not in texts
    assert "your local emergency number" not in texts
    assert "United Kingdom: emergency 999" in texts
    at.selectbox(key="check:country").set_value("AU").run()
    texts = " ".join(page_texts(at))
    assert "call 000 now" in texts and "healthdirect" in texts and "999" not in texts


def test_without_a_country_the_advice_keeps_the_generic_sentence(pack) -> None:
    at = submit(new_app(), HARD_LUMP)  # AppTest has no browser locale: no country is guessed
    assert at.selectbox(key="check:country").value == ""
    texts = " ".join(page_texts(at))
    assert "If you think this is an emergency, call your local emergency number now." in texts
    assert "Choose your country to see its emergency number" in texts

"""The Check page under streamlit's AppTest, against the real knowledge pack in data/."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import ui.check
import ui.state
import ui.widgets
from engine import DEFAULT_METHOD, load_pack
from engine.knowledge.pack import DATA_DIR, DCC
from engine.triage.copy import CLINICIAN_PROMPT, EMERGENCY_FIRST
from engine.triage.emergency import load_emergency_questions
from engine.triage.levels import LEVEL_ADVICE
from ui.check import filter_findings
from ui.summary import build_summary, build_summary_pdf, latin1
from ui.widgets import GROUP_TITLES, SAFETY_NOTES

# AppTest runs whole pages: seconds per test, so out of the inner loop (`-m "not slow and not browser"`)
pytestmark = pytest.mark.slow

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


def chart_conditions(at: AppTest) -> list[str]:
    """The condition names the result chart draws, in rank order."""
    proto = at.get("vega_lite_chart")[0].proto
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets]
    frame = next(f for f in frames if "condition" in f)
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
    keys = {c.key for c in at.checkbox if c.key.startswith("tick:")}
    # the curated core of each group up front; the other findings are reached through search
    assert keys == {f"tick:{f.id}" for f in pack.findings if f.core}
    assert at.checkbox(key=f"tick:{HARD_LUMP}").label == pack.finding(HARD_LUMP).lay_label
    groups = [e for e in at.expander if e.label in GROUP_TITLES.values()]
    assert [e.label for e in groups] == list(GROUP_TITLES.values())
    skin = next(e for e in groups if e.label == GROUP_TITLES["skin"])
    assert {c.key for c in skin.checkbox} == {f"tick:{f.id}" for f in pack.findings if f.group == "skin" and f.core}
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
    assert banner.startswith(f"_{EMERGENCY_FIRST}_") and "EMERGENCY: get help now" in banner
    assert rule["message"] in banner
    texts = page_texts(at)
    first = {name: next(i for i, t in enumerate(texts) if needle in t)
             for name, needle in (("banner", "EMERGENCY: get help now"), ("safety", SAFETY_NOTES["emergency"]),
                                  ("matches", "Your closest matches"))}
    assert first["banner"] < first["safety"] < first["matches"]
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
    notes = [e.value for e in (*at.warning, *at.error)]
    assert any(("Please see a clinician" in n or "Get help now" in n) and "not a diagnosis" in n for n in notes)
    body = [m.value for m in at.markdown]  # body text, not a low-contrast caption
    assert any(pack.disclaimer_substance in m and "not a diagnosis" in m for m in body)
    assert not any(pack.disclaimer_substance in c.value for c in at.caption)
    assert "bookmark this website" not in " ".join(page_texts(at))
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download a summary (PDF)", "Download a summary (plain text)",
                      "Download as a phenopacket (GA4GH v2 JSON)"]


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
    at.checkbox(key=f"tick:{HARD_LUMP}").check().run()
    at = search(at, "dialysis")
    at.checkbox(key="tick:HP:0003774").check().run()
    at = search(at, "")
    assert at.checkbox(key=f"tick:{HARD_LUMP}").value and at.checkbox(key="tick:HP:0003774").value
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
    monkeypatch.setattr("ui.check.get_pack", lambda: small)
    at = new_app()
    assert f"tick:{extra.id}" not in {c.key for c in at.checkbox}
    assert any("more specific findings are not listed" in c.value for c in at.caption)
    at = search(at, extra.lay_label)
    at.checkbox(key=f"tick:{extra.id}").check().run()
    at = search(at, "")
    assert at.checkbox(key=f"tick:{extra.id}").value  # still listed (ticked), so it can be unticked
    at.button(key="check:submit").click().run()
    assert extra.id in at.query_params["present"].split(",")


def test_changing_ticks_after_a_result_marks_it_out_of_date() -> None:
    at = submit(new_app(), HARD_LUMP)
    assert "Your result" in [h.value for h in at.header]
    at.checkbox(key=f"tick:{INJURY}").check().run()
    assert "Your result (out of date)" in [h.value for h in at.header]
    assert any("You changed your answers" in w.value for w in at.warning)
    at.button(key="check:submit").click().run()
    assert "Your result" in [h.value for h in at.header] and not any("changed your answers" in w.value
                                                                     for w in at.warning)


def test_submit_is_reachable_before_the_checklist_and_the_result_can_be_jumped_to() -> None:
    at = submit(new_app(), HARD_LUMP)
    order = [getattr(e, "key", None) or getattr(e, "label", None) for e in walk(at.main)]
    assert order.index("check:submit") < order.index(f"tick:{HARD_LUMP}")
    assert any(m.value.startswith("[Jump to your matches](#your-matches)") for m in at.markdown)
    html = [e for e in walk(at.main) if getattr(e, "type", None) == "html"]
    assert any("your-matches" in str(getattr(e, "proto", "")) for e in html)  # focus moves to the result


def test_chart_and_list_show_the_same_conditions_by_one_name(pack) -> None:
    at = submit(new_app(), HARD_LUMP, INJURY, SCLERODERMA)
    listed = [re.sub(r"^\d+\. (.*) — \d+% of the match$", r"\1", label) for label in match_labels(at)]
    assert chart_conditions(at) == listed and len(listed) == 5
    assert all(pack.condition(c.id).display_name in listed for c in pack.conditions
               if pack.condition(c.id).display_name in chart_conditions(at))
    questions = next(m.value for m in at.markdown if m.value.startswith("- **"))
    names = {c.name: c.display_name for c in pack.conditions}
    for name, shown in names.items():  # a medical name only ever appears beside its lay name
        for m in re.finditer(re.escape(name), questions):
            assert shown in questions[max(0, m.start() - len(shown)):m.end() + 2], name


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
    shown = ui.check.with_step(pack, ui.check.CheckState([HARD_LUMP], []), ["unconscious"])
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
    assert CLINICIAN_PROMPT not in text  # the patient prompt belongs to Check
    assert "https://doi.org/10.1016/j.jaad.2010.08.038" in text  # DOIs and PMIDs are links
    assert "https://pubmed.ncbi.nlm.nih.gov/27371996/" in text
    assert "Dystrophic Calcinosis Cutis" in text and "RxHarun" in text


def test_search_ignores_small_words_in_a_phrase(pack) -> None:
    hits = [f.id for f in filter_findings(pack, "hard lumps on the fingers")]
    assert "CT:lumps_on_fingers" in hits


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
    # some of these are search-only findings, so they come in through a link, as a shared result would
    at = new_app(present="HP:0100324,HP:0011838,HP:0030880,HP:0031917,HP:0030859")
    assert not at.exception
    assert not any("The evidence is thin" in t for t in page_texts(at))
    assert "% of the match" in match_labels(at)[0]
    assert any("Absolute fit: fits" in c.value and "evidence strong" in c.value for c in at.caption)

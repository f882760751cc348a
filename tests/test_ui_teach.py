"""The Teach page, driven with AppTest: on the mini pack and on the shipped pack and cases."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import ui.state
import ui.widgets
from engine import DEFAULT_METHOD, METHOD_INFO, METHODS, Case, default_weights, triage_terms
from engine.quiz import score_top3
from engine.triage.copy import CLINICIAN_PROMPT
from ui import frames

from .conftest import use_in_ui

# AppTest runs whole pages: seconds per test, so out of the inner loop (`-m "not slow and not browser"`)
pytestmark = pytest.mark.slow

TIMEOUT = 30
DCC, CALCIPHYLAXIS = "dystrophic_calcinosis_cutis", "calciphylaxis"
MINI_CASES = [
    Case("mini-classic", ("HP:0025520", "HP:0001482", "HP:0200042"), ("HP:0012622",), DCC,
         title="Lump after an injury", summary="A hard chalky lump at an old wound.",
         teaching_point="Calcinosis with normal kidneys points to the dystrophic type.", source="fixture"),
    Case("mini-kidney", ("HP:0200042", "HP:0012622"), (), CALCIPHYLAXIS, title="Painful sore",
         summary="A painful sore on dialysis.", teaching_point="Think of calciphylaxis.", source="fixture"),
]


def page() -> None:
    from ui import teach

    teach.render()


def started() -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def loaded(cases: list[Case], index: int = 0) -> AppTest:
    at = started()
    at.selectbox(key="teach_case_pick").set_value(cases[index].id).run()
    at.button(key="teach_load").click().run()
    assert not at.exception, at.exception
    return at


def all_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.subheader,
                               *at.header)]
    return "\n".join(str(p) for p in parts)


def test_empty_page_lists_the_library(pack_and_cases):
    _pack, cases = pack_and_cases
    at = started()
    assert "Case library" in [s.value for s in at.header]
    assert list(at.table[0].value["id"]) == [c.id for c in cases]
    assert any("Add findings" in i.value for i in at.info)


def test_load_case_fills_the_working_case_and_shows_safety(pack_and_cases):
    pack, cases = pack_and_cases
    case = cases[0]
    at = loaded(cases)
    assert at.session_state["teach_present"] == list(case.present)
    assert at.session_state["teach_absent"] == list(case.absent)
    assert at.session_state["teach_step"] == 1  # starts at finding 1, not at the answer
    assert "after 1 of" in all_text(at)
    text = all_text(at)
    assert "For teaching" in text and CLINICIAN_PROMPT not in text  # a note for educators, not patients
    assert pack.disclaimer_substance in text
    assert case.teaching_point in text


def chart_frames(at: AppTest, index: int = 0) -> list[pd.DataFrame]:
    """The data of one Vega-Lite chart on the page (Arrow tables, as Streamlit sends them)."""
    proto = at.get("vega_lite_chart")[index].proto
    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets]


def trajectory_steps(at: AppTest) -> set[int]:
    """The steps drawn by the trajectory chart (the first Vega-Lite chart on the page)."""
    return {int(x) for f in chart_frames(at) if "step" in f for x in f["step"]}


def test_step_through_changes_the_table(pack_and_cases):
    _pack, cases = pack_and_cases
    case = max(cases, key=lambda c: len(c.present) + len(c.absent))
    at = loaded(cases, cases.index(case))
    n = len(case.present) + len(case.absent)
    assert n >= 2
    assert "after 1 of" in all_text(at) and at.button(key="teach_prev").disabled
    assert trajectory_steps(at) == {1}  # only the revealed steps are drawn
    at.button(key="teach_next").click().run()
    assert at.session_state["teach_step"] == 2
    assert "after 2 of" in all_text(at) and trajectory_steps(at) == {1, 2}
    at.button(key="teach_prev").click().run()
    assert at.session_state["teach_step"] == 1
    for _ in range(n - 1):
        at.button(key="teach_next").click().run()
    assert at.session_state["teach_step"] == n and at.button(key="teach_next").disabled
    at.button(key="teach_restart").click().run()
    assert at.session_state["teach_step"] == 1 and not at.exception
    assert len(at.get("vega_lite_chart")) >= 2  # trajectory + heat map


def test_quiz_hides_the_answer_until_a_top3_is_committed_then_scores_it(pack_and_cases):
    pack, cases = pack_and_cases
    case = cases[0]
    at = started()
    at.toggle(key="teach_quiz").set_value(True).run()
    assert "expected" not in at.table[0].value.columns
    at.selectbox(key="teach_case_pick").set_value(case.id).run()
    at.button(key="teach_load").click().run()
    expected = pack.condition(case.expected).display_name
    assert expected not in all_text(at) and not at.get("vega_lite_chart")  # no ranking, no answer yet
    assert at.button(key="teach_commit").disabled
    others = [c for c in pack.condition_ids if c not in case.accepted][:2]
    at.multiselect(key="teach_quiz_picks").set_value([*others, case.expected]).run()
    at.button(key="teach_commit").click().run()
    assert not at.exception
    text = all_text(at)
    assert "Score: 1 / 3" in text and expected in text and at.get("vega_lite_chart")


def test_quiz_scoring():
    assert score_top3(["a", "b", "c"], ["a"]).points == 3
    assert score_top3(["b", "a", "c"], ["a"]).position == 2
    assert score_top3(["b", "c", "d"], ["a"]).points == 0
    with pytest.raises(ValueError, match="exactly 3"):
        score_top3(["a", "a", "b"], ["a"])


def test_method_comparison_shows_every_method_and_its_formula(pack_and_cases):
    _pack, cases = pack_and_cases
    at = loaded(cases)
    latex = [e.value for e in at.latex]
    assert len(latex) == len(METHODS) == 4
    for method in METHODS:
        assert any(METHOD_INFO[method].latex in shown for shown in latex)
        assert any(METHOD_INFO[method].title in m.value for m in at.markdown)


def test_next_question_text_appears(pack_and_cases):
    pack, cases = pack_and_cases
    at = loaded(cases)
    # the page opens on the default method
    result = ui.state.run([cases[0].present[0]], [], DEFAULT_METHOD, default_weights(pack))
    assert result.next_questions
    best = result.next_questions[0]
    text = all_text(at)
    assert f"Ask about: {best.label} ({best.finding_id})" in text
    assert best.reason in text


def test_hand_built_case_with_pertinent_negative(pack_and_cases):
    pack, _cases = pack_and_cases
    at = started()
    ids = list(pack.finding_ids)
    at.multiselect(key="teach_present").set_value(ids[:2]).run()
    at.multiselect(key="teach_absent").set_value(ids[2:3]).run()
    assert not at.exception
    assert "after 1 of 3" in all_text(at)  # a changed case starts again at finding 1
    assert at.session_state["teach_compare"]


def test_contradictory_case_shows_an_error_not_a_crash(pack_and_cases):
    pack, _cases = pack_and_cases
    at = started()
    fid = pack.finding_ids[0]
    at.multiselect(key="teach_present").set_value([fid]).run()
    at.multiselect(key="teach_absent").set_value([fid]).run()
    assert not at.exception
    assert at.error and "cannot be scored" in at.error[0].value


def test_step_frame_and_profile_frame(mini_pack, mini_weights):
    from engine import prepare

    steps = frames.case_steps(["HP:0200042", "HP:0025520"], ["HP:0012622"])
    frame = frames.step_frame(prepare(mini_pack, mini_weights, "likelihood"), steps, top=2)
    assert sorted(frame["step"].unique()) == [1, 2, 3]
    first = frame[frame.step == 1].sort_values("rank")
    assert first.iloc[0]["condition"] == "Infected sore (Skin infection)"  # the ulcer alone
    last = frame[frame.step == 3].sort_values("rank")
    dcc = mini_pack.condition(DCC).display_name
    assert last.iloc[0]["condition"] == dcc == "Calcium lumps in damaged skin (Dystrophic calcinosis cutis)"
    heat = frames.profile_frame(mini_pack, [DCC, CALCIPHYLAXIS], {"HP:0025520": True})
    row = heat[(heat.finding_id == "HP:0025520") & (heat.condition == dcc)].iloc[0]
    assert row.frequency == 0.9 and row.hallmark and row.mark == "★" and row.reported == "reported present"
    assert "HP:0001945" not in set(heat.finding_id)  # fever: in neither profile


def test_salient_profile_rows(mini_pack):
    frame = frames.profile_frame(mini_pack, [DCC], {"HP:0200042": False})
    kept = set(frames.salient_profile_rows(frame, threshold=0.6).finding_id)
    # nodule (80%), calcinosis (hallmark), ulcer (reported absent) stay; past injury (50%) goes
    assert kept == {"HP:0001482", "HP:0025520", "HP:0200042"}
    assert frames.salient_profile_rows(frame.iloc[0:0]).empty


# --- rare-disease corpus section (the shipped pack; the corpus loads once per process, then is cached) ----

CORPUS_TIMEOUT = 60


def test_corpus_section_stays_off_until_asked(monkeypatch, real_pack_and_cases):
    _pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)

    def refuse(name: str):
        raise AssertionError(f"corpus {name} loaded without being asked")

    monkeypatch.setattr(ui.state, "get_corpus", refuse)
    at = loaded(cases)
    assert "Widen the differential: all HPO-annotated rare diseases" in [s.value for s in at.header]
    assert at.toggle(key="teach_corpus_on").value is False


def test_corpus_section_ranks_orphanet_diseases_and_says_what_was_left_out(monkeypatch, real_pack_and_cases):
    pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)
    case = next(c for c in cases if any(f.startswith("CT:") for f in c.present + c.absent))
    at = loaded(cases, cases.index(case))
    banners = re.compile(r"\*\*(ROUTINE|SOON|URGENT|EMERGENCY): ")
    before = len(banners.findall(all_text(at)))
    at.toggle(key="teach_corpus_on").set_value(True).run(timeout=CORPUS_TIMEOUT)
    assert not at.exception, at.exception
    hpo = [f for f in case.present if f.startswith("HP:")], [f for f in case.absent if f.startswith("HP:")]
    expected = triage_terms(pack, *hpo)  # the curated red-flag rules on the corpus's HPO terms
    assert len(banners.findall(all_text(at))) == before + 1
    assert f"**{expected.level.upper()}: {expected.advice}**" in all_text(at)
    top = at.dataframe[-1].value
    assert len(top) == 20
    assert list(top["rank"]) == list(range(1, 21))
    assert all(str(d).startswith("ORPHA:") for d in top["disease"])
    left_out = at.dataframe[-2].value
    ct_ids = [f for f in dict.fromkeys(case.present + case.absent) if f.startswith("CT:")]
    assert list(left_out["finding_id"]) == ct_ids
    text = all_text(at)
    assert "finding(s) left out" in text and "`CT:`" in text
    assert "HPO release 2025-01-16" in text and "4,281 diseases" in text
    assert "not a diagnosis" in text
    assert "For teaching" in text and pack.disclaimer_substance in text
    corpus_chart = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
    assert corpus_chart["encoding"]["y"]["axis"]["labelOverlap"] is False  # every disease labelled

    at.selectbox(key="teach_corpus_pack").set_value("hpo-omim").run(timeout=CORPUS_TIMEOUT)
    at.selectbox(key="teach_corpus_method").set_value("resnik").run(timeout=CORPUS_TIMEOUT)
    assert not at.exception, at.exception
    assert all(str(d).startswith("OMIM:") for d in at.dataframe[-1].value["disease"])


def test_charts_label_every_row_in_readable_text(pack_and_cases):
    """Vega's overlap rule hid every other label; every categorical axis now keeps all its labels."""
    _pack, cases = pack_and_cases
    at = loaded(cases)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) >= 2
    for spec in specs:
        assert spec["config"]["axis"]["labelColor"] == ui.widgets.TEXT_COLOR
        assert spec["config"]["axis"]["labelFontSize"] >= 12
        assert spec["config"]["axisY"]["labelOverlap"] is False
    heat = next(s for s in specs if any(layer.get("mark", {}).get("type") == "rect" for layer in s.get("layer", [])))
    y_axis = heat["layer"][0]["encoding"]["y"]["axis"]
    assert y_axis["labelOverlap"] is False

"""The Teach page, driven with AppTest: on the mini pack and on the shipped pack and cases."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

import ui.components.widgets
import ui.state
from engine import DEFAULT_METHOD, METHOD_INFO, METHODS, Case, default_weights, triage_terms
from engine.evaluation.quiz import score_top3
from engine.triage.copy import CLINICIAN_PROMPT
from ui.components import frames, teach_charts
from ui.pages import teach

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
    from ui.pages import teach

    teach.render()


def started() -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def loaded(cases: list[Case], index: int = 0, at: AppTest | None = None) -> AppTest:
    """The page with ``cases[index]`` chosen in the picker (choosing loads it) and loaded again, at finding 1."""
    at = at or started()
    at.selectbox(key="teach:case_pick").set_value(cases[index].id).run()
    at.button(key="teach:load").click().run()
    assert not at.exception, at.exception
    return at


def all_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.header)]
    return "\n".join(str(p) for p in parts)


def main_order(at: AppTest) -> list[str]:
    """The main column's elements in page order, as "type" or "type:key" (widgets), nested blocks flattened."""
    out: list[str] = []

    def walk(node) -> None:
        key = getattr(node, "key", None)
        out.append(f"{node.type}:{key}" if key else str(node.type))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def test_arrival_puts_the_picker_first_folds_the_library_and_loads_a_case(pack_and_cases):
    """The picker is the first control; the library is folded below it; the first case is loaded on arrival."""
    _pack, cases = pack_and_cases
    at = started()
    order = main_order(at)
    assert next(s.value for s in at.header) == "Choose a teaching case"
    pick = order.index("selectbox:teach:case_pick")
    # nothing but the title, one line and the quiz switch above the picker; the library and the case below it
    assert order[:pick] == ["main", "title", "markdown", "header", "toggle:teach:quiz"]
    assert pick < order.index("expander") < order.index("multiselect:teach:present")
    library = next(e for e in at.expander if e.label.startswith("Case library"))
    assert library.proto.expanded is False  # folded
    assert list(library.table[0].value["id"]) == [c.id for c in cases]
    # a case on arrival: the first one, at its first finding, with its ranking on screen
    assert at.session_state["teach:case_id"] == cases[0].id
    assert at.session_state["teach:present"] == list(cases[0].present)
    assert at.session_state["teach:step"] == 1 and "after 1 of" in all_text(at)
    assert not any("Add findings" in i.value for i in at.info)


def test_choosing_a_case_loads_it_and_clearing_keeps_the_working_case_empty(pack_and_cases):
    _pack, cases = pack_and_cases
    at = started()
    at.selectbox(key="teach:case_pick").set_value(cases[1].id).run()
    assert at.session_state["teach:case_id"] == cases[1].id
    assert at.session_state["teach:present"] == list(cases[1].present)
    at.button(key="teach:clear").click().run()
    assert not at.exception and not at.session_state["teach:present"]
    assert any("Add findings" in i.value for i in at.info)  # not refilled behind the educator's back
    at.button(key="teach:load").click().run()
    assert at.session_state["teach:present"] == list(cases[1].present)


def test_editing_the_working_case_by_hand_detaches_it_from_the_teaching_case(pack_and_cases):
    pack, cases = pack_and_cases
    at = started()
    extra = next(f for f in pack.finding_ids if f not in cases[0].present + cases[0].absent)
    at.multiselect(key="teach:present").set_value([*cases[0].present, extra]).run()
    assert not at.exception
    assert "teach:case_id" not in at.session_state
    assert any("Built by hand" in c.value for c in at.caption)


def test_load_case_fills_the_working_case_and_shows_safety(pack_and_cases):
    pack, cases = pack_and_cases
    case = cases[0]
    at = loaded(cases)
    assert at.session_state["teach:present"] == list(case.present)
    assert at.session_state["teach:absent"] == list(case.absent)
    assert at.session_state["teach:step"] == 1  # starts at finding 1, not at the answer
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
    assert "after 1 of" in all_text(at) and at.button(key="teach:prev").disabled
    assert trajectory_steps(at) == {1}  # only the revealed steps are drawn
    at.button(key="teach:next").click().run()
    assert at.session_state["teach:step"] == 2
    assert "after 2 of" in all_text(at) and trajectory_steps(at) == {1, 2}
    at.button(key="teach:prev").click().run()
    assert at.session_state["teach:step"] == 1
    for _ in range(n - 1):
        at.button(key="teach:next").click().run()
    assert at.session_state["teach:step"] == n and at.button(key="teach:next").disabled
    at.button(key="teach:restart").click().run()
    assert at.session_state["teach:step"] == 1 and not at.exception
    assert len(at.get("vega_lite_chart")) >= 2  # trajectory + heat map


def page_strings(at: AppTest, skip: tuple[str, ...] = ("teach:quiz_picks",)) -> str:
    """Every string the page sends to the browser: each element's message (labels, values, options, help,
    captions, expander titles), every table cell and chart datum, all in one text.

    ``skip`` leaves out widgets by key: the student's own top-3 picker, whose options are every condition alike.
    """
    out: list[str] = []

    def walk(node) -> None:
        if getattr(node, "key", None) in skip:
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
        if node.type == "table":
            out.append(node.value.to_csv())
        if node.type == "vega_lite_chart":
            out.append(node.proto.spec)
            out.extend(pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_csv() for d in node.proto.datasets)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def giveaways(pack, case: Case) -> list[str]:
    """What must not show before the commit: the expected condition's names and id, the case's id, title,
    summary, teaching point and source."""
    cond = pack.condition(case.expected)
    return [t for t in (cond.display_name, cond.lay_name, cond.name, cond.id, case.id, case.title, case.summary,
                        case.teaching_point, case.source) if t]


def shown_giveaways(at: AppTest, pack, case: Case) -> list[str]:
    text = page_strings(at).lower()
    return [t for t in giveaways(pack, case) if t.lower() in text]


def quiz_started(**query: str) -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_quiz_mode_gives_nothing_away_until_a_top3_is_committed_then_scores_it(pack_and_cases):
    """Quiz mode: no element shows the expected condition, the case id, title, summary, teaching point or source,
    no table lists the cases, no file carries them, and only the revealed findings show, until the commit."""
    pack, cases = pack_and_cases
    at = started()
    case = cases[0]
    assert shown_giveaways(at, pack, case) == giveaways(pack, case)  # the scan finds them all out of quiz mode
    at.button(key="teach:next").click().run()
    at.toggle(key="teach:quiz").set_value(True).run()
    # the case that was on screen restarts as a quiz, at finding 1, still the picker's choice
    assert at.session_state["teach:case_id"] == at.selectbox(key="teach:case_pick").value == case.id
    assert at.session_state["teach:step"] == 1
    assert not shown_giveaways(at, pack, case)
    assert not at.table and not at.get("vega_lite_chart") and not at.get("download_button")
    assert not at.multiselect(key="teach:quiz_picks").value
    picker = at.selectbox(key="teach:case_pick")
    assert all(re.fullmatch(r"Quiz case \d+ of \d+", o) for o in picker.options)  # neutral names only
    # only the revealed findings: the first now, the second after Next, never the ones still to come
    steps = frames.case_steps(case.present, case.absent)
    for k in range(1, min(len(steps), 3) + 1):
        text = page_strings(at)
        assert all(f in text for f, _ in steps[:k]) and not any(f in text for f, _ in steps[k:]), k
        assert not shown_giveaways(at, pack, case)
        if k < len(steps):
            at.button(key="teach:next").click().run()
    assert at.button(key="teach:commit").disabled
    others = [c for c in pack.condition_ids if c not in case.accepted][:2]
    at.multiselect(key="teach:quiz_picks").set_value([*others, case.expected]).run()
    at.button(key="teach:commit").click().run()
    assert not at.exception
    text = all_text(at)
    expected = pack.condition(case.expected).display_name
    assert "Score: 1 / 3" in text and expected in text and at.get("vega_lite_chart")
    assert case.teaching_point in text and f"Source: {case.source}" in text  # the case card, after the commit


def test_quiz_mode_from_the_address_opens_on_quiz_case_1_and_next_quiz_case_moves_on(pack_and_cases):
    pack, cases = pack_and_cases
    at = quiz_started(quiz="1")
    assert at.toggle(key="teach:quiz").value is True
    first, second = teach.quiz_order(cases)[:2]
    assert at.session_state["teach:case_id"] == first.id
    assert not shown_giveaways(at, pack, first) and not at.table
    at.multiselect(key="teach:quiz_picks").set_value(list(pack.condition_ids)[:3]).run()
    at.button(key="teach:commit").click().run()
    at.button(key="teach:next_quiz").click().run()
    assert not at.exception
    assert at.session_state["teach:case_id"] == second.id and at.session_state["teach:step"] == 1
    assert not shown_giveaways(at, pack, second) and not at.get("vega_lite_chart")


def test_quiz_order_is_fixed_and_not_the_file_order(real_pack_and_cases):
    _pack, cases = real_pack_and_cases
    order = [c.id for c in teach.quiz_order(cases)]
    assert order == [c.id for c in teach.quiz_order(list(reversed(cases)))]  # the same for everyone
    assert sorted(order) == sorted(c.id for c in cases) and order != [c.id for c in cases]


def test_no_teaching_case_gives_its_answer_away_in_quiz_mode(monkeypatch, real_pack_and_cases):
    """Every shipped case, chosen in quiz mode, at its first finding."""
    pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)
    at = quiz_started(quiz="1")
    leaks = {}
    for case in teach.quiz_order(cases):
        at.selectbox(key="teach:case_pick").set_value(case.id).run()
        assert not at.exception, at.exception
        assert at.session_state["teach:case_id"] == case.id
        shown = shown_giveaways(at, pack, case)
        if shown:
            leaks[case.id] = shown
    assert not leaks


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


def block(at: AppTest, key: str):
    """The container with ``key`` in the main column."""
    def walk(node):
        if getattr(node, "key", None) == key:
            return node
        return next((found for child in getattr(node, "children", {}).values()
                     if (found := walk(child)) is not None), None)

    found = walk(at.main)
    assert found is not None, key
    return found


def test_the_ranking_has_a_compact_table_for_a_phone(pack_and_cases):
    """The full ranking table sits in a container shown on wide screens; a three-column one (rank, medical name,
    how it fits in words) sits in a container shown at phone width, with the same conditions in the same order."""
    pack, cases = pack_and_cases
    at = loaded(cases)
    css = " ".join(h.proto.body for h in at.html)
    assert "@media (max-width: 640px)" in css and "st-key-wide_" in css and "st-key-narrow_" in css
    wide, narrow = block(at, "wide_ranking").table, block(at, "narrow_ranking").table
    assert len(wide) == len(narrow) == 1
    full, compact = wide[0].value, narrow[0].value
    assert {"condition_id", "match strength", "usual features", "fit", "score", "matched"} <= set(full.columns)
    assert list(compact.columns) == ["rank", "condition", "how it fits"]
    assert list(compact["rank"]) == list(full["rank"]) == list(range(1, len(full) + 1))
    assert list(compact["condition"]) == [pack.condition(c).name for c in full["condition_id"]]
    result = ui.state.run([cases[0].present[0]], [], DEFAULT_METHOD, default_weights(pack))  # finding 1 of the case
    top = result.ranking.matches[0]
    assert compact["how it fits"][0] == (f"{top.shown_share:.0%} of the match; {top.fit.usual_matched} of "
                                         f"{top.fit.usual_total} usual features; evidence {top.fit.level}")
    assert all(re.fullmatch(r"\d+% of the match; \d+ of \d+ usual features; evidence (thin|moderate|strong)", cell)
               for cell in compact["how it fits"])


def test_the_next_finding_has_a_compact_table_for_a_phone(pack_and_cases):
    """The full table of next findings (six columns) sits in a container shown on wide screens; a two-column one
    (the finding's label, and in words which candidate its presence favours over which) in one shown at phone
    width, with the same findings in the same order."""
    pack, cases = pack_and_cases
    at = loaded(cases)
    wide, narrow = block(at, "wide_next_question").table, block(at, "narrow_next_question").table
    assert len(wide) == len(narrow) == 1
    full, compact = wide[0].value, narrow[0].value
    assert list(full.columns) == ["finding_id", "finding", "information gain (bits)", "favours", "against", "why"]
    assert list(compact.columns) == ["finding", "if present, favours"]
    result = ui.state.run([cases[0].present[0]], [], DEFAULT_METHOD, default_weights(pack))  # finding 1 of the case
    assert result.next_questions and len(compact) == len(full) == len(result.next_questions)
    assert list(compact["finding"]) == list(full["finding"]) == [q.label for q in result.next_questions]
    assert list(compact["if present, favours"]) == [
        f"{pack.condition(q.favours).name} over {pack.condition(q.against).name}" for q in result.next_questions]


def test_the_case_library_has_a_compact_table_for_a_phone(pack_and_cases):
    """In the folded library: the full table (seven columns, the source a citation) in a container shown on wide
    screens; a two-column one (the case's title, the condition it teaches by its medical name) in one shown at
    phone width, every case in the same order."""
    pack, cases = pack_and_cases
    at = started()
    library = next(e for e in at.expander if e.label.startswith("Case library"))
    assert library.proto.expanded is False  # still folded
    wide, narrow = library.get_by_key("wide_library").table, library.get_by_key("narrow_library").table
    assert len(wide) == len(narrow) == 1
    full, compact = wide[0].value, narrow[0].value
    assert list(full.columns) == ["id", "title", "expected", "findings", "pertinent negatives", "triage", "source"]
    assert list(full["id"]) == [c.id for c in cases]
    assert list(compact.columns) == ["case", "condition"]
    assert list(compact["case"]) == [c.title or c.id for c in cases]
    assert list(compact["condition"]) == [pack.condition(c.expected).name for c in cases]


def layout_keys(at: AppTest) -> tuple[set[str], set[str]]:
    """The parts drawn in a wide and in a narrow version: the names after ``wide_`` and after ``narrow_``."""
    keys: list[str] = []

    def walk(node) -> None:
        keys.append(str(getattr(node, "key", None) or ""))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return ({k.removeprefix("wide_") for k in keys if k.startswith("wide_")},
            {k.removeprefix("narrow_") for k in keys if k.startswith("narrow_")})


def test_quiz_mode_hides_the_narrow_tables_as_it_hides_the_wide_ones(pack_and_cases):
    """Each part drawn for wide screens has its phone twin, and quiz mode takes both away together: before the
    commit no ranking, next finding or library in either layout (the narrow ones name the answer too); after it
    the ranking and the next finding in both, the library in neither (quiz mode keeps it hidden)."""
    pack, cases = pack_and_cases
    at = loaded(cases)
    case = cases[0]
    assert layout_keys(at) == ({"ranking", "next_question", "library"},) * 2
    narrow = "".join(block(at, f"narrow_{k}").table[0].value.to_csv() for k in ("library", "ranking"))
    assert case.title in narrow and pack.condition(case.expected).name in narrow  # what quiz mode must hide
    at.toggle(key="teach:quiz").set_value(True).run()
    assert at.session_state["teach:case_id"] == case.id
    assert layout_keys(at) == (set(), set())
    assert not at.table and not shown_giveaways(at, pack, case)
    assert any("case library is hidden in quiz mode" in c.value for c in at.caption)
    others = [c for c in pack.condition_ids if c not in case.accepted][:2]
    at.multiselect(key="teach:quiz_picks").set_value([*others, case.expected]).run()
    at.button(key="teach:commit").click().run()
    assert not at.exception
    assert layout_keys(at) == ({"ranking", "next_question"},) * 2


def test_hand_built_case_with_pertinent_negative(pack_and_cases):
    pack, _cases = pack_and_cases
    at = started()
    ids = list(pack.finding_ids)
    at.multiselect(key="teach:present").set_value(ids[:2]).run()
    at.multiselect(key="teach:absent").set_value(ids[2:3]).run()
    assert not at.exception
    assert "after 1 of 3" in all_text(at)  # a changed case starts again at finding 1
    assert at.session_state["teach:compare"]


def test_contradictory_case_shows_an_error_not_a_crash(pack_and_cases):
    pack, _cases = pack_and_cases
    at = started()
    fid = pack.finding_ids[0]
    at.multiselect(key="teach:present").set_value([fid]).run()
    at.multiselect(key="teach:absent").set_value([fid]).run()
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
    assert at.toggle(key="teach:corpus_on").value is False


def test_corpus_section_ranks_orphanet_diseases_and_says_what_was_left_out(monkeypatch, real_pack_and_cases):
    pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)
    case = next(c for c in cases if any(f.startswith("CT:") for f in c.present + c.absent))
    at = loaded(cases, cases.index(case))
    before = all_text(at).count("**If things change:**")  # once per urgency block
    at.toggle(key="teach:corpus_on").set_value(True).run(timeout=CORPUS_TIMEOUT)
    assert not at.exception, at.exception
    hpo = [f for f in case.present if f.startswith("HP:")], [f for f in case.absent if f.startswith("HP:")]
    expected = triage_terms(pack, *hpo)  # the curated red-flag rules on the corpus's HPO terms
    assert all_text(at).count("**If things change:**") == before + 1
    assert ui.components.widgets.triage_markdown(expected) in all_text(at)
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

    at.selectbox(key="teach:corpus_pack").set_value("hpo-omim").run(timeout=CORPUS_TIMEOUT)
    at.selectbox(key="teach:corpus_method").set_value("resnik").run(timeout=CORPUS_TIMEOUT)
    assert not at.exception, at.exception
    assert all(str(d).startswith("OMIM:") for d in at.dataframe[-1].value["disease"])


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def layer_with(spec: dict, mark: str) -> dict:
    return next(layer for layer in spec["layer"] if layer["mark"]["type"] == mark)


def test_charts_label_every_row_in_readable_text(pack_and_cases):
    """Every categorical axis keeps all its labels, in body-text colour and size."""
    _pack, cases = pack_and_cases
    at = loaded(cases)
    shown = specs(at)
    assert len(shown) >= 2
    for spec in shown:
        assert spec["config"]["axis"]["labelColor"] == ui.components.widgets.TEXT_COLOR
        assert spec["config"]["axis"]["labelFontSize"] >= 12
        assert spec["config"]["axisY"]["labelOverlap"] is False


def heat_spec(at: AppTest) -> dict:
    return next(s for s in specs(at) if any(layer["mark"]["type"] == "rect" for layer in s["layer"]))


def heat_label_sets(axis: dict) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The (phone, wide) labels written into an axis's label expression (see teach_charts._by_width)."""
    expr, decoder = axis["labelExpr"], json.JSONDecoder()
    narrow, end = decoder.raw_decode(expr, expr.index("? ") + 2)
    assert expr[end:end + 3] == " : ", expr
    wide, end = decoder.raw_decode(expr, end + 3)
    assert expr[end:] == ")[datum.value]", expr
    return narrow, wide


def test_heat_map_projects_rows_of_20_px_or_more_upright_titles_within_their_columns(pack_and_cases):
    """Rows are a fixed step of at least 20 px (a plain "fit" squeezed 30 rows into 10 px each), at most 15 of them
    by default; condition titles are upright, wrapped, no wider than their column, and raised above the cells.
    Labels come wrapped twice, for a projector's or laptop's column and for a phone's; the browser picks by width."""
    _pack, cases = pack_and_cases
    at = loaded(cases)
    spec = heat_spec(at)
    assert spec["height"] == {"step": teach_charts.HEAT_ROW_PX} and teach_charts.HEAT_ROW_PX >= 20
    assert spec["autosize"]["type"] == "fit-x"  # the height is the rows', not squeezed into a fixed box
    rect = layer_with(spec, "rect")
    rows, columns = rect["encoding"]["y"]["sort"], rect["encoding"]["x"]["sort"]
    assert 1 <= len(rows) <= teach_charts.HEAT_ROWS
    y_axis, x_axis = rect["encoding"]["y"]["axis"], rect["encoding"]["x"]["axis"]
    line_px = y_axis["labelLineHeight"]
    assert 2 * line_px <= teach_charts.HEAT_ROW_PX - 4  # two lines of a finding's name fit its row
    assert x_axis["labelAngle"] == 0 and x_axis["orient"] == "top"
    assert x_axis["labelLimit"] == {"expr": f"width / {len(columns)} - 6"}  # never into the next column
    below = teach_charts.NARROW_BELOW
    depths = []
    for layout, row_labels, titles in zip((teach_charts.NARROW, teach_charts.WIDE), heat_label_sets(y_axis),
                                          heat_label_sets(x_axis), strict=True):
        assert list(row_labels) == rows and list(titles) == columns  # a label for every row and column
        assert all(1 <= len(lines) <= 2 for lines in row_labels.values())  # each finding's name in two lines
        assert all(len(line) * teach_charts.CHAR_PX <= layout.label_px + teach_charts.CHAR_PX
                   for lines in row_labels.values() for line in lines)
        depth = {len(lines) for lines in titles.values()}
        assert len(depth) == 1  # padded to the same height, so the titles sit on the cells...
        depths.append(depth.pop())
        band = (layout.column_px - layout.label_px) / len(columns)
        # every title line fits its column whole, but for a single word longer than the column (cut, in full in
        # the tooltip)
        assert all(len(line) * teach_charts.CHAR_PX <= band or " " not in line
                   for lines in titles.values() for line in lines), (layout, titles)
    raised = [6 + x_axis["labelLineHeight"] * (d - 1) for d in depths]
    assert x_axis["labelPadding"] == {"expr": f"(containerSize()[0] < {below} ? {raised[0]} : {raised[1]})"}
    assert y_axis["labelLimit"] == {
        "expr": f"(containerSize()[0] < {below} ? {teach_charts.NARROW.label_px} : {teach_charts.WIDE.label_px})"}

    at.checkbox(key="teach:heat_all").check().run()
    every = layer_with(heat_spec(at), "rect")["encoding"]["y"]["sort"]
    assert len(every) >= len(rows) and heat_spec(at)["height"] == {"step": teach_charts.HEAT_ROW_PX}


def test_heat_rows_put_reported_findings_first_and_keep_them(mini_pack):
    frame = frames.profile_frame(mini_pack, [DCC, CALCIPHYLAXIS], {"HP:0200042": True, "HP:0012622": False})
    order = teach_charts.heat_order(frame)
    assert order[:2] == ["HP:0200042", "HP:0012622"]  # reported present, then reported absent
    kept = teach_charts.heat_rows(frame, 1)
    assert list(dict.fromkeys(kept["finding_id"])) == ["HP:0200042", "HP:0012622"]  # reported ones beyond the cap
    assert kept["finding_id"].nunique() == 2
    assert teach_charts.heat_rows(frame, None)["finding_id"].nunique() == frame["finding_id"].nunique()


def test_trajectory_uses_a_colour_blind_safe_palette_and_names_each_line(pack_and_cases):
    pack, cases = pack_and_cases
    case = max(cases, key=lambda c: len(c.present) + len(c.absent))
    at = loaded(cases, cases.index(case))
    for _ in range(2):
        at.button(key="teach:next").click().run()
    spec = next(s for s in specs(at) if any(layer["mark"]["type"] == "line" for layer in s["layer"]))
    line = layer_with(spec, "line")
    colour = line["encoding"]["color"]
    assert colour["condition"]["legend"] is None  # no legend: the lines carry their names
    assert set(colour["condition"]["scale"]["range"]) <= set(teach_charts.PALETTE)
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and all(t["encoding"]["text"]["field"] == "name" for t in texts)
    data = max(chart_frames(at), key=len)  # the lines' rows (the names' layers hold the newest step only)
    now = data[data["step"] == data["step"].max()]
    assert set(now["name"]) <= {c.name for c in pack.conditions}  # the medical names
    assert now["rank"].is_unique  # one name per rank...
    assert spec["height"] / max(int(data["rank"].max()) - 1, 1) >= 20  # ...at least 20 px apart
    # the coloured lines on screen (the top 5 now) all have different colours
    styles = dict(zip(colour["condition"]["scale"]["domain"], colour["condition"]["scale"]["range"], strict=True))
    leaders = now.loc[now["focus"], "condition"]
    assert len({styles[c] for c in leaders}) == len(leaders)


def test_line_styles_give_conditions_that_lead_together_different_colours():
    rows = [{"step": s, "condition": f"c{i}", "rank": r}
            for s, ranks in enumerate([[1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1]], start=1)
            for i, r in enumerate(ranks)]
    order, colours, dashes = teach_charts.line_styles(pd.DataFrame(rows), top=5)
    style = {c: (col, tuple(d)) for c, col, d in zip(order, colours, dashes, strict=True)}
    for step in (1, 2):
        leaders = [r["condition"] for r in rows if r["step"] == step and r["rank"] <= 5]
        assert len({style[c] for c in leaders}) == 5
    assert set(colours) <= set(teach_charts.PALETTE)

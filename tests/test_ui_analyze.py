"""The Analyze page, driven with AppTest (file uploads included): on the mini pack and on the shipped pack."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.components.widgets
import ui.state
from engine import DEFAULT_METHOD, METHODS, Case, WeightsError, default_weights, evaluate, parse_weights
from engine.triage.copy import CLINICIAN_PROMPT
from ui.components import frames

from .conftest import use_in_ui, zipped

# AppTest runs whole pages: seconds per test, so out of the inner loop (`-m "not slow and not browser"`)
pytestmark = pytest.mark.slow

TIMEOUT = 60
WEIGHTS = ui.state.WEIGHTS_KEY
DCC, CALCIPHYLAXIS = "dystrophic_calcinosis_cutis", "calciphylaxis"
MINI_CASES = [
    Case("ulcer-only", ("HP:0200042",), (), DCC, expected_triage="routine"),
    Case("classic", ("HP:0025520", "HP:0001482"), ("HP:0012622",), DCC, expected_triage="routine"),
    Case("kidney", ("HP:0200042", "HP:0012622"), (), CALCIPHYLAXIS, expected_triage="emergency"),
]


def page() -> None:
    from ui.pages import analyze

    analyze.render()


def started() -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes, key: str = "analyze:upload") -> AppTest:
    at.file_uploader(key=key).set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def weights_key(at: AppTest) -> tuple:
    return at.session_state[WEIGHTS].key()


def changing_upload(pack, cases) -> bytes:
    """A valid weights file that changes the page's evaluation of ``cases`` (default method; checked with the
    engine itself): one finding weight, since the default method ignores priors."""
    defaults = default_weights(pack)
    base = evaluate(pack, cases, DEFAULT_METHOD, defaults)
    for fid, weight in ((f, w) for c in cases for f in c.present for w in (0.0, 100.0)):
        content = f'[finding_weights]\n"{fid}" = {weight}\n'.encode()
        trial = evaluate(pack, cases, DEFAULT_METHOD, parse_weights(pack, content, "w.toml"))
        if [c.rank for c in trial.cases] != [c.rank for c in base.cases]:
            return content
    raise AssertionError("no single finding weight changes the evaluation")


def broken_files(pack) -> list[tuple[str, bytes, str]]:
    fid = pack.finding_ids[0]
    return [
        ("nan.toml", f'[finding_weights]\n"{fid}" = nan\n'.encode(), "finite number"),
        ("negative.toml", f'[finding_weights]\n"{fid}" = -1.0\n'.encode(), "expected 0.0 to 100"),
        ("unknown.toml", b'[finding_weights]\n"HP:9999999" = 1.0\n', "unknown finding ID 'HP:9999999'"),
        ("param.toml", b"[params]\nfudge = 2\n", "unknown parameter 'fudge'"),
        ("malformed.toml", b"[finding_weights\n", "not valid TOML"),
        ("text.csv", f"kind,key,value\nfinding,{fid},heavy\n".encode(), "expected a number, got 'heavy'"),
        ("big.toml", b"#" * 1_000_001, "the limit is 1,000,000 bytes"),
    ]


def test_page_renders_with_defaults_and_safety(pack_and_cases):
    pack, _cases = pack_and_cases
    at = started()
    assert weights_key(at) == default_weights(pack).key()
    assert any("For analysis" in w.value and "not a diagnosis" in w.value for w in at.warning)
    assert not any(CLINICIAN_PROMPT in w.value for w in at.warning)  # the patient prompt belongs to Check
    assert any("no difference yet" in i.value for i in at.info)
    methods = at.table[0].value
    assert len(methods) == len(METHODS) and list(methods.columns) == ["method", "Top-1 accuracy", "Top-3 accuracy",
                                                                      "Mean reciprocal rank",
                                                                      "Urgency within the reference range"]
    recall = at.table[1].value
    assert {"condition", "cases", "top-1 recall", "top-1 95% CI"} <= set(recall.columns)
    assert any("computed in" in c.value for c in at.caption)


def test_valid_upload_changes_weights_and_evaluation_shows_difference(pack_and_cases):
    pack, cases = pack_and_cases
    at = started()
    upload(at, "mine.toml", changing_upload(pack, cases))
    assert weights_key(at) != default_weights(pack).key()
    assert any("Loaded weights from `mine.toml`" in s.value for s in at.success)
    moved = [m.value for m in at.markdown if "case(s) moved" in m.value]
    assert moved and not moved[0].startswith("**Per-case rank of the expected condition** (0 ")
    assert any(not df.value.empty and "current" in df.value.columns and "kind" in df.value.columns
               for df in at.dataframe)  # the Weights.diff table


@pytest.mark.parametrize("index", range(7))
def test_broken_upload_shows_error_and_keeps_previous_weights(pack_and_cases, index):
    pack, cases = pack_and_cases
    at = started()
    upload(at, "good.toml", changing_upload(pack, cases))
    before = weights_key(at)
    name, content, message = broken_files(pack)[index]
    upload(at, name, content)
    assert weights_key(at) == before
    errors = [e.value for e in at.error]
    assert any(message in e and name in e for e in errors), errors
    assert any("unchanged" in e for e in errors)


def test_reset_restores_defaults(pack_and_cases):
    pack, cases = pack_and_cases
    at = started()
    upload(at, "mine.toml", changing_upload(pack, cases))
    at.button(key="analyze:reset").click().run()
    assert weights_key(at) == default_weights(pack).key()
    assert any("reset to the defaults" in s.value for s in at.success)
    at.run()  # the uploaded file is still in the widget: it must not be applied again
    assert weights_key(at) == default_weights(pack).key()


def test_uploaded_case_file_broken_then_valid(pack_and_cases):
    _pack, cases = pack_and_cases
    at = started()
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    upload(at, "cases.json", b"{not json", key="analyze:cases_upload")
    assert any("not valid JSON" in e.value for e in at.error)
    good = [{"id": "u1", "findings": [{"hpo_id": f, "present": True} for f in cases[0].present],
             "expected_condition": cases[0].expected}]
    upload(at, "cases2.json", json.dumps(good).encode(), key="analyze:cases_upload")
    assert any("Loaded 1 case(s) from `cases2.json`" in s.value for s in at.success)
    upload(at, "cases3.json", b"#" * 1_000_001, key="analyze:cases_upload")
    assert any("the limit is 1,000,000 bytes" in e.value for e in at.error)
    assert [c.id for c in at.session_state["analyze:uploaded_cases"]] == ["u1"]  # previous cases kept


def test_handle_weights_upload_directly(pack_and_cases):
    """The upload handler on its own (as the page calls it), inside an AppTest run."""
    _pack, _cases = pack_and_cases

    def script() -> None:
        import streamlit as st

        from ui.pages import analyze

        st.session_state["ok_big"] = analyze.handle_weights_upload("big.csv", b"x" * 1_000_001)
        st.session_state["ok_good"] = analyze.handle_weights_upload("w.csv", b"kind,key,value\nparam,leak,0.05\n")

    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["ok_big"] is False and at.session_state["ok_good"] is True
    assert at.session_state[WEIGHTS].params.leak == 0.05


# --- pure helpers ------------------------------------------------------------------------------------

def test_weights_tables_round_trip_and_editor_validation(mini_pack, mini_weights):
    fw, pr, pa = frames.weights_tables(mini_pack, mini_weights)
    assert frames.weights_from_tables(mini_pack, fw, pr, pa).key() == mini_weights.key()
    edited = fw.copy()
    edited.loc[0, "weight"] = -2.0
    with pytest.raises(WeightsError, match="HP:0025520"):
        frames.weights_from_tables(mini_pack, edited, pr, pa)
    edited.loc[0, "weight"] = float("nan")
    with pytest.raises(WeightsError, match="HP:0025520"):
        frames.weights_from_tables(mini_pack, edited, pr, pa)
    bad_param = pa.copy()
    bad_param.loc[bad_param.parameter == "leak", "value"] = "lots"
    with pytest.raises(WeightsError, match="leak"):
        frames.weights_from_tables(mini_pack, fw, pr, bad_param)
    ok = pa.copy()
    ok.loc[ok.parameter == "overlap_similarity", "value"] = "dice"
    assert frames.weights_from_tables(mini_pack, fw, pr, ok).params.overlap_similarity == "dice"


def test_metrics_and_case_changes(mini_pack, mini_weights):
    changed = mini_weights.replace(priors={DCC: 20.0})
    current = evaluate(mini_pack, MINI_CASES, "likelihood", changed)
    default = evaluate(mini_pack, MINI_CASES, "likelihood", mini_weights)
    metrics = frames.metrics_frame(current, default).set_index("metric")
    assert metrics.loc["Top-1 accuracy", "difference"] == pytest.approx(current.top1 - default.top1)
    assert metrics.loc["Top-1 accuracy", "difference"] > 0
    changes = frames.case_changes_frame(mini_pack, current, default).set_index("case")
    assert changes.loc["ulcer-only", "change"] < 0
    diff = frames.diff_frame(mini_pack, mini_weights, changed)
    assert diff.to_dict("records") == [{"kind": "prior", "key": DCC, "name": mini_pack.condition(DCC).display_name,
                                        "default": "1.0", "current": "20.0"}]
    confusion = frames.confusion_frame(mini_pack, current)
    assert confusion["count"].sum() == len(MINI_CASES)
    moved = frames.case_changes_frame(mini_pack, current, default)
    sizes = list(moved["change"].abs())
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0  # the cases that moved come first
    recall = frames.recall_frame(mini_pack, current).set_index("condition")
    dcc = recall.loc[mini_pack.condition(DCC).display_name]
    assert dcc["cases"] == 2 and 0 <= dcc["top-1 recall"] <= 1


def test_wilson_interval_and_per_condition_recall(mini_pack, mini_weights):
    from engine.evaluation.curated import per_condition_recall
    from engine.evaluation.metrics import wilson_interval

    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    rows = per_condition_recall(evaluate(mini_pack, MINI_CASES, "likelihood", mini_weights))
    assert sum(r.n for r in rows) == len(MINI_CASES)


def test_every_weights_problem_is_reported_at_once(mini_pack, mini_weights):
    fw, pr, pa = frames.weights_tables(mini_pack, mini_weights)
    fw.loc[0, "weight"] = -2.0
    fw.loc[1, "weight"] = float("nan")
    pr.loc[0, "prior"] = 0.0
    pa.loc[pa.parameter == "leak", "value"] = "lots"
    with pytest.raises(WeightsError) as info:
        frames.weights_from_tables(mini_pack, fw, pr, pa)
    assert len(info.value.problems) == 4
    text = str(info.value)
    assert fw.loc[0, "finding_id"] in text and fw.loc[1, "finding_id"] in text and "leak" in text


def test_the_refusal_message_lists_every_problem_literally(mini_pack, mini_weights):
    from ui.pages.analyze import refused_message

    fw, pr, pa = frames.weights_tables(mini_pack, mini_weights)
    fw.loc[0, "weight"] = -2.0
    pa.loc[pa.parameter == "overlap_similarity", "value"] = "**bold**"
    with pytest.raises(WeightsError) as info:
        frames.weights_from_tables(mini_pack, fw, pr, pa)
    message = refused_message(info.value)
    assert message.startswith("Not applied: 2 problems to fix") and message.count("\n- ") == 2
    items = [line[2:] for line in message.splitlines() if line.startswith("- ")]
    # each problem is a code span, so "**bold**" is shown literally, never as Markdown
    assert all(item.startswith("`") and item.endswith("`") for item in items)
    assert any("**bold**" in item for item in items)


def test_exported_csv_never_starts_a_formula():
    frame = pd.DataFrame({"=cmd": ["=1+1", "+SUM(A1)", "-2", "@x", "plain", None]})
    text = frames.safe_csv(frame)
    for line in text.splitlines():
        assert not line.startswith(("=", "+", "-", "@"))
    assert "'=1+1" in text and "'-2" in text and "plain" in text


def test_corpus_check_shows_metrics_and_per_case_ranks(monkeypatch, real_pack_and_cases):
    _pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)
    at = started()
    assert "Corpus check" in [s.value for s in at.header]
    assert not [m for m in at.metric if m.label.endswith(" (corpus)")]  # nothing loaded until asked
    at.toggle(key="analyze:corpus_on").set_value(True).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric if m.label.endswith(" (corpus)")}
    assert list(metrics) == ["Top-1 accuracy (corpus)", "Top-3 accuracy (corpus)", "Top-10 accuracy (corpus)",
                             "Mean reciprocal rank (corpus)"]
    shares = [float(v.rstrip("%")) / 100 for k, v in metrics.items() if "accuracy" in k]
    assert all(0 <= v <= 1 for v in shares) and 0 <= float(metrics["Mean reciprocal rank (corpus)"]) <= 1
    frame = at.dataframe[-1].value
    assert list(frame["case"]) == [c.id for c in cases]
    ranked = frame[frame["status"] == "ranked"]
    assert len(ranked) > 0 and (ranked["rank"] >= 1).all()
    assert all(code.startswith("ORPHA:") for code in ranked["best code"])
    no_code = frame[frame["expected"] == "Dystrophic calcinosis cutis"]
    assert no_code["rank"].isna().all() and no_code["status"].str.startswith("n/a").all()
    assert any(m.value.startswith(f"**{len(ranked)} of {len(cases)} case(s) ranked**") for m in at.markdown)


def test_confusion_matrix_labels_every_row(pack_and_cases):
    _pack, _cases = pack_and_cases
    at = started()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    confusion = next(s for s in specs if any(layer.get("mark", {}).get("type") == "rect"
                                             for layer in s.get("layer", [])))
    assert confusion["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert confusion["config"]["axis"]["labelColor"] == ui.components.widgets.TEXT_COLOR


# --- analyst wording, tables for phones, the urgency figures, lenient phenopacket uploads ---------------------

RAW_KEYS = {"n", "top1", "top3", "top10", "mrr", "ms_per_case", "triage_agreement"}


def test_metrics_are_labelled_for_analysts_with_what_they_mean(pack_and_cases):
    _pack, _cases = pack_and_cases
    at = started()
    tiles = at.metric[:4]
    assert [m.label for m in tiles] == ["Top-1 accuracy", "Top-3 accuracy", "Mean reciprocal rank",
                                        "Urgency within the reference range"]
    assert all(m.help for m in tiles)  # each says what it measures
    assert tiles[0].value.endswith("%") and not tiles[2].value.endswith("%")
    assert not {m.label for m in at.metric} & RAW_KEYS


def test_the_confusion_matrix_is_a_table_on_a_phone(pack_and_cases):
    pack, cases = pack_and_cases
    at = started()
    css = " ".join(h.proto.body for h in at.html)
    assert "@media (max-width: 640px)" in css and "st-key-wide_" in css and "st-key-narrow_" in css
    table = next(t.value for t in at.table if "ranked first instead" in t.value.columns)
    ev = evaluate(pack, cases, DEFAULT_METHOD, default_weights(pack))
    assert table["cases"].sum() == len(cases)
    assert table["ranked first"].sum() == sum(c.predicted == c.expected for c in ev.cases)
    assert len(table) == len({c.expected for c in cases})


def test_the_sensitivity_chart_names_each_bar_above_it(pack_and_cases):
    _pack, _cases = pack_and_cases
    at = started()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    movers = [s for s in specs if any(layer.get("mark", {}).get("type") == "bar" for layer in s.get("layer", []))]
    if not movers:  # no weight moves the ranking on this pack: the page says so instead
        assert any("No weight moves the rankings" in i.value for i in at.info)
        return
    bars, last, first = movers[0]["layer"]
    assert bars["encoding"]["y"]["axis"] is None  # no axis of names beside the bars: they get the whole width
    assert [layer["encoding"]["text"]["field"] for layer in (last, first)] == ["last", "first"]
    assert first["mark"]["dy"] < last["mark"]["dy"] < 0  # both lines above the bar


def test_urgency_figures_against_the_triage_panels(monkeypatch, real_pack_and_cases):
    pack, cases = use_in_ui(monkeypatch, *real_pack_and_cases)
    at = started()
    assert "Urgency against the triage panel" in [s.value for s in at.subheader]
    report = evaluate(pack, cases, DEFAULT_METHOD, default_weights(pack)).triage_report()
    assert report is not None
    panels = sum(c.panel is not None for c in cases)
    assert any(c.value.startswith(f"{panels} case(s) have a panel") for c in at.caption)
    tiles = {m.label: m for m in at.metric}
    overall = report["overall"]
    assert tiles["Within the panel's range"].value == f"{overall['within']['share']:.1%}"
    assert tiles["Under-triaged"].value == f"{overall['under']['share']:.1%}"
    assert tiles["Emergency sensitivity"].value == f"{report['emergency_sensitivity']['share']:.1%}"
    assert tiles["Mean harm-weighted cost"].value == f"{overall['cost']['mean']:.3f}"
    assert "95% CI" in tiles["Within the panel's range"].help
    tables_by_first = {t.value.columns[0]: t.value for t in at.table}
    figures = tables_by_first["figure"].set_index("figure")
    lo, hi = overall["under_two_plus"]["ci95"]
    assert figures.loc["Under-triaged by two or more levels", "95% CI"] == f"{lo:.1%} to {hi:.1%}"
    assert any(f.startswith("Emergency sensitivity") for f in figures.index)
    kappa = tables_by_first["the tool against"]
    role_title = ui.components.analyze_tables.role_title
    roles = {"The panel's consensus"} | {role_title(r) for r in report["kappa"] if r != "consensus"}
    assert set(kappa["the tool against"]) == roles and "Urgent-care clinician" in roles
    yardstick = list(tables_by_first["whose levels, against what"]["whose levels, against what"])
    assert yardstick[0].startswith("The tool, against the panel's range")
    assert "Dermatology clinician, against the urgent-care clinician (94 cases)" in yardstick  # rater against rater
    levels = tables_by_first["panel's consensus"]
    assert levels["cases"].sum() == overall["n"]


def test_uploaded_cases_without_a_panel_are_judged_against_their_author(pack_and_cases):
    _pack, cases = pack_and_cases
    at = started()
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    case = {"id": "u1", "findings": [{"hpo_id": f, "present": True} for f in cases[0].present],
            "expected_condition": cases[0].expected, "expected_triage": "routine"}
    upload(at, "cases.json", json.dumps([case]).encode(), key="analyze:cases_upload")
    assert any(c.value.startswith("0 case(s) have a panel; 1 are judged against their author's expected urgency")
               for c in at.caption)


def _packet(pid: str) -> bytes:
    from .test_phenopacket import packet

    return json.dumps(packet(["HP:0200042", "HP:0012622"], [], "ORPHA:280062", pid)).encode()


def _upload_many(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    values = [(n, c, "application/octet-stream") for n, c in files]
    at.file_uploader(key="analyze:phenopackets:upload").set_value(values).run()
    assert not at.exception, at.exception
    return at


def test_phenopackets_bad_files_are_skipped_named_and_the_rest_evaluated():
    at = started()
    big = b" " * 1_000_001
    files = [("g1.json", _packet("g1")), ("broken.json", b"{nope"),
             ("set.zip", zipped({"g2.json": _packet("g2"), "big.json": big}))]
    _upload_many(at, *files)
    assert at.session_state["analyze:phenopackets:inputs"].n == 2
    [warning] = [w.value for w in at.warning if "skipped" in w.value]
    assert warning.startswith("2 file(s) skipped, the rest loaded: `broken.json` (`not valid JSON")
    assert "`set.zip/big.json` (`member is 1,000,001 bytes" in warning
    assert any("2 phenopacket(s) and 0 case-file case(s) loaded" in s.value for s in at.success)
    # the bad files stay in the uploader: adding a good one loads all the good ones again, and names the bad again
    _upload_many(at, *files, ("g3.json", _packet("g3")))
    assert [p.id for p in at.session_state["analyze:phenopackets:inputs"].phenopackets] == ["g1", "g2", "g3"]
    assert any(w.value.startswith("2 file(s) skipped") for w in at.warning)
    assert not at.error
    at.toggle(key="analyze:phenopackets:on").set_value(True).run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric[-5:]]
    assert labels == ["Cases evaluated", "Top-1 accuracy", "Top-3 accuracy", "Mean reciprocal rank",
                      "Time per case (ms)"]
    assert at.metric[-5].value == "3"
    assert any(c.value.endswith("Files that could not be read: 2.") for c in at.caption)
    notes = [w.value for w in at.warning if "not a diagnosis" in w.value]
    assert notes and all("For analysis" in n for n in notes)  # the analyst note, never the patient prompt
    assert not any(CLINICIAN_PROMPT in w.value for w in at.warning)


def test_many_skipped_files_are_listed_in_a_table_and_none_readable_keeps_the_cases():
    at = started()
    _upload_many(at, ("g1.json", _packet("g1")))
    broken = [(f"b{i}.json", b"{") for i in range(7)]
    _upload_many(at, ("g1.json", _packet("g1")), *broken)
    [warning] = [w.value for w in at.warning if "skipped" in w.value]
    assert warning.startswith("7 file(s) skipped") and warning.endswith("and 2 more, listed below.")
    table = next(d.value for d in at.dataframe if "why it was skipped" in d.value.columns)
    assert list(table["file"]) == [n for n, _ in broken]
    _upload_many(at, *broken)  # nothing readable: one error naming them, and the loaded case stays
    [error] = [e.value for e in at.error]
    assert error.startswith("No case could be read from the 7 file(s): `b0.json`")
    assert "previous cases are kept" in error
    assert at.session_state["analyze:phenopackets:inputs"].n == 1


def test_urgency_tables_word_a_report(mini_pack, mini_weights):
    from ui.components import analyze_tables as tables

    report = evaluate(mini_pack, MINI_CASES, "likelihood", mini_weights).triage_report()
    frame = tables.overall_frame(report)
    assert list(frame["figure"][:5]) == [title for _, title in tables.BREAKDOWN_ROWS]
    assert frame["value"].str.match(r"^\d+\.\d%$")[:5].all()
    assert frame["cases"].iloc[0] == len(MINI_CASES)
    assert tables.share_cell({"share": 0.5, "n": 4, "ci95": [0.15, 0.85]}) == "50.0% (15.0–85.0)"
    assert tables.share_cell({"share": None, "n": 0, "ci95": [0, 1]}) == "n/a"
    assert tables.kappa_cell(None) == "n/a" and tables.kappa_cell({"kappa": 0.5, "ci95": None}) == "0.500 (n/a)"
    assert tables.two_lines("finding: Skin ulcer") == ("", "finding: Skin ulcer")
    first, last = tables.two_lines("finding: Calcium-containing infusion, injection or paste at the lesion site")
    assert first and last and len(first) <= 44 and len(last) <= 44
    assert tables.two_lines("word " * 40)[1].endswith("…")
    levels = tables.by_level_frame(report)
    assert list(levels["panel's consensus"]) == ["Emergency", "Routine"]  # most severe first, only levels present
    costs = tables.cost_matrix_frame(mini_pack.triage_costs)
    assert costs.shape == (4, 5) and costs.iloc[3]["Routine"] > costs.iloc[0]["Emergency"]  # missing an emergency
    assert tables.summary_value("top1", 0.5) == "50.0%" and tables.summary_value("mrr", 0.5) == "0.500"
    assert tables.summary_value("ms_per_case", 1.234) == "1.23" and tables.summary_value("n", 3) == "3"

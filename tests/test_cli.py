"""The command line: output shapes and exit codes (0 ok, 2 bad input with one line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.match.methods import METHODS

from .conftest import MINI_PACK

ROOT = Path(__file__).resolve().parent.parent
DATA = ["--data", str(MINI_PACK)]
CASES = [
    {"id": "c1", "findings": [{"hpo_id": "HP:0025520", "present": True}, {"hpo_id": "HP:0001482", "present": True},
                              {"hpo_id": "HP:0001945", "present": False}],
     "expected_condition": "dystrophic_calcinosis_cutis", "expected_triage": "routine", "extra": "ignored"},
    {"id": "c2", "findings": [{"hpo_id": "HP:0001945"}, {"hpo_id": "HP:0200042"}],
     "expected_condition": "Skin infection", "expected_triage": "urgent"},
    {"id": "c3", "findings": [{"hpo_id": "HP:0200042"}],
     "expected_condition": "calciphylaxis", "acceptable_alternatives": ["skin_infection"]},
]


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(CASES))
    return path


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_score_json(capsys):
    code, out, _ = run([*DATA, "score", "--present", "HP:0025520,HP:0001482", "--absent", "HP:0001945",
                        "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["matches"][0]["condition_id"] == "dystrophic_calcinosis_cutis"
    # calcinosis and a nodule, fever absent: no red-flag rule of the mini pack (fever or CKD with an ulcer)
    assert data["triage"]["level"] == "routine"
    assert data["triage"]["reasons"] == []
    assert "not a diagnosis" in data["clinician_prompt"]
    assert data["disclaimer"]
    assert {"matched", "expected_not_reported", "unexplained", "contributions"} <= set(data["matches"][0])


def test_score_json_with_a_red_flag_gives_its_level(capsys):
    code, out, _ = run([*DATA, "score", "--present", "HP:0001945,HP:0200042", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["triage"]["level"] == "urgent"


def test_score_table_shows_disclaimer_and_prompt(capsys):
    code, out, _ = run([*DATA, "score", "--present", "HP:0001945,HP:0200042", "--method", "weighted"], capsys)
    assert code == 0
    assert "URGENT" in out and "Disclaimer:" in out and "not a diagnosis" in out
    assert out.count("Disclaimer:") == 1 and "Disclaimer: Disclaimer:" not in out
    assert "bookmark this website" not in out  # the source website's marketing is left out of results


@pytest.mark.parametrize(("args", "fragment"), [
    (["score", "--present", "HP:9999999"], "unknown HPO ID"),
    (["score", "--present", "nonsense"], "malformed finding ID"),
    (["score", "--present", "HP:0025520", "--absent", "HP:0025520"], "both present and absent"),
    (["score", "--present", "HP:0025520", "--weights", "/nonexistent/w.toml"], "cannot read weights file"),
    (["evaluate", "/nonexistent/cases.json"], "cannot read case file"),
])
def test_bad_input_exits_2_with_one_line(capsys, args, fragment):
    code, _, err = run([*DATA, *args], capsys)
    assert code == 2
    assert err.startswith("error: ") and fragment in err and err.count("\n") == 1


def test_bad_weights_file_exits_2(capsys, tmp_path):
    bad = tmp_path / "w.toml"
    bad.write_text('[finding_weights]\n"HP:0025520" = -3\n')
    code, _, err = run([*DATA, "score", "--present", "HP:0025520", "--weights", str(bad)], capsys)
    assert code == 2 and "HP:0025520" in err and "-3" in err


def test_unknown_method_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([*DATA, "score", "--present", "HP:0025520", "--method", "magic"])
    assert info.value.code == 2


def test_evaluate_json_summary(capsys, case_file):
    code, out, _ = run([*DATA, "evaluate", str(case_file), "--method", "likelihood", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    summary = data["summary"]
    assert {"top1", "top3", "mrr", "n"} <= set(summary)
    assert summary["n"] == 3
    ranks = {c["id"]: c["rank"] for c in data["cases"]}
    assert summary["top1"] == pytest.approx(sum(r == 1 for r in ranks.values()) / 3, abs=1e-4)
    assert summary["mrr"] == pytest.approx(sum(1 / r for r in ranks.values()) / 3, abs=1e-4)
    assert len(data["confusion"]["matrix"]) == 3


def test_evaluate_table(capsys, case_file):
    code, out, _ = run([*DATA, "evaluate", str(case_file), "--method", "overlap"], capsys)
    assert code == 0 and "top-1" in out and "c2" in out


@pytest.mark.parametrize(("cases", "fragment"), [
    ({"not": "a list"}, "expected a JSON list"),
    ([{"id": "x", "findings": [], "expected_condition": "calciphylaxis"}], "non-empty list"),
    ([{"id": "x", "findings": [{"hpo_id": "HP:0025520"}], "expected_condition": "gout"}], "unknown condition 'gout'"),
    ([{"id": "x", "findings": [{"hpo_id": "HP:0025520"}]}], "'expected_condition' is missing"),
    ([{"id": "x", "findings": [{"hpo_id": "HP:0025520", "present": "yes"}], "expected_condition": "calciphylaxis"}],
     "'present' must be true or false"),
    ([{"id": "x", "findings": [{"hpo_id": "HP:0025520"}], "expected_condition": "calciphylaxis",
       "expected_triage": "asap"}], "'expected_triage' must be one of"),
])
def test_bad_case_files_exit_2(capsys, tmp_path, cases, fragment):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(cases))
    code, _, err = run([*DATA, "evaluate", str(path)], capsys)
    assert code == 2 and fragment in err


def test_validate_ok(capsys):
    code, out, _ = run([*DATA, "validate"], capsys)
    assert code == 0 and "pack ok: 3 conditions, 6 findings" in out


@pytest.mark.slow
def test_module_entry_point_runs_from_any_directory(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "engine", *DATA, "findings", "--group", "history"],
                          cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "CT:past_skin_injury" in proc.stdout


# ------------------------------------------------------------------ safety through the CLI (shipped pack)

@pytest.mark.parametrize(("present", "lowest"), [
    ("HP:0200042,HP:0012531,HP:0003774", "urgent"),  # painful skin ulcer on dialysis (calciphylaxis)
    ("HP:0033260,HP:0012531,HP:0003774", "urgent"),  # net-like livedo, pain, dialysis
    ("HP:0001386,HP:0001945,HP:0002829", "urgent"),  # hot swollen painful joint with fever
    ("HP:0100658,HP:0001945,HP:0001649,HP:0002789", "emergency"),  # cellulitis with sepsis signs
])
def test_clinician_coded_danger_through_the_cli(capsys, present, lowest):
    code, out, _ = run(["score", "--present", present, "--format", "json"], capsys)
    assert code == 0
    levels = ("routine", "soon", "urgent", "emergency")
    assert levels.index(json.loads(out)["triage"]["level"]) >= levels.index(lowest)


def test_corpus_mode_shows_the_red_flag_triage_and_disclaimer(capsys):
    code, out, _ = run(["score", "--pack", "hpo-orpha", "--present", "HP:0001386,HP:0001945", "--top", "2",
                        "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["triage"]["level"] == "urgent" and data["disclaimer"]
    assert data["triage"]["reasons"][0]["rule_id"] == "hot_swollen_joint_with_fever"
    code, out, _ = run(["score", "--pack", "hpo-orpha", "--present", "HP:0001386,HP:0001945", "--top", "2"], capsys)
    assert code == 0 and "triage: URGENT" in out and "Disclaimer" in out and "not a diagnosis" in out


def test_evaluate_reports_every_method(capsys, case_file):
    code, out, _ = run([*DATA, "evaluate", str(case_file)], capsys)
    assert code == 0
    for method in METHODS:
        assert f"method {method}: n=3" in out
    assert "95% CI" in out and "under by two or more" in out and "findings dropped" in out
    assert "recall by condition" in out
    code, out, _ = run([*DATA, "evaluate", str(case_file), "--format", "json"], capsys)
    data = json.loads(out)["methods"]
    assert set(data) == set(METHODS)
    assert {"top1_ci95", "top3_ci95", "under_triage_one", "under_triage_two_plus", "over_triage",
            "dropped_share", "recall_by_condition"} <= set(data["likelihood"]["report"])

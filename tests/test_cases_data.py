"""Data checks for the teaching cases in ``data/cases/*.json``.

These tests read only JSON and CSV (pandas); they do not import the engine, so a
broken case file is reported here even when the engine itself is broken.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CASES_DIR = DATA / "cases"

TRIAGE_LEVELS = {"emergency", "urgent", "soon", "routine"}
REQUIRED_KEYS = {
    "id",
    "title",
    "summary",
    "findings",
    "expected_condition",
    "acceptable_alternatives",
    "expected_triage",
    "teaching_point",
    "source",
    "source_kind",
}
SOURCE_KINDS = {
    "case report", "case series", "cohort study", "review", "guideline", "classification criteria",
}
CALCINOSIS_TYPES = (
    "metastatic_calcinosis_cutis",
    "calciphylaxis",
    "iatrogenic_calcinosis_cutis",
    "idiopathic_calcinosis_cutis",
    "tumoral_calcinosis",
)
MIN_CASES = 30
# Development cases coded the way outside clinicians code published cases: any current HPO term the paper
# supports (checked against hp.obo in tests/test_published_cases.py), not only the pack's vocabulary.
OUTSIDE_STYLE_FILES = {"published_hpo.json"}


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.json"))


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _all_cases() -> list[tuple[str, dict]]:
    out = []
    for path in _case_files():
        for case in _load(path):
            out.append((path.name, case))
    return out


ALL_CASES = _all_cases()
TEACHING_CASES = [(fname, case) for fname, case in ALL_CASES if fname not in OUTSIDE_STYLE_FILES]
CASE_PARAMS = [
    pytest.param(case, id=f"{fname}:{case.get('id', '?')}") for fname, case in ALL_CASES
]
TEACHING_PARAMS = [
    pytest.param(case, id=f"{fname}:{case.get('id', '?')}") for fname, case in TEACHING_CASES
]


@pytest.fixture(scope="module")
def finding_ids() -> set[str]:
    df = pd.read_csv(DATA / "findings.csv", dtype=str)
    assert "finding_id" in df.columns, "findings.csv needs a finding_id column"
    return set(df["finding_id"].str.strip())


@pytest.fixture(scope="module")
def condition_ids() -> set[str]:
    df = pd.read_csv(DATA / "conditions.csv", dtype=str)
    assert "condition_id" in df.columns, "conditions.csv needs a condition_id column"
    return set(df["condition_id"].str.strip())


def test_case_files_exist_and_parse():
    files = _case_files()
    assert files, f"no case files found in {CASES_DIR}"
    for path in files:
        cases = _load(path)
        assert isinstance(cases, list), f"{path.name}: top level must be a JSON list"
        assert cases, f"{path.name}: holds no cases"
        for case in cases:
            assert isinstance(case, dict), f"{path.name}: every case must be a JSON object"


def test_case_ids_unique_across_files():
    counts = Counter(case["id"] for _, case in ALL_CASES)
    dupes = sorted(cid for cid, n in counts.items() if n > 1)
    assert not dupes, f"duplicate case ids: {dupes}"


def test_enough_cases():
    assert len(ALL_CASES) >= MIN_CASES, f"expected >= {MIN_CASES} cases, got {len(ALL_CASES)}"


def test_every_condition_covered(condition_ids):
    covered = {case["expected_condition"] for _, case in ALL_CASES}
    missing = sorted(condition_ids - covered)
    assert not missing, f"conditions without a teaching case: {missing}"


def test_calcinosis_types_well_covered():
    counts = Counter(case["expected_condition"] for _, case in ALL_CASES)
    assert counts["dystrophic_calcinosis_cutis"] >= 5, counts
    for cond in CALCINOSIS_TYPES:
        assert counts[cond] >= 2, f"{cond}: {counts[cond]} case(s), expected >= 2"


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_case_has_required_fields(case):
    missing = REQUIRED_KEYS - set(case)
    assert not missing, f"missing keys: {sorted(missing)}"
    for key in ("id", "title", "summary", "teaching_point", "source"):
        assert isinstance(case[key], str) and case[key].strip(), f"{key} must be a non-empty string"
    assert case["source_kind"] in SOURCE_KINDS, f"source_kind {case['source_kind']!r}"
    assert isinstance(case["acceptable_alternatives"], list)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_case_conditions_known(case, condition_ids):
    assert case["expected_condition"] in condition_ids, case["expected_condition"]
    for alt in case["acceptable_alternatives"]:
        assert alt in condition_ids, f"unknown alternative {alt!r}"
        assert alt != case["expected_condition"], "alternative repeats the expected condition"
    assert len(set(case["acceptable_alternatives"])) == len(case["acceptable_alternatives"])


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_case_triage_valid(case):
    assert case["expected_triage"] in TRIAGE_LEVELS, case["expected_triage"]


@pytest.mark.parametrize("case", TEACHING_PARAMS)
def test_case_findings_well_formed(case, finding_ids):
    findings = case["findings"]
    assert isinstance(findings, list) and findings
    for f in findings:
        assert set(f) >= {"hpo_id", "present", "label"}, f
        assert isinstance(f["present"], bool), f"present must be true/false: {f}"
        assert isinstance(f["label"], str) and f["label"].strip(), f
        assert f["hpo_id"] in finding_ids, f"{f['hpo_id']} ({f['label']}) not in findings.csv"
    present = [f["hpo_id"] for f in findings if f["present"]]
    absent = [f["hpo_id"] for f in findings if not f["present"]]
    assert 3 <= len(present) <= 8, f"{len(present)} present findings; expected 3-8"
    assert len(set(present)) == len(present), "a finding is listed twice as present"
    assert len(set(absent)) == len(absent), "a finding is listed twice as absent"
    both = sorted(set(present) & set(absent))
    assert not both, f"findings both present and absent: {both}"


def test_some_cases_have_pertinent_negatives():
    with_neg = [c for _, c in ALL_CASES if any(not f["present"] for f in c["findings"])]
    assert len(with_neg) >= len(ALL_CASES) // 2, "most cases should carry pertinent negatives"


def test_readme_lists_every_case():
    readme = CASES_DIR / "README.md"
    assert readme.exists(), "data/cases/README.md is missing"
    text = readme.read_text(encoding="utf-8")
    missing = sorted(case["id"] for _, case in TEACHING_CASES if f"`{case['id']}`" not in text)
    assert not missing, f"README.md does not list: {missing}"

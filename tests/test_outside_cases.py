"""The outside-style development sets (datasets/outside/*.json): written from papers and HPO only.

Coded like the blind set (HPO terms only, expected triage from each paper's clinical course) by writers
who had not seen the pack, so the engine is checked against hp.obo and the loader, never against
findings.csv.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engine.evaluation.cases import load_cases
from engine.hpo.ontology import load_ontology

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "datasets" / "outside").glob("*.json"))
CASES = [case for path in FILES for case in json.loads(path.read_text(encoding="utf-8"))]
TRIAGE = {"emergency", "urgent", "soon", "routine"}


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


def test_files_present():
    """Every file of the folder is read and holds cases; the set never shrinks below the 455 cases written."""
    assert FILES and all(json.loads(path.read_text(encoding="utf-8")) for path in FILES)
    assert len(CASES) >= 455


def test_every_term_is_current_hpo_named_as_in_hp_obo(ontology):
    bad = []
    for case in CASES:
        for f in case["findings"]:
            term = ontology.terms.get(f["hpo_id"])
            if not f["hpo_id"].startswith("HP:") or term is None or term.obsolete or term.name != f["label"]:
                bad.append((case["id"], f["hpo_id"], f["label"]))
    assert not bad, f"not a current hp.obo term with that exact name: {bad}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_shape(case):
    assert case["id"].startswith(tuple(f"o{n}{kind}-" for n in range(2, 10) for kind in ("", "m")))
    ids = [f["hpo_id"] for f in case["findings"]]
    assert ids and len(set(ids)) == len(ids), "no terms, or a term listed twice"
    assert any(f["present"] for f in case["findings"]), "needs at least one present finding"
    assert case["expected_triage"] in TRIAGE
    assert isinstance(case["red_flag"], bool)
    assert case["source"].strip() and case["source_kind"] in {"case report", "case series", "review"}


def test_unique_ids_coverage_and_red_flags(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    ids = [case["id"] for case in CASES]
    assert len(set(ids)) == len(ids)
    per_condition = Counter(case["expected_condition"] for case in CASES)
    assert all(per_condition[c.id] >= 4 for c in pack.conditions), per_condition
    assert sum(case["red_flag"] for case in CASES) >= 10


def test_loads_through_the_engine(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    cases = load_cases(pack, FILES)
    assert len(cases) == len(CASES) and all(c.expected_triage for c in cases)

"""A lesion and the disease it arises in, named together: the rule on real findings, the result, the CLI and the
evaluation's top-1 with the relation."""

from __future__ import annotations

import json

import pytest

from engine import Case, default_weights, evaluate, load_pack
from engine.cli import main
from engine.match.relations import combined_match
from engine.result import match_findings

DCC, SSC = "dystrophic_calcinosis_cutis", "systemic_sclerosis"
#: Raynaud phenomenon, sclerodactyly, calcinosis cutis, hard lumps under the skin, telangiectasia: calcinosis in a
#: person with systemic sclerosis (the disease ranks first, the calcinosis second).
CALCINOSIS_IN_SSC = ("HP:0030880", "HP:0011838", "HP:0025520", "HP:0001482", "HP:0100585")
#: Systemic sclerosis with contractures, microstomia and oesophageal trouble, and no lump: the calcinosis ranks near
#: the top on the features its profile shares with the disease, but nobody reported a lump.
SSC_WITHOUT_LUMPS = ("HP:0001387", "HP:0000160", "HP:0000347", "HP:0001072", "HP:0007402", "HP:0001376")
LINE = ("Calcium lumps in damaged or inflamed skin (dystrophic calcinosis cutis), here most likely with scleroderma "
        "(systemic sclerosis)")


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def test_calcinosis_in_systemic_sclerosis_is_named_in_one_line(pack):
    result = match_findings(pack, CALCINOSIS_IN_SSC)
    top3 = [m.condition_id for m in result.ranking.matches[:3]]
    assert top3[:2] == [SSC, DCC]
    assert result.combined is not None
    assert (result.combined.lesion_id, result.combined.underlying_id) == (DCC, SSC)
    assert result.combined.line == LINE
    assert {"seed", "balin2012"} <= set(result.combined.sources)
    assert result.to_dict()["combined"] == {"lesion": DCC, "underlying": SSC, "relation": "occurs_in",
                                            "sources": list(result.combined.sources), "line": LINE}


def test_no_lump_reported_no_pair(pack):
    result = match_findings(pack, SSC_WITHOUT_LUMPS)
    assert result.ranking.top.condition_id == SSC
    assert result.ranking.match(DCC).rank <= 3  # near the top on shared features alone
    assert result.combined is None
    assert result.to_dict()["combined"] is None


def test_thin_evidence_or_an_unrelated_pair_names_nothing(pack):
    assert match_findings(pack, ["HP:0025520"]).combined is None  # one finding: thin evidence
    gout = match_findings(pack, ["HP:0001482", "HP:0002149", "HP:0001369"])  # lumps, high uric acid, arthritis
    assert gout.combined is None


def test_a_pack_without_relations_names_no_pair(mini_pack, mini_weights):
    from engine.match.explain import explain
    from engine.match.mapping import encode_case
    from engine.match.scoring import prepare

    ranking = explain(prepare(mini_pack, mini_weights, "tfidf"), encode_case(mini_pack, ["HP:0025520", "HP:0001482"]))
    assert combined_match(mini_pack, ranking) is None


def test_evaluation_counts_the_related_partner_only_with_the_relation(pack):
    cases = [Case("dcc-in-ssc", CALCINOSIS_IN_SSC, (), DCC),  # top-1 SSc, pair named: a relation hit
             Case("ssc", CALCINOSIS_IN_SSC, (), SSC),  # right strictly
             Case("dcc-no-lumps", SSC_WITHOUT_LUMPS, (), DCC)]  # top-1 SSc but no pair named: no hit
    ev = evaluate(pack, cases, "tfidf", default_weights(pack))
    hits = {c.case_id: (c.rank, c.relation_hit) for c in ev.cases}
    assert hits == {"dcc-in-ssc": (2, True), "ssc": (1, True), "dcc-no-lumps": (hits["dcc-no-lumps"][0], False)}
    assert ev.top1 == pytest.approx(1 / 3) and ev.top1_with_relation == pytest.approx(2 / 3)
    report = ev.report()["top1_with_relation"]
    assert report == {"top1": 0.3333, "top1_with_relation": 0.6667,
                      "added": [{"case": "dcc-in-ssc", "expected": DCC, "predicted": SSC}]}
    assert set(ev.summary()) == {"method", "n", "top1", "top3", "mrr", "triage_agreement"}  # unchanged


def test_cli_score_prints_the_line_and_carries_it_in_json(capsys):
    present = ",".join(CALCINOSIS_IN_SSC)
    assert main(["score", "--present", present]) == 0
    assert f"together: {LINE}" in capsys.readouterr().out
    assert main(["score", "--present", present, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["combined"]["line"] == LINE


def test_cli_evaluate_reports_top1_with_the_relation(capsys, tmp_path):
    path = tmp_path / "cases.json"
    findings = [{"hpo_id": h, "present": True} for h in CALCINOSIS_IN_SSC]
    path.write_text(json.dumps([{"id": "dcc-in-ssc", "findings": findings, "expected_condition": DCC}]))
    assert main(["evaluate", str(path), "--method", "tfidf", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    assert (report["top1"], report["top1_with_relation"]["top1_with_relation"]) == (0.0, 1.0)
    assert main(["evaluate", str(path), "--method", "tfidf"]) == 0
    assert "top-1 strict 0.0%, with the relation 100.0% (+1" in capsys.readouterr().out

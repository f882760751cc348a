"""Match strength people read correctly: absolute fit, evidence level and the shown share."""

from __future__ import annotations

import json

import pytest

from engine import InputError, match_findings
from engine.cli import main
from engine.match.fit import FULL_SHARE_FINDINGS, STRONG_EVIDENCE, THIN_EVIDENCE, evidence_level, evidence_weights
from engine.match.methods import METHODS

from .conftest import shipped_finding_ids


@pytest.mark.parametrize("finding_id", [*shipped_finding_ids(), "HP:0000951"])
@pytest.mark.parametrize("method", METHODS)
def test_a_single_finding_never_headlines_half_of_the_match(finding_id, method, real_pack):
    try:
        result = match_findings(real_pack, [finding_id], method=method)
    except InputError:  # a very general term may be refused outright, which is fine too
        assert finding_id not in real_pack.finding_index
        return
    assert result.ranking.top.shown_share < 0.5
    assert result.evidence_level == "thin" and result.evidence_note
    # the note names how many conditions the tool compares with: all of the pack's
    assert "eczema" in result.evidence_note and f"{len(real_pack.condition_ids)} conditions" in result.evidence_note


def test_the_parametrized_findings_are_the_packs(real_pack):
    assert shipped_finding_ids() == list(real_pack.finding_ids)


def test_itchy_skin_alone_is_thin_and_says_so_first(capsys):
    assert main(["score", "--present", "HP:0000989"]) == 0
    out = capsys.readouterr().out
    assert out.index("EVIDENCE THIN") < out.index("rank")
    assert "%" not in out.split("triage:")[0].split("EVIDENCE THIN")[1].split("\n\n", 1)[1]  # no percentage
    assert "fits 1 of" in out and "explains 1 of your 1 finding" in out


def test_absolute_fit_counts_by_hand(real_pack):
    result = match_findings(real_pack, ["HP:0000989"])
    dcc = result.ranking.match("dystrophic_calcinosis_cutis")
    pack = real_pack
    usual = {f for f, p in pack.profile(dcc.condition_id).items()
             if p >= 0.5 or pack.hallmark[pack.condition_index[dcc.condition_id], pack.finding_index[f]]}
    assert (dcc.fit.usual_matched, dcc.fit.usual_total) == (int("HP:0000989" in usual), len(usual))
    assert (dcc.fit.explained, dcc.fit.yours) == (1, 1)
    assert dcc.fit.evidence == pytest.approx(evidence_weights(real_pack)[real_pack.finding_index["HP:0000989"]])
    assert dcc.fit.describe().startswith(f"fits {dcc.fit.usual_matched} of {len(usual)} usual features")


def test_evidence_weights_and_levels(real_pack):
    w = evidence_weights(real_pack)
    in_profiles = (real_pack.frequency > 0).sum(axis=0)
    assert w.min() >= 0 and w.max() <= 1
    assert w[list(in_profiles).index(1)] == pytest.approx(1.0)  # a finding of one profile only
    assert evidence_level(THIN_EVIDENCE - 0.01) == "thin" and evidence_level(THIN_EVIDENCE) == "moderate"
    assert evidence_level(STRONG_EVIDENCE) == "strong" and evidence_level(10.0, n_reported=1) == "thin"


def test_a_typical_case_is_strong_and_keeps_its_share(real_pack):
    present = ["HP:0100324", "HP:0011838", "HP:0030880", "HP:0031917", "HP:0030859", "HP:0002020"]
    result = match_findings(real_pack, present)
    top = result.ranking.top
    assert top.condition_id == "systemic_sclerosis" and top.fit.level == "strong"
    assert result.evidence_note is None and top.shown_share == pytest.approx(top.share)
    assert len(present) >= FULL_SHARE_FINDINGS


def test_json_carries_fit_evidence_and_shown_share(capsys):
    assert main(["score", "--present", "HP:0000989", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["evidence_level"] == "thin" and data["evidence_note"]
    top = data["matches"][0]
    assert top["shown_share"] < 0.5 and {"usual_matched", "usual_total", "evidence", "level"} <= set(top["fit"])
    assert top["fit_summary"].startswith("fits ")

"""Red flags from data decide the level; the clinician prompt is always there."""

from __future__ import annotations

from engine import CLINICIAN_PROMPT, match_findings

ULCER, FEVER, CKD, CALCINOSIS = "HP:0200042", "HP:0001945", "HP:0012622", "HP:0025520"


def test_no_red_flag_is_routine_with_prompt(mini_pack, mini_weights):
    result = match_findings(mini_pack, ["CT:past_skin_injury", "HP:0001482"], weights=mini_weights)
    assert result.triage.level == "routine"
    assert result.clinician_prompt == CLINICIAN_PROMPT
    assert "not a diagnosis" in result.clinician_prompt
    assert result.disclaimer


def test_all_findings_of_a_rule_must_be_present(mini_pack, mini_weights):
    assert match_findings(mini_pack, [FEVER], weights=mini_weights).triage.level != "urgent"
    result = match_findings(mini_pack, [FEVER, ULCER], weights=mini_weights)
    assert result.triage.level == "urgent"
    assert result.triage.reasons[0].rule_id == "fever_ulcer"
    assert result.triage.is_red_flag


def test_worst_level_wins_and_every_reason_is_listed(mini_pack, mini_weights):
    result = match_findings(mini_pack, [FEVER, ULCER, CKD], weights=mini_weights)
    assert result.triage.level == "emergency"
    rules = [r.rule_id for r in result.triage.reasons]
    assert rules[:2] == ["ckd_ulcer", "fever_ulcer"]
    assert "emergency" in result.triage.advice.lower()


def test_partial_credit_does_not_fire_a_rule(mini_pack, mini_weights):
    # "Skin nodule" is more general than the pack's subcutaneous nodule: 50% credit, no rule uses it,
    # but a more specific fever (full credit) with an ulcer does fire.
    result = match_findings(mini_pack, ["HP:0011134", ULCER], weights=mini_weights)
    assert result.triage.level == "urgent"


def test_must_not_miss_condition_near_the_top_asks_for_a_prompt_visit(mini_pack, mini_weights):
    result = match_findings(mini_pack, [FEVER], weights=mini_weights)
    assert result.ranking.top.condition_id == "skin_infection"
    assert result.triage.level == "soon"
    assert result.triage.reasons[0].rule_id == "must_not_miss:skin_infection"

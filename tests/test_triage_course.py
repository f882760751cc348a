"""Urgency that is safe by mechanism: course and context, danger signs, vital signs, the cost-weighted decision
and one voice. Each test states a rule of the triage, not a case."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engine import load_pack, match_findings
from engine.errors import InputError
from engine.io.presentation import Presentation, Vitals, parse_presentation, with_answers, with_course_terms
from engine.match.mapping import NOT_FINDINGS, encode_case
from engine.triage.assess import independent, triage_terms
from engine.triage.decision import decide, level_probabilities
from engine.triage.emergency import load_emergency_questions, step_findings, step_triage
from engine.triage.levels import LEVEL_ADVICE, TRIAGE_LEVELS, severity
from engine.triage.rules import NAMED_ONLY, TriageReason, rule_certainties

FEVER, LUMP, CELLULITIS = "HP:0001945", "HP:0001482", "HP:0100658"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def level(pack, present, presentation=None, absent=()):
    return match_findings(pack, present, list(absent), presentation=presentation).triage.level


# --- the single danger signs (NHS 999 list, NEWS2) ----------------------------------------------------------

DANGER_SIGNS = [
    ("a rash that does not fade under a glass, with fever", ["HP:0000967", FEVER], None),
    ("mottled, blue or grey skin", ["CT:mottled_skin"], None),
    ("blue lips or tongue", ["HP:0034032"], None),
    ("reduced consciousness", ["HP:0004372"], None),
    ("coma, below reduced consciousness", ["HP:0001259"], None),
    ("fever under 3 months", [FEVER], Presentation(age_band="under_3_months")),
    ("a measured 38.2 °C under 3 months", [LUMP], Presentation(age_band="under_3_months",
                                                                 vitals=Vitals(temperature_c=38.2))),
    ("anaphylaxis", ["HP:0100845"], None),
    ("stridor", ["HP:0010307"], None),
    ("swelling of the lips or throat", ["HP:0100665"], None),
    ("neck stiffness with fever", ["HP:0031179", FEVER], None),
    ("thunderclap headache", ["HP:0030907"], None),
    ("chest pain that started within hours", ["HP:0100749"], Presentation(onset="hours")),
    ("no urine for a day, reported as a finding", ["HP:0100519"], None),
    ("no urine for a day, as an answer", [LUMP], Presentation(urine="none_for_a_day")),
    ("one vital sign in the NEWS2 red band", [LUMP], Presentation(vitals=Vitals(respiratory_rate=26))),
    ("NEWS2 aggregate of 7", [LUMP], Presentation(vitals=Vitals(respiratory_rate=22, heart_rate=115,
                                                                 temperature_c=39.5, spo2=95))),
    ("fever during chemotherapy", [FEVER], Presentation(immunosuppression="chemotherapy")),
]


@pytest.mark.parametrize(("present", "presentation"), [d[1:] for d in DANGER_SIGNS],
                         ids=[d[0] for d in DANGER_SIGNS])
def test_single_danger_signs_are_emergencies(pack, present, presentation):
    assert level(pack, present, presentation) == "emergency"


@pytest.mark.parametrize(("present", "presentation", "expected"), [
    ([FEVER], Presentation(age_band="16_to_64_years"), "routine"),  # fever alone in an adult is not an emergency
    ([FEVER], Presentation(immunosuppression="steroids"), "urgent"),
    ([FEVER], Presentation(pregnant=True, sex="female"), "urgent"),
    ([LUMP], Presentation(activities="unable", onset="days"), "urgent"),
    ([LUMP], Presentation(activities="unable", onset="months_or_more"), "routine"),  # long-standing disability
    ([LUMP], Presentation(eating_drinking="not_drinking"), "urgent"),
    ([LUMP], Presentation(urine="reduced"), "urgent"),
    (["HP:0100749"], Presentation(onset="months_or_more"), "urgent"),  # long-standing chest pain: same day
    ([LUMP], Presentation(vitals=Vitals(respiratory_rate=22, heart_rate=112, temperature_c=38.5)), "urgent"),  # 5
    ([LUMP], Presentation(age_band="5_to_15_years", vitals=Vitals(heart_rate=125)), "emergency"),
    ([LUMP], Presentation(age_band="16_to_64_years", vitals=Vitals(heart_rate=125)), "soon"),  # NEWS2 2: no floor
])
def test_context_and_vital_signs_reach_the_rules(pack, present, presentation, expected):
    got = level(pack, present, presentation)
    assert got == expected or (expected == "soon" and got in ("routine", "soon")), got


def test_age_changes_the_level_of_the_same_findings(pack):
    adult = level(pack, [FEVER, LUMP], Presentation(age_band="16_to_64_years"))
    baby = level(pack, [FEVER, LUMP], Presentation(age_band="under_3_months"))
    assert severity(baby) > severity(adult) and baby == "emergency"


def test_a_measured_value_counts_as_the_finding_it_amounts_to(pack):
    result = match_findings(pack, [LUMP, "HP:0200042"], presentation=Presentation(vitals=Vitals(temperature_c=38.6)))
    assert any(m.relation == "measured" and m.finding_id == FEVER for m in result.ranking.mappings)
    assert "fever_with_ulcer" in [r.rule_id for r in result.triage.reasons]


def test_a_measured_fever_contradicting_a_reported_absent_fever_is_refused(pack):
    with pytest.raises(InputError, match="contradict"):
        match_findings(pack, [LUMP], [FEVER], presentation=Presentation(vitals=Vitals(temperature_c=39.0)))


# --- clinical modifiers are never finding credit ------------------------------------------------------------

def test_no_clinical_modifier_term_is_ever_finding_credit(pack):
    onto = pack.ontology
    modifiers = [t for t in onto.terms if not onto.terms[t].obsolete and t not in pack.finding_index
                 and not onto.ancestors(t).isdisjoint(NOT_FINDINGS)]
    assert len(modifiers) > 300
    for term in modifiers:
        case = encode_case(pack, [term])
        assert not case.present.any(), term
        assert all(m.relation == "modifier" for m in case.mappings), term


def test_acute_alone_is_read_as_the_course_and_gives_no_credit(pack):
    result = match_findings(pack, ["HP:0011009"])
    assert not result.ranking.matches[0].score
    assert result.triage.presentation.onset == "days"


def test_course_terms_fill_the_course_and_given_answers_win():
    filled = with_course_terms(Presentation(), ["HP:0003678", "HP:0011010"])
    assert (filled.trajectory, filled.onset) == ("worsening_fast", "months_or_more")
    assert with_course_terms(Presentation(onset="hours"), ["HP:0011010"]).onset == "hours"


# --- organ failure fires on named terms or measured values only -------------------------------------------

@pytest.mark.parametrize("finding", ["HP:0001919", "HP:0002878", "HP:0031273", "HP:0100520", "HP:0100519",
                                     "HP:0002615", "HP:0004372"])
def test_organ_failure_is_never_reached_by_a_more_general_or_similar_report(pack, finding):
    assert finding in NAMED_ONLY
    onto = pack.ontology
    for parent in onto.terms[finding].parents:
        if parent in pack.finding_index or not onto.ancestors(parent).isdisjoint(NOT_FINDINGS):
            continue
        try:
            case = encode_case(pack, [parent])
        except InputError:
            continue
        assert finding not in rule_certainties(pack, case), (finding, parent)


def test_polyuria_alone_is_not_urgent(pack):
    assert severity(level(pack, ["HP:0000103"])) < severity("urgent")


# --- never a silent routine --------------------------------------------------------------------------------

def test_a_term_the_rules_cannot_assess_is_named(pack):
    result = match_findings(pack, ["HP:0000002"])  # Abnormality of body height: nothing in the pack is close
    assert result.triage.unassessable and "cannot be assessed here" in result.triage.unassessable[0]
    assert "Abnormality of body height" in result.triage.unassessable[0]


def test_every_result_carries_the_emergency_line_the_safety_net_and_the_scope(pack):
    for present in ([LUMP], [CELLULITIS, FEVER], ["HP:0004372"]):
        t = match_findings(pack, present).triage
        assert t.emergency_first.startswith("If you think this is an emergency")
        assert t.watch_for and "17" in t.scope and "does not rule out" in t.scope


# --- course ------------------------------------------------------------------------------------------------

def test_worsening_fast_raises_an_infection_sign_to_same_day_but_not_to_an_emergency(pack):
    abscess = ["HP:0031292"]
    assert level(pack, ["HP:0010783", "HP:0000969"]) == "soon"  # red, swollen skin
    assert level(pack, ["HP:0010783", "HP:0000969"], Presentation(trajectory="worsening_fast")) == "urgent"
    assert level(pack, abscess, Presentation(trajectory="worsening_fast")) == "urgent"


def test_a_known_treated_stable_disease_needs_no_new_specialist_referral(pack):
    ssc = ["HP:0030851", "HP:0001025", "HP:0200039"]  # scleroderma-like skin, Raynaud, digital pitting
    new = level(pack, ssc, Presentation(known_condition="none"))
    known = level(pack, ssc, Presentation(known_condition="known_treated", trajectory="stable"))
    assert severity(known) <= severity(new)


# --- the decision: the cost matrix and several independent reasons ---------------------------------------

def test_the_decision_escalates_once_the_chance_of_a_higher_level_passes_the_cost_ratio(pack):
    costs = pack.triage_costs
    threshold = costs[1, 2] / (costs[1, 2] + costs[2, 1])  # over by one against under by one, from the data
    assert decide([("soon", 1.0), ("urgent", threshold * 1.2)], costs) == "urgent"
    assert decide([("soon", 1.0), ("urgent", threshold * 0.8)], costs) == "soon"


def test_level_probabilities_are_a_distribution():
    p = level_probabilities([("urgent", 0.3), ("soon", 0.9), ("emergency", 0.05)])
    assert np.isclose(p.sum(), 1.0) and (p >= 0).all()


def test_independent_reasons_share_no_finding():
    r = [TriageReason("a", "urgent", "", ("x", "y")), TriageReason("b", "urgent", "", ("y",)),
         TriageReason("c", "urgent", "", ("z",)), TriageReason("d", "urgent", "", ())]
    assert independent(r) == 3  # {a or b}, c, d


def test_several_independent_urgent_signs_of_illness_make_an_emergency(pack):
    one = level(pack, ["HP:0100749"])  # chest pain, onset not given
    many = level(pack, ["HP:0100749", "HP:0002789", "HP:0031864", "HP:0001919"])  # + fast breathing, AKI...
    assert one == "urgent" and many == "emergency"


# --- one voice ---------------------------------------------------------------------------------------------

IMPERATIVE = re.compile(r"(^|[.!?]\s+)(Get|See|Call|Go|Contact|Book|Seek|Make|Tell|Phone)\b")


def test_rule_messages_say_why_and_never_what_to_do(pack):
    for rule in pack.red_flags:
        assert not IMPERATIVE.search(rule.message), rule.rule_id


def test_a_result_shows_only_the_action_of_its_final_level(pack):
    for present in ([CELLULITIS, FEVER], ["HP:0004372", LUMP], [LUMP], ["HP:0200042", "HP:0003774"]):
        t = match_findings(pack, present).triage
        assert t.advice == LEVEL_ADVICE[t.level]
        others = [a for lv, a in LEVEL_ADVICE.items() if lv != t.level]
        shown = " ".join([t.advice, *(r.message for r in t.reasons if r.level == t.level)])
        assert not any(a in shown for a in others)
        if t.level == "emergency":
            assert t.clinician_prompt.startswith("Get emergency help first")


def test_the_emergency_step_and_the_rules_give_the_same_level(pack):
    questions = load_emergency_questions(pack)
    assert len(questions) >= 10
    for q in questions:
        step = step_triage(pack, questions, [q.question_id])
        presentation = with_answers(Presentation(), {c.key: c.values[0] for c in q.context})
        rules = triage_terms(pack, list(q.findings), presentation=presentation)
        assert step is not None and step.level == rules.level, q.question_id


def test_spreading_redness_with_fever_is_urgent_in_the_step_and_the_rules(pack):
    questions = load_emergency_questions(pack)
    step = step_triage(pack, questions, ["fever_spreading_red"])
    assert step is not None and step.level == "urgent" == level(pack, [CELLULITIS, FEVER])


def test_an_emergency_answer_raises_the_full_result(pack):
    questions = load_emergency_questions(pack)
    before = match_findings(pack, [LUMP])
    after = match_findings(pack, [LUMP, *step_findings(questions, ["unconscious"])])
    assert before.triage.level == "routine" and after.triage.level == "emergency"


# --- the presentation model --------------------------------------------------------------------------------

@pytest.mark.parametrize(("item", "fragment"), [
    ({"course": {"onset": "yesterday"}}, "course.onset must be one of"),
    ({"course": {"speed": "fast"}}, "unknown key course.speed"),
    ({"context": {"sex": "male", "pregnant": True}}, "pregnant is true for a male"),
    ({"vitals": {"heart_rate": float("nan")}}, "must be a number"),
    ({"vitals": {"spo2": 140}}, "outside the plausible range"),
    ({"vitals": {"weight": 70}}, "unknown vital sign"),
    ({"context": "adult"}, "must be an object"),
])
def test_bad_course_and_context_is_a_one_line_error(item, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_presentation(item, "case x")


def test_the_presentation_round_trips_through_the_case_format():
    p = Presentation(onset="days", trajectory="worsening_fast", known_condition="none", activities="reduced",
                     age_band="65_or_older", sex="female", pregnant=False, immunosuppression="steroids",
                     vitals=Vitals(temperature_c=38.4, spo2=94))
    assert parse_presentation(p.to_json(), "x") == p
    assert len(p.describe()) == 10


def test_every_level_has_its_words():
    for lv in TRIAGE_LEVELS:
        assert LEVEL_ADVICE[lv]


# --- general danger signs beyond the pack's findings ------------------------------------------------------

def _status_asthmaticus(pack):
    return next(t for t, term in pack.ontology.terms.items() if term.name == "Status asthmaticus")


def test_danger_signs_outside_the_pack_are_read_too(pack):
    assert triage_terms(pack, [_status_asthmaticus(pack)]).level == "emergency"
    assert triage_terms(pack, ["HP:0002140"]).level != "emergency"  # below the pack's Stroke: often a past event


@pytest.mark.parametrize("term", ["HP:0002140", "HP:0001658"])  # Ischemic stroke, Myocardial infarction
def test_a_recent_onset_makes_a_past_event_finding_a_present_danger(pack, term):
    now = triage_terms(pack, [term], presentation=Presentation(onset="hours"))
    assert now.level == "emergency"


def test_a_cancer_already_known_and_treated_is_no_fast_track_sign(pack):
    term = "HP:0100013"  # Neoplasm of the breast (below the pack's cancer history finding)
    new = triage_terms(pack, [term], presentation=Presentation(known_condition="none", onset="days"))
    known = triage_terms(pack, [term], presentation=Presentation(known_condition="known_treated", onset="days"))
    assert severity(new.level) >= severity("soon") and known.level == "routine"

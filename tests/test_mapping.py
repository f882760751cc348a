"""Any valid HPO ID is accepted and mapped onto the pack; bad IDs are clear errors."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

from engine import InputError, PackError, encode_case, load_pack, match_findings
from engine.cli import main
from engine.corpus.pack import load_corpus
from engine.hpo.ontology import PHENOTYPIC_ABNORMALITY, ROOT, load_ontology
from engine.hpo.similarity import (
    DEFAULT_SIMILARITY_FLOOR,
    MIN_IC,
    UNANNOTATED_AS_ONE,
    UNANNOTATED_ZERO,
    compute_information_content,
    ic_from_counts,
    information_content,
)
from engine.knowledge.weights import PARAM_SPECS, default_weights, parse_weights
from engine.match.mapping import direction

NODULE, SKIN_NODULE, RHEUMATOID_NODULE = "HP:0001482", "HP:0200036", "HP:6000418"
FEVER, LOW_GRADE_FEVER, CKD, CKD_STAGE5 = "HP:0001945", "HP:0011134", "HP:0012622", "HP:0003774"
ULCER_ID = "HP:0200042"
CALCINOSIS_CUTIS, SUBCUTANEOUS_CALCIFICATION, ECTOPIC_CALCIFICATION = "HP:0025520", "HP:0007618", "HP:0010766"
ACUTE_KIDNEY_INJURY, RENAL_INSUFFICIENCY = "HP:0001919", "HP:0000083"
SKIN, INTEGUMENT, SKIN_RASH = "HP:0000951", "HP:0001574", "HP:0000988"


def credit(pack, case, finding_id):
    j = pack.finding_index[finding_id]
    return case.present[j], case.absent[j]


def test_exact_ids_count_fully(mini_pack):
    case = encode_case(mini_pack, [NODULE], [FEVER])
    assert credit(mini_pack, case, NODULE) == (1.0, 0.0)
    assert credit(mini_pack, case, FEVER) == (0.0, 1.0)
    assert [m.relation for m in case.mappings] == ["exact", "exact"]


def test_more_specific_term_counts_fully_for_its_pack_ancestor(mini_pack):
    case = encode_case(mini_pack, [RHEUMATOID_NODULE, CKD_STAGE5])
    assert credit(mini_pack, case, NODULE) == (1.0, 0.0)
    assert credit(mini_pack, case, CKD) == (1.0, 0.0)
    m = case.mappings[0]
    assert m.relation == "more_specific" and m.finding_id == NODULE
    assert "Rheumatoid nodule" in m.note and "counts fully" in m.note


def test_more_general_term_counts_by_similarity(mini_pack):
    case = encode_case(mini_pack, [SKIN_NODULE])
    m = case.mappings[0]
    assert m.relation == "more_general" and m.finding_id == NODULE and m.shared == SKIN_NODULE
    ic = information_content(mini_pack.ontology)
    lin = 2 * ic[SKIN_NODULE] / (ic[SKIN_NODULE] + ic[NODULE])
    assert credit(mini_pack, case, NODULE) == (pytest.approx(lin), 0.0)
    assert 0.5 < lin < 1.0
    assert f"counts {lin:.0%}" in m.note


def test_sibling_counts_by_similarity_and_names_the_shared_ancestor(mini_pack):
    case = encode_case(mini_pack, [SUBCUTANEOUS_CALCIFICATION])
    (m,) = case.mappings
    ic = information_content(mini_pack.ontology)
    lin = 2 * ic[ECTOPIC_CALCIFICATION] / (ic[SUBCUTANEOUS_CALCIFICATION] + ic[CALCINOSIS_CUTIS])
    assert (m.relation, m.finding_id, m.shared) == ("similar", CALCINOSIS_CUTIS, ECTOPIC_CALCIFICATION)
    assert m.credit == pytest.approx(lin) and DEFAULT_SIMILARITY_FLOOR <= lin < 1.0
    assert m.note == (f"'Subcutaneous calcification' is close to 'Calcinosis cutis' through "
                      f"'Ectopic calcification': counts {lin:.0%}")


def test_cousin_counts_through_its_shared_ancestor(mini_pack):
    case = encode_case(mini_pack, [ACUTE_KIDNEY_INJURY])  # CKD's sibling under Renal insufficiency
    (m,) = case.mappings
    assert (m.relation, m.finding_id, m.shared) == ("similar", CKD, RENAL_INSUFFICIENCY)
    assert "through 'Renal insufficiency'" in m.note


def test_similarity_floor_is_respected(mini_pack):
    lin = encode_case(mini_pack, [SUBCUTANEOUS_CALCIFICATION]).mappings[0].credit
    above = encode_case(mini_pack, [SUBCUTANEOUS_CALCIFICATION], similarity_floor=lin)
    below = encode_case(mini_pack, [SUBCUTANEOUS_CALCIFICATION], similarity_floor=lin + 0.01)
    assert credit(mini_pack, above, CALCINOSIS_CUTIS)[0] == pytest.approx(lin)
    assert credit(mini_pack, below, CALCINOSIS_CUTIS) == (0.0, 0.0)
    assert below.unmapped[0].reported_id == SUBCUTANEOUS_CALCIFICATION


def test_the_floor_comes_from_the_weights(mini_pack, mini_weights):
    strict = mini_weights.replace(params={"similarity_floor": 0.99})
    assert match_findings(mini_pack, [SUBCUTANEOUS_CALCIFICATION], weights=strict).ranking.nothing_matched
    assert not match_findings(mini_pack, [SUBCUTANEOUS_CALCIFICATION], weights=mini_weights).ranking.nothing_matched


def test_nothing_is_credited_through_the_roots(mini_pack):
    onto = mini_pack.ontology
    ic = information_content(onto)
    shared = onto.ancestors(SKIN_RASH) & onto.ancestors(ULCER_ID)
    assert {ROOT, PHENOTYPIC_ABNORMALITY, INTEGUMENT, SKIN} <= shared  # related only through vague terms
    assert ic.mica(onto, SKIN_RASH, ULCER_ID) is None
    assert {ROOT, PHENOTYPIC_ABNORMALITY, INTEGUMENT} <= ic.uninformative and ic[SKIN] < MIN_IC
    case = encode_case(mini_pack, [SKIN_RASH])
    assert not case.present.any() and case.mappings[0].relation == "unmapped"


@pytest.mark.parametrize("term", [ROOT, PHENOTYPIC_ABNORMALITY, INTEGUMENT, SKIN])
def test_a_very_general_term_is_refused_not_spread(mini_pack, term):
    for present, absent in (([term], []), ([], [term])):
        case = encode_case(mini_pack, present, absent)
        (m,) = case.mappings
        assert m.relation == "too_general" and m.credit == 0.0 and case.too_general == (m,)
        assert "too general" in m.note and "more specific" in m.note
        assert not case.present.any() and not case.absent.any()


def test_a_common_but_precise_term_is_unrelated_not_too_general(mini_pack):
    (m,) = encode_case(mini_pack, ["HP:0001250"]).mappings  # Seizure: IC below MIN_IC, nothing of the pack below
    assert m.relation == "unmapped" and "no finding of the pack is close" in m.note


def test_abnormality_of_the_skin_gives_no_confident_match(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    result = match_findings(pack, [SKIN])
    assert result.ranking.nothing_matched
    assert all(m.share < 0.5 for m in result.ranking.matches)
    assert result.to_dict()["mappings"][0]["relation"] == "too_general"


def test_cli_warns_about_a_too_general_term(capsys):
    assert main(["score", "--present", SKIN]) == 0
    out = capsys.readouterr().out
    assert "'Abnormality of the skin' (HP:0000951) is too general" in out


def test_subcutaneous_calcification_reaches_the_calcinosis_finding_of_the_real_pack(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    case = encode_case(pack, [SUBCUTANEOUS_CALCIFICATION])
    reached = {m.finding_id: m for m in case.mappings}
    # a finding of the pack now, which implies calcium in the skin
    assert reached[SUBCUTANEOUS_CALCIFICATION].relation == "exact"
    assert reached[CALCINOSIS_CUTIS].relation == "implied" and reached[CALCINOSIS_CUTIS].credit == 1.0


def test_a_calcification_outside_the_pack_reaches_calcinosis_by_similarity(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    case = encode_case(pack, ["HP:0005103"])  # Calcification of the auricular cartilage
    similar = [m for m in case.mappings if m.relation == "similar"]
    assert CALCINOSIS_CUTIS in {m.finding_id for m in similar}
    assert all(0.0 < m.credit < 1.0 and m.shared == ECTOPIC_CALCIFICATION for m in similar)
    assert all("through 'Ectopic calcification'" in m.note for m in similar)
    assert ((case.present >= 0) & (case.present <= 1)).all()


def test_a_term_credits_several_findings_but_not_one_below_another(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    case = encode_case(pack, [RENAL_INSUFFICIENCY])
    reached = [m.finding_id for m in case.mappings]
    assert CKD in reached
    assert "HP:0003774" not in reached  # not also Stage 5 CKD, which lies below CKD
    tracheal_calcification = "HP:0002787"
    several = [m for m in encode_case(pack, [tracheal_calcification]).mappings if m.relation == "similar"]
    assert len(several) >= 2 and len({m.finding_id for m in several}) == len(several)


def test_opposite_directions_never_count_for_each_other(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    hyperphosphatemia, hypophosphatemia = "HP:0002905", "HP:0002148"
    assert hyperphosphatemia in pack.finding_index
    case = encode_case(pack, [hypophosphatemia])
    assert hyperphosphatemia not in {m.finding_id for m in case.mappings}
    (m,) = encode_case(pack, ["HP:0004363"]).mappings  # Abnormal circulating calcium concentration
    assert m.relation == "unmapped" and "could mean 'Hypocalcemia' or 'Hypercalcemia'" in m.note
    assert (direction("Hypocalcemia"), direction("Elevated circulating creatinine concentration"),
            direction("Fever"), direction("Reduced bone mineral density")) == (-1, 1, 0, -1)


def test_hypothermia_never_counts_as_fever(mini_pack):
    # They share "Abnormality of temperature regulation"; Fever is "Hyperthermia" among its synonyms.
    (m,) = encode_case(mini_pack, ["HP:0002045"]).mappings
    assert m.relation == "unmapped" and not encode_case(mini_pack, ["HP:0002045"]).present.any()


def test_a_laboratory_value_counts_only_for_the_same_measurement(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    hypernatremia, bilirubin, uric_acid, crp = "HP:0003228", "HP:0003573", "HP:0002149", "HP:0011227"
    assert {uric_acid, crp} <= set(pack.finding_index)
    for lab in (hypernatremia, bilirubin):  # share an informative ancestor with pack measurements, but not the analyte
        (m,) = encode_case(pack, [lab]).mappings
        assert m.relation == "unmapped" and "no finding for this measurement" in m.note
    (m,) = encode_case(pack, ["HP:0032436"]).mappings  # Abnormal circulating CRP concentration: same analyte
    assert (m.relation, m.finding_id) == ("more_general", crp)


def test_absent_term_never_partly_rules_out_a_sibling(mini_pack):
    case = encode_case(mini_pack, [], [SUBCUTANEOUS_CALCIFICATION])
    assert not case.absent.any()
    assert "rules out nothing" in case.unmapped[0].note


def test_red_flag_fires_for_a_close_match_above_the_rule_threshold(mini_pack, mini_weights):
    # ckd_ulcer (emergency) needs CKD and a skin ulcer; acute kidney injury is close to CKD (credit >= 0.5).
    result = match_findings(mini_pack, [ACUTE_KIDNEY_INJURY, ULCER_ID], weights=mini_weights)
    assert encode_case(mini_pack, [ACUTE_KIDNEY_INJURY]).mappings[0].credit >= 0.5
    assert result.triage.level == "emergency"
    assert "ckd_ulcer" in {r.rule_id for r in result.triage.reasons}


def test_information_content_matches_corpus_mode(tmp_path: Path):
    fixtures = Path(__file__).parent / "fixtures" / "corpus"
    onto = load_ontology(fixtures / "hp.obo")
    mine = compute_information_content(onto, fixtures / "phenotype.hpoa")
    load_corpus.cache_clear()
    corpus = load_corpus("hpo-all", fixtures / "hp.obo", fixtures / "phenotype.hpoa", tmp_path)
    assert mine.n_diseases == corpus.n_diseases == 4
    assert mine.ic == pytest.approx({t: float(corpus.ic[i]) for t, i in corpus.term_index.items()})
    assert mine.ic["HP:0000004"] == pytest.approx(math.log(2))  # A1: ORPHA:1 and ORPHA:2 of 4


def test_modes_differ_only_in_what_an_unannotated_term_gets(tmp_path: Path):
    # One formula for both modes: a term no disease is annotated with weighs nothing in corpus mode (no
    # disease can match it) and is as informative as a term of one disease in the curated mapping.
    fixtures = Path(__file__).parent / "fixtures" / "corpus"
    obo = tmp_path / "hp.obo"
    obo.write_text((fixtures / "hp.obo").read_text(encoding="utf-8")
                   + "\n[Term]\nid: HP:0000009\nname: Skin finding A1b\nis_a: HP:0000004 ! Skin finding A1\n",
                   encoding="utf-8")
    onto = load_ontology(obo)
    mine = compute_information_content(onto, fixtures / "phenotype.hpoa")
    load_corpus.cache_clear()
    corpus = load_corpus("hpo-all", obo, fixtures / "phenotype.hpoa", tmp_path)
    load_corpus.cache_clear()
    theirs = {t: float(corpus.ic[i]) for t, i in corpus.term_index.items()}
    assert (mine.ic.pop("HP:0000009"), theirs.pop("HP:0000009")) == (pytest.approx(math.log(4)), 0.0)
    assert mine.ic == pytest.approx(theirs)


def test_information_content_rule_is_explicit():
    counts = [4.0, 1.0, 0.0]
    assert ic_from_counts(counts, 4, unannotated=UNANNOTATED_ZERO).tolist() == pytest.approx([0, math.log(4), 0])
    assert ic_from_counts(counts, 4, unannotated=UNANNOTATED_AS_ONE).tolist() == pytest.approx(
        [0, math.log(4), math.log(4)])
    assert str(ic_from_counts([4.0], 4, unannotated=UNANNOTATED_ZERO)[0]) == "0.0"  # never -0.0
    with pytest.raises(ValueError, match="unannotated"):
        ic_from_counts(counts, 4, unannotated="one")  # type: ignore[arg-type]


def test_information_content_is_computed_once(mini_pack):
    assert information_content(mini_pack.ontology) is information_content(mini_pack.ontology)


def test_similarity_floor_is_a_documented_parameter(mini_pack):
    assert PARAM_SPECS["similarity_floor"].default == DEFAULT_SIMILARITY_FLOOR
    assert default_weights(mini_pack).params.similarity_floor == DEFAULT_SIMILARITY_FLOOR
    assert "ancestor_credit" not in PARAM_SPECS


def test_weights_file_with_the_retired_ancestor_credit_still_loads(mini_pack):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        weights = parse_weights(mini_pack, b"[params]\nancestor_credit = 0.4\nleak = 0.05\n", "old.toml")
    assert weights.params.leak == 0.05 and "ancestor_credit" not in weights.params.as_dict()
    assert any("ancestor_credit" in str(w.message) and "similarity_floor" in str(w.message) for w in caught)


def test_absent_general_term_rules_out_the_specific_pack_findings(mini_pack):
    case = encode_case(mini_pack, [], [SKIN_NODULE])
    assert credit(mini_pack, case, NODULE) == (0.0, 1.0)


def test_absent_specific_term_says_nothing_about_the_general_one(mini_pack):
    case = encode_case(mini_pack, [NODULE], [LOW_GRADE_FEVER])
    assert credit(mini_pack, case, FEVER) == (0.0, 0.0)
    assert case.unmapped[0].reported_id == LOW_GRADE_FEVER
    assert "says nothing" in case.unmapped[0].note


def test_unrelated_valid_term_is_kept_as_unmapped(mini_pack):
    case = encode_case(mini_pack, [NODULE, "HP:0001250"])  # Seizure
    assert [m.reported_id for m in case.unmapped] == ["HP:0001250"]
    assert "was not used" in case.unmapped[0].note


def test_alt_id_is_resolved(mini_pack):
    case = encode_case(mini_pack, ["HP:0004715"])  # alt_id of HP:0000003, not in the pack: unmapped but valid
    assert "now HP:0000003" in case.mappings[0].note


@pytest.mark.parametrize(("bad", "fragment"), [
    ("HP:123", "malformed"),
    ("hp:0001482", "malformed"),
    ("HP:9999999", "unknown HPO ID"),
    ("CT:not_in_pack", "unknown finding ID"),
    ("banana", "malformed"),
])
def test_bad_ids_are_clear_errors(mini_pack, bad, fragment):
    with pytest.raises(InputError, match=fragment):
        encode_case(mini_pack, [bad])


def test_same_id_present_and_absent_is_an_error(mini_pack):
    with pytest.raises(InputError, match="both present and absent"):
        encode_case(mini_pack, [NODULE], [NODULE])


def test_a_specific_present_report_wins_over_a_broader_absence(mini_pack):
    """"Rheumatoid nodule" with "no skin nodule": the nodule counts, as a clinician reads it, and the page says
    why; the broader absence still rules out nothing else it was not contradicted on."""
    case = encode_case(mini_pack, [RHEUMATOID_NODULE], [SKIN_NODULE])
    assert credit(mini_pack, case, NODULE) == (1.0, 0.0)
    kept = [m for m in case.mappings if m.relation == "kept_present"]
    assert [(m.reported_id, m.finding_id) for m in kept] == [(RHEUMATOID_NODULE, NODULE)]
    assert "does not rule it out" in kept[0].note


def test_an_explicit_absence_wins_over_a_similar_present_term(mini_pack):
    """"Chondrocalcinosis" (similar to calcinosis cutis) with "no calcinosis cutis": the calcinosis cutis stays
    absent, with a note; chondrocalcinosis itself is still reported."""
    calcinosis, chondrocalcinosis = "HP:0025520", "HP:0000934"
    assert credit(mini_pack, encode_case(mini_pack, [chondrocalcinosis]), calcinosis)[0] > 0  # similar alone
    case = encode_case(mini_pack, [chondrocalcinosis], [calcinosis])
    assert credit(mini_pack, case, calcinosis) == (0.0, 1.0)
    kept = [m for m in case.mappings if m.relation == "kept_absent"]
    assert [(m.reported_id, m.finding_id) for m in kept] == [(calcinosis, calcinosis)]


def test_a_contradiction_on_a_findings_own_term_is_an_error(mini_pack):
    with pytest.raises(InputError, match="contradict"):
        encode_case(mini_pack, [RHEUMATOID_NODULE], [NODULE])  # the absence names the finding itself


def test_comma_separated_string_and_duplicates(mini_pack):
    case = encode_case(mini_pack, f" {NODULE}, {NODULE} ,{FEVER}")
    assert len(case.mappings) == 2


def test_result_reports_mapping_notes(mini_pack, mini_weights):
    result = match_findings(mini_pack, [RHEUMATOID_NODULE], weights=mini_weights)
    assert result.to_dict()["mappings"][0]["relation"] == "more_specific"


def _with_implications(pack_copy, rows: dict[str, str]):
    path = pack_copy / "findings.csv"
    lines = path.read_text().splitlines()
    out = [lines[0] + ",implies"]
    for line in lines[1:]:
        out.append(line + "," + rows.get(line.split(",")[0], ""))
    path.write_text("\n".join(out) + "\n")
    return load_pack(pack_copy)


def test_curated_implication_counts_the_implied_finding(pack_copy):
    pack = _with_implications(pack_copy, {"HP:0025520": "HP:0001482"})  # calcinosis cutis implies a nodule
    case = encode_case(pack, ["HP:0025520"])
    assert credit(pack, case, NODULE) == (1.0, 0.0)
    implied = [m for m in case.mappings if m.relation == "implied"]
    assert implied[0].finding_id == NODULE and "also counts as" in implied[0].note


def test_absent_implied_finding_rules_out_what_implies_it(pack_copy):
    pack = _with_implications(pack_copy, {"HP:0025520": "HP:0001482"})
    case = encode_case(pack, [], [NODULE])
    assert credit(pack, case, "HP:0025520") == (0.0, 1.0)
    with pytest.raises(InputError, match="contradict"):
        encode_case(pack, ["HP:0025520"], [NODULE])


def test_implications_are_transitive(pack_copy):
    pack = _with_implications(pack_copy, {"HP:0025520": "HP:0001482", "HP:0001482": "HP:0200042"})
    case = encode_case(pack, ["HP:0025520"])
    assert credit(pack, case, ULCER_ID)[0] == 1.0


def test_bad_implication_is_a_pack_error(pack_copy):
    with pytest.raises(PackError, match=r"findings.csv, row 2, column 'implies'.*HP:0000000"):
        _with_implications(pack_copy, {"HP:0025520": "HP:0000000"})



def test_acidosis_never_counts_as_alkalosis(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    assert "HP:0200114" in pack.finding_index  # Metabolic alkalosis
    # Respiratory acidosis shares only acid-base homeostasis with Metabolic alkalosis; it may reach the lactic
    # acidosis finding (same direction), never the alkalosis.
    reached = {m.finding_id for m in encode_case(pack, ["HP:0005972"]).mappings}
    assert reached == {"HP:0003128"}
    assert "HP:0200114" not in reached
    assert (direction("Lactic acidosis", 1), direction("Metabolic alkalosis", 1), direction("Tachycardia", 2),
            direction("Bradycardia", 2), direction("Fever", 1)) == (1, -1, 1, -1, 0)


def test_an_enzyme_counts_only_for_the_same_enzyme(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    ldh, transaminases = "HP:0025435", "HP:0002910"
    assert {ldh, transaminases} <= set(pack.finding_index)
    (m,) = encode_case(pack, ["HP:0030948"]).mappings  # Elevated gamma-glutamyltransferase level
    assert m.finding_id is None and "no finding for this measurement" in m.note
    # Raised alkaline phosphatase, a finding since the fourth vocabulary round, counts for itself only.
    assert [(m.finding_id, m.relation) for m in encode_case(pack, ["HP:0003155"]).mappings] == [
        ("HP:0003155", "exact")]


def test_a_similar_term_never_reaches_an_organ_it_does_not_concern(real_pack_and_cases):
    pack, _ = real_pack_and_cases
    gut_bleeding = "HP:0002239"
    assert gut_bleeding in pack.finding_index
    case = encode_case(pack, ["HP:0000573"])  # Retinal hemorrhage: shares Internal hemorrhage with the gut
    assert gut_bleeding not in {m.finding_id for m in case.mappings}
    assert "gut_bleeding" not in {r.rule_id for r in match_findings(pack, ["HP:0000573"]).triage.reasons}


def test_a_term_below_one_finding_and_above_another_counts_for_the_one_below(real_pack_and_cases):
    """Glomerulonephritis lies above Lupus nephritis: it counts for it partly, as any more general term."""
    pack, _ = real_pack_and_cases
    lupus_nephritis = "HP:0033726"
    (m,) = encode_case(pack, ["HP:0000099"]).mappings
    assert (m.finding_id, m.relation) == (lupus_nephritis, "more_general") and 0.45 <= m.credit < 1.0


def test_an_organ_system_root_is_never_reached_through_its_descendants(real_pack_and_cases):
    """HPO files every inflammation below Abnormality of the immune system (the seed's "immune system
    dysfunction"): oesophagitis or a granuloma is not evidence of immune dysfunction."""
    pack, _ = real_pack_and_cases
    immune_root = "HP:0002715"
    assert immune_root in pack.finding_index
    for term in ("HP:0000099", "HP:0100633", "HP:0032252"):
        assert immune_root not in {m.finding_id for m in encode_case(pack, [term]).mappings}, term
    (m,) = encode_case(pack, [immune_root]).mappings
    assert m.relation == "exact"
    # Neoplasm, also an organ-system root, keeps its descendants: a leukaemia is a cancer.
    (m,) = encode_case(pack, ["HP:0006721"]).mappings
    assert (m.finding_id, m.relation) == ("HP:0002664", "more_specific")

"""Any valid HPO ID is accepted and mapped onto the pack; bad IDs are clear errors."""

from __future__ import annotations

import pytest

from engine import InputError, PackError, encode_case, load_pack, match_findings

NODULE, SKIN_NODULE, RHEUMATOID_NODULE = "HP:0001482", "HP:0200036", "HP:6000418"
FEVER, LOW_GRADE_FEVER, CKD, CKD_STAGE5 = "HP:0001945", "HP:0011134", "HP:0012622", "HP:0003774"
ULCER_ID = "HP:0200042"


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


def test_more_general_term_counts_partially(mini_pack):
    case = encode_case(mini_pack, [SKIN_NODULE], ancestor_credit=0.4)
    assert credit(mini_pack, case, NODULE) == (0.4, 0.0)
    assert case.mappings[0].relation == "more_general"
    assert "40%" in case.mappings[0].note


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


def test_contradiction_through_the_ontology_is_an_error(mini_pack):
    with pytest.raises(InputError, match="contradict"):
        encode_case(mini_pack, [RHEUMATOID_NODULE], [SKIN_NODULE])


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


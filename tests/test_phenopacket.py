"""GA4GH phenopackets in and out: round trips, bad files (each named), and the CLI on small packets built here.

The corpus-mode CLI tests run on the hand-made fixture release (tests/fixtures/corpus, see
tests/test_corpus.py) selected with ``--hpo-data``. One test reads a few real packets from
../shared/phenopacket-store and is skipped only when that folder is absent.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.errors import InputError
from engine.hpo.ontology import load_ontology
from engine.io.phenopacket import (
    MAX_PHENOPACKET_BYTES,
    parse_phenopacket,
    read_phenopacket,
    require_known_terms,
    to_phenopacket_json,
)
from engine.io.presentation import Presentation, Vitals

from .conftest import MINI_PACK

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
STORE = ROOT.parent / "shared" / "phenopacket-store" / "dev.tar.xz"
A, B, A1, A2, B1, A1A = "HP:0000002", "HP:0000003", "HP:0000004", "HP:0000005", "HP:0000006", "HP:0000007"


def packet(present=(), absent=(), disease: str | None = "ORPHA:3", pid: str = "p1", **extra) -> dict:
    """A minimal phenopacket v2 document."""
    doc: dict = {"id": pid, "subject": {"id": f"subject-{pid}", "sex": "FEMALE",
                                        "timeAtLastEncounter": {"age": {"iso8601duration": "P34Y"}}},
                 "phenotypicFeatures": [{"type": {"id": t, "label": t}} for t in present]
                 + [{"type": {"id": t, "label": t}, "excluded": True} for t in absent],
                 "metaData": {"created": "2026-01-01T00:00:00Z", "createdBy": "test",
                              "phenopacketSchemaVersion": "2.0"}}
    if disease:
        doc["interpretations"] = [{"id": "i1", "progressStatus": "SOLVED",
                                   "diagnosis": {"disease": {"id": disease, "label": "Disease"}}}]
    doc.update(extra)
    return doc


def write(folder: Path, name: str, doc) -> Path:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fixture_release(monkeypatch, tmp_path):
    """The fixture HPO release for corpus packs, with the corpus cache in a temporary folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return ["--hpo-data", str(CORPUS)]


# --- reading -----------------------------------------------------------------------------------------

def test_reads_features_diagnosis_subject_sex_and_age():
    case = parse_phenopacket(json.dumps(packet([A2, B1], [A1])), "p1.json")
    assert (case.present, case.absent, case.diseases) == ((A2, B1), (A1,), ("ORPHA:3",))
    assert (case.id, case.subject_id, case.sex, case.age) == ("p1", "subject-p1", "FEMALE", "P34Y")


def test_diagnosis_from_the_diseases_list_when_there_is_no_interpretation():
    doc = packet([A2], disease=None, diseases=[{"term": {"id": "OMIM:4", "label": "four"}},
                                               {"term": {"id": "OMIM:5", "label": "ruled out"}, "excluded": True}])
    case = parse_phenopacket(json.dumps(doc), "d.json")
    assert case.diseases == ("OMIM:4",) and case.sex == "FEMALE"


@pytest.mark.parametrize(("content", "fragment"), [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"foo": 1}', "no 'phenotypicFeatures'"),
    (json.dumps(packet([A2], subject={"id": "s", "sex": "PLANT"})).encode(), "not a GA4GH phenopacket v2"),
    (json.dumps(packet([A2], phenotypicFeatures="many")).encode(), "not a GA4GH phenopacket v2"),
    (json.dumps(packet(["ORPHA:1"])).encode(), "not an HPO ID"),
    (json.dumps(packet([A2], [A2])).encode(), "both observed and excluded"),
    (b" " * (MAX_PHENOPACKET_BYTES + 1), "over the 1,000,000-byte limit"),
])
def test_bad_phenopackets_are_one_line_errors_naming_the_file(content, fragment):
    with pytest.raises(InputError) as info:
        parse_phenopacket(content, "patient-7.json")
    message = str(info.value)
    assert message.startswith("patient-7.json: ") and fragment in message and "\n" not in message


def test_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = write(tmp_path, "big.json", json.dumps(packet([A2])) + " " * MAX_PHENOPACKET_BYTES)
    with pytest.raises(InputError, match=r"big\.json: file is 1,000,435 bytes; the limit is 1,000,000 bytes"):
        read_phenopacket(path)


def test_unknown_or_obsolete_term_is_named_with_the_release():
    onto = load_ontology(CORPUS / "hp.obo")
    case = parse_phenopacket(json.dumps(packet([A2, "HP:0000099"])), "new.json")
    with pytest.raises(InputError, match=r"new.json: 1 term\(s\) not current in HPO release 2099-01-01.*HP:0000099"):
        require_known_terms(case, onto)


# --- writing and round trips -------------------------------------------------------------------------

def test_export_round_trip_keeps_present_absent_and_disease():
    onto = load_ontology(CORPUS / "hp.obo")
    text = to_phenopacket_json([A2, B1], [A1], onto, case_id="teach-1", diseases=[("ORPHA:3", "Disease three")],
                               subject_id="anon")
    doc = json.loads(text)
    assert doc["metaData"]["phenopacketSchemaVersion"] == "2.0"
    assert {r["namespacePrefix"]: r["version"] for r in doc["metaData"]["resources"]}["HP"] == "2099-01-01"
    assert doc["phenotypicFeatures"][0]["type"] == {"id": A2, "label": "Skin finding A2"}
    back = parse_phenopacket(text, "export.json")
    assert (back.present, back.absent, back.diseases, back.id) == ((A2, B1), (A1,), ("ORPHA:3",), "teach-1")


def test_export_follows_replaced_terms_and_refuses_malformed_ids():
    onto = load_ontology(CORPUS / "hp.obo")
    back = parse_phenopacket(to_phenopacket_json(["HP:0000008"], [], onto, case_id="x"), "x.json")
    assert back.present == (A2,) and back.diseases == ()
    with pytest.raises(InputError, match="malformed HPO ID"):
        to_phenopacket_json(["XX:12"], [], onto, case_id="x")


def test_export_keeps_local_findings_and_the_course_and_context():
    onto = load_ontology(CORPUS / "hp.obo")
    presentation = Presentation(onset="hours", trajectory="improving", known_condition="known_treated",
                                eating_drinking="not_drinking", age_band="3_months_to_4_years", sex="male",
                                immunosuppression="transplant", vitals=Vitals(spo2=93, respiratory_rate=44))
    text = to_phenopacket_json([A2, "CT:chalky_discharge"], [A1], onto, case_id="x",
                               local_labels={"CT:chalky_discharge": "Chalky discharge"}, presentation=presentation)
    doc = json.loads(text)
    prefixes = {r["namespacePrefix"] for r in doc["metaData"]["resources"]}
    assert {"HP", "CT", "LOINC", "UCUM"} <= prefixes
    back = parse_phenopacket(text, "x.json")
    assert back.present == (A2, "CT:chalky_discharge") and back.absent == (A1,)
    assert back.presentation == presentation


def test_local_codes_need_their_prefix_declared():
    onto = load_ontology(CORPUS / "hp.obo")
    doc = json.loads(to_phenopacket_json(["CT:chalky_discharge"], [], onto, case_id="x"))
    doc["metaData"]["resources"] = [r for r in doc["metaData"]["resources"] if r["namespacePrefix"] != "CT"]
    with pytest.raises(InputError, match="need the CT prefix"):
        parse_phenopacket(json.dumps(doc), "x.json")


TERMS = [A, B, A1, A2, B1, A1A]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TERMS), unique=True, max_size=6), st.data(),
       st.one_of(st.none(), st.sampled_from(["ORPHA:1", "OMIM:4"])))
def test_round_trip_property(chosen, data, disease):
    onto = load_ontology(CORPUS / "hp.obo")
    absent = data.draw(st.lists(st.sampled_from([t for t in TERMS if t not in chosen] or TERMS), unique=True))
    absent = [t for t in absent if t not in chosen]
    text = to_phenopacket_json(chosen, absent, onto, case_id="prop",
                               diseases=[(disease, "d")] if disease else ())
    back = parse_phenopacket(text, "prop.json")
    assert back.present == tuple(chosen) and back.absent == tuple(absent)
    assert back.diseases == ((disease,) if disease else ())


# --- CLI: score --------------------------------------------------------------------------------------

def test_score_phenopacket_on_a_corpus_pack_reports_the_expected_rank(capsys, tmp_path, fixture_release):
    path = write(tmp_path, "p1.json", packet([A2, B1], [A1]))
    code, out, err = run([*fixture_release, "score", "--pack", "hpo-orpha", "--phenopacket", str(path),
                          "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["hpo_version"] == "2099-01-01"
    assert data["results"][0]["disease_id"] == "ORPHA:3"
    assert data["phenopacket"]["expected_ranks"] == {"ORPHA:3": 1} and data["phenopacket"]["n_absent"] == 1
    code, out, _ = run([*fixture_release, "score", "--pack", "hpo-orpha", "--phenopacket", str(path)], capsys)
    assert code == 0 and "expected ORPHA:3 ranks 1 of 3" in out and "HPO 2099-01-01" in out


@pytest.mark.parametrize(("doc", "fragment"), [
    (packet([A2, "HP:0000099"]), "p.json: 1 term(s) not current in HPO release 2099-01-01"),
    (packet([A2], disease="ORPHA:999"), "p.json: disease ORPHA:999 is not in hpo-orpha (HPO release 2099-01-01)"),
    (packet([], [A2]), "p.json: no observed phenotypic feature"),
    ("{oops", "p.json: not valid JSON"),
])
def test_score_phenopacket_bad_input_is_one_line(capsys, tmp_path, fixture_release, doc, fragment):
    path = write(tmp_path, "p.json", doc)
    code, _, err = run([*fixture_release, "score", "--pack", "hpo-orpha", "--phenopacket", str(path)], capsys)
    assert code == 2 and err.startswith("error: ") and fragment in err and err.count("\n") == 1


def test_score_needs_exactly_one_source_of_findings(capsys, tmp_path):
    path = write(tmp_path, "p.json", packet(["HP:0025520"]))
    code, _, err = run(["--data", str(MINI_PACK), "score"], capsys)
    assert code == 2 and "--present IDs or --phenopacket FILE" in err
    code, _, err = run(["--data", str(MINI_PACK), "score", "--present", "HP:0025520", "--phenopacket", str(path)],
                       capsys)
    assert code == 2 and "not both" in err


def test_score_phenopacket_on_the_curated_pack(capsys, tmp_path):
    path = write(tmp_path, "cal.json", packet(["HP:0200042"], ["HP:0001945"], disease="ORPHA:280062"))
    code, out, err = run(["--data", str(MINI_PACK), "score", "--phenopacket", str(path), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    rank = {m["condition_id"]: m["rank"] for m in data["matches"]}["calciphylaxis"]
    assert data["phenopacket"]["expected_ranks"] == {"ORPHA:280062 (calciphylaxis)": rank}
    code, out, _ = run(["--data", str(MINI_PACK), "score", "--phenopacket", str(path)], capsys)
    assert code == 0 and f"expected ORPHA:280062 (calciphylaxis) ranks {rank} of 3" in out


# --- CLI: evaluate -----------------------------------------------------------------------------------

def test_evaluate_folder_of_phenopackets_on_a_corpus_pack(capsys, tmp_path, fixture_release):
    folder = tmp_path / "packets"
    (folder / "cohort").mkdir(parents=True)
    write(folder / "cohort", "hit.json", packet([A2, B1], [A1], "ORPHA:3", "hit"))
    write(folder / "cohort", "second.json", packet([A1A], [], "ORPHA:2", "second"))
    write(folder, "newer-disease.json", packet([A2], [], "ORPHA:77", "newer"))
    write(folder, "newer-terms.json", packet(["HP:0000099"], [], "ORPHA:1", "only-new-terms"))
    write(folder, "mixed.json", packet([A2, "HP:0000098"], [], "ORPHA:3", "mixed"))
    code, out, err = run([*fixture_release, "evaluate", "--pack", "hpo-orpha", str(folder), "--format", "json"],
                         capsys)
    assert code == 0, err
    assert err == ""  # no progress bar when output is captured
    s = json.loads(out)["summary"]
    assert {"n", "skipped", "top1", "top3", "top10", "mrr", "ms_per_case"} <= set(s)
    assert s["n"] == 3 and s["skipped"] == {"disease not in the release": 1, "no usable term": 1}
    assert s["top1"] == pytest.approx(2 / 3, abs=1e-4) and s["top3"] == 1.0 and s["top10"] == 1.0
    assert s["not_in_release"] == {"terms": 2, "term_uses": 2, "cases_with_such_terms": 2, "diseases": 1}
    assert s["hpo_version"] == "2099-01-01" and s["ms_per_case"] >= 0
    rows = {r["id"]: r for r in json.loads(out)["cases"]}
    assert rows["hit"]["rank"] == 1 and rows["mixed"]["not_in_release"] == ["HP:0000098"]
    code, out, _ = run([*fixture_release, "evaluate", "--pack", "hpo-orpha", str(folder)], capsys)
    assert code == 0 and "n=3 scored" in out and "disease not in the release: 1" in out and "HPO 2099-01-01" in out


@pytest.mark.parametrize(("doc", "fragment"), [
    (packet([A2], disease=None), "nodx.json: no diagnosis"),
    ({"id": "x", "phenotypicFeatures": [{"type": {"id": A2}, "excluded": "maybe"}]}, "nodx.json: not a GA4GH"),
    ("[", "nodx.json: not valid JSON"),
])
def test_evaluate_bad_phenopacket_names_the_file(capsys, tmp_path, fixture_release, doc, fragment):
    write(tmp_path, "ok.json", packet([A2]))
    write(tmp_path, "nodx.json", doc)
    code, _, err = run([*fixture_release, "evaluate", "--pack", "hpo-orpha", str(tmp_path)], capsys)
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_evaluate_phenopackets_on_the_curated_pack(capsys, tmp_path):
    write(tmp_path, "cal.json", packet(["HP:0200042", "HP:0001945"], [], "ORPHA:280062", "cal"))
    write(tmp_path, "other.json", packet(["HP:0025520"], [], "OMIM:999999", "other"))
    write(tmp_path, "new.json", packet(["HP:9999999"], [], "ORPHA:280062", "new"))
    code, out, err = run(["--data", str(MINI_PACK), "evaluate", str(tmp_path), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    s, rows = data["summary"], data["cases"]
    assert s["n"] == 1 and s["skipped"] == {"disease not a curated condition": 1, "no usable term": 1}
    assert [r["id"] for r in rows] == ["cal"] and s["top1"] == (rows[0]["rank"] == 1)
    assert s["not_in_release"] == {"terms": 1} and s["hpo_version"] == "2025-01-16"


def test_hpo_data_errors_are_one_line(capsys, tmp_path, monkeypatch):
    code, _, err = run(["--hpo-data", str(tmp_path / "nope"), "score", "--present", "HP:0025520"], capsys)
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    write(tmp_path, "hp.obo", "format-version: 1.2\n")
    code, _, err = run(["--hpo-data", str(tmp_path), "score", "--present", "HP:0025520"], capsys)
    assert code == 2 and "has no phenotype.hpoa" in err
    write(tmp_path, "phenotype.hpoa", "#version: x\nnot\ta\theader\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, _, err = run(["--hpo-data", str(tmp_path), "score", "--pack", "hpo-orpha", "--present", A2], capsys)
    assert code == 2 and "is not an HPO release" in err
    monkeypatch.setenv("CALCINOSIS_HPO_DATA", str(tmp_path / "gone"))
    code, _, err = run(["score", "--present", "HP:0025520"], capsys)
    assert code == 2 and "CALCINOSIS_HPO_DATA" in err and "does not exist" in err


def test_environment_variable_selects_the_release(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_HPO_DATA", str(CORPUS))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = run(["score", "--pack", "hpo-orpha", "--present", A2, "--format", "json"], capsys)
    assert code == 0, err and json.loads(out)["hpo_version"] == "2099-01-01"


# --- real packets (skipped only when ../shared/phenopacket-store is absent) ----------------------------

@pytest.mark.skipif(not STORE.is_file(), reason="../shared/phenopacket-store/dev.tar.xz is absent")
def test_real_phenopackets_parse_with_a_diagnosis_and_round_trip():
    onto = load_ontology()
    seen = 0
    with tarfile.open(STORE, "r:xz") as archive:
        for member in archive:
            if not (member.isfile() and member.name.endswith(".json")):
                continue
            case = parse_phenopacket(archive.extractfile(member).read(), member.name)
            assert case.diseases and case.present + case.absent
            known = [t for t in case.present if t in onto]
            absent = [t for t in case.absent if t in onto and t not in known]
            back = parse_phenopacket(to_phenopacket_json(known, absent, onto, case_id=case.id,
                                                         diseases=[(case.diseases[0], "")]), "back.json")
            assert back.diseases == case.diseases[:1]
            assert len(back.present) == len({onto.resolve(t) for t in known})
            seen += 1
            if seen == 25:
                break
    assert seen == 25


@pytest.mark.slow
def test_curated_pack_runs_on_another_release_and_says_which(capsys, tmp_path):
    """A copy of the pinned release relabelled 2099-12-31 stands in for a newer one."""
    from engine.hpo.ontology import hpo_data_dir

    wheel = hpo_data_dir()
    text = (wheel / "hp.obo").read_text(encoding="utf-8")
    (tmp_path / "hp.obo").write_text(text.replace("data-version: hp/releases/2025-01-16",
                                                  "data-version: hp/releases/2099-12-31", 1), encoding="utf-8")
    (tmp_path / "phenotype.hpoa").write_bytes((wheel / "phenotype.hpoa").read_bytes())
    code, out, err = run(["--hpo-data", str(tmp_path), "score", "--present", "HP:0001482", "--format", "json"],
                         capsys)
    assert code == 0, err
    assert json.loads(out)["hpo_version"] == "2099-12-31"
    code, out, _ = run(["score", "--present", "HP:0001482", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["hpo_version"] == "2025-01-16"  # without the flag: the pinned wheel

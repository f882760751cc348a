"""Hostile inputs, continued: malformed JSON and phenopackets, unestablished diagnoses, damaged HPO releases,
many terms, output that cannot be written, Ctrl-C.

Every entry asserts a one-line error of the project's own (exit code 2 for the CLI) and no traceback; big,
deep or damaged inputs are built here from the small fixtures, never stored. The pages' uploaders are
covered in tests/test_hostile_uploads.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.errors import InputError
from engine.evaluation.phenopackets import NOT_ESTABLISHED, read_inputs
from engine.hpo.annotations import parse_hpoa
from engine.hpo.ids import MAX_TERMS
from engine.hpo.ontology import check_hpo_data_dir, parse_obo
from engine.hpo.similarity import positive_annotations
from engine.io.phenopacket import parse_phenopacket
from engine.io.readers import MAX_JSON_DEPTH, parse_json

from .conftest import FIXTURES, MINI_PACK
from .test_hostile import assert_one_line

ROOT = Path(__file__).resolve().parent.parent
CORPUS = FIXTURES / "corpus"
A1, A2, B1 = "HP:0000004", "HP:0000005", "HP:0000006"
CALCINOSIS = "HP:0025520"  # a finding of the mini pack (and of the shipped one)
INJECTED = "[click](https://evil.example) ![x](https://evil.example/x.png)"


def packet(present: tuple[str, ...] = (A1,), status: str | None = "SOLVED", disease: str = "ORPHA:3",
           **extra: Any) -> dict[str, Any]:
    """A minimal phenopacket v2 document; ``status`` None leaves the interpretation without a progress status."""
    interpretation: dict[str, Any] = {"id": "i1", "diagnosis": {"disease": {"id": disease, "label": "Disease"}}}
    if status is not None:
        interpretation["progressStatus"] = status
    doc: dict[str, Any] = {"id": "p1", "subject": {"id": "s1", "sex": "FEMALE"},
                           "phenotypicFeatures": [{"type": {"id": t, "label": t}} for t in present],
                           "interpretations": [interpretation],
                           "metaData": {"created": "2026-01-01T00:00:00Z", "createdBy": "test",
                                        "phenopacketSchemaVersion": "2.0"}}
    return doc | extra


def text(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def nested(depth: int) -> bytes:
    """A phenopacket whose ``subject`` holds a list nested ``depth`` deep."""
    return b'{"id": "p", "subject": {"id": "s", "x": ' + b"[" * depth + b"]" * depth + b"}}"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- 1. one guarded JSON decoder -----------------------------------------------------------------------

JSON_CASES: list[tuple[str, bytes, str]] = [
    ("deep-5000", nested(5_000), "nested too deeply"),
    ("deep-just-over", nested(MAX_JSON_DEPTH), f"more than {MAX_JSON_DEPTH} levels"),
    ("digits-5000", b'{"id": "p", "subject": {"id": "s", "x": ' + b"9" * 5_000 + b"}}", "5,000 digits"),
    ("float-overflow", b'{"id": "p", "subject": {"id": "s", "x": 1e999}}', "too large for a number"),
    ("nan", b'{"id": "p", "subject": {"id": "s", "x": NaN}}', "NaN is not a number JSON allows"),
    ("infinity", b'{"id": "p", "subject": {"id": "s", "x": -Infinity}}', "-Infinity is not a number"),
    ("duplicate-key", b'{"id": "p", "id": "q", "subject": {"id": "s"}}', "the key 'id' is given twice"),
    ("not-utf8", b'{"id": "\xff"}', "not UTF-8"),
    ("truncated", b'{"id": "p", "subject": {', "not valid JSON"),
]


@pytest.mark.parametrize(("content", "fragment"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_the_json_decoder_refuses_with_one_line_naming_the_file(content, fragment, mini_pack, tmp_path, capsys):
    for call in (lambda: parse_phenopacket(content, "p.json"),
                 lambda: read_inputs([("p.json", content)], mini_pack),
                 lambda: parse_json(content, "p.json")):
        with pytest.raises(InputError) as info:
            call()
        assert str(info.value).startswith("p.json: ") and fragment in str(info.value)
        assert_one_line(str(info.value))
    path = tmp_path / "p.json"
    path.write_bytes(content)
    for argv in (["--data", str(MINI_PACK), "score", "--phenopacket", str(path)],
                 ["--data", str(MINI_PACK), "evaluate", str(path)]):
        code, _out, err = run(argv, capsys)
        assert code == 2 and err.startswith("error: p.json: ") and fragment in err, err
        assert_one_line(err)


def test_numbers_json_allows_still_decode_as_before():
    assert parse_json(b'{"a": [1, -2.5e3, 0.1, 12345678901234567890]}', "x") == {
        "a": [1, -2500.0, 0.1, 12345678901234567890]}
    assert parse_json("\ufeff[true, null]", "x") == [True, None]


# --- 2. phenopackets: enums, ambiguous fields, unestablished diagnoses ---------------------------------

PACKET_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("sex-99", packet(subject={"id": "s", "sex": 99}), "'subject.sex' is 99, not one of UNKNOWN_SEX"),
    ("sex-negative", packet(subject={"id": "s", "sex": -1}), "'subject.sex' is -1"),
    ("progress-42", packet(status=None, interpretations=[{"id": "i", "progressStatus": 42}]),
     "'interpretations.progressStatus' is 42"),
    ("karyotypic-sex-99", packet(subject={"id": "s", "karyotypicSex": 99}), "'subject.karyotypicSex' is 99"),
    ("features-twice", packet(phenotypic_features=[{"type": {"id": A2}}]),
     "both 'phenotypicFeatures' and 'phenotypic_features' are given"),
    ("nested-twice", packet(subject={"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": "P1Y"}},
                                     "time_at_last_encounter": {"age": {"iso8601duration": "P9Y"}}}),
     "both 'timeAtLastEncounter' and 'time_at_last_encounter'"),
    ("feature-unknown-field", packet(phenotypicFeatures=[{"type": {"id": A1}, "excluded ": 1}]), "no field named"),
    ("term-injected", packet(present=(INJECTED,)), "not an HPO ID"),
    ("field-injected", packet(**{INJECTED: 1}), "no field named"),
    ("too-many-terms", packet(present=tuple(f"HP:{i:07d}" for i in range(1, MAX_TERMS + 2))),
     f"{MAX_TERMS + 1:,} distinct terms in one case; the limit is {MAX_TERMS:,}"),
]


@pytest.mark.parametrize(("doc", "fragment"), [c[1:] for c in PACKET_CASES], ids=[c[0] for c in PACKET_CASES])
def test_bad_phenopackets_are_refused_in_one_line(doc, fragment, tmp_path, capsys):
    with pytest.raises(InputError) as info:
        parse_phenopacket(text(doc), "bad.json")
    message = str(info.value)
    assert message.startswith("bad.json: ") and fragment in message, message
    assert_one_line(message)
    path = tmp_path / "bad.json"
    path.write_bytes(text(doc))
    code, _out, err = run(["--data", str(MINI_PACK), "score", "--phenopacket", str(path)], capsys)
    assert code == 2 and fragment in err and "Traceback" not in err
    assert_one_line(err)


@pytest.mark.parametrize(("status", "expected"), [
    ("SOLVED", True), ("COMPLETED", True), ("UNSOLVED", False), ("IN_PROGRESS", False),
    ("UNKNOWN_PROGRESS", False), (None, False),
])
def test_only_solved_or_completed_interpretations_are_expected(status, expected):
    case = parse_phenopacket(text(packet(status=status)), "p.json")
    if expected:
        assert case.diseases == ("ORPHA:3",) and case.not_established == ()
    else:
        assert case.diseases == () and case.not_established == (("ORPHA:3", status or "UNKNOWN_PROGRESS"),)


def test_a_disease_listed_as_diagnosed_stays_expected_beside_an_unsolved_interpretation():
    doc = packet(status="UNSOLVED", diseases=[{"term": {"id": "ORPHA:3", "label": "Disease"}}])
    case = parse_phenopacket(text(doc), "p.json")
    assert case.diseases == ("ORPHA:3",) and case.not_established == ()


@pytest.fixture
def fixture_release(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return ["--hpo-data", str(CORPUS)]


def _packets(tmp_path: Path, statuses: dict[str, str | None]) -> Path:
    folder = tmp_path / "packets"
    folder.mkdir()
    for name, status in statuses.items():
        (folder / f"{name}.json").write_bytes(text(packet(present=(A2, B1), status=status) | {"id": name}))
    return folder


def test_corpus_evaluation_skips_unestablished_diagnoses_with_the_reason(fixture_release, tmp_path, capsys):
    folder = _packets(tmp_path, {"solved": "SOLVED", "done": "COMPLETED", "open": "UNSOLVED", "busy": "IN_PROGRESS"})
    code, out, err = run([*fixture_release, "evaluate", "--pack", "hpo-orpha", str(folder), "--format", "json"],
                         capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"]["n"] == 2 and data["summary"]["skipped"] == {NOT_ESTABLISHED: 2}
    status = {c["id"]: c["status"] for c in data["cases"]}
    assert status["solved"] == status["done"] == "ranked"
    assert "diagnosis not established" in status["open"] and "diagnosis not established" in status["busy"]
    code, out, _err = run([*fixture_release, "evaluate", "--pack", "hpo-orpha", str(folder)], capsys)
    assert code == 0 and f"skipped: {NOT_ESTABLISHED}: 2" in out


def test_curated_evaluation_skips_unestablished_diagnoses_with_the_reason(tmp_path, capsys):
    folder = tmp_path / "packets"
    folder.mkdir()
    code_of = "ORPHA:280062"  # calciphylaxis in the mini pack
    for name, status in {"solved": "SOLVED", "open": "UNSOLVED"}.items():
        doc = packet(present=(CALCINOSIS,), status=status, disease=code_of) | {"id": name}
        (folder / f"{name}.json").write_bytes(text(doc))
    code, out, err = run(["--data", str(MINI_PACK), "evaluate", str(folder), "--format", "json"], capsys)
    assert code == 0, err
    summary = json.loads(out)["summary"]
    assert summary["n"] == 1 and summary["skipped"] == {NOT_ESTABLISHED: 1}


def test_score_says_an_unsolved_diagnosis_was_skipped(fixture_release, tmp_path, capsys):
    path = tmp_path / "open.json"
    path.write_bytes(text(packet(present=(A2,), status="UNSOLVED")))
    code, out, err = run([*fixture_release, "score", "--pack", "hpo-orpha", "--phenopacket", str(path)], capsys)
    assert code == 0, err
    assert "no established diagnosis; skipped ORPHA:3 (UNSOLVED)" in out
    code, out, _err = run([*fixture_release, "score", "--pack", "hpo-orpha", "--phenopacket", str(path),
                           "--format", "json"], capsys)
    expected = json.loads(out)["phenopacket"]
    assert expected["expected"] == [] and expected["expected_ranks"] == {}
    assert expected["skipped_diagnoses"] == [{"disease": "ORPHA:3", "progress_status": "UNSOLVED",
                                              "reason": "not SOLVED or COMPLETED"}]


# --- 3. a damaged HPO release is refused before it is used ---------------------------------------------

def _release(tmp_path: Path, obo: Callable[[bytes], bytes] = bytes, hpoa: Callable[[bytes], bytes] = bytes) -> Path:
    """A copy of the fixture release with ``obo`` and ``hpoa`` applied to the files' bytes."""
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "hp.obo").write_bytes(obo((CORPUS / "hp.obo").read_bytes()))
    (folder / "phenotype.hpoa").write_bytes(hpoa((CORPUS / "phenotype.hpoa").read_bytes()))
    return folder


def _add_parent(term: bytes, parent: bytes) -> Callable[[bytes], bytes]:
    return lambda obo: obo.replace(b"id: " + term + b"\n", b"id: " + term + b"\nis_a: " + parent + b"\n", 1)


def _truncated_obo(obo: bytes) -> bytes:
    """The release cut before A1 (HP:0000004), the rest shifted up: A1a (HP:0000007) names a parent that is gone."""
    start, end = obo.index(b"[Term]\nid: HP:0000004"), obo.index(b"[Term]\nid: HP:0000005")
    return obo[:start] + obo[end:]


def _cut_obo(obo: bytes) -> bytes:
    """The release cut before A1: what is left is consistent, but no annotated term is left in it."""
    return obo[: obo.index(b"[Term]\nid: HP:0000004")]


def _lines(edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[bytes], bytes]:
    return lambda hpoa: b"".join(edit(hpoa.splitlines(keepends=True)))


RELEASE_CASES: list[tuple[str, dict[str, Callable[[bytes], bytes]], str]] = [
    ("obo-cycle", {"obo": _add_parent(b"HP:0000002", b"HP:0000007")},
     "hp.obo: is_a cycle through HP:0000002, HP:0000004, HP:0000007"),
    ("obo-self-parent", {"obo": _add_parent(b"HP:0000003", b"HP:0000003")}, "hp.obo: is_a cycle through HP:0000003"),
    ("obo-truncated", {"obo": _truncated_obo},
     "hp.obo: 1 is_a parent(s) not defined in the file: HP:0000007 (is_a HP:0000004)"),
    ("obo-cut-before-annotated-terms", {"obo": _cut_obo}, "hp.obo and phenotype.hpoa do not belong together"),
    ("obo-root-renamed", {"obo": lambda o: o.replace(b"id: HP:0000001", b"id: HP:0000999")},
     "not defined in the file: HP:0000118 (is_a HP:0000001)"),
    ("hpoa-last-row-cut", {"hpoa": lambda h: h[:-12]}, "ends without a line break: the file is truncated"),
    ("hpoa-blank-row", {"hpoa": _lines(lambda ls: [*ls[:5], b"\n", *ls[5:]])}, "line 6 is blank; the header has 12"),
    ("hpoa-short-row", {"hpoa": _lines(lambda ls: [*ls[:6], b"ORPHA:9\tDisease nine\n", *ls[6:]])},
     "line 7 has 2 columns; the header has 12"),
    ("hpoa-long-row", {"hpoa": _lines(lambda ls: [*ls[:4], ls[4].rstrip(b"\n") + b"\textra\n", *ls[5:]])},
     "line 5 has 13 columns"),
    ("hpoa-no-header", {"hpoa": _lines(lambda ls: [ls[0], *ls[3:]])}, "is not a phenotype.hpoa file: no column"),
    ("hpoa-not-utf8", {"hpoa": _lines(lambda ls: [*ls[:4], b"ORPHA:1\tD\xff\n", *ls[4:]])},
     "can't decode byte 0xff"),
]


@pytest.mark.parametrize(("edits", "fragment"), [c[1:] for c in RELEASE_CASES], ids=[c[0] for c in RELEASE_CASES])
def test_a_damaged_release_is_refused_with_one_line_naming_the_file(edits, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    release = _release(tmp_path, **edits)
    name = "hp.obo" if "obo" in edits else "phenotype.hpoa"
    packets = str(_packets(tmp_path, {"p": "SOLVED"}))
    for argv in (["--hpo-data", str(release), "score", "--pack", "hpo-orpha", "--present", A2],
                 ["--hpo-data", str(release), "evaluate", "--pack", "hpo-all", packets]):
        code, _out, err = run(argv, capsys)
        assert code == 2 and name in err and fragment in err, err
        assert_one_line(err)
    monkeypatch.setenv("CALCINOSIS_HPO_DATA", str(release))  # the app's way of choosing a release
    code, _out, err = run(["score", "--pack", "hpo-orpha", "--present", A2], capsys)
    assert code == 2 and fragment in err


def test_the_readers_refuse_the_damaged_annotation_files_themselves(tmp_path):
    release = _release(tmp_path, hpoa=lambda h: h[:-12])
    for read in (parse_hpoa, positive_annotations):
        with pytest.raises(InputError, match="ends without a line break"):
            read(release / "phenotype.hpoa")


def test_an_unreadable_release_folder_is_one_line(tmp_path, monkeypatch, capsys):
    release = _release(tmp_path)

    def refuse(path: Any, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(path))

    import engine.hpo.ontology

    monkeypatch.setattr(engine.hpo.ontology, "open", refuse, raising=False)  # root reads anything: refuse by hand
    with pytest.raises(InputError, match=r"cannot read HPO data '.*hp\.obo': Permission denied"):
        check_hpo_data_dir(release)
    code, _out, err = run(["--hpo-data", str(release), "score", "--present", A2], capsys)
    assert code == 2 and "Permission denied" in err
    assert_one_line(err)


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda tmp: tmp / "nowhere", "does not exist or is not a folder"),
    (lambda tmp: _mkdir(tmp / "empty"), "has no hp.obo and no phenotype.hpoa"),
    (lambda tmp: _mkdir(_mkdir(tmp / "odd") / "hp.obo").parent, "Is a directory"),
], ids=["missing", "empty", "directory-named-hp.obo"])
def test_a_release_folder_that_is_not_one_is_refused(make, fragment, tmp_path, capsys):
    code, _out, err = run(["--hpo-data", str(make(tmp_path)), "score", "--present", A2], capsys)
    assert code == 2 and fragment in err
    assert_one_line(err)


def _mkdir(path: Path) -> Path:
    path.mkdir()
    if path.name == "hp.obo":
        (path.parent / "phenotype.hpoa").write_text("")
    return path


def test_ancestor_walks_are_iterative_a_chain_of_5000_terms_loads(tmp_path):
    chain = ["format-version: 1.2\ndata-version: hp/releases/2099-01-01\n\n[Term]\nid: HP:0000001\nname: All\n"]
    chain += [f"\n[Term]\nid: HP:{i + 1000000:07d}\nname: level {i}\nis_a: HP:{i + 999999 if i else 1:07d}\n"
              for i in range(5_000)]
    path = tmp_path / "hp.obo"
    path.write_text("".join(chain))
    onto = parse_obo(path)
    deepest = f"HP:{4_999 + 1000000:07d}"
    assert len(onto.ancestors(deepest)) == 5_001
    assert onto.distance_up(deepest, "HP:0000001") == 5_000


def test_the_shipped_release_passes_its_checks():
    from engine.hpo.ontology import load_ontology, pinned_hpo_data_dir

    folder = check_hpo_data_dir(pinned_hpo_data_dir())
    assert len(load_ontology(folder / "hp.obo")) > 15_000
    assert len(positive_annotations(folder / "phenotype.hpoa")) > 10_000


# --- 4. many terms: a stated cap -----------------------------------------------------------------------

def test_the_cli_states_the_term_cap(tmp_path, capsys):
    many = ",".join(f"HP:{i:07d}" for i in range(1, MAX_TERMS + 2))
    code, _out, err = run(["--data", str(MINI_PACK), "score", "--present", many], capsys)
    assert code == 2 and f"{MAX_TERMS + 1:,} distinct terms in one case; the limit is {MAX_TERMS:,}" in err
    cases = tmp_path / "c.json"
    cases.write_text(json.dumps([{"id": "c", "findings": [{"hpo_id": f"HP:{i:07d}"} for i in range(1, 2_100)],
                                  "expected_condition": "calciphylaxis"}]))
    code, _out, err = run(["--data", str(MINI_PACK), "evaluate", str(cases)], capsys)
    assert code == 2 and "c.json, case 'c': 2,099 distinct terms" in err


# --- 5. output that cannot be written, and Ctrl-C -------------------------------------------------------

def _engine(*args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    # SIGINT back to its default for the child: a shell's background job inherits it ignored
    return subprocess.Popen([sys.executable, "-m", "engine", *args], cwd=ROOT, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [
    ("score", "--present", "HP:0001482"),
    ("evaluate", "data/cases/calcinosis_cutis.json", "--method", "tfidf", "--format", "json"),
], ids=["score", "evaluate"])
def test_a_full_device_is_one_line_and_exit_1(args):
    with open("/dev/full", "wb") as full:
        process = _engine(*args, stdout=full)
        _out, err = process.communicate(timeout=120)
    message = err.decode()
    assert process.returncode == 1, message
    assert message == "error: cannot write the output: No space left on device\n"


@pytest.mark.slow
def test_ctrl_c_during_evaluate_is_one_line_and_exit_130(tmp_path):
    folder = tmp_path / "packets"
    folder.mkdir()
    for i in range(12_000):  # about 12 s of evaluation on the curated pack
        doc = packet(present=(CALCINOSIS,), disease="ORPHA:280062") | {"id": f"p{i}"}
        (folder / f"p{i}.json").write_bytes(text(doc))
    process = _engine("evaluate", str(folder), stdout=subprocess.DEVNULL)
    time.sleep(3.0)  # past start-up (about 1 s), well inside the evaluation
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert err.decode() == "interrupted\n"


def test_ctrl_c_and_write_errors_inside_a_command_are_one_line(monkeypatch, capsys):
    import engine.cli.commands

    def interrupted(_args: Any) -> int:
        raise KeyboardInterrupt

    def disk_full(_args: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.cli.commands, "cmd_validate", interrupted)
    monkeypatch.setattr(engine.cli.commands, "cmd_findings", disk_full)
    code, _out, err = run(["validate"], capsys)
    assert (code, err) == (130, "interrupted\n")
    code, _out, err = run(["findings"], capsys)
    assert (code, err) == (1, "error: cannot write the output: No space left on device\n")



# --- 6. the app's settings -------------------------------------------------------------------------------

def test_the_upload_limits_agree_with_the_server_cap():
    """Every uploader's own limit is at most the server's cap and the largest is the cap: over its limit, the
    browser refuses a file itself, with a readable message, instead of the server answering 413."""
    import tomllib

    from ui.components.phenopacket_files import MAX_ZIP_MB

    cap = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    limits = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for raw in re.findall(r"max_upload_size=(\w+)", path.read_text()):
            limits.append(int(raw) if raw.isdigit() else {"MAX_ZIP_MB": MAX_ZIP_MB}[raw])
    assert len(limits) == 4 and max(limits) == cap and all(1 <= n <= cap for n in limits), (limits, cap)


@pytest.mark.parametrize(("value", "relative"), [
    ("cache", True), ("./cache", True), ("", True), ("/abs/cache", False),
])
def test_a_relative_xdg_cache_home_is_ignored(value, relative, monkeypatch):
    from engine.corpus.cache import default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", value)
    expected = (Path.home() / ".cache" if relative else Path(value)) / "calcinosis-triage"
    assert default_cache_dir() == expected and default_cache_dir().is_absolute()


def _crafted_ontology_caches() -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    """Edits of a genuine parsed-ontology cache file's JSON: each must make the file a cache miss."""
    def payload(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], Any]:
        def apply(doc: dict[str, Any]) -> Any:
            edit(doc["payload"])
            return doc
        return apply

    def drop_parent_term(p: dict[str, Any]) -> None:  # a parent that no term defines
        p["parents"][0] = "HP:9999999"

    return [
        ("foreign-key", lambda d: d | {"key": d["key"] + "x"}),
        ("other-release", payload(lambda p: p.update(version="1999-01-01"))),
        ("not-an-object", lambda d: [d]),
        ("no-payload", lambda d: {"key": d["key"]}),
        ("extra-column", payload(lambda p: p.update(extra=[]))),
        ("missing-column", payload(lambda p: p.pop("name"))),
        ("short-column", payload(lambda p: p["name"].pop())),
        ("number-for-a-name", payload(lambda p: p["name"].__setitem__(0, 7))),
        ("string-for-a-flag", payload(lambda p: p["obsolete"].__setitem__(0, "false"))),
        ("list-for-a-replacement", payload(lambda p: p["replaced_by"].__setitem__(0, ["HP:0000001"]))),
        ("duplicate-id", payload(lambda p: p["id"].__setitem__(1, p["id"][0]))),
        ("counts-beyond-the-values", payload(lambda p: p["parents_count"].__setitem__(0, 10**9))),
        ("negative-count", payload(lambda p: p["synonyms_count"].__setitem__(0, -1))),
        ("float-count", payload(lambda p: p["alt_ids_count"].__setitem__(0, 0.0))),
        ("undefined-parent", payload(drop_parent_term)),
        ("deeply-nested", lambda d: d | {"payload": [[[[[]]]]] * 2}),
    ]


@pytest.mark.parametrize("edit", [c[1] for c in _crafted_ontology_caches()],
                         ids=[c[0] for c in _crafted_ontology_caches()])
def test_a_crafted_ontology_cache_file_is_a_miss_and_the_release_is_parsed_again(edit, tmp_path, monkeypatch):
    from engine.hpo import ontology

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    obo = CORPUS / "hp.obo"
    ontology._load_ontology_file.cache_clear()
    fresh = ontology.load_ontology(obo)
    (cached,) = (tmp_path / "cache" / "calcinosis-triage").glob("hpo-ontology-*.json")
    cached.write_text(json.dumps(edit(json.loads(cached.read_text(encoding="utf-8")))), encoding="utf-8")
    ontology._load_ontology_file.cache_clear()
    try:
        again = ontology.load_ontology(obo)
    finally:
        ontology._load_ontology_file.cache_clear()
    assert again == fresh and again is not fresh
    key = ontology.ontology_cache_key(obo.resolve())
    assert ontology.ontology_from_payload(json.loads(cached.read_text(encoding="utf-8"))["payload"], key) == fresh, \
        "the miss rewrote the file with the fresh parse"


@pytest.mark.parametrize("content", [b"", b"\xff\xfe not utf-8", b"{\"key\": ", b"[" * 100_000, b"null",
                                     b"{\"key\": 1, \"payload\": NaN}"])
def test_a_damaged_ontology_cache_file_is_a_miss(content, tmp_path, monkeypatch):
    from engine.hpo import ontology
    from engine.hpo.cache import read_json_cache

    path = tmp_path / "hpo-ontology-x.json"
    path.write_bytes(content)
    assert read_json_cache(path, "k") is None
    assert read_json_cache(tmp_path, "k") is None, "a folder where the file should be"
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        assert read_json_cache(tmp_path / "fifo", "k") is None, "a FIFO never blocks the start"
    assert ontology.ontology_from_payload(None, "k") is None


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n", "a,b\n 1 , 2 \n\n3,4\n", "a, b\n1,2\n", 'a,b\n"x, y","say ""hi"""\n', 'a,b\n"two\nlines",2\n',
    "a,b\n", "a,a\n1,2\n", "a,,b\n1,2,3\n", "a,b\n1,2,3\n", "a,b\n1\n", "a,b\n1,2,3\n4,5\n", "a,b\n , \n",
    "a,b\n,\n", "a,b\r\n1,2\r\n", "a,b\n1\r,2\n", 'a,b\n"x"y,2\n', "a,b\n1,\x002\n", "\na,b\n1,2\n", "", "   \n",
])
def test_the_pack_csv_fast_path_reads_what_pandas_reads_or_leaves_the_text_to_it(text):
    import io

    import pandas as pd

    from engine.knowledge.pack import _regular_csv

    regular = _regular_csv(text)
    if regular is None:
        return  # pandas reads it, as it always did
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True).map(str.strip)
    assert regular == (list(frame.columns), frame.to_dict("records"))

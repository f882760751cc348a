"""Phenopackets in the app: upload on Check, Teach and Analyze, download, and bad files that change nothing.

Runs on the shipped pack (its HPO IDs are real ones from hp.obo); the packets are built here.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from engine import load_pack
from engine.errors import InputError
from engine.evaluation.phenopackets import MAX_ZIP_TOTAL_BYTES, read_inputs, unpack_uploads
from engine.io.phenopacket import MAX_PHENOPACKET_BYTES, parse_phenopacket
from ui.components import phenopacket_files

from .conftest import analyze_page, check_page, teach_page, zipped
from .test_phenopacket import packet

# AppTest runs whole pages: seconds per test, so out of the inner loop (`-m "not slow and not browser"`)
pytestmark = pytest.mark.slow

TIMEOUT = 60
HARD_LUMP, SKIN_ULCER, KIDNEY = "HP:0001482", "HP:0200042", "HP:0012622"
CALCIPHYLAXIS_ORPHA = "ORPHA:280062"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def started(script) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, key: str, *files: tuple[str, bytes]) -> AppTest:
    value = [(n, c, "application/octet-stream") for n, c in files]
    at.file_uploader(key=key).set_value(value if len(value) > 1 else value[0]).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


# --- pure helpers ------------------------------------------------------------------------------------

def test_selection_ticks_full_matches_and_explains_every_term(pack):
    case = parse_phenopacket(json.dumps(packet([HARD_LUMP, SKIN_ULCER], [KIDNEY])), "p.json")
    present, absent, table = phenopacket_files.selection_from_packet(pack, case)
    assert HARD_LUMP in present and SKIN_ULCER in present and KIDNEY in absent
    assert set(table["term"]) >= {HARD_LUMP, SKIN_ULCER, KIDNEY}
    assert table[table["term"] == KIDNEY]["reported"].tolist()[0] == "absent"


def test_export_keeps_project_findings_and_round_trips(pack):
    text, left_out = phenopacket_files.export_json(pack, [HARD_LUMP, "CT:injury_at_site"], [KIDNEY], "sel",
                                                phenopacket_files.condition_diseases(pack, "calciphylaxis"))
    doc = json.loads(text)  # the local finding is an ontology class under the declared local prefix
    assert {"id": "CT:injury_at_site", "label": pack.finding("CT:injury_at_site").label} in [
        f["type"] for f in doc["phenotypicFeatures"]]
    assert "CT" in {r["namespacePrefix"] for r in doc["metaData"]["resources"]}
    back = parse_phenopacket(text, "sel.json")
    assert (back.present, back.absent, back.diseases) == ((HARD_LUMP, "CT:injury_at_site"), (KIDNEY,),
                                                          (CALCIPHYLAXIS_ORPHA,))
    assert left_out == []


def test_zip_uploads_are_unpacked_and_bombs_refused(pack):
    good = json.dumps(packet([HARD_LUMP], [], CALCIPHYLAXIS_ORPHA)).encode()
    files = unpack_uploads([("set.zip", zipped({"a/p1.json": good, "p2.json": good, "notes.txt": b"x"}, deflate=True)),
                            ("p3.json", good)])
    assert [n for n, _ in files] == ["set.zip/a/p1.json", "set.zip/p2.json", "p3.json"]
    assert len(read_inputs(files, pack).phenopackets) == 3
    with pytest.raises(InputError, match=r"set\.zip/big\.json: member is"):
        unpack_uploads([("set.zip", zipped({"big.json": b" " * (MAX_PHENOPACKET_BYTES + 1)}, deflate=True))])
    members = MAX_ZIP_TOTAL_BYTES // MAX_PHENOPACKET_BYTES + 2
    bomb = zipped({f"b{i}.json": b"0" * (MAX_PHENOPACKET_BYTES - 1) for i in range(members)}, deflate=True)
    assert len(bomb) < 1_000_000  # tiny on the wire
    with pytest.raises(InputError, match=r"bomb\.zip: unpacks to"):
        unpack_uploads([("bomb.zip", bomb)])
    with pytest.raises(InputError, match=r"junk\.zip: not a readable zip"):
        unpack_uploads([("junk.zip", b"PK not really")])


# --- pages -------------------------------------------------------------------------------------------

def test_check_upload_fills_ticks_and_a_bad_file_changes_nothing():
    at = started(check_page)
    good = json.dumps(packet([HARD_LUMP, SKIN_ULCER], [KIDNEY], pid="c1")).encode()
    upload(at, "check:phenopacket", ("c1.json", good))
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value and at.checkbox(key=f"check:tick:{SKIN_ULCER}").value
    before = list(at.session_state["check:state"].absent)
    assert KIDNEY in before  # with what it rules out below it (engine.match.mapping)
    assert "`c1.json`: 2 finding(s) ticked" in texts(at, "success")
    assert at.session_state["check:phenopacket_table"] is not None
    assert any(b.label.startswith("Download as a phenopacket") for b in at.get("download_button"))
    upload(at, "check:phenopacket", ("broken.json", b"{nope"))
    assert "broken.json: not valid JSON" in texts(at, "error") and "Nothing was changed" in texts(at, "error")
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value and at.session_state["check:state"].absent == before
    upload(at, "check:phenopacket", ("newer.json", json.dumps(packet(["HP:9999999"])).encode()))
    assert "newer.json: 1 term(s) not current in HPO release" in texts(at, "error")
    assert at.checkbox(key=f"check:tick:{HARD_LUMP}").value


def test_teach_upload_becomes_the_working_case_and_exports_its_disease():
    at = started(teach_page)
    good = json.dumps(packet([HARD_LUMP, SKIN_ULCER], [KIDNEY], CALCIPHYLAXIS_ORPHA, "t1")).encode()
    upload(at, "teach:phenopacket", ("t1.json", good))
    assert at.session_state["teach:present"] == [HARD_LUMP, SKIN_ULCER]
    assert at.session_state["teach:absent"] == [KIDNEY]
    assert at.session_state["teach:case_id"] == "phenopacket t1.json"
    assert at.session_state["teach:phenopacket_diseases"][1] == [(CALCIPHYLAXIS_ORPHA, "Disease")]
    assert any(b.label.startswith("Download as a phenopacket") for b in at.get("download_button"))
    upload(at, "teach:phenopacket", ("wrong.json", json.dumps({"id": "x", "subject": "me"}).encode()))
    assert "wrong.json: not a GA4GH phenopacket v2" in texts(at, "error")
    assert at.session_state["teach:present"] == [HARD_LUMP, SKIN_ULCER]


def test_analyze_upload_of_several_files_and_a_zip_then_a_bad_zip_keeps_them():
    at = started(analyze_page)
    p1 = json.dumps(packet([SKIN_ULCER, KIDNEY], [], CALCIPHYLAXIS_ORPHA, "a1")).encode()
    p2 = json.dumps(packet([HARD_LUMP], [], "OMIM:999999", "a2")).encode()
    upload(at, "analyze:phenopackets:upload", ("a1.json", p1), ("set.zip", zipped({"a2.json": p2}, deflate=True)))
    assert at.session_state["analyze:phenopackets:inputs"].n == 2
    at.toggle(key="analyze:phenopackets:on").set_value(True).run()
    assert not at.exception, at.exception
    assert "disease not a curated condition (1)" in texts(at, "caption")
    bad = zipped({"big.json": b" " * (MAX_PHENOPACKET_BYTES + 1)}, deflate=True)
    upload(at, "analyze:phenopackets:upload", ("bad.zip", bad))
    assert "`bad.zip/big.json` (`member is" in texts(at, "error") and "previous cases are kept" in texts(at, "error")
    assert at.session_state["analyze:phenopackets:inputs"].n == 2

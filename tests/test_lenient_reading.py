"""Reading many uploaded files at once: a bad file or zip member is skipped with its reason, the rest is read;
and the urgency figures' weighted kappa is scikit-learn's, to the last bit, at a fraction of the cost."""

from __future__ import annotations

import json
import math
import random
import warnings

import pytest

from engine.errors import InputError
from engine.evaluation.phenopackets import SkippedFile, read_inputs, unpack_uploads
from engine.evaluation.urgency import weighted_kappa
from engine.io.phenopacket import MAX_PHENOPACKET_BYTES

from .conftest import zipped
from .test_phenopacket import packet

HARD_LUMP = "HP:0001482"


def good(pid: str) -> bytes:
    return json.dumps(packet([HARD_LUMP], [], "ORPHA:280062", pid)).encode()


def test_bad_files_are_skipped_with_their_reason_and_the_rest_is_read():
    files = [("a.json", good("a")), ("broken.json", b"{nope"), ("b.json", good("b")),
             ("nodiag.json", json.dumps(packet([HARD_LUMP], [], None, "n")).encode()),
             ("other.json", b'{"hello": 1}')]
    skipped: list[SkippedFile] = []
    inputs = read_inputs(files, None, skipped=skipped)
    assert [p.id for p in inputs.phenopackets] == ["a", "b"]
    assert [s.name for s in skipped] == ["broken.json", "nodiag.json", "other.json"]
    reasons = {s.name: s.reason for s in skipped}
    assert reasons["broken.json"].startswith("not valid JSON")  # the name is not repeated in the reason
    assert reasons["nodiag.json"].startswith("no diagnosis")
    assert reasons["other.json"].startswith("neither a case file")
    with pytest.raises(InputError, match=r"broken\.json: not valid JSON"):  # without skipped=, as before
        read_inputs(files, None)


def test_a_case_file_repeating_an_id_is_skipped_whole(real_pack_and_cases):
    pack, cases = real_pack_and_cases
    case = {"id": "u1", "findings": [{"hpo_id": f, "present": True} for f in cases[0].present],
            "expected_condition": cases[0].expected}
    other = {**case, "id": "u2"}
    files = [("one.json", json.dumps([case]).encode()), ("two.json", json.dumps([other, case]).encode()),
             ("three.json", json.dumps([other]).encode())]
    skipped: list[SkippedFile] = []
    inputs = read_inputs(files, pack, skipped=skipped)
    assert [c.id for c in inputs.cases] == ["u1", "u2"]
    assert skipped == [SkippedFile("two.json", "duplicate case id 'u1'")]
    with pytest.raises(InputError, match="duplicate case id 'u1'"):
        read_inputs(files, pack)


def test_a_bad_zip_member_is_skipped_and_a_bad_zip_is_skipped_whole():
    big = b" " * (MAX_PHENOPACKET_BYTES + 1)
    uploads = [("set.zip", zipped({"p1.json": good("p1"), "big.json": big, "p2.json": good("p2")}, deflate=True)),
               ("junk.zip", b"PK not really"), ("empty.zip", zipped({"notes.txt": b"x"}, deflate=True)),
               ("p3.json", good("p3"))]
    skipped: list[SkippedFile] = []
    files = unpack_uploads(uploads, skipped=skipped)
    assert [n for n, _ in files] == ["set.zip/p1.json", "set.zip/p2.json", "p3.json"]
    assert [s.name for s in skipped] == ["set.zip/big.json", "junk.zip", "empty.zip"]
    assert skipped[0].reason.startswith("member is") and skipped[1].reason.startswith("not a readable zip")
    assert skipped[2].reason == "the zip holds no .json file"
    assert len(read_inputs(files, None).phenopackets) == 3
    with pytest.raises(InputError, match=r"set\.zip/big\.json: member is"):  # without skipped=, as before
        unpack_uploads(uploads)


def _sklearn_kappa(a: list[int], b: list[int]) -> float | None:
    """The previous implementation, through scikit-learn."""
    from sklearn.metrics import cohen_kappa_score

    if len(a) < 2:
        return None
    if len(set(a)) == 1 and len(set(b)) == 1:
        return 1.0 if a[0] == b[0] else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(a, b, labels=[0, 1, 2, 3], weights="linear"))
    return None if math.isnan(value) else value


def test_weighted_kappa_is_scikit_learns_to_the_last_bit():
    rng = random.Random(20251124)
    for _ in range(3000):
        n = rng.randint(1, 40)
        a = [rng.randrange(rng.randint(1, 4)) for _ in range(n)]
        b = [rng.randrange(rng.randint(1, 4)) for _ in range(n)]
        assert weighted_kappa(a, b) == _sklearn_kappa(a, b), (a, b)
    assert weighted_kappa([0, 1, 2, 3], [0, 1, 2, 3]) == 1.0
    assert weighted_kappa([2], [2]) is None  # one case: no kappa

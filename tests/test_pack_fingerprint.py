"""KnowledgePack.fingerprint: the key of the app's per-pack caches, so it must follow the content, not the object."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine import load_pack
from tests.conftest import MINI_PACK


def test_the_same_files_read_twice_give_the_same_fingerprint(mini_pack):
    again = load_pack(MINI_PACK, mini_pack.ontology)
    assert again is not mini_pack
    assert again.fingerprint == mini_pack.fingerprint
    assert len(mini_pack.fingerprint) == 64 and int(mini_pack.fingerprint, 16) >= 0  # a sha256 in hex


def test_any_change_of_content_changes_the_fingerprint(mini_pack):
    frequency = mini_pack.frequency.copy()
    frequency[0, 0] = 0.5 if frequency[0, 0] != 0.5 else 0.25
    changed = [
        replace(mini_pack, frequency=frequency),
        replace(mini_pack, findings=mini_pack.findings[:-1]),
        replace(mini_pack, findings=(replace(mini_pack.findings[0], lay_label="something else"),
                                     *mini_pack.findings[1:])),
        replace(mini_pack, name="another"),
        replace(mini_pack, data_dir=MINI_PACK.parent),
    ]
    prints = {p.fingerprint for p in changed}
    assert mini_pack.fingerprint not in prints and len(prints) == len(changed)


def test_it_is_computed_once_and_reads_arrays_in_full(mini_pack):
    pack = load_pack(MINI_PACK, mini_pack.ontology)
    first = pack.fingerprint
    assert pack.__dict__["fingerprint"] == first  # a cached property: later reads cost nothing
    # a change deep inside a large array (which repr would elide) still counts
    big = np.zeros((50, 50))
    bumped = big.copy()
    bumped[25, 25] = 1.0
    assert replace(pack, triage_costs=big).fingerprint != replace(pack, triage_costs=bumped).fingerprint

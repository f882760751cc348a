"""Invariants that must hold for any input (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import InputError, encode_case, load_pack, match_findings, prepare
from engine.knowledge.weights import default_weights
from engine.match.methods import METHODS
from engine.triage.levels import TRIAGE_LEVELS

from .conftest import MINI_PACK

PACK = load_pack(MINI_PACK)
WEIGHTS = default_weights(PACK)
IDS = list(PACK.finding_ids)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw):
    """Disjoint present and absent subsets of the pack's findings."""
    present = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    rest = [i for i in IDS if i not in present]
    absent = draw(st.lists(st.sampled_from(rest), unique=True, max_size=len(rest))) if rest else []
    assume(present or absent)  # nothing reported at all is an InputError (tests/test_hostile.py)
    return present, absent


@SETTINGS
@given(cases(), st.randoms(use_true_random=False), st.sampled_from(METHODS))
def test_order_of_findings_does_not_matter(case, rnd, method):
    present, absent = case
    shuffled_p, shuffled_a = present[:], absent[:]
    rnd.shuffle(shuffled_p)
    rnd.shuffle(shuffled_a)
    a = match_findings(PACK, present, absent, method, WEIGHTS)
    b = match_findings(PACK, shuffled_p, shuffled_a, method, WEIGHTS)
    assert [m.condition_id for m in a.ranking.matches] == [m.condition_id for m in b.ranking.matches]
    assert [m.score for m in a.ranking.matches] == [m.score for m in b.ranking.matches]
    assert a.triage.level == b.triage.level


@SETTINGS
@given(cases(), st.sampled_from(PACK.condition_ids), st.data())
def test_adding_a_profile_finding_never_lowers_the_weighted_score(case, condition_id, data):
    present, absent = case
    candidates = [f for f in PACK.profile(condition_id) if f not in present and f not in absent]
    assume(candidates)
    extra = data.draw(st.sampled_from(candidates))
    scorer = prepare(PACK, WEIGHTS, "weighted")
    i = PACK.condition_index[condition_id]
    before = encode_case(PACK, present, absent)
    after = encode_case(PACK, [*present, extra], absent)
    assert scorer.score(after.present, after.absent)[i] >= scorer.score(before.present, before.absent)[i] - 1e-12


@SETTINGS
@given(cases(), st.sampled_from(METHODS))
def test_ranking_is_a_deterministic_permutation_with_bounded_share(case, method):
    present, absent = case
    result = match_findings(PACK, present, absent, method, WEIGHTS)
    again = match_findings(PACK, present, absent, method, WEIGHTS)
    ids = [m.condition_id for m in result.ranking.matches]
    assert sorted(ids) == sorted(PACK.condition_ids)
    assert ids == [m.condition_id for m in again.ranking.matches]
    assert [m.rank for m in result.ranking.matches] == list(range(1, len(ids) + 1))
    scores = [m.score for m in result.ranking.matches]
    assert scores == sorted(scores, reverse=True)
    share = np.array([m.share for m in result.ranking.matches])
    assert np.all((share >= 0) & (share <= 1 + 1e-12))
    assert share.sum() == 0 or abs(share.sum() - 1) < 1e-9
    assert result.disclaimer and "not a diagnosis" in result.clinician_prompt


@SETTINGS
@given(cases())
def test_more_weight_on_a_matched_finding_never_lowers_a_weighted_score(case):
    present, absent = case
    assume(present)
    heavier = WEIGHTS.replace(finding_weights={present[0]: 3.0})
    base = prepare(PACK, WEIGHTS, "weighted")
    heavy = prepare(PACK, heavier, "weighted")
    enc = encode_case(PACK, present, absent)
    assert np.all(heavy.score(enc.present, enc.absent) >= base.score(enc.present, enc.absent) - 1e-12)


REAL = load_pack()
REAL_IDS = list(REAL.finding_ids)


@st.composite
def real_cases(draw):
    """A present list, one more present finding, and absent findings, from the shipped pack."""
    present = draw(st.lists(st.sampled_from(REAL_IDS), unique=True, max_size=8))
    extra = draw(st.sampled_from([i for i in REAL_IDS if i not in present]))
    rest = [i for i in REAL_IDS if i not in present and i != extra]
    absent = draw(st.lists(st.sampled_from(rest), unique=True, max_size=3))
    return present, extra, absent


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_cases(), st.sampled_from(METHODS))
def test_adding_a_finding_never_lowers_the_triage_level(case, method):
    present, extra, absent = case
    assume(present or absent)  # nothing reported at all is refused
    try:
        before = match_findings(REAL, present, absent, method)
        after = match_findings(REAL, [*present, extra], absent, method)
    except InputError:  # the extra finding contradicts an absent one (through an implication)
        assume(False)
    assert TRIAGE_LEVELS.index(after.triage.level) >= TRIAGE_LEVELS.index(before.triage.level)


@SETTINGS
@given(real_cases(), st.sampled_from(METHODS))
def test_shown_share_never_exceeds_the_share(case, method):
    present, _, absent = case
    assume(present or absent)  # nothing reported at all is refused
    try:
        result = match_findings(REAL, present, absent, method)
    except InputError:  # a present finding implies one reported absent: refused, not a case to check
        assume(False)
    shown = np.array([m.shown_share for m in result.ranking.matches])
    share = np.array([m.share for m in result.ranking.matches])
    assert np.all(shown <= share + 1e-12)
    assert shown.sum() <= 1 + 1e-9
    if len(present) < 2:
        assert result.evidence_level == "thin" and result.evidence_note

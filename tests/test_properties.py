"""Invariants that must hold for any input (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import InputError, encode_case, match_findings, prepare
from engine.match.methods import METHODS
from engine.triage.levels import TRIAGE_LEVELS

# The packs come from session fixtures (the mini pack, the shipped pack), never from module level, so collecting
# this file loads nothing; the strategies that need a pack's IDs are drawn inside the tests with ``st.data()``.

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw, ids):
    """Disjoint present and absent subsets of the findings ``ids``."""
    present = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    rest = [i for i in ids if i not in present]
    absent = draw(st.lists(st.sampled_from(rest), unique=True, max_size=len(rest))) if rest else []
    assume(present or absent)  # nothing reported at all is an InputError (tests/test_hostile.py)
    return present, absent


@SETTINGS
@given(st.data(), st.randoms(use_true_random=False), st.sampled_from(METHODS))
def test_order_of_findings_does_not_matter(mini_pack, mini_weights, data, rnd, method):
    pack, weights = mini_pack, mini_weights
    present, absent = data.draw(cases(list(pack.finding_ids)))
    shuffled_p, shuffled_a = present[:], absent[:]
    rnd.shuffle(shuffled_p)
    rnd.shuffle(shuffled_a)
    a = match_findings(pack, present, absent, method, weights)
    b = match_findings(pack, shuffled_p, shuffled_a, method, weights)
    assert [m.condition_id for m in a.ranking.matches] == [m.condition_id for m in b.ranking.matches]
    assert [m.score for m in a.ranking.matches] == [m.score for m in b.ranking.matches]
    assert a.triage.level == b.triage.level


@SETTINGS
@given(st.data())
def test_adding_a_profile_finding_never_lowers_the_weighted_score(mini_pack, mini_weights, data):
    pack, weights = mini_pack, mini_weights
    present, absent = data.draw(cases(list(pack.finding_ids)))
    condition_id = data.draw(st.sampled_from(pack.condition_ids))
    candidates = [f for f in pack.profile(condition_id) if f not in present and f not in absent]
    assume(candidates)
    extra = data.draw(st.sampled_from(candidates))
    scorer = prepare(pack, weights, "weighted")
    i = pack.condition_index[condition_id]
    before = encode_case(pack, present, absent)
    after = encode_case(pack, [*present, extra], absent)
    assert scorer.score(after.present, after.absent)[i] >= scorer.score(before.present, before.absent)[i] - 1e-12


@SETTINGS
@given(st.data(), st.sampled_from(METHODS))
def test_ranking_is_a_deterministic_permutation_with_bounded_share(mini_pack, mini_weights, data, method):
    pack, weights = mini_pack, mini_weights
    present, absent = data.draw(cases(list(pack.finding_ids)))
    result = match_findings(pack, present, absent, method, weights)
    again = match_findings(pack, present, absent, method, weights)
    ids = [m.condition_id for m in result.ranking.matches]
    assert sorted(ids) == sorted(pack.condition_ids)
    assert ids == [m.condition_id for m in again.ranking.matches]
    assert [m.rank for m in result.ranking.matches] == list(range(1, len(ids) + 1))
    scores = [m.score for m in result.ranking.matches]
    assert scores == sorted(scores, reverse=True)
    share = np.array([m.share for m in result.ranking.matches])
    assert np.all((share >= 0) & (share <= 1 + 1e-12))
    assert share.sum() == 0 or abs(share.sum() - 1) < 1e-9
    assert result.disclaimer and "not a diagnosis" in result.clinician_prompt


@SETTINGS
@given(st.data())
def test_more_weight_on_a_matched_finding_never_lowers_a_weighted_score(mini_pack, mini_weights, data):
    pack, weights = mini_pack, mini_weights
    present, absent = data.draw(cases(list(pack.finding_ids)))
    assume(present)
    heavier = weights.replace(finding_weights={present[0]: 3.0})
    base = prepare(pack, weights, "weighted")
    heavy = prepare(pack, heavier, "weighted")
    enc = encode_case(pack, present, absent)
    assert np.all(heavy.score(enc.present, enc.absent) >= base.score(enc.present, enc.absent) - 1e-12)


@st.composite
def real_cases(draw, ids):
    """A present list, one more present finding, and absent findings, from the findings ``ids``."""
    present = draw(st.lists(st.sampled_from(ids), unique=True, max_size=8))
    extra = draw(st.sampled_from([i for i in ids if i not in present]))
    rest = [i for i in ids if i not in present and i != extra]
    absent = draw(st.lists(st.sampled_from(rest), unique=True, max_size=3))
    return present, extra, absent


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(METHODS))
def test_adding_a_finding_never_lowers_the_triage_level(real_pack, data, method):
    real = real_pack
    present, extra, absent = data.draw(real_cases(list(real.finding_ids)))
    assume(present or absent)  # nothing reported at all is refused
    try:
        before = match_findings(real, present, absent, method)
        after = match_findings(real, [*present, extra], absent, method)
    except InputError:  # the extra finding contradicts an absent one (through an implication)
        assume(False)
    assert TRIAGE_LEVELS.index(after.triage.level) >= TRIAGE_LEVELS.index(before.triage.level)


@SETTINGS
@given(st.data(), st.sampled_from(METHODS))
def test_shown_share_never_exceeds_the_share(real_pack, data, method):
    real = real_pack
    present, _, absent = data.draw(real_cases(list(real.finding_ids)))
    assume(present or absent)  # nothing reported at all is refused
    try:
        result = match_findings(real, present, absent, method)
    except InputError:  # a present finding implies one reported absent: refused, not a case to check
        assume(False)
    shown = np.array([m.shown_share for m in result.ranking.matches])
    share = np.array([m.share for m in result.ranking.matches])
    assert np.all(shown <= share + 1e-12)
    assert shown.sum() <= 1 + 1e-9
    if len(present) < 2:
        assert result.evidence_level == "thin" and result.evidence_note

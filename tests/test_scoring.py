"""The methods on the mini pack, against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import InputError, default_weights, encode_case, explain, match_findings, prepare
from engine.match.methods import METHODS, specificity
from engine.match.methods.overlap import set_similarity
from engine.match.scoring import match_shares, rank_order

DCC, INFECTION, CALCI = "dystrophic_calcinosis_cutis", "skin_infection", "calciphylaxis"
CALCINOSIS, NODULE, ULCER, FEVER, CKD = "HP:0025520", "HP:0001482", "HP:0200042", "HP:0001945", "HP:0012622"


def scores(pack, weights, method, present, absent=()):
    case = encode_case(pack, present, absent)
    return dict(zip(pack.condition_ids, prepare(pack, weights, method).score(case.present, case.absent), strict=True))


def test_overlap_is_jaccard_of_the_sets(mini_pack, mini_weights):
    s = scores(mini_pack, mini_weights, "overlap", [CALCINOSIS, NODULE])
    assert s[DCC] == pytest.approx(2 / 4)  # {calcinosis, nodule} vs {calcinosis, nodule, ulcer, injury}
    assert s[CALCI] == pytest.approx(1 / 4)  # union {calcinosis, nodule, ckd, ulcer}
    assert s[INFECTION] == 0.0


@pytest.mark.parametrize(("similarity", "expected"), [("dice", 2 * 2 / (2 + 4)), ("cosine", 2 / math.sqrt(2 * 4))])
def test_overlap_dice_and_cosine(mini_pack, mini_weights, similarity, expected):
    w = mini_weights.replace(params={"overlap_similarity": similarity})
    assert scores(mini_pack, w, "overlap", [CALCINOSIS, NODULE])[DCC] == pytest.approx(expected)


def test_specificity_is_smoothed_idf(mini_pack):
    idf = dict(zip(mini_pack.finding_ids, specificity(mini_pack), strict=True))
    assert idf[CALCINOSIS] == pytest.approx(math.log(4 / 3) + 1)  # in 2 of 3 profiles
    assert idf[CKD] == pytest.approx(math.log(4 / 2) + 1)  # in 1 of 3
    assert idf[ULCER] == pytest.approx(math.log(4 / 4) + 1)  # in all 3


def test_specificity_agrees_with_scikit_learn(real_pack_and_cases):
    from sklearn.feature_extraction.text import TfidfTransformer

    pack, _ = real_pack_and_cases
    expected = TfidfTransformer(smooth_idf=True).fit((pack.frequency > 0).astype(float)).idf_
    np.testing.assert_allclose(specificity(pack), expected, rtol=0, atol=1e-12)


def test_weighted_by_hand(mini_pack, mini_weights):
    s = scores(mini_pack, mini_weights, "weighted", [CALCINOSIS])
    idf_calc, idf_ckd = math.log(4 / 3) + 1, math.log(2) + 1
    assert s[DCC] == pytest.approx(idf_calc * 0.9 * (1 + 1.0))  # hallmark bonus 1.0, no hallmark missing
    # calciphylaxis: calcinosis (not a hallmark there) minus 0.1 x its unreported hallmark CKD
    assert s[CALCI] == pytest.approx(idf_calc * 0.2 - 0.1 * idf_ckd * 0.95)
    # infection: only the unreported hallmark fever costs
    assert s[INFECTION] == pytest.approx(-0.1 * (math.log(4 / 2) + 1) * 0.6)


def test_weighted_absent_finding_is_penalised(mini_pack, mini_weights):
    s = scores(mini_pack, mini_weights, "weighted", [ULCER], [FEVER])
    idf_fever, idf_ulcer = math.log(2) + 1, 1.0
    assert s[INFECTION] == pytest.approx(idf_ulcer * 0.5 - 1.0 * idf_fever * 0.6 * 2)


def test_likelihood_by_hand(mini_pack, mini_weights):
    s = scores(mini_pack, mini_weights, "likelihood", [CALCINOSIS], [FEVER])
    prior = np.array([1.0, 2.0, 0.5]) / 3.5
    p_calc = np.array([0.9, 0.02, 0.2])  # leak 0.02 where not in the profile
    p_fever = np.array([0.02, 0.6, 0.02])
    bg_calc, bg_fever = prior @ p_calc, prior @ p_fever
    for i, cid in enumerate((DCC, INFECTION, CALCI)):
        expected = (math.log10(prior[i] * 3.5) + math.log10(p_calc[i] / bg_calc)
                    + math.log10((1 - p_fever[i]) / (1 - bg_fever)))
        assert s[cid] == pytest.approx(expected)


def test_tfidf_is_the_cosine_of_scikit_learn_tfidf_vectors(real_pack_and_cases):
    from sklearn.metrics.pairwise import cosine_similarity

    pack, cases = real_pack_and_cases
    weights = default_weights(pack)
    idf = specificity(pack)
    scorer = prepare(pack, weights, "tfidf")
    for case in cases[:20]:
        encoded = encode_case(pack, case.present, case.absent)
        expected = cosine_similarity((encoded.present * idf)[None, :], pack.frequency * idf)[0]
        np.testing.assert_allclose(scorer.score(encoded.present, encoded.absent), expected, atol=1e-12)


def test_tfidf_ignores_absent_findings_and_priors(mini_pack, mini_weights):
    plain = scores(mini_pack, mini_weights, "tfidf", [CALCINOSIS])
    assert scores(mini_pack, mini_weights, "tfidf", [CALCINOSIS], [FEVER]) == pytest.approx(plain)
    other_priors = mini_weights.replace(priors={DCC: 0.001})
    assert scores(mini_pack, other_priors, "tfidf", [CALCINOSIS]) == pytest.approx(plain)
    # calcinosis is in two profiles: the one where it weighs more of the profile vector scores higher
    assert plain[DCC] > plain[CALCI] > 0 and plain[INFECTION] == 0


def test_likelihood_share_is_the_posterior(mini_pack, mini_weights):
    result = match_findings(mini_pack, [CALCINOSIS], method="likelihood", weights=mini_weights)
    raw = np.array([m.score for m in result.ranking.matches])
    post = 10**raw / (10**raw).sum()
    assert [m.share for m in result.ranking.matches] == pytest.approx(list(post))


def test_tfidf_absent_weight_multiplies_by_the_chance_of_absence(mini_pack, mini_weights):
    """With absent_weight a, a finding marked absent multiplies each cosine by 1 - a x its frequency there."""
    plain = scores(mini_pack, mini_weights, "tfidf", [CALCINOSIS, ULCER])
    half = mini_weights.replace(params={"absent_weight": 0.5})
    assert scores(mini_pack, half, "tfidf", [CALCINOSIS, ULCER]) == plain  # nothing absent: unchanged
    s = scores(mini_pack, half, "tfidf", [CALCINOSIS, ULCER], [FEVER])
    assert s[INFECTION] == pytest.approx(plain[INFECTION] * (1 - 0.5 * 0.6))  # fever in 60 % of infections
    assert s[DCC] == plain[DCC] and s[CALCI] == plain[CALCI]  # not in their profiles
    assert min(s.values()) >= 0  # a multiplier: never below a condition that matched nothing


def test_tfidf_absent_weight_one_is_capped_like_the_likelihood(mini_pack, mini_weights):
    """At a = 1 a finding seen in every case of a condition leaves max_frequency's remainder, never zero."""
    full = mini_weights.replace(params={"absent_weight": 1.0})
    scorer = prepare(mini_pack, full, "tfidf")
    assert np.all(np.isfinite(scorer.absent_terms))
    assert np.exp(scorer.absent_terms).min() >= 1 - full.params.max_frequency - 1e-12


@pytest.mark.parametrize("absent_weight", [0.0, 0.3, 1.0])
def test_tfidf_contributions_add_up_with_absent_findings(mini_pack, mini_weights, absent_weight):
    weights = mini_weights.replace(params={"absent_weight": absent_weight})
    case = encode_case(mini_pack, [CALCINOSIS, ULCER], [FEVER, "CT:past_skin_injury"])
    for m in explain(prepare(mini_pack, weights, "tfidf"), case).matches:
        assert sum(c.contribution for c in m.contributions) == pytest.approx(m.score, abs=1e-12), m.condition_id


@pytest.mark.parametrize("method", METHODS)
def test_contributions_add_up_to_the_score(mini_pack, mini_weights, method):
    case = encode_case(mini_pack, [CALCINOSIS, ULCER, "CT:past_skin_injury"], [FEVER])
    scorer = prepare(mini_pack, mini_weights, method)
    ranking = explain(scorer, case)
    for m in ranking.matches:
        total = m.base + sum(c.contribution for c in m.contributions)
        assert total == pytest.approx(m.score), m.condition_id


def test_explanation_lists_matched_missing_unexplained(mini_pack, mini_weights):
    result = match_findings(mini_pack, [CALCINOSIS, FEVER], ["CT:past_skin_injury"], method="weighted",
                    weights=mini_weights)
    dcc = result.ranking.match(DCC)
    assert dcc.matched == (CALCINOSIS,)
    assert dcc.unexplained == (FEVER,)
    assert dcc.ruled_out == ("CT:past_skin_injury",)
    assert NODULE in dcc.expected_not_reported  # frequency 0.8 >= 0.5
    assert ULCER not in dcc.expected_not_reported  # frequency 0.3, not a hallmark
    assert "Matches 1 of your findings" in dcc.why()


def test_batch_equals_single(mini_pack, mini_weights):
    cases = [encode_case(mini_pack, p, a) for p, a in [([CALCINOSIS], []), ([FEVER, ULCER], [CKD]), ([CKD], [])]]
    for method in METHODS:
        scorer = prepare(mini_pack, mini_weights, method)
        batch = scorer.score_batch(np.stack([c.present for c in cases]), np.stack([c.absent for c in cases]))
        for row, case in zip(batch, cases, strict=True):
            assert row == pytest.approx(scorer.score(case.present, case.absent))


def test_ties_break_by_condition_id():
    ids = ("b_cond", "a_cond", "c_cond")
    assert list(rank_order(np.array([1.0, 1.0, 2.0]), ids)) == [2, 1, 0]


def test_nothing_reported_gives_no_share_for_non_probabilistic_methods():
    assert match_shares("weighted", np.array([-1.0, -2.0])).sum() == 0.0
    assert match_shares("likelihood", np.array([0.0, 0.0])) == pytest.approx([0.5, 0.5])


def test_unknown_method_is_an_input_error(mini_pack, mini_weights):
    with pytest.raises(InputError, match="unknown method 'magic'"):
        prepare(mini_pack, mini_weights, "magic")


def test_weights_change_scores(mini_pack, mini_weights):
    heavier = mini_weights.replace(finding_weights={CALCINOSIS: 2.0})
    before = scores(mini_pack, mini_weights, "weighted", [CALCINOSIS])[DCC]
    assert scores(mini_pack, heavier, "weighted", [CALCINOSIS])[DCC] == pytest.approx(2 * before)
    boosted = mini_weights.replace(priors={CALCI: 5.0})
    assert (scores(mini_pack, boosted, "likelihood", [CALCINOSIS])[CALCI]
            > scores(mini_pack, mini_weights, "likelihood", [CALCINOSIS])[CALCI])


def test_score_is_the_ranking_of_triage(mini_pack, mini_weights):
    from engine import score

    ranking = score(mini_pack, [CALCINOSIS, ULCER], [FEVER], "weighted", mini_weights)
    full = match_findings(mini_pack, [CALCINOSIS, ULCER], [FEVER], "weighted", mini_weights)
    assert ranking == full.ranking


@pytest.mark.parametrize("similarity", ["jaccard", "dice"])
def test_set_similarity_is_bit_for_bit_scikit_learn(similarity):
    from sklearn.metrics.pairwise import pairwise_distances

    rng = np.random.default_rng(5)
    for _ in range(50):
        n, c, f = rng.integers(1, 30), rng.integers(1, 20), rng.integers(1, 300)
        cases, profiles = rng.random((n, f)) < rng.random(), rng.random((c, f)) < rng.random()
        cases[:, 0] = True  # the overlap method scores only cases with a finding
        expected = 1.0 - pairwise_distances(cases, profiles, metric=similarity)
        assert np.array_equal(set_similarity(cases, profiles, similarity), expected)

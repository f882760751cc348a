"""The next best question separates the top candidates (expected information gain)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import encode_case, match_findings, prepare, suggest_next
from engine.match.explain import explain
from engine.match.next_question import _best_first

CALCINOSIS, ULCER, CKD = "HP:0025520", "HP:0200042", "HP:0012622"


def test_suggests_an_unasked_finding_that_separates(mini_pack, mini_weights):
    result = match_findings(mini_pack, [CALCINOSIS, ULCER], method="likelihood", weights=mini_weights)
    asked = {CALCINOSIS, ULCER}
    assert result.next_questions
    assert all(q.finding_id not in asked for q in result.next_questions)
    best = result.next_questions[0]
    assert best.finding_id == CKD  # splits calcinosis-with-ulcer into DCC vs calciphylaxis
    assert best.favours == "calciphylaxis"
    assert best.information_gain > 0
    gains = [q.information_gain for q in result.next_questions]
    assert gains == sorted(gains, reverse=True)
    assert "Seen in about 95%" in best.reason


def test_information_gain_by_hand_for_two_equal_candidates(mini_pack, mini_weights):
    w = mini_weights.replace(params={"next_question_candidates": 2})
    case = encode_case(mini_pack, [ULCER])
    ranking = explain(prepare(mini_pack, w, "likelihood"), case)
    top = ranking.matches[:2]
    p = [m.share for m in top]
    p = [x / sum(p) for x in p]
    questions = {q.finding_id: q for q in suggest_next(mini_pack, w, case, ranking, n=10)}
    freq = {m.condition_id: mini_pack.profile(m.condition_id) for m in top}
    fid = next(iter(questions))
    q = [min(max(freq[m.condition_id].get(fid, 0.02), 0.02), 0.99) for m in top]

    def h(ps):
        return -sum(x * math.log2(x) for x in ps if x > 0)

    yes = sum(pi * qi for pi, qi in zip(p, q, strict=True))
    post_yes = [pi * qi / yes for pi, qi in zip(p, q, strict=True)]
    post_no = [pi * (1 - qi) / (1 - yes) for pi, qi in zip(p, q, strict=True)]
    expected = h(p) - yes * h(post_yes) - (1 - yes) * h(post_no)
    assert questions[fid].information_gain == pytest.approx(expected)


def test_everything_asked_leaves_no_question(mini_pack, mini_weights):
    result = match_findings(mini_pack, list(mini_pack.finding_ids), weights=mini_weights)
    assert result.next_questions == ()


def test_best_first_equals_sorting_every_gain_by_the_rule():
    """Rounding only the raw leaders picks the same questions, in the same order, as rounding every gain."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        size = int(rng.integers(1, 40))
        # Few distinct values, nudged by less than the tie precision, with some -inf: many exact and near ties.
        gain = rng.choice([0.5, 0.25, 1e-9, 0.0], size) + rng.choice([0.0, 3e-13, -3e-13, 2e-12], size)
        gain[rng.random(size) < 0.2] = -np.inf
        tie_key = rng.permutation(size)
        expected = sorted(range(size), key=lambda j: (-round(float(gain[j]), 12), tie_key[j]))
        for n in (1, 3, size):
            assert _best_first(gain, tie_key, n) == expected[:n]

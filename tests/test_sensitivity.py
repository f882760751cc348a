"""Sensitivity of the rankings to each finding weight and prior (engine/evaluation/sensitivity.py), on the mini pack."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Case, evaluate
from engine.evaluation.sensitivity import encode_cases, expected_ranks, sensitivity
from engine.match.methods import METHODS
from engine.match.scoring import rank_matrix, rank_order

DCC, INFECTION, CALCIPHYLAXIS = "dystrophic_calcinosis_cutis", "skin_infection", "calciphylaxis"
ULCER, CALCINOSIS, NODULE, CKD = "HP:0200042", "HP:0025520", "HP:0001482", "HP:0012622"
FEVER, INJURY = "HP:0001945", "CT:past_skin_injury"  # in no case below


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [
        Case("ulcer-only", (ULCER,), (), DCC),  # a close call between all three
        Case("classic", (CALCINOSIS, NODULE), (CKD,), DCC),
        Case("kidney", (ULCER, CKD), (), CALCIPHYLAXIS),
    ]


def by_key(rows):
    return {(r.kind, r.key): r for r in rows}


def test_rank_matrix_matches_rank_order_with_ties():
    ids = ("b", "a", "c")
    scores = np.array([[1.0, 1.0, 0.5], [0.0, 2.0, 3.0]])
    ranks = rank_matrix(scores, ids)
    for row, r in zip(scores, ranks, strict=True):
        expected = np.empty(3, dtype=int)
        expected[rank_order(row, ids)] = [1, 2, 3]
        assert r.tolist() == expected.tolist()


@pytest.mark.parametrize("method", METHODS)
def test_expected_ranks_agree_with_evaluate(mini_pack, mini_weights, cases, method):
    encoded = encode_cases(mini_pack, cases, 0.5)
    ranks = expected_ranks(mini_pack, mini_weights, method, encoded)
    assert ranks.tolist() == [c.rank for c in evaluate(mini_pack, cases, method, mini_weights).cases]


def test_a_weight_that_matters_moves_rankings(mini_pack, mini_weights, cases):
    rows = by_key(sensitivity(mini_pack, cases, "likelihood", mini_weights))
    assert rows[("finding", ULCER)].mean_abs_rank_change > 0
    assert rows[("finding", ULCER)].cases_moved == 1
    assert rows[("prior", CALCIPHYLAXIS)].mean_abs_rank_change > 0
    assert rows[("finding", CALCINOSIS)].mean_abs_share_change > 0


@pytest.mark.parametrize(("method", "finding"), [("likelihood", FEVER), ("likelihood", INJURY), ("weighted", INJURY)])
def test_a_finding_in_no_case_moves_nothing(mini_pack, mini_weights, cases, method, finding):
    row = by_key(sensitivity(mini_pack, cases, method, mini_weights))[("finding", finding)]
    assert row.mean_abs_rank_change == 0
    assert row.mean_abs_share_change == pytest.approx(0, abs=1e-12)
    assert row.cases_moved == 0 and row.mrr_up == 0 and row.mrr_down == 0


def test_most_influential_first_and_overlap_ignores_weights(mini_pack, mini_weights, cases):
    rows = sensitivity(mini_pack, cases, "likelihood", mini_weights)
    assert len(rows) == len(mini_pack.findings) + len(mini_pack.conditions)
    changes = [r.mean_abs_rank_change for r in rows]
    assert changes == sorted(changes, reverse=True)
    overlap = sensitivity(mini_pack, cases, "overlap", mini_weights)
    assert all(r.mean_abs_rank_change == 0 and r.mean_abs_share_change == 0 for r in overlap)


def test_weighted_ignores_priors(mini_pack, mini_weights, cases):
    rows = sensitivity(mini_pack, cases, "weighted", mini_weights)
    assert all(r.mean_abs_share_change == 0 for r in rows if r.kind == "prior")


def test_no_cases_gives_no_rows(mini_pack, mini_weights):
    assert sensitivity(mini_pack, [], "likelihood", mini_weights) == []

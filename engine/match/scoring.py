"""Scoring with any registered method (:mod:`engine.match.methods`), vectorised over all conditions and over
many cases at once, and the one ranking rule applied to the scores.

Each method turns the case vectors ``x`` (credit present) and ``z`` (credit absent) over the pack's findings
into one score per condition, explains it as per-finding contributions and turns scores into shares of the
match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match import ties
from engine.match.methods import Scorer, get_method

__all__ = ["Scorer", "match_shares", "prepare", "rank_matrix", "rank_order"]


def prepare(pack: KnowledgePack, weights: Weights, method: str) -> Scorer:
    """Precompute the per-condition matrices of ``method`` (done once per pack, weights and method)."""
    return get_method(method).prepare(pack, weights)


def match_shares(method: str, scores: np.ndarray) -> np.ndarray:
    """Each condition's share of the match (0..1, summing to 1 over the pack; all 0 if nothing matched).

    For ``likelihood`` this is the posterior among the listed conditions (a closed world); for the
    other methods the positive scores normalised to sum to one.
    """
    return get_method(method).shares(scores)


def rank_matrix(scores: np.ndarray, condition_ids: Sequence[str]) -> np.ndarray:
    """Ranks (1 = best) of shape (n, C) for scores of shape (n, C), by the one ranking rule
    (:mod:`engine.match.ties`: score descending, ties by condition_id)."""
    return ties.rank_matrix(scores, ties.tie_key(tuple(condition_ids)))


def rank_order(scores: np.ndarray, condition_ids: Sequence[str]) -> np.ndarray:
    """Indices of one case's conditions from best to worst (the rule of :func:`rank_matrix`)."""
    return ties.best_first(scores, ties.tie_key(tuple(condition_ids)))

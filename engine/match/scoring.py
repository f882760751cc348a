"""The scoring methods, vectorised over all conditions (and over many cases at once).

Each method turns the case vectors ``x`` (credit present) and ``z`` (credit
absent) over the pack's findings into one score per condition. ``weighted``
and ``likelihood`` are sums of per-finding terms, so their explanation is exact:
score = base + sum of contributions. ``tfidf`` is a cosine, a sum of per-finding
terms divided by the case vector's length, so it is exact too. ``overlap`` is a
set similarity; its contributions are each matched finding's share of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match import ties
from engine.match.methods import check_method


def specificity(pack: KnowledgePack) -> np.ndarray:
    """Smoothed inverse document frequency of each finding across the conditions' profiles.

    ``idf_f = ln((1 + C) / (1 + df_f)) + 1``, ``df_f`` the number of the ``C`` conditions whose profile
    has ``f``: scikit-learn's ``TfidfTransformer(smooth_idf=True)`` formula, written out because importing
    scikit-learn costs over a second of start-up (tests/test_scoring.py checks both agree).
    """
    presence = pack.frequency > 0
    df = presence.sum(axis=0).astype(np.float64)
    idf: np.ndarray = np.log((1.0 + presence.shape[0]) / (1.0 + df)) + 1.0
    return idf


@dataclass(frozen=True, eq=False)
class Scorer:
    """A method prepared for one pack and one set of weights; score one case or a batch.

    Attributes
    ----------
    base
        Per-condition constant, shape (C,): the log prior for ``likelihood``, else 0.
    present_terms, absent_terms
        Per-condition, per-finding terms, shape (C, F): the contribution of a finding
        with credit 1 present / absent.
    missing_terms
        Per-condition, per-finding cost of a hallmark nobody reported (``weighted`` only).
    case_weights
        Per-finding factor of the case vector, shape (F,): weight x idf (``tfidf`` only).
    """

    pack: KnowledgePack
    weights: Weights
    method: str
    base: np.ndarray
    present_terms: np.ndarray
    absent_terms: np.ndarray
    missing_terms: np.ndarray
    case_weights: np.ndarray | None = None

    def score_batch(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Scores of shape (n cases, C) for credit matrices of shape (n, F)."""
        if self.method == "overlap":
            return _overlap_batch(self.pack, present, self.weights.params.overlap_similarity)
        if self.method == "tfidf":
            cosine: np.ndarray = (present @ self.present_terms.T) / self._case_norm(present)[:, None]
            return cosine
        # Unreported hallmarks cost missing_terms; computed as "all cost" minus "reported ones refunded".
        reported = np.maximum(present, absent)
        scores: np.ndarray = (self.base - self.missing_terms.sum(axis=1) + present @ self.present_terms.T
                              + absent @ self.absent_terms.T + reported @ self.missing_terms.T)
        return scores

    def score(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Scores of shape (C,) for one case."""
        one: np.ndarray = self.score_batch(present[None, :], absent[None, :])[0]
        return one

    def contributions(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Per-condition, per-finding contributions (C, F) that sum, with ``base``, to the scores."""
        if self.method == "overlap":
            scores = self.score(present, absent)
            matched = (self.pack.frequency > 0) & (present >= 0.5)
            counts = matched.sum(axis=1, keepdims=True)
            return np.where(matched, scores[:, None] / np.maximum(counts, 1), 0.0)
        if self.method == "tfidf":
            tfidf_parts: np.ndarray = present * self.present_terms / self._case_norm(present[None, :])[0]
            return tfidf_parts
        reported = np.maximum(present, absent)
        unreported_hallmark = self.missing_terms * (1.0 - reported)
        parts: np.ndarray = present * self.present_terms + absent * self.absent_terms - unreported_hallmark
        return parts


    def _case_norm(self, present: np.ndarray) -> np.ndarray:
        """Length of each case's tf-idf vector (credit x weight x idf); 1 for an empty case (score 0)."""
        assert self.case_weights is not None  # set by prepare() for tfidf
        norm: np.ndarray = np.linalg.norm(present * self.case_weights, axis=1)
        return np.where(norm > 0, norm, 1.0)


def prepare(pack: KnowledgePack, weights: Weights, method: str) -> Scorer:
    """Precompute the per-condition matrices of ``method`` (done once per pack, weights and method)."""
    check_method(method)
    c, f = pack.frequency.shape
    w = np.array([weights.finding_weights[x.id] for x in pack.findings])
    prior = np.array([weights.priors[x.id] for x in pack.conditions])
    zeros = np.zeros((c, f))
    if method == "overlap":
        return Scorer(pack, weights, method, np.zeros(c), zeros, zeros, zeros)
    p = pack.frequency
    if method == "tfidf":
        # Vector-space model: the case is credit x weight x idf, each condition frequency x weight x idf;
        # the score is their cosine. present_terms hold the unit-length condition vectors times the
        # case-side factor, so score = present @ present_terms.T / |case vector| and the per-finding
        # parts sum to it. No prior, no absent terms, no hallmark costs.
        factor = w * specificity(pack)
        profile = p * factor
        length = np.linalg.norm(profile, axis=1, keepdims=True)
        unit = profile / np.where(length > 0, length, 1.0)
        return Scorer(pack, weights, method, np.zeros(c), unit * factor, zeros, zeros, case_weights=factor)
    if method == "weighted":
        unit = w * specificity(pack) * p
        bonus = 1.0 + weights.params.hallmark_bonus * pack.hallmark
        missing = weights.params.missing_hallmark_penalty * unit * pack.hallmark
        return Scorer(pack, weights, method, np.zeros(c), unit * bonus,
                      -weights.params.absent_penalty * unit * bonus, missing)
    leak, cap = weights.params.leak, weights.params.max_frequency
    pc = np.clip(np.where(p > 0, p, leak), leak, cap)
    background = (prior / prior.sum()) @ pc
    present_terms = w * np.log10(pc / background)
    absent_terms = w * np.log10((1.0 - pc) / (1.0 - background))
    return Scorer(pack, weights, method, np.log10(prior), present_terms, absent_terms, zeros)


def _overlap_batch(pack: KnowledgePack, present: np.ndarray, similarity: str) -> np.ndarray:
    profiles = pack.frequency > 0
    cases = present >= 0.5
    out = np.zeros((cases.shape[0], profiles.shape[0]))
    rows = cases.any(axis=1)
    if rows.any():
        if similarity == "cosine":
            from sklearn.metrics.pairwise import pairwise_distances  # lazily: see specificity()

            out[rows] = 1.0 - pairwise_distances(cases[rows], profiles, metric="cosine")
        else:
            out[rows] = _set_similarity(cases[rows], profiles, similarity)
    return out


def _set_similarity(cases: np.ndarray, profiles: np.ndarray, similarity: str) -> np.ndarray:
    """Jaccard or Dice similarity (n, C) of boolean case rows (n, F) and profiles (C, F).

    Computed as SciPy's distances behind ``pairwise_distances`` are, one minus a ratio of whole counts
    (findings in one set only, over the union or over twice the shared ones plus those), so the values
    are bit for bit the same (tests/test_scoring.py) without its input checks, which took about 0.2 ms
    of every explained result.
    """
    shared = cases.astype(float) @ profiles.T.astype(float)
    differ = cases.sum(axis=1)[:, None] + profiles.sum(axis=1)[None, :] - 2.0 * shared
    distance: np.ndarray = differ / (differ + (shared if similarity == "jaccard" else 2.0 * shared))
    return 1.0 - distance


def relative_strength(method: str, scores: np.ndarray) -> np.ndarray:
    """Each condition's share of the match (0..1, summing to 1 over the pack; all 0 if nothing matched).

    For ``likelihood`` this is the posterior among the listed conditions (a closed world); for the
    other methods the positive scores normalised to sum to one.
    """
    if method == "likelihood":
        shifted = np.power(10.0, scores - scores.max())
        posterior: np.ndarray = shifted / shifted.sum()
        return posterior
    positive = np.clip(scores, 0.0, None)
    total = positive.sum()
    return positive / total if total > 0 else np.zeros_like(scores)


def rank_matrix(scores: np.ndarray, condition_ids: Sequence[str]) -> np.ndarray:
    """Ranks (1 = best) of shape (n, C) for scores of shape (n, C), by the one ranking rule
    (:mod:`engine.match.ties`: score descending, ties by condition_id)."""
    return ties.rank_matrix(scores, ties.tie_key(tuple(condition_ids)))


def rank_order(scores: np.ndarray, condition_ids: Sequence[str]) -> np.ndarray:
    """Indices of one case's conditions from best to worst (the rule of :func:`rank_matrix`)."""
    return ties.best_first(scores, ties.tie_key(tuple(condition_ids)))

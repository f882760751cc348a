"""What every curated ranking method is: its metadata (:class:`MethodInfo`), and the four things it does
(:class:`Method`): prepare its per-condition terms for a pack and weights, score cases, split a score into
per-finding contributions, and turn scores into each condition's share of the match.

A method prepared for one pack and one set of weights is a :class:`Scorer`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights


@dataclass(frozen=True)
class MethodInfo:
    """One ranking method: its name, a title for people, what it does, and its formula.

    ``axis`` says how to read the method's score on a chart (higher is always closer).
    """

    name: str
    title: str
    summary: str
    latex: str = ""
    axis: str = ""
    uses_priors: bool = False
    uses_absent: bool = False


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


class Method(ABC):
    """A curated ranking method. Subclasses set :attr:`info` and implement the abstract methods; the registry
    (:mod:`engine.match.methods`) holds one instance of each."""

    info: MethodInfo

    @property
    def name(self) -> str:
        return self.info.name

    @abstractmethod
    def prepare(self, pack: KnowledgePack, weights: Weights) -> Scorer:
        """Precompute the per-condition terms for ``pack`` and ``weights`` (once per pack, weights and method)."""

    @abstractmethod
    def score_batch(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Scores of shape (n cases, C) for credit matrices of shape (n, F)."""

    @abstractmethod
    def contributions(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Per-condition, per-finding contributions (C, F) of one case that sum, with ``scorer.base``, to its
        scores."""

    def shares(self, scores: np.ndarray) -> np.ndarray:
        """Each condition's share of the match (0..1, summing to 1 over the pack; all 0 if nothing matched):
        the positive scores normalised to sum to one."""
        positive = np.clip(scores, 0.0, None)
        total = positive.sum()
        return positive / total if total > 0 else np.zeros_like(scores)

    def __repr__(self) -> str:
        return f"<method {self.name}>"


@dataclass(frozen=True, eq=False)
class Scorer:
    """A method prepared for one pack and one set of weights; score one case or a batch.

    Attributes
    ----------
    method
        The method (:class:`Method`) that prepared it; ``method.name`` is its registry name.
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
    method: Method
    base: np.ndarray
    present_terms: np.ndarray
    absent_terms: np.ndarray
    missing_terms: np.ndarray
    case_weights: np.ndarray | None = None

    def score_batch(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Scores of shape (n cases, C) for credit matrices of shape (n, F)."""
        return self.method.score_batch(self, present, absent)

    def score(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Scores of shape (C,) for one case."""
        one: np.ndarray = self.score_batch(present[None, :], absent[None, :])[0]
        return one

    def contributions(self, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Per-condition, per-finding contributions (C, F) that sum, with ``base``, to the scores."""
        return self.method.contributions(self, present, absent)

    def shares(self, scores: np.ndarray) -> np.ndarray:
        """Each condition's share of the match for one case's scores (:meth:`Method.shares`)."""
        return self.method.shares(scores)


class LinearMethod(Method, ABC):
    """A method whose score is a sum of per-finding terms: base + present terms + absent terms - the cost of
    hallmarks nobody reported. Its explanation is exact: score = base + sum of contributions."""

    def score_batch(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        # Unreported hallmarks cost missing_terms; computed as "all cost" minus "reported ones refunded".
        reported = np.maximum(present, absent)
        scores: np.ndarray = (scorer.base - scorer.missing_terms.sum(axis=1) + present @ scorer.present_terms.T
                              + absent @ scorer.absent_terms.T + reported @ scorer.missing_terms.T)
        return scores

    def contributions(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        reported = np.maximum(present, absent)
        unreported_hallmark = scorer.missing_terms * (1.0 - reported)
        parts: np.ndarray = (present * scorer.present_terms + absent * scorer.absent_terms
                             - unreported_hallmark)
        return parts

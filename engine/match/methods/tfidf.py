"""``tfidf`` (the default): the cosine of the case and each profile as tf-idf vectors.

The vector-space model of text retrieval: the case is credit x weight x specificity, each condition's
profile frequency x weight x specificity; priors are ignored. A cosine is a sum of per-finding terms divided by
the case vector's length, so its explanation is exact too.

Findings marked absent are ignored by default. The ``absent_weight`` parameter a (0..1) lets each one multiply a
condition's cosine by ``1 - a x frequency``, its chance of being missing there; measured on the development cases,
every a > 0 ranked worse (docs/evaluation.md), so the default stays 0. The explanation stays exact: what the
absent findings take away is shared among them in proportion to the logarithm of their factors.
"""

from __future__ import annotations

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.methods.base import Method, MethodInfo, Scorer, specificity


class TfIdf(Method):
    info = MethodInfo(
        "tfidf", "TF-IDF cosine",
        "Compares the ticked findings with each condition's profile as two vectors in which every finding "
        "counts by its weight × specificity (rarer across the conditions = more telling), and, in the "
        "profile, by how often it occurs; the score is the cosine of the angle between them (the "
        "vector-space model of text retrieval). Priors are ignored, and so are findings marked absent unless "
        "the absent_weight parameter is above 0.",
        r"s_c = \frac{\sum_f (x_f w_f \mathrm{idf}_f)(p_{cf} w_f \mathrm{idf}_f)}"
        r"{\lVert x \circ w \circ \mathrm{idf} \rVert\,\lVert p_c \circ w \circ \mathrm{idf} \rVert}",
    )

    def prepare(self, pack: KnowledgePack, weights: Weights) -> Scorer:
        # The case is credit x weight x idf, each condition frequency x weight x idf; the score is their cosine.
        # present_terms hold the unit-length condition vectors times the case-side factor, so
        # score = present @ present_terms.T / |case vector| and the per-finding parts sum to it.
        c, f = pack.frequency.shape
        zeros = np.zeros((c, f))
        w = np.array([weights.finding_weights[x.id] for x in pack.findings])
        factor = w * specificity(pack)
        profile = pack.frequency * factor
        length = np.linalg.norm(profile, axis=1, keepdims=True)
        unit = profile / np.where(length > 0, length, 1.0)
        # A finding marked absent multiplies a condition's cosine by the chance of its absence there,
        # 1 - a x frequency (a = absent_weight, capped like the likelihood method's frequencies).
        missed = np.clip(weights.params.absent_weight * pack.frequency, 0.0, weights.params.max_frequency)
        return Scorer(pack, weights, self, np.zeros(c), unit * factor, np.log1p(-missed), zeros,
                      case_weights=factor)

    def score_batch(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        cosine: np.ndarray = (present @ scorer.present_terms.T) / _case_norm(scorer, present)[:, None]
        if not scorer.weights.params.absent_weight:  # the default: every factor is 1, skip the product
            return cosine
        scores: np.ndarray = cosine * np.exp(absent @ scorer.absent_terms.T)
        return scores

    def contributions(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        parts: np.ndarray = present * scorer.present_terms / _case_norm(scorer, present[None, :])[0]
        if not scorer.weights.params.absent_weight:
            return parts
        logs = absent * scorer.absent_terms  # (C, F), each <= 0
        total = logs.sum(axis=1, keepdims=True)
        cosine = parts.sum(axis=1, keepdims=True)
        # What the absent findings take away (cosine x (factor - 1)), shared in proportion to their log factors.
        share = np.divide(logs, total, out=np.zeros_like(logs), where=total < 0)
        out: np.ndarray = parts + cosine * np.expm1(total) * share
        return out


def _case_norm(scorer: Scorer, present: np.ndarray) -> np.ndarray:
    """Length of each case's tf-idf vector (credit x weight x idf); 1 for an empty case (score 0)."""
    assert scorer.case_weights is not None  # set by TfIdf.prepare
    norm: np.ndarray = np.linalg.norm(present * scorer.case_weights, axis=1)
    return np.where(norm > 0, norm, 1.0)

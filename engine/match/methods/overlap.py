"""``overlap``: set similarity between the ticked findings and each profile, the naive baseline.

Jaccard by default, Dice or cosine as options (``overlap_similarity``); frequencies, weights and priors are
ignored. Its contributions are each matched finding's equal part of the score.
"""

from __future__ import annotations

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.methods.base import Method, MethodInfo, Scorer


class Overlap(Method):
    info = MethodInfo(
        "overlap", "Set overlap",
        "Counts how many ticked findings are in each condition's profile, relative to the size of both "
        "sets (Jaccard by default; Dice or cosine as options). Frequencies, weights and priors are ignored.",
        r"\mathrm{Jaccard}(P, C) = \frac{|P \cap C|}{|P \cup C|}",
    )

    def prepare(self, pack: KnowledgePack, weights: Weights) -> Scorer:
        c, f = pack.frequency.shape
        zeros = np.zeros((c, f))
        return Scorer(pack, weights, self, np.zeros(c), zeros, zeros, zeros)

    def score_batch(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        return overlap_batch(scorer.pack, present, scorer.weights.params.overlap_similarity)

    def contributions(self, scorer: Scorer, present: np.ndarray, absent: np.ndarray) -> np.ndarray:
        scores = scorer.score(present, absent)
        matched = (scorer.pack.frequency > 0) & (present >= 0.5)
        counts = matched.sum(axis=1, keepdims=True)
        return np.where(matched, scores[:, None] / np.maximum(counts, 1), 0.0)


def overlap_batch(pack: KnowledgePack, present: np.ndarray, similarity: str) -> np.ndarray:
    """Set similarity (n, C) of the cases' present findings (credit at least 0.5) and every profile."""
    profiles = pack.frequency > 0
    cases = present >= 0.5
    out = np.zeros((cases.shape[0], profiles.shape[0]))
    rows = cases.any(axis=1)
    if rows.any():
        if similarity == "cosine":
            from sklearn.metrics.pairwise import pairwise_distances  # lazily: see specificity()

            out[rows] = 1.0 - pairwise_distances(cases[rows], profiles, metric="cosine")
        else:
            out[rows] = set_similarity(cases[rows], profiles, similarity)
    return out


def set_similarity(cases: np.ndarray, profiles: np.ndarray, similarity: str) -> np.ndarray:
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

"""``likelihood``: log10 prior + the log10 likelihood ratios of the present and the absent findings.

In the spirit of LIRICAL; the only curated method that uses priors (and so the "about you" answers). Its
share of the match is the posterior among the listed conditions (a closed world).
"""

from __future__ import annotations

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.methods.base import LinearMethod, MethodInfo, Scorer


class Likelihood(LinearMethod):
    info = MethodInfo(
        "likelihood", "Likelihood ratio",
        "Starts from each condition's prior and adds, per finding, the log of how much more often it is "
        "seen with this condition than across all of them (present findings), or how much more often it is "
        "missing (findings marked absent), in the spirit of LIRICAL.",
        r"s_c = \log_{10}\pi_c + \sum_{f \in P} w_f \log_{10}\frac{p_{cf}}{\bar p_f}"
        r" + \sum_{f \in A} w_f \log_{10}\frac{1 - p_{cf}}{1 - \bar p_f}",
        uses_priors=True, uses_absent=True,
    )

    def prepare(self, pack: KnowledgePack, weights: Weights) -> Scorer:
        c, f = pack.frequency.shape
        w = np.array([weights.finding_weights[x.id] for x in pack.findings])
        prior = np.array([weights.priors[x.id] for x in pack.conditions])
        leak, cap = weights.params.leak, weights.params.max_frequency
        p = pack.frequency
        pc = np.clip(np.where(p > 0, p, leak), leak, cap)
        background = (prior / prior.sum()) @ pc
        present_terms = w * np.log10(pc / background)
        absent_terms = w * np.log10((1.0 - pc) / (1.0 - background))
        return Scorer(pack, weights, self, np.log10(prior), present_terms, absent_terms, np.zeros((c, f)))

    def shares(self, scores: np.ndarray) -> np.ndarray:
        """The posterior among the listed conditions."""
        shifted = np.power(10.0, scores - scores.max())
        posterior: np.ndarray = shifted / shifted.sum()
        return posterior

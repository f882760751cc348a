"""``weighted``: sum of weight x specificity x frequency x (1 + hallmark bonus) over the ticked findings.

Findings marked absent subtract; an unreported hallmark costs a little. Adding a profile finding never
lowers a condition's score (a property test checks it).
"""

from __future__ import annotations

import numpy as np

from engine.knowledge.pack import KnowledgePack
from engine.knowledge.weights import Weights
from engine.match.methods.base import LinearMethod, MethodInfo, Scorer, specificity


class Weighted(LinearMethod):
    info = MethodInfo(
        "weighted", "Weighted specificity",
        "Each ticked finding adds its weight × specificity (rarer across the conditions = more telling) × "
        "its frequency in the condition, more for hallmarks; a finding marked absent subtracts, and so "
        "does, a little, a hallmark nobody mentioned.",
        r"s_c = \sum_{f \in P} w_f\,\mathrm{idf}_f\,p_{cf}(1 + b\,h_{cf})"
        r" - a \sum_{f \in A} w_f\,\mathrm{idf}_f\,p_{cf}(1 + b\,h_{cf})"
        r" - m \sum_{f \notin P \cup A} w_f\,\mathrm{idf}_f\,p_{cf}\,h_{cf}",
        uses_absent=True,
    )

    def prepare(self, pack: KnowledgePack, weights: Weights) -> Scorer:
        c = len(pack.conditions)
        w = np.array([weights.finding_weights[x.id] for x in pack.findings])
        unit = w * specificity(pack) * pack.frequency
        bonus = 1.0 + weights.params.hallmark_bonus * pack.hallmark
        missing = weights.params.missing_hallmark_penalty * unit * pack.hallmark
        return Scorer(pack, weights, self, np.zeros(c), unit * bonus,
                      -weights.params.absent_penalty * unit * bonus, missing)

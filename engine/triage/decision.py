"""The explicit trade-off: pick the level with the least expected harm, under-triage costing more than over-triage.

Each reason for a level carries a certainty: 1 for a finding named (or named more specifically), a measured value
or an answer; the mapping credit for a finding reached only as a close or more general report (a similarity
between 0 and 1). The chance that the right level is at least ``L`` is taken as the largest certainty of a
reason at ``L`` or above. The cost matrix of the pack (``data/triage_costs.csv``: rows the right level, columns
the advised one) then gives each possible advice its expected harm, and the least harmful is chosen (ties go to
the more urgent). With the shipped matrix, one level too low costs five times one level too high, so an uncertain
danger sign escalates once its certainty passes 1/6.

>>> import numpy as np
>>> costs = np.array([[0, 1, 2, 3], [5, 0, 1, 2], [10, 5, 0, 1], [20, 10, 5, 0]], dtype=float)
>>> decide([("urgent", 1.0)], costs)
'urgent'
>>> decide([("urgent", 1.0), ("emergency", 0.1)], costs)
'urgent'
>>> decide([("urgent", 1.0), ("emergency", 0.3)], costs)
'emergency'
>>> decide([], costs)
'routine'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.triage.levels import TRIAGE_LEVELS, TriageLevel, severity


def level_probabilities(evidence: Sequence[tuple[TriageLevel, float]]) -> np.ndarray:
    """P(right level = L) for each level, from (level, certainty) pairs: P(at least L) is the largest certainty
    of a reason at L or above (1 for routine)."""
    return np.array(_probabilities(evidence))


def _probabilities(evidence: Sequence[tuple[TriageLevel, float]]) -> list[float]:
    # plain Python: four numbers, called for every result, where numpy's call overhead would dominate
    at_least = [1.0, 0.0, 0.0, 0.0]
    for level, certainty in evidence:
        c = min(max(certainty, 0.0), 1.0)
        for k in range(1, severity(level) + 1):  # at least a higher level implies at least a lower one
            at_least[k] = max(at_least[k], c)
    return [at_least[k] - (at_least[k + 1] if k + 1 < len(at_least) else 0.0) for k in range(len(at_least))]


def expected_costs(evidence: Sequence[tuple[TriageLevel, float]], costs: np.ndarray) -> np.ndarray:
    """The expected harm of advising each level (mildest first)."""
    p = _probabilities(evidence)
    rows = costs.tolist()
    return np.array([sum(p[t] * rows[t][a] for t in range(len(p))) for a in range(len(p))])


def decide(evidence: Sequence[tuple[TriageLevel, float]], costs: np.ndarray) -> TriageLevel:
    """The level with the least expected harm (the more urgent on a tie)."""
    p = _probabilities(evidence)
    rows = costs.tolist()
    harm = [sum(p[t] * rows[t][a] for t in range(len(p))) for a in range(len(p))]
    best = min(range(len(TRIAGE_LEVELS)), key=lambda j: (round(harm[j], 12), -j))
    return TRIAGE_LEVELS[best]

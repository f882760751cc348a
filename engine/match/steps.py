"""Step-through: how the ranking moves as findings are added one at a time (the Teach page's chart).

Step ``k`` scores the first ``k`` findings together, all steps in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.match.mapping import encode_case
from engine.match.scoring import Scorer, rank_matrix

__all__ = ["Step", "step_through"]


@dataclass(frozen=True, eq=False)
class Step:
    """One step: the finding added (present or absent) and every condition's rank and share of the match after it.

    ``ranks`` (1-based) and ``shares`` have one entry per condition, in the pack's order.
    """

    finding_id: str
    present: bool
    ranks: np.ndarray
    shares: np.ndarray


def step_through(scorer: Scorer, steps: Sequence[tuple[str, bool]]) -> list[Step]:
    """Rank the conditions after each of ``steps`` (``(finding ID, present?)``), cumulatively."""
    pack, floor = scorer.pack, scorer.weights.params.similarity_floor
    encoded = [encode_case(pack, [f for f, p in steps[:k] if p], [f for f, p in steps[:k] if not p], floor)
               for k in range(1, len(steps) + 1)]
    if not encoded:
        return []
    scores = scorer.score_batch(np.array([e.present for e in encoded]), np.array([e.absent for e in encoded]))
    ranks = rank_matrix(scores, pack.condition_ids)
    return [Step(fid, present, rank, scorer.shares(row))
            for (fid, present), row, rank in zip(steps, scores, ranks, strict=True)]

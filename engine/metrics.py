"""Ranking metrics shared by the curated and the corpus evaluations: top-k share and mean reciprocal rank.

>>> top_k_share([1, 2, 5], 3)
0.6666666666666666
>>> mean_reciprocal_rank([1, 2, 4])
0.5833333333333334
>>> top_k_share([], 1) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["mean_reciprocal_rank", "top_k_share"]


def top_k_share(ranks: Sequence[int], k: int) -> float | None:
    """Share of 1-based ``ranks`` that are ``<= k``; None when there is no rank."""
    return sum(r <= k for r in ranks) / len(ranks) if ranks else None


def mean_reciprocal_rank(ranks: Sequence[int]) -> float | None:
    """Mean of ``1 / rank`` over 1-based ``ranks``; None when there is no rank."""
    return sum(1.0 / r for r in ranks) / len(ranks) if ranks else None

"""Metrics shared by the evaluations and the triage studies: top-k share, mean reciprocal rank, and how
triage levels compare with the expected ones.

>>> top_k_share([1, 2, 5], 3)
0.6666666666666666
>>> mean_reciprocal_rank([1, 2, 4])
0.5833333333333334
>>> top_k_share([], 1) is None
True
>>> print(triage_shares([0, 0, -1, 2]))
exact  50.0%  under by 1  25.0%  under by >=2  0.0%  over  25.0%
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["TriageShares", "mean_reciprocal_rank", "top_k_share", "triage_shares"]


def top_k_share(ranks: Sequence[int], k: int) -> float | None:
    """Share of 1-based ``ranks`` that are ``<= k``; None when there is no rank."""
    return sum(r <= k for r in ranks) / len(ranks) if ranks else None


def mean_reciprocal_rank(ranks: Sequence[int]) -> float | None:
    """Mean of ``1 / rank`` over 1-based ``ranks``; None when there is no rank."""
    return sum(1.0 / r for r in ranks) / len(ranks) if ranks else None


@dataclass(frozen=True)
class TriageShares:
    """Shares of rated cases whose triage was exact, one level under, two or more under, or over."""

    exact: float
    under_one: float
    under_two_plus: float
    over: float

    def __str__(self) -> str:
        return (f"exact {self.exact:6.1%}  under by 1 {self.under_one:6.1%}  "
                f"under by >=2 {self.under_two_plus:5.1%}  over {self.over:6.1%}")


def triage_shares(gaps: Sequence[int]) -> TriageShares | None:
    """Shares of triage ``gaps`` (levels given minus levels expected); None when no case was rated."""
    if not gaps:
        return None
    n = len(gaps)
    return TriageShares(sum(g == 0 for g in gaps) / n, sum(g == -1 for g in gaps) / n,
                        sum(g <= -2 for g in gaps) / n, sum(g > 0 for g in gaps) / n)


Z_95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson EB, J Am Stat Assoc 1927); (0, 1) when ``n`` is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)

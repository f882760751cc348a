"""The one ranking rule of both modes (curated pack and corpus).

Score descending; scores equal to :data:`TIE_DECIMALS` decimals tie, and ties break by ID ascending, so
a ranking never depends on floating-point noise or input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

TIE_DECIMALS = 12


def id_positions(ids: Sequence[str]) -> np.ndarray:
    """Each ID's position in ascending ID order (the tie-break key)."""
    positions: np.ndarray = np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"), kind="stable")
    return positions


@lru_cache(maxsize=64)
def tie_key(ids: tuple[str, ...]) -> np.ndarray:
    """:func:`id_positions` of a pack's condition or finding IDs, computed once and shared (read-only)."""
    key = id_positions(ids)
    key.setflags(write=False)
    return key


def rank_matrix(scores: np.ndarray, tie_key: np.ndarray) -> np.ndarray:
    """Ranks (1 = best) of shape (n, C) for scores of shape (n, C); ``tie_key`` from :func:`id_positions`."""
    n, c = scores.shape
    order = np.lexsort((np.broadcast_to(tie_key, (n, c)), -np.round(scores, TIE_DECIMALS)), axis=-1)
    ranks = np.empty((n, c), dtype=int)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1, c + 1), (n, c)), axis=1)
    return ranks


def best_first(scores: np.ndarray, tie_key: np.ndarray) -> np.ndarray:
    """Indices of one score vector from best to worst."""
    order: np.ndarray = np.lexsort((tie_key, -np.round(scores, TIE_DECIMALS)))
    return order


def rank_of(scores: np.ndarray, index: int, tie_key: np.ndarray | None = None) -> int:
    """1-based rank of ``index`` under :func:`best_first`, without sorting (``tie_key`` None: row order)."""
    rounded = np.round(scores, TIE_DECIMALS)
    s = rounded[index]
    ties = rounded == s
    earlier = (tie_key < tie_key[index]) if tie_key is not None else (np.arange(len(scores)) < index)
    return int(np.count_nonzero(rounded > s) + np.count_nonzero(ties & earlier) + 1)

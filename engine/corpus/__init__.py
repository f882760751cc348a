"""Rare-disease corpus mode: every HPO-annotated disease of phenotype.hpoa, ranked by sparse-matrix scoring.

``pack`` loads (and caches) a corpus, ``build`` turns the annotations into sparse matrices,
``cache`` keeps them on disk, ``similarity`` holds the scoring kernels and ``evaluate`` ranks
case files' expected ORPHA/OMIM codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.corpus.names import CORPUS_PACKS

if TYPE_CHECKING:
    from engine.corpus.pack import CorpusHit, CorpusPack, load_corpus, rank_corpus

__all__ = ["CORPUS_PACKS", "CorpusHit", "CorpusPack", "load_corpus", "rank_corpus"]


def __getattr__(name: str) -> Any:
    """The pack's classes and functions, imported on first use (they bring scipy.sparse with them)."""
    if name in ("CorpusHit", "CorpusPack", "load_corpus", "rank_corpus"):
        from engine.corpus import pack

        return getattr(pack, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

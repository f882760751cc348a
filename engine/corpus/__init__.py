"""Rare-disease corpus mode: every HPO-annotated disease of phenotype.hpoa, ranked by sparse-matrix scoring.

``pack`` loads (and caches) a corpus, ``build`` turns the annotations into sparse matrices,
``cache`` keeps them on disk, ``similarity`` holds the scoring kernels and ``evaluate`` ranks
case files' expected ORPHA/OMIM codes.
"""

from engine.corpus.pack import CORPUS_PACKS, CorpusHit, CorpusPack, load_corpus, rank_corpus

__all__ = ["CORPUS_PACKS", "CorpusHit", "CorpusPack", "load_corpus", "rank_corpus"]

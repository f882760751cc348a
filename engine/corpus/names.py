"""The corpus mode's names, its packs and scoring methods, without the numerical code behind them.

The CLI's choices and the package's exports need the names at start-up; the sparse-matrix code
(scipy.sparse, about 0.15 s to import) is loaded only when a corpus is ranked. ``tests/test_corpus.py``
checks that these names are exactly the registries' (:mod:`engine.corpus.methods`, :mod:`engine.corpus.build`).
"""

from __future__ import annotations

#: The corpus packs, by the disease sources they rank (``engine.corpus.build.PACK_PREFIXES``).
CORPUS_PACKS: tuple[str, ...] = ("hpo-orpha", "hpo-omim", "hpo-all")
#: The corpus scoring methods (``engine.corpus.methods.REGISTRY``).
CORPUS_METHODS: tuple[str, ...] = ("likelihood", "resnik", "resnik-bma")
DEFAULT_CORPUS_METHOD = "likelihood"

"""The corpus methods, as objects in one registry: each checks what a patient must report and scores a block
of patients against every disease of a corpus pack (formulas in ``docs/corpus.md``).

Adding a corpus method is one class here and one line in :data:`REGISTRY`. The metadata is the curated
methods' :class:`~engine.match.methods.MethodInfo`.

>>> check_corpus_method("resnik-bma")
'resnik-bma'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from engine.corpus.kernels import (
    absent_log_lr,
    breadth_penalty,
    present_log_lr,
    resnik_disease_side,
    resnik_matrix,
)
from engine.errors import InputError
from engine.match.methods.base import MethodInfo

if TYPE_CHECKING:
    from engine.corpus.pack import CorpusPack

__all__ = ["CORPUS_METHODS", "CORPUS_METHOD_INFO", "DEFAULT_CORPUS_METHOD", "REGISTRY", "CorpusMethod",
           "CorpusScoring", "check_corpus_method", "get_corpus_method", "patient_matrix"]

#: The name of a registered corpus method.
CorpusMethod = str
#: One resolved patient: the columns of its present terms and of its absent terms.
Query = tuple[np.ndarray, np.ndarray]


def patient_matrix(column_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, sp.csr_matrix]:
    """The unique columns of ``column_sets`` and a 0/1 ``patients x unique columns`` CSR matrix."""
    columns, inverse = np.unique(np.concatenate([*column_sets, np.empty(0, np.int64)]), return_inverse=True)
    lengths = [len(c) for c in column_sets]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    matrix = sp.csr_matrix((np.ones(len(inverse)), inverse.ravel(), indptr), shape=(len(column_sets), len(columns)))
    matrix.sort_indices()  # column order = term order, whatever the input order: the sums do not depend on it
    return columns, matrix


class CorpusScoring(ABC):
    """A corpus method: what a patient must report, and the scores of a block of patients (one row of per-term
    values per distinct term, then a sparse ``patients x terms`` product, so a patient costs one row addition
    per term)."""

    info: MethodInfo

    @property
    def name(self) -> CorpusMethod:
        return self.info.name

    def check_query(self, n_present: int, n_absent: int, where: str) -> None:
        """Refuse a patient the method cannot score: here, one without a present term."""
        if not n_present:
            raise InputError(f"{where}method {self.name!r} needs at least one present HPO term, got none")

    @abstractmethod
    def score_block(self, pack: CorpusPack, queries: Sequence[Query]) -> np.ndarray:
        """Scores (patients x diseases) of resolved patients."""


class Likelihood(CorpusScoring):
    info = MethodInfo(
        "likelihood", "Likelihood ratios (LIRICAL-style)",
        "Log prior odds plus, per present term, the log of how much likelier it is with the disease than "
        "across all diseases (and the same for terms marked absent), less a small cost for broad diseases.",
        axis="Log posterior odds (right of 0: more likely than not under the model; higher = closer)",
        uses_priors=True, uses_absent=True,
    )

    def check_query(self, n_present: int, n_absent: int, where: str) -> None:
        if not n_present and not n_absent:
            raise InputError(f"{where}likelihood needs at least one present or absent HPO term, got none")

    def score_block(self, pack: CorpusPack, queries: Sequence[Query]) -> np.ndarray:
        present_cols, present = patient_matrix([q for q, _ in queries])
        n_present = np.diff(present.indptr).astype(np.float64)[:, None]
        absent_cols, absent = patient_matrix([a for _, a in queries])
        n = pack.n_diseases
        prior = np.log(1.0 / n) - np.log1p(-1.0 / n) if n > 1 else 0.0
        out = np.full((len(queries), n), prior)
        if len(present_cols):
            rows = present_log_lr(pack._frequency_csc, pack._excluded_csc, pack.ancestors, pack._parents,
                                  pack.background, present_cols)
            out += present @ rows
            out -= n_present * breadth_penalty(pack._n_direct)[None, :]
        if len(absent_cols):
            out += absent @ absent_log_lr(pack._frequency_csc, pack.background, absent_cols)
        return out


def _resnik_sums(pack: CorpusPack, queries: Sequence[Query]) -> tuple[np.ndarray, np.ndarray]:
    """Per patient and disease, the summed Resnik match of the present terms; and the number of present terms."""
    present_cols, present = patient_matrix([q for q, _ in queries])
    n_present = np.diff(present.indptr).astype(np.float64)[:, None]
    sims = present @ resnik_matrix(pack._presence_csc, pack.ancestors, pack._parents, pack.ic, present_cols)
    return sims, n_present


class Resnik(CorpusScoring):
    info = MethodInfo(
        "resnik", "Resnik similarity, patient → disease",
        "Per present term, the information content of its most informative ancestor shared with the "
        "disease's annotations; the mean over the present terms.",
        axis="Mean information content shared with the disease (higher = closer)",
    )

    def score_block(self, pack: CorpusPack, queries: Sequence[Query]) -> np.ndarray:
        sims, n_present = _resnik_sums(pack, queries)
        mean: np.ndarray = sims / n_present
        return mean


class ResnikBestMatch(CorpusScoring):
    info = MethodInfo(
        "resnik-bma", "Resnik similarity, best-match average both ways",
        "Resnik similarity averaged both ways: patient terms to the disease and the disease's terms to the "
        "patient, so a disease with many unmatched terms scores lower.",
        axis="Best-match average information content (higher = closer)",
    )

    def score_block(self, pack: CorpusPack, queries: Sequence[Query]) -> np.ndarray:
        sims, n_present = _resnik_sums(pack, queries)
        side = np.vstack([
            resnik_disease_side(pack._descendants_csc, pack._direct_binary, pack.ancestors, pack.ic, q)
            for q, _ in queries
        ])
        bma: np.ndarray = (sims + side) / (n_present + pack._n_direct[None, :])
        return bma


#: Every corpus method by name, in the order people see them.
REGISTRY: dict[str, CorpusScoring] = {m.info.name: m for m in (Likelihood(), Resnik(), ResnikBestMatch())}
#: Corpus-mode methods (formulas in docs/corpus.md and :func:`engine.corpus.pack.score_corpus`).
CORPUS_METHOD_INFO: dict[CorpusMethod, MethodInfo] = {name: m.info for name, m in REGISTRY.items()}
CORPUS_METHODS: tuple[CorpusMethod, ...] = tuple(CORPUS_METHOD_INFO)
#: The corpus packs' default method (best on real patients; docs/corpus.md).
DEFAULT_CORPUS_METHOD: CorpusMethod = "likelihood"


def check_corpus_method(method: str) -> CorpusMethod:
    """``method`` if it names a corpus method; a one-line InputError for any other string."""
    if method in REGISTRY:
        return method
    raise InputError(f"unknown corpus method {method!r}: expected one of {list(CORPUS_METHODS)}")


def get_corpus_method(method: str) -> CorpusScoring:
    """The registered corpus method called ``method``; a one-line InputError for any other name."""
    return REGISTRY[check_corpus_method(method)]

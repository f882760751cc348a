"""Build the sparse disease x term matrices of a rare-disease corpus from ``phenotype.hpoa``.

This module knows nothing about caching or scoring: it turns an HPO
:class:`~engine.hpo.ontology.Ontology` and its :class:`~engine.hpo.annotations.Annotations` into
plain numpy / scipy.sparse arrays (see :class:`CorpusArrays`).

Rules (documented in ``docs/corpus.md``):

* packs: ``hpo-orpha`` (``ORPHA:``), ``hpo-omim`` (``OMIM:``) and ``hpo-all``
  (``ORPHA:`` + ``OMIM:`` + ``DECIPHER:``; DECIPHER's 47 diseases only appear here);
* counts ``n/m`` from several sources for the same disease and term are pooled
  (``sum n / sum m``) and shrunk towards a prior: ``(n + 1) / (m + 3)``
  (:data:`COUNT_PRIOR`), so one case report's ``1/1`` is not an obligate finding;
* a row without a frequency gets :data:`DEFAULT_FREQUENCY`; otherwise several rows
  for the same disease and term keep the highest frequency (the pooled count being one);
* ``NOT`` rows, and rows whose frequency is 0 (``0/n``, ``HP:0040285`` Excluded),
  are *excluded* terms, kept apart in their own matrix; a term that is both
  positively annotated and excluded (different sources) counts as annotated;
* the true-path rule: a disease annotated with a term is annotated with all its
  ancestors, the propagated frequency being the max over annotated descendants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.errors import PackError
from engine.hpo.annotations import Annotations
from engine.hpo.ontology import Ontology

#: Frequency given to an annotation whose frequency column is empty.
DEFAULT_FREQUENCY = 0.5
#: Beta prior ``(a, b)`` on a counted frequency: ``n/m`` is read as ``(n + a) / (m + a + b)``. Most
#: counts come from small published series (``1/1``, ``2/2`` from one case report); the prior mean
#: 1/3 pulls them towards "occasional-to-frequent" and leaves a 40-patient cohort almost unchanged.
COUNT_PRIOR = (1.0, 2.0)

#: Disease-ID prefixes of each corpus pack.
PACK_PREFIXES: dict[str, tuple[str, ...]] = {
    "hpo-orpha": ("ORPHA:",),
    "hpo-omim": ("OMIM:",),
    "hpo-all": ("ORPHA:", "OMIM:", "DECIPHER:"),
}


@dataclass(frozen=True)
class CorpusArrays:
    """The raw arrays of a corpus pack, as built or as read back from the cache.

    Attributes
    ----------
    disease_ids, disease_names
        One entry per matrix row, sorted by disease ID.
    terms
        One HPO ID per matrix column: every non-obsolete term of the ontology, sorted.
    direct
        CSR ``diseases x terms``, float32: the frequency of each direct positive annotation.
    propagated
        CSR ``diseases x terms``, float32: ``direct`` closed under the true-path rule
        (max frequency over annotated descendants). Every stored value is > 0.
    excluded
        CSR ``diseases x terms``, float32 0/1: terms annotated ``NOT`` (or with frequency 0).
    ancestors
        CSR ``terms x terms``, 0/1: row ``t`` holds the is_a ancestors of ``t``, ``t`` included.
    """

    disease_ids: tuple[str, ...]
    disease_names: tuple[str, ...]
    terms: tuple[str, ...]
    direct: sp.csr_matrix
    propagated: sp.csr_matrix
    excluded: sp.csr_matrix
    ancestors: sp.csr_matrix


def ancestor_matrix(ontology: Ontology, terms: tuple[str, ...]) -> sp.csr_matrix:
    """Sparse 0/1 ``terms x terms`` matrix with ``M[i, j] = 1`` iff ``terms[j]`` is an ancestor of ``terms[i]``."""
    col = {t: i for i, t in enumerate(terms)}
    rows: list[int] = []
    cols: list[int] = []
    for i, term in enumerate(terms):
        anc = [col[a] for a in ontology.ancestors(term) if a in col]
        rows.extend([i] * len(anc))
        cols.extend(anc)
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(terms), len(terms)))
    matrix.sort_indices()
    return matrix


def parent_matrix(ontology: Ontology, terms: tuple[str, ...]) -> sp.csr_matrix:
    """Sparse 0/1 ``terms x terms`` matrix with ``M[i, j] = 1`` iff ``terms[j]`` is an is_a parent of ``terms[i]``."""
    col = {t: i for i, t in enumerate(terms)}
    pairs = [(i, col[p]) for i, term in enumerate(terms) for p in ontology.terms[term].parents if p in col]
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    cols = np.array([c for _, c in pairs], dtype=np.int64)
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(terms), len(terms)))
    matrix.sort_indices()
    return matrix


def propagate(direct: sp.csr_matrix, ancestors: sp.csr_matrix) -> sp.csr_matrix:
    """Close ``direct`` under the true-path rule, keeping the max frequency per (disease, ancestor).

    Parameters
    ----------
    direct
        ``diseases x terms`` frequencies (> 0 where annotated).
    ancestors
        ``terms x terms`` 0/1 from :func:`ancestor_matrix`.
    """
    coo = direct.tocoo()
    lengths = np.diff(ancestors.indptr)[coo.col]
    rows = np.repeat(coo.row, lengths)
    values = np.repeat(coo.data, lengths)
    starts = np.repeat(ancestors.indptr[coo.col], lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    cols = ancestors.indices[starts + offsets]
    n_terms = direct.shape[1]
    key = rows.astype(np.int64) * n_terms + cols
    order = np.lexsort((values, key))
    key, values = key[order], values[order]
    last = np.r_[key[1:] != key[:-1], key.size > 0]  # sorted by value within a key: last is the max (none if empty)
    key, values = key[last], values[last]
    out = sp.csr_matrix((values, (key // n_terms, key % n_terms)), shape=direct.shape, dtype=np.float32)
    out.sort_indices()
    return out


def build_arrays(ontology: Ontology, annotations: Annotations, pack: str) -> CorpusArrays:
    """Build the matrices of corpus ``pack`` (one of :data:`PACK_PREFIXES`).

    Raises
    ------
    PackError
        If ``pack`` is unknown or selects no disease.
    """
    if pack not in PACK_PREFIXES:
        raise PackError(f"unknown corpus pack {pack!r}: expected one of {sorted(PACK_PREFIXES)}")
    prefixes = PACK_PREFIXES[pack]
    terms = tuple(sorted(t.id for t in ontology.terms.values() if not t.obsolete))
    col = {t: i for i, t in enumerate(terms)}

    positive: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    negative: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    for row in annotations.rows:
        if not row.disease_id.startswith(prefixes):
            continue
        names.setdefault(row.disease_id, row.disease_name)
        if row.hpo_id not in ontology:
            continue  # a term unknown to this release: nothing to say about it
        hpo_id = ontology.resolve(row.hpo_id)
        key = (row.disease_id, hpo_id)
        freq = DEFAULT_FREQUENCY if row.frequency is None else row.frequency
        if row.negated or freq <= 0.0:
            negative.add(key)
        elif row.fraction is not None:
            n, m = counts.get(key, (0, 0))
            counts[key] = (n + row.fraction[0], m + row.fraction[1])
        else:
            positive[key] = max(freq, positive.get(key, 0.0))
    a, b = COUNT_PRIOR
    for key, (n, m) in counts.items():
        positive[key] = max((n + a) / (m + a + b), positive.get(key, 0.0))
    negative -= positive.keys()
    if not names:
        raise PackError(f"corpus pack {pack!r}: no disease with prefix {prefixes} in the annotations")
    if not positive:
        raise PackError(f"corpus pack {pack!r}: no annotation of its diseases names a term of HPO release "
                        f"{ontology.version or '(no data-version)'}: hp.obo and phenotype.hpoa do not belong together "
                        "(a truncated hp.obo?)")

    disease_ids = tuple(sorted(names))
    row_of = {d: i for i, d in enumerate(disease_ids)}
    shape = (len(disease_ids), len(terms))

    def to_csr(items: list[tuple[tuple[str, str], float]]) -> sp.csr_matrix:
        r = np.fromiter((row_of[d] for (d, _), _ in items), dtype=np.int64, count=len(items))
        c = np.fromiter((col[t] for (_, t), _ in items), dtype=np.int64, count=len(items))
        v = np.fromiter((f for _, f in items), dtype=np.float32, count=len(items))
        m = sp.csr_matrix((v, (r, c)), shape=shape, dtype=np.float32)
        m.sort_indices()
        return m

    direct = to_csr(sorted(positive.items()))
    excluded = to_csr([(k, 1.0) for k in sorted(negative)])
    ancestors = ancestor_matrix(ontology, terms)
    return CorpusArrays(
        disease_ids=disease_ids,
        disease_names=tuple(names[d] for d in disease_ids),
        terms=terms,
        direct=direct,
        propagated=propagate(direct, ancestors),
        excluded=excluded,
        ancestors=ancestors,
    )

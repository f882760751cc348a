"""Vectorised phenotype-similarity scores of one patient against every disease of a corpus.

Pure numpy / scipy.sparse arithmetic on the arrays of a corpus pack; the formulas
are written out in ``docs/corpus.md``. Every function takes resolved *column
indices* of the query terms, never HPO IDs.

Per-term rows (one query term against every disease) come from :func:`upward_max`,
a dynamic programme over the ontology: the best weighted annotation of a term or
any of its ancestors is the better of its own and its parents' best, so each
distinct term of a batch of patients is visited once, however many patients
share it. Patients' scores are then sums of rows (a sparse product, in
:mod:`engine.corpus.pack`).

The other workhorse is :func:`column_max`: for sparse ``M`` (rows x columns, CSC) and a
list of weighted (query, column) pairs it returns, for every query and row, the
largest ``M[row, column] * weight`` over that query's pairs. Because the
disease annotations are closed under the true-path rule, the Resnik similarity
``max_{t in d} IC(MICA(q, t))`` equals ``max_{a in anc(q), a in d} IC(a)``, which
is exactly one such column max over the ancestors of ``q``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: Multiplier on the likelihood ratio when a disease only explains a query term
#: through one of its ancestors (the disease has the ancestor, not the term).
ANCESTOR_PENALTY = 0.1
#: Likelihood ratio of a term the disease does not explain at all, or explicitly excludes.
LEAK_LR = 1e-3
#: Frequencies are capped here when computing P(term absent | disease).
MAX_FREQUENCY_ABSENT = 0.95
#: Extra likelihood ratio of a finding reported *absent* that the disease is annotated with. Case
#: reports list the negatives their authors checked because the suspected disease can have them
#: (in the phenopacket-store development half, 70% of excluded terms are annotated to the case's own
#: disease), so being "mentioned" is evidence for the disease even when the finding is missing.
#: 1 gives the plain LIRICAL-style ratio.
ABSENT_MENTION_LR = 8.0
#: Weight of the annotation-breadth correction: each present term costs ``BREADTH * ln(1 + n_d)``
#: for a disease with ``n_d`` direct annotations. A patient record lists a handful of findings, not
#: every finding the disease can have, so a disease annotated with 200 terms explains any one term
#: less specifically than its frequencies alone suggest. 0 turns it off.
BREADTH = 0.5


def _expand(indptr: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``indices``/``data`` of every stored entry of ``cols``, and the count per column."""
    starts = indptr[cols]
    lengths = indptr[cols + 1] - starts
    total = int(lengths.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + offsets, lengths


def column_max(
    matrix: sp.csc_matrix, query_of: np.ndarray, cols: np.ndarray, weights: np.ndarray, n_queries: int
) -> np.ndarray:
    """``out[i, r] = max_k matrix[r, cols[k]] * weights[k]`` over pairs ``k`` with ``query_of[k] == i``.

    Parameters
    ----------
    matrix
        Non-negative CSC matrix (``n_rows x n_cols``).
    query_of, cols, weights
        One entry per (query, column) pair.
    n_queries
        Number of rows of the result.

    Returns
    -------
    numpy.ndarray
        ``n_queries x n_rows`` float64; 0 where a query has no stored entry in a row.
    """
    n_rows = matrix.shape[0]
    out = np.zeros(n_queries * n_rows)
    if len(cols):
        idx, lengths = _expand(matrix.indptr, cols)
        values = matrix.data[idx] * np.repeat(weights, lengths)
        np.maximum.at(out, np.repeat(query_of, lengths) * n_rows + matrix.indices[idx], values)
    return out.reshape(n_queries, n_rows)


def upward_max(
    matrix: sp.csc_matrix,
    weights: np.ndarray,
    ancestors: sp.csr_matrix,
    parents: sp.csr_matrix,
    query_cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``up[u, r] = max_{a in anc(u)} weights[a] * matrix[r, a]`` for every term ``u`` of the union ``U`` of the
    ancestors of ``query_cols`` (``U`` is ancestor-closed, so every parent of a term of ``U`` is in ``U``).

    ``up(u) = max(weights[u] * matrix[:, u], max_{p in parents(u)} up(p))``, computed level by level: terms
    with fewer ancestors first (a parent always has fewer ancestors than its child).

    Returns
    -------
    tuple of numpy.ndarray
        ``U`` (sorted column indices) and ``up`` (``len(U) x n_rows`` float32).
    """
    _, cols = query_ancestors(ancestors, query_cols)
    union = np.unique(cols)
    n_rows = matrix.shape[0]
    up = np.zeros((len(union), n_rows), dtype=np.float32)
    _scatter_columns(up, matrix, union, weights[union])
    child, parent, nth = _parent_pairs(parents, union, union)
    level = np.diff(ancestors.indptr)[union][child]
    for c, p in _steps(child, parent, level, nth):  # by (level, k) ascending: parents are final before children
        up[c] = np.maximum(up[c], up[p])  # each child once per step: safe in-place fancy assignment
    return union, up


def _parent_pairs(parents: sp.csr_matrix, terms: np.ndarray, union: np.ndarray) -> tuple[np.ndarray, ...]:
    """(position in ``terms``, position of its parent in ``union``, k of the k-th parent) for every parent pair;
    ``union`` is sorted and holds every parent of ``terms``."""
    idx, lengths = _expand(parents.indptr, terms)
    child = np.repeat(np.arange(len(terms)), lengths)
    nth = np.arange(len(idx)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return child, np.searchsorted(union, parents.indices[idx]), nth


def _steps(child: np.ndarray, parent: np.ndarray, *keys: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split the pairs into groups of equal ``keys``, in ascending key order."""
    order = np.lexsort(keys[::-1])
    key = np.stack([k[order] for k in keys], axis=1)
    cuts = np.flatnonzero((key[1:] != key[:-1]).any(axis=1)) + 1
    return [(child[g], parent[g]) for g in np.split(order, cuts) if len(g)]


def parent_max(up: np.ndarray, union: np.ndarray, parents: sp.csr_matrix, query_cols: np.ndarray) -> np.ndarray:
    """``max_{p in parents(q)} up(p)`` for each query term (0 for a term without parents), as float64."""
    child, parent, nth = _parent_pairs(parents, query_cols, union)
    out = np.zeros((len(query_cols), up.shape[1]))
    for k, (c, p) in enumerate(_steps(child, parent, nth)):
        out[c] = up[p] if k == 0 else np.maximum(out[c], up[p])  # the first parent needs no max: saves a copy
    return out


def own_rows(matrix: sp.csc_matrix, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``out[i, r] = weights[i] * matrix[r, cols[i]]`` as a dense ``len(cols) x n_rows`` array."""
    out = np.zeros((len(cols), matrix.shape[0]))
    _scatter_columns(out, matrix, cols, weights)
    return out


#: Terms whose columns :func:`_scatter_columns` expands at once: general terms hold thousands of
#: diseases, so expanding a whole batch's columns together would cost more memory than the result.
SCATTER_SLICE = 64


def _scatter_columns(out: np.ndarray, matrix: sp.csc_matrix, cols: np.ndarray, weights: np.ndarray) -> None:
    """``out[i, :] = weights[i] * matrix[:, cols[i]]`` (dense), :data:`SCATTER_SLICE` columns at a time."""
    for start in range(0, len(cols), SCATTER_SLICE):
        part = slice(start, start + SCATTER_SLICE)
        out[part] = matrix[:, cols[part]].T.toarray() * weights[part, None]


def query_ancestors(ancestors: sp.csr_matrix, query_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query position, ancestor column) pairs for every ancestor (self included) of each query term."""
    idx, lengths = _expand(ancestors.indptr, query_cols)
    return np.repeat(np.arange(len(query_cols)), lengths), ancestors.indices[idx]


def resnik_matrix(
    presence: sp.csc_matrix, ancestors: sp.csr_matrix, parents: sp.csr_matrix, ic: np.ndarray, query_cols: np.ndarray
) -> np.ndarray:
    """``S[i, d] = max_{t in d} IC(MICA(q_i, t))`` for every query term ``q_i`` and disease ``d``.

    ``presence`` is the 0/1 propagated ``diseases x terms`` matrix in CSC form.
    """
    union, up = upward_max(presence, ic, ancestors, parents, query_cols)
    return up[np.searchsorted(union, query_cols)].astype(np.float64)


def resnik_disease_side(
    descendants: sp.csc_matrix,
    direct: sp.csr_matrix,
    ancestors: sp.csr_matrix,
    ic: np.ndarray,
    query_cols: np.ndarray,
) -> np.ndarray:
    """Per disease, the sum over its direct terms ``t`` of ``max_q IC(MICA(t, q))``.

    ``max_q max_{a in anc(t) & anc(q)} IC(a) = max_{a in anc(t) & U} IC(a)`` with ``U`` the union
    of the ancestors of all query terms, so one column max over ``U`` in the ``terms x terms``
    ancestor matrix (``descendants``: CSC, column ``a`` lists the descendants of ``a``) gives the
    best match of every term at once; a sparse mat-vec sums it per disease.
    """
    _, cols = query_ancestors(ancestors, query_cols)
    union = np.unique(cols)
    weights = ic[union]
    keep = weights > 0
    best = column_max(descendants, np.zeros(int(keep.sum()), dtype=np.int64), union[keep], weights[keep], 1)[0]
    return np.asarray(direct @ best).ravel()


def present_log_lr(
    frequencies: sp.csc_matrix,
    excluded: sp.csc_matrix,
    ancestors: sp.csr_matrix,
    parents: sp.csr_matrix,
    background: np.ndarray,
    query_cols: np.ndarray,
    ancestor_penalty: float = ANCESTOR_PENALTY,
    leak: float = LEAK_LR,
) -> np.ndarray:
    """``log LR(q, d)`` of each present term ``q`` in ``query_cols``, for every disease (``n_terms x n_diseases``).

    ::

        LR(q, d) = max( f_d(q) / bg(q),  penalty * max_{a in anc(q), a != q} f_d(a) / bg(a),  leak )
        LR(q, d) = leak   if d excludes q or one of its ancestors (a NOT annotation)

    with ``f_d`` the propagated frequency (0 if not annotated) and ``bg`` the background frequency.
    """
    inverse_bg = 1.0 / background
    union, up = upward_max(frequencies, inverse_bg, ancestors, parents, query_cols)
    lr = parent_max(up, union, parents, query_cols)
    del up  # the largest block: free it before the next one (the batch's peak memory)
    lr *= ancestor_penalty
    np.maximum(lr, own_rows(frequencies, query_cols, inverse_bg[query_cols]), out=lr)
    np.maximum(lr, leak, out=lr)
    if excluded.nnz:  # few NOT annotations: the pair-wise column max is cheap here
        query_of, cols = query_ancestors(ancestors, query_cols)
        hit = column_max(excluded, query_of, cols, np.ones(len(cols)), len(query_cols)) > 0
        lr[hit] = leak
    log_lr: np.ndarray = np.log(lr, out=lr)
    return log_lr


def absent_log_lr(
    frequencies: sp.csc_matrix,
    background: np.ndarray,
    absent_cols: np.ndarray,
    mention: float = ABSENT_MENTION_LR,
) -> np.ndarray:
    """``log LR(not q, d)`` of each absent term ``q`` in ``absent_cols``, for every disease (``n_terms x n_diseases``).

    ::

        LR(not q, d) = mention^[f_d(q) > 0] * (1 - min(f_d(q), 0.95)) / (1 - min(bg(q), 0.95))
    """
    out = own_rows(frequencies, absent_cols, np.ones(len(absent_cols)))  # f, then overwritten in place
    mentioned = out > 0
    bg = np.minimum(background[absent_cols], MAX_FREQUENCY_ABSENT)[:, None]
    np.minimum(out, MAX_FREQUENCY_ABSENT, out=out)
    np.subtract(1.0, out, out=out)
    np.log(out, out=out)
    out -= np.log(1.0 - bg)
    if mention != 1.0:
        out[mentioned] += np.log(mention)
    return out


def breadth_penalty(n_direct: np.ndarray, weight: float = BREADTH) -> np.ndarray:
    """Per disease, the cost of one present term: ``weight * ln(1 + n_d)`` (see :data:`BREADTH`)."""
    penalty: np.ndarray = weight * np.log1p(n_direct)
    return penalty

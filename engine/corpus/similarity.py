"""Vectorised phenotype-similarity scores of one patient against every disease of a corpus.

Pure numpy / scipy.sparse arithmetic on the arrays of a corpus pack; the formulas
are written out in ``docs/corpus.md``. Every function takes resolved *column
indices* of the query terms, never HPO IDs.

The workhorse is :func:`column_max`: for sparse ``M`` (rows x columns, CSC) and a
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


def query_ancestors(ancestors: sp.csr_matrix, query_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query position, ancestor column) pairs for every ancestor (self included) of each query term."""
    idx, lengths = _expand(ancestors.indptr, query_cols)
    return np.repeat(np.arange(len(query_cols)), lengths), ancestors.indices[idx]


def resnik_matrix(
    presence: sp.csc_matrix, ancestors: sp.csr_matrix, ic: np.ndarray, query_cols: np.ndarray
) -> np.ndarray:
    """``S[i, d] = max_{t in d} IC(MICA(q_i, t))`` for every query term ``q_i`` and disease ``d``.

    ``presence`` is the 0/1 propagated ``diseases x terms`` matrix in CSC form.
    """
    query_of, cols = query_ancestors(ancestors, query_cols)
    weights = ic[cols]
    keep = weights > 0  # root and near-universal terms add nothing to a max that starts at 0
    return column_max(presence, query_of[keep], cols[keep], weights[keep], len(query_cols))


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


def likelihood_scores(
    frequencies: sp.csc_matrix,
    excluded: sp.csc_matrix,
    ancestors: sp.csr_matrix,
    background: np.ndarray,
    query_cols: np.ndarray,
    absent_cols: np.ndarray,
    ancestor_penalty: float = ANCESTOR_PENALTY,
    leak: float = LEAK_LR,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-term log likelihood ratios of present and absent terms, for every disease.

    Present term ``q``::

        LR(q, d) = max( f_d(q) / bg(q),  penalty * max_{a in anc(q), a != q} f_d(a) / bg(a),  leak )
        LR(q, d) = leak   if d excludes q or one of its ancestors (a NOT annotation)

    Absent term ``q``::

        LR(not q, d) = (1 - min(f_d(q), 0.95)) / (1 - min(bg(q), 0.95))

    with ``f_d`` the propagated frequency (0 if not annotated) and ``bg`` the background frequency.

    Returns
    -------
    tuple of numpy.ndarray
        ``(log LR present: n_present x n_diseases, log LR absent: n_absent x n_diseases)``.
    """
    query_of, cols = query_ancestors(ancestors, query_cols)
    is_self = cols == query_cols[query_of]
    weights = np.where(is_self, 1.0, ancestor_penalty) / background[cols]
    lr = column_max(frequencies, query_of, cols, weights, len(query_cols))
    np.maximum(lr, leak, out=lr)
    if excluded.nnz:
        hit = column_max(excluded, query_of, cols, np.ones(len(cols)), len(query_cols)) > 0
        lr[hit] = leak
    present = np.log(lr)

    n_abs = len(absent_cols)
    f = column_max(frequencies, np.arange(n_abs), absent_cols, np.ones(n_abs), n_abs)
    bg = np.minimum(background[absent_cols], MAX_FREQUENCY_ABSENT)[:, None]
    absent = np.log(1.0 - np.minimum(f, MAX_FREQUENCY_ABSENT)) - np.log(1.0 - bg)
    return present, absent

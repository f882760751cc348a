"""Curated cases against a rare-disease corpus: which findings can be used, and where the expected disease ranks.

>>> query = corpus_query(corpus, case.present, case.absent)               # doctest: +SKIP
>>> query.left_out                                                        # doctest: +SKIP
(('CT:chalky_discharge', 'project finding (CT:), not an HPO term'),)
>>> evaluate_corpus(corpus, cases, condition_codes(pack), "likelihood")   # doctest: +SKIP

The curated pack's ``CT:`` findings have no HPO meaning, so they are left out (and said so);
a condition's ORPHA / OMIM codes (``conditions.csv``) name the corpus diseases that count as
"expected". Pure functions over :mod:`engine.corpus`; no streamlit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from engine.corpus.names import DEFAULT_CORPUS_METHOD
from engine.errors import InputError
from engine.evaluation.metrics import mean_reciprocal_rank, top_k_share
from engine.io.cases import Case
from engine.knowledge.pack import KnowledgePack

__all__ = [
    "STATUS_NOT_ESTABLISHED",
    "STATUS_NOT_IN_PACK",
    "STATUS_NO_CODE",
    "STATUS_NO_FINDINGS",
    "STATUS_RANKED",
    "CaseStatus",
    "CorpusCaseRank",
    "CorpusEvaluation",
    "CorpusQuery",
    "ExpectedCase",
    "condition_codes",
    "corpus_query",
    "evaluate_corpus",
    "evaluate_expected",
]

if TYPE_CHECKING:
    from engine.corpus.pack import CorpusPack



class CaseStatus(StrEnum):
    """Why a case is, or is not, ranked (the values are the texts shown in reports)."""

    RANKED = "ranked"
    NO_CODE = "n/a: condition has no ORPHA/OMIM code"
    NOT_IN_PACK = "n/a: no code of the condition is in this corpus pack"
    NO_FINDINGS = "n/a: no HPO finding to score"
    NOT_ESTABLISHED = "n/a: diagnosis not established (interpretation not SOLVED or COMPLETED)"


STATUS_RANKED = CaseStatus.RANKED
STATUS_NO_CODE = CaseStatus.NO_CODE
STATUS_NOT_IN_PACK = CaseStatus.NOT_IN_PACK
STATUS_NO_FINDINGS = CaseStatus.NO_FINDINGS
STATUS_NOT_ESTABLISHED = CaseStatus.NOT_ESTABLISHED
TOP_KS = (1, 3, 10)
BATCH = 256  # cases scored per score_corpus_batch call: bounds memory at BATCH x n_diseases floats


@dataclass(frozen=True)
class CorpusQuery:
    """The part of a case a corpus can score.

    Attributes
    ----------
    present, absent
        HPO IDs as given (the corpus resolves alt IDs), in input order, duplicates removed.
    left_out
        ``(finding ID, reason)`` for every other finding: ``CT:`` project findings, or IDs
        the corpus's HPO release does not know.
    """

    present: tuple[str, ...]
    absent: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]

    @property
    def usable(self) -> bool:
        """True when there is at least one present term (every corpus method needs one)."""
        return bool(self.present)


def _reason(corpus: CorpusPack, finding_id: str) -> str | None:
    if finding_id.startswith("CT:"):
        return "project finding (CT:), not an HPO term"
    try:
        corpus.columns([finding_id])
    except InputError:
        return f"not a current term of HPO {corpus.version}"
    return None


def corpus_query(corpus: CorpusPack, present: Sequence[str], absent: Sequence[str] = ()) -> CorpusQuery:
    """Split a case's findings into the HPO terms ``corpus`` can score and the ones left out (with why)."""
    keep: dict[bool, dict[str, None]] = {True: {}, False: {}}
    left: dict[str, str] = {}
    for ids, is_present in ((present, True), (absent, False)):
        for fid in ids:
            reason = _reason(corpus, fid)
            if reason is None:
                keep[is_present].setdefault(fid, None)
            else:
                left.setdefault(fid, reason)
    return CorpusQuery(tuple(keep[True]), tuple(keep[False]), tuple(left.items()))


def condition_codes(pack: KnowledgePack) -> dict[str, tuple[str, ...]]:
    """Per condition ID, its ORPHA then OMIM codes from ``conditions.csv`` (empty when it has none)."""
    return {c.id: (*c.orpha, *c.omim) for c in pack.conditions}


@dataclass(frozen=True)
class CorpusCaseRank:
    """Where one case's expected condition lands in a corpus ranking.

    Attributes
    ----------
    rank
        Best 1-based rank over the condition's codes found in the pack; None unless ``status`` is ranked.
    disease_id
        The code that achieved ``rank``.
    codes
        All the condition's ORPHA / OMIM codes; ``in_pack`` those that are diseases of the pack.
    """

    case_id: str
    expected: str
    codes: tuple[str, ...]
    in_pack: tuple[str, ...]
    n_present: int
    n_absent: int
    left_out: tuple[str, ...]
    status: CaseStatus
    rank: int | None = None
    disease_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rank, best code, status, and the HPO terms newer than the release."""
        return {"id": self.case_id, "expected": self.expected, "rank": self.rank, "predicted": self.disease_id,
                "status": str(self.status), "n_present": self.n_present, "n_absent": self.n_absent,
                "not_in_release": [t for t in self.left_out if t.startswith("HP:")]}


@dataclass(frozen=True)
class CorpusEvaluation:
    """Top-k and MRR over the ranked cases (those whose condition has a code in the pack and an HPO finding)."""

    pack: str
    version: str
    method: str
    n_diseases: int
    cases: tuple[CorpusCaseRank, ...]
    seconds: float = 0.0  # time spent scoring the ranked cases

    @property
    def ms_per_case(self) -> float | None:
        """Scoring time per ranked case, in milliseconds; None when none is ranked."""
        ranked = len(self.ranked)
        return 1000.0 * self.seconds / ranked if ranked else None

    @property
    def ranked(self) -> tuple[CorpusCaseRank, ...]:
        return tuple(c for c in self.cases if c.rank is not None)

    def top_k(self, k: int) -> float | None:
        """Share of ranked cases with the expected disease in the first ``k``; None when none is ranked."""
        return top_k_share(self._ranks(), k)

    @property
    def mrr(self) -> float | None:
        return mean_reciprocal_rank(self._ranks())

    def _ranks(self) -> list[int]:
        return [c.rank for c in self.cases if c.rank is not None]

    def metrics(self) -> dict[str, float | None]:
        """``top-1``, ``top-3``, ``top-10`` and ``MRR``."""
        return {**{f"top-{k}": self.top_k(k) for k in TOP_KS}, "MRR": self.mrr}


@dataclass(frozen=True)
class ExpectedCase:
    """A case for :func:`evaluate_expected`: findings and the disease codes that count as a hit.

    ``established`` is False for a phenopacket whose only diagnosis is of an interpretation that is not
    SOLVED or COMPLETED: it is not ranked (status :data:`STATUS_NOT_ESTABLISHED`).
    """

    case_id: str
    expected: str
    codes: tuple[str, ...]
    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    established: bool = True


def evaluate_expected(
    corpus: CorpusPack,
    cases: Sequence[ExpectedCase],
    method: str = DEFAULT_CORPUS_METHOD,
    progress: Callable[[int], None] | None = None,
) -> CorpusEvaluation:
    """Rank every disease of ``corpus`` for each case and find the best rank among its expected codes.

    Cases are scored in batches (:func:`engine.corpus.pack.score_corpus_batch`); ``progress`` is
    called with the number of cases finished after each batch.

    Raises
    ------
    InputError
        For an unknown method.
    """
    from engine.corpus.pack import check_method, rank_of, score_corpus_batch  # the sparse-matrix code, on use

    check_method(method)
    index = {d: i for i, d in enumerate(corpus.disease_ids)}
    rows: list[CorpusCaseRank | None] = []
    todo: list[tuple[int, CorpusQuery, tuple[str, ...], CorpusCaseRank]] = []
    for case in cases:
        query = corpus_query(corpus, case.present, case.absent)
        in_pack = tuple(c for c in case.codes if c in index)
        base = CorpusCaseRank(case_id=case.case_id, expected=case.expected, codes=case.codes, in_pack=in_pack,
                              n_present=len(query.present), n_absent=len(query.absent),
                              left_out=tuple(f for f, _ in query.left_out), status=CaseStatus.NO_CODE)
        if not case.established:
            rows.append(replace(base, status=CaseStatus.NOT_ESTABLISHED))
        elif not case.codes:
            rows.append(base)
        elif not in_pack:
            rows.append(replace(base, status=CaseStatus.NOT_IN_PACK))
        elif not query.usable:
            rows.append(replace(base, status=CaseStatus.NO_FINDINGS))
        else:
            todo.append((len(rows), query, in_pack, base))
            rows.append(None)
    if progress is not None and len(rows) > len(todo):
        progress(len(rows) - len(todo))
    start = time.perf_counter()
    for first in range(0, len(todo), BATCH):
        chunk = todo[first:first + BATCH]
        scores = score_corpus_batch(corpus, [(q.present, q.absent) for _, q, _, _ in chunk], method=method)
        for (slot, _, in_pack, base), row in zip(chunk, scores, strict=True):
            rank, best = min((rank_of(row, index[c]), c) for c in in_pack)
            rows[slot] = replace(base, status=CaseStatus.RANKED, rank=rank, disease_id=best)
        if progress is not None:
            progress(len(chunk))
    seconds = time.perf_counter() - start
    return CorpusEvaluation(corpus.name, corpus.version, method, corpus.n_diseases,
                            tuple(r for r in rows if r is not None), seconds)


def evaluate_corpus(
    corpus: CorpusPack,
    cases: Sequence[Case],
    codes: Mapping[str, Sequence[str]],
    method: str = DEFAULT_CORPUS_METHOD,
) -> CorpusEvaluation:
    """Rank every disease of ``corpus`` for each curated case and find its expected condition's best-ranked code.

    Parameters
    ----------
    codes
        Condition ID -> ORPHA / OMIM codes (:func:`condition_codes`); a missing key means no code.

    Raises
    ------
    InputError
        For an unknown method.
    """
    expected = [ExpectedCase(c.id, c.expected, tuple(codes.get(c.expected, ())), c.present, c.absent) for c in cases]
    return evaluate_expected(corpus, expected, method)

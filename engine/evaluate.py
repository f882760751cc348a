"""Evaluate a method and weights on case files: top-1, top-3, mean reciprocal rank, triage agreement."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix

from engine.cases import Case
from engine.explain import explain
from engine.mapping import encode_case
from engine.pack import KnowledgePack
from engine.scoring import prepare
from engine.triage import assess
from engine.weights import Weights


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    expected: str
    rank: int  # best rank among the expected condition and its acceptable alternatives
    predicted: str  # top-1 condition_id
    top3: tuple[str, ...]
    expected_triage: str | None
    triage: str


@dataclass(frozen=True)
class Evaluation:
    method: str
    cases: tuple[CaseResult, ...]
    labels: tuple[str, ...]
    confusion: np.ndarray  # rows: expected condition, columns: predicted top-1, in ``labels`` order

    @property
    def n(self) -> int:
        return len(self.cases)

    @property
    def top1(self) -> float:
        return float(np.mean([c.rank == 1 for c in self.cases])) if self.cases else 0.0

    @property
    def top3(self) -> float:
        return float(np.mean([c.rank <= 3 for c in self.cases])) if self.cases else 0.0

    @property
    def mrr(self) -> float:
        return float(np.mean([1.0 / c.rank for c in self.cases])) if self.cases else 0.0

    @property
    def triage_agreement(self) -> float | None:
        rated = [c for c in self.cases if c.expected_triage is not None]
        return float(np.mean([c.triage == c.expected_triage for c in rated])) if rated else None

    def summary(self) -> dict[str, float | int | str | None]:
        return {"method": self.method, "n": self.n, "top1": round(self.top1, 4), "top3": round(self.top3, 4),
                "mrr": round(self.mrr, 4),
                "triage_agreement": None if self.triage_agreement is None else round(self.triage_agreement, 4)}


def evaluate(pack: KnowledgePack, cases: Sequence[Case], method: str, weights: Weights) -> Evaluation:
    """Rank every case and compare with its expected condition (alternatives count as correct)."""
    scorer = prepare(pack, weights, method)
    credit = float(weights.param("ancestor_credit"))
    results = []
    for case in cases:
        encoded = encode_case(pack, case.present, case.absent, credit)
        ranking = explain(scorer, encoded)
        order = [m.condition_id for m in ranking.matches]
        rank = min(order.index(c) + 1 for c in case.accepted)
        results.append(CaseResult(case.id, case.expected, rank, order[0], tuple(order[:3]),
                                  case.expected_triage, assess(pack, encoded, ranking).level))
    labels = pack.condition_ids
    matrix = (confusion_matrix([r.expected for r in results], [r.predicted for r in results], labels=list(labels))
              if results else np.zeros((len(labels), len(labels)), dtype=int))
    return Evaluation(method, tuple(results), labels, matrix)


Z_95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson EB, J Am Stat Assoc 1927); (0, 1) when ``n`` is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ConditionRecall:
    """How often one expected condition was ranked first / in the top 3, with 95% Wilson intervals."""

    condition_id: str
    n: int
    top1: int
    top3: int

    @property
    def recall(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def recall_ci(self) -> tuple[float, float]:
        return wilson_interval(self.top1, self.n)

    @property
    def top3_recall(self) -> float:
        return self.top3 / self.n if self.n else 0.0

    @property
    def top3_ci(self) -> tuple[float, float]:
        return wilson_interval(self.top3, self.n)


def per_condition_recall(evaluation: Evaluation) -> list[ConditionRecall]:
    """Per expected condition (those with at least one case, in label order): top-1 and top-3 recall."""
    out = []
    for cid in evaluation.labels:
        cases = [c for c in evaluation.cases if c.expected == cid]
        if cases:
            out.append(ConditionRecall(cid, len(cases), sum(c.rank == 1 for c in cases),
                                       sum(c.rank <= 3 for c in cases)))
    return out

"""Evaluate a method and weights on case files.

Per method: top-1, top-3 and mean reciprocal rank (with seeded bootstrap 95 % intervals for top-1 and
top-3), per-condition recall, triage agreement, under-triage by one level and by two or more,
over-triage, and the present findings dropped (reported, but reaching no finding of the pack).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.evaluation.metrics import (
    TriageShares,
    mean_reciprocal_rank,
    top_k_share,
    triage_shares,
    wilson_interval,
)
from engine.evaluation.urgency import Outcome, breakdown, findings_only_panel_report, triage_report
from engine.io.cases import Case
from engine.io.panel import Panel, single
from engine.knowledge.pack import DEFAULT_TRIAGE_COSTS, KnowledgePack
from engine.knowledge.priors import pack_context_rules
from engine.knowledge.weights import Weights
from engine.match.context import with_context
from engine.match.explain import explain
from engine.match.mapping import EncodedCase
from engine.match.relations import combined_match
from engine.match.scoring import Scorer, prepare
from engine.triage.assess import assess, encode_with_presentation
from engine.triage.levels import TriageLevel, triage_level

#: Bootstrap resamples of the cases and the fixed seed that makes the intervals reproducible.
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20250116


@dataclass(frozen=True)
class DroppedFinding:
    """A present finding that reached no finding of the pack, and why."""

    case_id: str
    finding_id: str
    reason: str


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    expected: str
    rank: int  # best rank among the expected condition and its acceptable alternatives
    predicted: str  # top-1 condition_id
    top3: tuple[str, ...]
    expected_triage: str | None
    triage: TriageLevel
    n_present: int = 0  # distinct IDs reported present
    dropped: tuple[DroppedFinding, ...] = ()
    #: The panel the urgency is judged against (or the author's expected triage as a one-rating panel).
    reference: Panel | None = None
    panel_findings_only: Panel | None = None
    #: The pair the result names together (a lesion and the disease it arises in; engine.match.relations), if any.
    combined: frozenset[str] | None = None
    #: Every condition accepted as right for the case (the expected one and its alternatives).
    accepted: tuple[str, ...] = ()

    @property
    def relation_hit(self) -> bool:
        """Right at top-1 with the relation: right strictly, or the top-1 is the related partner of an accepted
        condition and the result's combined line names exactly that pair."""
        if self.rank == 1:
            return True
        return self.combined is not None and any(self.combined == {self.predicted, c} for c in self.accepted)

    @property
    def triage_gap(self) -> int | None:
        """Levels above (+) or below (-) the reference range; 0 within it; None without a reference."""
        return None if self.reference is None else self.reference.compare(self.triage)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rank, top-1 and top-3, triage against the reference range, and the dropped findings."""
        ref = self.reference
        return {"id": self.case_id, "expected": self.expected, "rank": self.rank, "predicted": self.predicted,
                "top3": list(self.top3), "expected_triage": self.expected_triage, "triage": self.triage,
                "reference": None if ref is None else {"low": ref.low, "high": ref.high, "consensus": ref.consensus},
                "dropped": [d.finding_id for d in self.dropped]}


@dataclass(frozen=True)
class Evaluation:
    method: str
    cases: tuple[CaseResult, ...]
    labels: tuple[str, ...]
    confusion: np.ndarray  # rows: expected condition, columns: predicted top-1, in ``labels`` order
    #: The pack's triage cost matrix (harm-weighted cost of the urgency figures).
    costs: np.ndarray = field(default_factory=lambda: DEFAULT_TRIAGE_COSTS)

    @property
    def n(self) -> int:
        return len(self.cases)

    @property
    def top1(self) -> float:
        return top_k_share([c.rank for c in self.cases], 1) or 0.0

    @property
    def top3(self) -> float:
        return top_k_share([c.rank for c in self.cases], 3) or 0.0

    @property
    def top1_with_relation(self) -> float:
        """Top-1 counting a case right when the top-1 is the related partner of the expected condition and the result
        names the pair together (a lesion and the disease it arises in); beside the strict ``top1``."""
        return sum(c.relation_hit for c in self.cases) / self.n if self.cases else 0.0

    def relation_report(self) -> dict[str, Any]:
        """Top-1 strictly and with the relation side by side, and the cases the relation adds."""
        added = [c for c in self.cases if c.relation_hit and c.rank != 1]
        return {"top1": round(self.top1, 4), "top1_with_relation": round(self.top1_with_relation, 4),
                "added": [{"case": c.case_id, "expected": c.expected, "predicted": c.predicted} for c in added]}

    @property
    def mrr(self) -> float:
        return mean_reciprocal_rank([c.rank for c in self.cases]) or 0.0

    @property
    def triage_agreement(self) -> float | None:
        """Share of cases with a reference whose level is within the reference range."""
        return None if (shares := self.triage_breakdown) is None else shares.exact

    def summary(self) -> dict[str, float | int | str | None]:
        return {"method": self.method, "n": self.n, "top1": round(self.top1, 4), "top3": round(self.top3, 4),
                "mrr": round(self.mrr, 4),
                "triage_agreement": None if self.triage_agreement is None else round(self.triage_agreement, 4)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary, the full report, every case and the confusion matrix."""
        return {"summary": self.summary(), "report": self.report(), "cases": [c.to_dict() for c in self.cases],
                "confusion": {"labels": list(self.labels), "matrix": self.confusion.tolist()}}

    @property
    def triage_breakdown(self) -> TriageShares | None:
        """Within the reference range ("exact"), under by one, under by two or more and over, among cases with a
        reference."""
        return triage_shares([c.triage_gap for c in self.cases if c.triage_gap is not None])

    def triage_report(self) -> dict[str, Any] | None:
        """The full urgency evaluation against the panels (:func:`engine.evaluation.urgency.triage_report`), with the
        findings-only panel beside it where the cases have one; None without any reference."""
        rated = [c for c in self.cases if c.reference is not None]
        if not rated:
            return None
        outcomes = [Outcome(c.case_id, c.triage, c.reference) for c in rated if c.reference is not None]
        report = triage_report(outcomes, self.costs)
        both = [(o, c.panel_findings_only) for o, c in zip(outcomes, rated, strict=True)
                if c.panel_findings_only is not None]
        if both:
            report["findings_only_panel"] = findings_only_panel_report(
                [o for o, _ in both], [p for _, p in both if p is not None], self.costs)
        by_source = [Outcome(c.case_id, c.triage, single(level)) for c in self.cases
                     if (level := triage_level(c.expected_triage)) is not None]
        report["vs_source_course"] = breakdown(by_source, self.costs) if by_source else None
        return report

    @property
    def under_triage_one(self) -> float | None:
        """Share of cases with an expected triage that got one level less."""
        return None if (shares := self.triage_breakdown) is None else shares.under_one

    @property
    def under_triage_two_plus(self) -> float | None:
        """Share of cases with an expected triage that got two or more levels less."""
        return None if (shares := self.triage_breakdown) is None else shares.under_two_plus

    @property
    def over_triage(self) -> float | None:
        """Share of cases with an expected triage that got a higher level."""
        return None if (shares := self.triage_breakdown) is None else shares.over

    @property
    def dropped(self) -> tuple[DroppedFinding, ...]:
        return tuple(d for c in self.cases for d in c.dropped)

    @property
    def present_findings(self) -> int:
        return sum(c.n_present for c in self.cases)

    @property
    def dropped_share(self) -> float:
        return len(self.dropped) / self.present_findings if self.present_findings else 0.0

    def recall_by_condition(self) -> dict[str, dict[str, float | int]]:
        """Per expected condition: its number of cases and the share ranked first (top-1) and in the top 3."""
        rows = sorted(per_condition_recall(self), key=lambda r: r.condition_id)
        return {r.condition_id: {"n": r.n, "top1": round(r.recall, 4), "top3": round(r.top3_recall, 4)}
                for r in rows}

    def bootstrap_ci(self, k: int, samples: int = BOOTSTRAP_SAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> tuple[float, float] | None:
        """Percentile bootstrap 95 % interval of top-``k`` accuracy (cases resampled; fixed seed)."""
        if not self.cases:
            return None
        hits = np.array([c.rank <= k for c in self.cases], dtype=float)
        idx = np.random.default_rng(seed).integers(0, len(hits), size=(samples, len(hits)))
        lo, hi = np.percentile(hits[idx].mean(axis=1), [2.5, 97.5])
        return round(float(lo), 4), round(float(hi), 4)

    def report(self) -> dict[str, object]:
        """Every figure of the evaluation, JSON-ready (``summary()`` plus safety and coverage figures)."""
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            **self.summary(),
            "top1_ci95": self.bootstrap_ci(1), "top3_ci95": self.bootstrap_ci(3),
            "triage_rated": sum(c.reference is not None for c in self.cases),
            "under_triage_one": r(self.under_triage_one), "under_triage_two_plus": r(self.under_triage_two_plus),
            "over_triage": r(self.over_triage),
            "present_findings": self.present_findings, "dropped_findings": len(self.dropped),
            "dropped_share": round(self.dropped_share, 4),
            "dropped": [{"case": d.case_id, "finding": d.finding_id, "reason": d.reason} for d in self.dropped],
            "recall_by_condition": self.recall_by_condition(),
            "triage": self.triage_report(),
            "top1_with_relation": self.relation_report(),
        }


def _dropped(case_id: str, encoded: EncodedCase) -> tuple[DroppedFinding, ...]:
    """Present IDs none of whose mappings reached a pack finding, each with the mapping's note (clinical modifiers,
    which qualify findings rather than being findings, are not counted)."""
    reached = {m.reported_id for m in encoded.mappings
               if m.present and (m.finding_id is not None or m.relation == "modifier")}
    out: dict[str, DroppedFinding] = {}
    for m in encoded.mappings:
        if m.present and m.reported_id not in reached and m.reported_id not in out:
            out[m.reported_id] = DroppedFinding(case_id, m.reported_id, m.note or "no finding of the pack is close")
    return tuple(out.values())


def evaluate(pack: KnowledgePack, cases: Sequence[Case], method: str, weights: Weights,
             findings_only: bool = False, about_you: bool = False) -> Evaluation:
    """Rank and triage every case and compare with its expected condition (alternatives count as correct) and
    its urgency reference (the panel, else the author's expected triage).

    ``findings_only`` drops every case's course and context, to measure what those inputs are worth.
    ``about_you`` ranks each case with its age band and sex (:func:`engine.match.context.with_context`).
    """
    if not cases:
        raise InputError("no cases to evaluate: a score over zero cases would read as 0%")
    scorer = prepare(pack, weights, method)
    rules = pack_context_rules(pack) if about_you and not findings_only else ()
    by_person: dict[tuple[str | None, str | None], Scorer] = {}
    credit = weights.params.similarity_floor
    results = []
    for case in cases:
        presentation = None if findings_only else case.presentation
        encoded = encode_with_presentation(pack, case.present, case.absent, credit, presentation)
        person = (case.presentation.age_band, case.presentation.sex) if rules else (None, None)
        if person not in by_person:
            by_person[person] = with_context(scorer, rules, *person)[0]
        ranking = explain(by_person[person], encoded)
        order = [m.condition_id for m in ranking.matches]
        rank = min(order.index(c) + 1 for c in case.accepted)
        combined = combined_match(pack, ranking)
        results.append(CaseResult(case.id, case.expected, rank, order[0], tuple(order[:3]),
                                  case.expected_triage, assess(pack, encoded, ranking, presentation).level,
                                  len(set(case.present)), _dropped(case.id, encoded), case.triage_reference,
                                  case.panel_findings_only, None if combined is None else combined.pair,
                                  tuple(case.accepted)))
    from sklearn.metrics import confusion_matrix  # lazily: importing scikit-learn costs about 1 s of start-up

    labels = pack.condition_ids
    matrix = (confusion_matrix([r.expected for r in results], [r.predicted for r in results], labels=list(labels))
              if results else np.zeros((len(labels), len(labels)), dtype=int))
    return Evaluation(method, tuple(results), labels, matrix, pack.triage_costs)


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

"""How a tool's urgency levels compare with a panel's: the figures that judge the urgency advice.

Per reference level (the panel's consensus) and overall, with 95% intervals: emergency sensitivity, under by any
level and by two or more (below the panel's range), within the range, over (above it), exact (the consensus),
linear-weighted Cohen's kappa against each rater and against the consensus, and the harm-weighted cost (the
pack's cost matrix, from the nearer end of the range). Beside them, the same figures for each rater read against
the other, and the panel's own agreement. Proportions have Wilson intervals; kappa and cost percentile bootstrap
intervals (cases resampled, fixed seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.evaluation.metrics import wilson_interval
from engine.io.panel import Panel, Rating
from engine.triage.levels import TRIAGE_LEVELS, TriageLevel, severity

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20251124



def weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Linear-weighted Cohen's kappa of two ratings on the 4-level scale; None when undefined.

    The arithmetic of scikit-learn's ``cohen_kappa_score(weights="linear")``, step for step (so the values are
    the same to the last bit), without its input checks: those cost about 3 ms a call, and the bootstrap
    intervals call it thousands of times (about 30 s for one report; a few milliseconds like this).
    """
    if len(a) < 2:
        return None
    if len(set(a)) == 1 and len(set(b)) == 1:
        return 1.0 if a[0] == b[0] else 0.0
    k = len(TRIAGE_LEVELS)
    confusion = np.bincount(np.asarray(a, dtype=np.int64) * k + np.asarray(b, dtype=np.int64),
                            minlength=k * k).reshape(k, k).astype(np.float64)
    sum0, sum1 = confusion.sum(axis=0), confusion.sum(axis=1)
    total = sum0.sum()
    if total == 0:
        return None
    expected = np.outer(sum0, sum1) / total
    w_mat = np.zeros((k, k), dtype=np.float64) + np.arange(k)
    w_mat = np.abs(w_mat - w_mat.T)
    denominator = np.sum(w_mat * expected)
    if denominator == 0:
        return None
    return float(1 - np.sum(w_mat * confusion) / denominator)


@dataclass(frozen=True)
class Outcome:
    """One case: the level given and the panel it is judged against."""

    case_id: str
    level: TriageLevel
    panel: Panel


def _cost(outcome: Outcome, costs: np.ndarray) -> float:
    low, high = outcome.panel.bounds
    k = severity(outcome.level)
    ref = low if k < low else (high if k > high else k)
    return float(costs[ref, k])


def _share(flags: Sequence[bool]) -> dict[str, Any]:
    n, k = len(flags), int(sum(flags))
    lo, hi = wilson_interval(k, n)
    return {"share": round(k / n, 4) if n else None, "n": n, "ci95": [round(lo, 4), round(hi, 4)]}


def _bootstrap(values: np.ndarray, stat: Any) -> list[float] | None:
    if len(values) < 2:
        return None
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    samples = []
    for _ in range(BOOTSTRAP_SAMPLES):
        got = stat(values[rng.integers(0, len(values), len(values))])
        if got is not None:
            samples.append(got)
    if not samples:
        return None
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


def _kappa_entry(given: Sequence[int], reference: Sequence[int]) -> dict[str, Any]:
    pairs = np.array(list(zip(given, reference, strict=True)), dtype=int).reshape(-1, 2)
    value = weighted_kappa(pairs[:, 0].tolist(), pairs[:, 1].tolist())
    ci = _bootstrap(pairs, lambda s: weighted_kappa(s[:, 0].tolist(), s[:, 1].tolist()))
    return {"kappa": None if value is None else round(value, 4), "n": len(pairs), "ci95": ci}


def _rater(panel: Panel, role: str) -> Rating | None:
    return next((r for r in panel.ratings if r.role == role), None)


def breakdown(outcomes: Sequence[Outcome], costs: np.ndarray) -> dict[str, Any]:
    """Exact, within, under (any, two or more), over, and the mean harm-weighted cost, with intervals."""
    gaps = [o.panel.compare(o.level) for o in outcomes]
    cost = np.array([_cost(o, costs) for o in outcomes])
    return {
        "n": len(outcomes),
        "exact": _share([o.level == o.panel.consensus for o in outcomes]),
        "within": _share([g == 0 for g in gaps]),
        "under": _share([g < 0 for g in gaps]),
        "under_two_plus": _share([g <= -2 for g in gaps]),
        "over": _share([g > 0 for g in gaps]),
        "cost": {"mean": round(float(cost.mean()), 4) if len(cost) else None,
                 "ci95": _bootstrap(cost, lambda s: float(s.mean()))},
    }


def triage_report(outcomes: Sequence[Outcome], costs: np.ndarray) -> dict[str, Any]:
    """Every figure of the urgency evaluation, JSON-ready (see the module docstring)."""
    outcomes = list(outcomes)
    report: dict[str, Any] = {"overall": breakdown(outcomes, costs)}
    emergencies = [o for o in outcomes if o.panel.consensus == "emergency"]
    report["emergency_sensitivity"] = _share([o.level == "emergency" for o in emergencies])
    report["by_reference_level"] = {level: breakdown([o for o in outcomes if o.panel.consensus == level], costs)
                                    for level in TRIAGE_LEVELS}
    given = [severity(o.level) for o in outcomes]
    kappas = {"consensus": _kappa_entry(given, [severity(o.panel.consensus) for o in outcomes])}
    roles = sorted({r.role for o in outcomes for r in o.panel.ratings if r.role != "author"})
    for role in roles:
        rated = [(severity(o.level), severity(r.level)) for o in outcomes if (r := _rater(o.panel, role))]
        kappas[role] = _kappa_entry([g for g, _ in rated], [x for _, x in rated])
    report["kappa"] = kappas
    report["raters"] = rater_report(outcomes, costs, roles)
    return report


def rater_report(outcomes: Sequence[Outcome], costs: np.ndarray, roles: Sequence[str]) -> dict[str, Any]:
    """Each rater read against the other (the other's level as a one-rating reference), and the panel's own
    agreement: what a clinician's advice looks like by the same yardstick."""
    out: dict[str, Any] = {}
    for role in roles:
        for other in roles:
            if other == role:
                continue
            pairs = [(a.level, b.level) for o in outcomes
                     if (a := _rater(o.panel, role)) and (b := _rater(o.panel, other))]
            if not pairs:
                continue
            as_outcomes = [Outcome("", given, Panel((Rating("", other, ref),))) for given, ref in pairs]
            entry = breakdown(as_outcomes, costs)
            entry["kappa"] = _kappa_entry([severity(g) for g, _ in pairs], [severity(r) for _, r in pairs])
            out[f"{role}_vs_{other}"] = entry
    return out


def findings_only_panel_report(outcomes: Sequence[Outcome], findings_only: Sequence[Panel],
                               costs: np.ndarray) -> dict[str, Any]:
    """A findings-only panel read against the full panel: each of its raters, and its consensus."""
    out: dict[str, Any] = {}
    roles = sorted({r.role for p in findings_only for r in p.ratings})
    for role in roles:
        graded = [Outcome(o.case_id, r.level, o.panel) for o, p in zip(outcomes, findings_only, strict=True)
                  if (r := _rater(p, role))]
        out[role] = breakdown(graded, costs)
    out["consensus"] = breakdown([Outcome(o.case_id, p.consensus, o.panel)
                                  for o, p in zip(outcomes, findings_only, strict=True)], costs)
    return out

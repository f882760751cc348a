"""Pure helpers for the Teach and Analyze pages: tables and chart frames built from engine results.

No streamlit here (so every function is testable on its own) and no scoring logic: the numbers come
from the engine; this module only arranges them for display and export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from engine import (
    PARAM_SPECS,
    Case,
    Evaluation,
    KnowledgePack,
    Result,
    Scorer,
    Weights,
    validate_weights,
)
from engine.corpus.pack import CorpusHit, CorpusPack
from engine.evaluation.corpus import CorpusEvaluation, CorpusQuery
from engine.evaluation.curated import per_condition_recall
from engine.evaluation.sensitivity import Sensitivity
from engine.knowledge.weights import escape_cell
from engine.match.steps import step_through

# --- labels and CSV ----------------------------------------------------------------------------------

def finding_label(pack: KnowledgePack, finding_id: str, cases: Sequence[Case] = ()) -> str:
    """A clinical label for any finding ID: the pack's, a case file's, HPO's, or the ID itself."""
    if finding_id in pack.finding_index:
        return pack.finding(finding_id).label
    for case in cases:
        for fid, text in case.labels:
            if fid == finding_id:
                return text
    term = pack.ontology.terms.get(finding_id)
    return term.name if term is not None else finding_id


def condition_name(pack: KnowledgePack, condition_id: str) -> str:
    """The one name shown everywhere: lay name with the medical name beside it (the ID when unknown)."""
    return pack.condition(condition_id).display_name if condition_id in pack.condition_index else condition_id


def medical_name(pack: KnowledgePack, condition_id: str) -> str:
    """The medical name alone (the ID when unknown): how the narrow tables for a phone and the analysts' tables
    name a condition (read at once, and half as long as the lay name)."""
    return pack.condition(condition_id).name if condition_id in pack.condition_index else condition_id


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV whose cells never start a spreadsheet formula (OWASP CSV-injection advice, as weights_to_csv)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([escape_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _missing(v) else escape_cell(str(v)) for v in row])
    return buf.getvalue()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


# --- weights editor ----------------------------------------------------------------------------------

def weights_tables(pack: KnowledgePack, weights: Weights) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three editable tables: finding weights, condition priors, method parameters."""
    findings = pd.DataFrame([{"finding_id": f.id, "label": f.label, "group": f.group,
                              "weight": float(weights.finding_weights[f.id])} for f in pack.findings])
    priors = pd.DataFrame([{"condition_id": c.id, "name": c.name, "prior": float(weights.priors[c.id])}
                           for c in pack.conditions])
    values = weights.params.as_dict()
    params = pd.DataFrame([{"parameter": k, "value": str(values[k]), "default": str(spec.default),
                            "allowed": _allowed(k), "help": spec.help} for k, spec in PARAM_SPECS.items()])
    return findings, priors, params


def _allowed(name: str) -> str:
    spec = PARAM_SPECS[name]
    if spec.choices:
        return " | ".join(spec.choices)
    kind = "whole number" if spec.integer else "number"
    return f"{kind} {spec.low:g} to {spec.high:g}"


def _cell(value: Any) -> Any:
    """Editor cells to raw values for validate_weights (an emptied cell becomes None and is refused there)."""
    if _missing(value):
        return None
    return value.strip() if isinstance(value, str) else value


def weights_from_tables(pack: KnowledgePack, findings: pd.DataFrame, priors: pd.DataFrame,
                        params: pd.DataFrame) -> Weights:
    """Validate edited tables into Weights (raises :class:`engine.WeightsError` naming the entry)."""
    fw = {str(r.finding_id): _cell(r.weight) for r in findings.itertuples(index=False)}
    pr = {str(r.condition_id): _cell(r.prior) for r in priors.itertuples(index=False)}
    pa = {str(r.parameter): _param_value(str(r.parameter), _cell(r.value)) for r in params.itertuples(index=False)}
    return validate_weights(pack, fw, pr, pa)


def _param_value(name: str, raw: Any) -> Any:
    spec = PARAM_SPECS.get(name)
    if spec is None or spec.choices or not isinstance(raw, str):
        return raw
    try:
        return float(raw)
    except ValueError:
        return raw  # validate_weights names the parameter and the bad text


def diff_frame(pack: KnowledgePack, default: Weights, current: Weights) -> pd.DataFrame:
    """What the current weights change compared with the defaults (``Weights.diff``)."""
    rows = []
    for kind, key, before, after in default.diff(current):
        name = (finding_label(pack, key) if kind == "finding" else condition_name(pack, key) if kind == "prior"
                else PARAM_SPECS[key].help if key in PARAM_SPECS else "")
        rows.append({"kind": kind, "key": key, "name": name, "default": str(before), "current": str(after)})
    return pd.DataFrame(rows, columns=["kind", "key", "name", "default", "current"])


# --- evaluation --------------------------------------------------------------------------------------

METRICS = (("Top-1 accuracy", "top1"), ("Top-3 accuracy", "top3"), ("Mean reciprocal rank", "mrr"),
           ("Urgency within the reference range", "triage_agreement"))


def metrics_frame(current: Evaluation, default: Evaluation) -> pd.DataFrame:
    """Top-1 and top-3 accuracy, mean reciprocal rank and the share of urgency levels within the reference range,
    under the current and the default weights, with the difference."""
    rows = []
    for title, attr in METRICS:
        now, before = getattr(current, attr), getattr(default, attr)
        diff = None if now is None or before is None else now - before
        rows.append({"metric": title, "current": now, "default": before, "difference": diff})
    return pd.DataFrame(rows)


def case_changes_frame(pack: KnowledgePack, current: Evaluation, default: Evaluation) -> pd.DataFrame:
    """Per case: the expected condition's rank under defaults and now (negative change = better now)."""
    before = {c.case_id: c for c in default.cases}
    rows = []
    for c in current.cases:
        d = before[c.case_id]
        rows.append({"case": c.case_id, "expected": condition_name(pack, c.expected), "rank (default)": d.rank,
                     "rank (current)": c.rank, "change": c.rank - d.rank,
                     "top-1 (current)": condition_name(pack, c.predicted), "triage (current)": c.triage,
                     "expected triage": c.expected_triage or ""})
    frame = pd.DataFrame(rows, columns=["case", "expected", "rank (default)", "rank (current)", "change",
                                        "top-1 (current)", "triage (current)", "expected triage"])
    # The cases that moved first, the biggest move first (a stable sort keeps file order among equals).
    size = frame["change"].abs()
    return frame.iloc[np.argsort(-size.to_numpy(), kind="stable")].reset_index(drop=True)


def methods_frame(evaluations: Mapping[str, Evaluation]) -> pd.DataFrame:
    """One row per method: cases and the :data:`METRICS` (the same cases and weights)."""
    return pd.DataFrame([{"method": name, "cases": e.n, **{title: getattr(e, attr) for title, attr in METRICS}}
                         for name, e in evaluations.items()],
                        columns=["method", "cases", *(title for title, _ in METRICS)])


def recall_frame(pack: KnowledgePack, evaluation: Evaluation) -> pd.DataFrame:
    """Per expected condition: cases, top-1 and top-3 recall with 95% Wilson intervals (engine.evaluation.curated)."""
    rows = []
    for r in per_condition_recall(evaluation):
        (lo1, hi1), (lo3, hi3) = r.recall_ci, r.top3_ci
        rows.append({"condition": condition_name(pack, r.condition_id), "cases": r.n, "top-1 recall": r.recall,
                     "top-1 95% CI": f"{lo1:.2f} to {hi1:.2f}", "top-3 recall": r.top3_recall,
                     "top-3 95% CI": f"{lo3:.2f} to {hi3:.2f}"})
    return pd.DataFrame(rows, columns=["condition", "cases", "top-1 recall", "top-1 95% CI", "top-3 recall",
                                       "top-3 95% CI"])


def confusion_frame(pack: KnowledgePack, evaluation: Evaluation) -> pd.DataFrame:
    """The confusion matrix as long rows (expected, predicted, count) over conditions that occur."""
    used = sorted({c.expected for c in evaluation.cases} | {c.predicted for c in evaluation.cases})
    index = {cid: i for i, cid in enumerate(evaluation.labels)}
    rows = [{"expected": condition_name(pack, e), "predicted": condition_name(pack, p),
             "count": int(evaluation.confusion[index[e], index[p]])} for e in used for p in used]
    return pd.DataFrame(rows, columns=["expected", "predicted", "count"])


def sensitivity_frame(rows: Sequence[Sensitivity], top: int | None = None) -> pd.DataFrame:
    """Sensitivity rows as a table, most influential first."""
    data = [{"weight": f"{r.kind}: {r.label}", "kind": r.kind, "key": r.key, "label": r.label,
             "mean |rank change|": r.mean_abs_rank_change, "mean |strength change|": r.mean_abs_share_change,
             "cases moved": r.cases_moved, "MRR change (+)": r.mrr_up, "MRR change (−)": r.mrr_down}
            for r in rows[:top]]
    return pd.DataFrame(data)


# --- teaching ----------------------------------------------------------------------------------------

def case_steps(present: Sequence[str], absent: Sequence[str]) -> list[tuple[str, bool]]:
    """The order in which a case's findings are revealed: present ones, then pertinent negatives."""
    return [(f, True) for f in present] + [(f, False) for f in absent]


def step_frame(scorer: Scorer, steps: Sequence[tuple[str, bool]], cases: Sequence[Case] = (),
               top: int = 5) -> pd.DataFrame:
    """Rank and match strength per step for every condition that reaches the top ``top`` at some step.

    The engine ranks the steps (:func:`engine.match.steps.step_through`); this only shapes the frame.
    """
    done = step_through(scorer, steps)
    if not done:
        return pd.DataFrame(columns=["step", "added", "condition", "rank", "strength"])
    pack = scorer.pack
    keep = np.flatnonzero((np.array([s.ranks for s in done]) <= top).any(axis=0))
    rows = []
    for k, step in enumerate(done, start=1):
        added = f"{'+' if step.present else '−'} {finding_label(pack, step.finding_id, cases)}"
        rows += [{"step": k, "added": added, "condition": pack.conditions[i].display_name,
                  "rank": int(step.ranks[i]), "strength": float(step.shares[i])} for i in keep]
    return pd.DataFrame(rows)


def profile_frame(pack: KnowledgePack, condition_ids: Sequence[str], reported: Mapping[str, bool] | None = None,
                  ) -> pd.DataFrame:
    """Finding × condition profile frequencies (long rows) for the findings of any chosen condition."""
    reported = reported or {}
    idx = [pack.condition_index[c] for c in condition_ids]
    cols = [j for j in range(len(pack.findings)) if (pack.frequency[idx, j] > 0).any()] if idx else []
    rows = []
    for j in cols:
        f = pack.findings[j]
        status = "" if f.id not in reported else ("reported present" if reported[f.id] else "reported absent")
        for i in idx:
            rows.append({"finding": f"{f.label} ({f.id})", "finding_id": f.id,
                         "condition": pack.conditions[i].display_name,
                         "frequency": float(pack.frequency[i, j]), "hallmark": bool(pack.hallmark[i, j]),
                         "mark": "★" if pack.hallmark[i, j] else "", "reported": status})
    return pd.DataFrame(rows, columns=["finding", "finding_id", "condition", "frequency", "hallmark", "mark",
                                       "reported"])


SALIENT_FREQUENCY = 0.3


def salient_profile_rows(frame: pd.DataFrame, threshold: float = SALIENT_FREQUENCY) -> pd.DataFrame:
    """Keep findings that are reported, a hallmark, or at least ``threshold`` frequent in a chosen condition."""
    if frame.empty:
        return frame
    # pandas-stubs routes every keyword to ``func``, so it misses apply's own include_groups
    keep = frame.groupby("finding_id").apply(  # type: ignore[call-overload]
        lambda g: bool((g["reported"] != "").any() or g["hallmark"].any() or (g["frequency"] >= threshold).any()),
        include_groups=False)
    return frame[frame["finding_id"].isin(keep[keep].index)]


def method_top_frame(pack: KnowledgePack, result: Result, top: int = 5) -> pd.DataFrame:
    """The top matches of one method's result: rank, condition, match strength, score."""
    return pd.DataFrame([{"rank": m.rank, "condition": condition_name(pack, m.condition_id),
                          "strength": round(m.share, 4),
                          "score": round(m.score, 4)} for m in result.ranking.matches[:top]])


def compact_ranking_frame(pack: KnowledgePack, result: Result, top: int = 5) -> pd.DataFrame:
    """The ranking for a phone: three columns, rank, condition by its medical name (as the trajectory chart names
    it) and how it fits in words (its share of the match, its usual features reported, the evidence)."""
    rows = [{"rank": m.rank, "condition": medical_name(pack, m.condition_id),
             "how it fits": f"{m.shown_share:.0%} of the match; {m.fit.usual_matched} of {m.fit.usual_total} usual "
                            f"features; evidence {m.fit.level}"} for m in result.ranking.matches[:top]]
    return pd.DataFrame(rows, columns=["rank", "condition", "how it fits"])


def next_questions_frame(pack: KnowledgePack, result: Result) -> pd.DataFrame:
    """The most informative unasked findings: HPO ID, label, information gain (bits), whom it separates."""
    return pd.DataFrame([{"finding_id": q.finding_id, "finding": q.label, "information gain (bits)":
                          round(q.information_gain, 3), "favours": condition_name(pack, q.favours),
                          "against": condition_name(pack, q.against), "why": q.reason}
                         for q in result.next_questions])


def compact_next_questions_frame(pack: KnowledgePack, result: Result) -> pd.DataFrame:
    """The next findings for a phone: two columns, the finding's label and, in words, which candidate its presence
    favours over which (conditions by their medical names, as the compact ranking names them)."""
    rows = [{"finding": q.label,
             "if present, favours": f"{medical_name(pack, q.favours)} over {medical_name(pack, q.against)}"}
            for q in result.next_questions]
    return pd.DataFrame(rows, columns=["finding", "if present, favours"])


def library_frame(pack: KnowledgePack, cases: Sequence[Case]) -> pd.DataFrame:
    """The teaching-case library: one row per case."""
    return pd.DataFrame([{"id": c.id, "title": c.title, "expected": condition_name(pack, c.expected),
                          "findings": len(c.present) + len(c.absent), "pertinent negatives": len(c.absent),
                          "triage": c.expected_triage or "", "source": c.source} for c in cases])


def compact_library_frame(pack: KnowledgePack, cases: Sequence[Case]) -> pd.DataFrame:
    """The library for a phone: two columns, the case by its title (its id when it has none) and the condition it
    teaches by its medical name, the group the case file puts it in (a source is a citation of many lines)."""
    rows = [{"case": c.title or c.id, "condition": medical_name(pack, c.expected)} for c in cases]
    return pd.DataFrame(rows, columns=["case", "condition"])


# --- rare-disease corpus -----------------------------------------------------------------------------

def _term_label(corpus: CorpusPack, hpo_id: str) -> str:
    term = corpus.ontology.terms.get(hpo_id)
    return f"{term.name} ({hpo_id})" if term is not None else hpo_id


def corpus_hits_frame(corpus: CorpusPack, hits: Sequence[CorpusHit]) -> pd.DataFrame:
    """Ranked corpus diseases: rank, disease ID (text), name, score, matched and partly matched terms."""
    columns = ["rank", "disease", "name", "score", "matched", "matched terms", "via a broader term"]
    return pd.DataFrame([{"rank": h.rank, "disease": str(h.disease_id), "name": h.name, "score": round(h.score, 3),
                          "matched": len(h.matched),
                          "matched terms": "; ".join(_term_label(corpus, t) for t in h.matched),
                          "via a broader term": "; ".join(f"{_term_label(corpus, t)} → {corpus.ontology.term(a).name}"
                                                          for t, a in h.partial)}
                         for h in hits], columns=columns)


def corpus_left_out_frame(pack: KnowledgePack, query: CorpusQuery, cases: Sequence[Case] = ()) -> pd.DataFrame:
    """The working case's findings the corpus cannot use, and why."""
    return pd.DataFrame([{"finding_id": fid, "finding": finding_label(pack, fid, cases), "why left out": why}
                         for fid, why in query.left_out], columns=["finding_id", "finding", "why left out"])


def corpus_eval_frame(pack: KnowledgePack, evaluation: CorpusEvaluation) -> pd.DataFrame:
    """Per case: the expected condition, its codes, the best rank of a code in the corpus (or why n/a)."""
    rows = [{"case": c.case_id, "expected": condition_name(pack, c.expected), "codes": " ".join(c.codes),
             "rank": c.rank, "best code": c.disease_id or "", "HPO present": c.n_present, "HPO absent": c.n_absent,
             "left out": len(c.left_out), "status": c.status} for c in evaluation.cases]
    return pd.DataFrame(rows, columns=["case", "expected", "codes", "rank", "best code", "HPO present", "HPO absent",
                                       "left out", "status"]).astype({"rank": "Int64"})

"""Pure helpers for the Analyze page: tables that read on a phone, and the urgency figures in analyst wording.

No streamlit here. The figures come from the engine (:meth:`engine.Evaluation.triage_report`,
:class:`engine.evaluation.corpus.CorpusEvaluation`); this module only words and arranges them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd

from engine import Evaluation, KnowledgePack
from engine.triage.levels import TRIAGE_LEVELS
from ui.components.frames import medical_name

# --- ranking figures ---------------------------------------------------------------------------------

#: The summary keys of an evaluation (curated or corpus) and how an analyst reads them, in display order.
SUMMARY_LABELS = {
    "n": "Cases evaluated",
    "top1": "Top-1 accuracy",
    "top3": "Top-3 accuracy",
    "top10": "Top-10 accuracy",
    "mrr": "Mean reciprocal rank",
    "triage_agreement": "Urgency within the reference range",
    "ms_per_case": "Time per case (ms)",
}
SUMMARY_HELP = {
    "n": "Cases that could be ranked; the ones left out are counted below, with the reason.",
    "top1": "Share of cases whose expected condition is ranked first.",
    "top3": "Share of cases whose expected condition is among the first three.",
    "top10": "Share of cases whose expected condition is among the first ten.",
    "mrr": "Mean of 1 / rank of the expected condition: 1 when always first, 0.5 when always second.",
    "triage_agreement": "Share of cases with an urgency reference (the panel's range, or the case author's expected "
                        "urgency when a case has no panel) whose level is within it.",
    "ms_per_case": "Ranking time per case, in milliseconds, on this server.",
}
PERCENT_KEYS = frozenset({"top1", "top3", "top10", "triage_agreement"})


def summary_value(key: str, value: object) -> str:
    """One summary figure as shown: shares as percentages, the mean reciprocal rank to 3 places, counts whole."""
    if value is None:
        return "n/a"
    if key in PERCENT_KEYS and isinstance(value, float | int):
        return f"{value:.1%}"
    if key == "ms_per_case" and isinstance(value, float | int):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def summary_tiles(summary: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, help) for every figure of ``summary`` in :data:`SUMMARY_LABELS`, in that order."""
    return [(SUMMARY_LABELS[k], summary_value(k, summary[k]), SUMMARY_HELP[k]) for k in SUMMARY_LABELS
            if k in summary]


# --- confusion matrix as a table ---------------------------------------------------------------------

def confusion_table(pack: KnowledgePack, evaluation: Evaluation) -> pd.DataFrame:
    """The confusion matrix as one row per expected condition: its cases, how many were ranked first, and what
    was ranked first instead (with counts). It reads on a phone, where a 17 × 17 heat map cannot."""
    index = {cid: i for i, cid in enumerate(evaluation.labels)}
    expected = sorted({c.expected for c in evaluation.cases}, key=index.__getitem__)
    rows = []
    for cid in expected:
        counts = evaluation.confusion[index[cid]]
        others = sorted(((int(n), evaluation.labels[j]) for j, n in enumerate(counts) if n and j != index[cid]),
                        key=lambda item: (-item[0], index[item[1]]))
        instead = "; ".join(f"{medical_name(pack, other)} ({n})" for n, other in others) or "—"
        rows.append({"expected": medical_name(pack, cid), "cases": int(counts.sum()),
                     "ranked first": int(counts[index[cid]]), "ranked first instead": instead})
    return pd.DataFrame(rows, columns=["expected", "cases", "ranked first", "ranked first instead"])


def medical_names(pack: KnowledgePack, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with the display names in ``columns`` replaced by the conditions' medical names."""
    names = {c.display_name: c.name for c in pack.conditions}
    return frame.assign(**{col: frame[col].map(lambda v: names.get(v, v)) for col in columns})


def two_lines(text: str, width: int = 44) -> tuple[str, str]:
    """``text`` as (first line, last line) of at most ``width`` characters each, for names drawn above bars; the
    first is empty for a short name, and a name too long for two lines ends in an ellipsis."""
    lines = textwrap.wrap(text, width) or [text]
    if len(lines) == 1:
        return "", lines[0]
    rest = " ".join(lines[1:])
    return lines[0], rest if len(rest) <= width else rest[:width - 1].rstrip() + "…"


# --- urgency against the triage panel ----------------------------------------------------------------

ROLE_TITLES = {
    "consensus": "The panel's consensus",
    "urgent_care": "Urgent-care clinician",
    "dermatology": "Dermatology clinician",
    "rheumatology": "Rheumatology clinician",
    "adjudicator": "Adjudicator (third rating)",
    "author": "Case author",
}
#: The rows of an urgency breakdown (engine.evaluation.urgency.breakdown) in analyst wording.
BREAKDOWN_ROWS = (
    ("within", "Within the panel's range"),
    ("exact", "Same level as the panel's consensus"),
    ("under", "Under-triaged: below the panel's range"),
    ("under_two_plus", "Under-triaged by two or more levels"),
    ("over", "Over-triaged: above the panel's range"),
)
COST_TITLE = "Mean harm-weighted cost"


def role_title(role: str) -> str:
    return ROLE_TITLES.get(role, role.replace("_", " ").capitalize())


def pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def pct_ci(ci: list[float] | tuple[float, float] | None) -> str:
    return "n/a" if not ci else f"{ci[0]:.1%} to {ci[1]:.1%}"


def num_ci(ci: list[float] | tuple[float, float] | None) -> str:
    return "n/a" if not ci else f"{ci[0]:.3f} to {ci[1]:.3f}"


def _range(ci: list[float] | tuple[float, float] | None, scale: float = 1.0, places: int = 3) -> str:
    return "n/a" if not ci else f"{ci[0] * scale:.{places}f}–{ci[1] * scale:.{places}f}"


def share_cell(entry: Mapping[str, Any]) -> str:
    """A share with its 95% interval in one short cell (it has to fit a phone's column): ``78.7% (69.4–85.8)``."""
    return f"{pct(entry.get('share'))} ({_range(entry.get('ci95'), 100, 1)})" if entry.get("n") else "n/a"


def cost_cell(entry: Mapping[str, Any]) -> str:
    mean = entry.get("mean")
    return "n/a" if mean is None else f"{mean:.3f} ({_range(entry.get('ci95'))})"


def kappa_cell(entry: Mapping[str, Any] | None) -> str:
    if not entry or entry.get("kappa") is None:
        return "n/a"
    return f"{entry['kappa']:.3f} ({_range(entry.get('ci95'))})"


def panel_counts(evaluation: Evaluation) -> tuple[int, int]:
    """Cases judged against a panel of two or more raters, and cases judged against their author's level only."""
    rated = [c.reference for c in evaluation.cases if c.reference is not None]
    panel = sum(len(p.ratings) > 1 or p.ratings[0].role != "author" for p in rated)
    return panel, len(rated) - panel


def overall_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """The overall urgency figures: each share with its 95% interval and its number of cases, emergency
    sensitivity, and the mean harm-weighted cost."""
    overall = report["overall"]
    rows = [{"figure": title, "value": pct(overall[key]["share"]), "95% CI": pct_ci(overall[key]["ci95"]),
             "cases": overall[key]["n"]} for key, title in BREAKDOWN_ROWS]
    sens = report["emergency_sensitivity"]
    rows.append({"figure": "Emergency sensitivity: panel emergencies the tool sent to emergency care",
                 "value": pct(sens["share"]), "95% CI": pct_ci(sens["ci95"]), "cases": sens["n"]})
    cost = overall["cost"]
    rows.append({"figure": f"{COST_TITLE} (0 = within the range; see below)",
                 "value": "n/a" if cost["mean"] is None else f"{cost['mean']:.3f}", "95% CI": num_ci(cost["ci95"]),
                 "cases": overall["n"]})
    return pd.DataFrame(rows, columns=["figure", "value", "95% CI", "cases"])


def by_level_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """Per level of the panel's consensus, most severe first: cases, within, under, over and mean cost."""
    rows = []
    for level in reversed(TRIAGE_LEVELS):
        entry = report["by_reference_level"].get(level)
        if not entry or not entry["n"]:
            continue
        rows.append({"panel's consensus": level.capitalize(), "cases": entry["n"],
                     "within the range": share_cell(entry["within"]), "under": share_cell(entry["under"]),
                     "over": share_cell(entry["over"]), "mean cost": cost_cell(entry["cost"])})
    return pd.DataFrame(rows, columns=["panel's consensus", "cases", "within the range", "under", "over",
                                       "mean cost"])


def kappa_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """The tool's agreement with the consensus and with each rater: linear-weighted Cohen's kappa."""
    rows = [{"the tool against": role_title(role), "weighted kappa (95% CI)": kappa_cell(entry), "cases": entry["n"]}
            for role, entry in report["kappa"].items()]
    return pd.DataFrame(rows, columns=["the tool against", "weighted kappa (95% CI)", "cases"])


def yardstick_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """The tool against the panel beside each rater read against the other rater, by the same yardstick: what a
    clinician's advice looks like on the same cases. The case author's level, when the cases have one, too."""
    def row(who: str, entry: Mapping[str, Any], kappa: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"whose levels, against what": f"{who} ({entry['n']} cases)", "within": share_cell(entry["within"]),
                "under": share_cell(entry["under"]), "over": share_cell(entry["over"]),
                "mean cost": cost_cell(entry["cost"]), "weighted kappa": kappa_cell(kappa)}

    rows = [row("The tool, against the panel's range (kappa: its consensus)", report["overall"],
                report["kappa"].get("consensus"))]
    for pair, entry in report.get("raters", {}).items():
        role, _, other = pair.partition("_vs_")
        rows.append(row(f"{role_title(role)}, against the {role_title(other).lower()}", entry, entry.get("kappa")))
    source = report.get("vs_source_course")
    if source:
        rows.append(row("The tool, against the case author's expected urgency", source, None))
    return pd.DataFrame(rows, columns=["whose levels, against what", "within", "under", "over", "mean cost",
                                       "weighted kappa"])


def findings_only_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """A panel that saw only the findings, read against the full panel (when the cases have one)."""
    rows = [{"findings-only rating": role_title(role), "cases": entry["n"], "within": share_cell(entry["within"]),
             "under": share_cell(entry["under"]), "over": share_cell(entry["over"]),
             "mean cost": cost_cell(entry["cost"])}
            for role, entry in (report.get("findings_only_panel") or {}).items()]
    return pd.DataFrame(rows, columns=["findings-only rating", "cases", "within", "under", "over", "mean cost"])


def cost_matrix_frame(costs: Any) -> pd.DataFrame:
    """The pack's cost matrix as shown: one row per reference level, one column per level given."""
    return pd.DataFrame([{"reference \\ given": ref.capitalize(),
                          **{lvl.capitalize(): float(costs[i, j]) for j, lvl in enumerate(TRIAGE_LEVELS)}}
                         for i, ref in enumerate(TRIAGE_LEVELS)])

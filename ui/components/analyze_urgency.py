"""The Analyze page's urgency figures: the tool's levels against each case's triage panel, in analyst wording.

The figures are the engine's (:meth:`engine.Evaluation.triage_report`); :mod:`ui.components.analyze_tables` words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import streamlit as st

from engine import Evaluation
from ui.components import analyze_tables as tables

METHOD_NOTE = (
    "Each case's urgency reference is its panel: two clinicians who saw what the tool sees (an urgent-care "
    "clinician and a dermatology or rheumatology clinician), and a third, blind rating when those two were two or "
    "more levels apart. The panel's range runs from the lower to the higher rating; its consensus is the level both "
    "give (else the third rating, else the higher one). Shares have 95% Wilson intervals; kappa and cost 95% "
    "bootstrap intervals (cases resampled, fixed seed)."
)
COST_NOTE = (
    "Harm-weighted cost: for each case, the pack's cost of the level given, read from the nearer end of the panel's "
    "range (0 within it; under-triage costs more than over-triage, and more the further it falls), averaged over "
    "the cases."
)
YARDSTICK_NOTE = (
    "Each clinician's level read against the other clinician's, by the same figures: how far two clinicians who "
    "saw the same case agree. The tool's row is against the whole panel's range, so its shares within the range "
    "are not strictly comparable with a one-rating reference; kappa is against the consensus."
)


def _tile(col: Any, label: str, value: str, help_text: str, delta: str | None = None, inverse: bool = False) -> None:
    col.metric(label, value, delta, delta_color="inverse" if inverse else "normal", help=help_text)


def _delta(now: float | None, before: float | None, percent: bool) -> str | None:
    if now is None or before is None or abs(now - before) < 1e-12:
        return None
    return f"{100 * (now - before):+.1f} points vs defaults" if percent else f"{now - before:+.3f} vs defaults"


def _tiles(report: Mapping[str, Any], default: Mapping[str, Any] | None) -> None:
    overall, sens = report["overall"], report["emergency_sensitivity"]
    before = default["overall"] if default else None
    cols = st.columns(2)
    within, under = overall["within"], overall["under"]
    _tile(cols[0], "Within the panel's range", tables.pct(within["share"]),
          f"95% CI {tables.pct_ci(within['ci95'])}, {within['n']} cases.",
          _delta(within["share"], before and before["within"]["share"], True))
    _tile(cols[1], "Under-triaged", tables.pct(under["share"]),
          f"Below the panel's range. 95% CI {tables.pct_ci(under['ci95'])}, {under['n']} cases.",
          _delta(under["share"], before and before["under"]["share"], True), inverse=True)
    cols = st.columns(2)
    _tile(cols[0], "Emergency sensitivity", tables.pct(sens["share"]),
          f"Of the {sens['n']} case(s) the panel called an emergency, the share the tool sent to emergency care. "
          f"95% CI {tables.pct_ci(sens['ci95'])}.",
          _delta(sens["share"], default["emergency_sensitivity"]["share"] if default else None, True))
    cost = overall["cost"]
    _tile(cols[1], tables.COST_TITLE, "n/a" if cost["mean"] is None else f"{cost['mean']:.3f}",
          f"{COST_NOTE} 95% CI {tables.num_ci(cost['ci95'])}.",
          _delta(cost["mean"], before and before["cost"]["mean"], False), inverse=True)


def show_urgency(report: Mapping[str, Any], evaluation: Evaluation, default: Mapping[str, Any] | None = None,
                 costs: np.ndarray | None = None, title: str = "Urgency against the triage panel") -> None:
    """The urgency figures of ``report`` (:meth:`Evaluation.triage_report` of ``evaluation``), under a heading one
    level below the section's, with the differences from ``default`` (the same under the default weights) when
    given."""
    st.subheader(title)
    panel, author_only = tables.panel_counts(evaluation)
    who = f"{panel} case(s) have a panel" + (f"; {author_only} are judged against their author's expected urgency "
                                             "only" if author_only else "") + "."
    st.caption(f"{who} {METHOD_NOTE}")
    _tiles(report, default)
    st.markdown("**Every figure, with its 95% interval**")
    st.table(tables.overall_frame(report), hide_index=True)
    st.markdown("**By the panel's consensus level**")
    st.table(tables.by_level_frame(report), hide_index=True)
    st.markdown("**Agreement with each rater** (linear-weighted Cohen's kappa: 1 = the same levels, 0 = chance)")
    st.table(tables.kappa_frame(report), hide_index=True)
    yardstick = tables.yardstick_frame(report)
    if len(yardstick) > 1:
        st.markdown("**The tool and the clinicians by the same yardstick**")
        st.caption(YARDSTICK_NOTE)
        st.table(yardstick, hide_index=True)
    findings_only = tables.findings_only_frame(report)
    if not findings_only.empty:
        st.markdown("**A panel that saw only the findings, read against the full panel**")
        st.table(findings_only, hide_index=True)
    if costs is not None:
        with st.expander("The harm-weighted cost matrix"):
            st.caption(COST_NOTE)
            st.table(tables.cost_matrix_frame(costs).style.format(precision=0), hide_index=True)

"""The Teach page's charts, built to be projected: large rows, labels that never overlap, a colour-blind-safe palette.

Pure Altair and pandas (no streamlit), so each chart can be checked on its own. Sizes are chosen for the page's
centred column, about 700 px wide on a 1024 px projector and on a 1280 px laptop; on a phone the labels are cut
to their cell (never drawn over each other) and the tooltips carry the full names.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd

from ui.components.widgets import AXIS_FONT_SIZE, TEXT_COLOR

#: Okabe and Ito's colour-blind-safe categorical palette ("Color Universal Design", 2008) without its yellow, which
#: is too pale against white to follow on a projector. Ordered so that neighbours in the list differ most.
PALETTE = ("#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")
#: After the palette is used up, the same colours again with a dashed line.
DASHES = ([1, 0], [8, 4], [2, 3])

CONTENT_PX = 700  # the page's centred column at 1024 px and wider (Streamlit's "centered" layout)
CHAR_PX = 7.0  # average width of a 13 px Source Sans character, a little generous
HEAT_ROW_PX = 38  # two 15 px lines of a finding's name and air between rows
HEAT_LINE_PX = 15
HEAT_LABEL_PX = 230  # the finding-name column
HEAT_ROWS = 15  # findings drawn by default: a projector screen's worth
BACKGROUND_LINE = "#949494"  # a condition outside the current top 5: grey (3:1 on white)
BACKGROUND_TEXT = "#595959"  # and its name (7:1 on white)
NAME_DX = 10  # gap between a line's newest point and its name
RANK_PX = 26  # vertical room per rank in the trajectory chart: a label's height and some air
PRESENT_MARK, ABSENT_MARK = "✓", "✗"
HEAT_RANGE = ("#f7fbff", "#08306b")  # near-white to dark navy, interpolated in RGB
INK_SWITCH = 0.65  # from here white text has the better contrast (both about 4.6:1 at the switch)


def wrap(text: str, width: int, lines: int | None = None) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (a longer single word stays whole),
    at most ``lines`` of them (the last ends in "…" when text was left out), joined by newlines."""
    parts = textwrap.wrap(text, width=max(width, 1), break_long_words=False, break_on_hyphens=False) or [""]
    if lines is not None and len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(width - 1, 1)].rstrip() + "…"
    return "\n".join(parts)


# --- trajectory --------------------------------------------------------------------------------------

def line_styles(frame: pd.DataFrame, top: int = 5) -> tuple[list[str], list[str], list[list[int]]]:
    """Each condition's colour and dash, fixed for the whole case.

    Conditions are taken in their order after the first finding (known before anything else is revealed). Each
    gets the first palette colour that no condition it shares the top ``top`` with, at any step, already has: so
    the coloured lines on screen differ in colour. Only when all colours are taken does a colour come back,
    dashed.
    """
    first = frame[frame["step"] == frame["step"].min()].sort_values("rank")
    order = list(dict.fromkeys(first["condition"]))
    order += [c for c in dict.fromkeys(frame["condition"]) if c not in order]
    leaders = [set(g.loc[g["rank"] <= top, "condition"]) for _, g in frame.groupby("step")]
    styles: dict[str, tuple[int, int]] = {}  # condition -> (colour index, dash index)
    for i, cond in enumerate(order):
        taken = {styles[o] for group in leaders if cond in group for o in group if o in styles}
        free = [(c, d) for d in range(len(DASHES)) for c in range(len(PALETTE)) if (c, d) not in taken]
        styles[cond] = free[0] if free else (i % len(PALETTE), len(DASHES) - 1)
    colours = [PALETTE[styles[c][0]] for c in order]
    dashes = [DASHES[styles[c][1]] for c in order]
    return order, colours, dashes


def trajectory_chart(frame: pd.DataFrame, step: int, n: int, short_names: Mapping[str, str],
                     top: int = 5) -> alt.LayerChart:
    """Rank of each condition per revealed finding: one line per condition, named at its end, no legend.

    ``frame`` is :func:`.frames.step_frame` (every step); only steps up to ``step`` are drawn, while the x axis
    keeps room for all ``n`` so that it does not jump. Conditions in the ``top`` at this step are drawn in their
    colour, the others (in the top at another step) in grey. ``short_names`` maps a condition's display name to
    the name written at its line (the medical name; the tooltip has the full one).
    """
    order, colours, dashes = line_styles(frame, top)
    shown = frame[frame["step"] <= step]
    now = shown[shown["step"] == step]
    leading = set(now.loc[now["rank"] <= top, "condition"])
    shown = shown.assign(name=shown["condition"].map(short_names).fillna(shown["condition"]),
                         focus=shown["condition"].isin(leading))
    worst = max(int(frame["rank"].max()), 2)
    x = alt.X("step:Q", title="Findings revealed", scale=alt.Scale(domain=[1, max(n, 2)], nice=False),
              axis=alt.Axis(tickMinStep=1, format="d", values=list(range(1, max(n, 2) + 1)), grid=False,
                            labelFlush=False))
    y = alt.Y("rank:Q", title="Rank (1 = best)", scale=alt.Scale(reverse=True, domain=[1, worst], nice=False),
              axis=alt.Axis(values=list(range(1, worst + 1)), format="d", labelFlush=False))
    color = alt.condition("datum.focus", alt.Color("condition:N", scale=alt.Scale(domain=order, range=colours),
                                                   legend=None), alt.value(BACKGROUND_LINE))
    dash = alt.StrokeDash("condition:N", scale=alt.Scale(domain=order, range=dashes), legend=None)
    tooltip: list[str | alt.Tooltip] = ["step", "added", "condition", "rank", alt.Tooltip("strength:Q", format=".1%")]
    base = alt.Chart(shown).encode(x=x, y=y, tooltip=tooltip)
    lines = base.mark_line().encode(color=color, strokeDash=dash,
                                    strokeWidth=alt.condition("datum.focus", alt.value(3.5), alt.value(2)))
    points = base.mark_point(filled=True, opacity=1).encode(
        color=color, size=alt.condition("datum.focus", alt.value(90), alt.value(40)))
    # The names sit right of the newest point; ranks are whole and distinct, so names are RANK_PX apart. Vega's
    # fit-x counts them in the chart's width, so a name at the last step narrows the plot rather than being cut
    # off; one longer than 40% of the chart (a phone) ends in "…", whole in the tooltip.
    newest = shown[shown["step"] == step]

    def names(rows: pd.DataFrame, colour: str, weight: Literal["bold", "normal"]) -> alt.Chart:
        chart: alt.Chart = alt.Chart(rows).mark_text(
            align="left", baseline="middle", dx=NAME_DX, fontSize=AXIS_FONT_SIZE, color=colour, fontWeight=weight,
            limit=alt.ExprRef("containerSize()[0] * 0.4")).encode(x=x, y=y, text="name:N", tooltip=tooltip)
        return chart

    leaders = names(newest[newest["focus"]], TEXT_COLOR, "bold")
    others = names(newest[~newest["focus"]], BACKGROUND_TEXT, "normal")
    chart: alt.LayerChart = (lines + points + leaders + others).properties(
        height=RANK_PX * (worst - 1),
        # fit-x: the width follows the page; the height is the chart's own
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
    return chart


# --- profile heat map --------------------------------------------------------------------------------

def heat_order(frame: pd.DataFrame) -> list[str]:
    """The profile's findings, most useful first: reported present, reported absent, then those that separate
    the chosen conditions most (largest difference in frequency), hallmarks before others when tied."""
    if frame.empty:
        return []
    g = frame.groupby("finding_id", sort=False)
    stats = pd.DataFrame({
        "reported": g["reported"].first(),
        "hallmark": g["hallmark"].any(),
        "spread": g["frequency"].max() - (g["frequency"].min() if frame["condition"].nunique() > 1 else 0.0),
        "top": g["frequency"].max(),
    })
    stats["group"] = stats["reported"].map({"reported present": 0, "reported absent": 1}).fillna(2)
    stats = stats.sort_values(["group", "spread", "hallmark", "top"], ascending=[True, False, False, False],
                              kind="stable")
    return list(stats.index)


def heat_rows(frame: pd.DataFrame, limit: int | None = HEAT_ROWS) -> pd.DataFrame:
    """At most ``limit`` findings of ``frame`` (all when None), most useful first; reported findings always."""
    order = heat_order(frame)
    reported = set(frame.loc[frame["reported"] != "", "finding_id"])
    if limit is not None:
        keep = [f for f in order if f in reported]
        keep += [f for f in order if f not in reported][: max(limit - len(keep), 0)]
        order = [f for f in order if f in set(keep)]
    rank = {f: i for i, f in enumerate(order)}
    kept = frame[frame["finding_id"].isin(rank)]
    return kept.assign(_order=kept["finding_id"].map(rank)).sort_values("_order", kind="stable").drop(columns="_order")


@dataclass(frozen=True)
class HeatLayout:
    """Where the heat map's labels are wrapped for: a page column ``column_px`` wide, ``label_px`` of it for the
    finding names."""

    column_px: int
    label_px: int

    def title_chars(self, ncols: int) -> int:
        return max(int((self.column_px - self.label_px) / max(ncols, 1) / CHAR_PX), 6)

    @property
    def label_chars(self) -> int:
        return int(self.label_px / CHAR_PX)


#: The projector and laptop column, and a phone's (390 px less Streamlit's margins). The browser picks one by the
#: chart's width (:data:`NARROW_BELOW`), so the labels are wrapped for the screen they are on.
#: On a phone the finding names get 130 px, so that a three-column title of one long word ("Tophaceous",
#: "Rheumatoid") still fits its column whole.
WIDE, NARROW = HeatLayout(CONTENT_PX, HEAT_LABEL_PX), HeatLayout(358, 130)
NARROW_BELOW = 600


def heat_labels(frame: pd.DataFrame, finding_names: Mapping[str, str], column_names: Mapping[str, str],
                layout: HeatLayout) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The heat map's labels as lines, wrapped for ``layout``: per finding ID its name (reported ones marked) in
    at most two lines; per condition (display name) its title, every title padded with blank lines in front to
    the same number of lines."""
    marks = {"reported present": f"{PRESENT_MARK} ", "reported absent": f"{ABSENT_MARK} "}
    status = dict(zip(frame["finding_id"], frame["reported"], strict=True))
    rows = {f: wrap(marks.get(status[f], "") + finding_names.get(f, f), layout.label_chars, lines=2).split("\n")
            for f in dict.fromkeys(frame["finding_id"])}
    conditions = list(dict.fromkeys(frame["condition"]))
    chars = layout.title_chars(len(conditions))
    titles = {c: wrap(column_names.get(c, c), chars).split("\n") for c in conditions}
    # Vega draws a label's first line at the anchor and the others below it, into the cells: so every title gets
    # the same number of lines (blank ones first, so that the titles sit on the cells) and the anchor is raised
    # by the extra lines (see heatmap).
    depth = max((len(t) for t in titles.values()), default=1)
    return rows, {c: [""] * (depth - len(t)) + t for c, t in titles.items()}


def _by_width(narrow: object, wide: object) -> str:
    """A Vega expression that is ``narrow`` on a chart narrower than :data:`NARROW_BELOW`, else ``wide``."""
    return f"(containerSize()[0] < {NARROW_BELOW} ? {json.dumps(narrow)} : {json.dumps(wide)})"


def heatmap(frame: pd.DataFrame, finding_names: Mapping[str, str], column_names: Mapping[str, str]) -> alt.LayerChart:
    """Finding × condition profile frequencies as a table of coloured cells with the percentage written in.

    ``frame`` is :func:`.frames.profile_frame` (rows in the order to draw); ``finding_names`` maps a finding ID
    to its clinical name, ``column_names`` a condition's display name to its column title (the medical name).
    Rows are :data:`HEAT_ROW_PX` high whatever their number; column titles are upright, wrapped to the column's
    width and never wider than it; finding names wrap to two lines. Labels are wrapped twice, for a wide column
    and for a phone (:func:`heat_labels`), and the browser draws the pair that fits.
    """
    conditions = list(dict.fromkeys(frame["condition"]))
    findings = list(dict.fromkeys(frame["finding_id"]))
    (rows_w, titles_w), (rows_n, titles_n) = (heat_labels(frame, finding_names, column_names, layout)
                                              for layout in (WIDE, NARROW))

    def raised(titles: dict[str, list[str]]) -> int:
        return 6 + HEAT_LINE_PX * (max((len(t) for t in titles.values()), default=1) - 1)

    data = frame.assign(cell=[("" if f <= 0 else f"{f:.0%}") + (" ★" if h else "") for f, h in
                              zip(frame["frequency"], frame["hallmark"], strict=True)])
    x = alt.X("condition:N", sort=conditions, title=None, axis=alt.Axis(
        orient="top", labelAngle=0, labelAlign="center", labelBaseline="bottom", ticks=False, domain=False,
        labelExpr=f"{_by_width(titles_n, titles_w)}[datum.value]", labelLineHeight=HEAT_LINE_PX,
        labelPadding=alt.ExprRef(_by_width(raised(titles_n), raised(titles_w))),
        # never wider than its column, so neighbouring titles cannot run into each other
        labelLimit=alt.ExprRef(f"width / {max(len(conditions), 1)} - 6")))
    y = alt.Y("finding_id:N", sort=findings, title=None, axis=alt.Axis(
        labelExpr=f"{_by_width(rows_n, rows_w)}[datum.value]", labelLineHeight=HEAT_LINE_PX,
        labelBaseline="middle", ticks=False, domain=False,
        labelLimit=alt.ExprRef(_by_width(NARROW.label_px, WIDE.label_px))))
    tooltip: list[str | alt.Tooltip] = [
        alt.Tooltip("finding:N", title="finding"), alt.Tooltip("condition:N", title="condition"),
        alt.Tooltip("frequency:Q", format=".0%"), "hallmark", "reported"]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(color=alt.Color(
        "frequency:Q", scale=alt.Scale(domain=[0, 1], range=list(HEAT_RANGE), interpolate="rgb"), legend=None))
    # a fixed colour per cell, not a second colour scale (a layer shares its scales: two would clash)
    text = base.mark_text(fontSize=AXIS_FONT_SIZE + 1, fontWeight="bold").encode(
        text="cell:N", color=alt.condition(f"datum.frequency >= {INK_SWITCH}", alt.value("#ffffff"),
                                           alt.value("#000000")))
    chart: alt.LayerChart = (cells + text).properties(
        height=alt.Step(HEAT_ROW_PX),
        # fit-x keeps the width of the page; the height follows the rows (a plain "fit" squeezed them)
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
    return chart


# --- rare-disease corpus ------------------------------------------------------------------------------

CORPUS_ROW_PX = 24


def corpus_chart(frame: pd.DataFrame, axis_title: str) -> alt.Chart:
    """Corpus hits as horizontal bars, one :data:`CORPUS_ROW_PX` row each, every disease named."""
    frame = frame.assign(disease_label=frame["disease"] + " " + frame["name"].str.slice(0, 60))
    chart: alt.Chart = alt.Chart(frame).mark_bar().encode(
        # the title on lines of about 40 characters, ending at the axis's right end: centred under a phone's
        # narrow plot, or in one line, it ran past the chart's right edge. A tick label every 55 px or more: at
        # the default count "−12" and "−10" touched.
        x=alt.X("score:Q", title=wrap(axis_title, 40).split("\n"), axis=alt.Axis(
            titleAnchor="end", titleAlign="right", tickCount=alt.ExprRef("max(3, floor(width / 55))"))),
        y=alt.Y("disease_label:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None,
                axis=alt.Axis(labelLimit={"expr": "min(360, containerSize()[0] * 0.55)"}, labelOverlap=False)),
        tooltip=["rank", "disease", "name", "score", "matched", "matched terms"],
    ).properties(height=alt.Step(CORPUS_ROW_PX), autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return chart


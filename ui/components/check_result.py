"""The Check page's result, for people: a headline that says what the result means, one card per close match
that never contradicts itself, a chart scaled to the scores' own range, and a clinician prompt that looks unlike
the urgency block.

The order (:func:`ui.pages.check.show_result`): the urgency block, the headline and the matches (within one phone
screen of the urgency line), a link to the summaries, the cards, the clinician prompt with the downloads, then
the rest. Nothing here stores or logs what a person ticked.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from engine import KnowledgePack, Result
from engine.match.overlaps import Cover, covered
from engine.triage.copy import Role
from ui.components.widgets import AXIS_FONT_SIZE, RESULT_TOP, SAFETY_NOTES, TEXT_COLOR, finding_item, label
from ui.components.wording import (
    COMMON_CAUSES,
    EVIDENCE_WORDS,
    card_lists,
    closest_sentence,
    evidence_sentence,
    explains_text,
    fit_sentence,
)

SUMMARY_ANCHOR = "bring-this-to-your-clinician"
MAX_LISTED = 6  # findings listed per list of a card before "and N more"
BAR_COLOR = "#176B87"  # the theme's calm primary colour (.streamlit/config.toml): red only means danger
NAME_WIDTH = 38  # characters per line of a condition's name above its bar: fits a 390 px phone
ROW_PX = 70  # one bar and a name of up to two lines above it
LINE_PX = 16  # a line of a name


def show_headline(pack: KnowledgePack, result: Result) -> None:
    """What the result means, first: the closest of the tool's conditions and the evidence, in words, and a link
    down to the summaries. No percentage. Thin evidence is said first, in the same paragraph, so that it does not
    push the matches out of a phone screen."""
    link = f"[Bring a summary to your clinician: PDF or text below](#{SUMMARY_ANCHOR})"
    if result.ranking.nothing_matched:
        st.markdown(f"**{closest_sentence(pack, result)}** A clinician can still help: please bring the summary "
                    f"below. {link}")
        return
    if result.ranking.thin:
        top = pack.condition(result.ranking.top.condition_id).display_name
        st.markdown(f"**None of the {len(pack.conditions)} conditions in this tool stands out. The evidence is "
                    f"thin:** {EVIDENCE_WORDS['thin']}. {COMMON_CAUSES} Closest: {top}. An educational match, not a "
                    f"diagnosis. {link}")
        return
    st.markdown(f"**{closest_sentence(pack, result)}** {evidence_sentence(result)} An educational match, not a "
                f"diagnosis. {link}")


def closeness_frame(pack: KnowledgePack, result: Result, top: int = RESULT_TOP) -> pd.DataFrame:
    """The chart's rows: each close match's share of the match relative to the closest one (the closest is 1),
    with its plain name wrapped to fit a phone."""
    matches = result.ranking.matches[:top]
    best = matches[0].share if matches and matches[0].share > 0 else 1.0
    rows = []
    for m in matches:
        lines = textwrap.wrap(pack.condition(m.condition_id).lay_name, NAME_WIDTH)[:2]
        rows.append({"rank": m.rank, "condition": pack.condition(m.condition_id).display_name,
                     "label": "\n".join(lines), "lines": len(lines),
                     "closeness": round(max(m.share, 0.0) / best, 4)})
    return pd.DataFrame(rows, columns=["rank", "condition", "label", "lines", "closeness"])


def closeness_spec(rows: int) -> dict[str, Any]:
    """A Vega-Lite bar chart scaled to the scores' own range: the closest match is the full bar, the others are
    drawn against it, and no axis shows a percentage (the share is relative to this tool's conditions only)."""
    return {
        "height": ROW_PX * rows,
        "encoding": {"y": {"field": "rank", "type": "ordinal", "axis": None}},
        "layer": [
            {"mark": {"type": "bar", "size": 14, "color": BAR_COLOR, "cornerRadiusEnd": 3},
             "encoding": {"x": {"field": "closeness", "type": "quantitative", "scale": {"domain": [0, 1]},
                                "axis": {"labels": False, "ticks": False, "grid": False, "domain": False,
                                         "title": "closer to your findings →"}},
                          "tooltip": [{"field": "condition", "title": "condition"}]}},
            *({"transform": [{"filter": f"datum.lines == {n}"}],
               "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -10 - LINE_PX * (n - 1),
                        "lineBreak": "\n", "lineHeight": LINE_PX, "fontSize": AXIS_FONT_SIZE, "color": TEXT_COLOR},
               "encoding": {"x": {"datum": 0}, "text": {"field": "label"}}} for n in (1, 2)),
        ],
        "config": {"axis": {"titleColor": TEXT_COLOR, "titleFontSize": AXIS_FONT_SIZE, "titleFontWeight": "normal"},
                   "view": {"stroke": None}},
    }


def show_closeness_chart(pack: KnowledgePack, result: Result) -> None:
    """The chart, only when the evidence can tell the conditions apart (with thin evidence it would draw a
    difference the result does not have)."""
    if result.ranking.nothing_matched or result.ranking.thin:
        return
    frame = closeness_frame(pack, result)
    st.markdown(f"**How the {len(frame)} closest compare** (the closest match is the full bar)")
    st.vega_lite_chart(frame, closeness_spec(len(frame)), width="stretch")


def _items(entries: Sequence[str], limit: int = MAX_LISTED) -> list[str]:
    """Markdown bullets, at most ``limit`` of them and then "and N more"."""
    shown = [f"- {e}" for e in entries[:limit]]
    if len(entries) > limit:
        shown.append(f"- _and {len(entries) - limit} more_")
    return shown


def _column(title: str, parts: Sequence[tuple[str, Sequence[str]]], limit: int = MAX_LISTED) -> str:
    """One card column: a bold title, then each (subtitle, entries) part with entries; "none" when all are empty."""
    lines = [f"**{title}**"]
    for subtitle, entries in parts:
        if entries:
            lines += ["", f"_{subtitle}:_", ""] if subtitle else [""]
            lines += _items(entries, limit)
    return "\n".join(lines if len(lines) > 1 else [*lines, "", "_none_"])


def _with_covers(pack: KnowledgePack, fid: str, covers: tuple[Cover, ...], inferred: dict[str, str]) -> str:
    """A reported finding with the usual features it covers, so none of them reads as not reported."""
    text = finding_item(pack, fid, inferred)
    notes = []
    for relation, words in (("same", "the same as"), ("implied", "also counts as")):
        names = ", ".join(f"“{label(pack, c.finding_id)}”" for c in covers if c.relation == relation)
        if names:
            notes.append(f"{words} {names}")
    return text + (f" _({'; '.join(notes)})_" if notes else "")


def _open_item(pack: KnowledgePack, fid: str, more_specific_than: str | None) -> str:
    text = label(pack, fid)
    if more_specific_than is not None:
        text += f" _(more specific than “{label(pack, more_specific_than)}”)_"
    return text


def show_match_cards(pack: KnowledgePack, result: Result, reported: Sequence[str], top: int = RESULT_TOP) -> None:
    """One card per close match: its summary, one sentence on the fit that agrees with the lists below it, the
    person's findings that fit it and those it does not explain (each with the usual features it covers), and its
    usual features not reported, what a person can notice or know apart from what only a test shows."""
    inferred = result.ranking.inferred
    covers: dict[str, Cover] = covered(pack, reported)
    for m in result.ranking.matches[:top]:
        cond = pack.condition(m.condition_id)
        lists = card_lists(pack, m, reported, covers)
        with st.expander(f"{m.rank}. {cond.display_name} — {explains_text(m)}", expanded=m.rank == 1):
            st.markdown(f"{cond.summary}  \n**{fit_sentence(m, lists.covered_usual)}**")
            cols = st.columns(3)
            cols[0].markdown(_column("Your findings that fit it", [
                ("", [_with_covers(pack, f, c, inferred) for f, c in lists.fitting])]))
            cols[1].markdown(_column("Your findings it does not explain", [
                ("", [_with_covers(pack, f, c, inferred) for f, c in lists.not_explained])]))
            cols[2].markdown(_column("Usual for it, not reported", [
                ("You may notice or know", [_open_item(pack, f, n) for f, n in lists.can_report]),
                ("Only a test can show", [_open_item(pack, f, n) for f, n in lists.tests_only])], limit=5))
            if m.ruled_out:
                st.markdown("**You said you do not have:** " + ", ".join(label(pack, i) for i in m.ruled_out))
            codes = " · ".join(c for c in (*cond.orpha, *cond.omim, *(f"ICD-10 {x}" for x in cond.icd10)))
            if codes:
                st.markdown(codes)


def show_clinician_prompt(role: Role) -> None:
    """The clinician prompt, drawn unlike the urgency block (a plain bordered box, not a coloured alert), so it is
    never read as a second urgency level."""
    with st.container(border=True, key="check:clinician"):
        st.markdown(f":material/stethoscope: {SAFETY_NOTES[role]}")

"""Display helpers shared by the pages: safety block, triage banner, ranking chart, explanations.

Every result shown anywhere goes through :func:`show_safety_block`, so the clinician
prompt and the seed's disclaimer are never missing and never behind a click.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st

from engine import (
    KnowledgePack,
    Result,
    Triage,
    TriageError,
)
from engine.corpus.methods import CORPUS_METHOD_INFO, CORPUS_METHODS, DEFAULT_CORPUS_METHOD
from engine.corpus.pack import CORPUS_PACKS
from engine.errors import one_line
from engine.triage.copy import NOT_A_DIAGNOSIS, ROLE_NOTES, Role, level_lines
from engine.triage.services import Services, localise
from ui.components.wording import distinct_watch_for

_LOG = logging.getLogger(__name__)
RESULT_TOP = 5  # matches in the chart, the list and the summary: the same conditions everywhere
TEXT_COLOR = "#31333F"  # Streamlit's body text colour: 12.6:1 on white (axis text was #808495, 3.7:1)
AXIS_FONT_SIZE = 13
MAX_LISTED = 6  # findings listed per explanation column before "and N more"
LEVEL_ICON = {"emergency": ":material/emergency:", "urgent": ":material/warning:", "soon": ":material/event:",
              "routine": ":material/stethoscope:"}
CORPUS_TITLES = {
    "hpo-orpha": "Orphanet diseases (hpo-orpha)",
    "hpo-omim": "OMIM diseases (hpo-omim)",
    "hpo-all": "Orphanet + OMIM + DECIPHER (hpo-all)",
}
CORPUS_METHOD_TITLES = {m: info.title for m, info in CORPUS_METHOD_INFO.items()}  # from the engine registry
GROUP_TITLES = {
    "skin": "What you notice on the skin",
    "joints_muscles": "Joints and muscles",
    "whole_body": "Whole body",
    "organs": "Organs",
    "history": "Your medical history",
    "tests": "Test results you know",
}


def as_code(text: object) -> str:
    """``text`` on one line as a Markdown code span, so Streamlit shows it literally.

    The one way the pages show anything a visitor controls: upload and zip member names, text from a
    file's content (a term ID, a field name, a case ID), link parameters, search words, and the
    engine's error messages, which quote all of these. No live link, image, HTML, colour or icon
    directive can come through.
    """
    line = one_line(str(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""  # CommonMark drops one space each side
    return f"{fence}{pad}{line}{pad}{fence}" if line else ""


def refusal(exc: BaseException, name: str | None = None) -> str:
    """One line for a refused file: an engine error as code (it names the file and what was wrong); any other
    failure as the file's name and the kind of failure, never a traceback or a server path."""
    if isinstance(exc, TriageError):
        return as_code(exc)
    _LOG.warning("an upload failed unexpectedly: %s", type(exc).__name__)  # the kind only: no file content
    what = as_code(name) if name else "The file"
    return f"{what} could not be read (an unexpected {type(exc).__name__})."


def safe_file_name(text: str, default: str = "case") -> str:
    """``text`` as a download file name: letters, digits, ``.``, ``_`` and ``-`` only, at most 80 characters."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:80]
    return name or default


def corpus_choice(pack_key: str, method_key: str) -> tuple[str, str]:
    """Two side-by-side selectors: corpus pack (default ``hpo-orpha``) and corpus method (default likelihood)."""
    cols = st.columns(2)
    name = cols[0].selectbox("Corpus pack", CORPUS_PACKS, index=CORPUS_PACKS.index("hpo-orpha"), key=pack_key,
                             format_func=lambda n: CORPUS_TITLES.get(n, n))
    method = cols[1].selectbox("Corpus method", CORPUS_METHODS, index=CORPUS_METHODS.index(DEFAULT_CORPUS_METHOD),
                               key=method_key, format_func=lambda m: CORPUS_METHOD_TITLES.get(m, m))
    return name, method


SAFETY_NOTES = ROLE_NOTES  # the engine's texts (engine/safety.py), one place for CLI and UI
SAFETY_ICONS = {"patient": ":material/stethoscope:", "emergency": ":material/emergency:",
                "educator": ":material/school:", "analyst": ":material/analytics:"}


def show_safety_block(pack: KnowledgePack, role: Role = "patient") -> None:
    """The note for this reader and the disclaimer, shown with every result as body text, never collapsed.

    ``role`` is ``patient`` (Check), ``emergency`` (a Check result at emergency level: what to do now,
    first), ``educator`` (Teach) or ``analyst`` (Analyze). The disclaimer is the medical substance of the
    source article's disclaimer (its full text is quoted on the About page) plus the tool's own line.
    """
    note = SAFETY_NOTES[role]
    (st.error if role == "emergency" else st.warning)(note, icon=SAFETY_ICONS[role])
    st.markdown(f"**Disclaimer (from the source article):** {pack.disclaimer_substance}  \n{NOT_A_DIAGNOSIS}")


def triage_markdown(t: Triage, services: Services | None = None) -> str:
    """The one urgency block: the emergency line first, the level with its time frame and its one action, why,
    what could not be assessed, what to watch for, and the tool's scope.

    With ``services`` (a country's emergency number and urgent-care service) the block names them instead of
    "your local emergency number" (:func:`engine.triage.services.localise`); without, the generic words stand.
    """
    heading, timeframe, action = level_lines(t.level)
    why = [r.message for r in t.reasons if r.level == t.level]
    said = f"{heading} {action}".lower()  # the time frame only when the heading and the action leave it out
    when = "" if all(part.strip().lower() in said for part in timeframe.split(",")) else f" ({timeframe})"
    parts = [f"_{t.emergency_first}_", f"**{heading}**{when}. **{action}**"]
    if why:
        parts.append("Why: " + " ".join(dict.fromkeys(why)))
    if t.unassessable:
        parts.append("\n".join(f"- {n}" for n in t.unassessable))
    parts.append("**If things change:** " + " ".join(distinct_watch_for(t.watch_for)))
    parts.append(f"_{t.scope}_")
    return localise("\n\n".join(parts), services)


def show_triage(t: Triage, services: Services | None = None) -> None:
    """The urgency block (:func:`triage_markdown`): red for emergency and urgent, calmer otherwise."""
    body = triage_markdown(t, services)
    if t.is_red_flag:
        st.error(body, icon=LEVEL_ICON[t.level])
    elif t.level == "soon":
        st.warning(body, icon=LEVEL_ICON[t.level])
    else:
        st.info(body, icon=LEVEL_ICON[t.level])


def show_triage_banner(result: Result) -> None:
    """The result's triage (see :func:`show_triage`)."""
    show_triage(result.triage)


def ranking_frame(pack: KnowledgePack, result: Result, top: int = RESULT_TOP) -> pd.DataFrame:
    """The top matches as a small table: rank, condition by its one display name, the share shown to people
    (scaled down when the evidence is thin), the share of its usual features reported, absolute fit, score."""
    rows = [{"rank": m.rank, "condition": pack.condition(m.condition_id).display_name,
             "condition_id": m.condition_id, "match strength": round(m.shown_share, 4),
             "usual features": round(m.fit.usual_matched / m.fit.usual_total, 4) if m.fit.usual_total else 0.0,
             "fit": m.fit.describe(), "score": round(m.score, 4),
             "matched": len(m.matched)} for m in result.ranking.matches[:top]]
    return pd.DataFrame(rows, columns=["rank", "condition", "condition_id", "match strength", "usual features", "fit",
                                       "score", "matched"])


ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def readable(chart: ChartT) -> ChartT:
    """Every axis label drawn (no overlap culling), in body-text colour and size, legends never cut."""
    configured: ChartT = (
        chart.configure_axis(labelColor=TEXT_COLOR, titleColor=TEXT_COLOR, labelFontSize=AXIS_FONT_SIZE,
                             titleFontSize=AXIS_FONT_SIZE)
        .configure_axisY(labelOverlap=False).configure_axisBand(labelOverlap=False)
        .configure_legend(labelColor=TEXT_COLOR, titleColor=TEXT_COLOR, labelFontSize=AXIS_FONT_SIZE,
                          titleFontSize=AXIS_FONT_SIZE, labelLimit=0, titleLimit=0))
    return configured


def _two_lines(pack: KnowledgePack, condition_id: str) -> str:
    """The display name on two lines (lay name, then the medical name), so it fits a phone."""
    cond = pack.condition(condition_id)
    if cond.lay_name == cond.name:
        return cond.name
    lay, _, medical = cond.display_name.rpartition(" (")  # the medical name is the last bracket
    return f"{lay}\n({medical}"


def _chart_frame(pack: KnowledgePack, result: Result, top: int) -> pd.DataFrame:
    """The rows the result chart draws: :func:`ranking_frame` and each condition's name on two lines."""
    frame = ranking_frame(pack, result, top)
    return frame.assign(label=[_two_lines(pack, c) for c in frame["condition_id"]])


def ranking_chart(pack: KnowledgePack, result: Result, top: int = RESULT_TOP) -> alt.LayerChart:
    """Horizontal bars of the shown match strength (or, with thin evidence, of the usual features reported),
    best match on top, each named above its bar.

    The same conditions and names as the list. Names sit above the bars, not on an axis, so that long
    names need no room beside the bars (at phone width an axis of names left the bars no space).
    """
    frame = _chart_frame(pack, result, top)
    # thin evidence: no percentage is headlined, so the bars show the share of each condition's usual features
    field, title = (("usual features", "Share of its usual features you reported") if result.ranking.thin
                    else ("match strength", "Share of the match"))
    base = alt.Chart(frame).encode(y=alt.Y("rank:O", axis=None, title=None))
    bars = base.mark_bar(size=16).encode(
        x=alt.X(f"{field}:Q", axis=alt.Axis(format="%"), title=title, scale=alt.Scale(domain=[0, 1])),
        tooltip=["rank", "condition", alt.Tooltip(f"{field}:Q", format=".1%"), "fit", "score", "matched"],
    )
    names = base.mark_text(align="left", baseline="bottom", dy=-28, lineBreak="\n", fontSize=AXIS_FONT_SIZE,
                           color=TEXT_COLOR).encode(x=alt.datum(0), text="label:N")
    chart: alt.LayerChart = (bars + names).properties(height=92 * len(frame))
    return chart


#: The Vega-Lite spec of :func:`ranking_chart` without its data, per shape (thin evidence or not, number of bars):
#: everything a result chart draws besides its rows is fixed by those two.
_TEMPLATES: dict[tuple[bool, int], dict[str, Any]] = {}
_TEMPLATES_LOCK = threading.Lock()


def ranking_spec(pack: KnowledgePack, result: Result, top: int = RESULT_TOP) -> dict[str, Any]:
    """:func:`ranking_chart`, made :func:`readable`, as a Vega-Lite spec for ``st.vega_lite_chart``.

    Building and validating the Altair chart costs about 70 ms, more than the rest of a result. It is built
    once per shape (:data:`_TEMPLATES`); each result fills a copy with its own rows, as a data frame that
    Streamlit turns into Arrow exactly as it does for ``st.altair_chart``.
    """
    frame = _chart_frame(pack, result, top)
    key = (result.ranking.thin, len(frame))
    with _TEMPLATES_LOCK:
        template = _TEMPLATES.get(key)
    if template is None:
        template = readable(ranking_chart(pack, result, top)).to_dict()
        template.pop("datasets", None)
        if template.get("config", {}).get("view") == {"continuousWidth": 300, "continuousHeight": 300}:
            del template["config"]["view"]  # Altair's default theme: Streamlit's own Altair path leaves it out
        with _TEMPLATES_LOCK:
            _TEMPLATES[key] = template
    spec = copy.deepcopy(template)
    spec["datasets"] = {spec["data"]["name"]: frame}
    return spec


def show_evidence_note(result: Result) -> None:
    """When the evidence is thin, say so first (before any match)."""
    if result.evidence_note:
        st.info(f"**The evidence is thin.** {result.evidence_note}", icon=":material/help:")


def label(pack: KnowledgePack, finding_id: str, lay: bool = True) -> str:
    f = pack.finding(finding_id)
    return f.lay_label if lay else f.label


def finding_item(pack: KnowledgePack, finding_id: str, inferred: dict[str, str], lay: bool = True) -> str:
    """A finding as a list item, marked in place when it was inferred from another one."""
    text = label(pack, finding_id, lay)
    source = inferred.get(finding_id)
    if source is not None and source in pack.finding_index:
        text += f" _(inferred: counted because you reported “{label(pack, source, lay)}”)_"
    return text


def show_explanation(pack: KnowledgePack, result: Result, top: int = RESULT_TOP, lay: bool = True) -> None:
    """Per match: plain summary, why it ranks there, matched / expected-not-reported / unexplained."""
    inferred = result.ranking.inferred
    for m in result.ranking.matches[:top]:
        cond = pack.condition(m.condition_id)
        share = (f"fits {m.fit.usual_matched} of {m.fit.usual_total} usual features" if result.ranking.thin
                 else f"{m.shown_share:.0%} of the match")
        with st.expander(f"{m.rank}. {cond.display_name} — {share}", expanded=m.rank == 1):
            st.write(cond.summary)
            st.write(m.why())
            st.caption(f"Absolute fit: {m.fit.describe()}.")
            cols = st.columns(3)
            sections = (("Matches your findings", m.matched), ("Usual, but not reported", m.expected_not_reported),
                        ("Your findings it does not explain", m.unexplained))
            for col, (title, ids) in zip(cols, sections, strict=True):
                col.markdown(f"**{title}**")
                shown = ids[:MAX_LISTED]  # the engine lists hallmarks and the most frequent first
                lines = [f"- {finding_item(pack, i, inferred, lay)}" for i in shown]
                if len(ids) > len(shown):
                    lines.append(f"- _and {len(ids) - len(shown)} more_")
                col.markdown("\n".join(lines) or "_none_")
            if m.ruled_out:
                st.markdown("**You said you do not have:** " + ", ".join(label(pack, i, lay) for i in m.ruled_out))
            codes = " · ".join(c for c in (*cond.orpha, *cond.omim, *(f"ICD-10 {x}" for x in cond.icd10)))
            if codes:
                st.markdown(codes)

"""Analyze page: analysts adjust the weights, evaluate them against the defaults, and see which matter.

Weights change only after validation (editor, upload); a refused change keeps the current weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from engine import (
    DEFAULT_METHOD,
    METHOD_INFO,
    METHODS,
    Case,
    Evaluation,
    KnowledgePack,
    TriageError,
    Weights,
    WeightsError,
    default_weights,
    evaluate,
    parse_weights,
    read_case_bytes,
    weights_to_csv,
    weights_to_toml,
)
from engine.corpus.pack import CorpusPack
from engine.evaluation.corpus import CorpusEvaluation, condition_codes, evaluate_corpus
from engine.evaluation.sensitivity import DEFAULT_FACTOR, Sensitivity, sensitivity
from engine.knowledge.weights import MAX_UPLOAD_BYTES
from ui import state
from ui.components import analyze_phenopackets, frames, layout, widgets
from ui.components import analyze_tables as tables
from ui.components.analyze_urgency import show_urgency

METHOD_KEY, FACTOR_KEY, SOURCE_KEY = "analyze:method", "analyze:factor", "analyze:case_source"
UPLOAD_KEY, UPLOAD_SEEN, WEIGHTS_MSG = "analyze:upload", "analyze:upload_seen", "analyze:weights_msg"
CASES_UPLOAD_KEY, CASES_SEEN, CASES_MSG = "analyze:cases_upload", "analyze:cases_seen", "analyze:cases_msg"
UPLOADED_CASES, EDITOR_VERSION = "analyze:uploaded_cases", "analyze:editor_version"
CORPUS_ON_KEY, CORPUS_PACK_KEY, CORPUS_METHOD_KEY = "analyze:corpus_on", "analyze:corpus_pack", "analyze:corpus_method"
SOURCES = ("Teaching cases", "Uploaded case file")
TOP_MOVERS = 15
#: The corpus evaluation's metric names as summary keys (their labels are in ui.components.analyze_tables).
CORPUS_METRIC_KEYS = {"top-1": "top1", "top-3": "top3", "top-10": "top10", "MRR": "mrr"}


def refused_message(exc: WeightsError) -> str:
    """Every problem of refused weights at once, as a Markdown list, each shown literally (a code span)."""
    n = len(exc.problems)
    return (f"Not applied: {n} problem{'' if n == 1 else 's'} to fix. The current weights are unchanged.\n"
            + "\n".join(f"- {widgets.as_code(p)}" for p in exc.problems))


# --- state changes (each keeps the current weights unless the new ones are valid) ---------------------

def _say(key: str, level: str, text: str) -> None:
    st.session_state[key] = (level, text)


def _show(key: str) -> None:
    if key in st.session_state:
        level, text = st.session_state[key]
        (st.error if level == "error" else st.success)(text)


def _apply(weights: Weights, note: str) -> None:
    state.set_weights(weights)
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1
    _say(WEIGHTS_MSG, "success", note)


def handle_weights_upload(name: str, content: bytes) -> bool:
    """Validate an uploaded weights file and apply it; on any problem show why and keep the current weights."""
    try:  # parse_weights refuses files over 1 MB before reading them
        weights = parse_weights(state.get_pack(), content, name)
    except Exception as exc:  # any failure is one line; the weights in use stay
        _say(WEIGHTS_MSG, "error", f"{widgets.refusal(exc, name)} Not loaded: the current weights are unchanged.")
        return False
    _apply(weights, f"Loaded weights from {widgets.as_code(name)}.")
    return True


def handle_cases_upload(name: str, content: bytes) -> bool:
    """Read an uploaded case file for evaluation; on any problem show why and keep the previous cases."""
    try:  # read_case_bytes refuses files over 1 MB before decoding them
        cases = read_case_bytes(state.get_pack(), content, name)
    except Exception as exc:  # any failure is one line; the cases loaded before stay
        _say(CASES_MSG, "error", f"{widgets.refusal(exc, name)} Not loaded: the previous cases are kept.")
        return False
    st.session_state[UPLOADED_CASES] = cases
    _say(CASES_MSG, "success", f"Loaded {len(cases)} case(s) from {widgets.as_code(name)}.")
    return True


def reset_weights() -> None:
    _apply(default_weights(state.get_pack()), "Weights reset to the defaults.")


# --- cached engine calls -----------------------------------------------------------------------------

#: What a cached call is keyed by beside its arguments: the pack's, the weights' or the corpus's identity.
CacheKey = tuple[object, ...]


def _pack_key(pack: KnowledgePack) -> CacheKey:
    return (pack.name, pack.hpo_version, pack.finding_ids, pack.condition_ids)


@st.cache_data(show_spinner="Evaluating…", max_entries=64)
def _evaluate(pack_key: CacheKey, cases: tuple[Case, ...], method: str, weights_key: CacheKey,
              _pack: KnowledgePack, _weights: Weights) -> Evaluation:
    return evaluate(_pack, cases, method, _weights)


@st.cache_data(show_spinner="Measuring sensitivity…", max_entries=32)
def _sensitivity(pack_key: CacheKey, cases: tuple[Case, ...], method: str, weights_key: CacheKey, factor: float,
                 _pack: KnowledgePack, _weights: Weights) -> tuple[list[Sensitivity], float]:
    start = time.perf_counter()
    rows = sensitivity(_pack, cases, method, _weights, factor)
    return rows, time.perf_counter() - start


def run_evaluation(pack: KnowledgePack, cases: Sequence[Case], method: str, weights: Weights) -> Evaluation:
    return _evaluate(_pack_key(pack), tuple(cases), method, weights.key(), pack, weights)


@st.cache_data(show_spinner="Measuring the urgency against the panels…", max_entries=64)
def _triage_report(pack_key: CacheKey, cases: tuple[Case, ...], method: str, weights_key: CacheKey,
                   _pack: KnowledgePack, _weights: Weights) -> dict[str, Any] | None:
    return _evaluate(pack_key, cases, method, weights_key, _pack, _weights).triage_report()


def run_triage_report(pack: KnowledgePack, cases: Sequence[Case], method: str,
                      weights: Weights) -> dict[str, Any] | None:
    """The urgency figures against each case's panel (:meth:`Evaluation.triage_report`), cached like the evaluation;
    None when no case has an urgency reference."""
    return _triage_report(_pack_key(pack), tuple(cases), method, weights.key(), pack, weights)


def run_sensitivity(pack: KnowledgePack, cases: Sequence[Case], method: str, weights: Weights,
                    factor: float = DEFAULT_FACTOR) -> tuple[list[Sensitivity], float]:
    """Sensitivity rows and the seconds the (uncached) computation took; cached on the weights fingerprint."""
    return _sensitivity(_pack_key(pack), tuple(cases), method, weights.key(), factor, pack, weights)


@st.cache_data(show_spinner="Ranking the corpus for every case…", max_entries=16)
def _corpus_evaluation(pack_key: CacheKey, cases: tuple[Case, ...], corpus_key: CacheKey, method: str,
                       _pack: KnowledgePack, _corpus: CorpusPack) -> CorpusEvaluation:
    return evaluate_corpus(_corpus, cases, condition_codes(_pack), method)


def run_corpus_evaluation(pack: KnowledgePack, cases: Sequence[Case], corpus: CorpusPack,
                          method: str) -> CorpusEvaluation:
    """Rank of each case's expected condition in ``corpus``; cached per pack, cases, corpus and method."""
    corpus_key = (corpus.name, corpus.version, corpus.n_diseases)
    return _corpus_evaluation(_pack_key(pack), tuple(cases), corpus_key, method, pack, corpus)


# --- sections ----------------------------------------------------------------------------------------

def _files_section() -> None:
    st.header("Load and save weights")
    upload = st.file_uploader("Upload weights (.toml or .csv, at most 1 MB)", type=["toml", "csv"], key=UPLOAD_KEY,
                              max_upload_size=1)
    if upload is not None and st.session_state.get(UPLOAD_SEEN) != upload.file_id:
        st.session_state[UPLOAD_SEEN] = upload.file_id  # handle each upload once, not on every rerun
        if upload.size > MAX_UPLOAD_BYTES:  # refuse before reading it
            _say(WEIGHTS_MSG, "error", f"{widgets.as_code(upload.name)}: file is {upload.size:,} bytes; the limit "
                 f"is {MAX_UPLOAD_BYTES:,} bytes (1 MB). Not loaded: the current weights are unchanged.")
        else:
            handle_weights_upload(upload.name, upload.getvalue())


def _downloads(weights: Weights) -> None:
    cols = st.columns(2)
    cols[0].download_button("Download weights (.toml)", weights_to_toml(weights), "weights.toml",
                            mime="application/toml", key="analyze:download_toml")
    cols[1].download_button("Download weights (.csv)", weights_to_csv(weights), "weights.csv", mime="text/csv",
                            key="analyze:download_csv")


def _editor_section(pack: KnowledgePack, weights: Weights) -> None:
    st.header("Edit weights")
    version = st.session_state.get(EDITOR_VERSION, 0)
    fw, pr, pa = frames.weights_tables(pack, weights)
    tabs = st.tabs(["Finding weights", "Condition priors", "Method parameters"])
    with tabs[0]:
        fw = st.data_editor(fw, key=f"analyze:fw:{version}", hide_index=True, disabled=["finding_id", "label", "group"],
                            column_config={"weight": st.column_config.NumberColumn("weight", step=0.1,
                                                                                   help="0 to 100; 1 = neutral")})
    with tabs[1]:
        pr = st.data_editor(pr, key=f"analyze:priors:{version}", hide_index=True, disabled=["condition_id", "name"],
                            column_config={"prior": st.column_config.NumberColumn("prior", help="relative, above 0")})
    with tabs[2]:
        pa = st.data_editor(pa, key=f"analyze:params:{version}", hide_index=True,
                            disabled=["parameter", "default", "allowed", "help"])
    cols = st.columns(2)
    if cols[0].button("Apply edited weights", key="analyze:apply", type="primary"):
        try:
            new = frames.weights_from_tables(pack, fw, pr, pa)
        except WeightsError as exc:
            _say(WEIGHTS_MSG, "error", refused_message(exc))
        else:
            _apply(new, "Edited weights applied.")
    cols[1].button("Reset to defaults", key="analyze:reset", on_click=reset_weights)


def _cases_for_evaluation(cases: list[Case]) -> list[Case]:
    source = st.radio("Evaluate on", SOURCES, key=SOURCE_KEY, horizontal=True)
    if source == SOURCES[0]:
        return cases
    upload = st.file_uploader("Case file (.json, at most 1 MB)", type=["json"], key=CASES_UPLOAD_KEY,
                              max_upload_size=1)
    if upload is not None and st.session_state.get(CASES_SEEN) != upload.file_id:
        st.session_state[CASES_SEEN] = upload.file_id
        handle_cases_upload(upload.name, upload.getvalue())
    _show(CASES_MSG)
    uploaded: list[Case] = st.session_state.get(UPLOADED_CASES, [])
    return uploaded


def _metrics(current: Evaluation, default: Evaluation) -> None:
    """One labelled tile per figure (shares as percentages), the change from the defaults, and the table."""
    frame = frames.metrics_frame(current, default)
    keys = [attr for _, attr in frames.METRICS]
    cols = [c for _ in range(0, len(frame), 2) for c in st.columns(2)]  # two a row: labels stay whole
    rows: list[Any] = list(frame.itertuples(index=False))  # pandas types each field as any scalar
    for col, key, row in zip(cols, keys, rows, strict=False):
        help_text = tables.SUMMARY_HELP[key]
        if row.current is None:
            col.metric(row.metric, "n/a", help=help_text)
            continue
        delta = None
        if row.difference is not None and abs(row.difference) > 1e-12:
            delta = (f"{100 * row.difference:+.1f} points vs defaults" if key in tables.PERCENT_KEYS
                     else f"{row.difference:+.3f} vs defaults")
        col.metric(row.metric, tables.summary_value(key, row.current), delta, help=help_text)
    st.dataframe(frame, hide_index=True)


def _confusion_chart(frame: pd.DataFrame) -> alt.LayerChart:
    x_axis = alt.Axis(labelAngle=-45, labelLimit=200, labelOverlap=False)
    # No title beside the rows: drawn next to long condition names it ran into them (the heading says it instead).
    base = alt.Chart(frame).encode(x=alt.X("predicted:N", title="Ranked first", axis=x_axis),
                                   y=alt.Y("expected:N", title=None,
                                           axis=alt.Axis(labelLimit=260, labelOverlap=False)))
    rect = base.mark_rect().encode(color=alt.Color("count:Q", scale=alt.Scale(scheme="greens"), title="Cases"),
                                   tooltip=["expected", "predicted", "count"])
    text = base.mark_text().encode(text=alt.condition("datum.count > 0", "count:Q", alt.value("")))
    n = frame["expected"].nunique()
    chart: alt.LayerChart = (rect + text).properties(height=28 * n + 60)
    return chart


def _evaluation_section(pack: KnowledgePack, cases: list[Case], method: str, weights: Weights) -> None:
    st.header("Evaluate")
    chosen = _cases_for_evaluation(cases)
    if not chosen:
        st.info("No cases to evaluate yet.")
        return
    defaults = default_weights(pack)
    try:  # cases are validated on reading; this keeps the page alive should one still fail
        current, default = (run_evaluation(pack, chosen, method, w) for w in (weights, defaults))
    except TriageError as exc:
        st.error(f"These cases could not be evaluated: {widgets.as_code(exc)}")
        return
    widgets.show_safety_block(pack, "analyst")
    st.markdown(f"**{len(chosen)} case(s), method {METHOD_INFO[method].title}: current weights vs defaults**")
    if weights.key() == defaults.key():
        st.info("The current weights are the defaults, so there is no difference yet.")
    _metrics(current, default)
    changes = frames.case_changes_frame(pack, current, default)
    moved = int((changes["change"] != 0).sum())
    st.markdown(f"**Per-case rank of the expected condition** ({moved} case(s) moved, listed first; "
                "negative = better now)")
    st.dataframe(changes, hide_index=True)
    st.download_button("Download the evaluation (.csv)", frames.safe_csv(changes), "evaluation.csv",
                       mime="text/csv", key="analyze:download_eval")
    st.markdown(f"**All methods compared** (the same {len(chosen)} case(s), current weights)")
    by_method = {METHOD_INFO[m].title: run_evaluation(pack, chosen, m, weights) for m in METHODS}
    methods = frames.methods_frame(by_method).drop(columns="cases")  # the same cases for all: said above
    shares: dict[Any, str | Callable[[object], str] | None] = {  # as the tiles
        title: "{:.1%}" for title, attr in frames.METRICS if attr in tables.PERCENT_KEYS}
    st.table(methods.style.format(shares, precision=3, na_rep="n/a"), hide_index=True)
    st.markdown(f"**Recall per expected condition** ({METHOD_INFO[method].title}, current weights; 95% Wilson "
                "intervals: with few cases per condition they are wide)")
    st.table(frames.recall_frame(pack, current).style.format(precision=2), hide_index=True)
    st.markdown("**Confusion matrix (current weights)**: one row per expected condition, one column per "
                "condition ranked first.")
    wide, narrow = layout.wide_and_narrow("confusion")
    heat = tables.medical_names(pack, frames.confusion_frame(pack, current), ("expected", "predicted"))
    wide.altair_chart(widgets.readable(_confusion_chart(heat)), width="stretch")
    narrow.table(tables.confusion_table(pack, current), hide_index=True)  # a 17 × 17 heat map: unreadable on a phone
    report = run_triage_report(pack, chosen, method, weights)
    if report is not None:
        same = weights.key() == defaults.key()
        show_urgency(report, current, None if same else run_triage_report(pack, chosen, method, defaults),
                     current.costs)
    st.markdown("**What changed in the weights**")
    diff = frames.diff_frame(pack, defaults, weights)
    if diff.empty:
        st.caption("Nothing: the current weights are the defaults.")
    else:
        st.dataframe(diff, hide_index=True)


MOVER_ROW_PX = 56  # a name of up to two lines above a bar
LINE_PX = 16  # one line of chart text at widgets.AXIS_FONT_SIZE


def _movers_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars, the strongest mover on top, each named above its bar (not on an axis beside it: at phone
    width an axis of names left the bars no room)."""
    data = frame.sort_values("mean |strength change|", ascending=False, kind="stable").reset_index(drop=True)
    lines = [tables.two_lines(w) for w in data["weight"]]
    data = data.assign(order=data.index, first=[a for a, _ in lines], last=[b for _, b in lines])
    base = alt.Chart(data).encode(y=alt.Y("order:O", axis=None, title=None))
    bars = base.mark_bar(size=14).encode(
        x=alt.X("mean |strength change|:Q",
                title=["Mean absolute change in the expected", "condition's share of the match"]),
        color=alt.Color("kind:N", title="Weight", legend=alt.Legend(orient="top")),
        tooltip=["weight", "key", alt.Tooltip("mean |rank change|:Q", format=".3f"),
                 alt.Tooltip("mean |strength change|:Q", format=".4f"), "cases moved",
                 alt.Tooltip("MRR change (+):Q", format="+.3f"), alt.Tooltip("MRR change (−):Q", format="+.3f")],
    )
    # A name's last line sits just above its bar and a first line (of a long name) above that, so no line ever
    # runs into a bar whatever the length (Vega draws further lines of one text mark downwards, onto the bar).
    def label(dy: float) -> alt.Chart:
        mark: alt.Chart = base.mark_text(dy=dy, align="left", baseline="bottom", fontSize=widgets.AXIS_FONT_SIZE,
                                         color=widgets.TEXT_COLOR)
        return mark

    last = label(-9).encode(x=alt.datum(0), text="last:N")
    first = label(-9 - LINE_PX).encode(x=alt.datum(0), text="first:N")
    chart: alt.LayerChart = (bars + last + first).properties(height=MOVER_ROW_PX * len(data))
    return chart


@st.fragment  # its slider changes only this section: moving it reruns the section, not the evaluation above
def _sensitivity_section(pack: KnowledgePack, cases: list[Case], method: str, weights: Weights) -> None:
    st.header("Sensitivity: which weights move the rankings most")
    if not cases:
        st.info("No teaching cases to measure sensitivity on.")
        return
    pct = st.slider("Scale each weight by ± (%)", 5, 50, int(DEFAULT_FACTOR * 100), step=5, key=FACTOR_KEY)
    rows, seconds = run_sensitivity(pack, cases, method, weights, pct / 100)
    frame = frames.sensitivity_frame(rows)
    top = frame.head(TOP_MOVERS)
    if frame.empty or (top["mean |strength change|"] == 0).all():
        st.info(f"No weight moves the rankings under {METHOD_INFO[method].title}"
                + (" (set overlap ignores weights and priors)." if method == "overlap" else "."))
    else:
        st.altair_chart(widgets.readable(_movers_chart(top)), width="stretch")
    st.caption(f"Each finding weight and prior scaled by ±{pct}% over {len(cases)} teaching case(s); "
               f"computed in {seconds:.2f} s (cached per weights).")
    st.dataframe(frame, hide_index=True)
    st.download_button("Download the sensitivity table (.csv)", frames.safe_csv(frame), "sensitivity.csv",
                       mime="text/csv", key="analyze:download_sens")


def _corpus_section(pack: KnowledgePack, cases: list[Case]) -> None:
    st.header("Corpus check")
    st.caption("Where does each teaching case's expected condition rank among all HPO-annotated rare diseases? "
               "Only HPO findings are used (the `CT:` findings have no HPO meaning); a condition counts through "
               "its ORPHA / OMIM codes in conditions.csv, the best-ranked code wins. Conditions without a code "
               "in the chosen pack are n/a and left out of the metrics.")
    if not cases:
        st.info("No teaching cases to check.")
        return
    name, method = widgets.corpus_choice(CORPUS_PACK_KEY, CORPUS_METHOD_KEY)
    if not st.toggle("Run the corpus check", key=CORPUS_ON_KEY):
        st.caption("Off. Switch it on to load the corpus (a few seconds the first time) and rank every case.")
        return
    try:
        corpus = state.get_corpus(name)
        evaluation = run_corpus_evaluation(pack, cases, corpus, method)
    except TriageError as exc:
        st.error(f"The corpus check could not run: {widgets.as_code(exc)}")
        return
    ranked = len(evaluation.ranked)
    st.markdown(f"**{ranked} of {len(cases)} case(s) ranked** in `{corpus.name}` ({corpus.n_diseases:,} diseases, "
                f"HPO release {corpus.version}), method {widgets.CORPUS_METHOD_TITLES.get(method, method)}")
    metrics = evaluation.metrics()
    cols = [c for _ in range(0, len(metrics), 2) for c in st.columns(2)]  # two a row: labels stay whole
    for col, (title, value) in zip(cols, metrics.items(), strict=False):
        key = CORPUS_METRIC_KEYS.get(title, title)
        col.metric(f"{tables.SUMMARY_LABELS.get(key, title)} (corpus)", tables.summary_value(key, value),
                   help=tables.SUMMARY_HELP.get(key))
    frame = frames.corpus_eval_frame(pack, evaluation)
    st.dataframe(frame, hide_index=True)
    st.download_button("Download the corpus check (.csv)", frames.safe_csv(frame), "corpus_check.csv",
                       mime="text/csv", key="analyze:download_corpus")


# --- page --------------------------------------------------------------------------------------------

def render() -> None:
    """The Analyze page."""
    layout.install()  # the confusion matrix: a heat map on wide screens, a table on a phone
    st.title("Analyze: weights, evaluation and sensitivity")
    st.markdown("For analysts. Changes apply to this session only and only after validation.")
    pack = state.get_pack()
    try:
        cases = state.get_teaching_cases()
    except TriageError as exc:
        st.error(f"The teaching cases could not be read: {widgets.as_code(exc)}")
        cases = []
    method = st.selectbox("Scoring method", METHODS, index=METHODS.index(DEFAULT_METHOD), key=METHOD_KEY,
                          format_func=lambda m: METHOD_INFO[m].title)
    _files_section()
    messages = st.empty()
    _editor_section(pack, state.current_weights())
    with messages.container():
        _show(WEIGHTS_MSG)
    _downloads(state.current_weights())
    weights = state.current_weights()
    _evaluation_section(pack, cases, method, weights)
    _sensitivity_section(pack, cases, method, weights)
    _corpus_section(pack, cases)
    analyze_phenopackets.analyze_section(pack, method)

"""The Analyze page's phenopacket evaluation: upload many files (or zips), evaluate the curated pack or a corpus.

Reading and evaluating are the engine's (:mod:`engine.evaluation.phenopackets`). A file that cannot be read is skipped,
named and counted with its reason, and the rest is evaluated: one bad file never refuses the good ones, and
since it stays in the uploader, the next change to the upload would otherwise refuse them again. Only when no
file at all can be read are the cases loaded before kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from engine import KnowledgePack, TriageError
from engine.evaluation.phenopackets import (
    Inputs,
    SkippedFile,
    corpus_summary,
    curated_summary,
    evaluate_on_corpus,
    evaluate_on_curated,
    read_inputs,
    unpack_uploads,
)
from ui import state
from ui.components import analyze_tables as tables
from ui.components import frames, widgets
from ui.components.analyze_urgency import show_urgency
from ui.components.phenopacket_files import MAX_ZIP_MB

KEY_PREFIX = "analyze:phenopackets:"  # this section's session-state keys (the Analyze page's, in its section)
ANALYZE_UPLOAD, ANALYZE_INPUTS, ANALYZE_MSG = f"{KEY_PREFIX}upload", f"{KEY_PREFIX}inputs", f"{KEY_PREFIX}msg"
ANALYZE_PACK, ANALYZE_METHOD, ANALYZE_ON = f"{KEY_PREFIX}pack", f"{KEY_PREFIX}method", f"{KEY_PREFIX}on"
ANALYZE_SKIPPED = f"{KEY_PREFIX}skipped"
CURATED = "curated"
LISTED = 5  # skipped files named in the message; the table below lists them all
TILES_PER_ROW = 3  # labelled tiles stay whole (six side by side cut "Mean reciprocal rank" short)


def skipped_text(skipped: Sequence[SkippedFile], listed: int = LISTED) -> str:
    """The first ``listed`` skipped files, each name and reason shown literally (code spans), on one line."""
    shown = "; ".join(f"{widgets.as_code(s.name)} ({widgets.as_code(s.reason)})" for s in skipped[:listed])
    more = len(skipped) - listed
    return shown + (f"; and {more} more, listed below" if more > 0 else "")


def skipped_frame(skipped: Sequence[SkippedFile]) -> pd.DataFrame:
    return pd.DataFrame([{"file": s.name, "why it was skipped": s.reason} for s in skipped],
                        columns=["file", "why it was skipped"])


def load(files: Sequence[tuple[str, bytes]], pack: KnowledgePack) -> None:
    """Read uploaded files (zips unpacked) into the session: every readable file is loaded, every other one is
    named with its reason. When none can be read, the cases loaded before stay."""
    skipped: list[SkippedFile] = []
    try:
        inputs = read_inputs(unpack_uploads(files, skipped=skipped), pack, skipped=skipped)
    except Exception as exc:  # a limit on the whole upload, or an unexpected failure: one line, nothing changes
        name = files[0][0] if len(files) == 1 else None
        st.session_state[ANALYZE_MSG] = [("error", f"{widgets.refusal(exc, name)} The previous cases are kept.")]
        return
    n_files = len(files)
    skipped.sort(key=lambda s: _upload_index(files, s.name))  # in upload order: zip members with their zip
    if not inputs.n:
        st.session_state[ANALYZE_MSG] = [("error", f"No case could be read from the {n_files} file(s): "
                                                   f"{skipped_text(skipped)}. The previous cases are kept.")]
        st.session_state[ANALYZE_SKIPPED] = skipped
        return
    st.session_state[ANALYZE_INPUTS] = inputs
    st.session_state[ANALYZE_SKIPPED] = skipped
    said = [("success", f"{len(inputs.phenopackets)} phenopacket(s) and {len(inputs.cases)} case-file case(s) "
                        f"loaded.")]
    if skipped:
        said.append(("warning", f"{len(skipped)} file(s) skipped, the rest loaded: {skipped_text(skipped)}."))
    st.session_state[ANALYZE_MSG] = said


def _upload_index(files: Sequence[tuple[str, bytes]], name: str) -> int:
    return next((i for i, (upload, _) in enumerate(files) if name == upload or name.startswith(f"{upload}/")),
                len(files))


def _handle_upload(pack: KnowledgePack) -> None:
    files = st.session_state.get(ANALYZE_UPLOAD) or []
    if files:
        load([(f.name, f.getvalue()) for f in files], pack)


def _show_messages() -> None:
    for level, text in st.session_state.get(ANALYZE_MSG, []):
        {"error": st.error, "warning": st.warning}.get(level, st.success)(text)
    skipped: list[SkippedFile] = st.session_state.get(ANALYZE_SKIPPED) or []
    if len(skipped) > LISTED:
        with st.expander(f"All {len(skipped)} skipped files, with the reason"):
            st.dataframe(skipped_frame(skipped), hide_index=True)


def _tiles(summary: Mapping[str, Any]) -> None:
    shown = {k: v for k, v in summary.items() if not (k == "triage_agreement" and v is None)}  # no reference
    tiles = tables.summary_tiles(shown)
    for start in range(0, len(tiles), TILES_PER_ROW):
        row = tiles[start:start + TILES_PER_ROW]
        for col, (label, value, help_text) in zip(st.columns(TILES_PER_ROW), row, strict=False):
            col.metric(label, value, help=help_text)


def _not_scored(summary: Mapping[str, Any], files_skipped: int) -> str:
    reasons = ", ".join(f"{k} ({v})" for k, v in summary["skipped"].items()) or "none"
    newer = summary.get("not_in_release", {})
    text = (f"HPO release {summary['hpo_version']}. Cases read but not scored: {reasons}. "
            f"Terms newer than this release: {newer.get('terms', 0)}")
    if "diseases" in newer:
        text += f"; diseases not in it: {newer['diseases']}"
    return text + f". Files that could not be read: {files_skipped}."


def analyze_section(pack: KnowledgePack, method: str) -> None:
    """Upload phenopackets (several files or a zip) and evaluate the curated pack or a corpus pack on them."""
    st.header("Evaluate on phenopackets")
    st.caption("GA4GH phenopackets from published case reports (for example phenopacket-store): each file's "
               "phenotypic features are the findings, its diagnosis the expected disease. Terms or diseases newer "
               "than the HPO release in use are counted, not scored. A file that cannot be read is skipped and "
               "named; the others are evaluated.")
    st.file_uploader(f"Phenopackets (.json files, or a .zip of them; each file at most 1 MB, a zip at most "
                     f"{MAX_ZIP_MB} MB)", type=["json", "zip"], accept_multiple_files=True, key=ANALYZE_UPLOAD,
                     max_upload_size=MAX_ZIP_MB, on_change=_handle_upload, args=(pack,))
    _show_messages()
    inputs: Inputs | None = st.session_state.get(ANALYZE_INPUTS)
    if inputs is None or not inputs.n:
        st.info("No phenopackets loaded yet.")
        return
    cols = st.columns(2)
    target = cols[0].selectbox("Rank", (CURATED, *widgets.CORPUS_TITLES), key=ANALYZE_PACK,
                               format_func=lambda n: "Curated conditions (current weights)" if n == CURATED
                               else widgets.CORPUS_TITLES[n])
    if not st.toggle(f"Evaluate on the {inputs.n} loaded case(s)", key=ANALYZE_ON):
        return
    report = evaluation = None
    try:
        if target == CURATED:
            run = evaluate_on_curated(pack, inputs, method, state.current_weights())
            summary = curated_summary(run)
            evaluation = run.evaluation
            if any(c.reference is not None for c in evaluation.cases):
                report = evaluation.triage_report()
            frame = pd.DataFrame([{"case": c.case_id, "expected": frames.condition_name(pack, c.expected),
                                   "rank": c.rank, "ranked first": frames.condition_name(pack, c.predicted)}
                                  for c in evaluation.cases])
        else:
            corpus_method = cols[1].selectbox("Corpus method", tuple(widgets.CORPUS_METHOD_TITLES), key=ANALYZE_METHOD,
                                              format_func=widgets.CORPUS_METHOD_TITLES.__getitem__)
            with st.spinner("Ranking the corpus for every case…"):
                ev = evaluate_on_corpus(state.get_corpus(target), inputs, pack, corpus_method)
            summary = corpus_summary(ev)
            frame = pd.DataFrame([{"case": c.case_id, "expected": c.expected, "rank": c.rank,
                                   "best code": c.disease_id, "status": c.status, "present": c.n_present,
                                   "absent": c.n_absent} for c in ev.cases])
    except TriageError as exc:
        st.error(f"The evaluation could not run: {widgets.as_code(exc)}")
        return
    widgets.show_safety_block(pack, "analyst")
    _tiles(summary)
    st.caption(_not_scored(summary, len(st.session_state.get(ANALYZE_SKIPPED) or [])))
    st.dataframe(frame, hide_index=True)
    st.download_button("Download the phenopacket evaluation (.csv)", frames.safe_csv(frame),
                       "phenopacket_evaluation.csv", mime="text/csv", key="analyze:phenopackets:download")
    if report is not None and evaluation is not None:
        show_urgency(report, evaluation, costs=evaluation.costs,
                     title="Urgency of the uploaded cases against their panels")

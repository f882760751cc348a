"""Phenopacket upload and download widgets for the Check, Teach and Analyze pages (issue 8 §1).

Reading, writing, zips and evaluation are the engine's (:mod:`engine.io.phenopacket`,
:mod:`engine.evaluation.phenopackets`); this module only wires them to widgets. An upload is handled
once, in the uploader's callback (before any page widget is drawn), and a refused file changes
nothing: the message names the file and what was already loaded stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from engine import KnowledgePack, TriageError, encode_case
from engine.io.phenopacket import (
    MAX_PHENOPACKET_BYTES,
    PhenopacketCase,
    parse_phenopacket,
    require_known_terms,
    to_phenopacket_json,
)
from engine.io.presentation import Presentation
from ui.components import frames, widgets

MIME = "application/json"
MAX_ZIP_MB = 50  # the Analyze page's zip of phenopackets (ui/components/analyze_phenopackets.py)


# --- pure helpers ------------------------------------------------------------------------------------

def selection_from_packet(pack: KnowledgePack, packet: PhenopacketCase) -> tuple[list[str], list[str], pd.DataFrame]:
    """Pack findings to tick (present, absent) for a phenopacket, and how each of its terms was read.

    Only findings a term counts for fully are ticked; a more general term (partial credit) is shown
    in the table but not ticked, so a tick never claims more than the file says.

    Raises
    ------
    InputError
        For a term the pack's HPO release does not know, or terms that contradict each other.
    """
    require_known_terms(packet, pack.ontology)
    encoded = encode_case(pack, packet.present, packet.absent)
    present = [f.id for j, f in enumerate(pack.findings) if encoded.present[j] >= 1.0]
    absent = [f.id for j, f in enumerate(pack.findings) if encoded.absent[j] >= 1.0 and f.id not in present]
    labels = dict(packet.labels)
    rows = [{"term": m.reported_id,
             "term label": labels.get(m.reported_id) or frames.finding_label(pack, m.reported_id),
             "reported": "present" if m.present else "absent",
             "pack finding": pack.finding(m.finding_id).lay_label if m.finding_id else "—",
             "how": m.relation, "ticked": m.finding_id in (present if m.present else absent), "note": m.note}
            for m in encoded.mappings]
    return present, absent, pd.DataFrame(rows)


def export_json(pack: KnowledgePack, present: Sequence[str], absent: Sequence[str], case_id: str,
                diseases: Sequence[tuple[str, str]] = (),
                presentation: Presentation | None = None) -> tuple[str, list[str]]:
    """Phenopacket JSON of a selection: HPO findings, the pack's local ``CT:`` findings under the declared local
    prefix, and the course and context; nothing is left out (the second value is kept for callers: empty)."""
    labels = {f.id: f.label for f in pack.findings if not f.is_hpo}
    text = to_phenopacket_json(present, absent, pack.ontology, case_id=case_id, diseases=diseases,
                               local_labels=labels, presentation=presentation)
    return text, []


def condition_diseases(pack: KnowledgePack, condition_id: str) -> list[tuple[str, str]]:
    """A curated condition as phenopacket diseases: its ORPHA / OMIM codes, labelled with its name."""
    if condition_id not in pack.condition_index:
        return []
    c = pack.condition(condition_id)
    return [(code, c.name) for code in (*c.orpha, *c.omim)]


# --- widgets -----------------------------------------------------------------------------------------

def _handle_upload(key: str, on_packet: Callable[[PhenopacketCase], str]) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        if upload.size > MAX_PHENOPACKET_BYTES:  # refuse before reading it
            raise TriageError(f"{upload.name}: file is {upload.size:,} bytes; the limit is {MAX_PHENOPACKET_BYTES:,}")
        note = on_packet(parse_phenopacket(upload.getvalue(), upload.name))
        st.session_state[f"{key}:msg"] = ("success", f"{widgets.as_code(upload.name)}: {note}")
    except Exception as exc:  # any failure is one line, and what is on screen stays (nothing was applied)
        st.session_state[f"{key}:msg"] = ("error", f"{widgets.refusal(exc, upload.name)} Nothing was changed.")


def uploader(key: str, label: str, on_packet: Callable[[PhenopacketCase], str]) -> None:
    """A one-file phenopacket uploader; ``on_packet`` applies a valid file and returns what it did (the file's
    name is put in front, as code). ``on_packet`` changes the session only once it cannot fail any more."""
    st.file_uploader(label, type=["json"], key=key, max_upload_size=1, on_change=_handle_upload,
                     args=(key, on_packet))
    level, text = st.session_state.get(f"{key}:msg", (None, ""))
    if level:
        (st.error if level == "error" else st.success)(text)


def download(pack: KnowledgePack, present: Sequence[str], absent: Sequence[str], case_id: str,
             diseases: Sequence[tuple[str, str]], key: str, presentation: Presentation | None = None) -> None:
    """A "Download as a phenopacket" button for a selection, with its course and context."""
    try:
        text, left_out = export_json(pack, present, absent, case_id, diseases, presentation)
    except TriageError as exc:
        st.caption(f"No phenopacket download: {widgets.as_code(exc)}")
        return
    st.download_button("Download as a phenopacket (GA4GH v2 JSON)", text,
                       file_name=f"{widgets.safe_file_name(case_id)}.phenopacket.json",
                       mime=MIME, key=key, on_click="ignore", icon=":material/download:")
    if left_out:
        st.caption(f"{len(left_out)} finding(s) without an HPO ID are not in the phenopacket: "
                   + ", ".join(widgets.as_code(i) for i in left_out))


def mapping_table(key: str) -> None:
    """The table of how the last uploaded phenopacket's terms were read (if there is one)."""
    frame = st.session_state.get(key)
    if isinstance(frame, pd.DataFrame) and not frame.empty:
        with st.expander("How the phenopacket's terms were read", expanded=True):
            st.dataframe(frame, hide_index=True)

"""The Check page's shareable link: the shown selection <-> the page address's query parameters.

After "Show my matches" the address holds ``present``, ``absent`` and (when not the default) ``method``, so the
link can be kept or shared; nothing is stored on the server. Reading a link never raises: unknown IDs, too many
IDs, contradictions and an unknown method become notes shown above the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from engine import DEFAULT_METHOD, METHOD_INFO, METHODS, KnowledgePack
from engine.hpo.ids import partition_ids
from ui.components.ticks import ABSENT_KEY, METHOD_KEY, STATE_KEY, TICKS_KEY, CheckState
from ui.components.widgets import as_code

LINK_READ_KEY = "check:link_read"
MAX_LINK_IDS = 200
#: The query parameters the link owns (others in the address are left alone).
LINK_PARAMS = ("present", "absent", "method")


def parse_link_ids(pack: KnowledgePack, values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Known finding IDs (order of appearance, no duplicates) and notes on the unknown ones, display-safe.

    The lenient parse of :func:`engine.hpo.ids.partition_ids`: a link never raises, unknown IDs become notes.
    """
    known, unknown, over = partition_ids(values, pack.finding_index, MAX_LINK_IDS)
    if over:
        unknown.append(f"(and {over} more, over the limit of {MAX_LINK_IDS})")
    return known, unknown


def state_from_link(pack: KnowledgePack, params: Any) -> CheckState:
    """Read ``present``, ``absent`` and ``method`` from query params; never raises on bad input."""
    present, bad_present = parse_link_ids(pack, params.get_all("present"))
    absent, bad_absent = parse_link_ids(pack, params.get_all("absent"))
    notes = []
    unknown = bad_present + [b for b in bad_absent if b not in bad_present]
    if unknown:
        notes.append(f"The link held {len(unknown)} finding ID(s) this tool does not know; they were ignored: "
                     + ", ".join(as_code(u) for u in unknown))
    both = [i for i in absent if i in present]
    if both:
        notes.append(f"{len(both)} finding(s) were listed both as present and as absent; they count as present.")
        absent = [i for i in absent if i not in present]
    method = params.get("method", DEFAULT_METHOD)
    if method not in METHODS:
        notes.append(f"The link asked for an unknown method; {METHOD_INFO[DEFAULT_METHOD].title} is used.")
        method = DEFAULT_METHOD
    return CheckState(present, absent, method, tuple(notes))


def link_params(state: CheckState) -> dict[str, str]:
    params = {"present": ",".join(state.present), "absent": ",".join(state.absent)}
    if state.method != DEFAULT_METHOD:
        params["method"] = state.method
    return {k: v for k, v in params.items() if v}


def write_link(state: CheckState) -> None:
    """Make the page address hold exactly the shown selection (only keys that differ are written)."""
    params = link_params(state)
    for key in LINK_PARAMS:
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]


def read_link_once(pack: KnowledgePack) -> None:
    """On the first run of a session, restore ticks from the address (if it holds any)."""
    if st.session_state.get(LINK_READ_KEY):
        return
    st.session_state[LINK_READ_KEY] = True
    if not any(k in st.query_params for k in LINK_PARAMS):
        return
    state = state_from_link(pack, st.query_params)
    st.session_state[STATE_KEY] = state
    st.session_state[TICKS_KEY] = dict.fromkeys(state.present, True)
    st.session_state[ABSENT_KEY] = list(state.absent)
    st.session_state[METHOD_KEY] = state.method


def clear_link() -> None:
    """Remove the selection from the page address."""
    for key in LINK_PARAMS:
        if key in st.query_params:
            del st.query_params[key]

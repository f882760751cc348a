"""About page: what the tool is and is not, the methods, the sources, the HPO release, the disclaimer."""

from __future__ import annotations

import streamlit as st

from engine import CLINICIAN_PROMPT, METHOD_INFO, KnowledgePack
from engine.pack import Source
from ui.common import get_pack

SOURCE_KIND_TITLES = {
    "seed": "Source article", "paper": "Papers", "ontology": "Ontology", "hpoa": "Disease annotations",
    "classification": "Classifications", "database": "Databases",
}


def _what_it_is() -> None:
    st.markdown(
        "**What it is.** An educational prototype that compares findings you tick with the usual picture of "
        "dystrophic calcinosis cutis and of the conditions that can look like it (its differential). It shows "
        "how well your findings match each one, which red flags need prompt care, and which questions a "
        "clinician may ask next.\n\n"
        "**What it is not.** It is not a diagnosis, not medical advice and not a medical device. It has not been "
        "validated on patients. It can be wrong, and it knows only the conditions in its knowledge pack.\n\n"
        "**Your data.** What you tick stays in your browser session and, if you choose, in the page address. "
        "Nothing is stored on the server and no findings are logged."
    )
    st.warning(CLINICIAN_PROMPT, icon="🩺")


def _methods() -> None:
    st.subheader("How matches are scored")
    st.caption("The Check page uses the likelihood ratio unless you choose otherwise under “More options”.")
    for info in METHOD_INFO.values():
        st.markdown(f"**{info.title}.** {info.summary}")
        st.latex(info.latex)


def _source_line(source: Source) -> str:
    ident = source.identifier.strip()
    link = f" [{ident}]({ident})" if ident.startswith(("https://", "http://")) else (f" ({ident})" if ident else "")
    return f"- {source.citation}{link}"


def _sources(pack: KnowledgePack) -> None:
    st.subheader("Sources")
    kinds: dict[str, list[Source]] = {}
    for source in pack.sources.values():
        kinds.setdefault(source.kind, []).append(source)
    for kind, sources in kinds.items():
        st.markdown(f"**{SOURCE_KIND_TITLES.get(kind, kind.capitalize())}**")
        st.markdown("\n".join(_source_line(s) for s in sources))
    st.caption(f"Findings are coded with the Human Phenotype Ontology (HPO), release {pack.hpo_version}. "
               f"The knowledge pack lists {len(pack.conditions)} conditions and {len(pack.findings)} findings.")


def render() -> None:
    """The About page."""
    pack = get_pack()
    st.title("About this tool")
    _what_it_is()
    _methods()
    _sources(pack)
    st.subheader("Disclaimer")
    st.markdown(pack.disclaimer)

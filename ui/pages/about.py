"""About page: what the tool is and is not, the methods, the sources, the HPO release, the disclaimer."""

from __future__ import annotations

import streamlit as st

from engine import DEFAULT_METHOD, METHOD_INFO, KnowledgePack
from engine.knowledge.pack import Source
from engine.triage.copy import NOT_A_DIAGNOSIS
from ui.state import get_pack

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
    st.info("**If you are worried about your health,** see a doctor or nurse: only a clinician who examines you "
            "can tell what is going on. In an emergency, call your local emergency number.", icon="🩺")


def _methods() -> None:
    st.header("How matches are scored")
    st.markdown(f"The Check page uses the {METHOD_INFO[DEFAULT_METHOD].title.lower()} method unless you choose "
                "otherwise under “More options”.")
    for info in METHOD_INFO.values():
        st.markdown(f"**{info.title}.** {info.summary}")
        st.latex(info.latex)


SEED_TITLE, SEED_SITE = "Dystrophic Calcinosis Cutis", "RxHarun"
SEED_PUBLISHER = "Mediarx International LTD, a subsidiary of Rx Foundation"
#: The source article as a reader can find it: its title, the site that publishes it and the publisher.
SEED_CITATION = (f"*{SEED_TITLE}*. Patient-education article on the {SEED_SITE} website, published by "
                 f"{SEED_PUBLISHER} (© 2012–2025). The tool's findings, conditions and disclaimer start from it.")


def identifier_link(identifier: str) -> str:
    """A source identifier as a Markdown link: DOIs, PMIDs and web addresses; anything else (a file path of the
    project or of the machine it was built on) is nothing a reader can follow, so it is left out."""
    ident = identifier.strip()
    if ident.lower().startswith("doi:"):
        doi = ident[4:].strip()
        return f"[doi:{doi}](https://doi.org/{doi})"
    if ident.upper().startswith("PMID:") and ident[5:].strip().isdigit():
        pmid = ident[5:].strip()
        return f"[PMID {pmid}](https://pubmed.ncbi.nlm.nih.gov/{pmid}/)"
    if ident.startswith(("https://", "http://")):
        return f"[{ident}]({ident})"
    return ""


def _source_line(source: Source) -> str:
    if source.kind == "seed":
        return f"- {SEED_CITATION}"
    link = identifier_link(source.identifier)
    return f"- {source.citation}" + (f" {link}" if link else "")


def _sources(pack: KnowledgePack) -> None:
    st.header("Sources")
    kinds: dict[str, list[Source]] = {}
    for source in pack.sources.values():
        kinds.setdefault(source.kind, []).append(source)
    for kind, sources in kinds.items():
        st.markdown(f"**{SOURCE_KIND_TITLES.get(kind, kind.capitalize())}**")
        st.markdown("\n".join(_source_line(s) for s in sources))
    st.markdown(f"Findings are coded with the Human Phenotype Ontology (HPO), release {pack.hpo_version}. "
               f"The knowledge pack lists {len(pack.conditions)} conditions and {len(pack.findings)} findings.")


def render() -> None:
    """The About page."""
    pack = get_pack()
    st.title("About this tool")
    _what_it_is()
    _methods()
    _sources(pack)
    st.header("Disclaimer")
    st.markdown(f"{NOT_A_DIAGNOSIS} With every result the tool shows the medical substance of the source "
                "article's disclaimer; here it is in full, as published:")
    st.markdown(f"> {pack.disclaimer}\n>\n> — {SEED_SITE}, *{SEED_TITLE}* (the source article of this tool)")

"""The About page cites its sources as a reader can find them: the source article by its title, never a file path."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from engine import load_pack
from ui.pages.about import SEED_CITATION, identifier_link

TIMEOUT = 30


def about_page() -> None:
    import ui.pages.about

    ui.pages.about.render()


def test_the_source_article_is_cited_by_title_without_a_file_path() -> None:
    pack = load_pack()
    seed = next(s for s in pack.sources.values() if s.kind == "seed")
    assert not seed.identifier.startswith(("http", "doi:", "PMID:"))  # the pack's identifier is a file path
    at = AppTest.from_function(about_page, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    text = "\n".join(str(m.value) for m in at.markdown)
    assert SEED_CITATION in text and "*Dystrophic Calcinosis Cutis*" in text and "RxHarun" in text
    assert seed.identifier not in text and "seed/" not in text
    assert not re.search(r"`[^`]*/[^`]*\.(txt|md|csv|json)`", text)  # no path shown as code anywhere
    assert [h.value for h in at.header] == ["How matches are scored", "Sources", "Disclaimer"]  # h1, then h2s


def test_only_followable_identifiers_become_links() -> None:
    assert identifier_link("doi:10.1/x") == "[doi:10.1/x](https://doi.org/10.1/x)"
    assert identifier_link("PMID: 123") == "[PMID 123](https://pubmed.ncbi.nlm.nih.gov/123/)"
    assert identifier_link("https://example.org/a") == "[https://example.org/a](https://example.org/a)"
    assert identifier_link("work/shared/seed/000.txt") == "" and identifier_link("") == ""

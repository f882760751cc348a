"""Everyday queries (tests/fixtures/everyday_queries.csv, written before the search was tuned) reach a finding
a clinician would accept within the first three results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine import load_pack
from engine.match.search import SearchIndex, build_index

QUERIES = Path(__file__).parent / "fixtures" / "everyday_queries.csv"


def everyday_queries() -> list[tuple[str, tuple[str, ...]]]:
    """(query, accepted finding ids) rows of the fixture; lines starting with # are its note."""
    with QUERIES.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [(r["query"], tuple(r["accepted"].split(";"))) for r in rows]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_pack())


def test_the_list_is_long_enough() -> None:
    assert len(everyday_queries()) >= 40


@pytest.mark.parametrize(("query", "accepted"), everyday_queries())
def test_everyday_query_finds_an_accepted_finding_in_the_top_three(index: SearchIndex, query: str,
                                                                   accepted: tuple[str, ...]) -> None:
    top = [f.id for f in index.search(query)[:3]]
    assert set(top) & set(accepted), f"{query!r} gave {top}"


def test_partial_matches_come_after_every_full_match(index: SearchIndex) -> None:
    ids = [f.id for f in index.search("chalky lumps")]
    assert ids[0] == "CT:chalky_discharge"  # both words
    assert "HP:0001482" in ids  # "lumps" only: listed, but below the full match


def test_a_curated_phrase_finds_what_it_means_and_nonsense_finds_nothing(index: SearchIndex) -> None:
    top = [f.id for f in index.search("calcium lumps")[:3]]
    assert "HP:0025520" in top  # calcinosis cutis has neither word "lump"
    assert index.search("zzzz-no-such-word") == []

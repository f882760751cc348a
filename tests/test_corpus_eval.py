"""Curated cases against a corpus (engine.evaluation.corpus), on the hand-made fixture corpus of test_corpus.py.

Fixture ranks used below (resnik, see test_corpus.py): present [A1a, B1] ranks ORPHA:1 first, then
ORPHA:2 and ORPHA:3 tied (broken by ID); present [A2] ranks ORPHA:3 first (the only A2 disease).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from engine.corpus.pack import load_corpus, rank_corpus
from engine.errors import InputError
from engine.evaluation.corpus import (
    STATUS_NO_CODE,
    STATUS_NO_FINDINGS,
    STATUS_NOT_IN_PACK,
    STATUS_RANKED,
    condition_codes,
    corpus_query,
    evaluate_corpus,
)
from engine.io.cases import Case

from .test_corpus import A1A, A2, B1, HPOA, OBO, PA

CODES = {"one": ("ORPHA:1",), "three_or_one": ("ORPHA:3", "ORPHA:1"), "omim_only": ("OMIM:4",), "none": ()}


@pytest.fixture
def corpus(tmp_path: Path):
    load_corpus.cache_clear()
    return load_corpus("hpo-orpha", OBO, HPOA, tmp_path)


def test_query_keeps_hpo_terms_and_says_why_the_rest_is_left_out(corpus) -> None:
    query = corpus_query(corpus, ["CT:lump", A1A, "HP:9999999", A1A], [B1, "CT:lump", "HP:0000009"])
    assert query.present == (A1A,)
    assert query.absent == (B1, "HP:0000009")  # an alt ID is kept as given; the corpus resolves it
    assert query.left_out == (("CT:lump", "project finding (CT:), not an HPO term"),
                              ("HP:9999999", "not a current term of HPO 2099-01-01"))
    assert query.usable
    assert not corpus_query(corpus, ["CT:lump"], [B1]).usable


def test_evaluate_ranks_the_best_code_and_marks_the_rest_na(corpus) -> None:
    cases = [
        Case("top", (A1A, B1, "CT:x"), (), "one"),
        Case("second-code-wins", (A2,), (), "three_or_one"),  # ORPHA:3 is first, ORPHA:1 lower
        Case("tie-by-id", (A1A, B1), (), "three_or_one"),  # ORPHA:1 first
        Case("low", (A2,), (), "one"),
        Case("omim", (A1A,), (), "omim_only"),
        Case("nocode", (A1A,), (), "none"),
        Case("unknown-condition", (A1A,), (), "not_in_codes"),
        Case("ct-only", ("CT:x",), (B1,), "one"),
    ]
    ev = evaluate_corpus(corpus, cases, CODES, "resnik")
    by_id = {c.case_id: c for c in ev.cases}
    assert [c.case_id for c in ev.cases] == [c.id for c in cases]
    assert (by_id["top"].rank, by_id["top"].disease_id, by_id["top"].left_out) == (1, "ORPHA:1", ("CT:x",))
    assert (by_id["second-code-wins"].rank, by_id["second-code-wins"].disease_id) == (1, "ORPHA:3")
    assert by_id["tie-by-id"].disease_id == "ORPHA:1"
    low = [h.disease_id for h in rank_corpus(corpus, [A2], method="resnik")].index("ORPHA:1") + 1
    assert by_id["low"].rank == low > 1
    assert by_id["omim"].status == STATUS_NOT_IN_PACK and by_id["omim"].in_pack == ()
    assert by_id["nocode"].status == by_id["unknown-condition"].status == STATUS_NO_CODE
    ct = by_id["ct-only"]
    assert (ct.status, ct.rank, ct.n_present, ct.n_absent) == (STATUS_NO_FINDINGS, None, 0, 1)
    ranked = [c.rank for c in ev.cases if c.status == STATUS_RANKED]
    assert ranked == [1, 1, 1, low]
    assert ev.metrics() == pytest.approx({"top-1": 0.75, "top-3": 0.75 + 0.25 * (low <= 3), "top-10": 1.0,
                                          "MRR": (3 + 1 / low) / 4})
    assert (ev.pack, ev.method, ev.n_diseases) == ("hpo-orpha", "resnik", 3)


def test_evaluate_without_ranked_cases_and_bad_method(corpus) -> None:
    ev = evaluate_corpus(corpus, [Case("nocode", (A1A,), (), "none")], CODES)
    assert ev.metrics() == {"top-1": None, "top-3": None, "top-10": None, "MRR": None}
    with pytest.raises(InputError, match="unknown corpus method"):
        evaluate_corpus(corpus, [], CODES, "overlap")


def test_condition_codes_of_the_shipped_pack(real_pack_and_cases) -> None:
    pack, _cases = real_pack_and_cases
    codes = condition_codes(pack)
    assert codes["calciphylaxis"] == ("ORPHA:280062",)
    assert codes["dystrophic_calcinosis_cutis"] == ()
    assert set(codes) == set(pack.condition_ids)


def test_explanation_never_offers_the_top_terms(corpus) -> None:
    # a disease without phenotype rows (hpo-omim has one) gives the root and PA a tiny positive IC
    ic = corpus.ic.copy()
    ic[corpus.term_index[PA]] = 1e-4
    tweaked = dataclasses.replace(corpus, ic=ic)
    hits = {h.disease_id: h for h in rank_corpus(tweaked, [A2], method="resnik")}
    assert hits["ORPHA:1"].partial == ()  # A2's ancestors in ORPHA:1: A (IC 0), PA, All

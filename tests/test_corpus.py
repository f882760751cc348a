"""Corpus mode on a hand-made fixture (every expected number worked out below) and one real-corpus smoke test.

Fixture ontology (tests/fixtures/corpus/hp.obo)::

    HP:0000001 All
    └── HP:0000118 Phenotypic abnormality (PA)
        ├── HP:0000002 A ── HP:0000004 A1 ── HP:0000007 A1a
        │               └── HP:0000005 A2          (HP:0000008: obsolete, replaced_by A2)
        └── HP:0000003 B ── HP:0000006 B1          (alt_id HP:0000009)

Fixture annotations (tests/fixtures/corpus/phenotype.hpoa)::

    ORPHA:1  A1a 1/2 and 1/4 (two sources pooled: 2/6 -> (2 + 1) / (6 + 3) = 1/3), B1 no frequency (-> default 0.5)
    ORPHA:2  A1 HP:0040281 (very frequent -> 0.895), NOT B
    ORPHA:3  A2 3/4 (-> (3 + 1) / (4 + 3) = 4/7), B1 25%, A1 0/3 (frequency 0 -> excluded)
    OMIM:4   B1 HP:0040280 (obligate -> 1.0)

Propagated (true-path, max over annotated descendants), hpo-orpha, N = 3::

    D1: A1a 1/3  A1 1/3  A 1/3  B1 .5  B .5  PA .5  All .5
    D2: A1 .895  A .895  PA .895  All .895
    D3: A2 4/7  A 4/7  B1 .25  B .25  PA 4/7  All 4/7

Diseases per term n_t and IC = -ln(n_t / 3)::

    All, PA, A: 3 -> 0        A1, B, B1: 2 -> ln 1.5 = 0.405465        A1a, A2: 1 -> ln 3 = 1.098612
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine.corpus.cache import cache_key, cache_path
from engine.corpus.kernels import column_max, query_ancestors, upward_max
from engine.corpus.pack import (
    CorpusHit,
    load_corpus,
    order,
    rank_corpus,
    rank_of,
    score_corpus,
    score_corpus_batch,
)
from engine.errors import InputError, PackError
from engine.hpo.annotations import parse_fraction

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
OBO = FIXTURES / "hp.obo"
HPOA = FIXTURES / "phenotype.hpoa"

ALL, PA, A, B, A1, A2, B1, A1A = (
    "HP:0000001",
    "HP:0000118",
    "HP:0000002",
    "HP:0000003",
    "HP:0000004",
    "HP:0000005",
    "HP:0000006",
    "HP:0000007",
)
LN15, LN3 = math.log(1.5), math.log(3)
F_A1A, F_A2 = 1 / 3, 4 / 7  # pooled, prior-shrunk counts (see the module docstring)


@pytest.fixture
def pack(tmp_path: Path):
    load_corpus.cache_clear()
    return load_corpus("hpo-orpha", OBO, HPOA, tmp_path)


def prop(pack, disease: str) -> dict[str, float]:
    row = pack.disease_ids.index(disease)
    r = pack.propagated[row]
    return {pack.terms[c]: round(float(v), 6) for c, v in zip(r.indices, r.data, strict=True)}


def test_packs_select_diseases_by_prefix(tmp_path: Path) -> None:
    load_corpus.cache_clear()
    assert load_corpus("hpo-orpha", OBO, HPOA, tmp_path).disease_ids == ("ORPHA:1", "ORPHA:2", "ORPHA:3")
    assert load_corpus("hpo-omim", OBO, HPOA, tmp_path).disease_ids == ("OMIM:4",)
    assert load_corpus("hpo-all", OBO, HPOA, tmp_path).n_diseases == 4
    with pytest.raises(PackError, match="unknown corpus pack"):
        load_corpus("hpo-decipher", OBO, HPOA, tmp_path)


def test_true_path_propagation_keeps_max_frequency(pack) -> None:
    third, four_sevenths = round(F_A1A, 6), round(F_A2, 6)
    assert prop(pack, "ORPHA:1") == {A1A: third, A1: third, A: third, B1: 0.5, B: 0.5, PA: 0.5, ALL: 0.5}
    assert prop(pack, "ORPHA:2") == {A1: 0.895, A: 0.895, PA: 0.895, ALL: 0.895}
    # A gets max(A2 4/7) and PA max(A2 4/7, B1 .25); B only from B1
    f = four_sevenths
    assert prop(pack, "ORPHA:3") == {A2: f, A: f, B1: 0.25, B: 0.25, PA: f, ALL: f}


def test_frequency_rules_and_excluded_terms(pack) -> None:
    direct = {
        (pack.disease_ids[r], pack.terms[c]): round(float(v), 6)
        for r, c, v in zip(*pack.direct.nonzero(), pack.direct.data, strict=True)
    }
    assert direct[("ORPHA:1", A1A)] == round(1 / 3, 6)  # 1/2 and 1/4 from two sources: 2/6 pooled, then (2+1)/(6+3)
    assert direct[("ORPHA:3", A2)] == round(4 / 7, 6)  # 3/4 -> (3+1)/(4+3): one small series is not 75% for sure
    assert direct[("ORPHA:1", B1)] == 0.5  # no frequency: DEFAULT_FREQUENCY
    assert direct[("ORPHA:2", A1)] == 0.895  # HP:0040281 very frequent: midpoint
    assert ("ORPHA:3", A1) not in direct  # 0/3 is an exclusion, not an annotation
    excluded = {(pack.disease_ids[r], pack.terms[c]) for r, c in zip(*pack.excluded.nonzero(), strict=True)}
    assert excluded == {("ORPHA:2", B), ("ORPHA:3", A1)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3/4", (3, 4)), (" 1/1 ", (1, 1)), ("5/3", (3, 3)), ("2/0", None), ("75%", None), ("HP:0040281", None),
     ("", None)],
)
def test_counts_are_kept_for_pooling(raw: str, expected: tuple[int, int] | None) -> None:
    # only n/m is a count of patients; a percentage or a frequency term carries no sample size
    assert parse_fraction(raw) == expected


def test_information_content_by_hand(pack) -> None:
    ic = {t: pack.ic[pack.term_index[t]] for t in (ALL, PA, A, B, A1, A2, B1, A1A)}
    assert ic == pytest.approx({ALL: 0, PA: 0, A: 0, B: LN15, A1: LN15, A2: LN3, B1: LN15, A1A: LN3})


def test_resnik_one_way_by_hand(pack) -> None:
    # D1: A1a is annotated (IC ln3), B1 annotated (ln1.5)          -> (ln3 + ln1.5) / 2 = 0.752039
    # D2: A1a's best ancestor in D2 is A1 (ln1.5); B1 only PA (0)   -> ln1.5 / 2        = 0.202733
    # D3: A1a's best ancestor in D3 is A (0); B1 annotated (ln1.5)  -> ln1.5 / 2        = 0.202733
    scores = score_corpus(pack, [A1A, B1], method="resnik")
    assert scores == pytest.approx([(LN3 + LN15) / 2, LN15 / 2, LN15 / 2])


def test_resnik_bma_by_hand(pack) -> None:
    # disease -> patient: best IC over anc(t) ∩ (anc(A1a) ∪ anc(B1)) for each direct term t
    # D1 {A1a, B1}: ln3, ln1.5          -> (ln3 + ln1.5 + ln3 + ln1.5) / (2 + 2) = 0.752039
    # D2 {A1}:      ln1.5               -> (ln1.5 + 0 + ln1.5) / (2 + 1)        = 0.270310
    # D3 {A2, B1}:  0 (via A), ln1.5    -> (0 + ln1.5 + 0 + ln1.5) / (2 + 2)    = 0.202733
    scores = score_corpus(pack, [A1A, B1], method="resnik-bma")
    assert scores == pytest.approx([(LN3 + LN15) / 2, 2 * LN15 / 3, LN15 / 2])


def test_likelihood_by_hand(pack) -> None:
    # background bg(t) = (sum_d f_d(t) + 0.5) / (N + 1), N = 3:
    #   A1a (1/3 + .5) / 4; A1 (1/3 + .895 + .5) / 4; A (1/3 + .895 + 4/7 + .5) / 4; PA (.5 + .895 + 4/7 + .5) / 4
    #   B1 = B (.5 + .25 + .5) / 4 = 0.3125
    # present A1a:
    #   D1 exact: (1/3) / bg(A1a) = 1.6
    #   D2 via ancestor A1: penalty 0.1 * 0.895 / bg(A1) (beats A and PA: same .895 over a larger background)
    #   D3 excludes A1, an ancestor of A1a: leak 1e-3
    # absent B1: (1 - f) / (1 - 0.3125), times 8 where the disease is annotated with B1 (D1, D3: "mentioned")
    # breadth: one present term costs 0.5 * ln(1 + direct annotations): D1 2, D2 1, D3 2
    # prior odds with 3 diseases: (1/3) / (2/3) = 0.5
    bg_a1a, bg_a1 = (F_A1A + 0.5) / 4, (F_A1A + 0.895 + 0.5) / 4
    scores = score_corpus(pack, [A1A], [B1], method="likelihood")
    expected = [
        math.log(0.5 * (F_A1A / bg_a1a) * 8 * 0.5 / 0.6875) - 0.5 * math.log(3),
        math.log(0.5 * (0.1 * 0.895 / bg_a1) * 1 / 0.6875) - 0.5 * math.log(2),
        math.log(0.5 * 1e-3 * 8 * 0.75 / 0.6875) - 0.5 * math.log(3),
    ]
    assert F_A1A / bg_a1a == pytest.approx(1.6)
    assert scores == pytest.approx(expected, rel=1e-6)


def test_a_mentioned_negative_counts_for_the_disease(pack) -> None:
    # Absent B1 alone: D1 (B1 at .5) and D3 (B1 at .25) are annotated with it, D2 is not.
    # LR(not B1) = 8 * (1 - f) / (1 - bg) for an annotated disease, 1 / (1 - bg) otherwise (no present term:
    # no breadth cost). The frequency still counts: D3 (.25) beats D1 (.5), and both beat D2.
    scores = score_corpus(pack, [], [B1], method="likelihood")
    assert scores == pytest.approx([math.log(0.5 * 8 * 0.5 / 0.6875), math.log(0.5 / 0.6875),
                                    math.log(0.5 * 8 * 0.75 / 0.6875)])
    assert order(scores).tolist() == [2, 0, 1]


def test_breadth_costs_each_present_term(pack) -> None:
    # B1 present: D1 (.5, 2 annotations) and D3 (.25, 2 annotations) pay 0.5 ln 3 per term; twice the same
    # term resolves to one column, so the cost is paid once
    once = score_corpus(pack, [B1], method="likelihood")
    assert score_corpus(pack, [B1, "HP:0000009"], method="likelihood").tolist() == once.tolist()
    assert once[0] == pytest.approx(math.log(0.5 * 0.5 / 0.3125) - 0.5 * math.log(3))


def test_not_annotation_on_an_ancestor_excludes(pack) -> None:
    # ORPHA:2 is annotated NOT B, so a patient with B1 gets the leak LR there; ORPHA:3 explains B1 (.25 / .3125)
    scores = score_corpus(pack, [B1], method="likelihood")
    assert scores[1] == pytest.approx(math.log(0.5 * 1e-3) - 0.5 * math.log(2))
    assert scores[2] == pytest.approx(math.log(0.5 * 0.25 / 0.3125) - 0.5 * math.log(3))


PATIENTS = [
    ([A1A, B1], []),
    ([A1A], [B1]),
    ([], [B1, A2]),
    (["HP:0000009", "HP:0000008"], [A1]),  # alt ID of B1, replaced term (A2)
    ([A, B, PA], [A1A]),
    ([B1], []),
]


@pytest.mark.parametrize("method", ["likelihood", "resnik", "resnik-bma"])
def test_batch_equals_one_patient_at_a_time(tmp_path: Path, method: str) -> None:
    load_corpus.cache_clear()
    pack = load_corpus("hpo-all", OBO, HPOA, tmp_path)
    patients = [p for p in PATIENTS if p[0] or method == "likelihood"]
    batch = score_corpus_batch(pack, patients, method=method)
    assert batch.shape == (len(patients), pack.n_diseases)
    for row, (present, absent) in zip(batch, patients, strict=True):
        # the same floats, not just close ones: ties break by disease ID, so ranks must not depend on the batch
        assert row.tolist() == score_corpus(pack, present, absent, method=method).tolist()
    again = score_corpus_batch(pack, list(reversed(patients)), method=method)
    assert again[::-1].tolist() == batch.tolist()


def test_batch_chunks_do_not_change_the_scores(pack, monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks of 2 patients see other sets of distinct terms than one chunk of all: the same floats anyway
    whole = score_corpus_batch(pack, PATIENTS)
    monkeypatch.setattr("engine.corpus.pack.CHUNK", 2)
    assert score_corpus_batch(pack, PATIENTS).tolist() == whole.tolist()


def test_batch_reports_the_bad_patient(pack) -> None:
    with pytest.raises(InputError, match=r"patient 1: .*at least one present"):
        score_corpus_batch(pack, [([A1A], []), ([], [B1])], method="resnik")
    with pytest.raises(InputError, match="unknown HPO ID"):
        score_corpus_batch(pack, [([A1A], []), (["HP:9999999"], [])])
    with pytest.raises(InputError, match=f"patient 0: term.s. reported both present and absent: {B1}"):
        score_corpus_batch(pack, [([B1], ["HP:0000009"])])  # an alt ID of B1
    assert score_corpus_batch(pack, [], method="resnik").shape == (0, 3)


def test_upward_max_equals_the_pairwise_column_max(pack) -> None:
    # the dynamic programme over parents gives max_{a in anc(q)} w(a) * M[d, a], as the brute force does
    weights = np.linspace(0.3, 2.0, len(pack.terms))
    query = np.array(sorted(pack.term_index[t] for t in (A1A, A2, B1, PA)))
    union, up = upward_max(pack._frequency_csc, weights, pack.ancestors, pack._parents, query)
    query_of, cols = query_ancestors(pack.ancestors, query)
    brute = column_max(pack._frequency_csc, query_of, cols, weights[cols], len(query))
    np.testing.assert_allclose(up[np.searchsorted(union, query)], brute, rtol=1e-6)
    assert set(union.tolist()) == set(cols.tolist())


def test_rank_corpus_ties_break_by_disease_id(pack) -> None:
    hits = rank_corpus(pack, [A1A, B1], method="resnik")
    assert hits == [
        CorpusHit(1, "ORPHA:1", "Disease one", pytest.approx((LN3 + LN15) / 2), (A1A, B1), ()),
        CorpusHit(2, "ORPHA:2", "Disease two", pytest.approx(LN15 / 2), (), ((A1A, A1),)),
        CorpusHit(3, "ORPHA:3", "Disease three", pytest.approx(LN15 / 2), (B1,), ()),
    ]
    scores = np.array([1.0, 2.0, 2.0, 0.5])
    assert order(scores).tolist() == [1, 2, 0, 3]
    assert [rank_of(scores, i) for i in range(4)] == [3, 1, 2, 4]
    assert rank_corpus(pack, [A1A, B1], method="resnik", top=1)[0].disease_id == "ORPHA:1"


def test_alt_and_replaced_ids_resolve(pack) -> None:
    # HP:0000009 is an alt_id of B1, HP:0000008 is obsolete and replaced by A2; duplicates collapse
    assert score_corpus(pack, ["HP:0000009", "HP:0000008", B1], method="resnik") == pytest.approx(
        score_corpus(pack, [B1, A2], method="resnik")
    )


@pytest.mark.parametrize(
    ("present", "method", "message"),
    [
        (["HP:9999999"], "resnik", "unknown HPO ID"),
        (["HP:12"], "resnik", "malformed HPO ID"),
        (["scleroderma"], "likelihood", "malformed HPO ID"),
        ([], "resnik", "at least one present"),
        ([A1A], "cosine", "unknown corpus method"),
    ],
)
def test_bad_input_raises_input_error(pack, present, method, message) -> None:
    with pytest.raises(InputError, match=message):
        score_corpus(pack, present, method=method)


def test_a_comma_separated_string_scores_like_a_list(pack) -> None:
    # the same call shape as the curated engine: IDs as a list or as "A,B"
    as_text = score_corpus(pack, f"{A1A}, {B1}", method="resnik")
    assert as_text.tolist() == score_corpus(pack, [A1A, B1], method="resnik").tolist()


def test_bad_top_raises(pack) -> None:
    with pytest.raises(InputError, match="top"):
        rank_corpus(pack, [A1A], top=0)


def test_cache_round_trip_and_corrupt_file(tmp_path: Path) -> None:
    load_corpus.cache_clear()
    built = load_corpus("hpo-all", OBO, HPOA, tmp_path)
    assert built.origin == "built"
    path = cache_path(tmp_path, "hpo-all", cache_key("hpo-all", OBO.resolve(), HPOA.resolve(), "2099-01-01"))
    assert path.is_file()

    load_corpus.cache_clear()
    cached = load_corpus("hpo-all", OBO, HPOA, tmp_path)
    assert cached.origin == "cache"
    assert cached.disease_ids == built.disease_ids and cached.terms == built.terms
    for name in ("direct", "propagated", "excluded", "ancestors"):
        assert (getattr(cached, name) != getattr(built, name)).nnz == 0, name
    np.testing.assert_array_equal(cached.ic, built.ic)

    path.write_bytes(b"not a zip file")
    load_corpus.cache_clear()
    rebuilt = load_corpus("hpo-all", OBO, HPOA, tmp_path)
    assert rebuilt.origin == "built"
    assert (rebuilt.propagated != built.propagated).nnz == 0
    load_corpus.cache_clear()
    assert load_corpus("hpo-all", OBO, HPOA, tmp_path).origin == "cache"  # the rebuild rewrote the file


def test_in_memory_cache_returns_same_object(tmp_path: Path) -> None:
    load_corpus.cache_clear()
    assert load_corpus("hpo-orpha", OBO, HPOA, tmp_path) is load_corpus("hpo-orpha", OBO, HPOA, tmp_path)


def test_real_orphanet_corpus_ranks_systemic_sclerosis_top3() -> None:
    pack = load_corpus("hpo-orpha")
    assert pack.n_diseases == 4281
    hallmarks = [
        "HP:0001072",  # Thickened skin
        "HP:0003493",  # Antinuclear antibody positivity
        "HP:0030880",  # Raynaud phenomenon
        "HP:0011024",  # Abnormality of the gastrointestinal tract
        "HP:0031359",  # Cutaneous sclerotic plaque
    ]
    for method in ("resnik", "likelihood"):
        top = [h.disease_id for h in rank_corpus(pack, hallmarks, method=method, top=3)]
        assert "ORPHA:90291" in top, (method, top)


def test_cli_score_with_corpus_pack(capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    present = "HP:0001072,HP:0003493,HP:0030880,HP:0011024,HP:0031359"
    assert main(["score", "--pack", "hpo-orpha", "--method", "resnik", "--present", present, "--top", "3"]) == 0
    assert "ORPHA:90291 Systemic sclerosis" in capsys.readouterr().out
    argv = ["score", "--pack", "hpo-orpha", "--present", present, "--absent", "HP:0001250", "--format", "json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "likelihood" and len(out["results"]) == 10
    assert main(["score", "--pack", "hpo-orpha", "--method", "overlap", "--present", present]) == 2
    assert "unknown corpus method" in capsys.readouterr().err


def test_cli_corpus_result_carries_the_prompt_and_refuses_weights(capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    assert main(["score", "--pack", "hpo-orpha", "--present", "HP:0025520", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "not a diagnosis" in out["clinician_prompt"] and out["educational_note"]
    assert main(["score", "--pack", "hpo-orpha", "--present", "HP:0025520", "--weights", "w.toml"]) == 2
    assert "curated pack only" in capsys.readouterr().err


def test_the_corpus_names_are_the_registries():
    """engine.corpus.names (read at start-up, without scipy) lists exactly the packs and methods that exist."""
    from engine.corpus import names
    from engine.corpus.build import PACK_PREFIXES
    from engine.corpus.methods import CORPUS_METHODS, DEFAULT_CORPUS_METHOD

    assert tuple(PACK_PREFIXES) == names.CORPUS_PACKS
    assert names.CORPUS_METHODS == CORPUS_METHODS
    assert names.DEFAULT_CORPUS_METHOD == DEFAULT_CORPUS_METHOD


def test_a_curated_score_does_not_load_the_sparse_matrix_code(tmp_path):
    """Start-up: a plain curated `score` never imports scipy.sparse, scikit-learn or pandas."""
    import subprocess
    import sys

    code = ("import sys; from engine.cli import main; main(['score', '--present', 'HP:0001482', '--format', 'json']); "
            "print([m for m in ('scipy.sparse', 'sklearn', 'pandas') if m in sys.modules], file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert run.stderr.strip().splitlines()[-1] == "[]"

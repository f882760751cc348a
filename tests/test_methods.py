"""The method registries (engine/match/methods/, engine/corpus/methods.py): methods as objects, checks, titles."""

from __future__ import annotations

import pytest

from engine import CORPUS_METHOD_INFO, METHOD_INFO, InputError
from engine.corpus.methods import CORPUS_METHODS, check_corpus_method
from engine.corpus.methods import REGISTRY as CORPUS_REGISTRY
from engine.corpus.pack import METHODS as CORPUS_PACK_METHODS
from engine.match.methods import METHODS, REGISTRY, LinearMethod, Method, MethodInfo, Scorer, check_method


def test_each_registered_method_is_an_object_named_as_its_key():
    for registry in (REGISTRY, CORPUS_REGISTRY):
        for name, method in registry.items():
            assert method.name == method.info.name == name
    assert all(isinstance(m, Method) for m in REGISTRY.values()) and tuple(REGISTRY) == METHODS


def test_a_new_method_is_one_object_in_the_registry(mini_pack, mini_weights, monkeypatch):
    """A method written as one class and registered is scored, explained and shared like the shipped ones."""
    import numpy as np

    from engine import match_findings

    class CountMatches(LinearMethod):
        info = MethodInfo("count", "Count", "One point per ticked finding in the profile.")

        def prepare(self, pack, weights):
            zeros = np.zeros(pack.frequency.shape)
            return Scorer(pack, weights, self, np.zeros(len(pack.conditions)), (pack.frequency > 0) * 1.0, zeros,
                          zeros)

    monkeypatch.setitem(REGISTRY, "count", CountMatches())
    ranking = match_findings(mini_pack, ["HP:0025520", "HP:0200042"], method="count", weights=mini_weights).ranking
    assert ranking.method == "count"
    for m in ranking.matches:
        assert m.score == pytest.approx(m.base + sum(c.contribution for c in m.contributions))
        assert m.score == len(m.matched)
    assert sum(m.share for m in ranking.matches) == pytest.approx(1.0)


def test_corpus_scoring_takes_exactly_the_registered_methods():
    assert CORPUS_PACK_METHODS == CORPUS_METHODS == tuple(CORPUS_METHOD_INFO)


def test_every_method_has_a_title_and_a_summary():
    for info in (*METHOD_INFO.values(), *CORPUS_METHOD_INFO.values()):
        assert info.title
        assert info.summary


def test_every_corpus_method_says_how_to_read_its_axis():
    assert all(info.axis for info in CORPUS_METHOD_INFO.values())


@pytest.mark.parametrize("bad", ["resnik", "", "LIKELIHOOD"])
def test_curated_check_refuses_other_names(bad):
    with pytest.raises(InputError, match="unknown method"):
        check_method(bad)


@pytest.mark.parametrize("bad", ["weighted", "", "Resnik"])
def test_corpus_check_refuses_other_names(bad):
    with pytest.raises(InputError, match="unknown corpus method"):
        check_corpus_method(bad)


def test_default_method_is_a_curated_method_and_the_library_default():
    from engine import DEFAULT_METHOD, METHODS, load_pack, match_findings

    assert DEFAULT_METHOD in METHODS
    assert match_findings(load_pack(), ["HP:0001482"]).ranking.method == DEFAULT_METHOD


@pytest.mark.parametrize("method", list(METHOD_INFO))
def test_uses_priors_and_uses_absent_say_what_the_method_does(method, mini_pack, mini_weights):
    """The flags the UI relies on ("about you" only for methods that use priors) match the scores."""
    from engine import match_findings

    def scores(present, absent=(), weights=mini_weights):
        result = match_findings(mini_pack, present, absent, method, weights)
        return {m.condition_id: m.score for m in result.ranking.matches}

    base = scores(["HP:0025520", "HP:0200042"])
    skewed = mini_weights.replace(priors={c: 0.001 for c in mini_pack.condition_ids[:1]})
    assert (scores(["HP:0025520", "HP:0200042"], weights=skewed) != base) == METHOD_INFO[method].uses_priors
    assert (scores(["HP:0025520", "HP:0200042"], ["HP:0001945"]) != base) == METHOD_INFO[method].uses_absent

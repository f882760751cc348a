"""One method registry for both modes (engine/methods.py): curated and corpus methods, checks, titles."""

from __future__ import annotations

import pytest

from engine import CORPUS_METHOD_INFO, METHOD_INFO, InputError
from engine.corpus.pack import METHODS as CORPUS_PACK_METHODS
from engine.methods import CORPUS_METHODS, check_corpus_method, check_method


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

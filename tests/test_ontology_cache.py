"""The parsed-ontology cache: a cached release is the very ontology a fresh parse gives, and only a release that
passed every check is ever stored. Crafted and damaged cache files are in tests/test_hostile_inputs.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.hpo import ontology
from engine.hpo.cache import default_cache_dir
from engine.hpo.ontology import load_ontology, parse_obo, pinned_hpo_data_dir

from .conftest import FIXTURES

FIXTURE_OBO = FIXTURES / "corpus" / "hp.obo"


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user cache in a temporary folder, and no parse remembered by the process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    ontology._load_ontology_file.cache_clear()
    yield default_cache_dir()
    ontology._load_ontology_file.cache_clear()


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("hpo-ontology-*.json")) if folder.is_dir() else []


def reload(path: Path) -> ontology.Ontology:
    """``load_ontology`` in a fresh process, as far as the parse is concerned (the in-memory memo is cleared)."""
    ontology._load_ontology_file.cache_clear()
    return load_ontology(path)


def assert_same(cached: ontology.Ontology, fresh: ontology.Ontology) -> None:
    """Field by field, in the parser's order, with the same types (tuples stay tuples, None stays None)."""
    assert cached.version == fresh.version
    assert list(cached.terms) == list(fresh.terms)
    for tid, term in fresh.terms.items():
        other = cached.terms[tid]
        for field in dataclasses.fields(term):
            mine, theirs = getattr(other, field.name), getattr(term, field.name)
            assert mine == theirs and type(mine) is type(theirs), (tid, field.name)
    assert cached.children == fresh.children and cached._alt == fresh._alt
    assert cached == fresh


@pytest.mark.parametrize("which", ["fixture", "pinned"])
def test_a_cached_release_equals_a_fresh_parse_field_by_field(which, tmp_cache):
    path = FIXTURE_OBO if which == "fixture" else pinned_hpo_data_dir() / "hp.obo"
    first = reload(path)
    assert len(cache_files(tmp_cache)) == 1, "the first load stores the parse"
    second = reload(path)
    assert second is not first, "the second load came from the cache file, not the in-memory memo"
    assert_same(second, parse_obo(path.resolve()))


def test_an_edited_release_is_parsed_again(tmp_cache, tmp_path):
    path = tmp_path / "hp.obo"
    path.write_bytes(FIXTURE_OBO.read_bytes())
    reload(path)
    path.write_bytes(FIXTURE_OBO.read_bytes().replace(b"name: All", b"name: Everything", 1))
    assert reload(path).terms[ontology.ROOT].name == "Everything"
    assert len(cache_files(tmp_cache)) == 2, "size and mtime are part of the key"


def test_a_damaged_release_is_never_cached(tmp_cache, tmp_path):
    path = tmp_path / "hp.obo"
    obo = FIXTURE_OBO.read_bytes()
    path.write_bytes(obo.replace(b"id: HP:0000003\n", b"id: HP:0000003\nis_a: HP:0000003\n", 1))
    for _ in range(2):  # refused on the second load too: nothing was stored the first time
        with pytest.raises(Exception, match="is_a cycle through HP:0000003"):
            reload(path)
    assert cache_files(tmp_cache) == []


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert_same(reload(FIXTURE_OBO), parse_obo(FIXTURE_OBO.resolve()))
    ontology._load_ontology_file.cache_clear()

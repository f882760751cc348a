"""Analyst weights: validation with clear messages, TOML/CSV round trips, spreadsheet-safe export."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import fields

import pytest

from engine import WeightsError, default_weights, parse_weights, validate_weights, weights_to_csv, weights_to_toml
from engine.knowledge.resources import shipped_data_dir
from engine.knowledge.weights import MAX_UPLOAD_BYTES, PARAM_SPECS, Params, Weights, load_weights, unescape_cell


def test_defaults_cover_every_finding_and_condition(mini_pack):
    w = default_weights(mini_pack)
    assert set(w.finding_weights) == set(mini_pack.finding_ids)
    assert w.priors["skin_infection"] == 2.0
    assert w.params.leak == 0.02
    assert w.params.overlap_similarity == "jaccard"


def test_params_are_typed_and_param_specs_are_their_one_source_of_defaults():
    assert [f.name for f in fields(Params)] == list(PARAM_SPECS)
    assert Params.from_mapping().as_dict() == {k: s.default for k, s in PARAM_SPECS.items()}
    assert isinstance(Params.from_mapping().next_question_candidates, int)


def test_shipped_weights_file_sets_no_parameter_to_its_default():
    """data/weights.toml holds overrides only: a value equal to the default would be a second source."""
    shipped = tomllib.loads((shipped_data_dir() / "weights.toml").read_text(encoding="utf-8"))
    same = {k: v for k, v in shipped.get("params", {}).items() if PARAM_SPECS[k].default == v}
    assert same == {}


@pytest.mark.parametrize("fmt", ["toml", "csv"])
def test_round_trip(mini_pack, fmt):
    w = default_weights(mini_pack).replace(finding_weights={"HP:0001945": 2.5}, priors={"calciphylaxis": 0.25},
                                           params={"overlap_similarity": "dice", "next_question_candidates": 3})
    text = weights_to_toml(w) if fmt == "toml" else weights_to_csv(w)
    back = parse_weights(mini_pack, text.encode(), f"weights.{fmt}")
    assert back == w
    assert back.diff(default_weights(mini_pack)) == [
        ("finding", "HP:0001945", 2.5, 1.0), ("prior", "calciphylaxis", 0.25, 0.5),
        ("param", "next_question_candidates", 3, 5), ("param", "overlap_similarity", "dice", "jaccard")]


@pytest.mark.parametrize(("content", "name", "fragment"), [
    (b'[finding_weights]\n"HP:0001945" = nan\n', "w.toml", "expected a finite number, got nan"),
    (b'[finding_weights]\n"HP:0001945" = -1\n', "w.toml", "expected 0.0 to 100.0, got -1"),
    (b'[finding_weights]\n"HP:0009999" = 1\n', "w.toml", "unknown finding ID 'HP:0009999'"),
    (b"[priors]\nno_such = 1\n", "w.toml", "unknown condition_id 'no_such'"),
    (b"[priors]\ncalciphylaxis = 0\n", "w.toml", "above 0"),
    (b"[params]\nspeed = 3\n", "w.toml", "unknown parameter 'speed'"),
    (b"[params]\nleak = 0.9\n", "w.toml", "parameter 'leak': expected 1e-06 to 0.5, got 0.9"),
    (b'[params]\noverlap_similarity = "euclid"\n', "w.toml", "expected one of jaccard, dice, cosine"),
    (b"[params]\nnext_question_candidates = 2.5\n", "w.toml", "whole number"),
    (b"[finding_weights\n", "w.toml", "not valid TOML"),
    (b"[extras]\na = 1\n", "w.toml", "unknown section(s) extras"),
    (b'[finding_weights]\n"HP:0001945" = "heavy"\n', "w.toml", "expected a number, got 'heavy'"),
    (b"kind,key,value\nfinding,HP:0001945,abc\n", "w.csv", "expected a number, got 'abc'"),
    (b"kind,key,value\nweight,HP:0001945,1\n", "w.csv", "row 2, column 'kind'"),
    (b"kind,key,value\nfinding,HP:0001945,1\nfinding,HP:0001945,2\n", "w.csv", "row 3: duplicate"),
    (b"a,b\n1,2\n", "w.csv", "expected the header kind,key,value"),
    (b"\xff\xfe", "w.csv", "not UTF-8"),
    (b"x = 1", "w.json", "expected a .toml or .csv file"),
])
def test_invalid_weights_are_rejected_with_a_clear_message(mini_pack, content, name, fragment):
    with pytest.raises(WeightsError) as info:
        parse_weights(mini_pack, content, name)
    assert fragment in str(info.value)
    assert str(info.value).startswith(name)


def test_oversized_upload_is_refused_before_parsing(mini_pack):
    with pytest.raises(WeightsError, match="the limit is 1,000,000 bytes"):
        parse_weights(mini_pack, b"#" * (MAX_UPLOAD_BYTES + 1), "big.toml")


def test_missing_file(mini_pack, tmp_path):
    with pytest.raises(WeightsError, match="cannot read weights file"):
        load_weights(mini_pack, tmp_path / "nope.toml")


HOSTILE_KEYS = ('=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "'quoted")


def test_csv_export_cannot_start_a_formula(mini_pack):
    """Keys that would start a spreadsheet formula are exported inert (fails without escape_cell)."""
    w = default_weights(mini_pack)
    hostile = Weights({**w.finding_weights, **dict.fromkeys(HOSTILE_KEYS, 1.0)}, w.priors, w.params)
    rows = list(csv.reader(io.StringIO(weights_to_csv(hostile))))[1:]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_csv_export_escaping_round_trips(mini_pack):
    w = default_weights(mini_pack)
    hostile = Weights({**w.finding_weights, **dict.fromkeys(HOSTILE_KEYS, 1.0)}, w.priors, w.params)
    keys = {unescape_cell(row[1]) for row in csv.reader(io.StringIO(weights_to_csv(hostile))) if row[0] == "finding"}
    assert set(HOSTILE_KEYS) <= keys


def test_a_csv_upload_with_an_escaped_value_is_refused_by_name(mini_pack):
    w = validate_weights(mini_pack, {}, {}, {})
    text = weights_to_csv(w).replace("param,overlap_similarity,jaccard", "param,overlap_similarity,'=cmd")
    with pytest.raises(WeightsError, match="'=cmd'"):
        parse_weights(mini_pack, text.encode(), "w.csv")


def test_weights_are_immutable(mini_pack):
    w = default_weights(mini_pack)
    with pytest.raises(TypeError):
        w.finding_weights["HP:0001945"] = 3.0  # type: ignore[index]

"""Round trips and fuzzing with hypothesis (issue 9 §8): cell escaping, frequency parsing, weights TOML
and CSV, case files; arbitrary bytes never give anything but a one-line error of the project's own."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import (
    InputError,
    WeightsError,
    parse_weights,
    read_case_bytes,
    weights_to_csv,
    weights_to_toml,
)
from engine.hpo.annotations import FREQUENCY_TERMS, parse_frequency
from engine.knowledge.weights import PARAM_SPECS, escape_cell, unescape_cell

# The mini pack and its default weights come from session fixtures (tests/conftest.py), never from module level,
# so collecting this file loads nothing; strategies that need the pack are drawn in the tests with ``st.data()``.
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- cell escaping -----------------------------------------------------------------------------------

@SETTINGS
@given(st.text())
def test_escape_cell_round_trips_and_never_starts_a_formula(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(FORMULA_START)


def test_escape_cell_keeps_a_leading_quote():
    assert escape_cell("'=x") == "''=x" and unescape_cell(escape_cell("'=x")) == "'=x"
    assert unescape_cell(escape_cell("'plain")) == "'plain"


# --- frequency parsing -------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_fractions_parse_to_their_value_capped_at_one(n, d):
    assert parse_frequency(f"{n}/{d}") == min(n / d, 1.0)


@SETTINGS
@given(st.integers(0, 10_000))
def test_percentages_parse_to_their_value(hundredths):
    text = f"{hundredths // 100}.{hundredths % 100:02d}%" if hundredths % 100 else f"{hundredths // 100}%"
    assert math.isclose(parse_frequency(text), hundredths / 10_000)


@SETTINGS
@given(st.text() | st.sampled_from([*FREQUENCY_TERMS, "1/0", "9" * 5000 + "/1", "1e999%", "NaN%", "-1%"]))
def test_any_frequency_text_gives_none_or_a_number_in_0_1(text):
    value = parse_frequency(text)
    assert value is None or 0.0 <= value <= 1.0


# --- weights files -----------------------------------------------------------------------------------

def _param_value(name: str) -> st.SearchStrategy:
    spec = PARAM_SPECS[name]
    if spec.choices:
        return st.sampled_from(spec.choices)
    if spec.integer:
        return st.integers(int(spec.low), int(spec.high))
    return st.floats(spec.low, spec.high, allow_nan=False)


@st.composite
def weights(draw, pack, defaults):
    fw = {f: draw(st.floats(0.0, 100.0, allow_nan=False)) for f in pack.finding_ids}
    pr = {c: draw(st.floats(0.0, 1e6, exclude_min=True, allow_nan=False)) for c in pack.condition_ids}
    pa = {name: draw(_param_value(name)) for name in PARAM_SPECS}
    return defaults.replace(finding_weights=fw, priors=pr, params=pa)


@pytest.mark.slow
@SETTINGS
@given(st.data())
def test_weights_toml_round_trip(mini_pack, mini_weights, data):
    pack, w = mini_pack, data.draw(weights(mini_pack, mini_weights))
    assert parse_weights(pack, weights_to_toml(w).encode(), "w.toml") == w


@pytest.mark.slow
@SETTINGS
@given(st.data(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_weights_csv_round_trip_with_any_line_ending(mini_pack, mini_weights, data, newline):
    pack, w = mini_pack, data.draw(weights(mini_pack, mini_weights))
    text = weights_to_csv(w).replace("\n", newline)
    assert parse_weights(pack, text.encode(), "w.csv") == w


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["w.toml", "w.csv", "w.txt"]))
def test_any_bytes_as_weights_give_a_weights_error_or_weights(mini_pack, content, name):
    try:
        parse_weights(mini_pack, content, name)
    except WeightsError as exc:
        assert "\n" not in str(exc).strip()


@SETTINGS
@given(st.text(max_size=300).map(lambda t: f"kind,key,value\n{t}"))
def test_any_csv_body_gives_a_weights_error_or_weights(mini_pack, text):
    try:
        parse_weights(mini_pack, text.encode(), "w.csv")
    except WeightsError as exc:
        assert str(exc).startswith("w.csv")


# --- case files --------------------------------------------------------------------------------------

@st.composite
def case_lists(draw, pack):
    ids = draw(st.lists(st.text(min_size=1, max_size=20).map(str.strip).filter(bool), min_size=1, max_size=5,
                        unique=True))
    out = []
    for case_id in ids:
        present = draw(st.lists(st.sampled_from(pack.finding_ids), min_size=1, unique=True))
        rest = [f for f in pack.finding_ids if f not in present]
        absent = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
        out.append({"id": case_id,
                    "findings": [{"hpo_id": f} for f in present] + [{"hpo_id": f, "present": False} for f in absent],
                    "expected_condition": draw(st.sampled_from(pack.condition_ids)),
                    "expected_triage": draw(st.none() | st.sampled_from(["routine", "soon", "urgent", "emergency"]))})
    return out


@pytest.mark.slow
@SETTINGS
@given(st.data(), st.booleans())
def test_case_files_round_trip(mini_pack, data, bom):
    pack, items = mini_pack, data.draw(case_lists(mini_pack))
    content = json.dumps(items, ensure_ascii=False).encode()
    cases = read_case_bytes(pack, (b"\xef\xbb\xbf" if bom else b"") + content, "cases.json")
    assert [c.id for c in cases] == [i["id"] for i in items]
    for case, item in zip(cases, items, strict=True):
        assert list(case.present) == [f["hpo_id"] for f in item["findings"] if f.get("present", True)]
        assert list(case.absent) == [f["hpo_id"] for f in item["findings"] if not f.get("present", True)]
        assert case.expected == item["expected_condition"] and case.expected_triage == item["expected_triage"]


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=30)


@pytest.mark.slow
@SETTINGS
@given(st.binary(max_size=2000) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_as_a_case_file_give_an_input_error_or_cases(mini_pack, content):
    pack = mini_pack
    try:
        read_case_bytes(pack, content, "c.json")
    except InputError as exc:
        assert str(exc).startswith("c.json") and "\n" not in str(exc).strip()


# --- phenopackets ------------------------------------------------------------------------------------

#: Field names of a phenopacket, under both their JSON and their proto names, and a few that are not fields.
PACKET_KEYS = ["id", "subject", "phenotypicFeatures", "phenotypic_features", "type", "excluded", "sex", "diseases",
               "term", "interpretations", "progressStatus", "diagnosis", "disease", "metaData", "timeAtLastEncounter",
               "age", "iso8601duration", "label", "onset", "modifiers", "evidence", "nope"]
PACKET_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["HP:0001482", "SOLVED", "UNSOLVED", "FEMALE", "P3Y", "2026-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(PACKET_KEYS), inner, max_size=5),
    max_leaves=25)


@pytest.mark.slow
@SETTINGS
@given(st.dictionaries(st.sampled_from(PACKET_KEYS), PACKET_VALUES, min_size=1, max_size=6))
def test_any_phenopacket_shaped_json_gives_an_input_error_or_a_case(doc):
    from engine.io.phenopacket import parse_phenopacket

    try:
        case = parse_phenopacket(json.dumps(doc).encode(), "p.json")
    except InputError as exc:
        assert str(exc).startswith("p.json: ") and "\n" not in str(exc).strip() and len(str(exc)) < 1_000
    else:
        assert all(t.startswith("HP:") for t in (*case.present, *case.absent))

"""Pack loading: a good pack loads; every kind of broken file gives one clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import PackError, check_pack, load_pack
from engine.cli import main


def test_mini_pack_loads(mini_pack):
    assert mini_pack.condition_ids == ("dystrophic_calcinosis_cutis", "skin_infection", "calciphylaxis")
    assert mini_pack.frequency.shape == (3, 6)
    assert mini_pack.profile("calciphylaxis")["HP:0012622"] == 0.95
    assert mini_pack.hallmark[mini_pack.condition_index["skin_infection"], mini_pack.finding_index["HP:0001945"]]
    assert mini_pack.profile_sources[("skin_infection", "HP:0001945")] == "paper1"
    assert "qualified medical professional" in mini_pack.disclaimer
    assert mini_pack.hpo_version == "2025-01-16"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


BROKEN = [
    # (file, old text, new text, expected fragments of the message)
    ("profiles.csv", "HP:0025520,0.9,true", "HP:0025520,1.5,true", ["profiles.csv", "row 2", "'frequency'", "1.5"]),
    ("profiles.csv", "HP:0025520,0.9,true", "HP:0025520,nan,true", ["profiles.csv", "row 2", "'frequency'", "nan"]),
    ("profiles.csv", "HP:0025520,0.9,true", "HP:0025520,-0.2,true", ["row 2", "'frequency'", "-0.2"]),
    ("profiles.csv", "HP:0025520,0.9,true", "HP:0025520,,true", ["row 2", "'frequency'", "expected a number"]),
    ("profiles.csv", "skin_infection,HP:0001945", "skin_infection,HP:9999999", ["row 6", "'finding_id'", "HP:9999999"]),
    ("profiles.csv", "skin_infection,HP:0001945", "no_such_condition,HP:0001945",
     ["row 6", "'condition_id'", "no_such_condition"]),
    ("profiles.csv", "0.9,true,seed", "0.9,maybe,seed", ["row 2", "'hallmark'", "maybe"]),
    ("profiles.csv", "0.9,true,seed", "0.9,true,nowhere", ["row 2", "'source'", "nowhere"]),
    ("profiles.csv", "condition_id,finding_id,frequency", "condition_id,finding,frequency",
     ["profiles.csv", "missing column", "finding_id"]),
    ("findings.csv", "HP:0001945,Fever", "HP:0025520,Fever", ["findings.csv", "row 5", "duplicate", "HP:0025520"]),
    ("findings.csv", "HP:0001945,Fever", "HP:9999999,Fever", ["findings.csv", "row 5", "HP:9999999", "2025-01-16"]),
    ("findings.csv", "HP:0001945,Fever", "fever,Fever", ["findings.csv", "row 5", "'finding_id'", "'fever'"]),
    ("findings.csv", "whole_body", "body", ["findings.csv", "row 5", "'group'", "'body'"]),
    ("conditions.csv", ",2.0,true", ",-2,true", ["conditions.csv", "row 3", "'prior'"]),
    ("conditions.csv", ",2.0,true", ",2.0,yes", ["conditions.csv", "row 3", "'must_not_miss'", "yes"]),
    ("conditions.csv", "ORPHA:280062", "ORPHA280062", ["conditions.csv", "row 4", "'orpha'", "ORPHA280062"]),
    ("red_flags.csv", "HP:0001945;HP:0200042,urgent", "HP:0001945;HP:0200042,critical", ["red_flags.csv", "'level'"]),
    ("red_flags.csv", "HP:0001945;HP:0200042,urgent", "HP:0001945;CT:nope,urgent", ["red_flags.csv", "CT:nope"]),
    ("education/dystrophic_calcinosis_cutis.toml", "disclaimer = ", "legal = ", ["disclaimer"]),
    ("education/dystrophic_calcinosis_cutis.toml", 'source = "seed"', "source = [", ["cannot be read as TOML"]),
]


@pytest.mark.parametrize(("file", "old", "new", "fragments"), BROKEN, ids=[f"{b[0]}:{b[2]}" for b in BROKEN])
def test_broken_file_gives_one_clear_error(pack_copy, file, old, new, fragments):
    _edit(pack_copy / file, old, new)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_missing_file_and_unparseable_csv(pack_copy):
    (pack_copy / "red_flags.csv").unlink()
    (pack_copy / "sources.csv").write_bytes(b'source_id,kind\n"unclosed,quote\n')
    pack, issues = check_pack(pack_copy)
    assert pack is None
    text = "\n".join(map(str, issues))
    assert "red_flags.csv: file is missing" in text
    assert "sources.csv" in text


def test_check_pack_collects_all_errors_and_warnings(pack_copy):
    _edit(pack_copy / "profiles.csv", "HP:0025520,0.9,true", "HP:0025520,2,true")
    _edit(pack_copy / "findings.csv", "whole_body", "body")
    pack, issues = check_pack(pack_copy)
    assert pack is None
    assert sum(i.level == "error" for i in issues) >= 2
    with pytest.raises(PackError, match=r"more error\(s\)"):
        load_pack(pack_copy)


def test_unused_finding_is_a_warning_not_an_error(pack_copy):
    with (pack_copy / "findings.csv").open("a") as handle:
        handle.write("HP:0002829,Arthralgia,Joint pain,joints_muscles,Painful joints.\n")
    pack, issues = check_pack(pack_copy)
    assert pack is not None
    assert any(i.level == "warning" and "HP:0002829" in i.message for i in issues)


def test_cli_validate_reports_and_exits_2(pack_copy, capsys):
    _edit(pack_copy / "profiles.csv", "HP:0025520,0.9,true", "HP:0025520,1.5,true")
    assert main(["--data", str(pack_copy), "validate"]) == 2
    out = capsys.readouterr().out
    assert "profiles.csv, row 2, column 'frequency'" in out


def test_cli_score_with_broken_pack_exits_2_with_one_line(pack_copy, capsys):
    _edit(pack_copy / "profiles.csv", "HP:0025520,0.9,true", "HP:0025520,1.5,true")
    assert main(["--data", str(pack_copy), "score", "--present", "HP:0025520"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: profiles.csv, row 2") and err.count("\n") == 1


# ---------------------------------------------------------------- source, core and evidence columns


def _add_columns(pack_copy: Path, core_of_fever: str = "false", source_of_fever: str = "paper1") -> None:
    path = pack_copy / "findings.csv"
    lines = path.read_text().splitlines()
    out = [lines[0] + ",source,core"]
    for line in lines[1:]:
        out.append(line + (f",{source_of_fever},{core_of_fever}" if line.startswith("HP:0001945,") else ",seed,true"))
    path.write_text("\n".join(out) + "\n")


def test_findings_without_source_and_core_columns_load_with_defaults(mini_pack):
    assert all(f.source == "" and f.core for f in mini_pack.findings)
    assert mini_pack.profile_evidence == {}


def test_source_and_core_columns_are_loaded(pack_copy):
    _add_columns(pack_copy)
    profiles = pack_copy / "profiles.csv"
    lines = profiles.read_text().splitlines()
    profiles.write_text("\n".join([lines[0] + ",evidence"] + [line + ",study" for line in lines[1:]]) + "\n")
    pack = load_pack(pack_copy)
    fever = pack.finding("HP:0001945")
    assert (fever.source, fever.core) == ("paper1", False)
    assert pack.finding("HP:0025520").core and pack.finding("HP:0025520").source == "seed"
    assert set(pack.profile_evidence.values()) == {"study"}


@pytest.mark.parametrize(("core", "source", "fragments"), [
    ("maybe", "paper1", ["findings.csv", "row 5", "'core'", "maybe"]),
    ("true", "nowhere", ["findings.csv", "row 5", "'source'", "nowhere"]),
])
def test_bad_source_or_core_gives_one_clear_error(pack_copy, core, source, fragments):
    _add_columns(pack_copy, core, source)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert all(fragment in str(info.value) for fragment in fragments)


def test_bad_evidence_gives_one_clear_error(pack_copy):
    profiles = pack_copy / "profiles.csv"
    lines = profiles.read_text().splitlines()
    profiles.write_text("\n".join([lines[0] + ",evidence", lines[1] + ",hunch"]
                                  + [line + ",study" for line in lines[2:]]) + "\n")
    with pytest.raises(PackError, match=r"profiles.csv, row 2, column 'evidence'.*hunch"):
        load_pack(pack_copy)


def test_cli_findings_shows_core_and_source(capsys):
    assert main(["findings", "--group", "tests"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[:4] == ["finding_id", "group", "core", "source"]
    rows = {line.split("\t")[0]: line.split("\t") for line in out[1:]}
    assert rows["HP:0003259"][2:4] == ["core", "reiter2011_part1"]
    assert rows["HP:0012458"][2] == "search"
    assert main(["findings", "--core"]) == 0
    core_out = capsys.readouterr().out
    assert "HP:0012458" not in core_out and "HP:0001482" in core_out


# ---------------------------------------------------------------- condition_relations.csv: a lesion and its soil


RELATIONS_HEADER = "lesion_id,underlying_id,relation,source,note\n"
GOOD_RELATION = "dystrophic_calcinosis_cutis,calciphylaxis,occurs_in,seed;paper1,fixture pair\n"


def test_pack_without_relations_file_has_none(mini_pack):
    assert mini_pack.relations == ()
    assert mini_pack.related("dystrophic_calcinosis_cutis", "calciphylaxis") is None


def test_relations_are_loaded_and_found_in_either_order(pack_copy):
    (pack_copy / "condition_relations.csv").write_text(RELATIONS_HEADER + GOOD_RELATION)
    pack = load_pack(pack_copy)
    (rel,) = pack.relations
    assert (rel.lesion_id, rel.underlying_id, rel.relation, rel.sources) == (
        "dystrophic_calcinosis_cutis", "calciphylaxis", "occurs_in", ("seed", "paper1"))
    assert pack.related("calciphylaxis", "dystrophic_calcinosis_cutis") is rel
    assert pack.related("skin_infection", "dystrophic_calcinosis_cutis") is None


BROKEN_RELATIONS = [
    # (rows after the header, expected fragments of the one-line message)
    ("dystrophic_calcinosis_cutis,no_such,occurs_in,seed,x\n", ["condition_relations.csv", "row 2",
                                                                "'underlying_id'", "no_such"]),
    ("nowhere,calciphylaxis,occurs_in,seed,x\n", ["row 2", "'lesion_id'", "nowhere"]),
    ("dystrophic_calcinosis_cutis,calciphylaxis,occurs_in,seed;nobody,x\n", ["row 2", "'source'", "nobody"]),
    ("dystrophic_calcinosis_cutis,calciphylaxis,occurs_in,,x\n", ["row 2", "'source'", "at least one"]),
    ("calciphylaxis,calciphylaxis,occurs_in,seed,x\n", ["row 2", "'underlying_id'", "itself"]),
    ("dystrophic_calcinosis_cutis,calciphylaxis,looks_like,seed,x\n", ["row 2", "'relation'", "looks_like"]),
    (GOOD_RELATION + "calciphylaxis,dystrophic_calcinosis_cutis,caused_by,seed,x\n",
     ["row 3", "duplicate relation", "first on row 2"]),
]


@pytest.mark.parametrize(("rows", "fragments"), BROKEN_RELATIONS, ids=[b[1][-1] for b in BROKEN_RELATIONS])
def test_broken_relation_gives_one_clear_error(pack_copy, rows, fragments):
    (pack_copy / "condition_relations.csv").write_text(RELATIONS_HEADER + rows)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    message = str(info.value)
    assert "\n" not in message
    assert all(fragment in message for fragment in fragments), message


def test_relations_file_missing_a_column_is_an_error(pack_copy):
    (pack_copy / "condition_relations.csv").write_text("lesion_id,underlying_id,source\n")
    with pytest.raises(PackError, match=r"condition_relations.csv.*missing column\(s\) relation, note"):
        load_pack(pack_copy)

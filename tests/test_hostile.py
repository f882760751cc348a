"""Hostile-input catalogue (issue 9): what an attacker or a careless user might feed every edge.

Six parametrised families: the CLI, the engine API, knowledge packs, Analyze-page uploads, Check-page
query parameters and corpus cache files. Each entry asserts a one-line error (exit code 2 for the CLI),
no traceback, and that the previous state is intact (files untouched, weights and cases kept, a
damaged cache treated as a miss). Big or deep inputs are built here, never stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import (
    Case,
    InputError,
    PackError,
    TriageError,
    WeightsError,
    check_pack,
    default_weights,
    encode_case,
    evaluate,
    load_cases,
    load_pack,
    load_weights,
    match_findings,
    parse_cases,
    parse_weights,
    read_case_bytes,
    validate_weights,
)
from engine.cli import main
from engine.corpus.cache import cache_key, cache_path, load_arrays
from engine.corpus.pack import load_corpus, rank_corpus, score_corpus
from engine.match.methods import METHODS
from ui.components.link import MAX_LINK_IDS, state_from_link

from .conftest import FIXTURES, MINI_PACK, analyze_page, use_in_ui

ROOT = Path(__file__).resolve().parent.parent
OBO, HPOA = FIXTURES / "corpus" / "hp.obo", FIXTURES / "corpus" / "phenotype.hpoa"
DATA = ["--data", str(MINI_PACK)]
MB = 1_000_000
DEEP = 5_000
DIGITS = 5_000
CALCINOSIS, NODULE, ULCER, FEVER = "HP:0025520", "HP:0001482", "HP:0200042", "HP:0001945"
A1, B1, B1_ALT = "HP:0000004", "HP:0000006", "HP:0000009"  # the corpus fixture (tests/test_corpus.py)
MAX_MESSAGE = 1_500


def assert_one_line(message: str, limit: int = MAX_MESSAGE) -> None:
    """A person-readable error: one line, no traceback, not a wall of text."""
    assert message.strip(), "empty message"
    assert "\n" not in message.strip(), message
    assert "Traceback" not in message
    assert len(message) < limit, f"{len(message)} characters"


# --- input builders ----------------------------------------------------------------------------------

def deep_json() -> bytes:
    return b"[" * DEEP + b"]" * DEEP


def huge_int_json() -> bytes:
    return b"[" + b"9" * DIGITS + b"]"


def deep_toml() -> bytes:
    return b"[params]\nleak = " + b"[" * DEEP + b"]" * DEEP + b"\n"


def huge_int_toml() -> bytes:
    return b"[params]\nleak = " + b"9" * DIGITS + b"\n"


def case(**changes: Any) -> dict[str, Any]:
    """One valid case for the mini pack, with ``changes`` applied."""
    base: dict[str, Any] = {"id": "c1", "findings": [{"hpo_id": CALCINOSIS}, {"hpo_id": NODULE}],
                            "expected_condition": "dystrophic_calcinosis_cutis"}
    return base | changes


def cases_json(*items: Any) -> bytes:
    return json.dumps(list(items)).encode()


def write(directory: Path, name: str, content: bytes | str) -> str:
    path = directory / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def sparse(directory: Path, name: str, size: int) -> str:
    """A file of ``size`` bytes that takes no disk space (a hole), for size limits."""
    path = directory / name
    with open(path, "wb") as handle:
        handle.truncate(size)
    return str(path)


def fifo(directory: Path, name: str) -> str:
    path = directory / name
    os.mkfifo(path)
    return str(path)


def symlink_loop(directory: Path, name: str) -> str:
    path = directory / name
    path.symlink_to(path)
    return str(path)


def a_dir(directory: Path, name: str) -> str:
    path = directory / name
    path.mkdir()
    return str(path)


def snapshot(directory: Path) -> dict[str, str]:
    """Content hashes of the regular files under ``directory`` (FIFOs, holes over 1 MB: size only)."""
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        out[str(path)] = str(size) if size > MB else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --- 1. the command line -----------------------------------------------------------------------------

def _score(*extra: str) -> Callable[[Path], list[str]]:
    return lambda _tmp: [*DATA, "score", *extra]


def _weights(name: str, content: Callable[[], bytes] | bytes) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        data = content() if callable(content) else content
        return [*DATA, "score", "--present", CALCINOSIS, "--weights", write(tmp, name, data)]
    return build


def _weights_path(make: Callable[[Path, str], str], name: str = "w.toml") -> Callable[[Path], list[str]]:
    return lambda tmp: [*DATA, "score", "--present", CALCINOSIS, "--weights", make(tmp, name)]


def _cases(content: Callable[[], bytes] | bytes, name: str = "cases.json") -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        data = content() if callable(content) else content
        return [*DATA, "evaluate", write(tmp, name, data)]
    return build


def _cases_path(make: Callable[[Path, str], str], name: str = "cases.json") -> Callable[[Path], list[str]]:
    return lambda tmp: [*DATA, "evaluate", make(tmp, name)]


def _two_case_files(tmp: Path) -> list[str]:
    return [*DATA, "evaluate", write(tmp, "a.json", cases_json(case())), write(tmp, "b.json", cases_json(case()))]


def _broken_pack(tmp: Path) -> list[str]:
    target = tmp / "pack"
    shutil.copytree(MINI_PACK, target)
    (target / "findings.csv").unlink()
    return ["--data", str(target), "score", "--present", CALCINOSIS]


THREE_PROBLEMS_CSV = (f"kind,key,value\nfinding,{CALCINOSIS},-1\nprior,no_such,1\nparam,leak,9\n").encode()

CLI_CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    # arguments
    ("present-empty", _score("--present", ""), "give the findings with --present IDs or --phenopacket FILE"),
    ("present-only-commas", _score("--present", " , ,, "), "--present: give at least one finding ID"),
    ("top-zero", _score("--present", CALCINOSIS, "--top", "0"), "--top"),
    ("top-negative", _score("--present", CALCINOSIS, "--top", "-1"), "at least 1"),
    ("top-text", _score("--present", CALCINOSIS, "--top", "ten"), "--top"),
    ("top-float", _score("--present", CALCINOSIS, "--top", "2.5"), "--top"),
    ("method-unknown", _score("--present", CALCINOSIS, "--method", "magic"), "invalid choice"),
    ("format-unknown", _score("--present", CALCINOSIS, "--format", "xml"), "invalid choice"),
    ("pack-unknown", _score("--present", CALCINOSIS, "--pack", "hpo-everything"), "invalid choice"),
    ("present-missing", _score(), "--present"),
    ("no-command", lambda _tmp: [*DATA], "required"),
    ("command-unknown", lambda _tmp: [*DATA, "diagnose"], "invalid choice"),
    ("option-unknown", _score("--present", CALCINOSIS, "--evil"), "unrecognized arguments"),
    # finding IDs
    ("id-short", _score("--present", "HP:12"), "malformed finding ID 'HP:12'"),
    ("id-unknown", _score("--present", "HP:9999999"), "unknown HPO ID 'HP:9999999'"),
    ("id-local-unknown", _score("--present", "CT:nope"), "unknown finding ID 'CT:nope'"),
    ("id-markup", _score("--present", "<script>alert(1)</script>"), "malformed finding ID"),
    ("id-newline", _score("--present", "HP:0025520\nHP:0001482"), "malformed finding ID"),
    ("id-nul", _score("--present", "HP:00255\x0020"), "malformed finding ID"),
    ("id-unicode-digits", _score("--present", "HP:\u0660\u0661\u0662\u0663\u0664\u0665\u0666"), "HPO ID"),
    ("id-both", _score("--present", CALCINOSIS, "--absent", CALCINOSIS), "both present and absent"),
    ("id-many-bad", lambda _tmp: [*DATA, "score", "--present", ",".join(f"X{i}" for i in range(1_500))],
     "malformed finding ID 'X0'"),
    ("id-over-the-cap", lambda _tmp: [*DATA, "score", "--present", ",".join(f"X{i}" for i in range(20_000))],
     "20,000 distinct terms in one case; the limit is 2,000"),
    ("corpus-present-empty", _score("--present", "", "--pack", "hpo-orpha"), "--present"),
    ("corpus-weights", _score("--present", A1, "--pack", "hpo-orpha", "--weights", "w.toml"),
     "--weights applies to the curated pack only"),
    # weights files
    ("weights-missing", _weights_path(lambda tmp, name: str(tmp / "nope" / name)), "cannot read weights file"),
    ("weights-dev-zero", _weights_path(lambda _tmp, _name: "/dev/zero"), "not a regular file"),
    ("weights-directory", _weights_path(a_dir), "not a regular file"),
    ("weights-fifo", _weights_path(fifo), "not a regular file"),
    ("weights-symlink-loop", _weights_path(symlink_loop), "cannot read weights file"),
    ("weights-50mb", _weights_path(lambda tmp, name: sparse(tmp, name, 50 * MB)), "the limit is 1,000,000 bytes"),
    ("weights-deep-toml", _weights("w.toml", deep_toml), "nested too deeply"),
    ("weights-huge-int", _weights("w.toml", huge_int_toml), "not valid TOML"),
    ("weights-not-utf8", _weights("w.toml", b"\xff\xfe\x00[params]"), "not UTF-8"),
    ("weights-json-suffix", _weights("w.json", b"{}"), "expected a .toml or .csv file"),
    ("weights-three-problems", _weights("w.csv", THREE_PROBLEMS_CSV), "3 problems"),
    ("weights-prior-1e308", _weights("w.toml", b"[priors]\ncalciphylaxis = 1e308\n"), "expected 0.0 to 1000000"),
    ("weights-nan", _weights("w.toml", f'[finding_weights]\n"{CALCINOSIS}" = nan\n'.encode()), "finite"),
    ("weights-csv-cr-garbage", _weights("w.csv", b"kind,key,value\rparam,leak,\r\r\rzz\r"), "w.csv"),
    # case files
    ("cases-deep", _cases(deep_json), "nested too deeply"),
    ("cases-huge-int", _cases(huge_int_json), "not valid JSON"),
    ("cases-nan", _cases(b'[{"id": NaN}]'), "not valid JSON"),
    ("cases-empty-list", _cases(b"[]"), "the list of cases is empty"),
    ("cases-object", _cases(b'{"cases": []}'), "expected a JSON list"),
    ("cases-scalar", _cases(b"42"), "expected a JSON list"),
    ("cases-truncated", _cases(b'[{"id": "c1", "findings": ['), "not valid JSON"),
    ("cases-not-utf8", _cases(b"\xff\xfe[]"), "not UTF-8"),
    ("cases-duplicate-ids", _cases(lambda: cases_json(case(), case())), "duplicate case id"),
    ("cases-duplicate-across-files", _two_case_files, "b.json, case 'c1': duplicate case id (also in a.json)"),
    ("cases-short-id", _cases(lambda: cases_json(case(findings=[{"hpo_id": "HP:12"}]))),
     "cases.json, case 'c1': malformed finding ID 'HP:12'"),
    ("cases-unknown-id", _cases(lambda: cases_json(case(findings=[{"hpo_id": "HP:9999999"}]))),
     "cases.json, case 'c1': unknown HPO ID"),
    ("cases-present-and-absent", _cases(lambda: cases_json(case(findings=[
        {"hpo_id": CALCINOSIS}, {"hpo_id": CALCINOSIS, "present": False}]))), "both present and absent"),
    ("cases-id-object", _cases(lambda: cases_json(case(id={"a": 1}))), "'id' must be text"),
    ("cases-hpo-int", _cases(lambda: cases_json(case(findings=[{"hpo_id": 25520}]))), "'hpo_id' string"),
    ("cases-dev-zero", _cases_path(lambda _tmp, _name: "/dev/zero"), "not a regular file"),
    ("cases-directory", _cases_path(a_dir), "folder holds no .json file"),  # evaluate reads folders
    ("cases-50mb", _cases_path(lambda tmp, name: sparse(tmp, name, 50 * MB)), "the limit is 1,000,000 bytes"),
    # a pack that does not load
    ("pack-missing-file", _broken_pack, "findings.csv"),
]


@pytest.mark.parametrize(("build", "fragment"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_with_one_line_and_exit_2(build, fragment, tmp_path, capsys):
    argv = build(tmp_path)
    before = snapshot(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.startswith("error: "), err
    assert_one_line(err)
    assert fragment in err
    assert snapshot(tmp_path) == before  # nothing written, nothing changed


def test_validate_of_a_broken_pack_exits_2_with_a_one_line_summary(pack_copy, capsys):
    (pack_copy / "education" / "calciphylaxis.toml").mkdir()
    code = main(["--data", str(pack_copy), "validate"])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("pack is invalid: 1 error(s)")
    assert_one_line(err)
    assert "education/calciphylaxis.toml" in out and "not a regular file" in out


@pytest.mark.slow
def test_segfault_scenario_runs_in_a_subprocess_and_survives(tmp_path):
    """The crafted cache of issue 9 (right key and shapes, indices out of range), end to end in a child process."""
    script = f"""
import numpy as np
from pathlib import Path
from engine.corpus.cache import cache_key, cache_path
from engine.corpus.pack import load_corpus, rank_corpus
obo, hpoa, tmp = Path({str(OBO)!r}).resolve(), Path({str(HPOA)!r}).resolve(), Path({str(tmp_path)!r})
pack = load_corpus("hpo-all", obo, hpoa, tmp)
path = cache_path(tmp, "hpo-all", cache_key("hpo-all", obo, hpoa, pack.version))
payload = dict(np.load(path, allow_pickle=False))
for name in ("direct", "propagated", "excluded", "ancestors"):
    payload[name + "_indices"] = np.full_like(payload[name + "_indices"], 2**30)
np.savez(path, **payload)
load_corpus.cache_clear()
again = load_corpus("hpo-all", obo, hpoa, tmp)
print(again.origin, rank_corpus(again, ["{A1}"], top=1)[0].disease_id)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "built"


# --- 2. the engine API -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    load_corpus.cache_clear()
    return load_corpus("hpo-all", OBO, HPOA, tmp_path_factory.mktemp("corpus-cache"))


API_CASES: list[tuple[str, Callable[..., Any], type[TriageError], str]] = [
    ("match-nothing", lambda p, c, t: match_findings(p, [], []), InputError, "no findings reported"),
    ("match-none", lambda p, c, t: match_findings(p, None), InputError, "no findings reported"),
    ("match-blank-string", lambda p, c, t: match_findings(p, " , "), InputError, "no findings reported"),
    ("match-int-id", lambda p, c, t: match_findings(p, [25520]), InputError, "must be text"),
    ("match-none-id", lambda p, c, t: match_findings(p, [None]), InputError, "must be text"),
    ("match-bytes-id", lambda p, c, t: match_findings(p, [b"HP:0025520"]), InputError, "must be text"),
    ("match-method", lambda p, c, t: match_findings(p, [CALCINOSIS], method="magic"), InputError, "magic"),
    ("match-both", lambda p, c, t: match_findings(p, [CALCINOSIS], [CALCINOSIS]), InputError, "both present"),
    ("match-long-id", lambda p, c, t: match_findings(p, ["HP:" + "0" * 100_000]), InputError, "malformed"),
    ("match-many-ids", lambda p, c, t: match_findings(p, [f"HP:{i:07d}" for i in range(9_000_000, 9_001_500)]),
     InputError, "unknown HPO ID"),
    ("match-over-the-cap", lambda p, c, t: match_findings(p, [f"HP:{i:07d}" for i in range(9_000_000, 9_050_000)]),
     InputError, "50,000 distinct terms in one case; the limit is 2,000"),
    ("corpus-over-the-cap", lambda p, c, t: rank_corpus(c, [f"HP:{i:07d}" for i in range(2_001)]), InputError,
     "the limit is 2,000"),
    ("encode-both-string", lambda p, c, t: encode_case(p, f"{CALCINOSIS},{FEVER}", f" {FEVER} "), InputError,
     "both present and absent"),
    ("weights-inf", lambda p, c, t: validate_weights(p, {CALCINOSIS: float("inf")}, {}, {}), WeightsError,
     "finite"),
    ("weights-int-400-digits", lambda p, c, t: validate_weights(p, {}, {"calciphylaxis": 10 ** 400}, {}),
     WeightsError, "finite number"),
    ("weights-list-value", lambda p, c, t: validate_weights(p, {CALCINOSIS: [[[1]]]}, {}, {}), WeightsError,
     "expected a number"),
    ("weights-three-problems", lambda p, c, t: validate_weights(p, {"HP:1": 1}, {"x": 1}, {"y": 1}),
     WeightsError, "3 problems"),
    ("weights-choice-list", lambda p, c, t: validate_weights(p, {}, {}, {"overlap_similarity": ["dice"]}),
     WeightsError, "expected one of"),
    ("load-weights-dev-zero", lambda p, c, t: load_weights(p, "/dev/zero"), WeightsError, "not a regular file"),
    ("load-weights-nul-path", lambda p, c, t: load_weights(p, "w\x00.toml"), WeightsError, "cannot read"),
    ("load-cases-none", lambda p, c, t: load_cases(p, []), InputError, "no case files given"),
    ("load-cases-fifo", lambda p, c, t: load_cases(p, [fifo(t, "c.json")]), InputError, "not a regular file"),
    ("parse-cases-empty", lambda p, c, t: parse_cases(p, [], "mine.json"), InputError, "mine.json"),
    ("parse-cases-auto-id-clash", lambda p, c, t: parse_cases(p, [case(id="case-2"), case(id=None)], "m.json"),
     InputError, "duplicate case id"),
    ("evaluate-no-cases", lambda p, c, t: evaluate(p, [], "likelihood", default_weights(p)), InputError,
     "no cases"),
    ("corpus-both", lambda p, c, t: rank_corpus(c, [A1], [A1]), InputError, "both present and absent"),
    ("corpus-both-alt-id", lambda p, c, t: score_corpus(c, [B1_ALT], [B1]), InputError, "both present and absent"),
    ("corpus-nothing", lambda p, c, t: rank_corpus(c, [], []), InputError, "at least one"),
    ("corpus-resnik-nothing", lambda p, c, t: rank_corpus(c, [], [A1], method="resnik"), InputError,
     "at least one present"),
    ("corpus-unknown", lambda p, c, t: rank_corpus(c, ["HP:9999999"]), InputError, "unknown HPO ID"),
    ("corpus-malformed", lambda p, c, t: rank_corpus(c, ["HP:1"]), InputError, "malformed HPO ID"),
    ("corpus-top-zero", lambda p, c, t: rank_corpus(c, [A1], top=0), InputError, "top"),
    ("corpus-top-bool", lambda p, c, t: rank_corpus(c, [A1], top=1.5), InputError, "top"),
    ("corpus-method", lambda p, c, t: rank_corpus(c, [A1], method="magic"), InputError, "unknown corpus method"),
    ("corpus-pack-name", lambda p, c, t: load_corpus("hpo-evil", OBO, HPOA, t), PackError, "hpo-evil"),
]


@pytest.mark.parametrize(("call", "error", "fragment"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_engine_api_raises_one_line_errors(call, error, fragment, mini_pack, corpus, tmp_path):
    frequency = mini_pack.frequency.copy()
    with pytest.raises(error) as info:
        call(mini_pack, corpus, tmp_path)
    assert_one_line(str(info.value))
    assert fragment in str(info.value)
    np.testing.assert_array_equal(mini_pack.frequency, frequency)  # the pack is untouched
    assert match_findings(mini_pack, [CALCINOSIS]).ranking.matches  # and still answers


def test_top_zero_in_the_dict_lists_nothing_and_none_lists_all(mini_pack):
    result = match_findings(mini_pack, [CALCINOSIS])
    assert result.to_dict(0)["matches"] == []
    assert len(result.to_dict(None)["matches"]) == len(mini_pack.conditions)
    assert len(result.to_dict(2)["matches"]) == 2


def test_cr_only_weights_csv_is_read(mini_pack):
    weights = parse_weights(mini_pack, b"kind,key,value\rparam,leak,0.05\rprior,calciphylaxis,3\r", "w.csv")
    assert weights.params.leak == 0.05 and weights.priors["calciphylaxis"] == 3.0


# --- 3. knowledge packs ------------------------------------------------------------------------------

def _replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(pack: Path) -> None:
        path = pack / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def _write(file: str, content: Callable[[], bytes] | bytes) -> Callable[[Path], None]:
    def mutate(pack: Path) -> None:
        target = pack / file
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            target.unlink()
        target.write_bytes(content() if callable(content) else content)
    return mutate


def _make(file: str, make: Callable[[Path, str], str]) -> Callable[[Path], None]:
    def mutate(pack: Path) -> None:
        target = pack / file
        if target.exists():
            target.unlink()
        make(target.parent, target.name)
    return mutate


def _dev_zero_link(pack: Path) -> None:
    (pack / "education" / "calciphylaxis.toml").symlink_to("/dev/zero")


CALCIPHYLAXIS_ROW = "calciphylaxis,Calciphylaxis,Calcium in small skin vessels,ORPHA:280062,,E83.5,0.5,"
CALCIPHYLAXIS_PRIOR = ",E83.5,0.5,"
PROFILE_ROW = "skin_infection,HP:0001945,0.6,true,paper1"

PACK_CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("prior-1e308", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,1e308,"), "got '1e308'"),
    ("prior-inf", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,inf,"), "got 'inf'"),
    ("prior-nan", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,nan,"), "got 'nan'"),
    ("prior-negative", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,-1,"), "got '-1'"),
    ("prior-zero", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,0,"), "got '0'"),
    ("prior-text", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5,lots,"), "expected a number"),
    ("prior-huge-digits", _replace("conditions.csv", CALCIPHYLAXIS_PRIOR, ",E83.5," + "9" * DIGITS + ","),
     "expected a number in"),
    ("condition-id-empty", _replace("conditions.csv", "calciphylaxis,Calciphylaxis", ",Calciphylaxis"),
     "conditions.csv, row 4, column 'condition_id': must not be empty"),
    ("finding-id-empty", _replace("findings.csv", "HP:0001945,Fever", ",Fever"), "expected an HPO ID"),
    ("rule-id-empty", _replace("red_flags.csv", "fever_ulcer,", ","), "column 'rule_id': must not be empty"),
    ("source-id-empty", _replace("sources.csv", "paper1,paper", ",paper"), "column 'source_id': must not be empty"),
    ("column-duplicate", _replace("conditions.csv", "prior,must_not_miss", "prior,prior,must_not_miss"),
     "duplicate column(s) 'prior'"),
    ("condition-duplicate", _replace("conditions.csv", "skin_infection,Skin", "calciphylaxis,Skin"),
     "duplicate ID 'calciphylaxis'"),
    ("frequency-overflow", _replace("profiles.csv", PROFILE_ROW, "skin_infection,HP:0001945,1e309,true,paper1"),
     "got '1e309'"),
    ("frequency-zero", _replace("profiles.csv", PROFILE_ROW, "skin_infection,HP:0001945,0,true,paper1"),
     "got '0'"),
    ("frequency-above-one", _replace("profiles.csv", PROFILE_ROW, "skin_infection,HP:0001945,1.5,true,paper1"),
     "got '1.5'"),
    ("hallmark-maybe", _replace("profiles.csv", PROFILE_ROW, "skin_infection,HP:0001945,0.6,maybe,paper1"),
     "expected true or false"),
    ("profile-unknown-condition", _replace("profiles.csv", PROFILE_ROW, "gout,HP:0001945,0.6,true,paper1"),
     "unknown condition_id 'gout'"),
    ("red-flag-level", _replace("red_flags.csv", ",urgent,", ",panic,"), "got 'panic'"),
    ("code-malformed", _replace("conditions.csv", "ORPHA:280062", "ORPHA:abc"), "malformed code 'ORPHA:abc'"),
    ("csv-unterminated-quote", _replace("sources.csv", "A made-up", '"A made-up'), "sources.csv"),
    ("csv-empty", _write("findings.csv", b""), "cannot be read as CSV"),
    ("csv-not-utf8", _write("findings.csv", b"finding_id,label\n\xff\xfe\n"), "not UTF-8"),
    ("csv-directory", _make("findings.csv", a_dir), "not a regular file"),
    ("csv-fifo", _make("findings.csv", fifo), "not a regular file"),
    ("csv-25mb", _make("profiles.csv", lambda d, n: sparse(d, n, 25 * MB)), "the limit is 20,000,000 bytes"),
    ("csv-missing", lambda pack: (pack / "red_flags.csv").unlink(), "file is missing"),
    ("education-directory", _make("education/calciphylaxis.toml", a_dir), "not a regular file"),
    ("education-dev-zero", _dev_zero_link, "not a regular file"),
    ("education-deep", _write("education/calciphylaxis.toml", lambda: b"x = " + b"[" * DEEP + b"]" * DEEP),
     "nested too deeply"),
    ("education-huge-int", _write("education/calciphylaxis.toml", lambda: b"x = " + b"9" * DIGITS),
     "cannot be read as TOML"),
    ("education-not-utf8", _write("education/calciphylaxis.toml", b"x = '\xff'"), "not UTF-8"),
    ("education-unknown-name", _write("education/gout.toml", b"x = 1"), "'gout' is not in conditions.csv"),
]


@pytest.mark.parametrize(("mutate", "fragment"), [c[1:] for c in PACK_CASES], ids=[c[0] for c in PACK_CASES])
def test_broken_packs_are_refused_with_named_one_line_errors(mutate, fragment, pack_copy, capsys):
    mutate(pack_copy)
    pack, issues = check_pack(pack_copy)
    assert pack is None
    errors = [i.describe() for i in issues if i.level == "error"]
    assert any(fragment in e for e in errors), errors
    for message in errors:
        assert_one_line(message)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert_one_line(str(info.value))
    code = main(["--data", str(pack_copy), "validate"])
    _out, err = capsys.readouterr()
    assert code == 2 and err.startswith("pack is invalid")
    assert_one_line(err)


def test_a_cr_only_pack_file_still_loads(pack_copy):
    path = pack_copy / "sources.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    pack, issues = check_pack(pack_copy)
    assert pack is not None, [i.describe() for i in issues]


# --- 4. Analyze-page uploads -------------------------------------------------------------------------

GOOD_WEIGHTS = b"[params]\nleak = 0.05\n"
GOOD_CASES = cases_json(case(id="kept"))
INJECTED = "[click](https://evil.example) ![x](https://evil.example/x.png) <b>b</b> :red[red]"


def upload_script() -> None:
    """Calls the Analyze page's upload handler with ``hostile_input`` and shows its message."""
    import streamlit as st

    from ui.pages import analyze

    kind, name, content = st.session_state["hostile_input"]
    if kind == "weights":
        st.session_state["hostile_ok"] = analyze.handle_weights_upload(name, content)
        analyze._show(analyze.WEIGHTS_MSG)
    else:
        st.session_state["hostile_ok"] = analyze.handle_cases_upload(name, content)
        analyze._show(analyze.CASES_MSG)


WEIGHT_UPLOADS: list[tuple[str, str, Callable[[], bytes] | bytes, str]] = [
    ("deep-toml", "w.toml", deep_toml, "nested too deeply"),
    ("huge-int-toml", "w.toml", huge_int_toml, "not valid TOML"),
    ("deep-value", "w.toml", lambda: b"[params]\nleak = " + b"[" * 100 + b"]" * 100, "expected a number"),
    ("prior-1e308", "w.toml", b"[priors]\ncalciphylaxis = 1e308\n", "expected 0.0 to 1000000"),
    ("prior-400-digits", "w.toml", b"[priors]\ncalciphylaxis = " + b"9" * 400 + b"\n", "finite number"),
    ("weight-inf", "w.toml", f'[finding_weights]\n"{CALCINOSIS}" = inf\n'.encode(), "finite"),
    ("weight-bool", "w.toml", f'[finding_weights]\n"{CALCINOSIS}" = true\n'.encode(), "expected a number"),
    ("weight-table", "w.toml", f'[finding_weights."{CALCINOSIS}"]\na = 1\n'.encode(), "expected a number"),
    ("section-not-table", "w.toml", b"finding_weights = 3\n", "must be a table"),
    ("section-unknown", "w.toml", b"[admin]\nx = 1\n", "unknown section(s) admin"),
    ("key-injected", "w.toml", f'[finding_weights]\n"{INJECTED}" = 1\n'.encode(), "unknown finding ID"),
    ("three-problems-toml", "w.toml", b"[priors]\nx = 1\ny = 2\n[params]\nleak = 7\n", "3 problems"),
    ("three-problems-csv", "w.csv", THREE_PROBLEMS_CSV, "3 problems"),
    ("csv-bare-cr", "w.csv", b"kind,key,value\nparam,le\rak,0.05\n", "w.csv"),
    ("csv-header", "w.csv", b"a,b,c\n1,2,3\n", "expected the header kind,key,value"),
    ("csv-empty", "w.csv", b"", "expected the header kind,key,value"),
    ("csv-nul", "w.csv", b"kind,key,value\nparam,leak,0.0\x005\n", "w.csv"),
    ("csv-formula", "w.csv", b"kind,key,value\nparam,overlap_similarity,=cmd|' /C calc'!A0\n", "expected one of"),
    ("csv-kind", "w.csv", b"kind,key,value\nadmin,leak,1\n", "expected finding, prior or param"),
    ("csv-duplicate", "w.csv", b"kind,key,value\nparam,leak,0.1\nparam,leak,0.2\n", "duplicate param 'leak'"),
    ("not-utf8", "w.toml", b"\xff\xfe[params]", "not UTF-8"),
    ("utf16", "w.csv", "kind,key,value\n".encode("utf-16"), "w.csv"),
    ("suffix", "w.exe", b"MZ", "expected a .toml or .csv file"),
    ("no-suffix", "weights", b"[params]", "no extension"),
    ("over-1mb", "w.toml", lambda: b"#" * (MB + 1), "the limit is 1,000,000 bytes"),
    ("name-injected", f"{INJECTED}.toml", b"[params]\nleak = 9\n", "expected 1e-06 to 0.5"),
    ("name-newline", "a\nb.toml", b"[params]\nleak = 9\n", "expected 1e-06 to 0.5"),
]

CASE_UPLOADS: list[tuple[str, str, Callable[[], bytes] | bytes, str]] = [
    ("deep", "c.json", deep_json, "nested too deeply"),
    ("huge-int", "c.json", huge_int_json, "not valid JSON"),
    ("nan", "c.json", b"[NaN]", "not valid JSON"),
    ("infinity", "c.json", b'[{"id": -Infinity}]', "not valid JSON"),
    ("empty-list", "c.json", b"[]", "the list of cases is empty"),
    ("object", "c.json", b"{}", "expected a JSON list"),
    ("null", "c.json", b"null", "expected a JSON list"),
    ("truncated", "c.json", b'[{"id": ', "not valid JSON"),
    ("trailing", "c.json", b"[] []", "not valid JSON"),
    ("not-utf8", "c.json", b"\xff[]", "not UTF-8"),
    ("over-1mb", "c.json", lambda: b" " * (MB + 1), "the limit is 1,000,000 bytes"),
    ("duplicate-ids", "c.json", lambda: cases_json(case(), case()), "duplicate case id"),
    ("short-id", "c.json", lambda: cases_json(case(findings=[{"hpo_id": "HP:12"}])),
     "c.json, case 'c1': malformed finding ID 'HP:12'"),
    ("unknown-id", "c.json", lambda: cases_json(case(findings=[{"hpo_id": "HP:9999999"}])),
     "c.json, case 'c1': unknown HPO ID 'HP:9999999'"),
    ("present-and-absent", "c.json", lambda: cases_json(case(findings=[
        {"hpo_id": ULCER}, {"hpo_id": ULCER, "present": False}])), "both present and absent"),
    ("local-unknown", "c.json", lambda: cases_json(case(findings=[{"hpo_id": "CT:nope"}])), "CT:nope"),
    ("findings-empty", "c.json", lambda: cases_json(case(findings=[])), "non-empty list"),
    ("finding-not-object", "c.json", lambda: cases_json(case(findings=["HP:0025520"])), "'hpo_id' string"),
    ("present-text", "c.json", lambda: cases_json(case(findings=[{"hpo_id": CALCINOSIS, "present": "yes"}])),
     "'present' must be true or false"),
    ("expected-missing", "c.json", lambda: cases_json({"id": "c1", "findings": [{"hpo_id": CALCINOSIS}]}),
     "'expected_condition' is missing"),
    ("expected-injected", "c.json", lambda: cases_json(case(expected_condition=INJECTED)), "unknown condition"),
    ("expected-list", "c.json", lambda: cases_json(case(expected_condition=["calciphylaxis"])),
     "unknown condition"),
    ("alternatives-text", "c.json", lambda: cases_json(case(acceptable_alternatives="calciphylaxis")),
     "must be a list"),
    ("triage-unknown", "c.json", lambda: cases_json(case(expected_triage="asap")), "'expected_triage' must be"),
    ("id-list", "c.json", lambda: cases_json(case(id=[1, 2])), "'id' must be text"),
    ("name-injected", f"{INJECTED}.json", b"[]", "the list of cases is empty"),
]


@pytest.fixture
def mini_ui(monkeypatch, mini_pack):
    return use_in_ui(monkeypatch, mini_pack, [Case("t1", (CALCINOSIS,), (), "dystrophic_calcinosis_cutis")])


def _upload_app(kind: str, good_name: str, good: bytes) -> AppTest:
    at = AppTest.from_function(upload_script, default_timeout=60)
    at.session_state["hostile_input"] = (kind, good_name, good)
    at.run()
    assert not at.exception and at.session_state["hostile_ok"] is True
    return at


def _check_refused(at: AppTest, kind: str, name: str, content: bytes, fragment: str) -> None:
    at.session_state["hostile_input"] = (kind, name, content)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["hostile_ok"] is False
    [error] = [e.value for e in at.error]
    assert_one_line(error)
    assert fragment in error
    assert error.startswith("`")  # the visitor-controlled text is a code span: no live Markdown
    assert "](" not in error.split("`")[-1]  # nothing outside the code span links anywhere


@pytest.mark.slow
@pytest.mark.parametrize(("name", "content", "fragment"), [c[1:] for c in WEIGHT_UPLOADS],
                         ids=[c[0] for c in WEIGHT_UPLOADS])
def test_weights_uploads_are_refused_and_the_weights_kept(name, content, fragment, mini_ui):
    at = _upload_app("weights", "good.toml", GOOD_WEIGHTS)
    before = at.session_state["analyze:weights"].key()
    _check_refused(at, "weights", name, content() if callable(content) else content, fragment)
    assert at.session_state["analyze:weights"].key() == before


@pytest.mark.slow
@pytest.mark.parametrize(("name", "content", "fragment"), [c[1:] for c in CASE_UPLOADS],
                         ids=[c[0] for c in CASE_UPLOADS])
def test_case_uploads_are_refused_and_the_cases_kept(name, content, fragment, mini_ui):
    at = _upload_app("cases", "good.json", GOOD_CASES)
    _check_refused(at, "cases", name, content() if callable(content) else content, fragment)
    assert [c.id for c in at.session_state["analyze:uploaded_cases"]] == ["kept"]


def test_read_case_bytes_names_file_and_case_for_every_id_problem(mini_pack):
    content = cases_json(case(id="ok"), case(id="bad one", findings=[{"hpo_id": "HP:12"}]))
    with pytest.raises(InputError, match=r"^mine\.json, case 'bad one': malformed finding ID 'HP:12'"):
        read_case_bytes(mini_pack, content, "mine.json")


# --- 5. Check-page query parameters ------------------------------------------------------------------

class Params:
    """What ``st.query_params`` offers the page: ``get_all`` and ``get`` (last value wins)."""

    def __init__(self, **values: str | list[str]) -> None:
        self.values = {k: v if isinstance(v, list) else [v] for k, v in values.items()}

    def get_all(self, key: str) -> list[str]:
        return list(self.values.get(key, []))

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values[key][-1] if self.values.get(key) else default


QUERY_CASES: list[tuple[str, Callable[[], Params], str]] = [
    ("unknown-id", lambda: Params(present="HP:9999999"), "ignored"),
    ("markup-id", lambda: Params(present="<img src=x onerror=alert(1)>"), "ignored"),
    ("link-id", lambda: Params(present="[x](https://evil.example)"), "ignored"),
    ("directive-id", lambda: Params(present=":red[boo]"), "ignored"),
    ("newline-id", lambda: Params(present="HP:0025520\n# heading"), "ignored"),
    ("nul-id", lambda: Params(present="HP:00\x0025520"), "ignored"),
    ("rtl-override", lambda: Params(present="\u202eHP:0025520"), "ignored"),
    ("long-token", lambda: Params(present="H" * MB), "ignored"),
    ("many-tokens", lambda: Params(present=",".join(f"X{i}" for i in range(100_000))), "over the limit"),
    ("many-values", lambda: Params(present=[f"Y{i}" for i in range(5_000)]), "over the limit"),
    ("repeated-known", lambda: Params(present=",".join([CALCINOSIS] * 10_000)), "over the limit"),
    ("both", lambda: Params(present=CALCINOSIS, absent=CALCINOSIS), "both as present and as absent"),
    ("method-unknown", lambda: Params(present=CALCINOSIS, method="__import__('os')"), "unknown method"),
    ("method-long", lambda: Params(present=CALCINOSIS, method="x" * MB), "unknown method"),
    ("method-many", lambda: Params(present=CALCINOSIS, method=["likelihood", "magic"]), "unknown method"),
    ("only-commas", lambda: Params(present=",,,,", absent=" , "), ""),
    ("absent-unknown", lambda: Params(absent="CT:nope"), "ignored"),
]


@pytest.mark.parametrize(("params", "fragment"), [c[1:] for c in QUERY_CASES], ids=[c[0] for c in QUERY_CASES])
def test_query_params_never_raise_and_keep_only_known_ids(params, fragment, mini_pack):
    state = state_from_link(mini_pack, params())
    assert set(state.present) <= set(mini_pack.finding_ids) and len(set(state.present)) == len(state.present)
    assert set(state.absent) <= set(mini_pack.finding_ids) and not set(state.absent) & set(state.present)
    assert state.method in METHODS
    assert len(state.present) + len(state.absent) <= MAX_LINK_IDS
    notes = " ".join(state.notes)
    assert fragment in notes
    for note in state.notes:  # at most MAX_LINK_IDS short IDs are listed
        assert_one_line(note, limit=MAX_LINK_IDS * 50)
        for dangerous in ("<", "](", ":red[", "\x00", "\u202e"):
            assert dangerous not in note


@pytest.mark.parametrize("params", [
    {"present": "[x](https://evil.example),HP:0001482"},
    {"present": "H" * 100_000},
    {"present": "HP:0001482", "absent": "HP:0001482", "method": "<b>"},
], ids=["link", "long", "contradiction"])
@pytest.mark.slow
def test_hostile_links_render_the_check_page(params):
    def check_page() -> None:
        import ui.pages.check

        ui.pages.check.render()

    at = AppTest.from_function(check_page, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Check your findings"
    texts = [w.value for w in at.warning] + [e.value for e in at.error]
    assert not any("](https://evil" in t for t in texts)


# --- 6. corpus cache files ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cache_reference(tmp_path_factory) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A valid cache payload of the fixture corpus, and its scores for one query."""
    directory = tmp_path_factory.mktemp("cache-ref")
    load_corpus.cache_clear()
    pack = load_corpus("hpo-all", OBO, HPOA, directory)
    path = cache_path(directory, "hpo-all", cache_key("hpo-all", OBO.resolve(), HPOA.resolve(), pack.version))
    with np.load(path, allow_pickle=False) as npz:
        payload = dict(npz)
    return payload, score_corpus(pack, [A1], [B1])


def _set(name: str, value: Callable[[dict[str, np.ndarray]], Any]) -> Callable[[dict], dict]:
    return lambda p: p | {name: value(p)}


def _poke(name: str, index: int, value: int) -> Callable[[dict], dict]:
    def mutate(p: dict) -> dict:
        array = p[name].copy()
        array[index] = value
        return p | {name: array}
    return mutate


def _drop(name: str) -> Callable[[dict], dict]:
    return lambda p: {k: v for k, v in p.items() if k != name}


def _n_terms(p: dict) -> int:
    return len(p["terms"])


CACHE_CASES: list[tuple[str, Callable[[dict], dict] | str]] = [
    ("index-out-of-range", lambda p: _poke("direct_indices", 0, _n_terms(p) + 5)(p)),
    ("index-negative", _poke("propagated_indices", 0, -1)),
    ("index-huge", _set("ancestors_indices", lambda p: np.full_like(p["ancestors_indices"], 2**30))),
    ("indptr-not-monotone", lambda p: _poke("direct_indptr", 1, int(p["direct_indptr"][-1]) + 1)(p)),
    ("indptr-end", lambda p: _poke("excluded_indptr", -1, int(p["excluded_indptr"][-1]) + 1)(p)),
    ("indptr-start", _poke("propagated_indptr", 0, 1)),
    ("indptr-length", _set("direct_indptr", lambda p: p["direct_indptr"][:-1])),
    ("shape-rows", _set("direct_shape", lambda p: p["direct_shape"] + np.array([1, 0]))),
    ("shape-ancestors", _set("ancestors_shape", lambda p: np.array([1, 1]))),
    ("shape-3d", _set("direct_shape", lambda p: np.array([1, 2, 3]))),
    ("data-length", _set("direct_data", lambda p: p["direct_data"][:-1])),
    ("data-nan", _set("propagated_data", lambda p: np.full_like(p["propagated_data"], np.nan))),
    ("data-text", _set("propagated_data", lambda p: p["propagated_data"].astype(str))),
    ("indices-float", _set("direct_indices", lambda p: p["direct_indices"].astype(np.float64))),
    ("indices-2d", _set("direct_indices", lambda p: p["direct_indices"].reshape(1, -1))),
    ("key-missing", _drop("key")),
    ("key-other", _set("key", lambda p: np.array("another build"))),
    ("matrix-missing", _drop("excluded_data")),
    ("names-length", _set("disease_names", lambda p: p["disease_names"][:-1])),
    ("terms-duplicate", _set("terms", lambda p: np.array([p["terms"][0]] * len(p["terms"])))),
    ("not-a-zip", "garbage"),
    ("empty-file", "empty"),
    ("truncated", "truncated"),
    ("deflated", "deflated"),
    ("directory", "directory"),
    ("pickled-object", "pickle"),
]


def _write_cache(path: Path, payload: dict[str, np.ndarray], how: Callable[[dict], dict] | str) -> None:
    if callable(how):
        with open(path, "wb") as handle:
            np.savez(handle, **how(payload))
        return
    if how == "directory":
        path.mkdir()
    elif how == "garbage":
        path.write_bytes(os.urandom(4096))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "pickle":
        with open(path, "wb") as handle:
            np.savez(handle, **(payload | {"terms": np.array(list(payload["terms"]), dtype=object)}))
    else:
        with open(path, "wb") as handle:
            (np.savez_compressed if how == "deflated" else np.savez)(handle, **payload)
        if how == "truncated":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        else:
            with zipfile.ZipFile(path) as archive:
                assert archive.infolist()[0].compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("how", [c[1] for c in CACHE_CASES], ids=[c[0] for c in CACHE_CASES])
def test_damaged_or_crafted_cache_is_a_miss_and_rebuilt(how, cache_reference, tmp_path):
    payload, reference = cache_reference
    key = cache_key("hpo-all", OBO.resolve(), HPOA.resolve(), str(payload["key"]).split("release=")[1].split("|")[0])
    assert key == str(payload["key"])
    path = cache_path(tmp_path, "hpo-all", key)
    _write_cache(path, payload, how)
    assert load_arrays(path, key) is None
    load_corpus.cache_clear()
    pack = load_corpus("hpo-all", OBO, HPOA, tmp_path)
    assert pack.origin == "built"
    np.testing.assert_allclose(score_corpus(pack, [A1], [B1]), reference)


def test_catalogue_has_at_least_100_inputs():
    sizes = {"cli": len(CLI_CASES), "api": len(API_CASES), "packs": len(PACK_CASES),
             "uploads": len(WEIGHT_UPLOADS) + len(CASE_UPLOADS), "query": len(QUERY_CASES) + 3,
             "cache": len(CACHE_CASES)}
    assert sum(sizes.values()) >= 100, sizes
    assert all(n >= 5 for n in sizes.values()), sizes


# --- the Analyze page end to end (issue 9 §1 and §5) ---------------------------------------------------

def _page_upload(at: AppTest, key: str, name: str | None, content: bytes = b"") -> None:
    at.file_uploader(key=key).set_value(None if name is None else (name, content, "application/json")).run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("finding", [
    {"hpo_id": "HP:12"}, {"hpo_id": "HP:9999999"}, {"hpo_id": "CT:nope"},
], ids=["short", "unknown", "local-unknown"])
@pytest.mark.slow
def test_a_bad_case_file_keeps_the_previous_cases_and_the_page_alive(finding, mini_ui):
    at = AppTest.from_function(analyze_page, default_timeout=60)
    at.run()
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    _page_upload(at, "analyze:cases_upload", "good.json", GOOD_CASES)
    assert any("Loaded 1 case(s)" in s.value for s in at.success)
    _page_upload(at, "analyze:cases_upload", "bad.json", cases_json(case(findings=[finding])))
    errors = [e.value for e in at.error]
    assert any("bad.json, case 'c1'" in e and finding["hpo_id"] in e and "previous cases are kept" in e
               for e in errors), errors
    assert [c.id for c in at.session_state["analyze:uploaded_cases"]] == ["kept"]
    _page_upload(at, "analyze:cases_upload", None)  # the file removed from the widget
    at.run()
    assert not at.exception, at.exception
    assert [c.id for c in at.session_state["analyze:uploaded_cases"]] == ["kept"]
    assert any("case(s), method" in m.value for m in at.markdown)  # the evaluation of the kept cases shows


@pytest.mark.slow
def test_a_bad_case_file_with_a_contradiction_is_refused_on_the_page(mini_ui):
    at = AppTest.from_function(analyze_page, default_timeout=60)
    at.run()
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    both = cases_json(case(findings=[{"hpo_id": ULCER}, {"hpo_id": ULCER, "present": False}]))
    _page_upload(at, "analyze:cases_upload", "both.json", both)
    assert any("both present and absent" in e.value for e in at.error)
    assert "analyze:uploaded_cases" not in at.session_state


@pytest.mark.slow
def test_injected_markdown_in_names_is_shown_as_code(mini_ui):
    at = AppTest.from_function(analyze_page, default_timeout=60)
    at.run()
    _page_upload(at, "analyze:upload", f"{INJECTED}.toml", GOOD_WEIGHTS)
    [message] = [s.value for s in at.success if "Loaded weights from" in s.value]
    assert message == f"Loaded weights from `{INJECTED}.toml`."
    at.radio(key="analyze:case_source").set_value("Uploaded case file").run()
    _page_upload(at, "analyze:cases_upload", "c.json", cases_json(case(expected_condition=INJECTED)))
    [error] = [e.value for e in at.error if "unknown condition" in e.value]
    code, rest = error[1:].split("`", 1)
    assert "[click](https://evil.example)" in code and "](" not in rest


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("method", METHODS)
def test_json_output_is_strict_even_with_extreme_valid_weights(method, tmp_path, capsys):
    weights = write(tmp_path, "w.toml", f'[priors]\ncalciphylaxis = 5e-324\nskin_infection = 1000000\n'
                    f'[finding_weights]\n"{CALCINOSIS}" = 100\n"{FEVER}" = 0\n')
    code = main([*DATA, "score", "--present", f"{CALCINOSIS},{FEVER}", "--absent", ULCER, "--method", method,
                 "--weights", weights, "--format", "json", "--top", "2"])
    data = _strict(capsys.readouterr().out)
    assert code == 0 and len(data["matches"]) == 2
    code = main([*DATA, "evaluate", write(tmp_path, "c.json", GOOD_CASES), "--method", method, "--weights", weights,
                 "--format", "json"])
    assert code == 0 and _strict(capsys.readouterr().out)["summary"]["n"] == 1

"""The project installs as a real package: in a bare virtual environment, the wheel and the dependencies it
declares give a console script that scores a case and an app whose modules import, from any folder.

The environment does not see this interpreter's site-packages, so a runtime import the wheel does not declare
fails here (``deptry`` in CI catches it statically too). Dependencies come from the configured package index
(pip's cache makes reruns fast).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
RESEARCH_SETS = ("blind", "outside", "agreement")

pytestmark = pytest.mark.slow


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}


def _pinned(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line)
            assert match, f"{path.name}: {line!r} is not an exact pin"
            pins[match[1].lower()] = match[2]
    return pins


def test_requirements_pin_exactly_the_declared_dependencies_within_their_ranges() -> None:
    declared, pinned = _declared(), _pinned(ROOT / "requirements.txt")
    assert set(pinned) == set(declared), "requirements.txt and pyproject.toml list different packages"
    for name, version in pinned.items():
        assert declared[name].specifier.contains(version, prereleases=True), f"{name}=={version} is outside " \
            f"pyproject.toml's {declared[name].specifier}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a clean copy of the sources: a stale build/ folder of the checkout cannot leak into it
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", "build", "*.egg-info", "__pycache__", ".*_cache", "artifacts", "datasets", "tests", "bench"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(source)], check=True, capture_output=True)
    (found,) = out.glob("calcinosis_triage-*.whl")
    return found


def test_wheel_ships_the_pack_and_the_teaching_cases_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for data_file in ("findings.csv", "conditions.csv", "profiles.csv", "red_flags.csv", "sources.csv",
                      "emergency_numbers.csv", "finding_overlaps.csv",
                      "weights.toml", "education/dystrophic_calcinosis_cutis.toml", "cases/calcinosis_cutis.json"):
        assert f"engine/data/{data_file}" in names
    research = [n for n in names if any(f"/{s}/" in n or Path(n).name.startswith(s) for s in RESEARCH_SETS)]
    assert not research, f"research material in the wheel: {research[:5]}"
    top_level = {n.split("/")[0] for n in names if not n.startswith("calcinosis_triage-")}
    assert top_level == {"engine", "ui"}


@pytest.fixture(scope="module")
def bare_env(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with no access to this interpreter's packages, holding the wheel and what it
    declares, nothing else."""
    env_dir = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    install = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                              "--disable-pip-version-check", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    return env_dir


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(args, cwd=cwd, env=clean_env, capture_output=True, text=True)


def test_the_bare_environment_sees_none_of_the_test_tools(bare_env: Path, tmp_path: Path) -> None:
    # what makes the next tests honest: an undeclared import would fail in this environment
    run = _run([str(bare_env / "bin" / "python"), "-c", "import pytest"], tmp_path)
    assert run.returncode != 0 and "ModuleNotFoundError" in run.stderr


def test_console_script_scores_a_case_from_any_folder(bare_env: Path, tmp_path: Path) -> None:
    run = _run([str(bare_env / "bin" / "calcinosis-triage"), "score", "--present", "HP:0001482,HP:0012622",
                "--format", "json"], tmp_path)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["matches"] and result["triage"]["level"]
    where = _run([str(bare_env / "bin" / "python"), "-c", "import engine; print(engine.__file__)"], tmp_path)
    assert str(bare_env) in where.stdout, where.stderr  # the installed copy, not the source tree


def test_phenopacket_and_evaluation_commands_work_installed(bare_env: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"id": "c1", "findings": [{"hpo_id": "HP:0001482", "present": True}],
                                  "expected_condition": "dystrophic_calcinosis_cutis"}]), encoding="utf-8")
    run = _run([str(bare_env / "bin" / "calcinosis-triage"), "evaluate", str(cases), "--format", "json"], tmp_path)
    assert run.returncode == 0, run.stderr
    packet = tmp_path / "patient.json"
    write = _run([str(bare_env / "bin" / "python"), "-c",
                  "import sys; from engine import load_pack; "
                  "from engine.io.phenopacket import to_phenopacket_json as j; "
                  "sys.stdout.write(j(['HP:0001482'], [], load_pack().ontology, case_id='p1'))"], tmp_path)
    assert write.returncode == 0, write.stderr
    packet.write_text(write.stdout, encoding="utf-8")
    scored = _run([str(bare_env / "bin" / "calcinosis-triage"), "score", "--phenopacket", str(packet)], tmp_path)
    assert scored.returncode == 0, scored.stderr


def test_app_modules_import_from_any_folder(bare_env: Path, tmp_path: Path) -> None:
    run = _run([str(bare_env / "bin" / "python"), "-c",
                "import ui.pages.check, ui.pages.teach, ui.pages.analyze, ui.pages.about, ui.components.summary, "
                "ui.components.phenopacket_files; print('ok')"],
               tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("ok")


def test_installed_package_holds_no_research_sets(bare_env: Path) -> None:
    (site,) = (bare_env / "lib").glob("python3*/site-packages")
    cases = site / "engine" / "data" / "cases"
    assert cases.is_dir()
    assert not [p for p in cases.rglob("*") if p.is_dir()], "sub-folders of research sets were installed"

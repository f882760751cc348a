"""The project installs as a real package: the wheel carries the knowledge pack, and the console script
runs from any folder without the source tree (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("calcinosis_triage-*.whl")
    return found


def test_wheel_ships_the_pack_and_only_the_project_packages(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for data_file in ("findings.csv", "conditions.csv", "profiles.csv", "red_flags.csv", "sources.csv",
                      "weights.toml", "education/dystrophic_calcinosis_cutis.toml"):
        assert f"engine/data/{data_file}" in names
    assert any(n.startswith("engine/data/cases/") and n.endswith(".json") for n in names)
    top_level = {n.split("/")[0] for n in names if not n.startswith("calcinosis_triage-")}
    assert top_level == {"engine", "ui"}


def test_console_script_runs_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # the runtime dependencies come from this interpreter's site-packages; only the project is installed
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(env_dir / "bin" / "calcinosis-triage"), "score", "--present", "HP:0001482",
                          "--format", "json"], cwd=elsewhere, env=clean_env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["matches"]
    where = subprocess.run([str(python), "-c", "import engine; print(engine.__file__)"], cwd=elsewhere,
                           env=clean_env, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where  # the installed copy, not the source tree

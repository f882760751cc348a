"""Shared fixtures: a tiny hand-made pack whose numbers can be checked by hand."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from engine import Case, KnowledgePack, default_weights, load_pack, teaching_cases

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_PACK = FIXTURES / "mini_pack"


@pytest.fixture(scope="session")
def mini_pack() -> KnowledgePack:
    return load_pack(MINI_PACK)


@pytest.fixture(scope="session")
def mini_weights(mini_pack):
    return default_weights(mini_pack)


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini pack, for breaking on purpose."""
    target = tmp_path / "pack"
    shutil.copytree(MINI_PACK, target)
    return target


def shipped_finding_ids() -> list[str]:
    """The shipped pack's finding IDs, read from its findings.csv with the csv module: cheap enough for
    ``parametrize`` at collection time, where loading the pack would cost the whole loop its start."""
    from engine.knowledge.pack import DATA_DIR

    with open(DATA_DIR / "findings.csv", encoding="utf-8-sig", newline="") as handle:
        return [row["finding_id"].strip() for row in csv.DictReader(handle)]


@pytest.fixture(scope="session")
def real_pack() -> KnowledgePack:
    """The shipped pack, loaded once per session (never at import: collection stays fast)."""
    return load_pack()


@pytest.fixture(scope="session")
def real_pack_and_cases() -> tuple[KnowledgePack, list[Case]]:
    """The shipped pack and teaching cases (a broken pack fails here, loudly)."""
    pack = load_pack()
    return pack, teaching_cases(pack)


def use_in_ui(monkeypatch: pytest.MonkeyPatch, pack: KnowledgePack, cases: list[Case]) -> tuple[KnowledgePack,
                                                                                               list[Case]]:
    """Make the UI's cached loaders return ``pack`` and ``cases`` for one test."""
    import ui.state

    monkeypatch.setattr(ui.state, "get_pack", lambda: pack)
    monkeypatch.setattr(ui.state, "get_teaching_cases", lambda: cases)
    return pack, cases


@pytest.fixture(params=["mini", "real"])
def pack_and_cases(request, monkeypatch, mini_pack):
    """For UI page tests: patch the UI's pack and teaching cases with the mini fixture pack (and the test
    module's ``MINI_CASES``), then with the shipped pack and cases."""
    if request.param == "mini":
        return use_in_ui(monkeypatch, mini_pack, request.module.MINI_CASES)
    return use_in_ui(monkeypatch, *request.getfixturevalue("real_pack_and_cases"))


# --- the pages as AppTest scripts (AppTest.from_function runs a function's own source: no closures) -------

def check_page() -> None:
    import ui.pages.check

    ui.pages.check.render()


def teach_page() -> None:
    import ui.pages.teach

    ui.pages.teach.render()


def analyze_page() -> None:
    import ui.pages.analyze

    ui.pages.analyze.render()


def zipped(members: dict[str, bytes], deflate: bool = False) -> bytes:
    """A zip archive of ``members`` (name -> content), stored or deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buf.getvalue()

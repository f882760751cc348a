"""Shared fixtures: a tiny hand-made pack whose numbers can be checked by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import KnowledgePack, default_weights, load_pack

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

"""Imports run one way: every ``engine`` import goes down the layers, never up (read from the source, no import).

ui -> cli -> evaluation -> result -> triage -> corpus -> match -> knowledge -> io -> hpo -> errors

``engine.triage.levels`` (the four levels and their order) is the one agreed exception: a leaf that imports
nothing of the engine, so the pack model and the panel can name a level without importing the triage rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

#: Top to bottom. A module may import modules of its own layer and of any layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("engine", "engine.__main__"),  # the public API and ``python -m engine``
    ("engine.cli",),
    ("engine.evaluation",),
    ("engine.result", "engine.interview"),  # a result, and the interview that refines it
    ("engine.triage",),
    ("engine.corpus",),
    ("engine.match",),
    ("engine.knowledge",),
    ("engine.io",),
    ("engine.hpo",),
    ("engine.errors",),
)
LEAF = "engine.triage.levels"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ENGINE.rglob("*.py"))}


def layer_of(module: str) -> int:
    for depth, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != "engine" and module.startswith(prefix + ".")):
                return depth
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def imported(path: Path) -> set[str]:
    """Every ``engine`` module the file imports, at the top or inside a function (the module itself, never a name
    in it: ``from engine.match import ties`` is engine.match.ties, ``from engine.hpo.ids import X`` is
    engine.hpo.ids)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "engine"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "engine":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: relative import; the layers are checked on absolute ones")
    return out


def test_every_engine_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_layers(module: str) -> None:
    own = layer_of(module)
    upward = sorted(t for t in imported(MODULES[module]) if t != LEAF and layer_of(t) < own)
    assert not upward, f"{module} (layer {LAYERS[own][0]}) imports a layer above it: {upward}"


def test_the_level_leaf_imports_nothing_of_the_engine() -> None:
    assert imported(MODULES[LEAF]) == set()


def test_the_engine_never_imports_the_app() -> None:
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {n.split(".")[0] for n in names} & {"ui", "streamlit", "streamlit_app"}, module

"""How is ``engine/`` put together? Modules per folder, the longest import chain and the import cycles.

Reads every module's imports (the AST; nothing is imported) of the ``engine/`` folder under ROOT, so the same
figures can be taken of any checkout (``git worktree add /tmp/old <commit>``)::

    python studies/import_graph.py            # this checkout
    python studies/import_graph.py /tmp/old   # another one

The figures of ``docs/architecture.md`` come from it.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path


def engine_modules(root: Path) -> dict[str, Path]:
    """Every module of ``root/engine`` by its dotted name (the shipped data folder left out)."""
    out: dict[str, Path] = {}
    for path in sorted((root / "engine").rglob("*.py")):
        if "data" in path.relative_to(root).parts:
            continue
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        out[name] = path
    return out


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (imports for the type checker only)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def import_edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """For each module, the engine modules it imports at run time (``from a.b import c`` counts ``a.b`` and
    ``a.b.c``)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            edges[name] |= {t for t in targets if t in modules and t != name}
    return edges


def longest_chain(modules: dict[str, Path], edges: dict[str, set[str]]) -> list[str]:
    """The longest import chain that visits no module twice."""
    sys.setrecursionlimit(10_000)

    @cache
    def longest(module: str, seen: frozenset[str]) -> tuple[str, ...]:
        best: tuple[str, ...] = (module,)
        for target in sorted(edges[module] - seen):
            chain = (module, *longest(target, seen | {module}))
            best = chain if len(chain) > len(best) else best
        return best

    return list(max((longest(m, frozenset()) for m in modules), key=len))


def cycles(modules: dict[str, Path], edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parents[1])
    root = parser.parse_args().root
    modules = engine_modules(root)
    edges = import_edges(modules)
    folders = Counter(str(p.parent.relative_to(root)) for p in modules.values())
    chain = longest_chain(modules, edges)
    loops = cycles(modules, edges)
    inner = [m for m in modules if m not in ("engine", "engine.__main__") and "engine" in edges[m]]
    print(f"modules: {len(modules)}")
    print("per folder: " + ", ".join(f"{k} {v}" for k, v in sorted(folders.items())))
    print(f"longest import chain: {len(chain)} modules: {' -> '.join(chain)}")
    print(f"modules on an import cycle: {sum(map(len, loops))} {loops}")
    print(f"modules importing the package root: {len(inner)} {inner}")


if __name__ == "__main__":
    main()

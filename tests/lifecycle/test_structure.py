"""The lifecycle reads top-down: its modules import one another without a cycle, and only the
package's ``__init__`` imports the manager (every other module gets what it needs handed in).

Every import counts: top-level ones, those under ``TYPE_CHECKING`` and those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import seedance_nb.lifecycle as lifecycle

PACKAGE = "seedance_nb.lifecycle"
FOLDER = Path(lifecycle.__file__).parent


def _module_name(path: Path) -> str:
    return PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute dotted name an ``ImportFrom`` reads from (relative ones resolved)."""
    if node.level == 0:
        return node.module or ""
    package = module if module == PACKAGE else module.rsplit(".", 1)[0]
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph(folder: Path = FOLDER) -> dict[str, set[str]]:
    """Module -> the lifecycle modules it imports anywhere in its source."""
    modules = {_module_name(p): p for p in sorted(folder.glob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, node)
                # ``from . import runner`` imports the module runner; ``from .task import Task``
                # imports the module task.
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                    for alias in node.names
                ]
            for target in targets:
                if target in modules and target != name and target != PACKAGE:
                    graph[name].add(target)
                elif target == PACKAGE and name != PACKAGE:
                    graph[name].add(PACKAGE)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _short(name: str) -> str:
    return name.removeprefix(PACKAGE + ".") or "__init__"


def test_the_graph_finder_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checker itself: a cycle through a TYPE_CHECKING import and a function-local one is
    found, and a tree without one passes."""
    (tmp_path / "__init__.py").write_text("from .a import A\n")
    (tmp_path / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\nA = 1\n"
    )
    (tmp_path / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    graph = import_graph(tmp_path)
    assert find_cycle(graph) is not None
    (tmp_path / "b.py").write_text("def f():\n    import json\n    return json\n")
    assert find_cycle(import_graph(tmp_path)) is None


def test_no_import_cycle_among_lifecycle_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "lifecycle modules import one another in a circle: " + " -> ".join(
        _short(m) for m in cycle
    )


def test_only_the_package_imports_the_manager() -> None:
    graph = import_graph()
    importers = sorted(
        _short(m) for m, deps in graph.items() if f"{PACKAGE}.manager" in deps and m != PACKAGE
    )
    assert importers == [], (
        f"{', '.join(importers)} import(s) lifecycle/manager.py; workers get what they need "
        "handed in (see lifecycle/context.py) instead"
    )


def test_no_lifecycle_module_imports_the_package_itself() -> None:
    """``from . import x`` is fine; ``from seedance_nb.lifecycle import get_manager`` inside the
    package would make the package's ``__init__`` (which imports the manager) a dependency."""
    graph = import_graph()
    importers = sorted(_short(m) for m, deps in graph.items() if PACKAGE in deps)
    assert importers == []

"""The rooms of bridge/ import one way: no module imports itself back through others, and no room
reaches up into the rooms built on it (docs/architecture.md, "The rooms").

Every import counts, the ones inside functions and under ``TYPE_CHECKING`` too: a cycle hidden in a
function only fails when the modules load in a new order, and a lower room that names a higher
room's types changes whenever that room does.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BRIDGE = ROOT / "bridge"

#: room → rooms it must never import (a room is a folder of bridge/, or a top-level module such as cli).
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset({"adapters", "cycle", "commands", "cli", "app", "sandbox", "photos", "service"}),
    "adapters": frozenset({"cycle", "commands", "cli", "app", "sandbox", "photos", "service"}),
    "cycle": frozenset({"commands", "cli"}),
    "commands": frozenset({"cli"}),
    "photos": frozenset({"cycle", "commands", "cli", "sandbox"}),
    "sandbox": frozenset({"commands", "cycle", "cli"}),
    "service": frozenset({"commands", "cli"}),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(BRIDGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The bridge modules ``name`` imports anywhere in its file, with the line of each import."""
    modules = _modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([base] if base else [])])
            # `from bridge.x import y` imports the module bridge.x.y when there is one, else bridge.x
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                yield target, node.lineno


@cache
def _graph() -> dict[str, dict[str, int]]:
    """module → {module it imports: line of the first such import}."""
    graph: dict[str, dict[str, int]] = {}
    for name, path in _modules().items():
        edges: dict[str, int] = {}
        for target, line in _imports(name, path):
            edges.setdefault(target, line)
        graph[name] = edges
    return graph


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (as a path that ends where it starts) per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_round(graph, group) for group in groups]


def _path_round(graph: dict[str, dict[str, int]], group: set[str]) -> list[str]:
    """A shortest path inside ``group`` from its first module back to itself."""
    start = min(group)
    came = {start: start}
    queue = [start]
    for v in queue:  # breadth first: the queue grows as it is walked
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(came[path[-1]])
                return [*reversed(path), start]
            if w in group and w not in came:
                came[w] = v
                queue.append(w)
    return sorted(group)


def test_the_graph_sees_function_level_imports() -> None:
    """Without this, a cycle hidden inside a function (as cli → demo → check → cli was) passes unseen."""
    graph = _graph()
    assert "bridge.service.ledger_folder" in graph["bridge.cli"]  # imported inside _require_ledger_folder
    assert "bridge.commands.report_pdf" in graph["bridge.commands.report"]  # imported inside a function
    assert _cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c", "a"]]


def test_no_module_imports_itself_back_through_others() -> None:
    """An import cycle crashes a command with ImportError once modules load in a new order, and ties rooms together."""
    graph = _graph()
    found = [" -> ".join(cycle) for cycle in _cycles(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_never_imports_the_rooms_built_on_it(room: str) -> None:
    """A lower room reaching up (core into adapters, the cycle into commands) makes a change above break what lies below."""
    graph = _graph()
    wrong = [
        f"{_modules()[module].relative_to(ROOT)}:{line} imports {target}"
        for module, edges in sorted(graph.items()) if _room(module) == room
        for target, line in sorted(edges.items()) if _room(target) in FORBIDDEN[room]
    ]
    assert not wrong, f"{room} reaches up:\n" + "\n".join(wrong)

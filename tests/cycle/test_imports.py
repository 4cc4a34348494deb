"""The cycle's steps depend on their context, not on the wiring that builds it (issue 22)."""

from __future__ import annotations

import ast
from pathlib import Path

import bridge.cycle

CYCLE = Path(bridge.cycle.__file__).parent


def _imported_modules(tree: ast.AST) -> set[str]:
    """Every module an ``import`` anywhere in the tree names (function-level imports too), absolute."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # a relative import inside bridge/cycle: level 1 is bridge.cycle, level 2 is bridge
            base = "bridge.cycle" if node.level == 1 else "bridge" if node.level == 2 else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_cycle_module_imports_the_wiring() -> None:
    """A cycle step importing bridge.app would tie every step to how production connects to Google."""
    offenders = sorted(
        path.name
        for path in CYCLE.glob("*.py")
        if any(m == "bridge.app" or m.startswith("bridge.app.") for m in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))))
    )
    assert offenders == []
    assert len(list(CYCLE.glob("*.py"))) > 20  # the check read the real package


def test_the_check_sees_every_spelling_of_the_import() -> None:
    """The import-graph check would pass silently if it missed a spelling of importing the wiring."""
    for source in ("from bridge.app import build_deps", "import bridge.app", "from bridge import app",
                   "from .. import app", "from ..app import build_deps", "def f():\n    from bridge.app import x\n"):
        assert "bridge.app" in _imported_modules(ast.parse(source)), source

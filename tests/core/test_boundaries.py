"""The core stays pure: no Google library, HTTP client or network code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bridge" / "core"
FORBIDDEN = ("google", "googleapiclient", "gspread", "requests", "httpx", "httplib2", "urllib.request", "socket", "http.client", "sqlite3")


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_modules_import_no_io_libraries(module: Path) -> None:
    """Core logic could start calling Google mid-validation, making cycles slow and tests flaky."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    bad = [n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == []

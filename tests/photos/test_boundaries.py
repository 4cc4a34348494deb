"""photos/ keeps its pure parts apart from its I/O steps: bytes and settings in, decisions and bytes out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PHOTOS = Path(__file__).resolve().parents[2] / "bridge" / "photos"
#: Modules that judge and make photos without Drive, the ledger, a network or a file.
PURE = ("process.py", "rules.py")
#: What a pure module may import from the bridge.
ALLOWED = ("bridge.core", "bridge.exceptions", "bridge.config", "bridge.photos.process", "bridge.photos.rules")
IO = ("google", "googleapiclient", "requests", "httpx", "urllib.request", "socket", "http.client", "sqlite3")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return names + [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module", PURE)
def test_pure_photo_modules_do_no_io(module: str) -> None:
    """Resizing or judging a photo could start calling Drive or the ledger, and its tests need a sandbox to run."""
    names = _imports(PHOTOS / module)
    assert [n for n in names if n.startswith("bridge.") and not _under(n, ALLOWED)] == []
    assert [n for n in names if _under(n, IO)] == []


def test_only_processing_touches_pixels() -> None:
    """Pillow's decoders (and their memory budget, issue 18) would be reached from I/O code, unchecked."""
    users = sorted(p.name for p in PHOTOS.glob("*.py") if any(_under(n, ("PIL", "pillow_heif")) for n in _imports(p)))
    assert users == ["process.py"]

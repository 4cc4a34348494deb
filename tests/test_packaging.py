"""pyproject.toml lists the packages by hand: a new folder missing there works in the editable
install the tests use and breaks `pip install .` (the deployed way)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bridge").rglob("__init__.py")}
    assert found - listed == set()

"""Each setting's default is declared once, in bridge.config.SPECS (issue 22)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bridge.core import report, validate
from tests.conftest import default_settings


def test_the_cores_rule_objects_have_no_defaults_of_their_own() -> None:
    """A second default in the core would quietly differ from the documented one after a change of either."""
    with pytest.raises(TypeError):
        validate.Rules()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        report.Rules()  # type: ignore[call-arg]


def test_the_rule_objects_are_built_from_the_declared_defaults() -> None:
    """An office that sets no [intake] or [report] value would be checked or ranked by other numbers than documented."""
    settings = default_settings()
    assert settings.validation_rules() == validate.Rules(title_max=150, body_min=50, body_max=20000,
                                                         require_registered_email=True, max_photos=10)
    assert settings.report_rules() == report.Rules(interest_percent=100, power_min=500, influence_min=50,
                                                   weight_published=60, weight_approval=30, weight_comments=10)


#: The dataclasses of bridge/config.py whose fields hold settings declared in SPECS.
SETTINGS_CLASSES = ("Settings", "Letterhead", "PhotoSettings", "NotifySettings", "CoordinationSettings")


def test_the_settings_dataclasses_copy_no_default() -> None:
    """A default typed again beside SPECS would drift from it: `init`'s config and the running bridge would disagree."""
    import bridge.config

    tree = ast.parse(Path(bridge.config.__file__).read_text(encoding="utf-8"))
    literal = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in SETTINGS_CLASSES):
        for stmt in cls.body:
            if not isinstance(stmt, ast.AnnAssign):
                continue
            is_none = isinstance(stmt.value, ast.Constant) and stmt.value.value is None  # None: a path not given
            if isinstance(stmt.value, (ast.Constant, ast.Tuple, ast.List, ast.Dict)) and not is_none:
                literal.append(f"{cls.name}.{ast.unparse(stmt.target)}")
    assert literal == ["Settings.source"]  # "<defaults>": where the values came from, not a setting


def test_a_settings_object_left_to_its_defaults_is_the_declared_one() -> None:
    """A dataclass default taken from the wrong SPECS entry would give a bridge other values than its config says."""
    from dataclasses import MISSING, fields

    from bridge.config import Settings

    declared = default_settings()
    required = {f.name: getattr(declared, f.name) for f in fields(Settings) if f.default is MISSING and f.default_factory is MISSING}
    assert Settings(**required) == declared

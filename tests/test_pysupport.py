"""google.api_core's dated Python-support warning: let through in tests, logged once in production."""

from __future__ import annotations

import logging
import warnings

import pytest

from bridge import pysupport


class _Meta:
    def __init__(self) -> None:
        self.python_support_warning = ""


def _warn_from(module: str) -> None:
    warnings.warn_explicit("You are using a Python version past its end of life.", FutureWarning,
                           filename=f"/x/{module.replace('.', '/')}.py", lineno=1, module=module)


def test_only_the_dated_python_warning_is_let_through() -> None:
    """From mid-2027 every test folder would fail at collection, or other warnings would pass unseen."""
    with warnings.catch_warnings(record=True) as caught:  # keeps pyproject's filters, records instead of printing
        _warn_from(pysupport.WARNING_MODULE)  # not an error
    assert len(caught) == 1
    with pytest.raises(FutureWarning):
        _warn_from("google.api_core.retry")


def test_the_held_warning_is_logged_once_per_state_file(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """IT staff would see the same Python warning on every command run by the timer."""
    monkeypatch.setattr(pysupport, "_held", ["Python 3.11 past its end of life"])
    meta = _Meta()
    with caplog.at_level(logging.WARNING, logger="bridge.python"):
        assert pysupport.log_held_warning(meta) is True
        assert pysupport.log_held_warning(meta) is False
        assert pysupport.log_held_warning(_Meta()) is True  # another state file: another server
        monkeypatch.setattr(pysupport, "_held", ["Python 3.11 is not supported"])
        assert pysupport.log_held_warning(meta) is True  # Google's words changed: say it again
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3 and "supports Python 3.11 to 3.13" in lines[0]


def test_nothing_held_nothing_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    """A supported Python would still get a warning line."""
    monkeypatch.setattr(pysupport, "_held", [])
    assert pysupport.log_held_warning(_Meta()) is False

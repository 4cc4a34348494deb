"""Logs: one line per event, and never a token."""

from __future__ import annotations

import json
import logging

from bridge.logs import JsonFormatter, TextFormatter, redact


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("bridge.test", logging.INFO, __file__, 1, message, None, None)


def test_tokens_are_redacted() -> None:
    """An access token in an error message never reaches the journal."""
    text = redact('failed with Bearer ya29.a0AfH6SMB and {"refresh_token": "1//xyz"}')
    assert "ya29" not in text and "1//xyz" not in text


def test_one_line_per_event() -> None:
    """A multi-line message stays on one line so `journalctl` and grep work."""
    assert "\n" not in TextFormatter().format(_record("a\nb"))


def test_json_format() -> None:
    """log_format = "json" gives machine-readable lines."""
    data = json.loads(JsonFormatter().format(_record("cycle done")))
    assert data["message"] == "cycle done" and data["level"] == "info"

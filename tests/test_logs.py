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


def test_tokens_are_redacted_in_repr_and_form_encoded_messages() -> None:
    """A refresh token printed as a Python dict or a form body (as oauthlib and requests show them) reached the journal."""
    for message in ("token refresh failed: {'refresh_token': '1//repr-secret', 'client_secret': 'GOCSPX-repr'}",
                    "POST body grant_type=refresh_token&refresh_token=1//form-secret&client_secret=GOCSPX-form",
                    'saved {"access_token": "ya29.json", "refresh_token": "1//json-\\"secret"}',
                    "retrying access_token=ya29x.query-secret; refresh_token='1//q'"):
        line = TextFormatter().format(_record(message))
        assert not any(s in line for s in ("secret", "GOCSPX", "1//", "ya29")), line
        assert not any(s in JsonFormatter().format(_record(message)) for s in ("secret", "GOCSPX", "1//", "ya29"))
    assert redact("grant_type=refresh_token&code=x") == "grant_type=refresh_token&code=x"  # the grant's name is no secret


def test_control_characters_are_escaped_in_text_logs() -> None:
    """An officer-typed ID with a carriage return or an ANSI escape rewrote the journal line on a terminal."""
    line = TextFormatter().format(_record("row KIM-1\rFAKE: all good \x1b[2J\x1b[31mred\u202egnp.exe\u2028x\x85y\tz"))
    assert line.endswith("row KIM-1\\x0dFAKE: all good \\x1b[2J\\x1b[31mred\\u202egnp.exe\\u2028x\\x85y\\x09z")
    assert all(ch.isprintable() for ch in line)


def test_json_lines_escape_every_control_character_and_redact_fields() -> None:
    """With log_format = "json", a bidi override or C1 character in a file name reordered the line in a log viewer,
    and a token passed as a structured field reached the journal."""
    record = _record("photo gnp\u202e.exe\x85 \u2028next")
    record.fields = {"note": "refresh_token=1//field-secret", "rows": 3}
    line = JsonFormatter().format(record)
    assert all(ch.isprintable() for ch in line) and "1//" not in line
    data = json.loads(line)
    assert data["message"] == "photo gnp\u202e.exe\x85 \u2028next" and data["rows"] == 3

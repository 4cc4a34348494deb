"""Logging: one line per event, plain text or JSON; tokens never appear."""

from __future__ import annotations

import json
import logging
import re
import sys
import unicodedata
from datetime import UTC, datetime

_KEYS = r"(?:access_token|refresh_token|id_token|client_secret)"
# The same secret in the three shapes it reaches a message in: JSON ("key": "v"), a Python repr of
# a dict ('key': 'v', as an exception prints it) and a form-encoded body or query (key=v&..., or key='v' as keyword arguments print),
# besides a bare access token or an Authorization header.
_SECRET = re.compile(
    r"ya29\.[\w\-.]+"
    r"|Bearer\s+[\w\-.~+/=]+"
    rf"|([\"']){_KEYS}\1\s*:\s*(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    rf"|\b{_KEYS}=(?:\"[^\"]*\"|'[^']*'|[^&\s\"',;]*)"
)


def redact(text: str) -> str:
    """Hide anything that looks like an OAuth token or client secret."""
    return _SECRET.sub("[redacted]", text)


# Bidirectional overrides and isolates reorder what a terminal shows, as a control character would.
_BIDI = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """One visible line: a newline becomes `` | ``, every other control character (``\\r``, ESC of
    an ANSI sequence, C1, line separators, bidi overrides) its ``\\xNN``/``\\uNNNN`` escape, so text
    typed by an officer or carried by an upload's file name cannot rewrite or hide a log line."""
    out = []
    for char in text.replace("\r\n", "\n"):
        if char == "\n":
            out.append(" | ")
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp") or ord(char) in _BIDI:
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            message += "\n" + self.formatException(record.exc_info)
        return redact(escape_controls(f"{when} {record.levelname:<7} {record.name}: {message}"))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update({k: redact(v) if isinstance(v, str) else v for k, v in fields.items()})
        if record.exc_info and record.levelno >= logging.ERROR:
            data["error"] = redact(self.formatException(record.exc_info))
        return _json_line(json.dumps(data, ensure_ascii=False, default=str))


def _json_line(text: str) -> str:
    """JSON escapes C0 controls itself; C1, line separators and bidi overrides are escaped too (they can
    only stand inside strings, where ``\\uNNNN`` means the same), so a log viewer shows one honest line."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Zl", "Zp") or ord(c) in _BIDI else c for c in text
    )


def setup_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Send the bridge's logs to stderr, one line per event."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("googleapiclient.discovery", "googleapiclient.discovery_cache", "urllib3", "apscheduler.executors", "apscheduler.scheduler", "google_auth_httplib2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

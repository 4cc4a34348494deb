"""Logging: one line per event, plain text or JSON; tokens never appear."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

_SECRET = re.compile(r"(ya29\.[\w\-.]+|Bearer\s+[\w\-.]+|\"(?:access_token|refresh_token|client_secret)\"\s*:\s*\"[^\"]*\")")


def redact(text: str) -> str:
    """Hide anything that looks like an OAuth token or client secret."""
    return _SECRET.sub("[redacted]", text)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        return redact(f"{when} {record.levelname:<7} {record.name}: {message}".replace("\n", " | "))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info and record.levelno >= logging.ERROR:
            data["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Send the bridge's logs to stderr, one line per event."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("googleapiclient.discovery", "googleapiclient.discovery_cache", "urllib3", "apscheduler.executors", "apscheduler.scheduler", "google_auth_httplib2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

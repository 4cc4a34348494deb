"""Shared bits of the sandbox handlers: request context, raw responses, partial-response masks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.sandbox.errors import bad_request
from bridge.sandbox.state import SandboxState


@dataclass
class Ctx:
    """One validated API request, as handlers see it."""

    state: SandboxState
    method_id: str
    params: dict[str, Any]
    body: Any = None
    raw_body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    upload: bool = False
    #: The Google account the bearer token belongs to (Drive ACLs, protected ranges).
    account: str = ""


@dataclass
class Raw:
    """A non-JSON (or header-carrying) response."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


def _parse_mask(text: str, i: int = 0, closing: bool = False) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    name = ""

    def add(path: str, sub: dict[str, Any] | None) -> None:
        parts = [p for p in path.replace(".", "/").split("/") if p]
        if not parts:
            return
        node = tree
        for p in parts[:-1]:
            nxt = node.get(p)
            if nxt is None and p in node:
                return  # already selected whole
            node = node.setdefault(p, {})
        last = parts[-1]
        if sub is None or (last in node and node[last] is None):
            node[last] = None
        else:
            existing = node.get(last) or {}
            existing.update(sub)
            node[last] = existing

    while i < len(text):
        ch = text[i]
        if ch == ",":
            add(name.strip(), None)
            name = ""
            i += 1
        elif ch == "(":
            sub, i = _parse_mask(text, i + 1, True)
            add(name.strip(), sub)
            name = ""
            if i < len(text) and text[i] == ",":
                i += 1
        elif ch == ")":
            if not closing:
                raise bad_request(f"Invalid field selection {text}")
            add(name.strip(), None)
            return tree, i + 1
        else:
            name += ch
            i += 1
    if closing:
        raise bad_request(f"Invalid field selection {text}")
    add(name.strip(), None)
    return tree, i


def parse_fields(text: str | None) -> dict[str, Any] | None:
    """``"sheets.properties,properties(title)"`` -> a selection tree; None = everything."""
    if not text or text.strip() in ("*", ""):
        return None
    tree, _ = _parse_mask(text.strip())
    return tree


def apply_fields(value: Any, tree: dict[str, Any] | None) -> Any:
    """Keep only the selected fields (Google's partial response)."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_fields(v, tree) for v in value]
    if isinstance(value, dict):
        if "*" in tree:
            return value
        out = {}
        for key, sub in tree.items():
            if key in value:
                out[key] = apply_fields(value[key], sub)
        return out
    return value

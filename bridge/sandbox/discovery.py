"""Route and validate requests against the discovery documents shipped with google-api-python-client.

Every method of Sheets v4, Blogger v3 and Drive v3 becomes a route (HTTP method +
path with the service path, plus the media-upload paths). :func:`match` finds the
method, checks the query parameters (declared, enum values, integer/boolean
formats, repetition, required) and the JSON body (every field known in the
request schema, recursively), and raises Google-shaped 400/404 errors otherwise.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bridge.sandbox.errors import ApiError, bad_request

SERVICES = ("sheets.v4", "blogger.v3", "drive.v3", "gmail.v1")


def _documents_dir() -> Path:
    import googleapiclient

    return Path(googleapiclient.__file__).resolve().parent / "discovery_cache" / "documents"


@cache
def load_document(name: str) -> dict[str, Any]:
    """The bundled discovery document, e.g. ``load_document("sheets.v4")``."""
    return json.loads((_documents_dir() / f"{name}.json").read_text(encoding="utf-8"))


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclass
class Route:
    http_method: str
    template: str
    regex: re.Pattern[str]
    names: list[str]
    method_id: str
    desc: dict[str, Any]
    doc: dict[str, Any]
    upload: bool = False
    literal: int = 0


@dataclass
class Match:
    """A validated request: discovery method id, parameters (path + query, typed), body."""

    method_id: str
    params: dict[str, Any]
    route: Route
    upload: bool = False
    raw_query: dict[str, list[str]] = field(default_factory=dict)


def _compile(template: str) -> tuple[re.Pattern[str], list[str], int]:
    names: list[str] = []
    pattern = ""
    literal = 0
    pos = 0
    for m in re.finditer(r"\{(\+?)([^}]+)\}", template):
        lit = template[pos : m.start()]
        pattern += re.escape(lit)
        literal += len(lit)
        names.append(m.group(2))
        pattern += f"(?P<p{len(names) - 1}>.+)" if m.group(1) else f"(?P<p{len(names) - 1}>[^/]+)"
        pos = m.end()
    tail = template[pos:]
    pattern += re.escape(tail)
    literal += len(tail)
    return re.compile("^" + pattern + "$"), names, literal


def _walk(resource: dict[str, Any]) -> Any:
    yield from resource.get("methods", {}).values()
    for sub in resource.get("resources", {}).values():
        yield from _walk(sub)


@cache
def routes() -> tuple[Route, ...]:
    """All routes, most specific (longest literal text) first."""
    out: list[Route] = []
    for name in SERVICES:
        doc = load_document(name)
        base = "/" + doc.get("servicePath", "")
        for desc in _walk(doc):
            templates = [(base + desc["path"], False)]
            protocols = desc.get("mediaUpload", {}).get("protocols", {})
            for proto in ("simple", "resumable"):
                if proto in protocols:
                    templates.append((protocols[proto]["path"], True))
            for template, upload in templates:
                regex, names, literal = _compile(template)
                out.append(Route(desc["httpMethod"], template, regex, names, desc["id"], desc, doc, upload, literal))
    out.sort(key=lambda r: -r.literal)
    return tuple(out)


def _check_value(name: str, spec: dict[str, Any], value: str) -> Any:
    kind = spec.get("type", "string")
    if "enum" in spec and value not in spec["enum"]:
        raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_ENUM), \"{value}\"")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_INT32), \"{value}\"") from None
        if "minimum" in spec and number < int(spec["minimum"]):
            raise bad_request(f"Invalid value at '{snake(name)}': {number} is below the minimum {spec['minimum']}")
        if "maximum" in spec and number > int(spec["maximum"]):
            raise bad_request(f"Invalid value at '{snake(name)}': {number} is above the maximum {spec['maximum']}")
        return number
    if kind == "boolean":
        low = value.lower()
        if low not in ("true", "false"):
            raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_BOOL), \"{value}\"")
        return low == "true"
    return value


def _check_query(route: Route, query: dict[str, list[str]]) -> dict[str, Any]:
    declared = dict(route.doc.get("parameters", {}))
    declared.update({k: v for k, v in route.desc.get("parameters", {}).items() if v.get("location") == "query"})
    out: dict[str, Any] = {}
    for name, values in query.items():
        spec = declared.get(name)
        if spec is None:
            raise bad_request(
                f"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. "
                f"Field '{name}' could not be found in request message."
            )
        if len(values) > 1 and not spec.get("repeated"):
            raise bad_request(
                f"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. "
                f"'{name}' is not a repeated field, but was given {len(values)} times."
            )
        checked = [_check_value(name, spec, v) for v in values]
        out[name] = checked if spec.get("repeated") else checked[0]
    for name, spec in route.desc.get("parameters", {}).items():
        if spec.get("required") and spec.get("location") == "query" and name not in out:
            raise bad_request(f"Required parameter missing: {name}")
    return out


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 50:
        schema = doc["schemas"][schema["$ref"]]
        seen += 1
    return schema


def _where(path: str) -> str:
    return f" at '{path}'" if path else ""


def check_body(doc: dict[str, Any], schema: dict[str, Any], value: Any, path: str = "") -> None:
    """Raise Google's 400 for any field not declared in ``schema`` (recursively)."""
    schema = _resolve(doc, schema)
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if value is None or kind == "any":
        return
    if kind == "array":
        if not isinstance(value, list):
            raise bad_request(f"Invalid JSON payload received. Proto field{_where(path)} is repeated, got a {type(value).__name__}.")
        for i, item in enumerate(value):
            check_body(doc, schema.get("items", {}), item, f"{path}[{i}]")
        return
    if kind == "object":
        if not isinstance(value, dict):
            raise bad_request(f"Invalid JSON payload received. Expected an object{_where(path)}, got {json.dumps(value)[:60]}.")
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if props is None and extra is None:
            return
        for key, item in value.items():
            if props and key in props:
                check_body(doc, props[key], item, f"{path}.{snake(key)}" if path else snake(key))
            elif extra is not None:
                check_body(doc, extra, item, f"{path}[{key!r}]" if path else key)
            else:
                raise bad_request(f"Invalid JSON payload received. Unknown name \"{key}\"{_where(path)}: Cannot find field.")
        return
    if kind in ("string", "integer", "number", "boolean") and isinstance(value, (dict, list)):
        raise bad_request(
            f"Invalid JSON payload received. Unknown name{_where(path)}: Proto field is not repeating, cannot start list."
            if isinstance(value, list)
            else f"Invalid JSON payload received. Expected a {kind}{_where(path)}, got an object."
        )


def match(http_method: str, raw_path: str, query: dict[str, list[str]]) -> Match:
    """Find the discovery method for a request and validate its query parameters.

    Raises:
        ApiError: 404 for an unknown method/path, 400 for invalid parameters.
    """
    path_hit = False
    for route in routes():
        m = route.regex.match(raw_path)
        if not m:
            continue
        path_hit = True
        if route.http_method != http_method:
            continue
        params: dict[str, Any] = {}
        for i, name in enumerate(route.names):
            params[name] = urllib.parse.unquote(m.group(f"p{i}"))
        params.update(_check_query(route, query))
        return Match(route.method_id, params, route, route.upload, query)
    if path_hit:
        raise ApiError(404, f"Method {http_method} is not allowed for {raw_path}: no such method.")
    raise ApiError(404, f"The requested URL {raw_path} was not found on this server.")


def check_request_body(route: Route, body: Any) -> None:
    """Validate a JSON request body against the method's request schema."""
    req = route.desc.get("request")
    if req is None or body is None:
        return
    check_body(route.doc, req, body)


def schema(service: str, name: str) -> dict[str, Any]:
    doc = load_document(service)
    return doc["schemas"][name]


__all__ = ["Match", "Route", "match", "check_request_body", "check_body", "load_document", "routes", "schema"]

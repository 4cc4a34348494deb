"""The sandbox HTTP server: Sheets v4 + Blogger v3 + Drive v3 wire protocol on one local port.

Google API paths are routed and validated with the bundled discovery documents
(:mod:`bridge.sandbox.discovery`), need ``Authorization: Bearer <token>`` with a token the
sandbox issued (:mod:`bridge.sandbox.oauth`; any other, or one listed in ``auth.rejected_tokens``,
gets 401) and answer with Google's JSON and error shapes. Methods declared by Google but not
modelled answer 501.

Every request must name the sandbox in ``Host:`` as the address it listens on (``localhost`` too
on loopback), else 421: a web page that rebinds its own name to 127.0.0.1 (DNS rebinding) cannot
read or drive the sandbox through the office worker's browser.

Admin endpoints (not counted in stats). Those that change something (``POST /_sandbox/*`` but the webhook sink)
need the per-run admin token in an ``X-Sandbox-Admin`` header (403 without it): a custom header a
cross-site form or ``fetch`` cannot send without the sandbox's consent (CORS preflight, which it
never grants), and a token another machine on the network cannot guess. The token is printed at
start and written into the config the sandbox writes; in-process users have ``server.admin_token``.

* ``GET /`` and ``GET /p/{postId}`` - HTML preview of the blogs' LIVE posts;
* ``GET /_sandbox/files/{id}`` - a Drive file's bytes if shared with ``anyone`` (else 403);
* ``GET /_sandbox/stats``, ``POST /_sandbox/reset-stats`` - requests/bytes per method;
* ``GET|POST /_sandbox/faults`` - ``{"rate", "codes", "latency_ms", "after_rate", "seed", "reason"}``
  (``reason``: the error reason injected faults carry, e.g. ``userRateLimitExceeded`` for a Drive or
  Blogger 403, ``RATE_LIMIT_EXCEEDED`` as the Sheets ErrorInfo reason);
  and ``"targets"``: faults for one method's n-th call, e.g. ``{"method": "sheets.spreadsheets.batchUpdate",
  "contains": "deleteDimension", "nth": 1, "times": 1, "code": 429, "when": "after"}`` (see ``TARGET_KEYS``);
  ``POST /_sandbox/faults/targets`` adds one target and keeps the rest;
* ``GET|POST /_sandbox/clock`` - the sandbox's time; POST ``{"advance_seconds": n}`` or ``{"set": "<ISO time>"}``
  moves it (a bridge with ``[google] sandbox_clock = true`` follows it);
* ``GET|POST /_sandbox/state`` - the whole state JSON (the issued tokens, grants and codes only with
  the admin token: they are credentials);
* ``GET /_sandbox/outbox`` - messages sent through Gmail ``users.messages.send`` and the webhook sink;
* ``POST /_sandbox/webhook/{name}`` - a local webhook sink (Apprise ``json://``), kept in the outbox
  (the one POST that needs no admin token: the bridge's notifier posts there, as to a real webhook).

``POST /token`` is Google's OAuth 2.0 token endpoint (refresh grants), see :mod:`bridge.sandbox.oauth`;
which account a bearer token belongs to, and when it expires, is decided there too.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import hmac
import html
import json
import os
import random
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bridge.clock import Clock, OffsetClock, system_clock
from bridge.core.review_machine import PostState
from bridge.sandbox import blogger, discovery, drive, gmail, oauth, preview_sheet, sheets
from bridge.sandbox.common import Ctx, Raw
from bridge.sandbox.errors import ApiError, api_of, bad_request
from bridge.sandbox.state import NotFound, SandboxState

HANDLERS: dict[str, Callable[[Ctx], Any]] = {**sheets.HANDLERS, **blogger.HANDLERS, **drive.HANDLERS, **gmail.HANDLERS}
#: The header that carries the per-run admin token (POST /_sandbox/*).
ADMIN_HEADER = "X-Sandbox-Admin"
DEFAULT_FAULTS: dict[str, Any] = {"rate": 0.0, "codes": [429, 500, 503], "latency_ms": 0, "after_rate": 0.0, "seed": None,
                                  "reason": None, "targets": []}
#: One targeted fault: the ``nth`` call (counted from when it was set) of ``method`` whose request
#: body contains ``contains`` fails with ``code``, ``times`` times in a row, ``when`` "before" the
#: change is applied (nothing happens, as Google's 429) or "after" (applied, then the answer is an
#: error, as a 5xx whose work was done).
TARGET_KEYS = {"method": "", "contains": "", "nth": 1, "times": 1, "code": 429, "when": "before", "reason": None}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: SandboxServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (or is killed) mid-request is normal, not an error."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # header and body go out in separate writes; avoid Nagle + delayed-ACK stalls
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        """Every Google answer carries Google's time in ``Date`` (RFC 9110 6.6.1, IMF-fixdate, GMT);
        the sandbox tells its own injectable clock's, so a test can set the server's clock apart
        from Google's (issue 17: a server clock hours fast)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = self.server.sandbox.state.now().astimezone(UTC)
        return email.utils.format_datetime(now, usegmt=True)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802 - http.server's name
        self._handle("PUT")

    def do_PATCH(self) -> None:  # noqa: N802 - http.server's name
        self._handle("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802 - http.server's name
        self._handle("DELETE")

    # -- plumbing ------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    #: The API method an answer is counted under; counted *before* the answer leaves, so a
    #: client that reads the stats right after its call always sees that call counted.
    _count_as: str | None = None

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> int:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self._count_as is not None:
            self.server.sandbox.count(self._count_as, len(body))
            self._count_as = None
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return len(body)

    def _send_json(self, status: int, obj: Any, pretty: bool = True, headers: dict[str, str] | None = None) -> int:
        # Google indents its JSON answers by two spaces unless the request says prettyPrint=false
        # ("Returns response with indentations and line breaks", a standard parameter of every API,
        # https://cloud.google.com/apis/docs/system-parameters); then the answer is one line with no
        # whitespace between tokens, as googleapis.com answers (e.g. discovery/v1/apis?prettyPrint=false).
        layout: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
        try:
            body = (json.dumps(obj, ensure_ascii=False, **layout) + "\n").encode("utf-8")
        except UnicodeEncodeError:
            # A cell may hold a lone UTF-16 surrogate (Sheets keeps text as UTF-16; Apps Script can
            # write "\uD800"). UTF-8 cannot carry it, JSON can as an escape: RFC 8259, section 8.2
            # ("Unicode Characters") names "\uDEAD" as a string JSON allows, and Python's decoder
            # (the clients') turns it into a lone surrogate. The worst case reaches the bridge (issue 18).
            body = (json.dumps(obj, ensure_ascii=True, **layout) + "\n").encode("ascii")
        return self._send(status, body, "application/json; charset=UTF-8", headers)

    def _handle(self, method: str) -> None:
        sb = self.server.sandbox
        parsed = urllib.parse.urlsplit(self.path)
        raw_path = parsed.path
        query: dict[str, list[str]] = {}
        for k, v in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
            query.setdefault(k, []).append(v)
        body = self._read_body()
        host = self.headers.get("Host")
        self.base_url = f"http://{host}" if host else sb.url
        try:
            if not self._host_allowed(host):
                self._send(421, b"Misdirected request: this sandbox answers only at its own address.\n",
                           "text/plain; charset=utf-8")
                return
            if raw_path == "/o/oauth2/auth" and method == "GET":
                status, location = oauth.authorize(sb.state, {k: v[0] for k, v in query.items()})
                if status == 302:
                    self._send(302, b"", "text/html; charset=utf-8", {"Location": location})
                else:
                    self._send_json(400, {"error": "invalid_request", "error_description": "Invalid redirect_uri or response_type."})
            elif raw_path == "/token" and method == "POST":
                status, answer = oauth.token_endpoint(sb.state, body)
                sb.count("oauth2.token", 0)
                sb.persist()
                self._send_json(status, answer)
            elif raw_path == "/" or raw_path.startswith("/_sandbox/") or raw_path.startswith("/p/"):
                self._admin(method, raw_path, query, body)
            else:
                self._api(method, raw_path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _host_allowed(self, host: str | None) -> bool:
        """``Host:`` names this socket's own address and port (``localhost`` too when that is loopback)."""
        if not host:
            return False
        local = self.connection.getsockname()
        address, port = str(local[0]), int(local[1])
        if address.startswith("::ffff:"):  # an IPv4 client on a dual-stack socket
            address = address[len("::ffff:"):]
        names = {f"[{address}]" if ":" in address else address}
        if address.startswith("127.") or address == "::1":
            names.add("localhost")
        allowed = {f"{name}:{port}" for name in names} | (names if port == 80 else set())
        return host.strip().lower() in allowed

    def _admin_allowed(self) -> bool:
        given = self.headers.get(ADMIN_HEADER, "")
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.server.sandbox.admin_token.encode("utf-8"))

    # -- admin ----------------------------------------------------------------
    def _admin(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        changes = path.startswith("/_sandbox/") and method != "GET" and not path.startswith("/_sandbox/webhook/")
        if changes and not self._admin_allowed():
            self._send_json(403, ApiError(403, f"Changing the sandbox needs its admin token in the {ADMIN_HEADER} header "
                                               "(printed when the sandbox started, and in the config it wrote).").body())
            return
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
        except ValueError:
            self._send_json(400, bad_request("Invalid JSON body.").body())
            return
        route = _ADMIN_ROUTES.get((method, path))
        if route is None:
            route = next((r for (m, prefix), r in _ADMIN_PREFIXES.items() if m == method and path.startswith(prefix)), None)
        if route is None:
            self._send_json(404, ApiError(404, f"The requested URL {path} was not found on this server.").body())
            return
        route(self, path, query, payload)

    def _admin_preview(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        tab = query.get("tab", [None])[0]
        self._send(200, render_preview(self.server.sandbox.state, tab=tab).encode("utf-8"), "text/html; charset=utf-8")

    def _admin_post_page(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        page = render_preview(self.server.sandbox.state, post_id=urllib.parse.unquote(path[len("/p/"):]))
        self._send(200 if page else 404, (page or "<h1>404</h1>").encode("utf-8"), "text/html; charset=utf-8")

    def _admin_file(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        state = self.server.sandbox.state
        fid = urllib.parse.unquote(path[len("/_sandbox/files/"):])
        with state.lock:
            try:
                record = state.drive_file(fid)
            except NotFound:
                self._send_json(404, ApiError(404, f"File not found: {fid}.").body())
                return
            if not drive.is_public(record):
                self._send_json(403, ApiError(403, "The file is not shared publicly (no 'anyone' permission).").body())
                return
            data, ctype = drive.content(record), record.get("mimeType", "application/octet-stream")
        self._send(200, data, ctype, {"Cache-Control": "public, max-age=86400"})

    def _admin_stats(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        self._send_json(200, self.server.sandbox.stats())

    def _admin_reset_stats(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        self.server.sandbox.reset_stats()
        self._send_json(200, self.server.sandbox.stats())

    def _admin_faults(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        self._send_json(200, self.server.sandbox.get_faults())

    def _admin_set_faults(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        try:
            self._send_json(200, self.server.sandbox.set_faults(payload))
        except (TypeError, ValueError) as exc:
            self._send_json(400, bad_request(f"Invalid faults: {exc}").body())

    def _admin_add_target(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        try:
            self._send_json(200, self.server.sandbox.add_target(payload))
        except (TypeError, ValueError) as exc:
            self._send_json(400, bad_request(f"Invalid fault target: {exc}").body())

    def _admin_clock(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        self._send_json(200, self.server.sandbox.clock_json())

    def _admin_move_clock(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        try:
            self._send_json(200, self.server.sandbox.move_clock(payload))
        except (TypeError, ValueError) as exc:
            self._send_json(400, bad_request(f"Cannot move the clock: {exc}").body())

    def _admin_outbox(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        self._send_json(200, gmail.outbox(self.server.sandbox.state))

    def _admin_webhook(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        sb = self.server.sandbox
        entry = gmail.webhook(sb.state, urllib.parse.unquote(path[len("/_sandbox/webhook/"):]), payload)
        sb.persist()
        self._send_json(200, entry)

    def _admin_state(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        data = self.server.sandbox.state.to_json()
        if not self._admin_allowed():  # the tokens it issued are credentials: only with the admin token
            auth = data.get("auth", {})
            data["auth"] = {k: v for k, v in auth.items() if k not in ("tokens", "grants", "codes", "config_token")}
        self._send_json(200, data)

    def _admin_replace_state(self, path: str, query: dict[str, list[str]], payload: Any) -> None:
        sb = self.server.sandbox
        sb.state.replace(payload)
        sb.persist()
        self._send_json(200, {"ok": True})

    # -- Google APIs ----------------------------------------------------------------
    def _api(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> None:
        sb = self.server.sandbox
        method_id = "unknown"
        faults = sb.get_faults()
        if faults.get("latency_ms"):
            sb.sleep(float(faults["latency_ms"]) / 1000.0)
        pretty = True
        self._count_as = method_id
        try:
            try:
                if method == "PUT" and path == "/upload/drive/v3/files" and "upload_id" in query:
                    method_id = self._count_as = "drive.files.create"
                    account = self._auth()
                    sb.maybe_fail_before()
                    sb.target_fault(method_id, raw, "before")
                    ctx = Ctx(sb.state, method_id, {}, None, raw, {k.lower(): v for k, v in self.headers.items()}, self.base_url, True,
                              account=account)
                    result = drive.resumable_put(ctx, query["upload_id"][0])
                    sb.persist()
                    sb.target_fault(method_id, raw, "after")
                    self._respond(result, pretty)
                    return
                match = discovery.match(method, path, query)
                method_id = self._count_as = match.method_id
                pretty = match.params.get("prettyPrint", True) is not False
                account = self._auth()
                sb.maybe_fail_before()
                body: Any = None
                if raw and not match.upload:
                    try:
                        body = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError):
                        raise bad_request("Invalid JSON payload received. Unexpected token.") from None
                    discovery.check_request_body(match.route, body)
                sb.target_fault(method_id, raw, "before")
                handler = HANDLERS.get(method_id)
                if handler is None:
                    raise ApiError(501, f"The sandbox does not implement {method_id} ({method} {path}).")
                ctx = Ctx(sb.state, method_id, match.params, body, raw,
                          {k.lower(): v for k, v in self.headers.items()}, self.base_url, match.upload, account=account)
                result = handler(ctx)
                if method != "GET":
                    sb.persist(method_id)
                    sb.maybe_fail_after()
                    sb.target_fault(method_id, raw, "after")
                self._respond(result, pretty)
            except ApiError as exc:
                self._send_json(exc.code, exc.body(api_of(method_id)), pretty, exc.headers)
            except Exception as exc:  # noqa: BLE001 - a sandbox bug must still answer like Google
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                self._send_json(500, ApiError(500, f"Sandbox internal error: {detail}").body(api_of(method_id)))
                if os.environ.get("MYMEIN_SANDBOX_DEBUG"):
                    traceback.print_exc()
        finally:
            if self._count_as is not None:  # no answer went out (the client hung up)
                sb.count(self._count_as, 0)
                self._count_as = None

    def _respond(self, result: Any, pretty: bool) -> int:
        if isinstance(result, Raw):
            return self._send(result.status, result.body, result.content_type, result.headers)
        return self._send_json(200, result if result is not None else {}, pretty)

    def _auth(self) -> str:
        """The account the bearer token belongs to; 401 as Google answers when it has none."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise ApiError(401, "Request is missing required authentication credential. Expected OAuth 2 access token, "
                           "login cookie or other valid authentication credential. "
                           "See https://developers.google.com/identity/sign-in/web/devconsole-project.", reason="required",
                           info_reason="CREDENTIALS_MISSING")
        account, problem = oauth.token_account(self.server.sandbox.state, header[7:].strip())
        if account is None:
            raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                           "login cookie or other valid authentication credential. "
                           "See https://developers.google.com/identity/sign-in/web/devconsole-project.", reason="authError",
                           info_reason="ACCESS_TOKEN_EXPIRED" if problem == "expired" else "ACCESS_TOKEN_TYPE_UNSUPPORTED")
        return account


_AdminRoute = Callable[[_Handler, str, dict[str, list[str]], Any], None]
#: The sandbox's own pages and /_sandbox/* endpoints, by method and exact path.
_ADMIN_ROUTES: dict[tuple[str, str], _AdminRoute] = {
    ("GET", "/"): _Handler._admin_preview,
    ("GET", "/_sandbox/stats"): _Handler._admin_stats,
    ("POST", "/_sandbox/reset-stats"): _Handler._admin_reset_stats,
    ("GET", "/_sandbox/faults"): _Handler._admin_faults,
    ("POST", "/_sandbox/faults"): _Handler._admin_set_faults,
    ("POST", "/_sandbox/faults/targets"): _Handler._admin_add_target,
    ("GET", "/_sandbox/clock"): _Handler._admin_clock,
    ("POST", "/_sandbox/clock"): _Handler._admin_move_clock,
    ("GET", "/_sandbox/outbox"): _Handler._admin_outbox,
    ("GET", "/_sandbox/state"): _Handler._admin_state,
    ("POST", "/_sandbox/state"): _Handler._admin_replace_state,
}
#: ... and by method and path prefix (the rest of the path names the post, file or webhook).
_ADMIN_PREFIXES: dict[tuple[str, str], _AdminRoute] = {
    ("GET", "/p/"): _Handler._admin_post_page,
    ("GET", "/_sandbox/files/"): _Handler._admin_file,
    ("POST", "/_sandbox/webhook/"): _Handler._admin_webhook,
}


class SandboxServer:
    """The local Google stand-in; ``with SandboxServer() as sb: ... sb.url``."""

    def __init__(self, state: SandboxState | None = None, host: str = "127.0.0.1", port: int = 0,
                 state_path: str | None = None, clock: Clock | None = None, admin_token: str | None = None) -> None:
        if state is None:
            if state_path and Path(state_path).exists():
                state = SandboxState.load(state_path)
            else:
                from bridge.sandbox.seed import demo_state

                state = SandboxState.from_json(demo_state())
        if clock is not None:
            state.clock = clock
        elif state.clock is system_clock:
            state.clock = OffsetClock()  # the real time, movable through /_sandbox/clock (soaks)
        self.state = state
        state.journaling = bool(state_path)
        self.host = host
        self.port = port
        self.state_path = state_path
        #: Needed by every request that changes the sandbox over HTTP; new for each run.
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stats: dict[str, Any] = {}
        self._faults: dict[str, Any] = dict(DEFAULT_FAULTS)
        self._rng = random.Random()
        #: How the latency fault waits (real time: it is there to try timeouts); tests record the waits instead.
        self.sleep: Callable[[float], None] = time.sleep
        self.reset_stats()

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> SandboxServer:
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.persist()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.state_path:  # fold the journal in: after a clean stop the state file alone is the state
            with self.state.lock:
                self.state.save(self.state_path)

    def __enter__(self) -> SandboxServer:
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def clock(self) -> Clock:
        """What the sandbox asks for the time; tests hand the same clock to the bridge."""
        return self.state.clock

    @property
    def admin_headers(self) -> dict[str, str]:
        """Headers for an HTTP request that changes the sandbox (``POST /_sandbox/*``)."""
        return {ADMIN_HEADER: self.admin_token}

    @property
    def api_token(self) -> str:
        """A token this sandbox issued for its default account (what ``auth = "sandbox"`` configs carry)."""
        return oauth.config_token(self.state)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def persist(self, method_id: str | None = None) -> None:
        """Save the state to ``state_path`` (if any); the lock keeps snapshots in order.

        After a Sheets write only the rows it changed are appended to the journal
        (``SandboxState.persist``); after anything else the whole state is rewritten.
        """
        if self.state_path:
            with self.state.lock:
                if not (method_id or "").startswith("sheets."):
                    self.state.changed()
                self.state.persist(self.state_path)

    # -- stats ---------------------------------------------------------------
    def count(self, method_id: str, nbytes: int) -> None:
        with self._lock:
            self._stats["requests"] += 1
            self._stats["bytes"] += nbytes
            entry = self._stats["by_method"].setdefault(method_id, {"requests": 0, "bytes": 0})
            entry["requests"] += 1
            entry["bytes"] += nbytes

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return json.loads(json.dumps(self._stats))

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = {"requests": 0, "bytes": 0, "by_method": {}}

    # -- faults --------------------------------------------------------------
    def get_faults(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._faults, targets=[dict(t) for t in self._faults["targets"]])

    def set_faults(self, faults: dict[str, Any]) -> dict[str, Any]:
        """Replace the fault settings (missing keys take their defaults)."""
        new = dict(DEFAULT_FAULTS)
        for key, value in (faults or {}).items():
            if key not in DEFAULT_FAULTS:
                raise ValueError(f"unknown key {key!r}")
            new[key] = value
        new["rate"] = float(new["rate"])
        new["after_rate"] = float(new["after_rate"])
        new["latency_ms"] = float(new["latency_ms"])
        new["codes"] = [int(c) for c in new["codes"]] or [500]
        new["reason"] = str(new["reason"]) if new["reason"] else None
        new["targets"] = [_target(t) for t in new["targets"] or []]
        with self._lock:
            self._faults = new
            self._rng = random.Random(new["seed"]) if new["seed"] is not None else random.Random()
            return dict(new)

    def add_target(self, target: dict[str, Any]) -> dict[str, Any]:
        """Add one targeted fault to those set; returns every fault setting."""
        checked = _target(target)
        with self._lock:
            self._faults = dict(self._faults, targets=[*self._faults["targets"], checked])
            return dict(self._faults)

    def target_fault(self, method_id: str, raw: bytes, when: str) -> None:
        """Fail this call if a target says so (each target counts the calls it matches)."""
        hit: dict[str, Any] | None = None
        with self._lock:
            targets = self._faults["targets"]
            if not targets:
                return
            text: str | None = None
            for t in targets:
                if t["method"] != method_id or t["when"] != when:
                    continue
                if t["contains"]:
                    if text is None:
                        text = raw.decode("utf-8", "replace")
                    if t["contains"] not in text:
                        continue
                t["seen"] += 1
                if hit is None and t["seen"] >= t["nth"] and t["fired"] < t["times"]:
                    t["fired"] += 1
                    hit = t
            self._faults["targets"] = [t for t in targets if t["fired"] < t["times"]]
        if hit is not None:
            code = hit["code"]
            applied = " (after the change was applied)" if when == "after" else ""
            raise ApiError(code, f"Sandbox fault injection{applied}: " + _fault_text(code), reason=hit["reason"],
                           info_reason=hit["reason"])

    # -- clock ---------------------------------------------------------------
    def clock_json(self) -> dict[str, Any]:
        now = self.state.clock()
        return {"now": now.isoformat(), "offset_seconds": (now - system_clock()).total_seconds(),
                "movable": hasattr(self.state.clock, "advance")}

    def move_clock(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Move the sandbox's clock (``advance_seconds``, may be negative, or ``set`` an ISO time)."""
        from datetime import datetime, timedelta

        clock = self.state.clock
        if not (hasattr(clock, "advance") and hasattr(clock, "set")):
            raise ValueError("this sandbox's clock runs on its own and cannot be moved")
        if "set" in payload:
            when = datetime.fromisoformat(str(payload["set"]).replace("Z", "+00:00"))
            if when.tzinfo is None:
                raise ValueError("'set' needs a time with its offset, e.g. 2026-12-03T05:00:00+00:00")
            clock.set(when)
        elif "advance_seconds" in payload:
            clock.advance(timedelta(seconds=float(payload["advance_seconds"])))
        else:
            raise ValueError("give 'advance_seconds' or 'set'")
        return self.clock_json()

    def _roll(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._rng.random() < rate

    def maybe_fail_before(self) -> None:
        faults = self.get_faults()
        if self._roll(faults["rate"]):
            with self._lock:
                code = self._rng.choice(faults["codes"])
            reason = faults.get("reason") or None
            raise ApiError(code, "Sandbox fault injection: " + _fault_text(code), reason=reason, info_reason=reason)

    def maybe_fail_after(self) -> None:
        faults = self.get_faults()
        if self._roll(faults["after_rate"]):
            codes = [c for c in faults["codes"] if c in (500, 503)] or [500, 503]
            with self._lock:
                code = self._rng.choice(codes)
            raise ApiError(code, "Sandbox fault injection (after the change was applied): " + _fault_text(code))


def _target(target: Any) -> dict[str, Any]:
    if not isinstance(target, dict):
        raise ValueError("a target is an object")
    unknown = set(target) - set(TARGET_KEYS) - {"seen", "fired"}
    if unknown:
        raise ValueError(f"unknown target key {sorted(unknown)[0]!r}")
    t = {**TARGET_KEYS, **{k: v for k, v in target.items() if k in TARGET_KEYS}}
    if not str(t["method"]):
        raise ValueError("a target needs 'method', e.g. sheets.spreadsheets.batchUpdate")
    if t["when"] not in ("before", "after"):
        raise ValueError("'when' is before or after")
    return {"method": str(t["method"]), "contains": str(t["contains"] or ""), "nth": max(int(t["nth"]), 1),
            "times": max(int(t["times"]), 1), "code": int(t["code"]), "when": t["when"],
            "reason": str(t["reason"]) if t["reason"] else None, "seen": int(target.get("seen", 0)),
            "fired": int(target.get("fired", 0))}


def _fault_text(code: int) -> str:
    from bridge.sandbox.errors import DEFAULT_MESSAGES

    return DEFAULT_MESSAGES.get(code, "Error")


# -- preview ---------------------------------------------------------------------

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;background:#f3f1ec;color:#222;margin:0}
header{background:#0b5d3b;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.8em}
header p{margin:.3em 0 0;opacity:.85;font-family:sans-serif;font-size:.9em}
main{max-width:760px;margin:1.5em auto;padding:0 1em}
article{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.2em 1.6em;margin-bottom:1.5em}
article h2{margin:.1em 0 .3em}article h2 a{color:#0b5d3b;text-decoration:none}
.meta{font-family:sans-serif;font-size:.82em;color:#666;margin-bottom:.8em}
.label{display:inline-block;background:#e3efe8;color:#0b5d3b;border-radius:3px;padding:0 .45em;margin-right:.3em}
.content img{max-width:100%;height:auto}
.side{display:flex;gap:1.2em;align-items:flex-start;padding:1em}.side .left{flex:1;min-width:0;overflow-x:auto}.side .right{flex:0 0 300px}
.side .right main{margin:0;max-width:none}footer{text-align:center;font-family:sans-serif;font-size:.8em;color:#777;padding:2em}
"""


def _article(post: dict[str, Any], link: bool = True) -> str:
    title = html.escape(post.get("title") or "(tanpa judul)")
    if link:
        title = f'<a href="/p/{html.escape(post["id"])}">{title}</a>'
    labels = "".join(f'<span class="label">{html.escape(str(x))}</span>' for x in post.get("labels", []))
    when = html.escape(str(post.get("published", ""))[:16].replace("T", " "))
    return (f'<article><h2>{title}</h2><div class="meta">Diterbitkan {when} {labels}</div>'
            f'<div class="content">{post.get("content", "")}</div></article>')


def _outbox_html(box: list[dict[str, Any]]) -> str:
    """What operators and officers were sent (Gmail and the webhook sink), newest first."""
    if not box:
        return ""
    items = "".join(
        f'<article><h2>{html.escape(m.get("subject", "") or "(tanpa subjek)")}</h2>'
        f'<div class="meta">{html.escape(m.get("channel", ""))} &rarr; {html.escape(m.get("to", ""))} &middot; '
        f'{html.escape(str(m.get("time", "")))}</div><pre>{html.escape(m.get("body", ""))}</pre></article>'
        for m in reversed(box))
    return f'<main><h1>Kotak keluar (pesan yang dikirim sistem)</h1>{items}</main>'


def render_preview(state: SandboxState, post_id: str | None = None, tab: str | None = None) -> str:
    """The spreadsheet's tabs as tables (``tab`` chosen, default Review) beside the blogs' LIVE
    posts, newest first, as a reader would see them; or one post alone."""
    with state.lock:
        for blog in state.data["blogs"]:
            blogger.promote_due(blog, state.now())  # a reader sees a scheduled post once it is due
        blogs = state.to_json()["blogs"]
    parts = []
    for blog in blogs:
        posts = [p for p in blog["posts"] if p.get("status", PostState.LIVE.value) == PostState.LIVE]
        posts.sort(key=lambda p: str(p.get("published", "")), reverse=True)
        if post_id is not None:
            posts = [p for p in blog["posts"] if p["id"] == post_id]
            if not posts:
                continue
        body = "".join(_article(p, link=post_id is None) for p in posts) or "<p>Belum ada berita.</p>"
        parts.append(
            f"<header><h1>{html.escape(blog.get('name', ''))}</h1>"
            f"<p>{html.escape(blog.get('url', ''))} &middot; pratinjau sandbox (bukan situs asli)</p></header>"
            f"<main>{body}</main>"
        )
    if post_id is not None and not parts:
        return ""
    blog_html = "".join(parts) or "<main><p>Belum ada blog.</p></main>"
    if post_id is None:
        sheet_html = preview_sheet.render_tabs(state.to_json(), tab)
        if sheet_html:
            blog_html = (f'<div class="side"><div class="left">{sheet_html}</div>'
                         f'<div class="right">{blog_html}</div></div>')
    if post_id is None:
        blog_html += _outbox_html(gmail.outbox(state))
    return ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>Pratinjau blog - sandbox</title><style>{_CSS}{preview_sheet.CSS}</style></head><body>"
            + blog_html
            + "<footer>MY MEIN bridge &middot; sandbox lokal</footer></body></html>")


# -- config + CLI ----------------------------------------------------------------

#: Beside a config pointing at the sandbox: the access token the sandbox issued for it.
TOKEN_FILE = "sandbox-token.json"


def write_token_file(path: Path, token: str) -> None:
    """The sandbox's token for ``auth = "sandbox"``, owner-only, rewritten only when it changed."""
    text = json.dumps({"token": token, "note": "issued by the mymein-bridge sandbox; never valid at Google"}) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    from bridge.adapters.files import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"), mode=0o600)


def sandbox_config_values(url: str, state: SandboxState, cfg_dir: str | os.PathLike[str]) -> dict[tuple[str, str], Any]:
    """Bridge config values pointing at this sandbox (for ``bridge.config.render_config``).

    Writes ``sandbox-token.json`` into ``cfg_dir``: a token the sandbox issued (it accepts no other),
    which ``[google] token`` then names.
    """
    token_file = Path(cfg_dir).resolve() / TOKEN_FILE
    write_token_file(token_file, oauth.config_token(state))
    values: dict[tuple[str, str], Any] = {
        ("google", "endpoint"): url,
        ("google", "auth"): "sandbox",
        ("google", "token"): str(token_file),
        ("blog", "photo_url"): f"{url}/_sandbox/files/{{id}}",
        ("bridge", "state_path"): str(Path(cfg_dir).resolve() / "bridge-state.sqlite3"),
    }
    with state.lock:  # three names, read in place: a copy of the whole state would cost more than the rest
        data = state.data
        if data["spreadsheets"]:
            first = data["spreadsheets"][0]
            values[("sheets", "spreadsheet_id")] = first["id"]
            if first["sheets"]:
                values[("sheets", "responses_tab")] = first["sheets"][0]["title"]
        if data["blogs"]:
            values[("blog", "blog_id")] = data["blogs"][0]["id"]
    return values


WRITTEN_BY = "Bridge config written by `mymein-bridge sandbox`"


def config_we_may_write(path: str | os.PathLike[str]) -> bool:
    """Only a new file, or one the sandbox wrote before, may be (over)written: never a real config."""
    target = Path(path).expanduser()
    if not target.exists():
        return True
    try:
        return target.is_file() and WRITTEN_BY in target.read_text(encoding="utf-8", errors="replace")[:300]
    except OSError:
        return False


def write_sandbox_config(path: str | os.PathLike[str], url: str, state: SandboxState, admin_token: str = "") -> Path:
    from bridge.config import render_config

    target = Path(path).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    values = sandbox_config_values(url, state, target.parent)
    header = (f"{WRITTEN_BY} for the local sandbox at {url}.\n"
              "Nothing here reaches Google. Point [google] endpoint at real Google (empty) to go live.")
    if admin_token:
        header += (f"\nSandbox admin token of this run (POST /_sandbox/* needs the header {ADMIN_HEADER}: <token>):\n"
                   f"{admin_token}")
    target.write_text(render_config(values, header=header), encoding="utf-8")
    return target


def serve_forever_cli(port: int, state_path: str | None, write_config: str | None, host: str = "127.0.0.1") -> int:
    """Run the sandbox in the foreground until Ctrl-C / SIGTERM; returns 0 (2 when it cannot start)."""
    if write_config and not config_we_may_write(write_config):
        print(
            f"Not overwriting {write_config}: it is not a config the sandbox wrote (a real one?). "
            "Give --write-config another name, e.g. sandbox.toml.",
            file=sys.stderr,
        )
        return 2
    state = None
    if state_path and not Path(state_path).exists():
        from bridge.sandbox.seed import demo_state

        state = SandboxState.from_json(demo_state())
    try:
        server = SandboxServer(state=state, host=host, port=port, state_path=state_path)
        server.start()
    except (OSError, OverflowError, ValueError) as exc:
        print(f"Cannot start the sandbox: {describe_start_error(exc, host, port, state_path)}", file=sys.stderr)
        return 2
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        where = f"state saved to {Path(state_path).resolve()}" if state_path else "state in memory only (demo seed)"
        print(f"Sandbox listening on {server.url}  ({where}; open {server.url}/ for the blog preview)", flush=True)
        warning = exposure_warning(host, server.port)
        if warning:
            print(warning, file=sys.stderr, flush=True)
        print(f"Admin token of this run (header {ADMIN_HEADER}, needed by POST /_sandbox/*): {server.admin_token}",
              flush=True)
        if write_config:
            cfg = write_sandbox_config(write_config, server.url, server.state, server.admin_token)
            server.persist()  # the token the config carries stays valid after a restart with --state
            print(f"Config written to {cfg}", flush=True)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("Sandbox stopped.", file=sys.stderr, flush=True)
    return 0


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a --host value) is reachable from this machine only."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str:
    """What to say when the sandbox listens beyond this machine ('' on loopback)."""
    if is_loopback(host):
        return ""
    every = " (every address of this machine)" if host in ("0.0.0.0", "", "::") else ""
    return (f"WARNING: the sandbox listens on {host or '0.0.0.0'}:{port}{every}, not only on this machine: every computer "
            "that can reach it may sign in at its consent page and read or change its sheets and posts. It is a "
            "development tool; use --host 127.0.0.1 unless another machine must reach it, and only on a trusted network.")


def describe_start_error(exc: BaseException, host: str, port: int, state_path: str | None) -> str:
    """Why the sandbox could not start, in words an IT person can act on."""
    if isinstance(exc, ValueError) and not isinstance(exc, OverflowError) and state_path:
        return f"the state file {state_path} is not valid sandbox JSON ({exc}); fix it or start without --state"
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (another sandbox still running?); use --port 0 for any free port"
    return f"cannot listen on {host}:{port} ({exc})"


__all__ = ["SandboxServer", "serve_forever_cli", "sandbox_config_values", "write_sandbox_config", "render_preview"]

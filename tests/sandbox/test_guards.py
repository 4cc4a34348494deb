"""The sandbox on an office machine: no web page, no rebound name, no made-up token reaches it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from bridge.config import load_settings
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_SPREADSHEET_ID
from bridge.sandbox.server import ADMIN_HEADER, SandboxServer, exposure_warning

from .helpers import assert_google_error, call

REPO = Path(__file__).resolve().parents[2]


def test_changing_the_sandbox_needs_its_admin_token(sandbox: SandboxServer) -> None:
    """Any web page open in the office worker's browser could wipe the sandbox with a cross-site POST."""
    before = sandbox.state.to_json()
    for headers in ({}, {ADMIN_HEADER: "tebakan"}, {"Content-Type": "application/x-www-form-urlencoded"}):
        for path, body in (("/_sandbox/state", {"spreadsheets": [], "blogs": []}), ("/_sandbox/faults", {"rate": 1.0}),
                           ("/_sandbox/reset-stats", {})):
            resp = requests.post(sandbox.url + path, data=json.dumps(body), headers=headers, timeout=5)
            assert resp.status_code == 403, (path, headers)
            assert ADMIN_HEADER in resp.json()["error"]["message"]
    assert sandbox.state.to_json() == before and sandbox.get_faults()["rate"] == 0.0
    resp = requests.post(sandbox.url + "/_sandbox/faults", json={"latency_ms": 1}, headers=sandbox.admin_headers, timeout=5)
    assert resp.status_code == 200 and sandbox.get_faults()["latency_ms"] == 1.0
    assert requests.get(sandbox.url + "/_sandbox/stats", timeout=5).status_code == 200  # reading needs no token


def _get(sandbox: SandboxServer, host: str, path: str = "/") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.putheader("Authorization", f"Bearer {sandbox.api_token}")
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_only_the_address_it_listens_on_is_answered(sandbox: SandboxServer) -> None:
    """A web page whose name was rebound to 127.0.0.1 (DNS rebinding) could read and drive the sandbox."""
    port = sandbox.port
    for host in (f"kim-jahat.example:{port}", "kim-jahat.example", f"127.0.0.1:{port + 1}", f"127.0.0.1.nip.io:{port}", ""):
        assert _get(sandbox, host) == 421, host
        assert _get(sandbox, host, f"/v3/blogs/{DEMO_BLOG_ID}") == 421, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert _get(sandbox, host) == 200, host
        assert _get(sandbox, host, f"/v3/blogs/{DEMO_BLOG_ID}") == 200, host


def test_only_tokens_the_sandbox_issued_are_accepted(sandbox: SandboxServer) -> None:
    """Any bearer token worked, so anyone reaching the port could act as the blog author."""
    for made_up in ("t", "sandbox-token", "ya29.sandbox-tebakan"):
        resp = call(sandbox.url, "GET", f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}", auth=False,
                    headers={"Authorization": f"Bearer {made_up}"})
        err = assert_google_error(resp, 401, "UNAUTHENTICATED")
        assert err["details"][0]["reason"] == "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    assert call(sandbox.url, "GET", f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}").status_code == 200  # the issued one


def test_cli_prints_the_admin_token_writes_it_to_the_config_and_warns_beyond_loopback(tmp_path: Path) -> None:
    """--host 0.0.0.0 printed a 127.0.0.1 address with no warning; the admin token must be findable."""
    assert exposure_warning("127.0.0.1", 8765) == exposure_warning("::1", 8765) == exposure_warning("localhost", 1) == ""
    assert exposure_warning("0.0.0.0", 8765).startswith(
        "WARNING: the sandbox listens on 0.0.0.0:8765 (every address of this machine), not only on this machine")
    assert exposure_warning("192.168.1.20", 8765).startswith("WARNING: the sandbox listens on 192.168.1.20:8765, not")

    cfg = tmp_path / "sandbox.toml"
    code = ("import sys; from bridge.sandbox.server import serve_forever_cli; "
            f"sys.exit(serve_forever_cli(0, None, {str(cfg)!r}, host='0.0.0.0'))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(REPO)), text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        listening = proc.stdout.readline()
        assert listening.startswith("Sandbox listening on http://127.0.0.1:")
        url = listening.split()[3]
        assert proc.stderr.readline().startswith(f"WARNING: the sandbox listens on 0.0.0.0:{url.rsplit(':', 1)[1]} ")
        admin = proc.stdout.readline()
        assert admin.startswith(f"Admin token of this run (header {ADMIN_HEADER}, needed by POST /_sandbox/*): ")
        token = admin.rsplit(" ", 1)[1].strip()
        assert proc.stdout.readline() == f"Config written to {cfg}\n"
        text = cfg.read_text(encoding="utf-8")
        assert f"# {token}\n" in text
        assert requests.post(url + "/_sandbox/reset-stats", headers={ADMIN_HEADER: token}, timeout=5).status_code == 200
        settings = load_settings(cfg, env={})  # the bridge signs in with the token the sandbox wrote beside it
        api = json.loads(settings.token.read_text(encoding="utf-8"))["token"]
        assert requests.get(f"{url}/v3/blogs/{DEMO_BLOG_ID}", headers={"Authorization": f"Bearer {api}"},
                            timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_reading_the_state_shows_no_issued_token_without_the_admin_token(sandbox: SandboxServer) -> None:
    """Anyone who could read the state page could copy the bridge's token and act as the blog author."""
    token = sandbox.api_token
    public = requests.get(sandbox.url + "/_sandbox/state", timeout=5)
    assert public.status_code == 200 and token not in public.text
    assert public.json()["spreadsheets"][0]["id"] == DEMO_SPREADSHEET_ID
    full = requests.get(sandbox.url + "/_sandbox/state", headers=sandbox.admin_headers, timeout=5).json()
    assert token in full["auth"]["tokens"]

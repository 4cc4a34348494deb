"""Admin endpoints, fault injection, persistence, config writing, preview and the CLI entry point."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from googleapiclient.errors import HttpError

from bridge.config import load_settings
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import (
    SandboxServer,
    sandbox_config_values,
    serve_forever_cli,
    write_sandbox_config,
)
from bridge.sandbox.state import SandboxState

REPO = Path(__file__).resolve().parents[2]


def _faults(sb: SandboxServer, **faults: Any) -> None:
    resp = requests.post(f"{sb.url}/_sandbox/faults", json=faults, headers=sb.admin_headers, timeout=5)
    assert resp.status_code == 200, resp.text


def test_stats_count_requests_and_bytes_by_method(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """The 'few calls per cycle' budget of the bridge could not be measured."""
    requests.post(f"{sandbox.url}/_sandbox/reset-stats", headers=sandbox.admin_headers, timeout=5)
    sh = gc.open_by_key(DEMO_SPREADSHEET_ID)
    sh.values_batch_get([f"'{DEMO_RESPONSES_TAB}'!A1:H", "KIM!A:M"])
    sh.values_batch_get(["KIM!A1"])
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    assert stats["requests"] == 3
    assert stats["by_method"]["sheets.spreadsheets.values.batchGet"]["requests"] == 2
    assert stats["by_method"]["sheets.spreadsheets.get"]["requests"] == 1
    assert stats["bytes"] == sum(m["bytes"] for m in stats["by_method"].values()) > 1000
    requests.post(f"{sandbox.url}/_sandbox/reset-stats", headers=sandbox.admin_headers, timeout=5)
    assert requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json() == {"requests": 0, "bytes": 0, "by_method": {}}


def test_fault_rate_one_fails_every_call(sandbox: SandboxServer, gc: gspread.Client, blogger: Any) -> None:
    """Retry handling for 429/5xx could not be exercised."""
    _faults(sandbox, rate=1.0, codes=[503], seed=1)
    for _ in range(3):
        with pytest.raises(gspread.exceptions.APIError) as info:
            gc.open_by_key(DEMO_SPREADSHEET_ID)
        assert info.value.code == 503
        assert info.value.response.json()["error"]["status"] == "UNAVAILABLE"
    with pytest.raises(HttpError) as herr:
        blogger.posts().insert(blogId=DEMO_BLOG_ID, body={"title": "t", "content": "c"}).execute()
    assert herr.value.resp.status == 503
    assert len(sandbox.state.posts(DEMO_BLOG_ID)) == 2  # nothing applied
    assert requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()["requests"] == 4
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["codes"] == [503]


def test_after_rate_applies_the_write_then_fails(sandbox: SandboxServer, blogger: Any) -> None:
    """A publish that times out after Blogger stored the post would not be modelled (duplicate posts)."""
    _faults(sandbox, after_rate=1.0, seed=7)
    with pytest.raises(HttpError) as info:
        blogger.posts().insert(blogId=DEMO_BLOG_ID, body={"title": "Sekali Saja", "content": "c"}).execute()
    assert info.value.resp.status in (500, 503)
    assert [p["title"] for p in sandbox.state.posts(DEMO_BLOG_ID)].count("Sekali Saja") == 1
    assert blogger.blogs().get(blogId=DEMO_BLOG_ID).execute()["name"] == "KIM Balangan"  # reads are not affected
    _faults(sandbox)
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["after_rate"] == 0.0


def test_state_persists_to_state_path(tmp_path: Path) -> None:
    """Sandbox changes would be lost between runs of `mymein-bridge sandbox --state FILE`."""
    path = tmp_path / "sandbox.json"
    with SandboxServer(port=0, state_path=str(path)) as sb:
        assert path.exists()
        resp = requests.put(f"{sb.url}/v4/spreadsheets/{DEMO_SPREADSHEET_ID}/values/KIM!A20",
                            params={"valueInputOption": "RAW"}, json={"values": [["baru"]]},
                            headers={"Authorization": f"Bearer {sb.api_token}"}, timeout=5)
        assert resp.status_code == 200
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["spreadsheets"][0]["sheets"][1]["rows"][19] == ["baru"]
    with SandboxServer(port=0, state_path=str(path)) as sb2:
        assert sb2.state.sheet_rows(DEMO_SPREADSHEET_ID, "KIM")[19] == ["baru"]
        new = demo_state()
        new["blogs"][0]["name"] = "Diganti"
        assert requests.post(f"{sb2.url}/_sandbox/state", json=new, headers=sb2.admin_headers, timeout=5).status_code == 200
        assert requests.get(f"{sb2.url}/_sandbox/state", timeout=5).json()["blogs"][0]["name"] == "Diganti"
    assert json.loads(path.read_text(encoding="utf-8"))["blogs"][0]["name"] == "Diganti"
    assert not [p for p in tmp_path.iterdir() if p.name != "sandbox.json"]  # no temp files left


def test_written_config_loads(tmp_path: Path, sandbox: SandboxServer) -> None:
    """`sandbox --write-config` would produce a config the bridge cannot load."""
    cfg = write_sandbox_config(tmp_path / "bridge.toml", sandbox.url, sandbox.state)
    assert "sandbox" in cfg.read_text(encoding="utf-8").splitlines()[0]
    settings = load_settings(cfg, env={})
    assert settings.endpoint == sandbox.url and settings.uses_sandbox
    assert settings.spreadsheet_id == DEMO_SPREADSHEET_ID and settings.responses_tab == DEMO_RESPONSES_TAB
    assert settings.blog_id == DEMO_BLOG_ID
    assert settings.photo_url == f"{sandbox.url}/_sandbox/files/{{id}}"
    assert settings.state_path == (tmp_path / "bridge-state.sqlite3").resolve()
    values = sandbox_config_values(sandbox.url, SandboxState.from_json(demo_state()), tmp_path)
    assert values[("google", "auth")] == "sandbox"


def test_preview_shows_live_posts_only(sandbox: SandboxServer, blogger: Any) -> None:
    """The browser preview would show drafts or hide published news."""
    blogger.posts().insert(blogId=DEMO_BLOG_ID, body={"title": "Berita Terbit", "content": '<p><img src="/x.png"></p>'}).execute()
    blogger.posts().insert(blogId=DEMO_BLOG_ID, isDraft=True, body={"title": "Masih Draf", "content": "d"}).execute()
    resp = requests.get(sandbox.url + "/", timeout=5)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    page = resp.text
    assert "Berita Terbit" in page and '<img src="/x.png">' in page and "Masih Draf" not in page
    assert page.index("Berita Terbit") < page.index("Selamat Datang di Portal Berita KIM Balangan")
    assert requests.get(sandbox.url + "/p/3141592653589793001", timeout=5).status_code == 200
    assert requests.get(sandbox.url + "/p/0", timeout=5).status_code == 404


def test_cli_serves_saves_and_stops_on_sigterm(tmp_path: Path) -> None:
    """`mymein-bridge sandbox` would hang on SIGTERM or not seed/save its state file."""
    state, cfg = tmp_path / "state.json", tmp_path / "bridge.toml"
    code = ("import sys; from bridge.sandbox.server import serve_forever_cli; "
            f"sys.exit(serve_forever_cli(0, {str(state)!r}, {str(cfg)!r}))")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "http://127.0.0.1:" in line and str(state) in line
        url = line.split()[3]
        for _ in range(50):
            if cfg.exists():
                break
            time.sleep(0.05)
        assert requests.get(url + "/_sandbox/stats", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert json.loads(state.read_text(encoding="utf-8"))["spreadsheets"][0]["id"] == DEMO_SPREADSHEET_ID
    assert load_settings(cfg, env={}).endpoint == url


def test_latency_is_added_to_api_calls(sandbox: SandboxServer, session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timeout handling could not be tried against a slow Google."""
    assert sandbox.sleep is time.sleep  # the fault waits for real outside the tests
    waits: list[float] = []
    monkeypatch.setattr(sandbox, "sleep", waits.append)
    _faults(sandbox, latency_ms=150)
    assert session.get(f"{sandbox.url}/v4/spreadsheets/{DEMO_SPREADSHEET_ID}").status_code == 200
    assert waits == [0.15]  # one wait of 150 ms for the one API call
    assert requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).status_code == 200
    assert waits == [0.15]  # admin endpoints are not slowed down


def test_cli_never_overwrites_a_real_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--write-config bridge.toml` next to the production config must not replace it."""
    real = tmp_path / "bridge.toml"
    real.write_text('[sheets]\nspreadsheet_id = "1RealSheet"\n', encoding="utf-8")
    assert serve_forever_cli(0, None, str(real)) == 2
    assert "Not overwriting" in capsys.readouterr().err
    assert real.read_text(encoding="utf-8") == '[sheets]\nspreadsheet_id = "1RealSheet"\n'


def test_cli_explains_a_port_in_use_and_a_broken_state_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert serve_forever_cli(busy.getsockname()[1], None, None) == 2
    assert "already in use" in capsys.readouterr().err
    broken = tmp_path / "state.json"
    broken.write_text("{not json", encoding="utf-8")
    assert serve_forever_cli(0, str(broken), None) == 2
    assert "not valid sandbox JSON" in capsys.readouterr().err

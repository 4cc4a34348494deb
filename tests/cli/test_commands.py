"""The commands IT staff type, run for real against the sandbox: output, exit codes, signals.

``run`` and the locking tests start real processes (a service is a process);
the others call :func:`bridge.cli.main` in this process.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bridge.cli import EXIT_CONFIG, EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, EXIT_TEMPFAIL, main
from bridge.core.model import ReviewColumn, Status
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer
from tests.conftest import TEST_NOW
from tests.e2e.conftest import Bridge

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.clocked_cli", TEST_NOW.isoformat(), *args],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        )
    finally:
        out.close()  # the child has its own copy


@contextmanager
def _service(config: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``mymein-bridge run`` as a real process; killed at the end if the test did not stop it."""
    service = _spawn("run", "-c", config, log=log)
    try:
        yield service
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()


def _stop(service: subprocess.Popen[bytes]) -> int:
    service.send_signal(signal.SIGTERM)
    return service.wait(timeout=60)


def _wait_for(predicate, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_once_prints_a_summary_and_queues(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["once", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("new 8, queued 8, invalid 4, duplicates 0; published 0")
    assert len(bridge.review()) == 8


def test_once_dry_run_changes_nothing(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    config = bridge.write_config()
    assert main(["once", "-c", str(config)], clock=bridge.clock) == EXIT_OK
    bridge.officer_sets({r["ID"]: Status.DISETUJUI.value for r in bridge.review() if r["Status"] == Status.MENUNGGU.value})
    bridge.set_responses(bridge.responses() + [bridge.responses()[1][:5] + ["Kabar baru", "Isi kabar baru " * 10, ""]])
    capsys.readouterr()
    before = json.dumps(bridge.sandbox.state.to_json(), sort_keys=True)
    ledger = bridge.workdir / "bridge-state.sqlite3"
    ledger_before = ledger.read_bytes()

    assert main(["once", "-c", str(config), "--dry-run"], clock=bridge.clock) == EXIT_OK

    out = capsys.readouterr().out
    assert out.startswith("DRY RUN (nothing written): new 1, queued 1")
    assert out.count("  publish MM-") == 4
    assert json.dumps(bridge.sandbox.state.to_json(), sort_keys=True) == before
    assert ledger.read_bytes() == ledger_before


def test_once_exit_code_says_whether_to_look(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """0 all done; 1 something needs a person (a GAGAL row); 2 a form question no longer maps (a config fix);
    75 Google unreachable, try again later."""
    config = str(bridge.write_config(bridge__retry_wait_ms=1))
    rows = bridge.responses()
    bridge.set_responses([[h for h in rows[0] if h != "Judul Berita"]])
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_CONFIG
    assert "INTAKE STOPPED" in capsys.readouterr().out
    bridge.set_responses(rows)
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    waiting = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({waiting: {"formula": "- Warga bergotong royong"}}, column=ReviewColumn.BODY)
    bridge.officer_sets({waiting: Status.DISETUJUI.value})
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    bridge.sandbox.stop()
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_TEMPFAIL
    assert "could not read the spreadsheet" in capsys.readouterr().out


def test_dry_run_shows_what_would_fail(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(bridge.write_config())
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    waiting = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in waiting})
    bridge.officer_sets({waiting[0]: "https://contoh.example/foto.jpg"}, column=ReviewColumn.PHOTOS)
    capsys.readouterr()
    assert main(["once", "-c", config, "--dry-run"], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out
    assert f"  cannot publish {waiting[0]}: photo 1 is not a Drive link" in out
    assert f"  publish {waiting[0]}" not in out
    assert out.count("  publish MM-") == len(waiting) - 1


def test_check_fails_on_a_template_that_breaks_without_a_photo(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    template = bridge.workdir / "post.html"
    template.write_text('<img src="{{ photos[0].url }}" alt="">\n{{ body }}', encoding="utf-8")
    assert main(["check", "-c", str(bridge.write_config(blog__template=str(template)))], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "FAIL post template" in out and "without a photo" in out


def test_dry_run_before_the_first_run_creates_no_ledger(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    for leftover in bridge.workdir.glob("bridge-state.sqlite3*"):  # from the fixture's `init`
        leftover.unlink()
    assert main(["once", "-c", str(bridge.write_config()), "--dry-run"], clock=bridge.clock) == EXIT_OK
    assert capsys.readouterr().out.startswith("DRY RUN (nothing written): new 8, queued 8")
    assert not (bridge.workdir / "bridge-state.sqlite3").exists()
    assert len(bridge.rows("Review")) == 1  # headers only


def test_check_all_green_then_a_revoked_token(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(bridge.write_config())
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "All good."
    assert all(line.startswith(("OK  ", "WARN")) for line in out[:-1]), out

    data = bridge.sandbox.state.to_json()
    data["auth"]["rejected_tokens"] = [bridge.sandbox.api_token]  # the token the config carries
    bridge.sandbox.state.replace(data)
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "FAIL" in out and "mymein-bridge auth" in out
    assert out.rstrip().endswith("Some things need fixing (see FAIL lines above).")


def test_init_twice_reports_created_then_found(sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(Bridge(sandbox=sandbox, workdir=tmp_path, overrides={}).write_config())
    assert main(["init", "-c", config], clock=sandbox.clock) == EXIT_OK
    assert "created tab 'Review'" in capsys.readouterr().out
    assert main(["init", "-c", config], clock=sandbox.clock) == EXIT_OK
    second = capsys.readouterr().out
    assert "found tab 'Review'" in second and "created" not in second


def test_run_serves_cycles_refuses_a_second_bridge_and_stops_on_sigterm(bridge: Bridge, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = str(bridge.write_config())
    log = tmp_path / "run.log"
    with _service(config, log) as service:
        _wait_for(lambda: len(bridge.review()) == 8, "the first cycle to queue the demo submissions")

        # A second bridge, here in the test's process: the service's lock (flock) is held by another process.
        capsys.readouterr()
        assert main(["run", "-c", config], clock=bridge.clock) == EXIT_FATAL
        assert "already running" in capsys.readouterr().err
        assert main(["once", "-c", config], clock=bridge.clock) == EXIT_FATAL
        assert "already running" in capsys.readouterr().err

        assert _stop(service) == EXIT_OK
    text = log.read_text()
    assert "cycle done: new 8, queued 8" in text
    assert "received SIGTERM" in text and "scheduler stopped" in text
    assert "Traceback" not in text


def test_sigterm_during_a_cycle_finishes_the_current_item_and_writes_it_back(bridge: Bridge, tmp_path: Path) -> None:
    config = str(bridge.write_config())
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    approved = {r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value}
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in approved})
    existing = len(bridge.posts())  # the demo blog has a post already
    bridge.sandbox.set_faults({"latency_ms": 150})  # a slow link: each post takes a while
    log = tmp_path / "run.log"
    with _service(config, log) as service:
        _wait_for(lambda: len(bridge.posts()) > existing, "the first post")
        assert _stop(service) == EXIT_OK
    bridge.sandbox.set_faults({"latency_ms": 0})
    posted = len(bridge.posts()) - existing
    assert 1 <= posted < len(approved), "it stopped after the item in hand, not after the whole queue"
    terbit = [r for r in bridge.review() if r["Status"] == Status.TERBIT.value]
    assert len(terbit) == posted and all(r["Tautan Post"] for r in terbit), "what was posted is written back"
    text = log.read_text()
    assert "stop requested" in text and "Traceback" not in text and " ERROR " not in text

    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK  # the next start finishes the queue, once each
    assert len(bridge.posts()) - existing == len(approved)
    assert {r["Status"] for r in bridge.review() if r["ID"] in approved} == {Status.TERBIT.value}


@pytest.mark.parametrize("command", (["init"], ["report", "--period", "2026-11"]))
def test_init_and_report_exit_2_on_an_unusable_ledger_folder(
    command: list[str], bridge: Bridge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init and report said exit 4 with a generic /var/lib hint where once and run say exit 2 and which folder."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = bridge.write_config(bridge__state_path=str(blocker / "bridge.sqlite3"))
    assert main([*command, "-c", str(config)], clock=bridge.clock) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"Configuration problem in {config}:"
    assert err.splitlines()[1].startswith(f"  - the ledger folder {blocker} does not exist and cannot be created (")


def test_check_with_google_unreachable_asks_the_spreadsheet_once(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """With the network down check read the same spreadsheet twice (twice the retries) and printed the failure twice."""
    config = bridge.write_config(google__endpoint="http://127.0.0.1:1", bridge__max_retries=1)
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_TEMPFAIL
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("Google or the network is not answering now (the FAIL lines above): run check again later. "
                       "Nothing else that could be checked needs fixing.")
    fails = [line for line in out if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in fails] == [
        "FAIL form spreadsheet 1MyMeinDemoSheet00000000000000000000000000000 ([sheets] spreadsheet_id)",
        "FAIL tabs 'Review', 'KIM', 'Arsip' not checked",
        "FAIL blog 7000000000000000001",
    ]
    assert fails[0].endswith(": network error: cannot reach 127.0.0.1:1: Connection refused")
    assert fails[1] == "FAIL tabs 'Review', 'KIM', 'Arsip' not checked: they are in the spreadsheet that could not be read (above)"


def test_check_names_the_config_to_init(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing tab said `init -c CONFIG`, leaving IT staff to guess which file."""
    config = bridge.write_config()
    ss = bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)
    ss["sheets"] = [s for s in ss["sheets"] if s["title"] != "KIM"]  # deleted by an officer
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert (f"FAIL tab 'KIM' missing in 'MY MEIN - Kiriman Berita KIM (Jawaban)': run `mymein-bridge init -c {config}`"
            in out.splitlines())


def test_check_tells_whether_the_monthly_csv_folder_can_be_written(bridge: Bridge, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A monthly_out_dir `run` cannot write showed only on the 1st, in the log, and was never retried."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = bridge.write_config(report__monthly=True, report__monthly_out_dir=str(blocker / "laporan"))
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_PROBLEMS
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1 and fails[0].startswith(f"FAIL [report] monthly_out_dir {blocker / 'laporan'} does not exist and cannot be created (")
    assert fails[0].endswith("): create it for the user the bridge runs as, or empty the key")
    config = bridge.write_config(report__monthly=True, report__monthly_out_dir=str(tmp_path / "laporan"))
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_OK
    assert (f"OK   monthly report: tab 'Laporan <month>' and the PDF, Excel and CSV files in {tmp_path / 'laporan'}/<month> on the 1st at "
            "07:00 WITA") in capsys.readouterr().out.splitlines()


def test_check_says_the_example_ids_are_still_there(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """The example's PASTE-THE-… ids passed as 'config is valid' and failed later as Google errors, not as 'paste the id'."""
    config = bridge.write_config(sheets__spreadsheet_id="PASTE-THE-SPREADSHEET-ID", blog__blog_id="PASTE-THE-BLOG-ID")
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_PROBLEMS
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == [
        "FAIL [sheets] spreadsheet_id is still the example's PASTE-THE-SPREADSHEET-ID: put the id from the "
        f"spreadsheet's URL: .../spreadsheets/d/<id>/edit in {config}",
        f"FAIL [blog] blog_id is still the example's PASTE-THE-BLOG-ID: put the id from the Blogger dashboard URL: "
        f"blogger.com/blog/posts/<id> in {config}",
    ]


def _user_auth_config(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A config that signs in as a user at the sandbox (its consent screen and token endpoint)."""
    client = bridge.workdir / "credentials.json"
    client.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    token = bridge.workdir / "token.json"
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "0")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")  # restored (absent) after the test; `auth` sets it for http
    return bridge.write_config(google__auth="user", google__client_secret=str(client), google__token=str(token)), token


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_auth_prints_the_address_once(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff pasting the sign-in address got one copy in the numbered steps, not two."""
    import requests

    config, token = _user_auth_config(bridge, monkeypatch)
    said: list[str] = []

    def officer_pastes(_prompt: str) -> str:
        said.append(capsys.readouterr().out)
        url = next(x.strip() for x in said[-1].splitlines() if "/o/oauth2/auth?" in x)
        return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]

    monkeypatch.setattr("builtins.input", officer_pastes)
    assert main(["auth", "-c", str(config)], clock=bridge.clock) == EXIT_OK
    captured = capsys.readouterr()
    lines = (said[0] + captured.out + captured.err).splitlines()
    assert sum("/o/oauth2/auth?" in line for line in lines) == 1
    at = next(n for n, line in enumerate(lines) if "/o/oauth2/auth?" in line)
    assert lines[at - 1] == "1. Buka alamat ini di browser komputer mana pun / Open this address in a browser on any computer:"
    assert lines[at].startswith(f"   {bridge.sandbox.url}/o/oauth2/auth?")
    assert lines[-1] == (f"Token tersimpan / token saved: {token} (permissions 600). "
                         f"Next: mymein-bridge check -c {config}")


def test_check_fails_on_secret_files_other_users_can_read_or_swap(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A world-readable token.json was only a warning ("All good"), a 0666 credentials.json not mentioned at all."""
    import requests

    config, token = _user_auth_config(bridge, monkeypatch)
    client = bridge.workdir / "credentials.json"
    client.chmod(0o600)

    def officer_pastes(_prompt: str) -> str:
        url = next(x.strip() for x in capsys.readouterr().out.splitlines() if "/o/oauth2/auth?" in x)
        return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]

    monkeypatch.setattr("builtins.input", officer_pastes)
    assert main(["auth", "-c", str(config)], clock=bridge.clock) == EXIT_OK
    capsys.readouterr()
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[-1] == "All good."

    token.chmod(0o644)
    client.chmod(0o666)
    bridge.workdir.chmod(0o777)
    try:
        assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_PROBLEMS
    finally:
        bridge.workdir.chmod(0o700)
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert fails == [
        f"FAIL token {token} can be read by other users of this server (permissions 644); run: chmod 600 {token}",
        f"FAIL OAuth client file ([google] client_secret) {client} can be read by other users of this server "
        f"(permissions 666); run: chmod 600 {client}",
        f"FAIL the folder {bridge.workdir} of the token and client files can be written by any user of this server "
        f"(permissions 777), who could swap them; run: chmod 700 {bridge.workdir}",
    ]
    token.chmod(0o640)  # group-readable is other users too
    client.chmod(0o600)
    assert main(["check", "-c", str(config)], clock=bridge.clock) == EXIT_PROBLEMS
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")] == [
        f"FAIL token {token} can be read by other users of this server (permissions 640); run: chmod 600 {token}"]


def test_auth_listen_prints_the_address_once_and_logs_no_code(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """With --listen the sign-in address showed twice (the OAuth library logged it too), and the code was logged."""
    import threading
    import urllib.request

    config, token = _user_auth_config(bridge, monkeypatch)
    port = _free_port()
    seen: list[str] = []

    def browser() -> None:  # the laptop's browser, through the ssh -L tunnel
        import re

        import requests

        location = f"http://localhost:{port}/?error=the_test_found_no_address"  # ends the flow if all else fails
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                captured = capsys.readouterr()
                seen.append(captured.out + captured.err)
                found = re.search(r"http\S*/o/oauth2/auth\?\S+", "".join(seen))
                if found:
                    location = requests.get(found.group(0), allow_redirects=False, timeout=5).headers["Location"]
                    break
                time.sleep(0.05)
        finally:
            with urllib.request.urlopen(location.replace("localhost", "127.0.0.1", 1), timeout=10) as page:
                page.read()

    helper = threading.Thread(target=browser, daemon=True)
    helper.start()
    assert main(["auth", "-c", str(config), "--listen", "--port", str(port)], clock=bridge.clock) == EXIT_OK
    helper.join(timeout=30)
    captured = capsys.readouterr()
    lines = ("".join(seen) + captured.out + captured.err).splitlines()
    assert sum("/o/oauth2/auth?" in line for line in lines) == 1
    assert not any("&code=" in line for line in lines)
    at = next(n for n, line in enumerate(lines) if "/o/oauth2/auth?" in line)
    assert lines[:at] == [
        f"1. Dari laptop / From your laptop: ssh -L {port}:localhost:{port} <this-server>",
        "2. Buka alamat ini di browser laptop itu / Open this address in that laptop's browser:",
    ]
    assert lines[at].startswith(f"   {bridge.sandbox.url}/o/oauth2/auth?")
    assert lines[at + 1:] == [
        "3. Masuk dengan akun Google penulis blog, izinkan akses; bridge menunggu di sini. "
        "/ Sign in as a blog author and allow access; the bridge waits here.",
        f"Token tersimpan / token saved: {token} (permissions 600). Next: mymein-bridge check -c {config}",
    ]
    assert json.loads(token.read_text(encoding="utf-8"))["refresh_token"].startswith("1//sandbox-")


def test_a_damaged_ledger_stops_run_with_exit_2_and_moving_it_aside_rebuilds_it(
    bridge: Bridge, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged ledger ended `run` with exit 4, restarted every 30 s forever; its message's `mv` must fix it, publishing nothing twice."""
    config = str(bridge.write_config())
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    bridge.officer_sets({r["ID"]: Status.DISETUJUI.value for r in bridge.review() if r["Status"] == Status.MENUNGGU.value})
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    posts, review = len(bridge.posts()), bridge.review()
    assert sum(r["Status"] == Status.TERBIT.value for r in review) == 4

    ledger = bridge.workdir / "bridge-state.sqlite3"
    ledger.write_bytes(b"\x00 power cut " * 400)
    capsys.readouterr()
    for command in ("run", "once", "init"):
        assert main([command, "-c", config], clock=bridge.clock) == EXIT_CONFIG  # RestartPreventExitStatus=2 3
        assert capsys.readouterr().err == (
            f"Error: the local ledger {ledger} is damaged or not a bridge ledger (file is not a database). It is only "
            "a cache, which the bridge rebuilds from the Review and Arsip tabs and the blog without publishing "
            f"anything twice: move it aside with sudo mv {ledger} {ledger}.damaged, then start the bridge again "
            "(sudo systemctl start mymein-bridge, or run the command again)\n"
        )
    unit = (ROOT / "deploy" / "mymein-bridge.service").read_text(encoding="utf-8")
    assert "\nRestartPreventExitStatus=2 3\n" in unit

    ledger.rename(f"{ledger}.damaged")  # what the message says, without sudo: the test owns the file
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    assert len(bridge.posts()) == posts
    assert bridge.review() == review
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK


def test_check_exits_75_when_only_google_is_unreachable_and_1_when_something_else_is_wrong(
    bridge: Bridge, capsys: pytest.CaptureFixture[str]
) -> None:
    """check said exit 1 ("fix something") with only the network down, where `run` and `once` say 75 (try later)."""
    config = str(bridge.write_config(bridge__max_retries=1, bridge__retry_wait_ms=1))
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    bridge.officer_sets({r["ID"]: Status.DISETUJUI.value for r in bridge.review() if r["Status"] == Status.MENUNGGU.value})
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    assert any(line.startswith("OK   a hosted photo displays for readers: ") for line in capsys.readouterr().out.splitlines())

    bridge.sandbox.set_faults({"rate": 1.0, "codes": [503]})  # Google answers, but only "try later"
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_TEMPFAIL
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert fails and all("HTTP 503" in line or "not checked" in line for line in fails), fails
    bridge.sandbox.set_faults({})

    bridge.sandbox.stop()  # Google, and the hosted photo with it, no longer answer
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_TEMPFAIL
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out if line.startswith("FAIL")] == [
        f"FAIL form spreadsheet {DEMO_SPREADSHEET_ID} ([sheets] spreadsheet_id)",
        "FAIL tabs 'Review', 'KIM', 'Arsip' not checked",
        "FAIL blog 7000000000000000001",
        "FAIL a hosted photo does NOT display for readers",
    ]
    assert out[-1].startswith("Google or the network is not answering now (the FAIL lines above)")

    assert main(["check", "-c", config, "--probe-blog"], clock=bridge.clock) == EXIT_TEMPFAIL
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == "FAIL probe: not run, as Google did not answer (above); run check --probe-blog again later"

    template = bridge.workdir / "post.html"
    template.write_text('<img src="{{ photos[0].url }}" alt="">\n{{ body }}', encoding="utf-8")
    assert main(["check", "-c", str(bridge.write_config(bridge__max_retries=1, blog__template=str(template)))],
                clock=bridge.clock) == EXIT_PROBLEMS  # a real problem as well: fix it, whatever the network does
    out = capsys.readouterr().out.splitlines()
    assert f"FAIL post template {template}: post template: list object has no element 0 (a post without a photo)" in out
    assert out[-1] == "Some things need fixing (see FAIL lines above)."


def test_a_spreadsheet_id_that_does_not_exist_exits_2(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong id only a config edit fixes: exit 2, which systemd does not restart every 30 s."""
    config = bridge.write_config(sheets__spreadsheet_id="1ThisSpreadsheetDoesNotExist000000000000000000")
    assert main(["once", "-c", str(config)], clock=bridge.clock) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "not found (HTTP 404). Check this spreadsheet id in the config ([sheets] spreadsheet_id" in err


def test_check_verifies_the_message_channel_and_sends_only_when_asked(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff would learn of a broken message template or channel only when operators hear nothing."""
    from bridge.sandbox.gmail import outbox

    config = str(bridge.write_config(notify__operator_messages=True))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out
    assert "OK   e-mail: operator messages go through Gmail as the bridge's account" in out
    assert outbox(bridge.sandbox.state) == []
    assert main(["check", "-c", config, "--send-test", "it@balangankab.go.id"], clock=bridge.clock) == EXIT_OK
    assert "OK   test message sent to it@balangankab.go.id" in capsys.readouterr().out
    (sent,) = outbox(bridge.sandbox.state)
    assert (sent["to"], sent["subject"]) == ("it@balangankab.go.id", "Pesan uji MY MEIN bridge")
    broken = bridge.workdir / "templates"
    broken.mkdir()
    for event in ("diterima", "perlu-perbaikan", "terbit", "ditolak", "ditarik"):
        (broken / f"notice_{event}.txt").write_text("Subjek: {{ nomor }}\n", encoding="utf-8")
    config = str(bridge.write_config(notify__operator_messages=True, notify__notice_templates=str(broken)))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    assert "'nomor' is undefined" in capsys.readouterr().out


def test_check_reads_apprise_urls_without_showing_their_secrets(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped Apprise URL would pass unnoticed, or its bot token would be printed in the terminal."""
    config = str(bridge.write_config(notify__operator_messages=True, notify__channel="apprise",
                                     notify__apprise_urls=["tgram://123456:SECRETTOKEN/{address}", "nonsense://x"]))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "OK   apprise: tgram://… URL understood" in out
    assert "FAIL apprise: nonsense://… URL not understood by Apprise" in out
    assert "SECRETTOKEN" not in out


def test_check_verifies_the_digest_and_the_kim_channels_without_showing_secrets(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken digest template or a mistyped Telegram URL would show only when officers hear nothing; a token must not be printed."""
    config = str(bridge.write_config(notify__digest_to=["petugas@balangankab.go.id"], notify__digest_urls=["tgram://123456:SECRETTOKEN/-100123"],
                                     notify__kim_channels={"telegram": "tgram://123456:SECRETTOKEN/{address}", "whatsapp": "nonsense://{address}"}))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "OK   officers' digest: daily at 07:30 WITA, reminder after 24 h of waiting, to 1 address(es) and 1 URL(s)" in out
    assert "OK   digest URL tgram://… understood" in out
    assert "OK   KIM channel telegram: tgram://… understood" in out
    assert "FAIL KIM channel whatsapp: nonsense://… not understood by Apprise ([notify] kim_channels)" in out
    assert "SECRETTOKEN" not in out


def _lock_left_to_root(monkeypatch: pytest.MonkeyPatch, lock: Path) -> None:
    """As after `sudo mymein-bridge once`: the lock file is root's, so the service's user cannot open it
    (the tests run as root, whom no mode stops: the refusal is the kernel's, simulated)."""
    real_access, real_open = os.access, os.open

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        return False if Path(str(path)) == lock else real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    def open_(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == lock:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)


def test_a_lock_file_left_to_root_stops_run_with_exit_2_and_the_chown_for_both_files(
    bridge: Bridge, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a `sudo once`, run died with PermissionError (exit 1, restarted every 30 s forever) and check said OK."""
    import getpass

    config = str(bridge.write_config())
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_OK
    ledger = bridge.workdir / "bridge-state.sqlite3"
    lock = bridge.workdir / "bridge-state.sqlite3.lock"
    assert lock.exists()
    _lock_left_to_root(monkeypatch, lock)
    capsys.readouterr()
    problem = (f"the ledger's lock file {lock} is not readable and writable by user {getpass.getuser()} (a command run "
               f"with sudo leaves them to root): sudo chown {getpass.getuser()}: {ledger} {lock}")
    for command in ("run", "once"):
        assert main([command, "-c", config], clock=bridge.clock) == EXIT_CONFIG  # RestartPreventExitStatus=2 3
        assert capsys.readouterr().err == f"Configuration problem in {config}:\n  - {problem}\n"
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    assert f"FAIL {problem}" in capsys.readouterr().out.splitlines()


def test_a_lock_file_that_cannot_be_opened_after_the_checks_still_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock refused between the start-up check and the lock itself ended run with a PermissionError traceback."""
    import pwd

    from bridge.exceptions import LedgerError
    from bridge.service.scheduler import single_instance

    ledger, lock = tmp_path / "bridge.sqlite3", tmp_path / "bridge.sqlite3.lock"
    ledger.write_bytes(b"")
    monkeypatch.setattr(os, "open", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(LedgerError) as caught, single_instance(ledger):
        pass
    user = pwd.getpwuid(os.geteuid()).pw_name
    assert str(caught.value) == (f"the ledger's lock file {lock} cannot be opened by user {user} (Permission denied): "
                                 f"sudo chown {user}: {ledger} {lock}")


def test_a_wrong_blog_id_stops_run_with_exit_2_naming_the_setting(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A blog id Blogger does not know kept `run` going with an error each cycle, approved rows turning GAGAL."""
    config = str(bridge.write_config(blog__blog_id="7000000000000000002"))
    assert main(["run", "-c", config], clock=bridge.clock) == EXIT_CONFIG  # RestartPreventExitStatus=2 3
    assert bridge.review() == []  # it stopped before a cycle
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"Error: [blog] blog_id in {config}: Blogger knows no blog 7000000000000000002 (blogs.get 7000000000000000002: "
        "HTTP 404: Blog not found); check the id: it is the number in the Blogger dashboard's address, "
        "https://www.blogger.com/blog/posts/<id> of the blog the bridge's account writes for"
    )


@pytest.mark.parametrize(("pasted", "says"), [
    ("https://kimbalangan.blogspot.com/", "is the blog's address (https://kimbalangan.blogspot.com/), not its id: put "
     "blog_id = \"7000000000000000001\" (Blogger's id of 'KIM Balangan', also the number in the Blogger "
     "dashboard's address, https://www.blogger.com/blog/posts/<id>)"),
    ("https://www.blogger.com/blog/posts/7000000000000000001", "is a Blogger dashboard address "
     "(https://www.blogger.com/blog/posts/7000000000000000001), not the blog's id: put blog_id = \"7000000000000000001\" "
     "(the number in that address)"),
    ("https://kimbalangan.example.id/", "is a web address (https://kimbalangan.example.id/), not a blog id, and Blogger "
     "knows no blog there: put the blog's id, the number in the Blogger dashboard's address, "
     "https://www.blogger.com/blog/posts/<id>"),
])
def test_an_address_pasted_as_blog_id_exits_2_saying_which_id_to_put(
    pasted: str, says: str, bridge: Bridge, capsys: pytest.CaptureFixture[str]
) -> None:
    """IT staff who pasted the blog's address for its id had to find out alone that the id is a number, and which."""
    good = str(bridge.write_config())
    assert main(["once", "-c", good], clock=bridge.clock) == EXIT_OK
    bridge.officer_sets({r["ID"]: Status.DISETUJUI.value for r in bridge.review() if r["Status"] == Status.MENUNGGU.value})
    before = bridge.review()
    config = str(bridge.write_config(blog__blog_id=pasted))
    capsys.readouterr()
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_CONFIG
    assert capsys.readouterr().err == f"Error: [blog] blog_id in {config} {says}\n"
    assert bridge.review() == before, "no approved row turned GAGAL for a config mistake"
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    assert f"FAIL blog {pasted}: [blog] blog_id in {config} {says}" in capsys.readouterr().out.splitlines()


def test_a_spreadsheet_that_does_not_exist_is_asked_for_once(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """Drive's 404 for the change signal was retried four times (seconds of backoff) before the cycle read the sheet."""
    config = bridge.write_config(sheets__spreadsheet_id="1ThisSpreadsheetDoesNotExist000000000000000000")
    bridge.sandbox.reset_stats()
    assert main(["once", "-c", str(config)], clock=bridge.clock) == EXIT_CONFIG
    assert {m: e["requests"] for m, e in bridge.stats()["by_method"].items()} == {
        "blogger.blogs.get": 1, "drive.files.get": 1, "sheets.spreadsheets.get": 1,
    }
    assert "retrying" not in capsys.readouterr().err


def test_run_stopped_while_starting_exits_0_without_a_cycle(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """systemd stopping the service during its start-up saw it die of SIGTERM (status -15), not stop cleanly."""
    import bridge.service.startup as startup

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(startup, "refuse_a_wrong_blog_id", lambda *a, **k: os.kill(os.getpid(), signal.SIGTERM))
    assert main(["run", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    assert bridge.review() == []  # no cycle ran
    assert signal.getsignal(signal.SIGTERM) is before  # the test process keeps its own handler
    assert gc.get_freeze_count() > 0, "what starting made is out of the collector's way (issue 22)"


def test_check_hides_the_token_of_a_url_with_no_scheme(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A digest URL typed without its colon (tgram//...) would print the Telegram bot token in the terminal."""
    config = str(bridge.write_config(notify__digest_urls=["tgram//123456:SECRETTOKEN/-100123"],
                                     notify__kim_channels={"whatsapp": "whatsap://SECRETTOKEN@FROMID/{address}"}))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    captured = capsys.readouterr()
    assert ("FAIL digest URL (a URL without a scheme such as tgram:// or json://) not understood by Apprise "
            "([notify] digest_urls; see its wiki for the format)") in captured.out.splitlines()
    assert "SECRETTOKEN" not in captured.out + captured.err


def test_check_verifies_gmail_when_only_the_digest_and_it_alerts_use_it(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff turning on only the digest by e-mail would not learn that `auth` must be run again, nor be able to send a test."""
    import json

    from bridge.commands.notify_check import notice_lines
    from bridge.config import load_settings
    from bridge.sandbox.gmail import outbox

    config = bridge.write_config(notify__digest_to=["petugas@balangankab.go.id"], notify__it_alerts=["it@balangankab.go.id"])
    assert main(["check", "-c", str(config), "--send-test", "it@balangankab.go.id"], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert "OK   e-mail: IT alerts and the digest to digest_to go through Gmail as the bridge's account" in out
    assert "OK   test message sent to it@balangankab.go.id" in out
    assert [m["to"] for m in outbox(bridge.sandbox.state)] == ["it@balangankab.go.id"]

    token = bridge.workdir / "token.json"  # a real Google token from before e-mail was turned on
    token.write_text(json.dumps({"scopes": ["https://www.googleapis.com/auth/blogger"]}), encoding="utf-8")
    settings = load_settings(bridge.write_config(google__auth="user", google__token=str(token),
                                                 notify__digest_to=["petugas@balangankab.go.id"]))
    assert notice_lines(settings, deps=None) == [  # type: ignore[arg-type]
        "FAIL e-mail: the token does not allow sending mail (gmail.send), needed for the digest to digest_to: "
        "run `mymein-bridge auth` again"]


def test_init_names_the_kim_channel_dropdown_it_sets(sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff following README ('init adds both columns and a dropdown') would read init's list and think Kanal Notifikasi got none."""
    config = str(Bridge(sandbox=sandbox, workdir=tmp_path, overrides={}).write_config())
    assert main(["init", "-c", config], clock=sandbox.clock) == EXIT_OK
    assert "dropdowns set on 'KIM' (Status Kemitraan, Tipe KIM, Kecamatan, Frekuensi, Kanal Notifikasi)" in capsys.readouterr().out


def test_check_warns_when_the_digest_can_never_be_sent(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff emptying digest_at and zeroing digest_wait_hours would read 'OK' while officers never get a digest."""
    config = str(bridge.write_config(notify__digest_to=["petugas@balangankab.go.id"], notify__digest_at="",
                                     notify__digest_wait_hours=0))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    assert ("WARN officers' digest: never sent (digest_at is empty and digest_wait_hours is 0); set one of them, "
            "or empty digest_to and digest_urls") in capsys.readouterr().out.splitlines()


def test_check_asks_telegram_whether_each_bot_token_works(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bot token pasted wrong (or revoked in @BotFather) would pass `check` and the officers' Telegram group would stay silent."""
    import json

    from bridge.commands import notify_check
    from bridge.config import load_settings

    asked: list[str] = []

    def get_me(token: str) -> tuple[bool | None, str]:  # Telegram's answers: https://core.telegram.org/bots/api#getme
        asked.append(token)
        return {"111:GOOD": (True, "@kim_balangan_bot"), "222:BAD": (False, "HTTP 401 Unauthorized")}.get(token, (None, "timed out"))

    monkeypatch.setattr(notify_check, "get_me", get_me)
    token = bridge.workdir / "token.json"
    token.write_text(json.dumps({"scopes": ["https://www.googleapis.com/auth/blogger"]}), encoding="utf-8")
    settings = load_settings(bridge.write_config(
        google__auth="user", google__token=str(token), notify__digest_urls=["tgram://111:GOOD/-1001234567890", "tgram://222:BAD/-100999"],
        notify__kim_channels={"telegram": "tgram://333:FAR/{address}"}))
    lines = notify_check.digest_lines(settings)
    assert "OK   digest URL tgram://…: Telegram bot @kim_balangan_bot answers (getMe)" in lines
    assert ("FAIL digest URL tgram://…: Telegram refused the bot token (getMe: HTTP 401 Unauthorized); copy it again "
            "from @BotFather") in lines
    assert ("WARN KIM channel telegram: Telegram could not be asked about the bot token from this server (getMe: timed out)"
            in lines)
    assert sorted(asked) == ["111:GOOD", "222:BAD", "333:FAR"]
    assert not any(secret in line for secret in ("111:GOOD", "222:BAD", "333:FAR") for line in lines)
    sandbox_settings = load_settings(bridge.write_config(notify__digest_urls=["tgram://111:GOOD/-100123"]))
    asked.clear()
    notify_check.digest_lines(sandbox_settings)
    assert asked == [], "against the sandbox, check never calls out to Telegram"

"""The bridge against the strict sandbox (issue 12): what real Google refuses must not hurt a cycle."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.adapters.auth import USER_SCOPES, load_user_credentials
from bridge.cli import EXIT_CONFIG, EXIT_PROBLEMS, EXIT_TEMPFAIL, main
from bridge.core.model import ReviewColumn, Status
from bridge.exceptions import AuthError
from bridge.sandbox import oauth
from bridge.sandbox.seed import BRIDGE_ACCOUNT, DEMO_SPREADSHEET_ID, UPLOADS_FOLDER_ID

from .conftest import Bridge

KECAMATAN = ["Paringin", "Halong", "Juai", "Batu Mandi", "Lampihong", "Awayan", "Tebing Tinggi", "Paringin Selatan"]


def _new_response(b: Bridge, when: str, title: str, body: str | None = None) -> list[Any]:
    row = list(b.responses()[1])
    row[0] = {"datetime": when}
    row[5] = title
    if body is not None:
        row[6] = body
    return row


def _appends(b: Bridge) -> int:
    return b.stats()["by_method"].get("sheets.spreadsheets.values.append", {}).get("requests", 0)


def test_check_explains_a_form_upload_the_bridge_cannot_read(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """With the upload folder not shared, every photo row would go GAGAL on the first real day, unannounced."""
    bridge.sandbox.state.drive_file(UPLOADS_FOLDER_ID)["permissions"] = []
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "form uploads" in x)
    assert line.startswith("FAIL") and f"{BRIDGE_ACCOUNT} cannot read the latest photo" in line
    assert "share its upload folder" in line and "(File responses)" in line and "Viewer" in line


def test_check_reports_cells_against_the_ten_million_limit(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """An Arsip that grows towards Google's 10M cells would stop every append without warning."""
    main(["check", "-c", str(bridge.write_config())], clock=bridge.clock)
    out = capsys.readouterr().out
    assert "of 10,000,000 cells" in out and f"OK   form uploads: {BRIDGE_ACCOUNT} can read the latest photo" in out


def test_a_refused_row_does_not_block_the_next_submissions(bridge: Bridge) -> None:
    """One row Google refuses (here: outside a strict Kecamatan dropdown the office added) held back every later one."""
    review = bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")
    col = [str(h) for h in review["rows"][0]].index(ReviewColumn.KECAMATAN.value)
    review["dataValidation"].append({
        "range": {"sheetId": review["sheetId"], "startRowIndex": 1, "startColumnIndex": col, "endColumnIndex": col + 1},
        "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": k} for k in KECAMATAN]}, "strict": True},
    })
    odd = _new_response(bridge, "2026-11-29T21:00:00", "Berita dari kecamatan salah ketik")
    odd[2] = "Antah Berantah"  # kept as typed on a TIDAK VALID row: not in the dropdown
    bridge.set_responses(bridge.responses() + [odd])
    report = bridge.cycle()
    assert report.intake.queued == 9
    refused = next(r for r in bridge.review() if r[ReviewColumn.KECAMATAN.value] == "" and r["Judul"] == "")
    assert refused["Status"] == Status.TIDAK_VALID.value
    assert refused[ReviewColumn.SYSTEM_NOTE.value].startswith("1. Google Sheets menolak baris kiriman ini")
    assert refused[ReviewColumn.FINGERPRINT.value]  # still found again by the next cycle
    assert any(refused["ID"] in p for p in report.problems)
    assert sum(1 for r in bridge.review() if r["Judul"]) == 8  # the others are written in full
    bridge.set_responses(bridge.responses() + [_new_response(bridge, "2026-11-30T09:00:00", "Berita berikutnya")])
    bridge.sandbox.reset_stats()
    assert bridge.cycle().intake.queued == 1
    assert _appends(bridge) == 1 and len(bridge.review()) == 10


def test_a_blank_row_in_review_does_not_misplace_new_rows(bridge: Bridge) -> None:
    """Google appends after the first table: from A1, new rows would land in the gap in the middle of Review."""
    bridge.cycle()
    rows = bridge.rows("Review")
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows[:4] + [[]] + rows[4:])
    bridge.set_responses(bridge.responses() + [_new_response(bridge, "2026-11-30T09:00:00", "Berita setelah celah")])
    assert bridge.cycle().intake.queued == 1
    after = bridge.rows("Review")
    assert after[4] == [] and len(after) == len(rows) + 2
    assert after[-1][[str(h) for h in rows[0]].index("Judul")] == "Berita setelah celah"


def test_the_bridge_never_sends_a_cell_over_50000_characters(bridge: Bridge) -> None:
    """A 60,000-character body (which Google refuses when written raw) blocked the Review append."""
    bridge.set_responses(bridge.responses() + [_new_response(bridge, "2026-11-30T09:00:00", "Berita panjang", "kata " * 12_000)])
    report = bridge.cycle()
    assert report.intake.queued == 9 and not [p for p in report.problems if "refused" in p]
    body = next(r for r in bridge.review() if r["Judul"] == "Berita panjang")["Isi"]
    assert 0 < len(body) <= 50_000


def test_labels_fit_blogger_and_the_note_says_which_were_dropped(bridge: Bridge) -> None:
    """A post whose labels exceed 200 characters is refused by Blogger: the row would go GAGAL."""
    long_label = "Program Prioritas " + "Pembangunan Desa " * 10
    bridge.cycle(blog__extra_labels=["KIM Balangan", long_label.strip()])
    bridge.officer_sets({"MM-2026-0001": Status.DISETUJUI.value})
    bridge.cycle(blog__extra_labels=["KIM Balangan", long_label.strip()])
    post = next(p for p in bridge.posts() if "Lasung Batu" in p["title"])
    assert post["labels"] == ["Kecamatan Paringin", "Desa Lasung Batu", "KIM Lasung Batu Bersatu", "KIM Balangan"]
    note = next(r for r in bridge.review() if r["ID"] == "MM-2026-0001")[ReviewColumn.SYSTEM_NOTE.value]
    assert "Label 'Program Prioritas" in note and "200 karakter" in note


def test_titles_are_plain_text_without_glued_words(bridge: Bridge) -> None:
    """Markup or a control character in a title would reach Blogger's plain-text title, or glue two words."""
    bridge.cycle()
    bridge.officer_sets({"MM-2026-0001": "Gotong\x0bRoyong <script>x()</script>Warga &amp; Pemuda"}, column=ReviewColumn.TITLE)
    bridge.officer_sets({"MM-2026-0001": Status.DISETUJUI.value})
    bridge.cycle()
    (post,) = [p for p in bridge.posts() if "Gotong" in p["title"]]
    assert post["title"] == "Gotong Royong x() Warga & Pemuda"


# --- credentials ----------------------------------------------------------------------------------------

def _user_token(b: Bridge, refresh: str) -> Path:
    path = b.workdir / "token.json"
    path.write_text(json.dumps({"refresh_token": refresh, "client_id": "cid.apps.googleusercontent.com",
                                "client_secret": "secret", "token_uri": "https://oauth2.googleapis.com/token",
                                "scopes": list(USER_SCOPES)}), encoding="utf-8")
    return path


def test_expired_user_token_is_renewed_at_the_sandbox(bridge: Bridge) -> None:
    """With auth = "user" the bridge renewed tokens at Google's own address, a path no test could run."""
    refresh = oauth.add_grant(bridge.sandbox.state, BRIDGE_ACCOUNT, "cid.apps.googleusercontent.com")
    token = _user_token(bridge, refresh)
    user = {"google__auth": "user", "google__token": str(token)}
    bridge.sandbox.reset_stats()
    assert bridge.cycle(**user).intake.queued == 8
    assert bridge.stats()["by_method"]["oauth2.token"]["requests"] == 1
    assert json.loads(token.read_text(encoding="utf-8"))["token"].startswith("ya29.sandbox-")
    bridge.clock.advance(timedelta(hours=2))  # the access token expired by the sandbox's clock
    deps = bridge.deps(**user)
    try:
        from bridge.cycle.pipeline import run_cycle

        assert not run_cycle(deps).problems
    finally:
        deps.close()
    assert bridge.stats()["by_method"]["oauth2.token"]["requests"] == 2  # renewed once, after Google's 401


def test_revoked_grant_is_explained(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A sign-in revoked at Google would show as a traceback instead of what to do."""
    refresh = oauth.add_grant(bridge.sandbox.state, BRIDGE_ACCOUNT)
    token = _user_token(bridge, refresh)
    oauth.revoke_grant(bridge.sandbox.state, refresh)
    with pytest.raises(AuthError) as info:
        load_user_credentials(token, token_uri=f"{bridge.sandbox.url}/token")
    assert "expired or revoked" in str(info.value) and "mymein-bridge auth" in str(info.value)
    config = str(bridge.write_config(google__auth="user", google__token=str(token)))
    assert main(["once", "-c", config], clock=bridge.clock) == 3
    assert "Google refused to refresh the token" in capsys.readouterr().err


# --- service behaviour ----------------------------------------------------------------------------------

def test_once_exits_1_when_an_approval_went_gagal(bridge: Bridge) -> None:
    """An approval that went GAGAL (here an unreadable Jadwal Terbit) while once reported success (exit 0).
    (A wrong blog_id no longer turns approvals GAGAL: once and run stop with exit 2 before, tests/cli.)"""
    config = str(bridge.write_config())
    main(["once", "-c", config], clock=bridge.clock)
    bridge.officer_sets({"MM-2026-0001": Status.DISETUJUI.value})
    bridge.officer_sets({"MM-2026-0001": "besok pagi"}, column=ReviewColumn.SCHEDULE)
    assert main(["once", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    assert next(r for r in bridge.review() if r["ID"] == "MM-2026-0001")["Status"] == Status.GAGAL.value


def test_unusable_ledger_folder_exits_2_with_what_to_do(bridge: Bridge, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A ledger folder that cannot exist was a traceback with exit 1, restarted by systemd every 30 s forever."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = str(bridge.write_config(bridge__state_path=str(blocker / "bridge.sqlite3")))
    for command in ("once", "run"):
        assert main([command, "-c", config], clock=bridge.clock) == EXIT_CONFIG  # RestartPreventExitStatus=2 3
        assert "the ledger folder" in capsys.readouterr().err
    unit = (Path(__file__).parents[2] / "deploy" / "mymein-bridge.service").read_text(encoding="utf-8")
    assert "RestartPreventExitStatus=2 3" in unit


def test_run_exits_75_when_google_is_unreachable_at_start(bridge: Bridge) -> None:
    """After a power cut with the network still down, run waited silently instead of exiting 75 for systemd."""
    config = str(bridge.write_config(google__endpoint="http://127.0.0.1:1", bridge__max_retries=1))
    assert main(["run", "-c", config], clock=bridge.clock) == EXIT_TEMPFAIL


def test_init_updates_protection_editors_and_warns_about_the_example(bridge: Bridge) -> None:
    """Officers changed in the config kept (or lacked) edit rights on the bridge's columns; the example address went unnoticed."""
    deps = bridge.deps(sheets__officers=["petugas.baru@balangankab.go.id", "petugas1@example.go.id"])
    try:
        from bridge.commands.prepare import prepare

        lines = prepare(deps)
    finally:
        deps.close()
    protected = bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")["protectedRanges"]
    assert protected and all(p["editors"]["users"] == ["petugas.baru@balangankab.go.id", "petugas1@example.go.id",
                                                       BRIDGE_ACCOUNT] for p in protected)
    assert any("editors updated" in line for line in lines)
    assert any(line.startswith("WARNING: [sheets] officers lists petugas1@example.go.id") for line in lines)


def test_probe_blog_reports_markers_and_photo_and_leaves_nothing(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff could not learn at install whether the blog keeps the markers and shows re-hosted photos."""
    posts, files = len(bridge.posts()), len(bridge.sandbox.state.data["drive"]["files"])
    bridge.sandbox.reset_stats()
    assert main(["check", "-c", str(bridge.write_config()), "--probe-blog"], clock=bridge.clock) == 0
    out = capsys.readouterr().out
    stripping = os.environ.get("MYMEIN_TEST_STRIP_COMMENTS") == "1"  # the suite's worst-case rehearsal
    comment = "probe: posts.get DROPPED marker <!-- mymein-id: MM-PROBE-" if stripping else "probe: posts.get kept marker <!-- mymein-id: MM-PROBE-"
    assert comment in out
    assert "OK   probe: posts.get kept marker <a name=\"mymein.MM-PROBE-" in out  # the marker Blogger keeps
    assert "OK   probe: the bridge finds its post by marker in posts.list" in out
    assert "OK   probe: the hosted photo displays for anyone (image/png" in out and "deleted" in out
    assert len(bridge.posts()) == posts and len(bridge.sandbox.state.data["drive"]["files"]) == files
    by = {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}
    assert by["blogger.posts.insert"] == 1 and by["blogger.posts.get"] == 1 and by["blogger.posts.delete"] == 1


def test_rate_limit_reasons_injected_by_the_sandbox_are_retried(bridge: Bridge) -> None:
    """Drive's 403 userRateLimitExceeded and Sheets' 429 RATE_LIMIT_EXCEEDED would end a cycle instead of waiting."""
    from bridge.exceptions import RetriableError
    from bridge.sandbox.seed import PHOTO_FOLDER_ID

    photo = next(f["id"] for f in bridge.sandbox.state.data["drive"]["files"] if PHOTO_FOLDER_ID in f["parents"])
    deps = bridge.deps()
    try:
        bridge.sandbox.set_faults({"rate": 1.0, "codes": [403], "reason": "userRateLimitExceeded"})
        bridge.sandbox.reset_stats()
        with pytest.raises(RetriableError):
            deps.drive.info(photo)
        assert bridge.stats()["by_method"]["drive.files.get"]["requests"] == 6  # every attempt of the policy
        bridge.sandbox.set_faults({"rate": 1.0, "codes": [429], "reason": "RATE_LIMIT_EXCEEDED"})
        with pytest.raises(RetriableError):
            deps.sheets.info(DEMO_SPREADSHEET_ID, refresh=True)
        assert bridge.stats()["by_method"]["sheets.spreadsheets.get"]["requests"] == 6
        bridge.sandbox.set_faults({})
        assert deps.drive.info(photo).mime_type == "image/png"
    finally:
        deps.close()


def test_a_refused_write_back_does_not_block_the_other_rows(bridge: Bridge) -> None:
    """One Review row an officer protected for themselves kept every other published row from showing TERBIT."""
    bridge.cycle()
    bridge.officer_sets({"MM-2026-0001": Status.DISETUJUI.value, "MM-2026-0002": Status.DISETUJUI.value})
    review = bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")
    row = next(n for n, r in enumerate(review["rows"]) if r and r[0] == "MM-2026-0001")
    review["protectedRanges"].append({"protectedRangeId": 99, "range": {"sheetId": review["sheetId"], "startRowIndex": row,
                                      "endRowIndex": row + 1}, "editors": {"users": ["petugas@balangankab.go.id"]}})
    report = bridge.cycle()
    status = {r["ID"]: r["Status"] for r in bridge.review()}
    assert status["MM-2026-0002"] == Status.TERBIT.value and status["MM-2026-0001"] == Status.DISETUJUI.value
    assert any(p.startswith("MM-2026-0001: Google refused the Review write-back") for p in report.problems)
    review = bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")  # writes swap in a new copy of the sheet
    review["protectedRanges"] = [p for p in review["protectedRanges"] if p["protectedRangeId"] != 99]
    bridge.cycle()
    assert {r["ID"]: r["Status"] for r in bridge.review()}["MM-2026-0001"] == Status.TERBIT.value
    assert sum(1 for p in bridge.posts() if "Lasung Batu" in p["title"]) == 1  # published once, written back later


def test_auth_signs_in_at_the_sandbox_never_at_google(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`auth` always went to Google's consent screen and token address, so signing in could not be rehearsed."""
    import requests

    client = bridge.workdir / "credentials.json"
    client.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    token = bridge.workdir / "token.json"
    user = {"google__auth": "user", "google__client_secret": str(client), "google__token": str(token)}
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "0")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")  # restored (absent) after the test; `auth` sets it for http

    def officer_pastes(_prompt: str) -> str:
        url = next(x.strip() for x in capsys.readouterr().out.splitlines() if "/o/oauth2/auth?" in x)
        assert url.startswith(bridge.sandbox.url)
        return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]

    monkeypatch.setattr("builtins.input", officer_pastes)
    assert main(["auth", "-c", str(bridge.write_config(**user))], clock=bridge.clock) == 0
    assert json.loads(token.read_text(encoding="utf-8"))["refresh_token"].startswith("1//sandbox-")
    assert bridge.cycle(**user).intake.queued == 8


def test_check_names_the_account_a_spreadsheet_must_be_shared_with(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A spreadsheet not shared with the bridge was reported without saying which account needs access."""
    bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"] = []
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "share the spreadsheet with that account as Editor" in out and BRIDGE_ACCOUNT in out


def test_labels_are_dropped_from_the_least_important_end_and_counted_as_blogger_counts() -> None:
    """Labels over Blogger's 200 characters (commas and spaces included) would make the post fail."""
    from bridge.core.plaintext import fit_labels, labels_length, plain_line

    labels = ["Kecamatan Paringin", "Desa Lasung Batu", "x" * 150, "KIM Balangan"]
    kept, dropped = fit_labels(labels)
    assert kept == labels[:3] and dropped == ["KIM Balangan"]  # 202 characters with it, 188 without
    assert labels_length(["a" * 99, "b" * 99]) == 200
    assert plain_line("Musyawarah\u2028Desa\x1fMantimin <b>2027</b>", 300) == "Musyawarah Desa Mantimin 2027"


def test_a_blank_row_in_arsip_does_not_misplace_archived_rows(bridge: Bridge) -> None:
    """An officer's blank row in Arsip made Google write archived rows into the gap, over the history below it."""
    bridge.cycle()
    ids = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    bridge.officer_sets({ids[0]: Status.DISETUJUI.value})
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # the first row moves to Arsip
    arsip = bridge.rows("Arsip")
    assert [r[0] for r in arsip[1:]] == [ids[0]]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", arsip + [[], ["MM-2025-0999", "catatan lama"]])
    bridge.officer_sets({i: Status.DISETUJUI.value for i in ids[1:]})
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()
    after = bridge.rows("Arsip")
    assert after[2] == [] and after[3][0] == "MM-2025-0999"  # the gap and the old row stay where they were
    assert sorted(r[0] for r in after[4:]) == sorted(ids[1:])


def test_unit_says_which_folders_to_add_to_read_write_paths() -> None:
    """With the local photo store the service hit a read-only /var/www (ProtectSystem=strict) although check said OK."""
    unit = (Path(__file__).parents[2] / "deploy" / "mymein-bridge.service").read_text(encoding="utf-8")
    comment = unit.split("ReadWritePaths=/var/lib/mymein-bridge /etc/mymein-bridge\n")[0]
    assert '[photos] store = "local"' in comment and "[report] monthly_out_dir" in comment
    assert "#   ReadWritePaths=/var/lib/mymein-bridge /etc/mymein-bridge /var/www/mymein-foto" in comment


def test_unit_says_a_service_refused_at_start_needs_a_start_after_auth() -> None:
    """After a reboot with a revoked token the service stayed stopped (exit 3), while the unit said no restart is needed."""
    unit = (Path(__file__).parents[2] / "deploy" / "mymein-bridge.service").read_text(encoding="utf-8")
    assert "stopped with exit 3 and systemd left it stopped" in unit
    assert "after `auth`, sudo systemctl start mymein-bridge" in unit


def test_probe_blog_probes_the_anchor_marker_posts_carry(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """On a blog that drops comments the probe said the bridge would not find its posts, though posts carry the anchor."""
    from bridge.sandbox.seed import DEMO_BLOG_ID

    bridge.sandbox.state.blog(DEMO_BLOG_ID)["stripComments"] = True
    assert main(["check", "-c", str(bridge.write_config()), "--probe-blog"], clock=bridge.clock) == 0
    probe = [line for line in capsys.readouterr().out.splitlines() if " probe: " in line and "marker" in line]
    probe_id = "MM-PROBE-20261123100000"
    fp = __import__("hashlib").sha256(probe_id.encode()).hexdigest()[:16]
    for where in ("posts.get", "posts.list"):
        assert f"WARN probe: {where} DROPPED marker <!-- mymein-id: {probe_id} fp: {fp} -->" in probe
        assert f'OK   probe: {where} kept marker <a name="mymein.{probe_id}.{fp}">' in probe
        assert f"OK   probe: the bridge finds its post by marker in {where}" in probe


def test_an_idle_bridge_notices_at_once_that_the_spreadsheet_is_no_longer_shared(bridge: Bridge) -> None:
    """Unsharing the spreadsheet would go unnoticed (no IT alert, no failing cycle) until the 15-minute safety read."""
    from bridge.exceptions import BridgeError

    bridge.cycle()
    bridge.cycle()  # settled: the next cycle reads only Drive's change signal
    bridge.clock.advance(timedelta(minutes=1))
    bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"] = []
    with pytest.raises(BridgeError) as raised:
        bridge.cycle()
    assert "HTTP 403" in str(raised.value)

"""`demo`: the whole bridge on the in-process sandbox, with no Google account.

It prepares the spreadsheet, queues the demo submissions, plays an officer who
approves the valid ones (and rejects one), publishes them, and shows where to
open the blog preview.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bridge.adapters.retry import RetryPolicy
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.app import build_deps
from bridge.clock import RunningClock
from bridge.commands.prepare import prepare
from bridge.config import load_settings, render_config
from bridge.core.model import ReviewColumn, Status
from bridge.core.review_machine import PostState
from bridge.cycle.context import CycleContext
from bridge.cycle.pipeline import run_cycle

Out = Callable[[str], None]


def _table(rows: list[list[str]], widths: list[int]) -> list[str]:
    lines = []
    for row in rows:
        cells = []
        for value, width in zip(row, widths, strict=False):  # a short row (trailing blanks trimmed) shows fewer cells
            text = " ".join(str(value).split())
            cells.append((text[: width - 1] + "…") if len(text) > width else text.ljust(width))
        lines.append("  " + " | ".join(cells).rstrip())
    return lines


def show_review(deps: CycleContext, out: Out, *, quiet: bool = False) -> list[dict[ReviewColumn, str]]:
    """Print the Review tab as an officer would see it (unless ``quiet``); return its rows."""
    s = deps.settings
    (values,) = deps.sheets.batch_get(s.review_spreadsheet_id, [a1_tab(s.review_tab)])
    header = [str(h) for h in values[0]] if values else []
    rows = []
    for raw in values[1:]:
        rows.append({ReviewColumn(h): str(raw[i]) if i < len(raw) else "" for i, h in enumerate(header) if h in ReviewColumn._value2member_map_})
    shown = [["ID", "Desa", "KIM", "Judul", "Status", "Catatan Sistem"]]
    for r in rows:
        shown.append(
            [
                r.get(ReviewColumn.ID, ""),
                r.get(ReviewColumn.DESA, ""),
                r.get(ReviewColumn.KIM, ""),
                r.get(ReviewColumn.TITLE, ""),
                r.get(ReviewColumn.STATUS, ""),
                r.get(ReviewColumn.SYSTEM_NOTE, ""),
            ]
        )
    for line in ([] if quiet else _table(shown, [12, 16, 18, 34, 11, 60])):
        out(line)
    return rows


def officer_decides(deps: CycleContext, rows: list[dict[ReviewColumn, str]], out: Out) -> int:
    """Play the officer: approve every MENUNGGU row, reject the first TIDAK VALID one.

    Officers type into the sheet, so this writes with USER_ENTERED like the Sheets UI does.
    """
    s = deps.settings
    (header,) = deps.sheets.batch_get(s.review_spreadsheet_id, [f"{a1_tab(s.review_tab)}!1:1"])
    status_col = column_letter([str(h) for h in header[0]].index(ReviewColumn.STATUS.value))
    note_col = column_letter([str(h) for h in header[0]].index(ReviewColumn.OPERATOR_MESSAGE.value))
    data: list[dict[str, Any]] = []
    rejected = coordinated = False
    for n, r in enumerate(rows, start=2):
        status = Status.parse(r.get(ReviewColumn.STATUS, ""))
        if status == Status.MENUNGGU and not coordinated and s.coordination.on:  # issue 20: one item for the leadership
            coordinated = True
            data.append({"range": f"{a1_tab(s.review_tab)}!{status_col}{n}", "values": [[Status.PERLU_KOORDINASI.value]]})
            out(f"  petugas: {r[ReviewColumn.ID]} → PERLU KOORDINASI (disetujui, menunggu pimpinan / approved, pending a coordinator)")
        elif status == Status.MENUNGGU:
            data.append({"range": f"{a1_tab(s.review_tab)}!{status_col}{n}", "values": [[Status.DISETUJUI.value]]})
            out(f"  petugas: {r[ReviewColumn.ID]} → DISETUJUI")
        elif status == Status.TIDAK_VALID and not rejected:
            rejected = True
            data.append({"range": f"{a1_tab(s.review_tab)}!{status_col}{n}", "values": [[Status.DITOLAK.value]]})
            note = "Mohon kirim ulang dengan data desa yang benar."
            data.append({"range": f"{a1_tab(s.review_tab)}!{note_col}{n}", "values": [[note]]})
            out(f"  petugas: {r[ReviewColumn.ID]} → DITOLAK, Pesan untuk Operator: \"{note}\"")
    if data:
        deps.sheets.http.values_batch_update(
            s.review_spreadsheet_id, {"valueInputOption": "USER_ENTERED", "data": data}
        )
    return len(data)


def show_messages(state: Any, out: Out) -> None:
    """The messages operators received (the sandbox's Gmail outbox), one in full, the rest by subject."""
    from bridge.sandbox.gmail import outbox

    box = [m for m in outbox(state) if m["to"] not in (DEMO_OFFICER, DEMO_COORDINATOR)]
    out(f"5b. pesan untuk operator / messages operators receive ({len(box)}, [notify] operator_messages = true):")
    for m in box:
        out(f"  → {m['to']}: {m['subject']}")
    published = next((m for m in box if m["subject"].startswith("Berita Anda sudah terbit")), None)
    if published is not None:
        out("  contoh / example:")
        for line in [f"Subjek: {published['subject']}", *published["body"].strip().splitlines()]:
            out(f"    | {line}")


#: Who gets the officers' digest in the demo (an ".example" address: the sandbox's Gmail keeps it).
DEMO_OFFICER = "petugas@diskominfo.balangankab.example"


def show_digest(state: Any, out: Out) -> None:
    """The officers' digest (issue 19): the first one sent, in full."""
    from bridge.sandbox.gmail import outbox

    sent = [m for m in outbox(state) if m["to"] == DEMO_OFFICER]
    out(f"5c. ringkasan untuk petugas / the officers' digest ([notify] digest_to, digest_at = \"07:30\"; {len(sent)} sent):")
    if sent:
        for line in [f"Subjek: {sent[0]['subject']}", *sent[0]["body"].strip().splitlines()]:
            out(f"    | {line}")


#: The demo's coordinator (issue 20): only this account may write 'Persetujuan Pimpinan'.
DEMO_COORDINATOR = "pranata.humas@diskominfo.balangankab.example"
DEMO_ROLE = "JF Pranata Humas Ahli Muda"


def coordinator_agrees(deps: CycleContext, state: Any, base_url: str, out: Out) -> None:
    """Play the coordinator (issue 20): an officer's write to the protected column is refused, the
    coordinator's own SETUJU is accepted; both through the API with each person's own account."""
    import json
    import urllib.error
    import urllib.request

    from bridge.sandbox import oauth

    s = deps.settings
    (values,) = deps.sheets.batch_get(s.review_spreadsheet_id, [a1_tab(s.review_tab)])
    header = [str(h) for h in values[0]]
    at = next((n for n, r in enumerate(values[1:], start=2)
               if len(r) > header.index(ReviewColumn.STATUS.value) and r[header.index(ReviewColumn.STATUS.value)] == Status.PERLU_KOORDINASI.value), None)
    if at is None:
        return
    cell = f"{a1_tab(s.review_tab)}!{column_letter(header.index(ReviewColumn.LEADER.value))}{at}"
    for who in (DEMO_OFFICER, DEMO_COORDINATOR):  # an officer (an Editor of the sheet), then the coordinator
        token = oauth.issue_token(state, who)
        req = urllib.request.Request(
            f"{base_url}/v4/spreadsheets/{s.review_spreadsheet_id}/values/{urllib.parse.quote(cell)}?valueInputOption=RAW",
            data=json.dumps({"values": [["SETUJU"]]}).encode(), method="PUT",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10):
                out(f"  {who}: Persetujuan Pimpinan → SETUJU (diterima / accepted)")
        except urllib.error.HTTPError as exc:
            message = json.loads(exc.read() or b"{}").get("error", {}).get("message", str(exc))
            out(f"  {who}: Persetujuan Pimpinan → SETUJU ditolak / refused: {message.split('.')[0]}")


#: The demo report's kop and signature: example contacts (".example" domains), so the PDF shows every line.
DEMO_LETTERHEAD = {
    ("report", "address"): "Jl. Contoh No. 1, Paringin 71618 (alamat contoh)",
    ("report", "telephone"): "(0526) 000000",
    ("report", "email"): "diskominfo@balangankab.example",
    ("report", "website"): "diskominfo.balangankab.example",
    ("report", "signer_rank"): "Pembina Utama Muda (IV/c)",
    ("report", "preparer_title"): "Pengelola Kemitraan KIM",
}


def show_report(deps: CycleContext, workdir: Path, out: Out, *, kept: bool = True) -> None:
    """Write this month's report, as `mymein-bridge report` would, and print its main tables."""
    from bridge.commands.report import write_report
    from bridge.core.period import parse_period

    now = deps.now()
    period = parse_period(f"{now.year}-{now.month:02d}")
    folder = workdir / f"laporan-{period.key}"
    out(f"6. report: laporan monitoring dan evaluasi / the monitoring report (mymein-bridge report --period {period.key})")
    result = write_report(deps, period, folder)
    where = str(folder) if kept else f"{folder} (a temporary folder, removed when the demo ends; `demo --dir DIR` keeps it)"
    out(f"  tab '{result.tab}' written; PDF to print and sign, Excel workbook and CSV files in {where}")
    if result.report.drafts:
        out(f"  {result.report.drafts} approved item(s) are drafts waiting in Blogger (publish_mode = draft): "
            "publish them there to count them")
    shown = {  # table → (columns shown, their widths)
        "tabel-5-2-diseminasi": ((1, 2, 5), (24, 52, 16)),
        "tabel-3-3-pemetaan": ((0, 2, 7), (24, 8, 40)),
        "tindak-lanjut": ((0, 2), (24, 70)),
    }
    for name, (picked, widths) in shown.items():
        table = result.report.table(name)
        out(f"  {table.title}:")
        rows = [[str(table.header[i]) for i in picked]] + [[str(r[i]) for i in picked] for r in table.rows]
        for line in _table(rows, list(widths)):
            out(f"  {line}")


def run_demo(*, port: int = 0, workdir: Path | None = None, serve: bool | None = None, out: Out = print) -> int:
    """Run the demo end to end; with ``serve`` keep the sandbox up until Ctrl-C."""
    from bridge.sandbox.seed import DEMO_NOW, demo_state
    from bridge.sandbox.server import SandboxServer, describe_start_error, sandbox_config_values
    from bridge.sandbox.state import SandboxState

    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="mymein-demo-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    state_file = workdir / "sandbox-state.json"
    # The seed data tells a dated story; the demo's clock starts where that story does, so
    # the demo reads the same in any year (SK dates still valid, schedules still ahead).
    clock = RunningClock(DEMO_NOW)
    try:
        state = SandboxState.load(state_file) if state_file.exists() else SandboxState.from_json(demo_state())
        server = SandboxServer(state=state, port=port, state_path=str(state_file), clock=clock).start()
    except (OSError, OverflowError, ValueError) as exc:
        print(f"Cannot start the demo's sandbox: {describe_start_error(exc, '127.0.0.1', port, str(state_file))}", file=sys.stderr)
        if tmp is not None:
            tmp.cleanup()
        return 2
    try:
        cfg = workdir / "bridge.toml"
        values = sandbox_config_values(server.url, server.state, workdir)
        values[("blog", "publish_mode")] = "live"
        values[("notify", "operator_messages")] = True  # to the sandbox's Gmail: shown in step 5
        values[("notify", "digest_to")] = [DEMO_OFFICER]  # the 07:30 digest, due at once at the story's 10:00: step 5c
        values.update(DEMO_LETTERHEAD)
        # issue 20: one item goes through coordination (the officer marks it PERLU KOORDINASI)
        values[("review", "coordination")] = "rules"
        values[("review", "coordination_ditinjau")] = False
        values[("review", "coordinators")] = [{"email": DEMO_COORDINATOR, "role": DEMO_ROLE}]
        for sheet in server.state.to_json().get("spreadsheets", []):
            server.state.spreadsheet(sheet["id"]).setdefault("permissions", []).extend(
                {"type": "user", "role": "writer", "emailAddress": who} for who in (DEMO_OFFICER, DEMO_COORDINATOR))  # both Editors
        cfg.write_text(render_config(values, header="Demo config written by `mymein-bridge demo` (sandbox, live posts)."), encoding="utf-8")
        settings = load_settings(cfg)
        deps = build_deps(settings, retry=RetryPolicy(attempts=5, initial=0.2, maximum=2.0), clock=clock)

        out("== MY MEIN bridge demo (sandbox, no Google account) ==")
        out(f"Sandbox: {server.url}   config: {cfg}")
        out(f"Waktu cerita demo / demo story time: {DEMO_NOW.strftime('%d/%m/%Y %H:%M')} WITA")
        out("")
        out("1. init: menyiapkan spreadsheet / preparing the spreadsheet")
        for line in prepare(deps):
            out(f"  {line}")
        out("")
        out("2. once: kiriman formulir masuk ke tab Review / form responses arrive in the Review tab")
        report = run_cycle(deps)
        out(f"  {report.summary()}")
        rows = show_review(deps, out)
        out("")
        out("3. petugas memeriksa / an officer reviews (simulated)")
        officer_decides(deps, rows, out)
        out("")
        out("4. once: yang DISETUJUI terbit di blog / approved rows are published")
        report = run_cycle(deps)
        out(f"  {report.summary()}")
        show_review(deps, out)
        out("")
        out("4b. koordinasi / coordination: yang PERLU KOORDINASI terbit setelah pimpinan memilih SETUJU "
            "(kolom Persetujuan Pimpinan, terlindungi)")
        coordinator_agrees(deps, server.state, server.url, out)
        report = run_cycle(deps)
        out(f"  {report.summary()}")
        for r in show_review(deps, out, quiet=True):
            if r.get(ReviewColumn.DECIDED_BY, "").find("Koordinator") >= 0:
                out(f"  {r[ReviewColumn.ID]}: {r.get(ReviewColumn.STATUS, '')}; Diputuskan Oleh: {r[ReviewColumn.DECIDED_BY]}")
        out("")
        out("5. posts on the sandbox blog:")
        for blog in server.state.to_json().get("blogs", []):
            for post in blog.get("posts", []):
                if post.get("status") == PostState.LIVE:
                    out(f"  - {post.get('title')}  [{', '.join(post.get('labels', []))}]  {post.get('url', '')}")
        out("")
        show_messages(server.state, out)
        out("")
        show_digest(server.state, out)
        out("")
        show_report(deps, workdir, out, kept=tmp is None)
        out("")
        out(f"Open the blog preview in a browser: {server.url}/")
        out(f"Sandbox state (JSON): {server.url}/_sandbox/state   request counts: {server.url}/_sandbox/stats")
        deps.close()
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if serve if serve is not None else interactive:
            out("Sandbox keeps running for the preview; press Ctrl-C to stop.")
            out(f"Admin token of this run (header X-Sandbox-Admin, needed by POST /_sandbox/*): {server.admin_token}")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                out("Stopped.")
        else:
            out("(The sandbox stops now that the demo is over; `mymein-bridge demo --serve` keeps it open.)")
        return 0
    finally:
        server.stop()
        if tmp is not None:
            tmp.cleanup()

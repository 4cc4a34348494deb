"""Coordination before publishing (issue 20): an item that needs it goes out only when an officer approved
it and a coordinator chose SETUJU in the protected 'Persetujuan Pimpinan' column; each decision says who made it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from bridge.adapters.sheets import column_letter
from bridge.config import load_settings
from bridge.core import review_machine as m
from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.sandbox import oauth
from bridge.sandbox.seed import BRIDGE_ACCOUNT, DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer

from .conftest import Bridge, cycle_killed_after_insert

COORDINATOR = "pranata.humas@balangankab.go.id"
ROLE = "JF Pranata Humas Ahli Muda"
OFFICER = "petugas@balangankab.go.id"
LEADER = ReviewColumn.LEADER.value
NOTE = ReviewColumn.SYSTEM_NOTE.value


@pytest.fixture
def coord(sandbox: SandboxServer, tmp_path: Path) -> Bridge:
    """The demo sandbox with coordination on for every item, one coordinator, and `init` run."""
    perms = sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"]
    perms += [{"type": "user", "role": "writer", "emailAddress": a} for a in (COORDINATOR, OFFICER)]  # both Editors
    b = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={
        ("blog", "publish_mode"): "live", ("sheets", "officers"): [OFFICER],
        ("review", "coordination"): "all", ("review", "coordinators"): [{"email": COORDINATOR, "role": ROLE}],
    })
    b.init()
    return b


def _write_as(b: Bridge, account: str, sid: str, value: str) -> requests.Response:
    """Someone types into the sid's 'Persetujuan Pimpinan' cell (through the API, as their own account)."""
    rows = b.rows("Review")
    header = [str(h) for h in rows[0]]
    n = next(i for i, r in enumerate(rows) if r and r[0] == sid) + 1
    cell = f"Review!{column_letter(header.index(LEADER))}{n}"
    token = oauth.issue_token(b.sandbox.state, account)
    return requests.put(f"{b.sandbox.url}/v4/spreadsheets/{DEMO_SPREADSHEET_ID}/values/{cell}",
                        params={"valueInputOption": "RAW"}, json={"values": [[value]]},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _posts_of(b: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in b.posts() if sid in find_marker_ids(p.get("content", ""))]


def _row(b: Bridge, sid: str) -> dict[str, Any]:
    return next(r for r in b.review() if r["ID"] == sid)


def _approved_one(b: Bridge, status: Status = Status.DISETUJUI) -> str:
    b.cycle()
    sid = next(r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value)
    b.officer_sets({sid: status.value})
    return sid


def test_init_protects_the_coordinators_column(coord: Bridge) -> None:
    """Without the protection any officer could agree in a coordinator's name; init makes it, for them only."""
    sheet = coord.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")
    header = [str(h) for h in coord.rows("Review")[0]]
    assert LEADER in header and ReviewColumn.DECIDED_BY.value in header
    col = header.index(LEADER)
    mine = [p for p in sheet["protectedRanges"] if p["range"]["startColumnIndex"] <= col < p["range"]["endColumnIndex"]]
    assert len(mine) == 1 and mine[0]["editors"]["users"] == [COORDINATOR, BRIDGE_ACCOUNT]
    rule = next(r for r in sheet["dataValidation"] if r["range"]["startColumnIndex"] == col)
    assert [v["userEnteredValue"] for v in rule["rule"]["condition"]["values"]] == ["SETUJU", "TAHAN", "TOLAK"]
    assert coord.init()[-1] != ""  # run again: nothing added twice
    assert len([p for p in sheet["protectedRanges"] if p["range"]["startColumnIndex"] == col]) == 1


def test_approval_alone_does_not_publish_and_setuju_publishes_once(coord: Bridge) -> None:
    """An officer's DISETUJUI alone put sensitive news out; now it waits, saying for whom, until SETUJU, then once."""
    sid = _approved_one(coord)
    assert coord.cycle().publish.published == 0
    row = _row(coord, sid)
    assert row["Status"] == Status.DISETUJUI.value and row[NOTE] == m.waiting_for_leader_note(ROLE)
    assert not _posts_of(coord, sid)
    assert _write_as(coord, COORDINATOR, sid, "SETUJU").status_code == 200
    assert coord.cycle().publish.published == 1
    for _ in range(2):
        assert coord.cycle().publish.published == 0
    row = _row(coord, sid)
    assert row["Status"] == Status.TERBIT.value and len(_posts_of(coord, sid)) == 1
    who = row[ReviewColumn.DECIDED_BY.value]
    assert who.startswith("Petugas: DISETUJUI (kolom Status dapat diubah semua petugas yang menjadi editor; tidak membuktikan siapa)")
    assert f"Koordinator ({ROLE}): SETUJU (kolom Persetujuan Pimpinan terlindungi: hanya dapat diubah oleh {COORDINATOR})" in who


def test_a_non_coordinator_cannot_write_the_column(coord: Bridge) -> None:
    """An officer (an Editor of the sheet) agreeing for the coordinator is refused, as Google refuses it."""
    sid = _approved_one(coord)
    resp = _write_as(coord, OFFICER, sid, "SETUJU")
    assert resp.status_code == 400 and "protected cell" in resp.json()["error"]["message"]
    assert coord.cycle().publish.published == 0 and _row(coord, sid)[LEADER] == ""


def test_tahan_and_tolak_are_explained_and_never_publish(coord: Bridge) -> None:
    """A held or refused item stayed silent, or went out anyway; now the row says why and nothing is published."""
    coord.cycle()
    held, refused = [r["ID"] for r in coord.review() if r["Status"] == Status.MENUNGGU.value][:2]
    coord.officer_sets({held: Status.DISETUJUI.value, refused: Status.PERLU_KOORDINASI.value})
    assert _write_as(coord, COORDINATOR, held, "TAHAN").status_code == 200
    assert _write_as(coord, COORDINATOR, refused, "TOLAK").status_code == 200
    assert coord.cycle().publish.published == 0
    assert _row(coord, held)[NOTE] == m.held_note(ROLE)
    assert _row(coord, refused)[NOTE] == m.NOTE_LEADER_REFUSED
    assert "Koordinator" in _row(coord, refused)[ReviewColumn.DECIDED_BY.value]
    assert coord.cycle().publish.published == 0 and not _posts_of(coord, held) and not _posts_of(coord, refused)


def test_perlu_koordinasi_with_setuju_survives_a_kill_and_a_lost_ledger(coord: Bridge) -> None:
    """A crash right after the insert, then a lost ledger, must not publish a coordinated item twice."""
    sid = _approved_one(coord, Status.PERLU_KOORDINASI)
    coord.cycle()
    assert _write_as(coord, COORDINATOR, sid, "SETUJU").status_code == 200
    cycle_killed_after_insert(coord.deps())
    assert len(_posts_of(coord, sid)) == 1
    coord.lose_ledger()
    for _ in range(3):
        coord.cycle()
    assert len(_posts_of(coord, sid)) == 1 and _row(coord, sid)["Status"] == Status.TERBIT.value


def test_waiting_survives_a_lost_ledger(coord: Bridge) -> None:
    """The sheet is the truth: with the ledger gone, an item still waiting for its coordinator is not published."""
    sid = _approved_one(coord)
    coord.cycle()
    coord.lose_ledger()
    coord.cycle()
    assert not _posts_of(coord, sid) and _row(coord, sid)[NOTE] == m.waiting_for_leader_note(ROLE)


def test_check_verifies_protection_and_sharing(coord: Bridge) -> None:
    """`check` says whether only the coordinators can agree, and whether each can open the sheet to do so."""
    from bridge.commands.coordination_check import coordination_lines

    settings = load_settings(coord.write_config(), env={})
    deps = coord.deps()
    try:
        assert coordination_lines(settings, deps) == [
            f"OK   coordination: 'Persetujuan Pimpinan' editable only by the coordinators ({COORDINATOR}) and the bridge",
            "OK   coordination: every coordinator is an Editor of the spreadsheet",
        ]
        perms = coord.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"]
        perms[:] = [p for p in perms if p["emailAddress"] != COORDINATOR]
        sheet = coord.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")
        mine = next(p for p in sheet["protectedRanges"] if COORDINATOR in p["editors"]["users"])
        mine["editors"]["users"].append(OFFICER)
        lines = coordination_lines(settings, deps)
    finally:
        deps.close()
    assert lines[0].startswith("FAIL coordination: 'Persetujuan Pimpinan' is editable by") and f"not coordinators: {OFFICER}" in lines[0]
    assert lines[1].startswith(f"FAIL coordination: not an Editor of the spreadsheet: {COORDINATOR}")


def test_the_digest_lists_what_waits_for_the_coordinator_and_reaches_them(coord: Bridge) -> None:
    """A coordinator who is never told would leave approved news waiting for ever; the digest names it, to them too."""
    from bridge.sandbox.gmail import outbox

    opts = {"notify__digest_to": [OFFICER], "notify__digest_at": "11:00", "notify__digest_wait_hours": 0}
    sid = _approved_one(coord)
    coord.now = coord.now.replace(hour=10, minute=50)
    coord.cycle(**opts)
    coord.now = coord.now.replace(hour=11, minute=1)
    coord.cycle(**opts)
    mails = {m["to"]: m for m in outbox(coord.sandbox.state) if m["subject"].startswith("Ringkasan harian")}
    assert sorted(mails) == sorted([OFFICER, COORDINATOR])
    body = mails[COORDINATOR]["body"]
    assert "Untuk koordinator: menunggu Persetujuan Pimpinan (1); pilih SETUJU, TAHAN atau TOLAK" in body
    assert f"- {sid} |" in body.split("Untuk koordinator:")[1]


def test_coordinators_are_told_at_once_exactly_once(coord: Bridge) -> None:
    """With coordinator_messages, each coordinator hears of a waiting item once, not every cycle, not again after a lost ledger."""
    from bridge.sandbox.gmail import outbox

    opts = {"notify__coordinator_messages": True}
    sid = _approved_one(coord)
    coord.cycle(**opts)

    def told() -> list[dict[str, Any]]:
        return [m for m in outbox(coord.sandbox.state) if m["to"] == COORDINATOR and sid in m["subject"]]

    assert len(told()) == 1 and told()[0]["subject"].startswith("Menunggu Persetujuan Pimpinan:")
    assert "#gid=" in told()[0]["body"] and "Yth. JF Pranata Humas Ahli Muda," in told()[0]["body"]
    assert _row(coord, sid)[ReviewColumn.NOTICES.value].startswith("koordinasi ")
    coord.cycle(**opts)
    coord.lose_ledger()
    coord.cycle(**opts)
    assert len(told()) == 1


def test_a_resubmission_empties_the_coordinators_earlier_agreement(coord: Bridge) -> None:
    """A coordinator's SETUJU for the old text let the operator's revised text go live unseen once an officer re-approved it."""
    coord.cycle()
    first = coord.responses()[1]
    sid = next(r["ID"] for r in coord.review() if r[ReviewColumn.TITLE.value] == first[5])
    assert _write_as(coord, COORDINATOR, sid, "SETUJU").status_code == 200
    coord.officer_sets({sid: Status.PERLU_REVISI.value})
    coord.set_cell(sid, ReviewColumn.OPERATOR_MESSAGE, "Tambahkan jumlah warga yang ikut")
    coord.cycle()
    new = list(first)
    new[0] = {"datetime": "2026-11-23T11:00:00"}
    new[6] = ("Revisi: empat puluh warga Desa Lasung Batu membersihkan saluran irigasi sepanjang dua kilometer pada "
              "Minggu pagi bersama Pembakal; air kini kembali mengalir ke sawah menjelang musim tanam.")
    coord.set_responses(coord.responses() + [new])
    coord.cycle()
    row = _row(coord, sid)
    assert row[LEADER] == "" and row["Status"] == Status.MENUNGGU.value
    assert "Persetujuan Pimpinan (SETUJU) dikosongkan" in row[NOTE]
    coord.officer_sets({sid: Status.DISETUJUI.value})
    coord.cycle()
    coord.cycle()
    assert _posts_of(coord, sid) == [], "published on the agreement given to the old text"
    assert _write_as(coord, COORDINATOR, sid, "SETUJU").status_code == 200
    coord.cycle()
    coord.cycle()
    (post,) = _posts_of(coord, sid)
    assert "empat puluh warga" in post["content"]

"""Revise and resubmit end to end (issue 20): PERLU REVISI tells the operator once, the resubmission replaces the same item."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bridge.adapters.ledger import Submissions
from bridge.adapters.sheets import SheetsGateway
from bridge.core.model import ReviewColumn, Status
from bridge.cycle import intake
from bridge.exceptions import FatalError, RetriableError
from bridge.sandbox.gmail import outbox

from .conftest import Bridge, Killed

ON = {"notify__operator_messages": True}
NEW_BODY = ("Revisi: puluhan warga Desa Lasung Batu membersihkan saluran irigasi sepanjang dua kilometer pada Minggu pagi, "
            "dipimpin Pembakal bersama ketua RT. Air kini kembali mengalir ke sawah warga menjelang musim tanam.")


def _subjects(b: Bridge) -> Counter[str]:
    return Counter(m["subject"] for m in outbox(b.sandbox.state))


def _row(b: Bridge, sid: str) -> dict[str, Any]:
    return {r["ID"]: r for r in b.review()}[sid]


def _sent_back(b: Bridge, message: str = "Tambahkan berapa warga yang ikut dan perbaiki fotonya") -> tuple[str, list[Any]]:
    """Queue the demo, send the Lasung Batu item back for revision; returns its ID and its response row."""
    b.cycle(**ON)
    b.cycle(**ON)
    first = b.responses()[1]
    sid = next(r["ID"] for r in b.review() if r[ReviewColumn.TITLE.value] == first[5])
    assert _row(b, sid)["Status"] == Status.MENUNGGU.value
    b.officer_sets({sid: Status.PERLU_REVISI.value})
    if message:
        b.set_cell(sid, ReviewColumn.OPERATOR_MESSAGE, message)
    return sid, first


def _resubmit(b: Bridge, first: list[Any], *, title: str | None = None, body: str = NEW_BODY, at: str = "2026-11-23T11:00:00") -> None:
    rows = b.responses()
    new = list(first)
    new[0] = {"datetime": at}
    new[5] = first[5] if title is None else title
    new[6] = body
    b.set_responses(rows + [new])


def test_resubmission_replaces_the_same_item_then_publishes_once(bridge: Bridge) -> None:
    """The operator's revision lands in the same Review row (same ID, a note of what changed) and is what gets published."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert _subjects(bridge)[f"Berita Anda perlu direvisi ({sid})"] == 1
    told = next(m for m in outbox(bridge.sandbox.state) if m["subject"] == f"Berita Anda perlu direvisi ({sid})")
    assert "Tambahkan berapa warga" in told["body"] and sid in told["body"]
    assert _row(bridge, sid)["Status"] == Status.PERLU_REVISI.value  # stays open, never published
    assert bridge.posts() == [] or all(first[5] not in p["title"] for p in bridge.posts())
    rows_before = len(bridge.review())
    _resubmit(bridge, first)
    report = bridge.cycle(**ON)
    assert report.intake.queued == 0 and report.intake.revised_ids == [sid]
    assert len(bridge.review()) == rows_before
    row = _row(bridge, sid)
    assert row["Status"] == Status.MENUNGGU.value
    assert row[ReviewColumn.BODY.value] == NEW_BODY and "gotong royong" not in row[ReviewColumn.BODY.value].lower()
    assert row[ReviewColumn.SYSTEM_NOTE.value].startswith("Diperbarui oleh operator (23/11/2026 11:00:00 WITA): Isi.")
    assert "perlu-revisi" not in row[ReviewColumn.NOTICES.value]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    (post,) = [p for p in bridge.posts() if first[5] in p["title"]]
    assert "Air kini kembali mengalir" in post["content"] and "ibu-ibu PKK" not in post["content"]
    assert _row(bridge, sid)["Status"] == Status.TERBIT.value
    assert max(_subjects(bridge).values()) == 1, "no message twice"


def test_a_revision_request_without_a_message_waits_and_says_so(bridge: Bridge) -> None:
    """PERLU REVISI with an empty Pesan untuk Operator tells the operator nothing until an officer writes what to revise."""
    sid, _ = _sent_back(bridge, message="")
    bridge.cycle(**ON)
    assert _subjects(bridge)[f"Berita Anda perlu direvisi ({sid})"] == 0
    assert "perlu-revisi MENUNGGU: tulis alasannya" in _row(bridge, sid)[ReviewColumn.NOTICES.value]
    bridge.set_cell(sid, ReviewColumn.OPERATOR_MESSAGE, "Judulnya terlalu umum")
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert _subjects(bridge)[f"Berita Anda perlu direvisi ({sid})"] == 1


def test_the_id_written_in_the_body_matches_even_with_a_new_title(bridge: Bridge) -> None:
    """An operator who changes the title but names the ID revises the item instead of queuing a second one."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    rows_before = len(bridge.review())
    _resubmit(bridge, first, title="Gotong Royong Irigasi Lasung Batu (revisi)", body=f"Revisi untuk {sid}. Isi yang benar-benar baru sama sekali.")
    bridge.cycle(**ON)
    assert len(bridge.review()) == rows_before
    row = _row(bridge, sid)
    assert row[ReviewColumn.TITLE.value] == "Gotong Royong Irigasi Lasung Batu (revisi)"
    assert "Judul, Isi" in row[ReviewColumn.SYSTEM_NOTE.value]


def test_a_resubmission_failing_validation_is_tidak_valid_with_its_reasons(bridge: Bridge) -> None:
    """A revision that breaks a check (a body far too short) goes back to officers as TIDAK VALID, same ID, reasons shown."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    _resubmit(bridge, first, body="Pendek.")
    report = bridge.cycle(**ON)
    assert report.intake.revised_ids == [sid] and "resubmissions 1" in report.summary()
    row = _row(bridge, sid)
    assert row["Status"] == Status.TIDAK_VALID.value and row[ReviewColumn.BODY.value] == "Pendek."
    note = row[ReviewColumn.SYSTEM_NOTE.value].splitlines()
    assert note[0].endswith(": Isi.") and any("terlalu pendek" in line for line in note[1:])


def test_a_response_matching_no_open_revision_is_queued_as_new(bridge: Bridge) -> None:
    """Other news from the same KIM while one item waits for revision is its own item, not a replacement."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    rows_before = len(bridge.review())
    _resubmit(bridge, first, title="Posyandu Lasung Batu Buka Layanan Imunisasi",
              body="Posyandu Desa Lasung Batu membuka layanan imunisasi dasar bagi balita setiap Sabtu pagi di balai desa.")
    report = bridge.cycle(**ON)
    assert report.intake.queued == 1 and report.intake.revised_ids == []
    assert len(bridge.review()) == rows_before + 1
    assert _row(bridge, sid)["Status"] == Status.PERLU_REVISI.value and _row(bridge, sid)[ReviewColumn.BODY.value] != NEW_BODY


@pytest.mark.parametrize("where", ["before the Review write", "between the Review write and the ledger"])
def test_a_kill_and_a_lost_ledger_make_no_duplicate(bridge: Bridge, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """A bridge killed around the replacement, then started on a wiped disk, writes it once: no new row, item or message."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    rows_before = len(bridge.review())
    _resubmit(bridge, first)

    def dying(*args: Any, **kwargs: Any) -> None:
        raise Killed()

    with monkeypatch.context() as m:
        if where == "before the Review write":
            m.setattr(intake, "apply_revisions", dying)
        else:
            m.setattr(Submissions, "revise", dying)
        with pytest.raises(Killed):
            bridge.cycle(**ON)
    bridge.cycle(**ON)
    row = _row(bridge, sid)
    assert row[ReviewColumn.BODY.value] == NEW_BODY and row["Status"] == Status.MENUNGGU.value
    assert row[ReviewColumn.SYSTEM_NOTE.value].count("Diperbarui oleh operator") == 1
    assert len(bridge.review()) == rows_before
    bridge.lose_ledger()
    report = bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert report.intake.queued == 0 and len(bridge.review()) == rows_before
    assert [r["ID"] for r in bridge.review()].count(sid) == 1
    assert max(_subjects(bridge).values()) == 1, "no message twice"
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle(**ON)
    assert len([p for p in bridge.posts() if first[5] in p["title"]]) == 1


def test_a_second_request_for_revision_is_told_again(bridge: Bridge) -> None:
    """After a revision came in, an officer asking for another one reaches the operator again (once per request)."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    _resubmit(bridge, first)
    bridge.cycle(**ON)
    bridge.officer_sets({sid: Status.PERLU_REVISI.value})
    bridge.set_cell(sid, ReviewColumn.OPERATOR_MESSAGE, "Fotonya masih kurang jelas")
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    told = [m for m in outbox(bridge.sandbox.state) if m["subject"] == f"Berita Anda perlu direvisi ({sid})"]
    assert len(told) == 2 and "Fotonya masih kurang jelas" in told[1]["body"]
    _resubmit(bridge, first, body=NEW_BODY + " Foto sudah diganti.", at="2026-11-23T12:00:00")
    bridge.cycle(**ON)
    row = _row(bridge, sid)
    assert row["Status"] == Status.MENUNGGU.value and row[ReviewColumn.BODY.value].endswith("Foto sudah diganti.")
    assert len(row[ReviewColumn.FINGERPRINT.value].split()) == 3  # the original, then each resubmission


@pytest.mark.parametrize("error", [RetriableError("503 backend error"), FatalError("400 cell refused")])
def test_a_refused_write_waits_for_the_next_cycle_and_stops_nothing(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """A Sheets error on the replacement would stop the cycle (or lose the revision); it is written once, a cycle later."""
    sid, first = _sent_back(bridge)
    bridge.cycle(**ON)
    _resubmit(bridge, first)
    real = SheetsGateway.update_ranges

    def refusing(self: SheetsGateway, spreadsheet_id: str, data: Any, **kwargs: Any) -> int:
        if any(NEW_BODY in str(values) for _, values in data):
            raise error
        return real(self, spreadsheet_id, data, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(SheetsGateway, "update_ranges", refusing)
        report = bridge.cycle(**ON)
    assert any("resubmissions not written" in p for p in report.problems) and report.intake.queued == 0
    assert _row(bridge, sid)["Status"] == Status.PERLU_REVISI.value
    rows_before = len(bridge.review())
    bridge.cycle(**ON)
    assert _row(bridge, sid)[ReviewColumn.BODY.value] == NEW_BODY and len(bridge.review()) == rows_before


def test_a_waiting_revision_request_is_taken_off_when_the_officer_decides_otherwise(bridge: Bridge) -> None:
    """A 'perlu-revisi MENUNGGU' line left on a row the officer then approved would tell IT a message still waits."""
    sid, _ = _sent_back(bridge, message="")
    bridge.cycle(**ON)
    assert "perlu-revisi MENUNGGU" in _row(bridge, sid)[ReviewColumn.NOTICES.value]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert "perlu-revisi" not in _row(bridge, sid)[ReviewColumn.NOTICES.value]
    assert _subjects(bridge)[f"Berita Anda perlu direvisi ({sid})"] == 0

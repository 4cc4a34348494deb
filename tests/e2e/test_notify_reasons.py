"""The perlu-perbaikan message in operators' words (issue 19 audit): resubmit only when the operator can fix it."""

from __future__ import annotations

from typing import Any

from bridge.core.model import ReviewColumn
from bridge.sandbox.gmail import outbox

from .conftest import Bridge

ON = {"notify__operator_messages": True}
NOTE = ReviewColumn.SYSTEM_NOTE.value
OFFICER_WORDS = ("tab KIM", "kolom", "Minta operator", "sebelum menyetujui", "Review")


def _add_untitled(b: Bridge) -> None:
    """A new response copied from Mantimin's (a valid KIM) with an empty title."""
    rows = b.responses()
    header = [str(h) for h in rows[0]]
    new = list(next(r for r in rows[1:] if r[header.index("Desa/Kelurahan")] == "Mantimin"))
    new[0] = {"datetime": "2026-11-29T21:00:00"}
    new[header.index("Judul Berita")] = ""
    b.set_responses(rows + [new])


def _message_for(b: Bridge, row: dict[str, Any]) -> str:
    (body,) = [m["body"] for m in outbox(b.sandbox.state) if m["subject"] == f"Berita Anda perlu diperbaiki ({row['ID']})"]
    return str(body)


def test_an_operator_is_asked_to_resubmit_only_what_they_can_fix(bridge: Bridge) -> None:
    """An operator whose KIM's SK expired would be told to resubmit (and send the same news again), in officers' words."""
    _add_untitled(bridge)
    bridge.cycle(**ON)
    bridge.cycle(**ON)  # rows queued last cycle get their message
    review = bridge.review()
    expired = next(r for r in review if r[ReviewColumn.KIM.value] == "KIM Panaitan Sejahtera")
    untitled = next(r for r in review if r["Judul"] == "")
    assert expired[NOTE] == ("1. SK KIM Panaitan Sejahtera (188.45/009/DISKOMINFO/2023) sudah berakhir pada 30/06/2025. Setelah SK "
                             "diperpanjang, perbarui kolom SK Berlaku Sampai di tab KIM.")  # officers keep their text
    told = _message_for(bridge, expired)
    assert "1. SK KIM Panaitan Sejahtera sudah berakhir pada 30/06/2025; berita dapat diterima lagi setelah SK diperpanjang." in told
    assert "Anda tidak perlu mengirim ulang" in told and "kirim ulang lewat formulir" not in told
    asked = _message_for(bridge, untitled)
    assert "1. Judul berita belum diisi." in asked and "kirim ulang lewat formulir" in asked
    assert untitled[NOTE].startswith("1. Judul berita kosong; isi Judul di tab Review atau minta operator mengirim ulang.")
    for body in (told, asked):
        assert not [w for w in OFFICER_WORDS if w in body], body

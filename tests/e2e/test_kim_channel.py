"""Per-KIM channels end to end (issue 19): the KIM tab picks where each KIM's operator messages go."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bridge.core.model import KimColumn, ReviewColumn
from bridge.sandbox.gmail import outbox
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge

NOTICES = ReviewColumn.NOTICES.value


def _set_kim(bridge: Bridge, channels: dict[str, tuple[str, str]]) -> None:
    """An officer fills 'Kanal Notifikasi' and 'Alamat Notifikasi' for some KIM."""
    rows = bridge.rows("KIM")
    header = [str(h) for h in rows[0]]
    name, kanal, alamat = (header.index(c.value) for c in (KimColumn.NAME, KimColumn.CHANNEL, KimColumn.CHANNEL_ADDRESS))
    for row in rows[1:]:
        if row and row[name] in channels:
            row.extend([""] * (max(kanal, alamat) + 1 - len(row)))
            row[kanal], row[alamat] = channels[row[name]]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "KIM", rows)


def test_each_kim_gets_its_messages_where_the_kim_tab_says(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """Operators of a KIM that chose Telegram, a webhook or none would still be e-mailed; a bad value would stop their messages."""
    assert {KimColumn.CHANNEL.value, KimColumn.CHANNEL_ADDRESS.value} <= set(bridge.rows("KIM")[0]), "init adds the columns"
    sink = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/"
    _set_kim(bridge, {
        "KIM Melati Mantuyan": ("Telegram", "-1001234567890"),
        "KIM Karet Buntu Karau": ("webhook", bridge.sandbox.url + "/_sandbox/webhook/karet"),
        "KIM Mantimin Maju": ("sms", "0812 3456 7890"),  # not a channel: the form's e-mail, and officers are told
        "KIM Lasung Batu Bersatu": ("tidak", ""),
    })
    opts: dict[str, Any] = {"notify__operator_messages": True, "notify__events": ["diterima"],
                            "notify__kim_channels": {"telegram": sink + "tg{address}", "webhook": "json://{address}"}}
    caplog.set_level(logging.WARNING, logger="bridge.notify")
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    by_kim = {r[ReviewColumn.KIM.value]: r for r in bridge.review() if r["Status"] == "MENUNGGU"}
    box = {m["to"]: m for m in outbox(bridge.sandbox.state)}
    melati, karet, mantimin = (by_kim[k]["ID"] for k in ("KIM Melati Mantuyan", "KIM Karet Buntu Karau", "KIM Mantimin Maju"))
    assert box["tg-1001234567890"]["subject"] == f"Berita Anda sudah diterima ({melati})"
    assert box["karet"]["subject"] == f"Berita Anda sudah diterima ({karet})"
    mail = box[str(by_kim["KIM Mantimin Maju"][ReviewColumn.EMAIL.value]).lower()]
    assert mail["channel"] == "gmail" and mantimin in mail["subject"]
    assert not any(by_kim["KIM Lasung Batu Bersatu"]["ID"] in m["subject"] for m in box.values()), "tidak: no message"
    review = {r["ID"]: r for r in bridge.review()}
    assert review[melati][NOTICES].endswith(" lewat telegram")
    assert review[karet][NOTICES].endswith(" lewat webhook")
    assert review[mantimin][NOTICES].endswith(" ke email formulir: Kanal Notifikasi di tab KIM salah")
    assert not review[by_kim["KIM Lasung Batu Bersatu"]["ID"]][NOTICES]
    warned = [r.getMessage() for r in caplog.records if "Kanal Notifikasi" in r.getMessage() or "KIM tab row" in r.getMessage()]
    assert len(warned) == 1 and "unknown Kanal Notifikasi 'sms'" in warned[0], "logged once in English, not every cycle"
    assert len(outbox(bridge.sandbox.state)) == len(box)


def test_a_bad_channel_value_is_explained_to_officers_in_the_registry_check(bridge: Bridge) -> None:
    """An officer who mistyped the channel would never learn why the KIM's operators get e-mail instead."""
    from bridge.core.registry import check_registry
    from bridge.cycle.snapshot import read_snapshot

    _set_kim(bridge, {"KIM Mantimin Maju": ("sms", "0812 3456 7890"), "KIM Melati Mantuyan": ("whatsapp", "0812-3456-7890")})
    deps = bridge.deps()
    try:
        snap = read_snapshot(deps, 2)
        problems = [p for p in check_registry(snap.kim, deps.wilayah) if p.code == "channel_invalid"]
    finally:
        deps.close()
    assert [p.id for p in problems] == [
        f"Baris {problems[0].row} (KIM Mantimin Maju): Kanal Notifikasi 'sms' tidak dikenal; pilih email, telegram, whatsapp, "
        "webhook atau tidak. Pesan untuk operator KIM ini dikirim ke email di formulir."]


def test_a_kim_channel_message_is_sent_once_across_a_kill_and_a_lost_ledger(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Telegram group would get the same message again after a crash between send and write-back and a wiped disk."""
    from bridge.cycle import notify

    from .conftest import Killed

    sink = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/"
    _set_kim(bridge, {"KIM Melati Mantuyan": ("telegram", "@kimmelati")})
    opts: dict[str, Any] = {"notify__operator_messages": True, "notify__kim_channels": {"telegram": sink + "tg{address}"}}
    bridge.cycle(**opts)

    def dying(*args: Any, **kwargs: Any) -> None:
        raise Killed()

    with monkeypatch.context() as m:
        m.setattr(notify, "_write_exact", dying)
        with pytest.raises(Killed):
            bridge.cycle(**opts)
    sent = [m for m in outbox(bridge.sandbox.state) if m["to"] == "tg@kimmelati"]
    assert len(sent) == 1
    bridge.lose_ledger()
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    assert [m for m in outbox(bridge.sandbox.state) if m["to"] == "tg@kimmelati"] == sent


def test_a_mistyped_kim_channel_url_waits_for_it_instead_of_blaming_the_address(bridge: Bridge) -> None:
    """A typo in IT's kim_channels URL would mark every message of that KIM 'alamat tidak valid' forever, lost even after IT fixes it."""
    sink = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/"
    _set_kim(bridge, {"KIM Melati Mantuyan": ("WA", "0812 5123 0002")})
    opts: dict[str, Any] = {"notify__operator_messages": True, "notify__events": ["diterima"],
                            "notify__kim_channels": {"whatsapp": "whatsap://TOKEN@FROMID/{address}"}}
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    melati = next(r for r in bridge.review() if r[ReviewColumn.KIM.value] == "KIM Melati Mantuyan")
    assert melati[NOTICES] == "", "not sent, not failed: tried again later"
    bridge.clock.advance(timedelta(minutes=3))
    opts["notify__kim_channels"] = {"whatsapp": sink + "wa{address}"}  # IT fixes the URL
    bridge.cycle(**opts)
    melati = next(r for r in bridge.review() if r["ID"] == melati["ID"])
    assert melati[NOTICES].endswith(" lewat whatsapp")
    assert [m["subject"] for m in outbox(bridge.sandbox.state) if m["to"] == "wa6281251230002"] == [
        f"Berita Anda sudah diterima ({melati['ID']})"]

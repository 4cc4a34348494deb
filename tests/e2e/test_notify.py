"""Operator messages end to end (issue 19): every event, Gmail and Apprise, exactly once across kills and a lost ledger."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status
from bridge.cycle import notify
from bridge.sandbox.gmail import outbox

from .conftest import Bridge, Killed

ON = {"notify__operator_messages": True}
NOTICES = ReviewColumn.NOTICES.value


def _box(b: Bridge) -> list[dict[str, Any]]:
    return outbox(b.sandbox.state)


def _subjects(b: Bridge) -> Counter[str]:
    return Counter(m["subject"] for m in _box(b))


def _first_with_email(b: Bridge, status: Status) -> list[str]:
    return [r["ID"] for r in b.review() if r["Status"] == status.value and "@" in str(r[ReviewColumn.EMAIL.value])]


def test_every_event_reaches_the_operator_once_by_gmail(bridge: Bridge) -> None:
    """Operators hear of receipt, needed fixes, publication, rejection and withdrawal, each once, by e-mail."""
    bridge.cycle(**ON)
    bridge.cycle(**ON)  # rows queued last cycle are told they arrived
    waiting, invalid = _first_with_email(bridge, Status.MENUNGGU), _first_with_email(bridge, Status.TIDAK_VALID)
    assert len(waiting) >= 3 and invalid
    box = _box(bridge)
    assert all(m["channel"] == "gmail" for m in box)
    assert Counter(m["subject"].split(" (")[0] for m in box) == {
        "Berita Anda sudah diterima": len(waiting), "Berita Anda perlu diperbaiki": len(invalid)}
    review = {r["ID"]: r for r in bridge.review()}
    assert review[waiting[0]][NOTICES].startswith("diterima 23/11/2026")
    assert review[invalid[0]][NOTICES].startswith("perlu-perbaikan 23/11/2026")
    assert "Minta operator" in review[invalid[0]][ReviewColumn.SYSTEM_NOTE.value]  # officers keep their text
    assert "Minta operator" not in next(m["body"] for m in box if invalid[0] in m["subject"])  # operators read theirs
    bridge.officer_sets({waiting[0]: Status.DISETUJUI.value, waiting[1]: Status.DITOLAK.value})
    bridge.set_cell(waiting[1], ReviewColumn.OFFICER_NOTE, "catatan internal: operator ini sering salah")
    bridge.set_cell(waiting[1], ReviewColumn.OPERATOR_MESSAGE, "Foto tidak sesuai isi berita")
    bridge.cycle(**ON)
    published = next(m for m in _box(bridge) if m["subject"] == f"Berita Anda sudah terbit ({waiting[0]})")
    assert {r["ID"]: r for r in bridge.review()}[waiting[0]][ReviewColumn.POST_URL.value] in published["body"]
    rejected = next(m for m in _box(bridge) if m["subject"] == f"Berita Anda tidak diterbitkan ({waiting[1]})")
    assert "Foto tidak sesuai isi berita" in rejected["body"] and "catatan internal" not in rejected["body"]
    bridge.officer_sets({waiting[0]: Status.DITARIK.value})
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    subjects = _subjects(bridge)
    assert subjects[f"Berita Anda ditarik dari situs ({waiting[0]})"] == 1
    assert max(subjects.values()) == 1, "no message twice"
    assert len(_box(bridge)) == len(waiting) + len(invalid) + 3


def test_messages_are_off_by_default(bridge: Bridge) -> None:
    """A deployment that does not turn messages on sends nothing and writes no Notifikasi cell."""
    bridge.cycle()
    bridge.cycle()
    assert _box(bridge) == []
    assert all(not r[NOTICES] for r in bridge.review())


def _kill_before_write_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def dying(*args: Any, **kwargs: Any) -> None:
        raise Killed()

    monkeypatch.setattr(notify, "_write_exact", dying)


def test_killed_between_send_and_write_back_sends_nothing_twice(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bridge killed after sending, before writing what it sent, writes it next cycle and sends nothing again."""
    bridge.cycle(**ON)
    with monkeypatch.context() as m:
        _kill_before_write_back(m)
        with pytest.raises(Killed):
            bridge.cycle(**ON)
    sent = len(_box(bridge))
    assert sent > 0
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert len(_box(bridge)) == sent
    marked = [r for r in bridge.review() if r[NOTICES]]
    assert len(marked) == sent and all(" ? " not in r[NOTICES] for r in marked)


def test_lost_ledger_between_send_and_write_back_sends_nothing_twice(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a kill between send and write-back and a wiped disk, the sheet alone keeps every message from going twice."""
    bridge.cycle(**ON)
    with monkeypatch.context() as m:
        _kill_before_write_back(m)
        with pytest.raises(Killed):
            bridge.cycle(**ON)
    sent = len(_box(bridge))
    bridge.lose_ledger()
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert len(_box(bridge)) == sent
    assert max(_subjects(bridge).values()) == 1


def test_apprise_json_reaches_the_sandbox_webhook(bridge: Bridge) -> None:
    """With channel = apprise, each operator message goes to the configured URL with the operator's address."""
    url = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/{address}"
    opts = {**ON, "notify__channel": "apprise", "notify__apprise_urls": [url]}
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    box = _box(bridge)
    waiting = _first_with_email(bridge, Status.MENUNGGU)
    assert box and all(m["channel"].startswith("webhook:") and "@" in m["to"] for m in box)
    review = {r["ID"]: r for r in bridge.review()}
    assert {m["to"] for m in box} <= {str(review[i][ReviewColumn.EMAIL.value]).lower() for i in review}
    assert sum(1 for m in box if m["subject"].startswith("Berita Anda sudah diterima")) == len(waiting)


def test_a_bad_address_is_reported_once_and_never_retried(bridge: Bridge) -> None:
    """An operator address Gmail refuses shows GAGAL on the row once; later cycles do not try again."""
    rows = bridge.responses()
    col = next(i for i, h in enumerate(rows[0]) if "mail" in str(h).lower())
    rows[1][col] = "operator@tanpa-titik"
    bridge.set_responses(rows)
    bridge.cycle(**ON)
    sid = next(r["ID"] for r in bridge.review() if r[ReviewColumn.EMAIL.value] == "operator@tanpa-titik")
    for _ in range(3):
        bridge.cycle(**ON)
    assert not any(sid in m["subject"] for m in _box(bridge))
    assert {r["ID"]: r for r in bridge.review()}[sid][NOTICES].endswith(" GAGAL: alamat tidak valid")


def test_settled_cycles_write_no_notice_cells_again(bridge: Bridge) -> None:
    """Once every operator has been told, a cycle sends nothing and writes nothing more for messages."""
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    sent = len(_box(bridge))
    bridge.sandbox.reset_stats()
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert len(_box(bridge)) == sent
    assert "sheets.spreadsheets.values.batchUpdate" not in bridge.stats()["by_method"]


def test_a_rejection_without_a_message_waits_and_says_so(bridge: Bridge) -> None:
    """DITOLAK with an empty 'Pesan untuk Operator' tells nobody yet, says why on the row, and goes once the message is written."""
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    sid = _first_with_email(bridge, Status.MENUNGGU)[0]
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    assert not any(m["subject"].startswith("Berita Anda tidak diterbitkan") for m in _box(bridge))
    cell = {r["ID"]: r for r in bridge.review()}[sid][NOTICES]
    assert cell.splitlines()[1] == "ditolak MENUNGGU: tulis alasannya di kolom 'Pesan untuk Operator'"
    bridge.set_cell(sid, ReviewColumn.OPERATOR_MESSAGE, "Berita ini sudah pernah dimuat")
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    rejected = [m for m in _box(bridge) if m["subject"] == f"Berita Anda tidak diterbitkan ({sid})"]
    assert len(rejected) == 1 and "Berita ini sudah pernah dimuat" in rejected[0]["body"]
    assert {r["ID"]: r for r in bridge.review()}[sid][NOTICES].splitlines()[1].startswith("ditolak 23/11/2026")


def test_a_rejection_may_go_without_a_message_when_configured(bridge: Bridge) -> None:
    """With reject_without_message on, DITOLAK is told at once, with a line asking the operator to call."""
    opts = {**ON, "notify__reject_without_message": True}
    bridge.cycle(**opts)
    sid = _first_with_email(bridge, Status.MENUNGGU)[0]
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.cycle(**opts)
    rejected = [m for m in _box(bridge) if m["subject"] == f"Berita Anda tidak diterbitkan ({sid})"]
    assert len(rejected) == 1 and "hubungi Diskominfo" in rejected[0]["body"]


def test_a_review_tab_from_before_issue_19_keeps_working(bridge: Bridge) -> None:
    """A deployment that has not run `init` since the upgrade queues and publishes as before; messages wait for the column."""
    rows = bridge.rows("Review")
    keep = [i for i, h in enumerate(rows[0]) if h not in (NOTICES, ReviewColumn.OPERATOR_MESSAGE.value, ReviewColumn.DECIDED.value)]
    bridge.sandbox.state.set_sheet_rows(bridge_sid(), "Review", [[r[i] if i < len(r) else "" for i in keep] for r in rows])
    report = bridge.cycle(**ON)
    assert report.intake.queued > 0 and not report.intake.halted
    report = bridge.cycle(**ON)
    assert _box(bridge) == []
    assert any("Notifikasi Terkirim" in p for p in report.problems)
    bridge.init()  # adds the new columns
    assert NOTICES in bridge.rows("Review")[0]
    bridge.cycle(**ON)
    assert _box(bridge) and max(_subjects(bridge).values()) == 1


def bridge_sid() -> str:
    from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

    return DEMO_SPREADSHEET_ID


def test_a_draft_is_not_announced_as_published(bridge: Bridge) -> None:
    """In draft mode the operator would get the officers' Blogger editor link as if the news were live."""
    bridge.cycle(**ON)
    sid = _first_with_email(bridge, Status.MENUNGGU)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle(blog__publish_mode="draft", **ON)
    bridge.cycle(blog__publish_mode="draft", **ON)
    assert {r["ID"]: r for r in bridge.review()}[sid]["Status"] == Status.TERBIT.value
    assert not any(m["subject"].startswith("Berita Anda sudah terbit") for m in _box(bridge))
    assert not any("blogger.com/blog/post/edit" in m["body"] for m in _box(bridge))


def test_a_failing_channel_is_retried_with_backoff_then_shown_on_the_row(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel that is down would be hammered every cycle, or the message silently dropped."""
    from datetime import timedelta

    from bridge.adapters.notify import AppriseChannel

    calls: list[str] = []
    real = AppriseChannel.send

    def counting(self: AppriseChannel, message: Any) -> None:
        calls.append(message.key)
        real(self, message)

    monkeypatch.setattr(AppriseChannel, "send", counting)
    opts = {**ON, "notify__channel": "apprise", "notify__apprise_urls": ["json://127.0.0.1:9/down"],
            "notify__events": ["diterima"]}
    bridge.cycle(**opts)
    bridge.cycle(**opts)
    first = len(calls)
    assert first == len(_first_with_email(bridge, Status.MENUNGGU)) and first > 0
    assert all(not r[NOTICES] for r in bridge.review()), "a message not sent is not recorded as sent"
    bridge.cycle(**opts)  # within the first wait (2 min): no new attempt
    assert len(calls) == first
    bridge.now = bridge.now + timedelta(minutes=3)
    bridge.cycle(**opts)
    assert len(calls) == 2 * first
    for _ in range(30):  # a day and more, one cycle an hour
        bridge.now = bridge.now + timedelta(hours=1)
        bridge.cycle(**opts)
    attempts = len(calls)
    assert attempts < 20 * first, "backoff: far fewer attempts than cycles"
    rows = [r for r in bridge.review() if r["Status"] == Status.MENUNGGU.value and "@" in str(r[ReviewColumn.EMAIL.value])]
    assert all(r[NOTICES] == "diterima GAGAL: tidak terkirim setelah dicoba 24 jam" for r in rows)
    bridge.now = bridge.now + timedelta(hours=5)
    bridge.cycle(**opts)
    assert len(calls) == attempts


def test_a_sheets_failure_while_messaging_only_postpones_the_messages(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Sheets hiccup after publishing would crash the cycle (and `once`) over a mere message."""
    from bridge.exceptions import RetriableError

    bridge.cycle(**ON)

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise RetriableError("503 from Sheets")

    with monkeypatch.context() as m:
        m.setattr(notify, "locate_ids", unavailable)
        report = bridge.cycle(**ON)
    assert any("operator messages postponed" in p for p in report.problems)
    assert _box(bridge) == []
    bridge.cycle(**ON)
    assert _box(bridge) and max(_subjects(bridge).values()) == 1


def test_a_refused_address_killed_before_write_back_still_shows_gagal(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a kill, a message Gmail refused would be shown on the row as sent."""
    rows = bridge.responses()
    col = next(i for i, h in enumerate(rows[0]) if "mail" in str(h).lower())
    rows[1][col] = "operator@tanpa-titik"
    bridge.set_responses(rows)
    bridge.cycle(**ON)
    with monkeypatch.context() as m:
        _kill_before_write_back(m)
        with pytest.raises(Killed):
            bridge.cycle(**ON)
    bridge.cycle(**ON)
    cell = next(r[NOTICES] for r in bridge.review() if r[ReviewColumn.EMAIL.value] == "operator@tanpa-titik")
    assert cell.endswith(" GAGAL: alamat tidak valid")


def test_a_waiting_rejection_line_goes_when_the_officer_approves_instead(bridge: Bridge) -> None:
    """A row DITOLAK then DISETUJUI (published) would keep 'ditolak MENUNGGU: tulis alasannya' forever, asking officers for a reason nobody needs."""
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    sid = _first_with_email(bridge, Status.MENUNGGU)[0]
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.cycle(**ON)
    assert "ditolak MENUNGGU" in {r["ID"]: r for r in bridge.review()}[sid][NOTICES]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle(**ON)
    bridge.cycle(**ON)
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row["Status"] == Status.TERBIT.value
    assert [line.split(" ")[0] for line in row[NOTICES].splitlines()] == ["diterima", "terbit"]
    assert not any(m["subject"].startswith("Berita Anda tidak diterbitkan") for m in _box(bridge))

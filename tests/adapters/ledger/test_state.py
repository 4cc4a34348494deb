"""The ledger's cycle state: each value kept between cycles is a typed attribute, read back as written."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bridge.adapters.ledger import DONE, MIGRATIONS, CycleState, Ledger, Rebuild
from bridge.core.digest import DigestRecord
from bridge.core.lease import Holder, Record

WITA = timezone(timedelta(hours=8))
AT = datetime(2026, 11, 22, 10, 0, tzinfo=WITA)

#: One non-empty value of each attribute's real type.
SAMPLES: dict[str, Any] = {
    "generation": 12,
    "last_full_scan": AT,
    "fingerprint_scheme": 2,
    "intake_started": AT,
    "rebuild": Rebuild(AT - timedelta(days=30)),
    "sheet_versions": {"sheet-a": 41, "sheet-b": 7},
    "quiet_until": AT + timedelta(minutes=15),
    "review_layout": ["ID", "Status", "Judul"],
    "review_read_whole": AT,
    "tab_titles": {"review": "Review Berita", "arsip": "Arsip"},
    "kim_channel_problems": ["3:KIM Juai:unknown channel"],
    "kim_last_accepted": {"kim juai": date(2026, 11, 20)},
    "lease_record": Record(Holder("host", "boot", "/var/lib/x", 42), "abcd", 3, AT, {2026: 7}),
    "handover_until": AT + timedelta(seconds=90),
    "handover_scan": True,
    "standby_until": AT + timedelta(minutes=5),
    "standby_versions": {"sheet-a": 40},
    "blogger_paused_until": datetime(2026, 11, 23, tzinfo=WITA),
    "draft_checked": AT,
    "draft_turn": "MM-2026-0021",
    "blog_checked": AT,
    "blog_watching": 3,
    "upload_root": "1FormUploads",
    "revisions_pending": {"MM-2026-0001": {"fp": "abc", "title": "Judul baru"}},
    "health_shown": {"key": "k", "at": AT.isoformat(), "last_publish": ""},
    "digest_record": DigestRecord(daily=AT),
    "last_failure": (AT, "auth"),
    "grant_warned": AT.isoformat(timespec="seconds"),
    "monthly_report": "2026-10",
    "python_support_warning": "Python 3.11 past its end of life",
}


def test_every_meta_key_is_a_typed_attribute_that_round_trips(tmp_path: Path) -> None:
    """A value kept between cycles (a pause, a scan time, the lease) would come back as something else after a restart."""
    assert set(SAMPLES) == set(CycleState.keys())
    assert len(set(CycleState.keys().values())) == len(SAMPLES)  # no two attributes share a key
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        for name, value in SAMPLES.items():
            setattr(ledger.state, name, value)
    with Ledger(path) as ledger:
        for name, value in SAMPLES.items():
            assert getattr(ledger.state, name) == value, name


def test_an_empty_value_clears_its_key_and_reads_as_empty(tmp_path: Path) -> None:
    """A cleared pause or quiet time must read as "none", not as the last one, nor break the cycle."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        empties = {name: getattr(ledger.state, name) for name in SAMPLES}
        assert empties["last_full_scan"] is None and empties["generation"] == 0 and empties["tab_titles"] == {}
        for name, value in SAMPLES.items():
            setattr(ledger.state, name, value)
            setattr(ledger.state, name, empties[name])
            assert getattr(ledger.state, name) == empties[name], name
        assert {r[0] for r in ledger.db.execute("SELECT value FROM meta")} == {""}


def test_an_unreadable_value_reads_as_empty(tmp_path: Path) -> None:
    """A value edited by hand, or written by a newer version, would stop every cycle with a traceback."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        for key in CycleState.keys().values():
            ledger.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, "{not json nor a time"))
        fresh = Ledger(":memory:").state  # nothing stored: every attribute's empty value
        for name in SAMPLES:
            if name in ("upload_root", "grant_warned", "monthly_report", "python_support_warning", "draft_turn"):
                continue  # plain texts: any text is one
            if name == "rebuild":  # a rebuild on record whose cutoff cannot be read: on record, no cutoff
                assert ledger.state.rebuild == Rebuild(None)
                continue
            assert getattr(ledger.state, name) == getattr(fresh, name), name


def test_an_empty_dict_read_is_the_callers_own(tmp_path: Path) -> None:
    """Filling the empty dict one cycle read must not leak into what the next read returns."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        pending = ledger.state.revisions_pending
        pending["MM-2026-0001"] = {"fp": "x"}
        assert ledger.state.revisions_pending == {}


def test_values_kept_per_item_recipient_and_folder(tmp_path: Path) -> None:
    """An operator message or digest copy already sent would be sent again, or a known upload folder forgotten."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        s = ledger.state
        assert s.notice("MM-2026-0001", "perlu-revisi") == ("", "")
        s.set_notice("MM-2026-0001", "perlu-revisi", "retry", "1|a|b")
        s.set_digest_delivery("daily-2026-11-22", 0, "sent", AT.isoformat())
        s.set_upload_folders("root", {"f2", "f1"})
        assert s.notice("MM-2026-0001", "perlu-revisi") == ("retry", "1|a|b")
        assert s.notice("MM-2026-0001", "terbit") == ("", "")
        assert s.digest_delivery("daily-2026-11-22", 0) == ("sent", AT.isoformat())
        assert s.digest_delivery("daily-2026-11-22", 1) == ("", "")
        assert s.upload_folders("root") == {"f1", "f2"} and s.upload_folders("other") == set()
        s.set_notice("MM-2026-0001", "perlu-revisi", "")
        assert s.notice("MM-2026-0001", "perlu-revisi") == ("", "")


def test_watermark_and_header_map_per_tab(tmp_path: Path) -> None:
    """Intake would re-read (or skip) responses if where it stands in a tab were lost or mixed up between tabs."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        assert ledger.state.watermark("Form") is None and ledger.state.header_map("Form") is None
        ledger.state.set_watermark("Form", 9, "fp7")
        ledger.state.set_watermark("Form", 12, "fp9")
        ledger.state.set_header_map("Form", '{"a": 1}')
        assert ledger.state.watermark("Form") == (12, "fp9") and ledger.state.watermark("Other") is None
        assert ledger.state.header_map("Form") == '{"a": 1}'


def test_the_ledger_id_is_made_once_and_only_when_asked(tmp_path: Path) -> None:
    """`check` must not write an id; the lease must keep naming the same ledger across restarts."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        assert ledger.state.ledger_id == ""
        made = ledger.state.own_id()
        assert re.fullmatch(r"[0-9a-f]{16}", made) and ledger.state.ledger_id == made
    with Ledger(path) as ledger:
        assert ledger.state.own_id() == made


def test_an_old_ledger_file_opens_with_its_values(tmp_path: Path) -> None:
    """Upgrading the bridge must keep a ledger written by an earlier version: no lost lease, scan time or journal."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for number, script in enumerate(MIGRATIONS[:5], start=1):  # as written before migration 6
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00+00:00')", (number,))
    lease = SAMPLES["lease_record"]
    old_meta = {  # the texts the untyped meta bag held
        "ledger_id": "0123456789abcdef", "ledger_gen": "4", "last_full_scan": "2026-11-22T10:00:00+08:00",
        "fingerprint_scheme": "2", "rebuild_cutoff": "-", "sheet_versions": '{"sheet-a": 41}',
        "review_layout": '["ID", "Status"]', "kim_last_accepted": '{"kim juai": "2026-11-20"}',
        "lease_record": lease.to_json(), "handover_scan": "1", "blog_watching": "3", "quiet_until": "",
        "last_cycle_failure": '{"at": "2026-11-22T10:00:00+08:00", "kind": "auth"}',
        "notice:MM-2026-0001:perlu-revisi": "sent 2026-11-22T10:00:00+08:00",
        "photos.upload_folders:root": '["f1"]', "kim_channel_problems": "[]",
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", old_meta.items())
    db.execute("INSERT INTO submissions (id, fingerprint, status, queued_at, in_review) VALUES "
               "('MM-2026-0001', 'fp1', 'MENUNGGU', '2026-11-22', 1)")
    db.execute("INSERT INTO publish_journal (submission_id, state, updated_at) VALUES ('MM-2026-0001', 'done', 'x')")
    db.close()
    with Ledger(path) as ledger:
        versions = [r[0] for r in ledger.db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        s = ledger.state
        assert (s.ledger_id, s.generation, s.fingerprint_scheme) == ("0123456789abcdef", 4, 2)
        assert s.last_full_scan == AT and s.rebuild == Rebuild(None) and s.quiet_until is None
        assert s.sheet_versions == {"sheet-a": 41} and s.review_layout == ["ID", "Status"]
        assert s.kim_last_accepted == {"kim juai": date(2026, 11, 20)} and s.lease_record == lease
        assert s.handover_scan is True and s.blog_watching == 3 and s.last_failure == (AT, "auth")
        assert s.notice("MM-2026-0001", "perlu-revisi") == ("sent", "2026-11-22T10:00:00+08:00")
        assert s.upload_folders("root") == {"f1"} and s.kim_channel_problems == []
        assert [k.id for k in ledger.submissions.known()] == ["MM-2026-0001"]
        entry = ledger.journal.entry("MM-2026-0001")
        assert entry is not None and entry.state == DONE


def test_no_module_outside_the_ledger_spells_a_meta_key() -> None:
    """A key spelled in two modules drifts apart (one writes "last_full_scan", the other reads a typo) unseen."""
    import bridge

    root = Path(bridge.__file__).parent
    keys = [rf"[\"']{re.escape(k)}[\"']" for k in (*CycleState.keys().values(), "ledger_id")]
    keys += [r"[\"']notice:", r"[\"']photos\.upload_folders"]  # digest:... is also a message id: not checked
    found = []
    for path in root.rglob("*.py"):
        if path.parent.name == "ledger" and path.parent.parent.name == "adapters":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(root)}: {k}" for k in keys if re.search(k, text)]
        found += [f"{path.relative_to(root)}: {m}" for m in ("get_meta(", "set_meta(", "FROM meta") if m in text]
    assert found == []

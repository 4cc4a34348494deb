"""The Status Bridge tab's words and when it is rewritten (issue 19), on plain data."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.core.health import TIME_EVERY, Health, due, health_rows
from tests.conftest import WITA

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)


def test_written_on_change_or_when_its_time_is_fifteen_minutes_old() -> None:
    """The tab would be written every cycle (quota), or its time would stop moving while the bridge works."""
    h = Health(waiting=2)
    assert due("", None, h, NOW)
    assert not due(h.key(), NOW, h, NOW + TIME_EVERY - timedelta(seconds=1))
    assert due(h.key(), NOW, h, NOW + TIME_EVERY)
    assert due(h.key(), NOW, Health(waiting=3), NOW + timedelta(minutes=1))
    assert due(h.key(), NOW, h, NOW - timedelta(minutes=1))  # the clock went back: write the true time


def test_problems_are_numbered_and_ok_says_nothing_to_do() -> None:
    """Officers would read OK beside a problem, or a list they cannot tell apart."""
    ok = dict(health_rows(Health(), NOW))
    assert ok["Keadaan"] == "OK" and ok["Diperbarui (WITA)"] == "23/11/2026 10:00"
    assert ok["Keterangan"] == "Bridge bekerja normal; tidak ada yang perlu dilakukan."
    bad = dict(health_rows(Health(problems=("Satu.",), grant="Dua.", failed=1), NOW))
    assert bad["Keadaan"] == "ADA MASALAH" and bad["Keterangan"] == "1. Satu.\n2. Dua."
    assert bad["GAGAL terbit"] == "1 (lihat Catatan Sistem di tab Review)"


def test_every_cycle_failure_kind_has_plain_indonesian_words() -> None:
    """Officers would read a raw English error, or nothing they can act on, about a cycle that failed."""
    from bridge.core import health
    from bridge.exceptions import AuthError, FatalError, LeaseHeldError, NotFoundError, RetriableError

    cases = {RetriableError("503"): "unreachable", AuthError("invalid_grant"): "auth", NotFoundError("404"): "not_found",
             LeaseHeldError("x"): "lease", FatalError("values.get S: no access (HTTP 403: denied)."): "no_access",
             FatalError("odd"): "other", None: "unreachable"}
    assert [health.failure_kind(exc) for exc in cases] == list(cases.values())
    assert set(health.CYCLE_FAILED) >= set(cases.values())
    for text in health.CYCLE_FAILED.values():
        assert "HTTP" not in text and text.endswith(".")
    assert health.cycle_failed("bogus") == health.CYCLE_FAILED["other"]


def test_message_problems_are_named_once_each_with_their_count() -> None:
    """The Status Bridge tab would lump message failures into 'N masalah lain', or repeat one line per failure."""
    from bridge.core import health

    lines, left = health.message_problems(["operator messages stopped: grant", "officers' digest not sent to a: x",
                                           "officers' digest not sent to b: y", "row 4: odd"])
    assert [line.split(":")[0] for line in lines] == ["Pesan ke operator gagal terkirim (1)",
                                                      "Ringkasan untuk petugas gagal terkirim (2)"]
    assert left == ["row 4: odd"]

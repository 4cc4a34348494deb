"""Questions the bridge can no longer map, and fingerprints that survive form changes (issue 17), on plain data."""

from __future__ import annotations

from dataclasses import replace

from bridge.core import watermark as wm
from bridge.core.columns import map_headers
from bridge.core.model import REQUIRED_FIELDS, Field
from bridge.core.questions import halt_message, lost_questions, needed_fields, photo_dropped
from tests.core.conftest import make_response

HEADER = ["Stempel waktu", "Alamat email", "Kecamatan", "Desa/Kelurahan", "Nama Operator", "Judul Berita", "Isi Berita", "Foto Berita"]


def test_renamed_photo_question_names_old_new_and_the_alias_line() -> None:
    """IT staff read which question was renamed to what, and the exact [sheets.aliases] line that fixes it."""
    before = map_headers(HEADER)
    now = map_headers(HEADER[:7] + ["Foto Kegiatan"])
    (lost,) = lost_questions(now, before, needed_fields(before, False, {}))
    assert (lost.field, lost.old_header, lost.new_header) == (Field.PHOTO, "Foto Berita", "Foto Kegiatan")
    assert lost.alias_line == 'photo = ["Foto Kegiatan"]'
    assert "'Foto Berita' -> 'Foto Kegiatan'" in halt_message([lost], "Jawaban")


def test_a_moved_and_renamed_question_is_told_when_it_is_the_only_new_header() -> None:
    """A renamed question that also moved is still named, when it is the only header new since last time."""
    before = map_headers(HEADER)
    now = map_headers(["Judul Kegiatan"] + HEADER[:5] + HEADER[6:])
    (lost,) = lost_questions(now, before, needed_fields(before, False, {}))
    assert lost.alias_line == 'title = ["Judul Kegiatan"]'


def test_photo_is_needed_only_when_the_form_had_one_and_not_dropped_on_purpose() -> None:
    """A form without a photo question never stops intake for it; `photo = []` says it was dropped on purpose."""
    without = map_headers(HEADER[:7])
    assert needed_fields(without, True, {}) == REQUIRED_FIELDS
    assert needed_fields(None, True, {}) == REQUIRED_FIELDS + (Field.PHOTO,)  # the ledger lost: Review shows photos
    assert needed_fields(map_headers(HEADER), False, {"photo": []}) == REQUIRED_FIELDS
    assert photo_dropped({"photo": ()}) and not photo_dropped({"photo": ("Foto",)})


def test_fingerprint_ignores_email_and_photos_but_not_required_answers() -> None:
    """Deleting the e-mail question or renaming the photo question never makes old responses look new."""
    r = make_response(row_number=2, title="Panen", raw_timestamp="46090.5")
    assert wm.fingerprint(replace(r, email="", photos=())) == wm.fingerprint(r)
    assert wm.fingerprint(replace(r, title="Panen raya")) != wm.fingerprint(r)
    assert wm.legacy_fingerprint(replace(r, email="")) != wm.legacy_fingerprint(r)


def test_legacy_fingerprints_stay_recognised_and_remembered() -> None:
    """Responses queued before the upgrade keep the fingerprint Review shows; none is new, and each pair is
    remembered so it stays known once the e-mail is gone."""
    tab = [make_response(row_number=i + 2, title=f"t{i}", raw_timestamp=f"{46090 + i}") for i in range(3)]
    legacy = {wm.legacy_fingerprint(r) for r in tab[:2]}
    decision = wm.decide_full(tab, legacy)
    assert [r.row_number for r, _ in decision.new] == [4]
    assert set(decision.recognised.values()) == legacy and legacy <= set(decision.seen)
    remembered = dict(decision.recognised)
    no_email = [replace(r, email="") for r in tab]
    again = wm.decide_full(no_email, legacy, remembered.get)
    assert [r.row_number for r, _ in again.new] == [4] and again.recognised == {}


def test_legacy_hash_only_while_the_upgrade_read_is_pending() -> None:
    """Once every response was read under the current scheme, rows are hashed once (remembered pairs still count)."""
    tab = [make_response(row_number=2, title="t", raw_timestamp="46090")]
    legacy = {wm.legacy_fingerprint(tab[0])}
    assert len(wm.decide_full(tab, legacy, legacy=False).new) == 1
    assert wm.decide_full(tab, legacy, {wm.fingerprint(tab[0]): next(iter(legacy))}.get, legacy=False).new == []

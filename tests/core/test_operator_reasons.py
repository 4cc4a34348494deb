"""Each validation reason's operator text (issue 19 audit): plain words, no officer instructions, resubmit only when it helps."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from bridge.core import operator_reasons as ops
from bridge.core.model import KimRecord, ReviewColumn
from bridge.core.validate import KimRegistry, as_edit_of, unvalidated
from bridge.core.wilayah import WilayahIndex
from bridge.cycle.refused import reduced_review_row
from bridge.photos.process import PhotoProblem
from bridge.photos.rules import refusal
from tests.core.conftest import KIMS, make_response
from tests.core.test_validate import run

#: What only officers act on: tabs, columns, statuses, and "ask the operator" / "officer:" instructions.
OFFICER_WORDS = re.compile(r"\btab\b|kolom|petugas|minta |staf ti|disetujui|status|review|init\b|\[photos\]", re.IGNORECASE)


def _photo_texts() -> list[str]:
    settings: Any = SimpleNamespace(photos=SimpleNamespace(max_megapixels=40, max_decoded_mb=300))
    problems = [PhotoProblem("not_image", "pdf", kind="PDF"), PhotoProblem("too_many_pixels", "x", width=9000, height=9000),
                PhotoProblem("not_form_upload", "x", owner="orang@lain.id"), PhotoProblem("trashed", "x"),
                PhotoProblem("no_upload_folder", "x"), PhotoProblem("too_much_memory", "x", width=1, height=1, mb=400.0),
                PhotoProblem("too_big", "x", mb=30.0, limit=20), PhotoProblem("unreadable", "x")]
    return [refusal(p, 2, "IMG 1.jpg", settings, "row 3").reason_id for p in problems]


def _samples(wilayah: WilayahIndex, registry: KimRegistry) -> list[tuple[str, str]]:
    """(code, officer text) for every text validation, the photo check and a refused row write."""
    subs = [
        run(make_response(kecamatan="", desa="", operator=" ", title="", body="", received_at=None, raw_timestamp=""), wilayah, registry),
        run(make_response(received_at=None, raw_timestamp="besok pagi"), wilayah, registry),
        run(make_response(kecamatan="Batumandy"), wilayah, registry),
        run(make_response(kecamatan="Juai", desa="Lok Batu"), wilayah, registry),
        run(make_response(desa="Entah"), wilayah, registry),
        run(make_response(kecamatan="Juai", desa="Mihu"), wilayah, registry),
        run(make_response(kecamatan="Juai", desa="Hamarung"), wilayah, registry, email_collected=False),
        run(make_response(kecamatan="Juai", desa="Juai", email="juai@kim.id"), wilayah, registry),
        run(make_response(), wilayah, KimRegistry([replace(KIMS[0], sk_until=date(2020, 1, 1))])),
        run(make_response(), wilayah, KimRegistry([replace(KIMS[0], partnership="")])),
        run(make_response(), wilayah, KimRegistry([replace(KIMS[0], partnership="VAKUM")])),
        run(make_response(), wilayah, KimRegistry([replace(KIMS[0], sk_until=None, sk_until_unreadable="akhir 2027")])),
        run(make_response(), wilayah, KimRegistry(KIMS, missing=["Status Kemitraan"])),
        run(make_response(email="orang@lain.id"), wilayah, registry),
        run(make_response(email=""), wilayah, registry),
        run(make_response(email="juai@kim.id"), wilayah, registry),
        run(make_response(), wilayah, KimRegistry([KimRecord(name="KIM Tanpa Email", kecamatan="Batu Mandi", desa="Lok Batu",
                                                            partnership="AKTIF")])),
        run(make_response(title="\u2800\u2800", body="\u00ad\u00ad"), wilayah, registry),
        run(make_response(title="=SUM(A1)" + "x" * 200, body="pendek"), wilayah, registry),
        run(make_response(body="kata " * 5000), wilayah, registry, known={}),
        run(make_response(photos=tuple(f"https://drive.google.com/open?id=1AbCdEfGhIjKlMn{i:02d}" for i in range(12))), wilayah, registry),
        run(make_response(photos=("https://evil.example/x.jpg",)), wilayah, registry),
    ]
    dup = make_response()
    subs.append(run(dup, wilayah, registry, known={subs[0].content_key: "x", run(dup, wilayah, registry).content_key: "MM-2026-0001"}))
    subs.append(unvalidated(make_response(), "fp", "KeyError: x"))
    subs.append(as_edit_of(run(make_response(), wilayah, registry), "MM-2026-0002"))
    out = [(r.code, r.id) for s in subs for r in s.reasons]
    out += [("photo", text) for text in _photo_texts()]
    refused = reduced_review_row({}, "Invalid value")[ReviewColumn.SYSTEM_NOTE]
    out.append(("row_refused", refused.removeprefix("1. ")))
    return out


def test_every_reason_code_is_recognised_and_has_an_operator_text(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """An operator would get the officers' instructions, or nothing, for a kind of problem the mapping forgot."""
    samples = _samples(wilayah, registry)
    assert {code for code, _ in samples} == ops.CODES, "every code has a sample, and every sample's code is known"
    for code, officer in samples:
        reading = ops.recognise(officer)
        assert reading.code == code, officer
        assert ops.operator_reason(code, officer) == reading
        assert reading.internal or reading.text, officer


def test_operator_texts_carry_no_officer_instructions(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Operators would read 'perbarui kolom SK Berlaku Sampai di tab KIM' or 'minta operator mengirim ulang'."""
    for _, officer in _samples(wilayah, registry):
        text = ops.recognise(officer).text
        assert not OFFICER_WORDS.search(text), text
    for text in (ops.INTERNAL, ops.RESUBMIT, ops.RESUBMIT_AND_OFFICE):
        assert not OFFICER_WORDS.search(text.replace("petugas Diskominfo", "")), text


@pytest.mark.parametrize(
    ("code", "resubmit"),
    [("title_empty", True), ("body_too_short", True), ("desa_unknown", True), ("photo_not_drive", True),
     ("sk_expired", False), ("kim_inactive", False), ("kim_missing", False), ("email_unregistered", False),
     ("duplicate", False), ("internal_error", False), ("sk_unreadable", False)],
)
def test_only_what_the_operator_can_fix_asks_for_a_resubmission(wilayah: WilayahIndex, registry: KimRegistry, code: str,
                                                                 resubmit: bool) -> None:
    """An operator whose KIM's SK expired would be told to resubmit, and send the same news again and again."""
    officer = next(text for c, text in _samples(wilayah, registry) if c == code)
    assert ops.recognise(officer).resubmit is resubmit


def test_the_message_lists_operator_texts_and_the_right_next_step(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """The message would ask for a resubmission the office must fix, or hide the registry detail poorly."""
    expired = run(make_response(kecamatan="Juai", desa="Juai", email="juai@kim.id"), wilayah, registry)
    note = "\n".join(f"{i}. {r.id}" for i, r in enumerate(expired.reasons, start=1))
    told = ops.for_operator(ops.from_note(note))
    assert told == ops.ForOperator("1. SK KIM Juai Maju sudah berakhir pada 31/12/2025; berita dapat diterima lagi setelah SK "
                                   "diperpanjang.", ops.OFFICE, False)
    both = ops.for_operator(ops.from_note("1. Judul berita kosong; isi Judul …\n2. SK Berlaku Sampai untuk K berisi 'x', bukan "
                                          "tanggal; …\n3. Stempel waktu kosong di baris 3; …"))
    assert both.reasons == f"1. Judul berita belum diisi.\n2. {ops.INTERNAL}" and both.next_step == ops.RESUBMIT_AND_OFFICE
    assert ops.for_operator(ops.from_note("Petugas menulis sendiri di sini")) == ops.ForOperator(f"1. {ops.INTERNAL}", ops.OFFICE, False)
    assert ops.for_operator(ops.from_note("1. Nama operator kosong; tulis …")).next_step == ops.RESUBMIT


def test_a_resubmissions_note_line_is_not_read_as_a_reason() -> None:
    """An operator whose resubmission still lacks a title would also read 'Ada hal administrasi…' for the bridge's own note line."""
    from bridge.core.revision import revised_note

    note = f"{revised_note(['Judul'], '24/11/2026 09:00')}\n1. Judul berita kosong; isi Judul di tab Review atau minta operator mengirim ulang."
    assert ops.for_operator(ops.from_note(note)) == ops.ForOperator("1. Judul berita belum diisi.", ops.RESUBMIT, True)

"""Validation against the Juknis partnership states (the rest of validation: test_validate.py)."""

from __future__ import annotations

from datetime import date

from bridge.core.model import FormResponse, KimRecord
from bridge.core.validate import KimRegistry, validate
from bridge.core.wilayah import WilayahIndex
from tests.conftest import validation_rules
from tests.core.conftest import make_response


def _run(response: FormResponse, wilayah: WilayahIndex, kim: KimRecord) -> list[str]:
    sub = validate(response, fingerprint="f", wilayah=wilayah, registry=KimRegistry([kim]), rules=validation_rules(), known_contents={},
                   today=date(2026, 11, 23), email_collected=False)
    return [r.id for r in sub.reasons]


def test_kim_under_review_or_terminated_stays_invalid_with_its_reason(wilayah: WilayahIndex) -> None:
    """News from a KIM under review or terminated would be published, or the officer would not learn why not."""
    response = make_response(kecamatan="Juai", desa="Hamarung")
    review = KimRecord("KIM Hamarung", "Juai", "Hamarung", partnership="ditinjau", status_reason="Ketua diangkat menjadi ASN")
    assert _run(response, wilayah, review) == [
        "Kemitraan KIM Hamarung berstatus DITINJAU; berita hanya diterima dari KIM AKTIF. Alasan: Ketua diangkat menjadi ASN."]
    ended = KimRecord("KIM Hamarung", "Juai", "Hamarung", partnership="TIDAK AKTIF")
    assert _run(response, wilayah, ended) == ["Kemitraan KIM Hamarung berstatus TIDAK AKTIF (istilah Juknis: DIHENTIKAN); berita hanya diterima dari KIM AKTIF."]
    assert _run(response, wilayah, KimRecord("KIM Hamarung", "Juai", "Hamarung", partnership="AKTIF")) == []

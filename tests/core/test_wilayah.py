"""Official kecamatan/desa names with spelling tolerance, against the real Balangan list."""

from __future__ import annotations

import pytest

from bridge.core.wilayah import WilayahIndex


def test_real_list_has_8_kecamatan_and_157_desa(wilayah: WilayahIndex) -> None:
    """Operators from some desa would be told their desa does not exist."""
    assert len(wilayah.kecamatan_names) == 8
    assert len(wilayah.rows) == 157
    assert sum(w.jenis == "kelurahan" for w in wilayah.rows) == 3


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("Batu Mandi", "Batu Mandi"),
        ("Batumandi", "Batu Mandi"),
        ("BATUMANDI", "Batu Mandi"),
        ("Kec. Batumandi", "Batu Mandi"),
        ("kecamatan  tebingtinggi", "Tebing Tinggi"),
        ("Kec Paringin", "Paringin"),
        ("Paringin Selatan", "Paringin Selatan"),
        ("paringin-selatan", "Paringin Selatan"),
        ("Paringin Sel.", "Paringin Selatan"),
        ("Lampihongg", "Lampihong"),  # typo, unique best match
        ("Awayan ", "Awayan"),
    ],
)
def test_kecamatan_spelling_variants_map_to_official_names(wilayah: WilayahIndex, typed: str, official: str) -> None:
    """A correctly meant kecamatan would be rejected as unknown, or stored misspelled."""
    assert wilayah.kecamatan(typed) == official


def test_paringin_and_paringin_selatan_never_swap(wilayah: WilayahIndex) -> None:
    """News from Paringin Selatan would be filed under Paringin (or the reverse)."""
    assert wilayah.kecamatan("Paringin") == "Paringin"
    assert wilayah.kecamatan("Paringin Selatan") == "Paringin Selatan"
    assert wilayah.kecamatan("Paringin Selatan Kota") is None
    assert wilayah.kecamatan("Selatan") is None


@pytest.mark.parametrize("typed", ["", "   ", "Kabupaten Tabalong", "Banjarmasin", "Kecamatan"])
def test_unknown_kecamatan_is_none(wilayah: WilayahIndex, typed: str) -> None:
    """A wrong kecamatan would be silently accepted as some official one."""
    assert wilayah.kecamatan(typed) is None


def test_desa_lookup_tolerates_prefixes_and_spacing(wilayah: WilayahIndex) -> None:
    """Operators writing 'Ds. Lokbatu' or 'Kel. Paringin Kota' would be rejected."""
    w = wilayah.desa("Batu Mandi", "Ds. Lokbatu")
    assert w is not None and w.desa == "Lok Batu" and w.kecamatan == "Batu Mandi" and w.jenis == "desa"
    k = wilayah.desa("Paringin", "Kel. paringin  kota")
    assert k is not None and k.desa == "Paringin Kota" and k.jenis == "kelurahan"
    assert wilayah.desa("Tebing Tinggi", "Juuh") is not None  # official spelling is Ju''uh
    assert wilayah.desa("Paringin", "Lok Batu") is None  # Lok Batung is a different desa
    assert wilayah.desa("Nowhere", "Lok Batu") is None


def test_find_desa_lists_every_kecamatan_with_that_desa(wilayah: WilayahIndex) -> None:
    """The reason 'Desa X ada di Kecamatan Y' would name the wrong kecamatan."""
    assert [w.kecamatan for w in wilayah.find_desa("Lok Batu")] == ["Batu Mandi"]
    assert sorted(w.kecamatan for w in wilayah.find_desa("galumbang")) == ["Juai", "Paringin Selatan"]
    assert wilayah.find_desa("") == []


def test_desa_label_distinguishes_kelurahan(wilayah: WilayahIndex) -> None:
    """Bylines would call a kelurahan a desa."""
    assert wilayah.desa_label("Paringin", "Paringin Kota") == "Kelurahan"
    assert wilayah.desa_label("Batumandi", "Lok Batu") == "Desa"
    assert wilayah.desa_label("?", "?") == "Desa"


def test_suggest_offers_close_official_names(wilayah: WilayahIndex) -> None:
    """Officers would get no 'maksud Anda ...?' hint for a misspelled name."""
    assert wilayah.suggest("Lampihon", wilayah.kecamatan_names)[0] == "Lampihong"
    assert "Halong" in wilayah.suggest("Halng", wilayah.kecamatan_names)
    assert wilayah.suggest("zzzz", wilayah.kecamatan_names) == []

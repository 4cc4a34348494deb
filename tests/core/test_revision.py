"""Which open PERLU REVISI item a new response replaces (issue 20), on plain data."""

from __future__ import annotations

from bridge.core import revision as r

BODY = "Puluhan warga Desa Lasung Batu bergotong royong membersihkan saluran irigasi sepanjang dua kilometer pada Minggu pagi."
A = r.Open("MM-2026-0003", "KIM Lasung Batu", "Lasung Batu", "Gotong Royong Irigasi", BODY)
B = r.Open("MM-2026-0005", "KIM Lasung Batu", "Lasung Batu", "Posyandu Buka Imunisasi", "Posyandu membuka layanan imunisasi dasar.")


def new(title: str, body: str = "Teks lain sama sekali.", kim: str = "kim  lasung batu", desa: str = "Lasung Batu") -> r.Incoming:
    return r.Incoming(kim, desa, title, body)


def test_same_title_from_the_same_kim_replaces_it() -> None:
    """An operator filling the form again with the same title revises the item (case and spacing ignored)."""
    assert r.match(new("gotong  royong irigasi"), [A, B]) == r.Match("MM-2026-0003", "title")


def test_a_named_id_wins_over_the_title() -> None:
    """An operator naming the ID revises that item even with another item's title."""
    assert r.match(new("Posyandu Buka Imunisasi", "revisi mm-2026-0003"), [A, B]).id == "MM-2026-0003"


def test_a_nearly_identical_body_with_a_new_title_replaces_it() -> None:
    """A body changed by a word or two under a new title is still the same news revised."""
    assert r.match(new("Judul Baru", BODY.replace("dua", "tiga")), [A, B]) == r.Match("MM-2026-0003", "body")


def test_another_kim_or_desa_never_replaces_it() -> None:
    """Another KIM's response with the same title is never written over this KIM's item."""
    assert r.match(new("Gotong Royong Irigasi", kim="KIM Maju"), [A]) == r.NO_MATCH
    assert r.match(new("Gotong Royong Irigasi", desa="Paringin Kota"), [A]) == r.NO_MATCH
    assert r.match(new("Berita lain"), [A, B]) == r.NO_MATCH


def test_two_equally_close_items_are_ambiguous() -> None:
    """When the bridge cannot tell which item a response revises, it replaces none and names both."""
    twin = r.Open("MM-2026-0009", A.kim, A.desa, A.title, "lain")
    assert r.match(new(A.title), [A, twin]) == r.Match(ambiguous=("MM-2026-0003", "MM-2026-0009"))
    assert r.match(new("x", "MM-2026-0003 dan MM-2026-0005"), [A, B]).ambiguous == ("MM-2026-0003", "MM-2026-0005")


def test_what_changed_and_the_fingerprint_cell() -> None:
    """The note names what the operator changed; Sidik Jari keeps the row's own fingerprint first, without repeats."""
    before = {"title": "T", "body": "B", "photos": "p1", "operator": "Siti", "email": "s@x.id"}
    assert r.changed(before, {**before, "body": "B2", "photos": "p2"}) == ["Isi", "Foto"]
    assert r.revised_note(["Judul", "Isi"], "23/11/2026 11:00:00") == "Diperbarui oleh operator (23/11/2026 11:00:00 WITA): Judul, Isi."
    assert r.fingerprint_cell("a", ["b", "a", "b", "c"]) == "a b c"
    assert r.own_fingerprint(" a  b ") == "a" and r.own_fingerprint("") == "" and r.fingerprints("a b") == ["a", "b"]


def test_a_cell_of_one_fingerprint_gives_its_own_text() -> None:
    """The daily full scan held a copy of every Review row's Sidik Jari (3.4 MiB at 50k rows) in intake's set (issue 22)."""
    cell = "".join(["0123456789", "abcdef"])  # a text made at run time, as a read makes it
    assert r.fingerprints(cell)[0] is cell and r.fingerprints(cell) == [cell]
    assert r.fingerprints(f" {cell}") == [cell] and r.fingerprints(f"{cell} b") == [cell, "b"] and r.fingerprints("") == []

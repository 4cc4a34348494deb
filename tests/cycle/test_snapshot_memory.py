"""What the cycle's snapshot and Review's paged read hold at once, on plain data (issue 22)."""

from __future__ import annotations

from bridge.cycle.review_pages import _by_row
from bridge.cycle.snapshot import pack_rows, unpack_rows


def test_a_full_read_s_first_page_comes_back_as_it_was_read() -> None:
    """A response held packed while Review is read would be queued with other answers, or its timestamp shifted."""
    rows = [[46090.123456789, "Siti", "Kec. Juai", "Desa Lasung Batu", "Judul — é 漢字", "Isi\nbaris dua", True, 3],
            [], ["", "x"], [0.1 + 0.2, 10**20, False, "\u0000\ud7ff", "kabar \ud83c lone surrogate", "\U0001f600"]]
    assert unpack_rows(pack_rows(rows)) == rows
    back = unpack_rows(pack_rows(rows))
    assert [type(v) for v in back[0]] == [type(v) for v in rows[0]] and back[3][0] == 0.30000000000000004


def test_a_first_page_is_held_in_less_than_its_lists_and_texts() -> None:
    """The daily full scan held 5,000 responses as lists and texts (5.4 MiB) while Review was read whole: its peak."""
    import tracemalloc

    rows = [[46090 + n / 1000, f"Operator {n % 40}", "Juai", "Lasung Batu", f"Judul kabar nomor {n}",
             "Puluhan warga bergotong royong membersihkan saluran irigasi sepanjang dua kilometer. " * 4 + str(n)] for n in range(2_000)]
    tracemalloc.start()
    try:
        as_read = unpack_rows(pack_rows(rows))
        objects, _ = tracemalloc.get_traced_memory()
        del as_read
        packed = pack_rows(rows)
    finally:
        tracemalloc.stop()
    assert len(packed) * 1.5 < objects, (len(packed), objects)  # about 1.7 times (JSON's quotes and commas against a list and a text header per cell)


def test_a_range_read_by_column_gives_the_rows_a_read_by_row_gives() -> None:
    """The last page of Review's whole read would shift or lose cells, and settled rows be taken for edited ones."""
    by_column = [["A2", "A3", "A4"], ["B2", "", "B4"], ["C2"]]  # Google leaves each column's trailing empty cells out
    assert list(_by_row(by_column)) == [["A2", "B2", "C2"], ["A3", "", ""], ["A4", "B4", ""]]
    assert list(_by_row([])) == []

"""The reduced Review row written when Google refuses a submission's full row (issue 12)."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, Status

#: Kept as they are: what finds the row again (ID, fingerprint) and who sent it. Everything an
#: operator typed freely (places, title, body, photo links) is what Google may refuse, so it is left out.
KEEP = (ReviewColumn.ID, ReviewColumn.RECEIVED, ReviewColumn.OPERATOR, ReviewColumn.EMAIL, ReviewColumn.FINGERPRINT)


def reduced_review_row(values: dict[ReviewColumn, str], why: str) -> dict[ReviewColumn, str]:
    """The row without the submitter's long texts, TIDAK VALID, with the reason for officers."""
    out = {c: values.get(c, "")[:500] for c in KEEP if c in values}
    out[ReviewColumn.STATUS] = Status.TIDAK_VALID.value
    out[ReviewColumn.SYSTEM_NOTE] = (
        "1. Google Sheets menolak baris kiriman ini saat ditulis ke tab Review (alasan dari Google: "
        f"{why[:300]}), sehingga Kecamatan, Desa/Kelurahan, KIM, Judul, Isi dan Foto tidak ditampilkan. Petugas: "
        "salin isian itu dari baris kiriman ini di tab jawaban formulir (cari Stempel waktu dan Operator yang sama), "
        "perbaiki yang ditolak (mis. pilihan di luar daftar dropdown, atau teks lebih dari 50.000 karakter), lalu "
        "putuskan Status seperti biasa. Staf TI: lihat log sistem."
    )
    return out


__all__ = ["reduced_review_row"]

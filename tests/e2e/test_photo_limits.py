"""Photos that are not the bridge's to read or too costly to read (issue 18): a bounded number of links per
row, only the form's own uploads, and a bounded memory per photo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge
from .photos import add_form_photo, submit

SYSTEM = ReviewColumn.SYSTEM_NOTE.value


def _row(b: Bridge, title: str) -> dict[str, Any]:
    return next(r for r in b.review() if r[ReviewColumn.TITLE.value] == title)


def _drive_calls(b: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in b.stats()["by_method"].items() if m.startswith("drive.")}


@pytest.fixture
def settled(bridge: Bridge) -> Bridge:
    """The demo's own responses are queued; the sandbox's counters start at zero."""
    bridge.cycle()
    bridge.sandbox.reset_stats()
    return bridge


def test_a_thousand_photo_links_cost_no_drive_call_at_intake_or_publishing(settled: Bridge) -> None:
    """One Foto cell with 1,000 links would make 1,000 Drive calls in one intake (and again when approved)."""
    links = [f"https://drive.google.com/open?id=1Seribu{i:04d}xxxxxxxxxxxxxxxxxxxxxxx" for i in range(1000)]
    submit(settled, "Kiriman seribu foto", *links)
    settled.cycle()
    row = _row(settled, "Kiriman seribu foto")
    assert row["Status"] == Status.TIDAK_VALID.value
    assert "Ada 1000 tautan foto; paling banyak 10 foto per berita" in row[SYSTEM]
    assert _drive_calls(settled) == {"drive.files.get": 1}, "only the cycle's change signal"
    settled.sandbox.reset_stats()
    settled.officer_sets({row["ID"]: Status.DISETUJUI.value})  # approved anyway
    settled.cycle()
    row = _row(settled, "Kiriman seribu foto")
    assert row["Status"] == Status.GAGAL.value
    # the Review cell holds what fits in 50,000 characters of the 1,000 links
    assert re.search(r"Kolom Foto berisi \d{3} tautan; paling banyak 10 foto", row[SYSTEM])
    assert _drive_calls(settled) == {"drive.files.get": 1}, "refused before any photo is read"


def test_max_photos_is_the_office_setting(settled: Bridge) -> None:
    """An office that lowers [photos] max_photos would still see rows with more photos queued as MENUNGGU."""
    from tests import images

    links = [add_form_photo(settled, images.jpeg(64 + i, 48), f"foto{i}.jpg") for i in range(3)]
    submit(settled, "Kiriman tiga foto", *links)
    settled.cycle(photos__max_photos=2)
    row = _row(settled, "Kiriman tiga foto")
    assert row["Status"] == Status.TIDAK_VALID.value and "Ada 3 tautan foto; paling banyak 2 foto" in row[SYSTEM]
    assert _drive_calls(settled) == {"drive.files.get": 1}


def _drive_file(b: Bridge, file_id: str, owner: str, *, parents: list[str] | None = None, shared_with: str = "",
                folder: bool = False, data: bytes = b"", trashed: bool = False) -> str:
    """A Drive file (or folder) that did not come through the form; returns its open?id= link."""
    import base64

    record: dict[str, Any] = {
        "id": file_id, "name": f"{file_id}.jpg" if not folder else file_id, "owner": owner,
        "mimeType": "application/vnd.google-apps.folder" if folder else "image/jpeg",
        "parents": parents or [], "createdTime": "2026-11-23T01:00:00.000Z", "trashed": trashed,
        "permissions": [{"kind": "drive#permission", "id": "10000000000000000077", "type": "user", "role": "reader",
                         "emailAddress": shared_with}] if shared_with else [],
        "content_b64": base64.b64encode(data).decode(),
    }
    with b.sandbox.state.lock:
        b.sandbox.state.data["drive"]["files"].append(record)
    return f"https://drive.google.com/open?id={file_id}"


def test_a_private_photo_readable_by_the_bridge_is_never_published(settled: Bridge) -> None:
    """A link to a private photo in the blog author's own Drive, or to a file shared only with that account,
    would be queued MENUNGGU, published, and made readable by anyone."""
    from bridge.sandbox.seed import BRIDGE_ACCOUNT
    from tests import images

    private = _drive_file(settled, "1PrivatAuthorPhoto0000000000000000", BRIDGE_ACCOUNT, data=images.jpeg())
    shared = _drive_file(settled, "1SharedOnlyWithBridge000000000000", "tetangga@gmail.com", shared_with=BRIDGE_ACCOUNT,
                         data=images.jpeg(), parents=["1TetanggaFolder000000000000000000"])
    _drive_file(settled, "1TetanggaFolder000000000000000000", "tetangga@gmail.com", folder=True)
    _drive_file(settled, "1SharedFolderOfStranger0000000000", "orang.lain@gmail.com", folder=True, shared_with=BRIDGE_ACCOUNT)
    in_folder = _drive_file(settled, "1InSharedFolderOfStranger00000000", "orang.lain@gmail.com", data=images.jpeg(),
                            parents=["1SharedFolderOfStranger0000000000"])
    good = add_form_photo(settled, images.jpeg(80, 60), "kiriman.jpg")
    submit(settled, "Foto pribadi penulis blog", private)
    submit(settled, "Foto yang dibagikan ke akun blog", shared)
    submit(settled, "Foto di folder orang lain", in_folder)
    submit(settled, "Foto kiriman formulir", good)
    settled.cycle()
    for title, owner in (("Foto pribadi penulis blog", BRIDGE_ACCOUNT), ("Foto yang dibagikan ke akun blog", "tetangga@gmail.com"),
                         ("Foto di folder orang lain", "orang.lain@gmail.com")):
        row = _row(settled, title)
        assert row["Status"] == Status.TIDAK_VALID.value, title
        assert "Foto ke-1 bukan foto yang diunggah lewat formulir: file itu ada di luar folder unggahan formulir " \
            f"(pemiliknya {owner})" in row[SYSTEM], row[SYSTEM]
        assert ".jpg" not in row[SYSTEM], "a private file's name stays out of the sheet"
    assert _row(settled, "Foto kiriman formulir")["Status"] == Status.MENUNGGU.value
    # files.get: the change signal; metadata of the 4 photos; the stranger's folder (the only folder not known);
    # the bytes of the form upload alone: nothing outside the form is downloaded
    assert _drive_calls(settled) == {"drive.files.get": 1 + 4 + 1 + 1}
    settled.sandbox.reset_stats()
    settled.officer_sets({_row(settled, t)["ID"]: Status.DISETUJUI.value for t in ("Foto pribadi penulis blog", "Foto yang dibagikan ke akun blog")})
    settled.cycle()
    assert _row(settled, "Foto pribadi penulis blog")["Status"] == _row(settled, "Foto yang dibagikan ke akun blog")["Status"] == Status.GAGAL.value
    assert "drive.files.create" not in _drive_calls(settled) and "drive.permissions.create" not in _drive_calls(settled)


def test_an_officer_cannot_swap_in_a_private_photo_before_approving(settled: Bridge) -> None:
    """An edited Foto cell pointing at the author's private file would be published at approval, unchecked."""
    from bridge.sandbox.seed import BRIDGE_ACCOUNT
    from tests import images

    submit(settled, "Kiriman yang fotonya diganti", add_form_photo(settled, images.jpeg(), "asli.jpg"))
    settled.cycle()
    sid = _row(settled, "Kiriman yang fotonya diganti")["ID"]
    settled.set_cell(sid, ReviewColumn.PHOTOS, _drive_file(settled, "1PrivatLagi000000000000000000000", BRIDGE_ACCOUNT, data=images.jpeg()))
    settled.officer_sets({sid: Status.DISETUJUI.value})
    settled.cycle()
    row = _row(settled, "Kiriman yang fotonya diganti")
    assert row["Status"] == Status.GAGAL.value and "bukan foto yang diunggah lewat formulir" in row[SYSTEM]


def test_a_form_upload_its_owner_deleted_is_not_published(settled: Bridge) -> None:
    """A photo the form owner put in the trash is still readable by others until emptied, and would be published."""
    from bridge.sandbox.seed import FORM_OWNER, PHOTO_FOLDER_ID
    from tests import images

    link = _drive_file(settled, "1DiSampah000000000000000000000000", FORM_OWNER, parents=[PHOTO_FOLDER_ID], data=images.jpeg(), trashed=True)
    submit(settled, "Foto yang sudah dihapus", link)
    settled.cycle()
    row = _row(settled, "Foto yang sudah dihapus")
    assert row["Status"] == Status.TIDAK_VALID.value and "sudah dihapus pemiliknya dari Google Drive (ada di Sampah)" in row[SYSTEM]


def test_the_upload_folder_is_learnt_from_the_first_responses_or_set_in_config(bridge: Bridge) -> None:
    """Without upload_folder_id every photo would be refused (or any readable file accepted); with a wrong one
    every form photo would be refused, which the office must see."""
    from bridge.sandbox.seed import UPLOADS_FOLDER_ID
    from tests import images

    def learnt() -> str:
        deps = bridge.deps()
        try:
            return deps.ledger.state.upload_root
        finally:
            deps.close()

    bridge.cycle()  # the demo rows: the folder is learnt from row 2's photo
    assert learnt() == UPLOADS_FOLDER_ID, "the top folder '<form> (File responses)', parent of the question folder"
    assert not any("unggahan formulir" in r[SYSTEM] for r in bridge.review())
    bridge.lose_ledger()
    bridge.sandbox.reset_stats()
    submit(bridge, "Kiriman setelah ledger hilang", add_form_photo(bridge, images.jpeg(), "lagi.jpg"))
    bridge.cycle()
    assert _row(bridge, "Kiriman setelah ledger hilang")["Status"] == Status.MENUNGGU.value
    assert learnt() == UPLOADS_FOLDER_ID, "learnt again from the same first rows"
    submit(bridge, "Kiriman dengan folder salah", add_form_photo(bridge, images.jpeg(90, 60), "salah.jpg"))
    bridge.cycle(photos__upload_folder_id="1FolderLainYangBukanFormulir0000")
    row = _row(bridge, "Kiriman dengan folder salah")
    assert row["Status"] == Status.TIDAK_VALID.value and "di luar folder unggahan formulir" in row[SYSTEM]
    submit(bridge, "Kiriman dengan folder benar", add_form_photo(bridge, images.jpeg(100, 60), "benar.jpg"))
    bridge.cycle(photos__upload_folder_id=UPLOADS_FOLDER_ID)
    assert _row(bridge, "Kiriman dengan folder benar")["Status"] == Status.MENUNGGU.value


def test_photos_that_decode_huge_are_not_valid_at_intake_and_others_go_on(settled: Bridge) -> None:
    """A 26-byte WebP or a small PNG of 7000 x 7000 pixels would be decoded near 1 GB while publishing and the
    service killed by the kernel, taking every other submission's cycle with it."""
    from tests import images

    hostile = {"Foto WebP kecil raksasa": (images.webp_bomb(), "kecil.webp"), "Foto PNG transparan raksasa": (images.png_bomb(), "besar.png"),
               "Foto WebP animasi": (images.animated_webp(), "animasi.webp")}
    for title, (data, name) in hostile.items():
        submit(settled, title, add_form_photo(settled, data, name))
    submit(settled, "Foto biasa di antara foto berat", add_form_photo(settled, images.jpeg(), "biasa.jpg"))
    settled.cycle()
    assert "terlalu berat untuk diproses (7000 × 7000 piksel): butuh sekitar 187 MiB memori, batasnya 48 MiB" in \
        _row(settled, "Foto WebP kecil raksasa")[SYSTEM]
    assert "(7000 × 7000 piksel): butuh sekitar 187 MiB" in _row(settled, "Foto PNG transparan raksasa")[SYSTEM]
    assert "(1000 × 1000 piksel, 30 bingkai animasi): butuh sekitar 114 MiB" in _row(settled, "Foto WebP animasi")[SYSTEM]
    assert all(_row(settled, t)["Status"] == Status.TIDAK_VALID.value for t in hostile)
    assert _row(settled, "Foto biasa di antara foto berat")["Status"] == Status.MENUNGGU.value
    settled.cycle(photos__max_decoded_mb=128)  # an office with more memory raises the budget: new rows only
    submit(settled, "Foto animasi dengan batas lebih longgar", add_form_photo(settled, images.animated_webp(frames=20), "animasi2.webp"))
    settled.cycle(photos__max_decoded_mb=128)
    assert _row(settled, "Foto animasi dengan batas lebih longgar")["Status"] == Status.MENUNGGU.value


def test_a_truncated_photo_is_not_valid_at_intake_not_gagal_at_publishing(settled: Bridge) -> None:
    """A photo cut off by a weak signal would wait as MENUNGGU, and the officer who approved it would get GAGAL."""
    from tests import images

    submit(settled, "Foto terpotong", add_form_photo(settled, images.truncated_jpeg(), "terpotong.jpg"))
    settled.cycle()
    row = _row(settled, "Foto terpotong")
    assert row["Status"] == Status.TIDAK_VALID.value
    assert "Foto ke-1 (terpotong.jpg) rusak atau tidak dapat dibaca sebagai gambar" in row[SYSTEM]


def test_check_says_whether_the_latest_photo_is_in_the_upload_folder(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong [photos] upload_folder_id would make every photo row TIDAK VALID, found only by officers."""
    from bridge.cli import EXIT_OK, EXIT_PROBLEMS, main
    from bridge.sandbox.seed import UPLOADS_FOLDER_ID

    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    assert "OK   upload folder: photos are accepted only from the form's upload folder, learnt at the first cycle" in capsys.readouterr().out
    bridge.cycle()
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    assert "OK   upload folder: the latest photo lies in the form's upload folder 'MY MEIN - Kiriman Berita KIM (File responses)' " \
        f"({UPLOADS_FOLDER_ID}, learnt from the first responses)" in capsys.readouterr().out
    config = str(bridge.write_config(photos__upload_folder_id="1SalahKetik00000000000000000000"))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_PROBLEMS
    line = next(x for x in capsys.readouterr().out.splitlines() if "upload folder" in x)
    assert line.startswith("FAIL upload folder: the latest photo uploaded through the form is not in folder 1SalahKetik") \
        and "([photos] upload_folder_id)" in line and "Every row with a photo would be TIDAK VALID" in line


def test_the_service_unit_caps_memory_above_the_photo_budget() -> None:
    """Without a memory ceiling a bug in photo decoding could take the whole server's memory (the unit set none)."""
    import re as _re
    from pathlib import Path

    from bridge.config import SPECS

    unit = (Path(__file__).parents[2] / "deploy" / "mymein-bridge.service").read_text(encoding="utf-8")
    (cap,) = _re.findall(r"^MemoryMax=(\d+)M$", unit, flags=_re.MULTILINE)
    budget = next(s.default for s in SPECS if (s.section, s.key) == ("photos", "max_decoded_mb"))
    # measured: the service's own 68 MB plus at most 2.5 decoded copies (HEIC); benchmarks/RESULTS.md
    assert int(cap) >= 68 + 2.5 * 2 * budget, "room for max_decoded_mb doubled, as the unit's comment promises"

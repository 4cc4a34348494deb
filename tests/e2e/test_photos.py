"""Photos end to end: checked at intake, published upright and clean, hosted once, found again after a crash."""

from __future__ import annotations

import base64
import io
import re
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bridge.adapters.ledger import PHOTO_HOSTED, PhotoCopy
from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.photos import host
from tests import images

from .conftest import Bridge, Killed
from .photos import add_form_photo, calls, submit, uploads

SYSTEM = ReviewColumn.SYSTEM_NOTE.value


def _row(b: Bridge, title: str) -> dict[str, Any]:
    return next(r for r in b.review() if r[ReviewColumn.TITLE.value] == title)


def _approve(b: Bridge, *titles: str) -> list[str]:
    ids = [_row(b, t)["ID"] for t in titles]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    return ids


def _post(b: Bridge, sid: str) -> dict[str, Any]:
    return next(p for p in b.posts() if sid in find_marker_ids(p.get("content", "")))


def _imgs(post: dict[str, Any]) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", post["content"])]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as resp:  # anonymously, as a reader's browser
        assert resp.status == 200
        return bytes(resp.read())


def _publish(b: Bridge, title: str, *photos: bytes | str, names: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
    """Queue one submission with these photos (bytes uploaded, or links), approve it, publish it."""
    links = [p if isinstance(p, str) else add_form_photo(b, p, (names[i] if i < len(names) else f"foto{i}.jpg")) for i, p in enumerate(photos)]
    submit(b, title, *links)
    b.cycle()
    (sid,) = _approve(b, title)
    b.cycle()
    return sid, _row(b, title)


@pytest.fixture
def settled(bridge: Bridge) -> Bridge:
    """The demo's own responses are queued; the sandbox's counters start at zero."""
    bridge.cycle()
    bridge.sandbox.reset_stats()
    return bridge


def test_phone_jpeg_is_published_upright_without_any_exif(settled: Bridge) -> None:
    """Readers would see the photo sideways, and anyone saving it could read the operator's GPS position."""
    source = images.jpeg(400, 300, orientation=6)
    sid, row = _publish(settled, "Foto ponsel miring dengan GPS", source)
    assert row["Status"] == Status.TERBIT.value
    (img,) = _imgs(_post(settled, sid))
    assert img["alt"] == "Foto: Foto ponsel miring dengan GPS"
    assert (img["width"], img["height"]) == ("300", "400")
    data = _fetch(img["src"])
    shown = Image.open(io.BytesIO(data))
    assert shown.format == "JPEG" and shown.size == (300, 400)
    assert not shown.getexif() and b"Exif" not in data and b"SandboxPhone" not in data
    r, g, b = shown.convert("RGB").getpixel((shown.width - 3, 2))
    assert r > 200 and g < 60 and b < 60, "the red corner (stored top-left) is top-right once upright"
    assert f"Foto terbit: {img['src']}" in row[SYSTEM], "officers see where the published photo is"
    source_id = row[ReviewColumn.PHOTOS.value].split("id=")[1]
    original = settled.sandbox.state.drive_file(source_id)
    assert base64.b64decode(original["content_b64"]) == source, "the original stays untouched in Drive"


@pytest.mark.parametrize(("maker", "name"), [(images.png, "layar.png"), (images.webp, "foto.webp"), (images.heic, "IMG_0001.HEIC")])
def test_png_webp_and_iphone_heic_are_published(settled: Bridge, maker: Any, name: str) -> None:
    """Photos from iPhones (HEIC), screenshots (PNG) or WebP would be refused or published with their metadata."""
    sid, row = _publish(settled, f"Kiriman dengan {name}", maker(), names=(name,))
    assert row["Status"] == Status.TERBIT.value, row[SYSTEM]
    (img,) = _imgs(_post(settled, sid))
    data = _fetch(img["src"])
    shown = Image.open(io.BytesIO(data))
    assert shown.format == "JPEG" and not shown.getexif()
    assert uploads(settled) == 1


def test_pdf_renamed_jpg_is_refused_at_intake_with_what_to_do(settled: Bridge) -> None:
    """Officers would approve a 'photo' that is a PDF and only learn at publishing, or the post would show a broken image."""
    link = add_form_photo(settled, images.pdf(), "foto kegiatan.jpg")
    submit(settled, "Kiriman dengan PDF sebagai foto", link)
    submit(settled, "Kiriman lain yang baik", add_form_photo(settled, images.jpeg(), "baik.jpg"))
    settled.cycle()
    bad, good = _row(settled, "Kiriman dengan PDF sebagai foto"), _row(settled, "Kiriman lain yang baik")
    assert bad["Status"] == Status.TIDAK_VALID.value
    assert "Foto ke-1 (foto kegiatan.jpg) bukan gambar, melainkan file PDF" in bad[SYSTEM]
    assert "kosongkan kolom Foto agar terbit tanpa foto" in bad[SYSTEM] and "sebagai JPG" in bad[SYSTEM]
    assert good["Status"] == Status.MENUNGGU.value, "one bad photo never holds back other submissions"
    # Approved anyway: GAGAL with the same reason; emptied Foto: published without a photo.
    _approve(settled, "Kiriman dengan PDF sebagai foto")
    settled.cycle()
    assert _row(settled, "Kiriman dengan PDF sebagai foto")["Status"] == Status.GAGAL.value
    settled.officer_sets({bad["ID"]: ""}, column=ReviewColumn.PHOTOS)
    _approve(settled, "Kiriman dengan PDF sebagai foto")
    settled.cycle()
    assert _row(settled, "Kiriman dengan PDF sebagai foto")["Status"] == Status.TERBIT.value
    assert "<img" not in _post(settled, bad["ID"])["content"]
    assert uploads(settled) == 0


def test_photo_over_the_size_limit_is_refused_or_downscaled_per_config(settled: Bridge) -> None:
    """A 2 MB photo with a 1 MB limit would be published heavy, or refused when the office wants it published smaller."""
    big = images.noisy_jpeg(4000, 3000)
    assert len(big) > 1024 * 1024
    submit(settled, "Foto besar ditolak", add_form_photo(settled, big, "besar.jpg"))
    settled.cycle(blog__photo_max_mb=1, photos__over_limit="refuse")
    refused = _row(settled, "Foto besar ditolak")
    assert refused["Status"] == Status.TIDAK_VALID.value
    assert re.search(r"berukuran 2\.\d MB, melebihi batas 1 MB", refused[SYSTEM])
    # 2 = the cycle's change signal (files.get of the spreadsheet) + the photo's metadata
    assert calls(settled, "drive.files.get") == 2, "refused by its size in the metadata, not downloaded"

    submit(settled, "Foto besar diperkecil", add_form_photo(settled, images.noisy_jpeg(4000, 3000, seed=2), "besar2.jpg"))
    settled.cycle(blog__photo_max_mb=1)
    (sid,) = _approve(settled, "Foto besar diperkecil")
    settled.cycle(blog__photo_max_mb=1)
    assert _row(settled, "Foto besar diperkecil")["Status"] == Status.TERBIT.value
    (img,) = _imgs(_post(settled, sid))
    data = _fetch(img["src"])
    assert Image.open(io.BytesIO(data)).size == (1600, 1200) and len(data) < 1024 * 1024


def test_a_20000_pixel_square_is_refused_without_decoding(settled: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crafted 'photo' claiming 20,000 × 20,000 pixels would exhaust the server's memory and stop every cycle."""
    from PIL import ImageFile

    decoded: list[str] = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(str(self.size)) or original(self))
    submit(settled, "Foto raksasa", add_form_photo(settled, images.jpeg_bomb(), "raksasa.jpg"))
    settled.cycle()
    row = _row(settled, "Foto raksasa")
    assert row["Status"] == Status.TIDAK_VALID.value
    assert "terlalu besar" in row[SYSTEM] and "megapiksel" in row[SYSTEM]
    assert decoded == []


def test_two_submissions_sharing_a_photo_process_and_host_it_once(settled: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same photo sent twice (one link, or the same bytes uploaded again) would be uploaded and stored twice."""
    processed: list[int] = []
    real = host.process
    monkeypatch.setattr(host, "process", lambda content, opts: processed.append(len(content)) or real(content, opts))
    photo = images.jpeg(640, 480, orientation=6)
    link = add_form_photo(settled, photo, "bersama.jpg")
    again = add_form_photo(settled, photo, "salinan.jpg")  # the same bytes uploaded again: another Drive file
    submit(settled, "Kiriman pertama foto bersama", link)
    submit(settled, "Kiriman kedua foto bersama", link, again)
    settled.cycle()
    _approve(settled, "Kiriman pertama foto bersama", "Kiriman kedua foto bersama")
    settled.cycle()
    first, second = _row(settled, "Kiriman pertama foto bersama"), _row(settled, "Kiriman kedua foto bersama")
    assert first["Status"] == second["Status"] == Status.TERBIT.value
    srcs = {i["src"] for sid in (first["ID"], second["ID"]) for i in _imgs(_post(settled, sid))}
    assert len(srcs) == 1
    assert processed == [len(photo)] and uploads(settled) == 1
    assert 'class="mymein-galeri"' in _post(settled, second["ID"])["content"], "several photos make a gallery"


def test_a_kill_between_processing_and_hosting_is_recovered_without_a_second_upload(settled: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the upload but before it was recorded would upload the photo again (a duplicate, an orphan)."""
    from bridge.adapters.ledger import Photos

    real = Photos.record_copy

    def die_after_upload(self: Photos, copy: PhotoCopy) -> None:
        if copy.state == PHOTO_HOSTED:
            raise Killed()
        real(self, copy)

    submit(settled, "Kiriman yang terputus", add_form_photo(settled, images.jpeg(orientation=6), "putus.jpg"))
    settled.cycle()
    (sid,) = _approve(settled, "Kiriman yang terputus")
    monkeypatch.setattr(Photos, "record_copy", die_after_upload)
    with pytest.raises(Killed):
        settled.cycle()
    assert uploads(settled) == 1
    monkeypatch.setattr(Photos, "record_copy", real)
    settled.cycle()  # the restarted process
    assert _row(settled, "Kiriman yang terputus")["Status"] == Status.TERBIT.value
    # one search before the upload, one after the restart (which finds it): still one upload
    assert uploads(settled) == 1 and calls(settled, "drive.files.list") == 2
    (img,) = _imgs(_post(settled, sid))
    assert Image.open(io.BytesIO(_fetch(img["src"]))).size == (300, 400)


def test_a_kill_before_sharing_is_recovered_by_sharing_the_copy_found(settled: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the upload and its sharing would leave a private copy, and readers a broken image."""
    from bridge.adapters.drive import DriveGateway

    real = DriveGateway.share_public
    monkeypatch.setattr(DriveGateway, "share_public", lambda self, file_id, item="": (_ for _ in ()).throw(Killed()))
    submit(settled, "Kiriman belum dibagikan", add_form_photo(settled, images.jpeg(), "privat.jpg"))
    settled.cycle()
    (sid,) = _approve(settled, "Kiriman belum dibagikan")
    with pytest.raises(Killed):
        settled.cycle()
    monkeypatch.setattr(DriveGateway, "share_public", real)
    settled.cycle()
    assert uploads(settled) == 1
    (img,) = _imgs(_post(settled, sid))
    assert _fetch(img["src"])[:3] == b"\xff\xd8\xff"


def test_after_a_lost_ledger_a_hosted_copy_is_found_not_uploaded_again(settled: Bridge) -> None:
    """With the server's disk wiped, every re-sent photo would be uploaded again and Drive fill with duplicates."""
    photo = images.jpeg(orientation=3)
    _publish(settled, "Kiriman sebelum ledger hilang", photo, names=("a.jpg",))
    assert uploads(settled) == 1
    settled.lose_ledger()
    settled.cycle()  # rebuilt from the Review tab
    _publish(settled, "Kiriman sesudah ledger hilang", photo, names=("b.jpg",))
    assert _row(settled, "Kiriman sesudah ledger hilang")["Status"] == Status.TERBIT.value
    assert uploads(settled) == 1


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The office's web server publishing ``www/`` (the photo folder is www/mymein-foto)."""
    www = tmp_path / "www"
    (www / "mymein-foto").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(www)))
    thread = threading.Thread(target=partial(server.serve_forever, poll_interval=0.05), daemon=True)
    thread.start()
    try:
        yield www / "mymein-foto", f"http://127.0.0.1:{server.server_address[1]}/mymein-foto/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def test_local_folder_store_serves_the_image_at_its_url(settled: Bridge, web_server: tuple[Path, str]) -> None:
    """With the office's own server as the store, posts would point at files that are not there or not served."""
    folder, base = web_server
    settled.overrides.update({("photos", "store"): "local", ("photos", "local_dir"): str(folder), ("photos", "base_url"): base})
    sid, row = _publish(settled, "Kiriman di server kantor", images.heic(), names=("IMG_0002.HEIC",))
    assert row["Status"] == Status.TERBIT.value, row[SYSTEM]
    (img,) = _imgs(_post(settled, sid))
    assert img["src"].startswith(base)
    files = [p for p in folder.iterdir()]
    assert [p.name for p in files] == [img["src"][len(base):]], "one file, no temporary leftovers"
    assert _fetch(img["src"]) == files[0].read_bytes()
    assert uploads(settled) == 0, "nothing goes to Drive"
    settled.lose_ledger()  # the same photo after the ledger is lost: found by its name, not written again
    settled.cycle()
    mtime = files[0].stat().st_mtime_ns
    sid2, _ = _publish(settled, "Kiriman kedua di server kantor", images.heic(), names=("IMG_0003.HEIC",))
    assert [i["src"] for i in _imgs(_post(settled, sid2))] == [img["src"]]
    assert [p.name for p in folder.iterdir()] == [files[0].name] and files[0].stat().st_mtime_ns == mtime


def test_check_fetches_a_hosted_photo_as_a_reader_and_says_whether_it_displays(settled: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff would learn that published photos stopped displaying only from readers' complaints."""
    from bridge.cli import EXIT_OK, EXIT_PROBLEMS, main

    config = str(settled.write_config())
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_OK
    assert "WARN no photo hosted yet" in capsys.readouterr().out
    sid, _ = _publish(settled, "Kiriman untuk diperiksa", images.jpeg(), names=("periksa.jpg",))
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_OK
    out = capsys.readouterr().out
    (img,) = _imgs(_post(settled, sid))
    assert f"OK   a hosted photo displays for readers: {img['src']} (image/jpeg, 400x300," in out
    hosted_id = img["src"].rsplit("/", 1)[1]
    with settled.sandbox.state.lock:  # someone un-shares the copy in Drive
        settled.sandbox.state.drive_file(hosted_id)["permissions"] = []
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_PROBLEMS
    assert f"FAIL a hosted photo does NOT display for readers: {img['src']}: HTTP 403" in capsys.readouterr().out


def test_check_says_when_the_local_photo_folder_is_missing(settled: Bridge, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With a mistyped photo folder every photo post would fail, and nobody would know why until officers ask."""
    from bridge.cli import EXIT_PROBLEMS, main

    missing = tmp_path / "tidak-ada"
    config = str(settled.write_config(photos__store="local", photos__local_dir=str(missing), photos__base_url="https://foto.example.go.id/m/"))
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_PROBLEMS
    assert f"FAIL photo folder {missing} does not exist" in capsys.readouterr().out


def test_what_a_photo_costs_in_drive_calls(settled: Bridge) -> None:
    """Each cycle would re-read or re-upload photos, spending Drive quota and the office's bandwidth."""
    submit(settled, "Kiriman untuk dihitung", add_form_photo(settled, images.jpeg(), "hitung.jpg"))
    settled.cycle()
    # 3 = the cycle's change signal (files.get of the spreadsheet) + the photo's metadata + its bytes
    assert settled.stats()["by_method"].get("drive.files.get", {}).get("requests") == 3, "intake: metadata + bytes"
    settled.sandbox.reset_stats()
    (sid,) = _approve(settled, "Kiriman untuk dihitung")
    settled.cycle()
    drive = {m: e["requests"] for m, e in settled.stats()["by_method"].items() if m.startswith("drive.")}
    # files.get: the cycle's change signal, the photo's bytes
    assert drive == {"drive.files.get": 2, "drive.files.list": 1, "drive.files.create": 1, "drive.permissions.create": 1}
    settled.sandbox.reset_stats()
    settled.officer_sets({sid: Status.DITARIK.value})
    settled.cycle()
    settled.officer_sets({sid: Status.DISETUJUI.value})
    settled.cycle()  # re-published: the same hosted copy, no Drive call but the cycles' change signal
    drive = {m: e["requests"] for m, e in settled.stats()["by_method"].items() if m.startswith("drive.")}
    assert drive == {"drive.files.get": 2}, "one change-signal files.get per cycle, nothing for the photo"
    assert _row(settled, "Kiriman untuk dihitung")["Status"] == Status.TERBIT.value


def test_a_decoder_crash_on_one_photo_fails_that_row_only(settled: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pillow bug on one odd file would crash every cycle, so nothing else would ever be published."""
    real = host.process

    def crash_on_marked(content: bytes, opts: Any) -> Any:
        if b"ANEH" in content:
            raise TypeError("decoder bug")
        return real(content, opts)

    monkeypatch.setattr(host, "process", crash_on_marked)
    odd = images.jpeg()[:-2] + b"ANEH" + b"\xff\xd9"
    submit(settled, "Kiriman foto aneh", add_form_photo(settled, odd, "aneh.jpg"))
    submit(settled, "Kiriman foto biasa", add_form_photo(settled, images.jpeg(320, 240), "biasa.jpg"))
    settled.cycle()
    _approve(settled, "Kiriman foto aneh", "Kiriman foto biasa")
    report = settled.cycle()
    assert report.publish.published == 1 and report.publish.failed == 1
    odd_row = _row(settled, "Kiriman foto aneh")
    assert odd_row["Status"] == Status.GAGAL.value and "rusak atau tidak dapat dibaca" in odd_row[SYSTEM]
    assert _row(settled, "Kiriman foto biasa")["Status"] == Status.TERBIT.value


def test_check_proves_the_web_server_publishes_the_local_folder(settled: Bridge, web_server: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A base_url that points elsewhere would break every photo of the first post, found only by readers."""
    from bridge.cli import EXIT_OK, EXIT_PROBLEMS, main

    folder, base = web_server
    config = str(settled.write_config(photos__store="local", photos__local_dir=str(folder), photos__base_url=base))
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_OK
    assert f"OK   the web server publishes the photo folder: {base}mymein-check.jpg displays (image/jpeg, 8x8" in capsys.readouterr().out
    assert list(folder.iterdir()) == [], "the test photo is removed"
    wrong = base.replace("/mymein-foto/", "/salah/")
    config = str(settled.write_config(photos__store="local", photos__local_dir=str(folder), photos__base_url=wrong))
    assert main(["check", "-c", config], clock=settled.clock) == EXIT_PROBLEMS
    assert f"FAIL a test photo written to {folder} does NOT display at {wrong}mymein-check.jpg: HTTP 404" in capsys.readouterr().out


def test_approving_again_unchanged_keeps_the_photo_link_in_the_note(settled: Bridge) -> None:
    """DISETUJUI again on a published row with nothing changed would drop 'Foto terbit: …' from
    Catatan Sistem, so officers lose where the published photo is."""
    sid, row = _publish(settled, "Foto tetap tercatat", images.jpeg(64, 48))
    (img,) = _imgs(_post(settled, sid))
    before = row[SYSTEM]
    settled.officer_sets({sid: Status.DISETUJUI.value})
    assert settled.cycle().publish.repaired == 1
    after = _row(settled, "Foto tetap tercatat")
    assert after["Status"] == Status.TERBIT.value
    assert after[SYSTEM] == before == f"Sudah tayang di website KIM Balangan.\nFoto terbit: {img['src']}"


def test_an_upload_applied_but_answered_500_leaves_no_orphan_copy(settled: Bridge) -> None:
    """Drive creates the copy but answers 500: the retry would upload a second, private copy that
    nobody ever cleans up. It finds the first one instead."""
    from bridge.photos.stores import APP_KEY

    submit(settled, "Kiriman unggahan goyah", add_form_photo(settled, images.jpeg(), "goyah.jpg"))
    settled.cycle()
    (sid,) = _approve(settled, "Kiriman unggahan goyah")
    settled.sandbox.set_faults({"targets": [{"method": "drive.files.create", "code": 500, "when": "after"}]})
    settled.cycle()
    assert _row(settled, "Kiriman unggahan goyah")["Status"] == Status.TERBIT.value
    copies = [f for f in settled.sandbox.state.data["drive"]["files"] if APP_KEY in (f.get("appProperties") or {})]
    assert len(copies) == 1 and uploads(settled) == 1  # the only files.create was the one applied
    (img,) = _imgs(_post(settled, sid))
    assert _fetch(img["src"])[:3] == b"\xff\xd8\xff"  # shared, as readers see it

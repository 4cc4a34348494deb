"""Writes into shared folders never follow a symbolic link planted there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bridge.adapters.files import write_atomic, write_in_place
from bridge.photos.probe import PROBE_NAME, _probe_local
from bridge.photos.stores import LocalFolderStore


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "victim.conf"
    path.parent.mkdir()
    path.write_text("milik orang lain\n", encoding="utf-8")
    return path


def test_local_photo_store_replaces_a_planted_link_instead_of_writing_through_it(tmp_path: Path, victim: Path) -> None:
    """A user of the web server's folder could make the bridge overwrite any file it can write, via the
    photo's predictable temporary name or its final name."""
    folder = tmp_path / "foto"
    folder.mkdir()
    key = "0" * 64
    (folder / f".mymein-{key}.jpg.tmp").symlink_to(victim)  # the old fixed temporary name
    store = LocalFolderStore(folder, "https://foto.example/m/")
    assert store.put(key, ".jpg", "image/jpeg", b"JPEG", sha256="x").url == f"https://foto.example/m/mymein-{key}.jpg"
    assert victim.read_text(encoding="utf-8") == "milik orang lain\n"
    final = folder / f"mymein-{key}.jpg"
    assert final.read_bytes() == b"JPEG" and not final.is_symlink()
    assert stat.S_IMODE(final.stat().st_mode) == 0o644  # the web server reads it as another user

    other = "1" * 64
    (folder / f"mymein-{other}.jpg").symlink_to(victim)
    assert store.find(other, ".jpg") is None  # a link is not a copy the bridge made
    store.put(other, ".jpg", "image/jpeg", b"JPEG2", sha256="y")
    assert victim.read_text(encoding="utf-8") == "milik orang lain\n"
    assert (folder / f"mymein-{other}.jpg").read_bytes() == b"JPEG2"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp")) == [f".mymein-{key}.jpg.tmp"]  # only the planted one


def test_checks_probe_photo_does_not_write_through_a_link(tmp_path: Path, victim: Path) -> None:
    """`check` with a local photo store overwrote whatever a link named mymein-check.jpg pointed at."""
    folder = tmp_path / "foto"
    folder.mkdir()
    (folder / PROBE_NAME).symlink_to(victim)
    level, _ = _probe_local(folder, "http://127.0.0.1:9/")  # nothing listens: the fetch fails, the write is what counts
    assert level == "fail"
    assert victim.read_text(encoding="utf-8") == "milik orang lain\n"
    assert list(folder.iterdir()) == []  # the probe photo (and the link it replaced) is gone


def test_write_in_place_refuses_a_link(tmp_path: Path, victim: Path) -> None:
    """A report file name planted as a link would have overwritten its target."""
    link = tmp_path / "laporan.csv"
    link.symlink_to(victim)
    with pytest.raises(OSError) as raised:
        write_in_place(link, b"x")
    assert raised.value.strerror == f"{link} is a symbolic link; the bridge does not write through links (remove it)"
    assert victim.read_text(encoding="utf-8") == "milik orang lain\n"
    write_in_place(tmp_path / "baru.csv", b"y")
    assert (tmp_path / "baru.csv").read_bytes() == b"y"


def test_write_atomic_leaves_no_temporary_file_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk would leave .tmp files piling up in the photo folder."""
    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        write_atomic(tmp_path / "a.jpg", b"data")
    assert list(tmp_path.iterdir()) == []

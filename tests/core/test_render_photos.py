"""How posts embed photos: alt text, width and height, and a gallery for several photos."""

from __future__ import annotations

from bridge.core.render import Photo, PostContext, render_post
from tests.core.conftest import BODY, TEMPLATE


def _html(*photos: Photo | tuple[str, str]) -> str:
    post = PostContext(title="Judul", body_text=BODY, photos=list(photos), operator="Siti", submission_id="MM-2026-0001")
    return render_post(TEMPLATE.read_text(encoding="utf-8"), post).html


def test_photo_has_alt_width_and_height() -> None:
    """Without width and height the page jumps while a slow mobile connection loads the photo."""
    html = _html(Photo("https://foto.example.go.id/m/a.jpg", "Foto: Judul", 1600, 1200))
    assert '<img src="https://foto.example.go.id/m/a.jpg" alt="Foto: Judul" width="1600" height="1200" loading="lazy">' in html
    assert "mymein-galeri" not in html


def test_unknown_size_leaves_width_and_height_out() -> None:
    """A width of 0 would hide the photo in some browsers."""
    html = _html(("https://foto.example.go.id/m/a.jpg", "Foto: Judul"))
    assert "width=" not in html and "height=" not in html


def test_several_photos_become_a_gallery_with_one_caption() -> None:
    """Three photos would be stacked with the same caption repeated under each."""
    html = _html(*(Photo(f"https://foto.example.go.id/m/{i}.jpg", "Foto: Judul", 1600, 1067) for i in range(3)))
    assert html.count('<figure class="mymein-foto">') == 3
    assert html.index('<div class="mymein-galeri">') < html.index("<figure") < html.index('<div class="mymein-isi">')
    assert html.count("<figcaption>") == 1


def test_hostile_photo_url_or_size_cannot_inject_markup() -> None:
    """A crafted URL or alt text could add script or event attributes to the post."""
    html = _html(Photo('https://x.example/a.jpg" onerror="alert(1)', "<script>alert(1)</script>", 10, 10), Photo("javascript:alert(1)", "x"))
    assert ' onerror="' not in html and "<script" not in html and "javascript:" not in html  # quotes stay inside src

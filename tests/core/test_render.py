"""Posts rendered from the office's template: safe HTML, marker, labels."""

from __future__ import annotations

from datetime import datetime

import pytest

from bridge.core import render
from bridge.core.render import PostContext, render_post
from bridge.exceptions import ConfigError
from tests.core.conftest import BODY, TEMPLATE, WITA, check_golden
from tests.core.test_sanitize import parse


def context(**changes: object) -> PostContext:
    base = dict(
        title="Gotong Royong Bersihkan Saluran Air",
        body_text=BODY + "\nInfo: https://balangankab.go.id",
        photos=[("https://lh3.googleusercontent.com/d/1AbCdEfGhIjKlMnOp", "Foto: Gotong Royong Bersihkan Saluran Air")],
        operator="Siti Aminah",
        kim="KIM Lok Batu Bersatu",
        desa="Lok Batu",
        kecamatan="Batu Mandi",
        received_at=datetime(2026, 3, 9, 8, 30, tzinfo=WITA),
        submission_id="MM-2026-0001",
        labels=["Kecamatan Batu Mandi", "Desa Lok Batu", "KIM Lok Batu Bersatu", "KIM Balangan"],
    )
    base.update(changes)
    return PostContext(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def test_rendered_post_matches_golden_file(template: str) -> None:
    """A template or library change would alter every published post without anyone seeing the diff."""
    post = render_post(template, context())
    check_golden("render/post.html", post.html + "\n")
    assert post.title == "Gotong Royong Bersihkan Saluran Air"
    assert post.labels == ["Kecamatan Batu Mandi", "Desa Lok Batu", "KIM Lok Batu Bersatu", "KIM Balangan"]


def test_kelurahan_byline_and_post_without_photo(template: str) -> None:
    """Readers would see 'Desa Paringin Kota' for a kelurahan, or an empty figure without a photo."""
    html = render_post(template, context(photos=[], desa="Paringin Kota", kecamatan="Paringin", desa_label="Kelurahan")).html
    assert "<figure" not in html
    assert "Kelurahan Paringin Kota, Kecamatan Paringin</p>" in html


def test_byline_leaves_out_what_an_approved_invalid_row_lacks(template: str) -> None:
    """An officer may approve a TIDAK VALID row with no kecamatan or desa: no 'Desa , Kecamatan </p>'."""
    html = render_post(template, context(desa="", kecamatan="", kim="", operator="")).html
    assert '<p class="byline">Oleh: Operator KIM</p>' in html


def test_hostile_fields_are_escaped_everywhere(template: str) -> None:
    """A submitter could inject scripts through the operator name, KIM name, photo or body."""
    evil = '"><script>alert(1)</script>'
    html = render_post(
        template,
        context(
            title=evil,
            body_text=evil + "\n<img src=x onerror=alert(1)>",
            operator=evil,
            kim=evil,
            photos=[("javascript:alert(1)", evil), ("https://x.id/a.jpg", evil)],
        ),
    ).html
    assert "<script" not in html and "javascript:" not in html
    tags = parse(html).tags
    assert all(not name.startswith("on") for _, attrs in tags for name in attrs)
    assert [attrs["src"] for tag, attrs in tags if tag == "img"] == ["https://x.id/a.jpg"]


def test_template_markup_is_allowlisted_too(template: str) -> None:
    """An edited template with scripts or inline handlers would publish them."""
    html = render_post('<script>x()</script><p onclick="y" class="k">{{ body }}</p><!-- c -->', context(submission_id="")).html
    assert html.startswith('x()<p class="k">') and "<!--" not in html and "onclick" not in html


def test_marker_is_appended_after_the_allowlist(template: str) -> None:
    """After a crash the bridge would not find its own post and publish it twice."""
    post = render_post(template, context())
    assert post.html.endswith("<!-- mymein-id: MM-2026-0001 -->")
    assert render.find_marker_ids(post.html) == {"MM-2026-0001"}
    assert render.marker_for("MM-2026-0002") == render.MARKER_FORMAT.format(id="MM-2026-0002")
    assert render.find_marker_ids("<p>x</p><!--mymein-id:MM-1--><!-- mymein-id: MM-2 -->") == {"MM-1", "MM-2"}
    with pytest.raises(ValueError):
        render.marker_for("MM-1 --><script>")


def test_submitter_cannot_forge_a_marker(template: str) -> None:
    """A submitter could make the bridge believe another submission was already published."""
    html = render_post(template, context(body_text="<!-- mymein-id: MM-2026-0999 --> teks")).html
    assert render.find_marker_ids(html) == {"MM-2026-0001"}


def test_template_errors_become_config_errors() -> None:
    """A typo in the office's template would crash publishing with a Jinja traceback."""
    with pytest.raises(ConfigError, match="'penulis' is undefined"):
        render_post("{{ penulis }}", context())
    with pytest.raises(ConfigError, match="line 1"):
        render_post("{% if %}", context())
    assert render.check_template("{{ nope }}") == ["post template: 'nope' is undefined"]


def test_shipped_template_passes_check(template: str) -> None:
    """The default template shipped in config/ would fail on the first post."""
    assert render.check_template(template) == []


def test_labels_for_dedupes_and_respects_blogger_limits() -> None:
    """Posts would carry duplicate labels, labels with commas (split by Blogger), or overlong labels."""
    labels = render.labels_for("Juai", "Juai", "KIM Juai, Maju", ("kecamatan", "desa", "kim"), ("KIM Balangan", "kim balangan", "x" * 300, " "))
    assert labels[:4] == ["Kecamatan Juai", "Desa Juai", "KIM Juai Maju", "KIM Balangan"]
    assert len(labels) == 5 and len(labels[4]) == 200
    assert render.labels_for("Paringin", "Paringin Kota", "", ("desa",), (), desa_label="Kelurahan") == ["Kelurahan Paringin Kota"]
    assert render.labels_for("", "", "", ("kecamatan", "desa", "kim"), ()) == []


def test_a_template_is_compiled_once_for_many_posts(template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every post would compile the office's template to Python again (CPU on each publish), or a
    template changed in config would keep rendering the old text."""
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, *args: object, **kwargs: object) -> object:
        compiled.append(source)
        return real(self, source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    changed = template.replace('class="byline"', 'class="byline penulis"')

    first = [render_post(template, context(operator=f"Operator ke-{n}")).html for n in range(3)]
    compiled_for_three = len(compiled)
    second = render_post(changed, context()).html

    assert compiled_for_three <= 1  # once, or not at all when an earlier test compiled this text
    assert all(f"Oleh: Operator ke-{n}," in html for n, html in enumerate(first))
    assert compiled[compiled_for_three:] == [changed]
    assert 'class="byline penulis"' in second

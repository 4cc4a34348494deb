"""Text cleaning and HTML allowlisting: golden files plus a hostile corpus."""

from __future__ import annotations

import warnings
from html.parser import HTMLParser

import pytest

from bridge.core import sanitize
from tests.core.conftest import GOLDEN, check_golden

GOLDEN_INPUTS = sorted((GOLDEN / "sanitize").glob("*.txt"))


class _Tags(HTMLParser):
    """Collects every tag, attribute and comment of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def assert_only_our_markup(html: str) -> None:
    """Only <p>, <br> and <a href=http(s) rel="nofollow noopener"> may appear in a body."""
    p = parse(html)
    assert p.comments == []
    for tag, attrs in p.tags:
        assert tag in ("p", "br", "a"), tag
        if tag == "a":
            assert set(attrs) == {"href", "rel"} and attrs["rel"] == sanitize.LINK_REL
            assert str(attrs["href"]).lower().startswith(("http://", "https://"))
        else:
            assert attrs == {}


@pytest.mark.parametrize("source", GOLDEN_INPUTS, ids=lambda p: p.stem)
def test_body_html_matches_golden_files(source) -> None:  # type: ignore[no-untyped-def]
    """A sanitizer or bleach upgrade would silently change how published news looks."""
    html = sanitize.body_to_html(source.read_text(encoding="utf-8"))
    check_golden(f"sanitize/{source.stem}.html", html + "\n")
    assert_only_our_markup(html)


def test_golden_inputs_exist() -> None:
    """The golden-file test would pass vacuously with no inputs."""
    assert len(GOLDEN_INPUTS) >= 4


def test_clean_title_removes_invisible_and_control_characters() -> None:
    """Titles with hidden characters or reversed text would mislead readers and break search."""
    raw = "  Ber\u200bita\u202e  kampung\u202c \x00\x07Balangan\ufeff\t\n baru\u2066x\u2069 "
    assert sanitize.clean_title(raw, 150) == ("Berita kampung Balangan barux", False)


def test_clean_title_normalises_to_nfc() -> None:
    """The same title typed on two phones would count as different (duplicates missed)."""
    assert sanitize.clean_title("Cafe\u0301", 10).text == "Caf\u00e9"


def test_clean_title_caps_length_and_reports_truncation() -> None:
    """Overlong titles would break the blog layout or be cut without telling the officer."""
    text, cut = sanitize.clean_title("a" * 149 + "e\u0301" + "b" * 10, 150)
    assert cut and len(text) == 150 and text.endswith("\u00e9")
    assert sanitize.clean_title("x" * 150, 150) == ("x" * 150, False)
    decomposed = sanitize.clean_line("ab" + "\u0915\u094d" + "zz", 3)  # cut lands on a combining mark
    assert decomposed.truncated and decomposed.text == "ab"


def test_clean_body_normalises_newlines_and_paragraphs() -> None:
    """Bodies from Windows or old phones would show stray blank lines or run together."""
    raw = "Satu  dua \r\nTiga\t\tempat\r\r\r\n\n\nLima\u2028enam\u200b  \n\n\n"
    assert sanitize.clean_body(raw, 1000) == ("Satu dua\nTiga empat\n\nLima\nenam", False)


def test_clean_body_caps_length() -> None:
    """A 200 KB body would overflow the sheet cell or the post."""
    text, cut = sanitize.clean_body("kata " * 40_000, 20_000)
    assert cut and len(text) <= 20_000


def test_looks_like_formula() -> None:
    """Notes would not flag text a spreadsheet might run as a formula."""
    for text in ("=IMPORTXML(\"x\")", "+cmd", "-2+3", "@SUM(A1)", "  =1"):
        assert sanitize.looks_like_formula(text)
    for text in ("- poin", "Harga -2", "", "email@x.id"):
        assert not sanitize.looks_like_formula(text)


def test_formula_text_is_kept_verbatim() -> None:
    """Cleaning would mangle titles that merely start with '=' or '-' (we write cells RAW)."""
    assert sanitize.clean_title("=IMPORTXML(A1)", 150).text == "=IMPORTXML(A1)"
    assert sanitize.clean_title("-2+3", 150).text == "-2+3"


HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '<p onclick="steal()">klik</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    'javascript:alert(document.cookie)',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a> data:image/svg+xml,<svg onload=alert(1)>',
    '<!-- <script>alert(1)</script> -->',
    '<style>body{background:url(javascript:alert(1))}</style><div style="x:expression(alert(1))">',
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;script&amp;gt;',
    '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>',
    '<math><mi><mglyph><style><img src=x onerror=alert(1)>',
    '<iframe src="https://evil.example"></iframe><object data=x></object>',
    'http://x.id/"onmouseover="alert(1) www.x.id/<script>',
    '=IMPORTXML("http://evil.example","//a") +cmd -2+3 @SUM(A1)',
    'teks\u202eterbalik\u200b\u2066',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_bodies_leave_no_submitter_markup(payload: str) -> None:
    """Readers of the KIM website would run attacker scripts or follow javascript: links."""
    html = sanitize.body_to_html(payload)
    assert_only_our_markup(html)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    for _tag, attrs in parse(html).tags:
        for value in attrs.values():
            assert "javascript" not in str(value).lower() and "data:" not in str(value).lower()
    assert "\u202e" not in html and "\u200b" not in html


def test_hostile_text_stays_readable_as_text() -> None:
    """Officers would lose the submitted words when markup is neutralised."""
    html = sanitize.body_to_html("<b>tebal</b> & <script>x</script>")
    assert html == "<p>&lt;b&gt;tebal&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>"


def test_huge_body_is_capped_and_safe() -> None:
    """A 200 KB hostile body would hang the cycle or produce a giant unsafe post."""
    chunk = '<img src=x onerror=alert(1)> javascript:x https://x.id/a \u202e\n'
    raw = chunk * (200_000 // len(chunk) + 1)
    assert len(raw) >= 200_000
    body, cut = sanitize.clean_body(raw, 20_000)
    assert cut and len(body) <= 20_000
    html = sanitize.body_to_html(body)
    assert_only_our_markup(html)


def test_strict_allowlist_keeps_template_markup_and_drops_the_rest() -> None:
    """Post templates would lose their figures and bylines, or keep dangerous attributes."""
    markup = (
        '<figure class="f"><img src="https://x.id/a.jpg" alt="a" loading="lazy" onerror="x" style="y">'
        '<figcaption>c</figcaption></figure><p class="byline">b</p><img src="javascript:x">'
        '<a href="mailto:a@b.id" title="t" target="_blank">m</a><!-- c --><table><tr><td>t</td></tr></table>'
    )
    assert sanitize.strict_allowlist(markup) == (
        '<figure class="f"><img src="https://x.id/a.jpg" alt="a" loading="lazy"><figcaption>c</figcaption></figure>'
        '<p class="byline">b</p><img><a href="mailto:a@b.id" title="t">m</a>\nt'
    )


def test_allowlist_emits_no_warnings() -> None:
    """A bleach warning on odd input would crash publishing (warnings are errors)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for payload in HOSTILE + ["<p style='color:red'>x</p>", "<a href='//x.id'>x</a>", "<\x00p>"]:
            sanitize.strict_allowlist(payload)
    assert [str(w.message) for w in caught] == []


def test_sanitizer_version_is_set() -> None:
    """Stored outputs could not be traced to the sanitizer policy that made them."""
    assert sanitize.SANITIZER_VERSION

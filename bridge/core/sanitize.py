"""All text cleaning and HTML allowlisting: the policy lives here and only here.

Submitted text is treated as plain text from start to finish: it is cleaned
(invisible and control characters removed, whitespace normalised, length
capped), then escaped, and only the markup generated here (``<p>``, ``<br>``,
``<a rel="nofollow noopener">``) is ever added. The final post HTML goes through
one strict allowlist. ``bleach`` is imported in this module only, so the HTML
engine can be swapped without touching callers.

Sheet cells are written with ``valueInputOption=RAW``, so a title such as
``=IMPORTXML(...)`` stays text; it is not mangled. :func:`looks_like_formula`
exists for notes and tests.
"""

from __future__ import annotations

import html
import re
import unicodedata
import warnings
from typing import NamedTuple

import bleach

#: Bump when cleaning or allowlisting changes behaviour (golden files show the diff).
SANITIZER_VERSION = "1"

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "strong", "em", "img", "figure", "figcaption", "div", "span", "h2", "h3", "ul", "ol", "li", "blockquote", "hr"}
)
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "a": ["href", "rel", "title"],
    "img": ["src", "alt", "width", "height", "loading"],
    "div": ["class"],
    "span": ["class"],
    "figure": ["class"],
    "p": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# Zero-width and bidi controls: invisible, and able to make a title read differently than it is.
_INVISIBLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x200E, 0x200F, 0x061C]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n", "\x0b": "\n", "\x0c": "\n"}
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING = ".,;:!?)]}'\"»”’"


class Cleaned(NamedTuple):
    """Cleaned text and whether it was cut to the maximum length."""

    text: str
    truncated: bool


def _class(codepoints: list[int] | frozenset[int]) -> str:
    return "[" + "".join(re.escape(chr(c)) for c in sorted(codepoints)) + "]"


def _codepoints(*categories: str) -> list[int]:
    # Every Cc, Cs and Zs character lies in the Basic Multilingual Plane (Cc and Cs are fixed by
    # Unicode's stability policy), so scanning it (about 10 ms, once) finds them all.
    return [c for c in range(0x10000) if unicodedata.category(chr(c)) in categories]


_SURROGATES = frozenset(_codepoints("Cs"))
# A control character becomes a space, not nothing: "Gotong\x0bRoyong" stays two words (issue 12).
_SPACES = (frozenset(_codepoints("Zs", "Cc")) | {ord("\t")}) - _INVISIBLE - {0x20}
#: One compiled pattern per mode instead of a Python loop over every character (issue 13).
_DROP = re.compile(_class((_INVISIBLE | _SURROGATES) - {ord("\t"), ord("\n")}))
_TO_SPACE = {True: re.compile(_class(_SPACES - {ord("\n")})), False: re.compile(_class(_SPACES | {ord("\n")}))}


def _drop_invisible(text: str, keep_newlines: bool) -> str:
    """Remove control, zero-width, bidi and unpaired-surrogate characters; tabs become spaces."""
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to drop or replace (no tab, no newline)
    return _TO_SPACE[keep_newlines].sub(" ", _DROP.sub("", text))


def _cap(text: str, max_len: int) -> Cleaned:
    """Cut to ``max_len`` characters without leaving half a combining sequence."""
    if max_len < 0 or len(text) <= max_len:
        return Cleaned(text, False)
    cut = max_len
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return Cleaned(text[:cut].rstrip(), True)


def _to_text(text: object) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def clean_line(text: object, max_len: int) -> Cleaned:
    """One-line text (title, names): invisible characters removed, whitespace collapsed, capped."""
    raw = _to_text(text)
    for old in _LINE_BREAKS:
        raw = raw.replace(old, " ")
    return _cap(" ".join(_drop_invisible(raw, keep_newlines=False).split()), max_len)


def clean_title(text: object, max_len: int) -> Cleaned:
    """A news title: see :func:`clean_line`. Unpacks as ``(text, truncated)``."""
    return clean_line(text, max_len)


def clean_body(text: object, max_len: int) -> Cleaned:
    """A news body: invisible characters removed, newlines normalised, paragraphs kept, capped.

    Runs of spaces become one space, trailing spaces go, and two or more blank
    lines become one paragraph break.
    """
    raw = _to_text(text)
    for old, new in _LINE_BREAKS.items():
        raw = raw.replace(old, new)
    raw = _drop_invisible(raw, keep_newlines=True)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    body = "\n".join(lines)
    if "\n\n\n" in body:
        body = _BLANK_LINES.sub("\n\n", body)
    body = body.strip("\n")
    return _cap(body, max_len)


#: Characters that draw nothing on their own although :func:`clean_line` keeps them (they are letters,
#: symbols or format characters by category): Unicode's Other_Default_Ignorable_Code_Point and
#: Variation_Selector sets (DerivedCoreProperties.txt: U+034F, the Hangul fillers U+115F/U+1160/U+3164/
#: U+FFA0, U+17B4/U+17B5, the tag characters U+E0000-E0FFF, variation selectors), plus U+2800 BRAILLE
#: PATTERN BLANK, which fonts draw as an empty cell. Format characters (Cf: soft hyphen, the rest of the
#: tags), combining marks with nothing to sit on, and spaces are caught by their category.
_BLANK_GLYPHS = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, 0x180B, 0x180C, 0x180D, 0x180F]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xFFF0, 0xFFF9))
)
_NOT_DRAWN = frozenset({"Cc", "Cf", "Cs", "Cn", "Co", "Zs", "Zl", "Zp", "Mn", "Me"})


def _drawn(char: str) -> bool:
    code = ord(char)
    if code in _BLANK_GLYPHS or 0xE0000 <= code <= 0xE0FFF:
        return False
    return unicodedata.category(char) not in _NOT_DRAWN


def has_visible(text: str) -> bool:
    """Whether the text shows anything on screen: a title of only U+2800, U+3164, soft hyphens or tag
    characters passes :func:`clean_line` but would publish as a blank title (issue 18)."""
    if text.isascii():
        return any(c.isprintable() and not c.isspace() for c in text)
    return any(_drawn(c) for c in text)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would treat the text as a formula if typed in (=, +, -, @ lead)."""
    s = str(text).lstrip(" \t\r\n")
    if not s:
        return False
    if s[0] in "=@":
        return True
    return s[0] in "+-" and len(s) > 1 and not s[1].isspace()


def _link(url: str) -> str:
    href = url if url.lower().startswith(("http://", "https://")) else "https://" + url
    return f'<a href="{html.escape(href, quote=True)}" rel="{LINK_REL}">{html.escape(url, quote=False)}</a>'


def _linkify(line: str) -> str:
    """Escape a line of plain text, turning http(s) and www. addresses into links."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(line):
        url = m.group(0)
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if len(url) <= len("www.") or url.lower() in ("http://", "https://"):
            continue
        out.append(html.escape(line[pos : m.start()], quote=False))
        out.append(_link(url))
        pos = m.start() + len(url)
    out.append(html.escape(line[pos:], quote=False))
    return "".join(out)


def body_to_html(text: str) -> str:
    """Plain body text as HTML: paragraphs, line breaks and links; everything else escaped."""
    body, _ = clean_body(text, -1)
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    parts = ["<p>" + "<br>".join(_linkify(line) for line in p.split("\n")) + "</p>" for p in paragraphs]
    return strict_allowlist("\n".join(parts))


def strict_allowlist(markup: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes; strip everything else, comments too."""
    with warnings.catch_warnings():
        # bleach/html5lib may warn on odd input; a warning must never stop a post (tests run -W error).
        warnings.simplefilter("ignore")
        return bleach.clean(
            markup,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )


__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "Cleaned",
    "LINK_REL",
    "SANITIZER_VERSION",
    "body_to_html",
    "clean_body",
    "clean_line",
    "clean_title",
    "has_visible",
    "looks_like_formula",
    "strict_allowlist",
]

"""Blog posts from the office's Jinja2 template, safe whatever the submitter or template wrote.

Order matters: the body becomes HTML only through :func:`sanitize.body_to_html`;
the template is rendered with autoescape on and ``StrictUndefined``; the whole
result goes through :func:`sanitize.strict_allowlist`; *then* the invisible
submission markers are appended (the allowlist strips comments), so publishing
can find a post it already made after a crash, or after the ledger was lost.

Two markers, each carrying the submission ID *and* the response's fingerprint
(the fingerprint survives a rebuild that assigns IDs anew; the ID is what
officers see):

* ``<!-- mymein-id: MM-2026-0001 fp: 3f2a…c9 -->``: invisible everywhere, but
  Blogger users report HTML comments disappearing from posts (issue 12);
* ``<a name="mymein.MM-2026-0001.3f2a…c9"></a>``: an empty named anchor. Blogger
  itself turns the jump break ``<!--more-->`` into ``<a name="more"></a>`` in
  post content, so it keeps empty named anchors where it drops comments; an
  anchor renders nothing and is not a link. A ``data-*`` attribute or a visible
  text line were the alternatives: Blogger's treatment of the first is
  undocumented, and the second is seen by every reader.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import jinja2
from markupsafe import Markup

from bridge.core import sanitize
from bridge.exceptions import ConfigError

MARKER_FORMAT = "<!-- mymein-id: {id} -->"  # the comment marker before fingerprints (still recognised)
COMMENT_FORMAT = "<!-- mymein-id: {id} fp: {fp} -->"
ANCHOR_FORMAT = '<a name="mymein.{id}.{fp}"></a>'
_MARKER = re.compile(r"<!--\s*mymein-id:\s*([A-Za-z0-9_-]+)(?:\s+fp:\s*([A-Za-z0-9-]*))?\s*-->")
# The tag itself must be there (escaped submitter text reads "&lt;a"), attributes in any order or quoting.
_ANCHOR = re.compile(r"""<a\s[^>]*?\bname\s*=\s*["']?mymein\.([A-Za-z0-9_-]+)\.([A-Za-z0-9-]*)["'\s>]""", re.IGNORECASE)
_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_FP = re.compile(r"^[A-Za-z0-9-]*$")
LABEL_MAX = 200
TITLE_MAX = 300
TIME_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class Photo:
    """A hosted photo for a post: URL, alt text and its pixel size (0 = unknown)."""

    url: str
    alt: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class PostContext:
    """What a post template can use."""

    title: str
    body_text: str  # plain text; HTML is made here
    photos: Sequence[Photo | tuple[str, str]] = ()  # Photo, or (public URL, alt text)
    operator: str = ""
    kim: str = ""
    desa: str = ""
    kecamatan: str = ""
    received_at: datetime | str | None = None
    submission_id: str = ""
    labels: Sequence[str] = ()
    desa_label: str = "Desa"  # "Desa" or "Kelurahan"
    fingerprint: str = ""  # the response's fingerprint, carried by the markers


@dataclass(frozen=True)
class RenderedPost:
    """A post ready for Blogger: plain-text title, safe HTML with the marker, labels."""

    title: str
    html: str
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Marker:
    """What a post's marker says: whose post it is."""

    id: str
    fingerprint: str = ""  # empty in markers written before fingerprints were carried


def marker_for(submission_id: str, fingerprint: str = "") -> str:
    """The markers carried by the post of one submission (comment, then anchor).

    Raises:
        ValueError: the ID or fingerprint has characters that could break out of the markup.
    """
    if not _ID.match(submission_id) or not _FP.match(fingerprint or ""):
        raise ValueError(f"submission id {submission_id!r} / {fingerprint!r} cannot be used in a post marker")
    if not fingerprint:
        return MARKER_FORMAT.format(id=submission_id)
    return COMMENT_FORMAT.format(id=submission_id, fp=fingerprint) + ANCHOR_FORMAT.format(id=submission_id, fp=fingerprint)


def find_markers(html: str) -> set[Marker]:
    """Every marker in a post's HTML, comment or anchor (a post normally carries one submission's)."""
    text = html or ""
    found = {Marker(m.group(1), m.group(2) or "") for m in _MARKER.finditer(text)}
    found |= {Marker(m.group(1), m.group(2)) for m in _ANCHOR.finditer(text)}
    with_fp = {m.id for m in found if m.fingerprint}
    return {m for m in found if m.fingerprint or m.id not in with_fp}


def is_submission_id(text: str) -> bool:
    """Whether ``text`` can be a submission ID (and so carry a post marker)."""
    return bool(_ID.match(text or ""))


def find_marker_ids(html: str) -> set[str]:
    """Submission IDs whose markers appear in a post's HTML."""
    return {m.id for m in find_markers(html)}


def _label(text: str) -> str:
    """A Blogger label: one line, no commas, at most 200 characters."""
    from bridge.core.plaintext import plain_line

    return plain_line(str(text).replace(",", " "), LABEL_MAX)


def labels_for(
    kecamatan: str, desa: str, kim: str, parts: Sequence[str], extra: Sequence[str], *, desa_label: str = "Desa"
) -> list[str]:
    """Post labels: the configured parts ("kecamatan", "desa", "kim") then ``extra``; deduplicated, in order.

    Kecamatan and desa get a prefix ("Kecamatan Juai", "Desa Juai") so that a
    desa and a kecamatan of the same name stay distinct labels.
    """
    values = {
        "kecamatan": f"Kecamatan {kecamatan}" if kecamatan.strip() else "",
        "desa": f"{desa_label} {desa}" if desa.strip() else "",
        "kim": kim,
    }
    out: list[str] = []
    seen: set[str] = set()
    for raw in [values.get(p, "") for p in parts] + list(extra):
        label = _label(raw)
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            out.append(label)
    return out


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False
    )


@functools.lru_cache(maxsize=8)
def _template(template_text: str) -> jinja2.Template:
    """The template compiled once per text: Jinja2 compiles ``from_string`` to Python code on each
    call (12 ms on average in the suite's profile, issue 22), and every post renders the same text.
    Rendering does not change a compiled template. A text that does not compile raises, and nothing
    is kept for it."""
    return _environment().from_string(template_text)


def _safe_photos(photos: Iterable[Photo | tuple[str, str]]) -> list[dict[str, str]]:
    """Photos as the template sees them: http(s) URLs only; width/height as digits, or '' when unknown."""
    out = []
    for photo in photos:
        p = photo if isinstance(photo, Photo) else Photo(*photo)
        if not p.url.strip().lower().startswith(("https://", "http://")):
            continue
        sized = p.width > 0 and p.height > 0
        out.append({
            "url": p.url.strip(),
            "alt": sanitize.clean_line(p.alt, 300).text,
            "width": str(int(p.width)) if sized else "",
            "height": str(int(p.height)) if sized else "",
        })
    return out


def _received(value: datetime | str | None) -> str:
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return sanitize.clean_line(value or "", 100).text


def render_post(template_text: str, post: PostContext) -> RenderedPost:
    """Render one post.

    Template variables: ``title``, ``body`` (safe HTML), ``photos`` (list of
    ``{url, alt, width, height}``; width/height '' when unknown), ``operator``, ``kim``, ``desa``, ``desa_label``,
    ``kecamatan``, ``received_at`` (text), ``submission_id``, ``labels``.

    Raises:
        ConfigError: the template is not valid Jinja2 or uses an unknown variable.
    """
    from bridge.core.plaintext import plain_line

    title = plain_line(post.title, TITLE_MAX)  # Blogger titles are plain text (issue 12)
    body = Markup(sanitize.body_to_html(post.body_text))
    context = {
        "title": title,
        "body": body,
        "photos": _safe_photos(post.photos),
        "operator": sanitize.clean_line(post.operator, 200).text,
        "kim": sanitize.clean_line(post.kim, 200).text,
        "desa": sanitize.clean_line(post.desa, 200).text,
        "desa_label": sanitize.clean_line(post.desa_label, 20).text or "Desa",
        "kecamatan": sanitize.clean_line(post.kecamatan, 200).text,
        "received_at": _received(post.received_at),
        "submission_id": post.submission_id,
        "labels": list(post.labels),
    }
    try:
        rendered = _template(template_text).render(context)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise ConfigError([f"post template{where}: {exc}"], "post template") from exc
    html = sanitize.strict_allowlist(rendered).strip()
    if post.submission_id:
        html = f"{html}\n{marker_for(post.submission_id, post.fingerprint)}"
    return RenderedPost(title=title, html=html, labels=list(post.labels))


def check_template(template_text: str, *, photo_optional: bool = True) -> list[str]:
    """Problems rendering the template with sample data (empty = fine).

    With ``photo_optional`` (for ``check``) a sample without a photo must render
    too; without it, only template errors that would hit every post are found.
    """
    with_photo = PostContext(
        title="Contoh judul",
        body_text="Paragraf pertama.\n\nParagraf kedua.",
        photos=[Photo("https://example.org/foto.jpg", "Foto contoh", 1600, 1200)],
        operator="Operator",
        kim="KIM Contoh",
        desa="Contoh",
        kecamatan="Paringin",
        received_at="01/01/2026 08:00",
        submission_id="MM-2026-0001",
        labels=["Contoh"],
    )
    samples = (with_photo, replace(with_photo, photos=())) if photo_optional else (with_photo,)
    for sample in samples:
        try:
            render_post(template_text, sample)
        except ConfigError as exc:
            where = "" if sample.photos else " (a post without a photo)"
            return [f"{problem}{where}" for problem in exc.problems]
    return []


__all__ = [
    "MARKER_FORMAT",
    "Marker",
    "Photo",
    "PostContext",
    "RenderedPost",
    "check_template",
    "find_marker_ids",
    "find_markers",
    "is_submission_id",
    "labels_for",
    "marker_for",
    "render_post",
]

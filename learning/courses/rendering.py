"""Sections as the reader sees them: safe HTML whose images point at the app's own image route. Used by
the reader (training), the desk's section preview and the authoring preview; Flask is needed for url_for."""

from __future__ import annotations

from flask import url_for

from learning.courses.markdown import render_markdown

UNCHANGING = ("published", "retired")


def image_version(edition) -> str | None:
    """What names a published (or retired) edition's images for good: its content hash, which covers each
    image's SHA-256 and never changes once published (only drafts are saved). None for a draft or a
    review, whose images may still be replaced under the same name."""
    if edition.status in UNCHANGING and edition.content_hash:
        return edition.content_hash[:16]
    return None


def image_base(edition_id: int, version: str | None = None) -> str:
    """The address prefix of an edition's images (`…/images/`), with the edition's version when it has one."""
    # The image route with an empty name is not routable, so build it with a placeholder and cut that off.
    values = {"version": version} if version else {}
    return url_for("courses.image", edition_id=edition_id, name="_", **values)[:-1]


def section_html(section, locale: str) -> str:
    """A section's body as safe HTML in the reader's language, its images pointing at this edition's images."""
    base = image_base(section.edition_id, image_version(section.edition))
    return render_markdown(section.bodies.get(locale) or section.body_ja, base)

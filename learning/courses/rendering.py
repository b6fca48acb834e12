"""Sections as the reader sees them: safe HTML whose images point at the app's own image route. Used by
the reader (training), the desk's section preview and the authoring preview; Flask is needed for url_for."""

from __future__ import annotations

from flask import url_for

from learning.courses.markdown import render_markdown


def image_base(edition_id: int) -> str:
    """The address prefix of an edition's images (`…/images/`)."""
    # The image route with an empty name is not routable, so build it with a placeholder and cut that off.
    return url_for("courses.image", edition_id=edition_id, name="_")[:-1]


def section_html(section, locale: str) -> str:
    """A section's body as safe HTML in the reader's language, its images pointing at this edition's images."""
    return render_markdown(section.bodies.get(locale) or section.body_ja, image_base(section.edition_id))

"""Module images, served by the app itself (closed intranet: no outside hosts)."""

from flask import Blueprint, Response, abort, url_for

from learning.authz import Permission, requires
from learning.courses.services import edition_image
from learning.web import db

bp = Blueprint("courses", __name__)


@bp.route("/editions/<int:edition_id>/images/<name>")
@requires(Permission.LEARN)
def image(edition_id: int, name: str):
    found = edition_image(db(), edition_id, name)
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def section_html(section, locale: str) -> str:
    """A section's body as safe HTML in the reader's language, its images pointing at this edition's images."""
    from learning.courses.markdown import render_markdown

    # The image route with an empty name is not routable, so build it with a placeholder and cut that off.
    image_base = url_for("courses.image", edition_id=section.edition_id, name="_")[:-1]
    return render_markdown(section.bodies.get(locale) or section.body_ja, image_base)

"""The library's blueprint, and module images served by the app itself (closed intranet: no outside hosts).
The trainer's pages add their routes to it from editor.py and library.py."""

from flask import Blueprint, Response, abort, url_for
from flask_login import current_user

from learning.authz import Permission, requires
from learning.courses.models import Edition
from learning.courses.services import edition_image
from learning.web import db

bp = Blueprint("courses", __name__, template_folder="templates")


@bp.route("/editions/<int:edition_id>/images/<name>")
@requires(Permission.LEARN)
def image(edition_id: int, name: str):
    edition = db().get(Edition, edition_id)
    if edition is None or (edition.status in ("draft", "review") and not current_user.can(Permission.COURSES_READ)):
        abort(404)  # a draft's images are for its authors and reviewers until it is published
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

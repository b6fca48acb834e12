"""Module images, served by the app itself (closed intranet: no outside hosts)."""

from flask import Blueprint, Response, abort
from flask_login import current_user

from learning.authz import Permission, requires
from learning.courses.models import Edition
from learning.courses.services import edition_image
from learning.web import db

bp = Blueprint("courses", __name__)


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

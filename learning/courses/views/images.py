"""Module images, served by the app itself (closed intranet: no outside hosts)."""

from flask import Blueprint, abort
from flask_login import current_user

from learning.authz import Permission, requires
from learning.courses.models import Edition
from learning.courses.rendering import image_version
from learning.courses.services import edition_image
from learning.web import asset_response, asset_view, content_fingerprint, db

bp = Blueprint("courses", __name__)
# Kept by the reader's browser for good: the version in the URL is the published edition's content hash,
# and a published edition never changes. `private`: the images are for signed-in people, not for a
# shared cache to hand out.
FOR_GOOD = "private, max-age=31536000, immutable"
REVALIDATE = "private, no-cache"


@bp.route("/editions/<int:edition_id>/images/<name>")
@bp.route("/editions/<int:edition_id>/<version>/images/<name>")
@requires(Permission.LEARN)
@asset_view
def image(edition_id: int, name: str, version: str | None = None):
    edition = db().get(Edition, edition_id)
    if edition is None or (edition.status in ("draft", "review") and not current_user.can(Permission.COURSES_READ)):
        abort(404)  # a draft's images are for its authors and reviewers until it is published
    found = edition_image(db(), edition_id, name)
    if found is None:
        abort(404)
    # A draft's image can be replaced under the same name, and a stale or wrong version is answered with
    # what is there now: both are revalidated on every use.
    current = version is not None and version == image_version(edition)
    digest = content_fingerprint(found.data)
    return asset_response(
        found.data,
        found.content_type,
        etag=digest,
        cache_control=FOR_GOOD if current else REVALIDATE,
        key=f"image:{found.id}:{digest}",
    )

"""The results page of the one search (`/search?q=`), in the header of every signed-in page."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from learning.authz import Permission, requires
from learning.i18n import current_locale
from learning.search import services
from learning.search.messages import KIND_LABELS
from learning.search.text import MAX_QUERY
from learning.web import db

bp = Blueprint("search", __name__, template_folder="../templates")


def place_url(entry) -> str | None:
    """Where an entry leads (its room's page), or None when that page is not in this app."""
    place = entry.place or {}
    try:
        url = url_for(place["endpoint"], **(place.get("args") or {}))
    except (BuildError, KeyError):
        return None
    return f"{url}#{place['anchor']}" if place.get("anchor") else url


@bp.route("/search")
@requires(Permission.LEARN)
def results():
    query = request.args.get("q", "")[:MAX_QUERY].strip()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 6 else 1
    reader = services.reader_of(db(), current_user, current_locale())
    found = services.search(db(), reader, query, page)
    return render_template(
        "search/results.html",
        query=query,
        found=found,
        kinds={kind: _(label) for kind, label in KIND_LABELS.items()},
        place_url=place_url,
        cap=services.CAP,
    )

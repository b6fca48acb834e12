"""A published module's sections, read-only, for any signed-in reader: where the search's hits on a section
lead. Reading here is not training: a learner's assigned reading (minimum time, marking a section read)
stays in `training`'s reader, which this page points to."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from learning.authz import Permission, requires
from learning.courses.formats.spec import LANGS
from learning.courses.models import Edition, Module, Section
from learning.courses.rendering import section_html
from learning.i18n import current_locale
from learning.web import db

bp = Blueprint("reading", __name__, template_folder="../templates")


@bp.route("/modules/<slug>/sections/<int:position>")
@requires(Permission.LEARN)
def section(slug: str, position: int):
    edition = db().scalar(select(Edition).join(Module).where(Module.slug == slug[:60], Edition.status == "published"))
    if edition is None:
        abort(404)
    positions = (
        db().scalars(select(Section.position).where(Section.edition_id == edition.id).order_by(Section.position)).all()
    )
    shown = db().scalar(select(Section).where(Section.edition_id == edition.id, Section.position == position))
    if shown is None:
        abort(404)
    at = positions.index(position)
    # A search hit in the other language leads to the section in the language it was found in (?lang=en).
    language = request.args.get("lang") if request.args.get("lang") in LANGS else current_locale()
    return render_template(
        "courses/section.html",
        edition=edition,
        section=shown,
        body=section_html(shown, language),
        language=language,
        previous=positions[at - 1] if at > 0 else None,
        next=positions[at + 1] if at + 1 < len(positions) else None,
        count=len(positions),
        number=at + 1,
    )

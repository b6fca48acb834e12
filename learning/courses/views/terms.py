"""The organisation terms: compliance sets the installation's words (/admin/terms); trainers read them
(/library/terms) so they know what to type in content."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.authz import Permission, requires
from learning.courses import term_settings
from learning.courses.forms import field_name, terms_form, typed
from learning.courses.messages import LANGUAGE
from learning.courses.terms import TERMS
from learning.web import db, refused
from learning.web.responses import translated

bp = Blueprint("terms", __name__, template_folder="../templates")


@bp.route("/admin/terms", methods=["GET", "POST"])
@requires(Permission.TERMS_MANAGE)
def edit():
    form = terms_form(term_settings.current_terms(db()))
    if form.is_submitted():
        valid = form.validate()
        problems = term_settings.check(typed(form))
        for problem in problems:  # every problem on its field, in the user's language; nothing is saved
            params = {**problem.params, "language": translated(LANGUAGE[problem.params["language"]])}
            form[problem.field].errors = [*form[problem.field].errors, translated(problem.template, params)]
        if valid and not problems:
            # A second submit of the same words changes nothing and records nothing.
            changed = term_settings.set_terms(db(), current_user.id, typed(form))
            flash(_("The organisation terms have been saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for(".edit"))
        refused()
    return render_template(
        "courses/terms_edit.html", form=form, rows=_rows(form), stored=term_settings.stored_terms(db())
    ), 400 if form.errors else 200


@bp.route("/library/terms")
@requires(Permission.COURSES_READ)
def reference():
    return render_template("courses/terms.html", terms=TERMS, values=term_settings.current_terms(db()))


def _rows(form) -> list[tuple]:
    """(term, its Japanese field, its English field) in the vocabulary's order."""
    return [(t, form[field_name(t.name, "ja")], form[field_name(t.name, "en")]) for t in TERMS]

"""My training, the module reader, attestation and the certificate."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import BooleanField
from wtforms.validators import DataRequired

from learning import clock
from learning.authz import Permission, requires
from learning.courses.rendering import section_html
from learning.i18n import current_locale
from learning.training import progress, reading, services, sources
from learning.training.messages import MESSAGES
from learning.training.pages import certificate_facts, counts_from, own
from learning.training.services import NotFound, TrainingError
from learning.web import db, refuse, translated
from learning.web.forms import PortalForm

bp = Blueprint("training", __name__, template_folder="templates")


class AttestForm(PortalForm):
    confirm = BooleanField(validators=[DataRequired()])


@bp.route("/training")
@requires(Permission.LEARN)
def mine():
    assignments = services.my_assignments(db(), current_user.id)
    counts_from(assignments)
    return render_template(
        "training/mine.html",
        assignments=assignments,
        resume=progress.where_to_continue(db(), assignments),
        now=clock.now(),
    )


@bp.route("/training/<int:assignment_id>")
@requires(Permission.LEARN)
def overview(assignment_id: int):
    assignment = own(assignment_id)
    sections = services.sections_of(db(), assignment.edition_id)
    source = sources.campaign_names(db(), {assignment.campaign_id}).get(assignment.campaign_id)
    return render_template(
        "training/overview.html",
        source=source,
        move=sources.moves_behind(db(), {assignment.id}).get(assignment.id),
        assignment=assignment,
        sections=sections,
        resume=services.resume_position(assignment, len(sections)),
        unlocked=assignment.sections_done >= len(sections),
        ready=reading.readiness(db(), [assignment])[assignment.id],
        now=clock.now(),
    )


@bp.route("/training/<int:assignment_id>/sections/<int:position>", methods=["GET", "POST"])
@requires(Permission.LEARN)
def section(assignment_id: int, position: int):
    assignment = own(assignment_id)
    form = PortalForm()
    try:
        if form.validate_on_submit():
            following = services.finish_section(db(), assignment, position)
            if following is None:
                return redirect(url_for("quizzes.start", assignment_id=assignment.id))
            return redirect(url_for(".section", assignment_id=assignment.id, position=following))
        sections = services.sections_of(db(), assignment.edition_id)
        current = services.open_section(db(), assignment, position, among=sections)
    except NotFound:
        abort(404)
    except TrainingError as exc:
        flash(refuse(exc), "warning")
        if exc.code == "too_soon":  # back to the same section, whose time keeps running
            return redirect(url_for(".section", assignment_id=assignment.id, position=position))
        return redirect(url_for(".overview", assignment_id=assignment.id))
    reading.note_opened(db(), assignment, position)
    body = section_html(current, current_locale())
    return render_template(
        "training/section.html",
        assignment=assignment,
        section=current,
        sections=sections,
        body=body,
        form=form,
        left=reading.seconds_left(db(), assignment, position),
    )


@bp.route("/training/<int:assignment_id>/attest", methods=["GET", "POST"])
@requires(Permission.LEARN)
def attest(assignment_id: int):
    assignment = own(assignment_id)
    form = AttestForm()
    if assignment.is_completed:
        return redirect(url_for(".certificate", assignment_id=assignment.id))
    if assignment.quiz_passed_at is None:
        flash(translated(MESSAGES["quiz_first"]), "warning")
        return redirect(url_for(".overview", assignment_id=assignment.id))
    if form.validate_on_submit():
        services.attest(db(), assignment, current_user.id)
        flash(_("Completed. Thank you for taking the time to learn the conduct rules."), "success")
        return redirect(url_for(".certificate", assignment_id=assignment.id))
    return render_template("training/attest.html", assignment=assignment, form=form), (
        400 if form.is_submitted() else 200
    )


@bp.route("/training/<int:assignment_id>/certificate")
@requires(Permission.LEARN)
def certificate(assignment_id: int):
    assignment = own(assignment_id)
    if not assignment.is_completed:
        abort(404)
    return render_template(
        "training/certificate.html",
        assignment=assignment,
        facts=certificate_facts(assignment, current_user),
        pdf_url=url_for("certificates.mine_pdf", assignment_id=assignment.id),
    )

"""Certificates as PDF (a person's own, and for staff in scope), and verifying one by its number."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.i18n import current_locale, pick
from learning.reports import services, verification
from learning.reports.certificate_pdf import CertificateWords, certificate_pdf
from learning.reports.pages import audit, certificate_in_scope
from learning.training.models import Assignment
from learning.training.pages import certificate_facts, own
from learning.web import db, refuse, security_event
from learning.web.forms import PortalForm

bp = Blueprint("certificates", __name__, template_folder="../templates")


class VerifyForm(PortalForm):
    number = StringField(_l("Certificate number"), validators=[InputRequired(), Length(max=40)])


@bp.route("/training/<int:assignment_id>/certificate.pdf")
@requires(Permission.LEARN)
def mine_pdf(assignment_id: int):
    assignment = own(assignment_id)
    if not assignment.is_completed:
        abort(404)
    return _pdf(assignment, current_user)


@bp.route("/reports/certificates/<int:assignment_id>.pdf")
@requires(Permission.REPORTS_VIEW)
def staff_pdf(assignment_id: int):
    """The PDF of a person's certificate, for staff in scope (audited), as records.certificate shows it."""
    assignment, person = certificate_in_scope(assignment_id, format="pdf")
    return _pdf(assignment, person)


def _pdf(assignment: Assignment, person: User) -> Response:
    facts = certificate_facts(assignment, person)
    company = pick(facts.company)
    words = CertificateWords(
        title=_("Certificate of completion"),
        employee=_("Employee number %(no)s", no=facts.employee_no),
        statement=_(
            "has studied the following module, passed its comprehension quiz and attested to following the "
            "conduct rules."
        ),
        edition=_("Edition %(version)d (%(label)s)", version=facts.version, label=facts.label),
        score=_("Score"),
        completed_on=_("Completed on"),
        number=_("Certificate number"),
        issued=_("Issued by %(company)s through the %(portal)s", company=company, portal=_("Conduct Rules Portal")),
    )
    response = Response(certificate_pdf(facts, words, current_locale()), content_type="application/pdf")
    name = f"certificate-{(facts.number or str(assignment.id)).replace('-', '')}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/certificates/verify", methods=["GET", "POST"])
@requires(Permission.REPORTS_VIEW)
def verify():
    """Whose certificate a number is, for staff who may read that person's record; to anyone else, and for a
    number that names nothing, the same 404 (counted towards the throttle)."""
    form = VerifyForm()
    if not form.validate_on_submit():
        return render_template("reports/verify.html", form=form, found=None), 400 if form.is_submitted() else 200
    address, reader = request.remote_addr, current_user.id
    scope = services.scope_of(db(), current_user)
    try:
        found = verification.verify(db(), scope, reader, form.number.data, address)
    except verification.VerifyError as exc:
        form.number.errors = [refuse(exc)]
        return render_template("reports/verify.html", form=form, found=None), 429
    if found is None:
        security_event(None, write=lambda session: verification.count_failed(session, address, reader))
        form.number.errors = [_("No certificate with this number was found.")]
        return render_template("reports/verify.html", form=form, found=None), 404
    audit(("assignment", found.assignment.id), {"report": "certificate_verification", "user_id": found.person.id})
    facts = certificate_facts(found.assignment, found.person)
    return render_template("reports/verify.html", form=VerifyForm(formdata=None), found=found, facts=facts)

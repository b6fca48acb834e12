"""A pledge's signed copy as PDF (the signer's own), and verifying a signature by its code (staff in scope).

Here, not in the pledges room: the copy is written by reports (`pledge_copies`, see there why)."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from learning.authz import Permission, requires
from learning.i18n import current_locale
from learning.reports import pledge_copies, services
from learning.reports.pages import audit
from learning.web import db, refuse, security_event
from learning.web.forms import PortalForm

bp = Blueprint("pledge_copies", __name__, template_folder="../templates")


class VerifyCodeForm(PortalForm):
    code = StringField(_l("Verification code"), validators=[InputRequired(), Length(max=40)])


@bp.route("/pledges/signatures/<int:signature_id>/copy.pdf")
@requires(Permission.LEARN)
def copy_pdf(signature_id: int):
    """The signer's signed copy (audited); another's signature, a refusal or nothing: the same 404."""
    signature = pledge_copies.own_signed(db(), signature_id, current_user.id)
    if signature is None:
        abort(404)
    copy = pledge_copies.signed_copy(db(), signature)
    lang = current_locale()
    words = pledge_copies.CopyWords(
        heading=_("Pledge: signed copy"),
        version=_("Version %(n)d", n=copy.version.version),
        clauses=_("Clauses"),
        declarations=_("Declarations"),
        yes=_("Yes"),
        no=_("No"),
        signature=_("Signature"),
        labels={
            "person": _("Signed by"),
            "employee_no": _("Employee number"),
            "department": _("Department at signing"),
            "signed_at": _("Signed at"),
            "version": _("Version signed"),
            "hash": _("Content hash (SHA-256)"),
            "code": _("Verification code"),
            "verify": _("Verify at"),
        },
        verify_note=_(
            "Compliance, internal audit and the signer's department head can check this signature by entering "
            "the verification code at the address above. The content hash identifies the exact text signed."
        ),
        page=_("%(page)d / %(pages)d"),
    )
    body = pledge_copies.copy_pdf(copy, words, url_for(".verify", _external=True), lang)
    audit(("pledge_signature", signature.id), {"report": "pledge_copy", "format": "pdf"})
    response = Response(body, content_type="application/pdf")
    name = f"pledge-{signature.code}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/pledges/verify", methods=["GET", "POST"])
@requires(Permission.REPORTS_VIEW)
def verify():
    """Whose signature a code is, for staff who may read that person's record; to anyone else, and for a code
    that names nothing, the same 404 (counted towards the throttle)."""
    form = VerifyCodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("reports/pledge_verify.html", form=form, found=None), status
    address, reader = request.remote_addr, current_user.id
    scope = services.scope_of(db(), current_user)
    try:
        found = pledge_copies.verify(db(), scope, reader, form.code.data, address)
    except pledge_copies.PledgeVerifyError as exc:
        form.code.errors = [refuse(exc)]
        return render_template("reports/pledge_verify.html", form=form, found=None), 429
    if found is None:
        security_event(None, write=lambda session: pledge_copies.count_failed(session, address, reader))
        form.code.errors = [_("No signature with this code was found.")]
        return render_template("reports/pledge_verify.html", form=form, found=None), 404
    audit(
        ("pledge_signature", found.signature.id),
        {"report": "pledge_verification", "user_id": found.signature.user_id},
    )
    return render_template(
        "reports/pledge_verify.html",
        form=VerifyCodeForm(formdata=None),
        found=found,
        signed_at=pledge_copies.signed_at(found.signature.signed_at, current_locale()),
    )

"""A person's pledges: the published ones to sign, the signing page (the whole text, the declarations, the
password as the signature), a refusal with a reason, and the signed copy."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts import oidc
from learning.authz import Permission, requires
from learning.pledges import services
from learning.pledges.forms import DirectoryRefuseForm, DirectorySignForm, RefuseForm, SignForm
from learning.pledges.pages import version_or_404
from learning.training.certificates import shown
from learning.web import app_settings, db, explain, refused, security_event

bp = Blueprint("my_pledges", __name__, template_folder="../templates")


@bp.route("/pledges")
@requires(Permission.LEARN)
def index():
    versions = services.open_versions(db())
    signed = {v.id: services.signature_of(db(), v.id, current_user.id) for v in versions}
    return render_template("pledges/mine.html", versions=versions, signed=signed)


def _answers(version) -> dict[int, bool | None]:
    values = {"yes": True, "no": False}
    return {p.position: values.get(request.form.get(f"declaration_{p.position}", "")) for p in version.declarations}


def _by_directory() -> bool:
    """The person has no password to sign with (SSO only): the signature is a fresh directory sign-in."""
    return not services.password_usable(current_user, app_settings().sso)


def _forms(formdata=None):
    """The signing and refusal forms this person gets (without a password field when signing by directory)."""
    if _by_directory():
        return DirectorySignForm(formdata=formdata), DirectoryRefuseForm(formdata=formdata)
    return SignForm(formdata=formdata), RefuseForm(formdata=formdata)


def _sign_page(version, form, refuse_form, errors: dict, status: int = 200):
    signature = services.signature_of(db(), version.id, current_user.id)
    directory = _by_directory()
    page = render_template(
        "pledges/sign.html",
        version=version,
        form=form,
        refuse_form=refuse_form,
        errors=errors,
        given=request.form if request.method == "POST" else {},
        signature=signature,
        shown=shown,
        needs_code=services.needs_code(current_user),
        directory=directory,
        directory_off=directory and not app_settings().sso.oidc,
    )
    response = make_response(page, status)
    if directory and app_settings().sso.oidc:
        response.headers["Content-Security-Policy"] = _csp_to_directory(app_settings().sso.oidc_issuer)
    return response


def _csp_to_directory(issuer: str) -> str:
    """The portal's policy, but with the provider's origin allowed as a form's target: the browser holds a form
    to form-action through its redirects too, and signing by directory posts here and is sent on to the
    provider (only this page, only the configured issuer's origin)."""
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
        f"base-uri 'self'; form-action 'self' {origin}; frame-ancestors 'none'"
    )


def _attempt(version, form, refusal_reason: str | None):
    try:
        services.sign(
            db(),
            current_user._get_current_object(),
            version.id,
            _answers(version),
            form.password.data,
            address=request.remote_addr,
            refusal_reason=refusal_reason,
            code=form.code.data,
        )
    except services.PledgeError as exc:
        if exc.refusal is not None:
            security_event(exc.refusal.entry, write=exc.refusal.count)
        refused()
        return exc
    return None


def _status_of(exc: services.PledgeError) -> int:
    return {"wrong_password": 401, "wrong_code": 401, "locked": 429, "already_signed": 409}.get(exc.code, 400)


@bp.route("/pledges/<int:version_id>", methods=["GET", "POST"])
@requires(Permission.LEARN)
def sign(version_id: int):
    version = version_or_404(version_id)
    if version.status != "published" and services.signature_of(db(), version.id, current_user.id) is None:
        abort(404)
    if request.method == "POST" and _by_directory():
        return _to_directory(version, None)
    form, refuse_form = SignForm(), RefuseForm(formdata=None)
    if request.method == "POST":
        if not form.validate():
            return _sign_page(version, form, refuse_form, {}, 400)
        exc = _attempt(version, form, None)
        if exc is None:
            flash(_("Signed. Your verification code is shown below."), "success")
            return redirect(url_for(".sign", version_id=version.id))
        message = explain(exc)
        errors = {exc.field: message} if exc.field and exc.field.startswith("declaration_") else {}
        if exc.field in ("password", "code"):
            getattr(form, exc.field).errors = [message]
        elif not errors:
            flash(message, "error")
        return _sign_page(version, form, refuse_form, errors, _status_of(exc))
    return _sign_page(version, *_forms(), {})


@bp.route("/pledges/<int:version_id>/refuse", methods=["POST"])
@requires(Permission.LEARN)
def refuse(version_id: int):
    version = version_or_404(version_id)
    if _by_directory():
        return _to_directory(version, request.form.get("reason", ""))
    form = RefuseForm()
    if form.validate():
        exc = _attempt(version, form, form.reason.data)
        if exc is None:
            flash(_("Your answer has been recorded. The compliance office will contact you."), "success")
            return redirect(url_for(".sign", version_id=version.id))
        message = explain(exc)
        field = getattr(form, exc.field or "", None)
        if field is not None:
            field.errors = [message]
        else:
            flash(message, "error")
        return _sign_page(version, SignForm(formdata=None), form, {}, _status_of(exc))
    return _sign_page(version, SignForm(formdata=None), form, {}, 400)


def _to_directory(version, refusal_reason: str | None):
    """The answers checked and kept on the server, then off to the company directory to sign in again
    (prompt=login): the signature is made when it answers (`finish`), never from anything in the URL."""
    refusing = refusal_reason is not None
    form, refuse_form = (DirectorySignForm(formdata=None), DirectoryRefuseForm()) if refusing else _forms(request.form)
    if not (refuse_form if refusing else form).validate():
        return _sign_page(version, form, refuse_form, {}, 400)
    sso = app_settings().sso
    if not sso.oidc:
        flash(explain(services.PledgeError("directory_off")), "error")
        return _sign_page(version, form, refuse_form, {}, 409)
    try:
        pending = services.hold_for_directory(
            db(), current_user._get_current_object(), version.id, _answers(version), refusal_reason
        )
        url, state = oidc.begin(
            db(),
            sso,
            app_settings().portal_url + "sso/callback",
            url_for(".finish", pending_id=pending.id),
            reauth_user_id=current_user.id,
        )
    except services.PledgeError as exc:
        message = explain(exc)
        errors = {exc.field: message} if exc.field and exc.field.startswith("declaration_") else {}
        field = getattr(refuse_form, exc.field or "", None) if refusing else None
        if field is not None:
            field.errors = [message]
        elif not errors:
            flash(message, "error")
        return _sign_page(version, form, refuse_form, errors, _status_of(exc))
    except oidc.SsoRefused:
        flash(_("The company directory cannot be reached just now. Please try again later."), "error")
        return _sign_page(version, form, refuse_form, {}, 502)
    services.bind(db(), pending, oidc.state_hash(state))
    session["sso_state"] = state  # the callback must come back to this browser
    return redirect(url)


@bp.route("/pledges/pending/<int:pending_id>")
@requires(Permission.LEARN)
def finish(pending_id: int):
    """Back from the company directory (sso/callback confirmed a fresh sign-in): the kept answers signed."""
    try:
        signature = services.sign_after_directory(db(), current_user._get_current_object(), pending_id)
    except services.PledgeError as exc:
        refused()
        flash(explain(exc), "error")
        return redirect(url_for(".index"))
    if signature.outcome == "signed":
        flash(_("Signed. Your verification code is shown below."), "success")
    else:
        flash(_("Your answer has been recorded. The compliance office will contact you."), "success")
    return redirect(url_for(".sign", version_id=signature.version_id))

"""Setting a password without the old one: a joiner's invitation link, "forgot password" by emailed link,
and the one-time code an administrator hands over in person (accounts/recovery.py)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning.accounts import recovery, throttle, tokens
from learning.accounts.forms import ForgotForm, ResetCodeForm, WelcomeForm
from learning.accounts.pages import password_problem
from learning.accounts.passwords import MIN_LENGTH
from learning.accounts.services import Refusal
from learning.audit.services import Entry
from learning.authz import public
from learning.web import db, fail, refused, security_event

bp = Blueprint("recovery", __name__, template_folder="../templates")


def _with_link(token: str, purpose: str):
    """The page a one-time link opens: set the password, once."""
    user = tokens.holder(db(), token, (purpose,))
    if user is None:
        fail(404, _("This link is not valid any more (used, replaced by a newer one, or expired). Ask for a new one."))
    form = WelcomeForm()
    if form.validate_on_submit():
        problems = recovery.set_with_secret(db(), user, token, (purpose,), form.new.data)
        if not problems:
            flash(_("Your password is set. Sign in with your employee number."), "success")
            return redirect(url_for("accounts.login"))
        refused()
        form.new.errors = [password_problem(p) for p in problems]
    page = render_template("accounts/welcome.html", form=form, user=user, min_length=MIN_LENGTH, purpose=purpose)
    return page, 400 if form.errors else 200


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def welcome(token: str):
    """A new account's first password, from the invitation link (works once, for 7 days)."""
    return _with_link(token, "invitation")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str):
    """A new password from an emailed reset link (works once, within an hour)."""
    return _with_link(token, "reset")


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot():
    """Asks for a reset link. The answer is the same whether or not the account exists or has an address."""
    form = ForgotForm()
    if form.validate_on_submit():
        recovery.request_reset(db(), form.username.data)
        return render_template("accounts/forgot.html", form=None, sent=True)
    return render_template("accounts/forgot.html", form=form, sent=False), 400 if form.errors else 200


def _code_counters(username: str, address: str | None) -> list[throttle.Counter]:
    counters = [throttle.counter("reset_code", throttle.RESET_CODE, username)]
    if address:
        counters.append(throttle.counter("reset_code_address", throttle.RESET_CODE, address))
    return counters


@bp.route("/password/code", methods=["GET", "POST"])
@public
def with_code():
    """A new password with the code an administrator handed over (guessing is throttled)."""
    form = ResetCodeForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        counters = _code_counters(form.username.data, request.remote_addr)
        delay = throttle.wait(db(), counters)
        user = None if delay else recovery.holder_of_code(db(), form.username.data, form.code.data)
        if delay:
            form.form_errors.append(
                _(
                    "Too many wrong codes. Please wait %(seconds)d seconds and try again.",
                    seconds=throttle.seconds(delay),
                )
            )
            status = 429
        elif user is None:
            entry = Entry("authn_password_reset", outcome="failure", details={"reason": "wrong_code"})
            security_event(entry, write=Refusal(entry, tuple(counters)).count)
            form.form_errors.append(_("The employee number or the code is not correct."))
            status = 401
        else:
            code = tokens.normalised_code(form.code.data)
            problems = recovery.set_with_secret(db(), user, code, ("code",), form.new.data)
            if not problems:
                throttle.forget(db(), counters)
                flash(_("Your password is set. Sign in with your employee number."), "success")
                return redirect(url_for("accounts.login"))
            refused()
            form.new.errors = [password_problem(p) for p in problems]
    return render_template("accounts/reset_code.html", form=form, min_length=MIN_LENGTH), status

"""Sign-in, sign-out and the language switch."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from learning import clock
from learning.accounts import services
from learning.accounts.forms import LocaleForm, LoginForm
from learning.authz import Permission, public, requires
from learning.i18n import LOCALES
from learning.web import app_settings, db, fail, local_next

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(local_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if session.pop("notice", None) == "expired":
        flash(_("Your session has ended. Please sign in again."), "info")
    if form.validate_on_submit():
        # A language picked on the sign-in page becomes the person's saved choice.
        result = services.sign_in(
            db(),
            form.username.data,
            form.password.data,
            address=request.remote_addr,
            demo_allowed=app_settings().demo,
            chosen_locale=session.get("locale"),
        )
        db().commit()
        if result.user is not None:
            session.clear()  # a new session on sign-in: nothing carried over from before
            login_user(result.user)
            now = clock.now().timestamp()
            session.update(started=now, seen=now)
            return redirect(local_next(form.next.data))
        if result.locked:
            form.form_errors.append(_("Too many failed sign-ins. Please wait 15 minutes and try again."))
        else:
            form.form_errors.append(_("The employee number or password is not correct."))
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(Permission.SELF)
def logout():
    services.sign_out(db(), current_user)
    db().commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/locale", methods=["POST"])
@public
def set_locale():
    form = LocaleForm()
    if not form.validate_on_submit() or form.locale.data not in LOCALES:
        fail(400, _("Unknown language."))
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(db(), current_user, form.locale.data)
        db().commit()
    return redirect(local_next(form.next.data))

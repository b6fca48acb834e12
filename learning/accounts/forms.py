from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from learning.web.forms import PortalForm


class LoginForm(PortalForm):
    username = StringField(_l("Employee number or login ID"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class LocaleForm(PortalForm):
    locale = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class CodeForm(PortalForm):
    code = StringField(_l("6-digit code"), validators=[DataRequired(), Length(min=6, max=8)])


class PasswordForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords are not the same."))],
    )


class WelcomeForm(PortalForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords are not the same."))],
    )


class ForgotForm(PortalForm):
    username = StringField(_l("Employee number or login ID"), validators=[DataRequired(), Length(max=100)])


class ResetCodeForm(WelcomeForm):
    username = StringField(_l("Employee number or login ID"), validators=[DataRequired(), Length(max=100)])
    code = StringField(_l("Reset code"), validators=[DataRequired(), Length(max=40)])

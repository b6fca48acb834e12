from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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


class ContractorCompanyForm(PortalForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])


class ContractorBranchForm(PortalForm):
    name_ja = StringField(_l("Branch name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Branch name (English)"), validators=[DataRequired(), Length(max=200)])


class ContractorContractForm(PortalForm):
    reference = StringField(_l("Contract reference"), validators=[DataRequired(), Length(max=60)])
    sponsor_code = StringField(_l("Sponsoring department (code)"), validators=[DataRequired(), Length(max=40)])
    owner_employee_no = StringField(_l("Internal owner (employee number)"), validators=[DataRequired(), Length(max=20)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on (last day)"), validators=[DataRequired()])


class ContractorStaffForm(PortalForm):
    contract = SelectField(_l("Contract"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    staff_no = StringField(_l("The contractor's own staff number"), validators=[DataRequired(), Length(max=12)])
    email = StringField(_l("Email (empty: a one-time code to hand over)"), validators=[Length(max=254)])
    ends_on = DateField(_l("Access ends on (last day; never after the contract's end)"), validators=[DataRequired()])


class ContractorMoveForm(PortalForm):
    # Any contract of the company is taken here: the service says why one cannot be moved onto (moved already,
    # not running), in words, rather than a bare "not a valid choice".
    contract = SelectField(_l("Move to contract"), choices=[], validate_choice=False)
    ends_on = DateField(_l("New last day of access (optional)"), validators=[Optional()])
    from_contract = HiddenField()


class ContractorFileForm(PortalForm):
    file = FileField(
        _l("CSV file (UTF-8 or Shift_JIS): staff_no,name,email,contract_reference,ends_on,role"),
        validators=[FileRequired()],
    )

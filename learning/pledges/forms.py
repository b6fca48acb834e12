from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from learning.pledges.services import MAX_REASON, MAX_TEXT, MAX_TITLE
from learning.web.forms import PortalForm


class NewPledgeForm(PortalForm):
    slug = StringField(_l("Short name (letters, digits, hyphens)"), validators=[DataRequired(), Length(max=60)])
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=MAX_TITLE)])


class DraftForm(PortalForm):
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    intro_ja = TextAreaField(_l("Introduction (Japanese)"), validators=[Length(max=MAX_TEXT)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=MAX_TEXT)])
    clauses_ja = TextAreaField(_l("Clauses (Japanese, one per paragraph)"), validators=[Length(max=MAX_TEXT)])
    clauses_en = TextAreaField(_l("Clauses (English, one per paragraph)"), validators=[Length(max=MAX_TEXT)])
    declarations_ja = TextAreaField(
        _l("Declarations answered yes or no (Japanese, one per paragraph)"), validators=[Length(max=MAX_TEXT)]
    )
    declarations_en = TextAreaField(
        _l("Declarations answered yes or no (English, one per paragraph)"), validators=[Length(max=MAX_TEXT)]
    )


class SendBackForm(PortalForm):
    comments = TextAreaField(_l("What needs changing"), validators=[DataRequired(), Length(max=MAX_TEXT)])


CODE_LABEL = _l("Code from your authenticator app")


class SignForm(PortalForm):
    password = PasswordField(_l("Your password (your signature)"), validators=[DataRequired()])
    code = StringField(CODE_LABEL, validators=[Length(max=20)])  # asked for when the person has a second factor


class RefuseForm(PortalForm):
    reason = TextAreaField(_l("Why you do not sign"), validators=[DataRequired(), Length(max=MAX_REASON)])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    code = StringField(CODE_LABEL, validators=[Length(max=20)])


class DirectorySignForm(PortalForm):
    """Signing by a fresh sign-in at the company directory: no password here (the person has none to use)."""


class DirectoryRefuseForm(PortalForm):
    reason = TextAreaField(_l("Why you do not sign"), validators=[DataRequired(), Length(max=MAX_REASON)])

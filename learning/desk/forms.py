from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from learning.desk.services import MAX_LENGTH
from learning.web.forms import PortalForm

CATEGORY_CHOICES = [
    SelectChoice("information", _l("Handling information")),
    SelectChoice("ids_systems", _l("IDs and systems")),
    SelectChoice("consignment", _l("Consigned work")),
    SelectChoice("transfers", _l("Transfers")),
    SelectChoice("other", _l("Other")),
]


class AskForm(PortalForm):
    body = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES)
    anonymous = BooleanField(_l("Ask anonymously"))
    edition = HiddenField()
    section = HiddenField()
    question = HiddenField()


class ReplyForm(PortalForm):
    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ClaimForm(PortalForm):
    code = StringField(_l("Claim code"), validators=[DataRequired(), Length(max=100)])


class ClaimReplyForm(ClaimForm):
    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class FaqForm(PortalForm):
    question_ja = TextAreaField(_l("Question (Japanese)"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    question_en = TextAreaField(_l("Question (English)"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    answer_ja = TextAreaField(_l("Answer (Japanese)"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    answer_en = TextAreaField(_l("Answer (English)"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    module = SelectField(
        _l("Module"), coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()]
    )
    section = IntegerField(_l("Section number (empty: the whole module)"), validators=[Optional(), NumberRange(1, 99)])
    source = HiddenField()


class NoteForm(PortalForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=MAX_LENGTH)])

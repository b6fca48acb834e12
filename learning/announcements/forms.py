from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from learning.web.forms import PortalForm

BODY_MAX = 20000


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class NoticeForm(PortalForm):
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("notice", _l("Notice")),
            SelectChoice("management", _l("Message from management")),
        ],
        default="notice",
    )
    sender_ja = StringField(_l("Sender's title (Japanese), e.g. 社長"), validators=[Length(max=200)])
    sender_en = StringField(_l("Sender's title (English), e.g. President"), validators=[Length(max=200)])
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    body_ja = TextAreaField(_l("Text (Japanese, Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    body_en = TextAreaField(_l("Text (English, Markdown)"), validators=[DataRequired(), Length(max=BODY_MAX)])
    audience = RadioField(
        _l("Audience"),
        choices=[
            SelectChoice("all", _l("Everyone")),
            SelectChoice("selected", _l("Selected companies and departments, with everything under them")),
        ],
        default="all",
    )
    departments = SelectMultipleField(_l("Companies and departments"), coerce=int)
    heads_only = BooleanField(_l("Only the heads of departments (people who hold a manager grant), not their staff"))
    first_day = DateField(_l("Shown from (day, Japan time)"), validators=[DataRequired()])
    last_day = DateField(_l("Shown until (last day, empty: until withdrawn)"), validators=[Optional()])
    pinned = BooleanField(_l("Pinned at the top of the home page"))
    requires_ack = BooleanField(_l('Ask everyone to confirm "I have read this" (a second person approves it)'))
    revision = HiddenField(filters=[optional_int])


class StepForm(PortalForm):
    """A step of a notice's life (submit, approve, publish, withdraw): the revision the page showed."""

    revision = HiddenField(filters=[optional_int], validators=[DataRequired()])

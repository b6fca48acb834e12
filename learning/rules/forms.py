from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from learning.rules.services import MAX_TEXT, MAX_TITLE
from learning.web.forms import PortalForm

KIND_CHOICES = [
    SelectChoice("regulation", _l("Internal regulation")),
    SelectChoice("guideline", _l("Guideline")),
    SelectChoice("manual", _l("Manual")),
    SelectChoice("contacts", _l("Contact list")),
]


class DocumentForm(PortalForm):
    slug = StringField(
        _l("Address name (lower-case letters, digits, hyphens)"), validators=[DataRequired(), Length(max=60)]
    )
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=MAX_TITLE)])


class VersionForm(PortalForm):
    effective_on = DateField(_l("Takes effect on (Japan time)"), validators=[DataRequired()])
    changes_ja = TextAreaField(_l("Summary of changes (Japanese)"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    changes_en = TextAreaField(_l("Summary of changes (English)"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    body_ja = TextAreaField(_l("Text in Markdown (Japanese)"), validators=[Optional(), Length(max=MAX_TEXT)])
    body_en = TextAreaField(_l("Text in Markdown (English)"), validators=[Optional(), Length(max=MAX_TEXT)])
    pdf_ja = FileField(_l("Or a PDF (Japanese)"))
    pdf_en = FileField(_l("Or a PDF (English)"))
    needs_acknowledgement = BooleanField(_l("Ask everyone to acknowledge this version"))


class AcknowledgeForm(PortalForm):
    pass

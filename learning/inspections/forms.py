from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from learning.inspections.formats import MAX_GUIDANCE, MAX_TEXT, MAX_TITLE
from learning.web.forms import PortalForm


class NewTemplateForm(PortalForm):
    slug = StringField(_l("Short name (letters, digits, hyphens)"), validators=[DataRequired(), Length(max=60)])
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=MAX_TITLE)])


class HeaderForm(PortalForm):
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    intro_ja = TextAreaField(_l("Introduction (Japanese, Markdown)"), validators=[Length(max=MAX_GUIDANCE)])
    intro_en = TextAreaField(_l("Introduction (English, Markdown)"), validators=[Length(max=MAX_GUIDANCE)])


class ItemForm(PortalForm):
    text_ja = TextAreaField(_l("Item (Japanese)"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    text_en = TextAreaField(_l("Item (English)"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    guidance_ja = TextAreaField(_l("Guidance (Japanese, Markdown)"), validators=[Length(max=MAX_GUIDANCE)])
    guidance_en = TextAreaField(_l("Guidance (English, Markdown)"), validators=[Length(max=MAX_GUIDANCE)])
    evidence = BooleanField(_l("An evidence file (image or PDF) is required"))
    source = StringField(_l("Source (the measure this item comes from)"), validators=[Length(max=MAX_TEXT)])


class SendBackForm(PortalForm):
    comments = TextAreaField(_l("What needs changing"), validators=[DataRequired(), Length(max=MAX_GUIDANCE)])

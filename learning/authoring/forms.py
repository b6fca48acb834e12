"""The trainer's forms: a new module, a draft's metadata and sections, one question, review steps, files."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from learning.courses.formats.spec import MAX_TEXT_BYTES
from learning.web.forms import PortalForm

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TAG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
TAGS_PATTERN = rf"^\s*{TAG}(\s*,\s*{TAG})*\s*$"
TAGS_MESSAGE = _l("Lower-case words with hyphens, separated by commas, such as section-2.")
SLUG_MESSAGE = _l("Lower-case letters, digits and single hyphens, such as conduct-basics.")
TEXT_LIMIT = MAX_TEXT_BYTES // 3  # characters; a Japanese character takes three bytes in the file format


class NewModuleForm(PortalForm):
    slug = StringField(
        _l("Module ID"), validators=[DataRequired(), Length(max=60), Regexp(KEY_PATTERN, message=SLUG_MESSAGE)]
    )
    title_ja = StringField(_l("Title (Japanese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])


class SectionForm(Form):
    title_ja = StringField(_l("Section title (Japanese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Section title (English)"), validators=[Length(max=200)])
    body_ja = TextAreaField(_l("Text (Japanese, Markdown)"), validators=[Length(max=TEXT_LIMIT)])
    body_en = TextAreaField(_l("Text (English, Markdown)"), validators=[Length(max=TEXT_LIMIT)])


class DraftForm(PortalForm):
    revision = HiddenField()
    label = StringField(_l("Edition label"), validators=[DataRequired(), Length(max=40)])
    title_ja = StringField(_l("Title (Japanese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    summary_ja = TextAreaField(_l("Summary (Japanese)"), validators=[Length(max=2000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=2000)])
    # The same ranges as module.yaml, so that every draft exports to a valid module folder.
    minutes = IntegerField(_l("Estimated minutes"), validators=[InputRequired(), NumberRange(1, 240)])
    pass_mark = IntegerField(_l("Pass mark (%)"), validators=[InputRequired(), NumberRange(1, 100)])
    draw = IntegerField(_l("Questions drawn per quiz"), validators=[InputRequired(), NumberRange(1, 100)])
    tags = StringField(
        _l("Topics (tags)"), validators=[Optional(), Length(max=300), Regexp(TAGS_PATTERN, message=TAGS_MESSAGE)]
    )
    sections = FieldList(FormField(SectionForm), max_entries=60)


class ChoiceForm(Form):
    text_ja = StringField(_l("Choice (Japanese)"), validators=[Length(max=1000)])
    text_en = StringField(_l("Choice (English)"), validators=[Length(max=1000)])
    correct = BooleanField(_l("Correct"))
    feedback_ja = StringField(_l("Feedback (Japanese)"), validators=[Length(max=1000)])
    feedback_en = StringField(_l("Feedback (English)"), validators=[Length(max=1000)])


KIND_CHOICES = [
    SelectChoice("single", _l("Single choice")),
    SelectChoice("multiple", _l("Multiple choice")),
    SelectChoice("truefalse", _l("True / false")),
]
CHOICE_ROWS = 6


class QuestionForm(PortalForm):
    revision = HiddenField()
    key = StringField(
        _l("Question ID"), validators=[DataRequired(), Length(max=60), Regexp(KEY_PATTERN, message=SLUG_MESSAGE)]
    )
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="single")
    prompt_ja = TextAreaField(_l("Question (Japanese)"), validators=[Length(max=4000)])
    prompt_en = TextAreaField(_l("Question (English)"), validators=[Length(max=4000)])
    explanation_ja = TextAreaField(_l("Explanation (Japanese)"), validators=[Length(max=4000)])
    explanation_en = TextAreaField(_l("Explanation (English)"), validators=[Length(max=4000)])
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=300), Regexp(TAGS_PATTERN, message=TAGS_MESSAGE)],
    )
    choices = FieldList(FormField(ChoiceForm), min_entries=CHOICE_ROWS, max_entries=CHOICE_ROWS)


class RevisionForm(PortalForm):
    """A button that changes the draft (move, retire, remove): it carries the revision it was shown at."""

    revision = HiddenField()


class SubmitForm(PortalForm):
    revision = HiddenField()
    change_note = TextAreaField(_l("What changed, and why"), validators=[DataRequired(), Length(max=2000)])
    substantive = BooleanField(
        _l("Substantive change: everyone who completed the current edition this fiscal year must study it again")
    )


class ReviewForm(PortalForm):
    comments = TextAreaField(_l("Comments for the authors"), validators=[Length(max=4000)])


class ImageForm(PortalForm):
    revision = HiddenField()
    image = FileField(_l("Image (PNG or JPEG, at most 2 MB)"), validators=[FileRequired()])


class UploadForm(PortalForm):
    archive = FileField(_l("Zipped module folder"), validators=[FileRequired()])


class GiftForm(PortalForm):
    slug = StringField(
        _l("Module ID"), validators=[DataRequired(), Length(max=60), Regexp(KEY_PATTERN, message=SLUG_MESSAGE)]
    )
    language = RadioField(
        _l("Language of the file"),
        choices=[SelectChoice("ja", _l("Japanese")), SelectChoice("en", _l("English"))],
        default="ja",
        validators=[DataRequired()],
    )
    file = FileField(_l("GIFT file"), validators=[FileRequired()])

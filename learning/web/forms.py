"""The base of every form: Flask-WTF's CSRF, plus a form error on any field that holds a control character."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from learning.inputs import CONTROL


class PortalForm(FlaskForm):
    """A field with NUL or another control character gets a form error naming it; what was typed stays in
    the form, each control shown as � (tab and line breaks are text, not controls). Query strings get a
    400 instead (pipeline.py)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in _text_fields(self._fields.values()):
            if CONTROL.search(field.data):
                field.errors = [*field.errors, _("This field contains control characters (such as NUL); remove them.")]
                field.data = CONTROL.sub("\ufffd", field.data)  # shown again with � where each one was
                valid = False
        return valid


def _text_fields(fields):
    """Every field holding text, inside lists (FieldList) and sub-forms (FormField) too."""
    for field in fields:
        if hasattr(field, "entries"):
            yield from _text_fields(field.entries)
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):
            yield from _text_fields(field.form._fields.values())
        elif isinstance(field.data, str):
            yield field

"""The organisation terms form: a Japanese and an English field per term (a text area for a sentence)."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import StringField, TextAreaField

from learning.courses.messages import LANGUAGE
from learning.courses.term_settings import LANGS, limit_of
from learning.courses.terms import TERMS
from learning.web.forms import PortalForm


def field_name(name: str, lang: str) -> str:
    return f"{name}_{lang}"


def terms_form(values: dict[str, dict[str, str]]) -> PortalForm:
    """The form for every term, filled with the words in force; labels in the user's language, each field's
    placeholder the default. Built per request: the labels are translated when the class is made."""

    class TermsForm(PortalForm):
        pass

    for term in TERMS:
        kind = TextAreaField if term.sentence else StringField
        for lang in LANGS:
            label = _("%(term)s (%(language)s)", term=_(term.label), language=_(LANGUAGE[lang]))
            render = {"placeholder": term.default[lang], "maxlength": limit_of(term.name)}
            if term.sentence:
                render["rows"] = 3
            setattr(TermsForm, field_name(term.name, lang), kind(label, render_kw=render))
    data = {field_name(name, lang): words[lang] for name, words in values.items() for lang in LANGS}
    return TermsForm(data=data)


def typed(form) -> dict[str, dict[str, str]]:
    """What was typed, {name: {lang: text}}."""
    return {t.name: {lang: form[field_name(t.name, lang)].data or "" for lang in LANGS} for t in TERMS}

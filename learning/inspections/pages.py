"""Helpers of the inspections pages: load-or-404, an item's guidance as safe HTML, the status label."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext

from learning.courses.rendering import markdown_html
from learning.i18n import current_locale, pick
from learning.inspections.messages import STATUS_LABELS
from learning.inspections.models import InspectionTemplate, InspectionVersion
from learning.web import db


def version_or_404(version_id: int) -> InspectionVersion:
    version = db().get(InspectionVersion, version_id)
    if version is None:
        abort(404)
    return version


def template_or_404(template_id: int) -> InspectionTemplate:
    template = db().get(InspectionTemplate, template_id)
    if template is None:
        abort(404)
    return template


def guidance_html(texts: dict[str, str]) -> str:
    """Markdown in the reader's language (the other where it is empty) as sanitised HTML (shown `| safe`, as a
    module's sections are), the organisation terms substituted."""
    locale = current_locale()
    text = pick(texts, locale)
    return markdown_html(text, locale, "") if text else ""


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[status])

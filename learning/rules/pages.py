"""Helpers for the rules library's views: load-or-404, a version's text as HTML, refusals in the reader's
language, the PDF response with its safe headers."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.authz import Permission
from learning.courses.markdown import render_document
from learning.courses.rendering import request_terms
from learning.courses.terms import substitute
from learning.i18n import current_locale, pick
from learning.rules import services
from learning.rules.messages import LANGUAGE_NAMES
from learning.rules.models import RuleDocument, RuleVersion
from learning.web import db, refuse

# A PDF is handed over as a file to save, never run in the portal's origin: no script, no plugin, no frame.
PDF_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def today():
    return clock.tokyo_date(clock.now())


def manages() -> bool:
    return current_user.is_authenticated and current_user.can(Permission.RULES_MANAGE)


def document_or_404(slug: str) -> RuleDocument:
    document = services.by_slug(db(), slug)
    if document is None:
        abort(404)
    return document


def version_or_404(document: RuleDocument, number: int) -> RuleVersion:
    """A version by number; one not yet in force only for the library's managers (to others it does not exist)."""
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or (version.effective_on > today() and not manages()):
        abort(404)
    return version


def version_html(version: RuleVersion) -> str:
    """A Markdown version's text in the reader's language (Japanese where one is missing), as safe HTML with
    the organisation terms substituted and each heading's stable id."""
    locale = current_locale()
    return render_document(substitute(pick(version.bodies, locale), locale, request_terms()))


def refused(error: services.RulesError) -> str:
    """The refusal in the reader's language, the file's language named in it too."""
    if "language" in error.params:
        error.params["language"] = _(LANGUAGE_NAMES[error.params["language"]])
    return refuse(error)


def pdf_response(document: RuleDocument, version: RuleVersion, language: str, data: bytes) -> Response:
    ascii_name = f"{document.slug}-v{version.number}-{language}.pdf"
    title = f"{document.titles[language]} v{version.number}.pdf"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title, safe='')}"
    response = Response(data, content_type="application/pdf")
    response.headers["Content-Disposition"] = disposition
    response.headers["Content-Security-Policy"] = PDF_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Length"] = str(len(data))
    return response


def pdf_limit_bytes(settings) -> int:
    return settings.rules_pdf_max_mb * 1024 * 1024

"""The rules library as everyone reads it: the list, a document's version in force, its history, a PDF."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning.authz import Permission, requires
from learning.rules import services
from learning.rules.forms import AcknowledgeForm
from learning.rules.messages import KIND_LABELS
from learning.rules.models import KINDS, RuleVersion
from learning.rules.pages import document_or_404, manages, pdf_response, refused, today, version_html, version_or_404
from learning.web import db

bp = Blueprint("rules", __name__, template_folder="../templates")


@bp.route("/rules")
@requires(Permission.LEARN)
def index():
    shown = services.library(db(), today())
    groups = [(kind, [(d, v) for d, v in shown if d.kind == kind]) for kind in KINDS]
    return render_template(
        "rules/index.html", groups=[(KIND_LABELS[k], rows) for k, rows in groups if rows], manages=manages()
    )


@bp.route("/rules/<slug>")
@requires(Permission.LEARN)
def document(slug: str):
    document = document_or_404(slug)
    version = services.in_force(document, today())
    if version is None and not manages():
        abort(404)
    return _show(document, version)


@bp.route("/rules/<slug>/v/<int:number>")
@requires(Permission.LEARN)
def version(slug: str, number: int):
    document = document_or_404(slug)
    return _show(document, version_or_404(document, number))


def _show(document, version):
    day = today()
    services.record_view(db(), document.id, day)
    current = services.in_force(document, day)
    history = [v for v in reversed(document.versions) if v.effective_on <= day or manages()]
    acknowledged = version is not None and services.acknowledged(db(), version.id, current_user.id)
    return render_template(
        "rules/document.html",
        document=document,
        version=version,
        current=current,
        history=history,
        today=day,
        html=version_html(version) if version is not None and version.format == "markdown" else None,
        acknowledged=acknowledged,
        ack_form=AcknowledgeForm(),
        manages=manages(),
    )


@bp.route("/rules/<slug>/v/<int:number>/<any(ja, en):language>.pdf")
@requires(Permission.LEARN)
def pdf(slug: str, number: int, language: str):
    document = document_or_404(slug)
    version = version_or_404(document, number)
    if version.format != "pdf":
        abort(404)
    column = RuleVersion.pdf_ja if language == "ja" else RuleVersion.pdf_en
    data = db().scalar(select(column).where(RuleVersion.id == version.id))
    services.record_view(db(), document.id, today())
    return pdf_response(document, version, language, data)


@bp.route("/rules/<slug>/v/<int:number>/acknowledge", methods=["POST"])
@requires(Permission.LEARN)
def acknowledge(slug: str, number: int):
    document = document_or_404(slug)
    version = version_or_404(document, number)
    if AcknowledgeForm().validate_on_submit():
        try:
            services.acknowledge(db(), version, current_user.id, today())
        except services.RulesError as error:
            flash(refused(error), "error")
        else:
            flash(_("Thank you: your acknowledgement of version %(n)d has been recorded.", n=version.number), "success")
    return redirect(url_for(".document", slug=document.slug))

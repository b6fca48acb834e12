"""What the report pages share: loading a campaign, putting each view and export on the audit trail, refusing
a department out of scope, the completion table's headers, rates and rounding, and a table as a CSV or XLSX
download. A helper module, not a view module."""

from __future__ import annotations

from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user

from learning.audit.services import Entry, record
from learning.campaigns.models import Campaign
from learning.reports.exports import to_csv, to_xlsx
from learning.web import db, security_event


def get_campaign(campaign_id: int) -> Campaign:
    """A campaign that has started (a draft has no report): 404 otherwise."""
    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.status == "draft":
        abort(404)
    return campaign


def audit(target, details: dict) -> None:
    """Every report view and export goes on the audit trail (committed now, whatever follows)."""
    exported = details.get("format", "html") != "html"
    record(
        db(),
        "report_exported" if exported else "report_viewed",
        actor_id=current_user.id,
        target=target,
        details=details,
    )


def denied(what: str, target):
    """A report outside the reader's scope: a security event that stands, and 403."""
    security_event(Entry("authz_fail", current_user.id, target=target, outcome="failure", details={"report": what}))
    abort(403)


def completion_headers() -> list[str]:
    return [
        _("Code"),
        _("Level"),
        _("Department"),
        _("Assigned"),
        _("Completed"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("Exempt"),
        _("Completion rate"),
        _("On-time rate"),
    ]


def rate(value) -> float | None:
    """A share (0 to 1) as a percentage with one decimal; None stays None."""
    return None if value is None else round(100 * value, 1)


def rounded(value, digits: int):
    return None if value is None else round(value, digits)


def download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_download(
    fmt: str, title: str, header: list[str], table: list[list], name: str, preamble: list[list] = ()
) -> Response:
    """One table as a CSV or XLSX download; `preamble` rows (what it covers, as of when) come first."""
    if fmt == "csv":
        return download(to_csv(header, table, preamble), f"{name}.csv", "text/csv; charset=utf-8")
    return download(
        to_xlsx(title, header, table, preamble),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

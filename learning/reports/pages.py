"""What the report pages share: loading a campaign, putting each view and export on the audit trail, refusing
a department out of scope, the heading of every export and print view (title, scope, as of, produced by), the
filter by employment read from the request, and a table as a CSV or XLSX download (a PDF too). A helper module,
not a view module."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from flask import Response, abort, g, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department, User
from learning.accounts.pages import label
from learning.audit.services import Entry, record_at_commit, record_many
from learning.authz import Permission
from learning.campaigns.models import Campaign
from learning.i18n import pick
from learning.reports import access, messages, records, services
from learning.reports.employment import EMPLOYMENT_FILTERS, OWN_STAFF
from learning.reports.exports import Table, csv_pieces, file_name, write_xlsx
from learning.training.models import Assignment
from learning.web import db, security_event

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv; charset=utf-8"  # the charset once, as content_type (mimetype= would add a second)


def get_campaign(campaign_id: int) -> Campaign:
    """A campaign that has started (a draft has no report): 404 otherwise."""
    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.status == "draft":
        abort(404)
    return campaign


def audit(target, details: dict, *, at_once: bool = False) -> None:
    """Every report view and export goes on the audit trail, with the request's commit: after the report was
    read, so that audited writes elsewhere (sign-ins, quiz results) never wait for a report's computation.
    `at_once` writes it now, for a view that reads the trail's head after it."""
    exported = details.get("format", "html") != "html"
    entry = Entry("report_exported" if exported else "report_viewed", current_user.id, target=target, details=details)
    if at_once:
        record_many(db(), [entry])
    else:
        record_at_commit(db(), entry)


def denied(what: str, target):
    """A report outside the reader's scope: a security event that stands, and 403."""
    security_event(Entry("authz_fail", current_user.id, target=target, outcome="failure", details={"report": what}))
    abort(403)


def certificate_in_scope(assignment_id: int, **details) -> tuple:
    """A completed assignment and its person, for a reader in scope (else 404 or a recorded refusal), the view
    audited with `details`: the certificate's page and its PDF read it the same way."""
    assignment = db().get(Assignment, assignment_id)
    if assignment is None or assignment.status != "completed":
        abort(404)
    person = db().get(User, assignment.user_id)
    if not records.may_read(services.scope_of(db(), current_user), current_user.id, person):
        denied("certificate", ("assignment", assignment.id))
    audit(("assignment", assignment.id), {"report": "certificate", "user_id": person.id, **details})
    return assignment, person


def person_url(person=None, *, user_id=None, department_id=None, employee_no=None) -> str | None:
    """A name in a report links to the person's training history where the reader may open it (their own, or
    someone now in the reader's scope, as records.may_read decides); None: the name is shown without a link.
    Takes a User, or its id, current department and employee number (Jinja global)."""
    if person is not None:
        user_id, department_id, employee_no = person.id, person.department_id, person.employee_no
    if not current_user.can(Permission.REPORTS_VIEW):
        return None
    if "reader_scope" not in g:
        g.reader_scope = services.scope_of(db(), current_user)
    if user_id != current_user.id and (department_id is None or not g.reader_scope.allows(department_id)):
        return None
    if employee_no:
        return url_for("records.history", employee_no=employee_no)
    return url_for("records.history", user_id=user_id)


def jst(label: str) -> str:
    """The header of a column of times: the zone named (a spreadsheet cell holds no zone)."""
    return _("%(what)s (JST)", what=label)


def as_of():
    """The moment the request's page or file is as of: one for the whole request (heading and file name)."""
    if "as_of" not in g:
        g.as_of = clock.now()
    return g.as_of


def heading(title: str, *scope: tuple[str, str]) -> list[list[str]]:
    """The lines that head every export and print view: what, which part of it, as of when, by whom."""
    moment = as_of().astimezone(clock.TOKYO)
    return [
        [title],
        *([label, value] for label, value in scope),
        [_(messages.HEADING_AS_OF), f"{moment:%Y-%m-%d %H:%M} JST"],
        [_(messages.HEADING_BY), access.person(current_user)],
    ]


def campaign_scope(campaign: Campaign) -> tuple[str, str]:
    return _("Campaign"), f"{pick(campaign.names)} ({campaign.opens_on.isoformat()} – {campaign.due_on.isoformat()})"


def departments_scope(roots: set[int] | None) -> tuple[str, str]:
    """The departments a report covers: the whole organisation, or the reader's subtrees by name and code."""
    if roots is None:
        return _("Departments"), _("The whole organisation")
    found = db().scalars(select(Department).where(Department.id.in_(roots or {-1})).order_by(Department.code))
    named = ", ".join(f"{pick(d.names)} ({d.code})" for d in found)
    return _("Departments"), _("%(departments)s and every department under them", departments=named or "—")


def employment_filter() -> str | None:
    """The `employment` query argument, from the allowlist (own staff, or a kind of employment; anything else:
    everyone)."""
    value = request.args.get("employment")
    return value if value in EMPLOYMENT_FILTERS else None


def employment_label(employment: str) -> str:
    """What a person reads for a filter by employment: its label, never the code (Jinja global)."""
    if employment == OWN_STAFF:
        return _("Own staff (not contractors' staff)")
    return label(employment, "employment_type")


def employment_scope(employment: str | None) -> list[tuple[str, str]]:
    """The heading line of a list filtered by kind of employment (its label, never the code); none unfiltered."""
    return [(_("Employment type"), employment_label(employment))] if employment else []


def employment_in_name(employment: str | None) -> list[str]:
    """The part of a file name that says which people it holds: none for everyone, else `own` or the kind."""
    return [employment.replace("_", "-")] if employment else []


def roots_in_name(roots: set[int] | None) -> list[str]:
    """The part of a file name that says whose departments it covers: `all`, or the subtrees' codes."""
    if roots is None:
        return ["all"]
    codes = db().scalars(select(Department.code).where(Department.id.in_(roots or {-1})).order_by(Department.code))
    return ["_".join(codes)]


def table_download(fmt: str, table: Table, what: str, *scope: object) -> Response:
    """A table as a CSV or XLSX download named `<what>-<scope>-<YYYYMMDD>` (the day in Japan), sent in pieces
    once the request has committed (so rows that a generator reads in sessions of its own see its audit
    record's transaction finished)."""
    name = file_name(what, scope, as_of(), fmt)
    if fmt == "csv":
        response = Response(stream_with_context(csv_pieces(table)), content_type=CSV_TYPE)
    else:
        response = Response(
            stream_with_context(spooled(lambda target: write_xlsx(target, table))), content_type=XLSX_TYPE
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def pdf_download(write: Callable[[BinaryIO], None], what: str, *scope: object) -> Response:
    """A PDF that `write` writes, as a download named as `table_download` names its files."""
    response = Response(stream_with_context(spooled(write)), content_type=PDF_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(what, scope, as_of(), "pdf")}"'
    return response


def spooled(write: Callable[[BinaryIO], None]) -> Iterator[bytes]:
    """What `write` writes (a workbook, a PDF, a zip) to a temporary file, then sent from it in pieces."""
    with tempfile.TemporaryFile() as spool:
        write(spool)
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece

"""Inspection rounds' pages: compliance sets a round up; a department's head (or deputy) answers, saves and
comes back, submits; the second line accepts or returns it and verifies findings; the findings list with
their age. Internal audit and compliance read every page; everyone else sees their scope only (the
service's `readable`)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department, User
from learning.authz import Permission, requires
from learning.inspections import rounds, services
from learning.inspections.messages import ANSWER_LABELS, FINDING_STATUS_LABELS, FREQUENCY_LABELS
from learning.inspections.models import FREQUENCIES, InspectionFinding, InspectionRound, InspectionVersion
from learning.inspections.pages import guidance_html
from learning.web import accepts_upload, app_settings, creates_once, db, explain, refuse

bp = Blueprint("inspection_rounds", __name__, template_folder="../templates")
FORM_MARGIN = 256 * 1024


def _evidence_max() -> int:
    return app_settings().inspection_evidence_max_kb * 1024


def _upload_limit() -> int:
    """Every evidence item's file at the limit (and a little over, to be refused by name) and the form."""
    return 4 * (_evidence_max() + 64 * 1024) + FORM_MARGIN


def _departments(ids) -> dict[int, Department]:
    ids = set(ids)
    return {d.id: d for d in db().scalars(select(Department).where(Department.id.in_(ids or {0})))}


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db().execute(select(User.id, User.name).where(User.id.in_(ids or {0}))).all())


@bp.app_template_global()
def finding_status(status: str) -> str:
    return _(FINDING_STATUS_LABELS[status])


@bp.route("/admin/inspections/rounds", methods=["POST"])
@requires(Permission.INSPECTIONS_MANAGE)
@creates_once()
def round_create():
    session = db()
    try:
        starts_on = date.fromisoformat(request.form.get("starts_on", ""))
    except ValueError:
        flash(_("Give the first day as a date (YYYY-MM-DD)."), "error")
        return redirect(url_for(".round_list"))
    version_id, due_days = request.form.get("version_id", ""), request.form.get("due_days", "")
    try:
        rounds.create_round(
            session,
            int(version_id) if version_id.isdigit() else 0,
            [int(d) for d in request.form.getlist("departments") if d.isdigit()][:1000],
            request.form.get("frequency", ""),
            int(due_days) if due_days.isdigit() and len(due_days) < 5 else 0,
            starts_on,
            current_user.id,
        )
        rounds.open_periods(session)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
        return redirect(url_for(".round_list"))
    flash(_("The round is set up; this period's inspections are open."), "success")
    return redirect(url_for(".round_list"), 303)


@bp.route("/admin/inspections/rounds")
@requires(Permission.INSPECTIONS_READ)
def round_list():
    session = db()
    all_rounds = list(session.scalars(select(InspectionRound).order_by(InspectionRound.id.desc())))
    departments = list(
        session.scalars(select(Department).where(Department.status == "active").order_by(Department.code))
    )
    published = list(session.scalars(select(InspectionVersion).where(InspectionVersion.status == "published")))
    return render_template(
        "inspections/rounds.html",
        rounds=all_rounds,
        departments=departments,
        by_id={d.id: d for d in departments} | _departments(d.department_id for r in all_rounds for d in r.departments),
        published=published,
        frequencies=[(f, _(FREQUENCY_LABELS[f])) for f in FREQUENCIES],
        today=clock.tokyo_date(clock.now()),
    )


@bp.route("/inspections")
@requires(Permission.INSPECTIONS_FOLLOW)
def my_inspections():
    session = db()
    scope = rounds.readable(session, current_user)
    inspections = rounds.inspections_in(session, scope)
    findings = rounds.findings_in(session, scope, open_only=True)
    counts: dict[int, int] = {}
    for finding in findings:
        counts[finding.response_id] = counts.get(finding.response_id, 0) + 1
    return render_template(
        "inspections/mine.html",
        inspections=inspections,
        departments=_departments(i.department_id for i in inspections),
        answerable=rounds.answerable_departments(session, current_user.id),
        reviewable=rounds.reviewable_departments(session, current_user.id),
        open_findings=counts,
        today=clock.tokyo_date(clock.now()),
    )


def _readable_or_404(response_id: int):
    try:
        response = rounds.inspection(db(), response_id)
    except services.InspectionError:
        abort(404)
    scope = rounds.readable(db(), current_user)
    if scope is not None and response.department_id not in scope:
        abort(404)
    return response


@bp.route("/inspections/<int:response_id>", methods=["GET", "POST"])
@requires(Permission.INSPECTIONS_ANSWER)
@accepts_upload(_upload_limit)
def answer(response_id: int):
    session = db()
    response = _readable_or_404(response_id)
    if request.method == "POST":
        inputs = []
        for item in response.version.items:
            upload = request.files.get(f"evidence-{item.id}")
            data = upload.read() if upload and upload.filename else None
            inputs.append(
                rounds.AnswerInput(
                    item.id,
                    request.form.get(f"answer-{item.id}") or None,
                    request.form.get(f"comment-{item.id}", ""),
                    upload.filename if data is not None else None,
                    data,
                )
            )
        try:
            errors = rounds.save_answers(session, response.id, inputs, current_user.id, _evidence_max())
        except services.InspectionError as exc:
            flash(refuse(exc), "error")
            return redirect(url_for(".answer", response_id=response.id))
        positions = {item.id: item.position for item in response.version.items}
        for item_id, error in sorted(errors.items(), key=lambda e: positions[e[0]]):
            flash(_("Item %(n)d: %(reason)s", n=positions[item_id], reason=explain(error)), "error")
        if request.form.get("action") == "submit" and not errors:
            try:
                rounds.submit(session, response.id, current_user.id)
            except services.InspectionError as exc:
                flash(explain(exc), "error")  # the answers just saved are kept
            else:
                flash(_("Submitted. The business-management office will review it."), "success")
        elif not errors:
            flash(_("Saved. You can come back and go on later."), "success")
        return redirect(url_for(".answer", response_id=response.id))
    editable = response.status == "open" and response.department_id in rounds.answerable_departments(
        session, current_user.id
    )
    findings = list(session.scalars(select(InspectionFinding).where(InspectionFinding.response_id == response.id)))
    return render_template(
        "inspections/answer.html",
        inspection=response,
        department=session.get(Department, response.department_id),
        answers=rounds.answers_of(session, response.id),
        editable=editable,
        reviewable=response.status == "submitted"
        and response.accepted_at is None
        and response.department_id in rounds.reviewable_departments(session, current_user.id),
        findings=findings,
        names=_names([response.responder_id, response.reviewed_by_id, *(f.owner_id for f in findings)]),
        answer_labels=[(k, _(v)) for k, v in ANSWER_LABELS.items()],
        guidance=guidance_html,
        max_kb=app_settings().inspection_evidence_max_kb,
    )


@bp.route("/inspections/<int:response_id>/evidence/<int:item_id>")
@requires(Permission.INSPECTIONS_FOLLOW)
def evidence(response_id: int, item_id: int):
    response = _readable_or_404(response_id)
    answer = rounds.answers_of(db(), response.id).get(item_id)
    if answer is None or answer.evidence is None:
        abort(404)
    return (
        answer.evidence,
        200,
        {
            "Content-Type": answer.evidence_type,
            "Content-Disposition": "attachment",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


@bp.route("/inspections/<int:response_id>/review", methods=["POST"])
@requires(Permission.INSPECTIONS_REVIEW)
def review(response_id: int):
    response = _readable_or_404(response_id)
    accept = request.form.get("decision") == "accept"
    try:
        rounds.review(db(), response.id, current_user.id, accept, request.form.get("comments", ""))
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
    else:
        flash(_("Accepted.") if accept else _("Returned to the department with your comments."), "success")
    return redirect(url_for(".answer", response_id=response.id))


@bp.route("/inspections/findings")
@requires(Permission.INSPECTIONS_FOLLOW)
def findings():
    return _findings_page()


def _findings_page(errors: dict | None = None, typed: dict | None = None, status: int = 200):
    session = db()
    scope = rounds.readable(session, current_user)
    rows = rounds.findings_in(session, scope, open_only=request.args.get("all") != "1")
    today = clock.tokyo_date(clock.now())
    return render_template(
        "inspections/findings.html",
        findings=rows,
        departments=_departments(f.department_id for f in rows),
        names=_names(f.owner_id for f in rows),
        answerable=rounds.answerable_departments(session, current_user.id),
        reviewable=rounds.reviewable_departments(session, current_user.id),
        ages={f.id: (today - clock.tokyo_date(f.created_at)).days for f in rows},
        today=today,
        statuses=[(s, _(FINDING_STATUS_LABELS[s])) for s in ("open", "in_progress", "done")],
        show_all=request.args.get("all") == "1",
        errors=errors or {},
        typed=typed or {},
    ), status


@bp.route("/inspections/findings/<int:finding_id>", methods=["POST"])
@requires(Permission.INSPECTIONS_ANSWER)
def update_finding(finding_id: int):
    due_on = None
    if request.form.get("due_on"):
        try:
            due_on = date.fromisoformat(request.form["due_on"])
        except ValueError:
            flash(_("Give the due date as a date (YYYY-MM-DD)."), "error")
            return redirect(url_for(".findings") + f"#finding-{finding_id}")
    try:
        rounds.update_finding(
            db(),
            finding_id,
            current_user.id,
            request.form.get("status", ""),
            request.form.get("corrective_action", ""),
            due_on,
        )
    except services.InspectionError as exc:
        message = refuse(exc)
        if exc.field:  # a form error beside the field, what was typed kept
            return _findings_page({finding_id: message}, dict(request.form), 400)
        flash(message, "error")
    else:
        flash(_("The finding is updated."), "success")
    return redirect(url_for(".findings") + f"#finding-{finding_id}")


@bp.route("/inspections/findings/<int:finding_id>/verify", methods=["POST"])
@requires(Permission.INSPECTIONS_REVIEW)
def verify_finding(finding_id: int):
    try:
        rounds.verify_finding(db(), finding_id, current_user.id)
    except services.InspectionError as exc:
        flash(refuse(exc), "error")
    else:
        flash(_("The finding is verified and closed."), "success")
    return redirect(url_for(".findings") + f"#finding-{finding_id}")

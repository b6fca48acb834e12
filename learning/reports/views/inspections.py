"""Self-inspection reports: a round's completion by department for a period, its findings by item, status and
age, the trend across its periods, and the open findings; CSV and XLSX through the one writer, headed with
scope and as-of. Scoped as the training reports are, with the second line's subtrees (services.scope_of);
every view and export audited."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning import clock
from learning.authz import Permission, Role, requires
from learning.courses.rendering import request_terms
from learning.i18n import current_locale, pick
from learning.inspections import rounds as inspection_rounds
from learning.inspections.messages import FINDING_STATUS_LABELS, FREQUENCY_LABELS
from learning.inspections.models import InspectionRound
from learning.reports import inspections, messages, rendering, services, tables
from learning.reports.pages import audit, departments_scope, heading, roots_in_name, table_download
from learning.web import db

bp = Blueprint("inspection_reports", __name__, template_folder="../templates")
bp.after_request(rendering.allow_chart_styles)
bp.context_processor(rendering.chart_words)
SCOPED_BY = (Role.MANAGER, Role.BUSINESS_OFFICE)  # heads their subtrees, the second line its subtrees


@bp.context_processor
def _labels():
    return {
        "state_labels": messages.INSPECTION_STATES,
        "age_labels": messages.AGE_BAND_LABELS,
        "status_labels": FINDING_STATUS_LABELS,
    }


def _scope() -> services.Scope:
    return services.scope_of(db(), current_user, SCOPED_BY)


def _today() -> date:
    return clock.tokyo_date(clock.now())


def _round(round_id: int, scope: services.Scope) -> tuple[InspectionRound, list[date]]:
    """The round and its periods in the reader's scope; 404 when it has none there (or does not exist)."""
    found = db().get(InspectionRound, round_id)
    if found is None:
        abort(404)
    periods = inspections.periods(db(), found.id, scope)
    if not periods:
        abort(404)
    return found, periods


def _period(periods: list[date], *, every: bool = False) -> date | None:
    """The period asked for (its first day), else the latest; `every`: no period means every period."""
    asked = request.args.get("period", "")
    if not asked:
        return None if every else periods[0]
    try:
        chosen = date.fromisoformat(asked)
    except ValueError:
        chosen = None
    if chosen not in periods:
        if request.view_args.get("fmt", "html") == "html":
            flash(_("Period: choose one of the listed periods; the latest is shown."), "error")
        return periods[0]
    return chosen


def _round_name(found: InspectionRound) -> str:
    return _(
        "%(title)s v%(version)d, %(frequency)s from %(day)s",
        title=pick(found.version.titles),
        version=found.version.version,
        frequency=_(FREQUENCY_LABELS[found.frequency]),
        day=found.starts_on.isoformat(),
    )


def period_name(found: InspectionRound, start: date | None) -> str:
    if start is None:
        return _("Every period")
    _start, following = inspection_rounds.period_of(start, found.frequency)
    return f"{start.isoformat()} – {date.fromordinal(following.toordinal() - 1).isoformat()}"


def _heading(title: str, found: InspectionRound, start: date | None, scope: services.Scope, *more):
    return heading(
        title,
        (_("Round"), _round_name(found)),
        (_("Period"), period_name(found, start)),
        departments_scope(scope.roots),
        *more,
    )


def _period_in_name(start: date | None) -> str:
    return start.strftime("%Y%m%d") if start else "all"


@bp.route("/reports/inspections")
@requires(Permission.INSPECTION_REPORTS)
def index():
    scope = _scope()
    found = inspections.rounds_in_scope(db(), scope)
    audit(None, {"report": "inspection_rounds", "format": "html"})
    return render_template(
        "reports/inspections_index.html", rounds=found, frequencies=FREQUENCY_LABELS, round_name=_round_name
    )


@bp.route("/reports/inspections/rounds/<int:round_id>")
@bp.route("/reports/inspections/rounds/<int:round_id>.<any(csv, xlsx):fmt>")
@requires(Permission.INSPECTION_REPORTS)
def completion(round_id: int, fmt: str = "html"):
    scope = _scope()
    found, periods = _round(round_id, scope)
    start = _period(periods)
    rows = inspections.completion(db(), found.id, start, scope, _today(), current_locale())
    audit(
        ("inspection_round", found.id),
        {"report": "inspection_completion", "period": start.isoformat(), "format": fmt},
    )
    lines = _heading(_("Self-inspection completion by department"), found, start, scope)
    if fmt != "html":
        table = tables.inspection_completion(rows, _, lines)
        name = (f"round{found.id}", _period_in_name(start), *roots_in_name(scope.roots))
        return table_download(fmt, table, "inspection-completion", *name)
    return render_template(
        "reports/inspections_completion.html",
        inspection_round=found,
        periods=periods,
        period=start,
        period_name=period_name,
        rows=rows,
        total=inspections.scope_total(rows),
        heading=lines,
        round_name=_round_name(found),
    )


@bp.route("/reports/inspections/rounds/<int:round_id>/findings")
@bp.route("/reports/inspections/rounds/<int:round_id>/findings.<any(csv, xlsx):fmt>")
@requires(Permission.INSPECTION_REPORTS)
def findings(round_id: int, fmt: str = "html"):
    scope = _scope()
    found, periods = _round(round_id, scope)
    start = _period(periods, every=True)
    figures = inspections.finding_figures(db(), found, start, scope, _today())
    audit(
        ("inspection_round", found.id),
        {"report": "inspection_findings", "period": start.isoformat() if start else None, "format": fmt},
    )
    lines = _heading(_("Self-inspection findings"), found, start, scope)
    if fmt != "html":
        table = tables.inspection_findings(figures, current_locale(), _, lines, request_terms())
        name = (f"round{found.id}", _period_in_name(start), *roots_in_name(scope.roots))
        return table_download(fmt, table, "inspection-findings", *name)
    return render_template(
        "reports/inspections_findings.html",
        inspection_round=found,
        periods=periods,
        period=start,
        period_name=period_name,
        figures=figures,
        bands=inspections.AGE_BANDS,
        heading=lines,
        round_name=_round_name(found),
    )


@bp.route("/reports/inspections/rounds/<int:round_id>/trend")
@requires(Permission.INSPECTION_REPORTS)
def trend(round_id: int):
    scope = _scope()
    found, _periods = _round(round_id, scope)
    today = _today()
    points = inspections.trend(db(), found.id, scope, today)
    audit(("inspection_round", found.id), {"report": "inspection_trend", "format": "html"})
    running = [p.running(today) for p in points]
    chart = rendering.inspection_trend_chart(
        [p.period_start for p in points],
        found.frequency,
        [p.counts.completion_rate for p in points],
        [p.findings for p in points],
        running,
    )
    return render_template(
        "reports/inspections_trend.html",
        inspection_round=found,
        points=points,
        running=running,
        chart=chart,
        period_name=period_name,
        heading=_heading(_("Self-inspections across periods"), found, None, scope),
        round_name=_round_name(found),
    )


@bp.route("/reports/inspections/findings")
@bp.route("/reports/inspections/findings.<any(csv, xlsx):fmt>")
@requires(Permission.INSPECTION_REPORTS)
def open_findings(fmt: str = "html"):
    scope = _scope()
    asked_round = request.args.get("round", "")
    found = db().get(InspectionRound, int(asked_round)) if asked_round.isdigit() and len(asked_round) < 10 else None
    asked_page = request.args.get("page", "1")
    page = int(asked_page) if asked_page.isdigit() and len(asked_page) < 7 else 1
    today = _today()
    shown_page = max(page, 1) if fmt == "html" else None
    rows, counted = inspections.open_findings(db(), scope, today, found.id if found else None, shown_page)
    pages = max(1, -(-counted // inspections.PAGE_SIZE))
    if fmt == "html" and shown_page > pages:
        shown_page = pages
        rows, counted = inspections.open_findings(db(), scope, today, found.id if found else None, shown_page)
    audit(
        ("inspection_round", found.id) if found else None,
        {"report": "inspection_open_findings", "format": fmt, **({"page": shown_page} if shown_page else {})},
    )
    lines = heading(
        _("Open self-inspection findings"),
        (_("Round"), _round_name(found) if found else _("Every round")),
        departments_scope(scope.roots),
        (_("Findings"), _("Not verified yet, the earliest due first")),
    )
    if fmt != "html":
        table = tables.open_findings(rows, current_locale(), _, lines, request_terms())
        name = (f"round{found.id}" if found else "all-rounds", *roots_in_name(scope.roots))
        return table_download(fmt, table, "inspection-open-findings", *name)
    readable = inspection_rounds.readable(db(), current_user)

    def link(finding) -> str | None:
        """The finding on the follow-up page, where the reader may open it."""
        if readable is not None and finding.department_id not in readable:
            return None
        return url_for("inspection_rounds.findings") + f"#finding-{finding.id}"

    return render_template(
        "reports/inspections_open_findings.html",
        rows=rows,
        counted=counted,
        page=shown_page,
        pages=pages,
        inspection_round=found,
        rounds=inspections.rounds_in_scope(db(), scope),
        link=link,
        heading=lines,
        round_name=_round_name,
    )

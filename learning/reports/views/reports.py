"""Department completion reports: scoped in the query, audited on every view and export."""

from datetime import date
from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department
from learning.audit.services import Entry, record
from learning.authz import Permission, public, requires
from learning.campaigns.models import Campaign
from learning.campaigns.periods import tokyo_date
from learning.courses.models import Edition
from learning.i18n import current_locale, pick
from learning.reports import charts, services
from learning.reports.completion import SORT_KEYS, organisation_total
from learning.reports.comprehension import MIN_GROUP
from learning.reports.exports import to_csv, to_xlsx
from learning.web import db, security_event

bp = Blueprint("reports", __name__, template_folder="../templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FORMATS = ("html", "csv", "xlsx", "json", "print")


@bp.route("/vendor/plotly.min.js")
@public
def plotly_js():
    """plotly.js from the installed package: served by the app itself, no CDN in a closed intranet."""
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)


@bp.after_request
def _allow_chart_styles(response):
    # plotly.js writes style attributes as it draws; scripts stay 'self' only.
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
    return response


def _campaign(campaign_id: int) -> Campaign:
    campaign = db().get(Campaign, campaign_id)
    if campaign is None or campaign.status == "draft":
        abort(404)
    return campaign


def _audit(target, details: dict) -> None:
    """Every report view and export goes on the audit trail (committed now, whatever follows)."""
    exported = details.get("format", "html") != "html"
    record(
        db(),
        "report_exported" if exported else "report_viewed",
        actor_id=current_user.id,
        target=target,
        details=details,
    )


def _denied(what: str, target):
    security_event(Entry("authz_fail", current_user.id, target=target, outcome="failure", details={"report": what}))
    abort(403)


@bp.route("/reports")
@requires(Permission.REPORTS_VIEW)
def index():
    return render_template("reports/index.html", campaigns=services.campaigns(db()))


HEADER_KEYS = (
    "code",
    "department",
    "assigned",
    "completed",
    "in_progress",
    "not_started",
    "overdue",
    "exempt",
    "completion_rate",
    "on_time_rate",
)


def _headers() -> list[str]:
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


def _rate(value) -> float | None:
    return None if value is None else round(100 * value, 1)


@bp.route("/reports/campaigns/<int:campaign_id>")
@bp.route("/reports/campaigns/<int:campaign_id>.<any(csv, xlsx, json):fmt>")
@requires(Permission.REPORTS_VIEW)
def campaign(campaign_id: int, fmt: str = "html"):
    found = _campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    sort = request.args.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"  # sort keys come from an allowlist; anything else is ignored
    descending = request.args.get("dir") == "desc"
    rows = services.department_report(db(), found.id, scope, current_locale(), sort, descending)
    _audit(("campaign", found.id), {"report": "department_completion", "format": fmt})
    # The tree level is a column of its own: an indented name would also hide a formula from safe().
    table = [
        [
            r.code,
            r.depth + 1,
            r.name,
            r.total.assigned,
            r.total.completed,
            r.total.in_progress,
            r.total.not_started,
            r.total.overdue,
            r.total.exempt,
            _rate(r.total.completion_rate),
            _rate(r.total.on_time_rate),
        ]
        for r in rows
    ]
    filename = f"completion-{found.id}-{date.today().isoformat()}"
    if fmt in ("csv", "xlsx"):
        return _table(fmt, _("Completion"), _headers(), table, filename)
    if fmt == "json":
        return jsonify(
            campaign={"id": found.id, "name": pick(found.names)},
            departments=[
                {
                    "id": r.id,
                    "code": r.code,
                    "name": r.name,
                    "parent_id": r.parent_id,
                    "depth": r.depth,
                    **{
                        k: getattr(r.total, k)
                        for k in ("assigned", "completed", "in_progress", "not_started", "overdue", "exempt")
                    },
                    "completion_rate": r.total.completion_rate,
                    "on_time_rate": r.total.on_time_rate,
                }
                for r in rows
            ],
        )
    chart = charts.completion_bar(rows, _("Completion by department"))
    total = organisation_total(rows)
    days, shares = services.completion_curve(db(), found, scope, total)
    curve = charts.completion_over_time(days, shares, found.due_on, _("Completion over the campaign"), _("Due date"))
    return render_template(
        "reports/campaign.html",
        campaign=found,
        rows=rows,
        sort=sort,
        descending=descending,
        total=total,
        chart=chart,
        curve=curve,
        printing=request.args.get("print") == "1",
    )


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/reports/campaigns/<int:campaign_id>/departments/<int:department_id>")
@bp.route("/reports/campaigns/<int:campaign_id>/departments/<int:department_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def department(campaign_id: int, department_id: int, fmt: str = "html"):
    found = _campaign(campaign_id)
    dept = db().get(Department, department_id)
    if dept is None:
        abort(404)
    scope = services.scope_of(db(), current_user)
    if not scope.allows(dept.id):
        _denied("department_people", ("department", dept.id))
    people = services.people(db(), found.id, dept.id)
    _audit(("department", dept.id), {"report": "department_people", "campaign": found.id, "format": fmt})
    if fmt != "html":
        header = [_("Name"), _("Employee number"), _("Module"), _("Status"), _("Due"), _("Completed on"), _("Attempts")]
        table = [
            [
                p.name,
                p.employee_no,
                p.title_en if current_locale() == "en" else p.title_ja,
                p.status,
                p.due_at.date().isoformat(),
                p.completed_at.date().isoformat() if p.completed_at else "",
                p.attempts,
            ]
            for p in people
        ]
        name = f"people-{found.id}-{dept.code}"
        return _table(fmt, _("People"), header, table, name)
    return render_template("reports/department.html", campaign=found, department=dept, people=people)


@bp.route("/reports/campaigns/<int:campaign_id>/comprehension")
@bp.route("/reports/campaigns/<int:campaign_id>/comprehension.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def comprehension(campaign_id: int, fmt: str = "html"):
    """Average best score, first-attempt pass rate and attempts per completion, department × module."""
    found = _campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    rows = services.department_report(db(), found.id, scope, current_locale())
    module_ids, cells = services.comprehension(db(), found, scope, rows)
    titles = {
        e.module_id: pick(e.titles)
        for e in db().scalars(
            select(Edition).where(Edition.id.in_([cm.edition_id for cm in found.modules if cm.edition_id]))
        )
    }
    modules = [(m, titles.get(m, str(m))) for m in module_ids]
    _audit(("campaign", found.id), {"report": "comprehension", "format": fmt})
    if fmt != "html":
        header = [_("Code"), _("Level"), _("Department")]
        labels = [_("Average best score"), _("First-attempt pass rate"), _("Attempts per completion")]
        for _m, title in modules:
            header += [f"{title}: {label}" for label in labels]
        table = []
        for r in rows:
            line = [r.code, r.depth + 1, r.name]
            for m, _title in modules:
                cell = cells[(r.id, m)]
                scores = cell.total
                line += (
                    [
                        _round(scores.average, 1),
                        _rate(scores.first_attempt_pass_rate),
                        _round(scores.attempts_per_completion, 2),
                    ]
                    if cell.shown
                    else [None, None, None]
                )
            table.append(line)
        return _table(fmt, _("Comprehension"), header, table, f"comprehension-{found.id}")
    heatmap = charts.score_heatmap(rows, modules, cells, _("Average best score"))
    return render_template(
        "reports/comprehension.html",
        campaign=found,
        rows=rows,
        modules=modules,
        cells=cells,
        heatmap=heatmap,
        min_group=MIN_GROUP,
    )


@bp.route("/reports/items")
@requires(Permission.ITEM_ANALYSIS)
def items_index():
    editions = db().scalars(select(Edition).order_by(Edition.module_id, Edition.version.desc())).all()
    return render_template("reports/items_index.html", editions=editions)


@bp.route("/reports/items/<int:edition_id>")
@bp.route("/reports/items/<int:edition_id>.<any(csv, xlsx):fmt>")
@requires(Permission.ITEM_ANALYSIS)
def items(edition_id: int, fmt: str = "html"):
    """How each question of an edition performs; aggregates only, no names."""
    edition = db().get(Edition, edition_id)
    if edition is None:
        abort(404)
    figures, picks, desk, attempts = services.item_analysis(db(), edition.id)
    _audit(("edition", edition.id), {"report": "item_analysis", "format": fmt})
    if fmt != "html":
        header = [
            _("Question"),
            _("Times drawn"),
            _("Facility"),
            _("Discrimination"),
            _("Desk questions"),
            _("Flags"),
            _("Wrong choice"),
            _("Times picked"),
        ]
        table = []
        for position, q in enumerate(edition.questions, 1):
            f = figures.get(q.id)
            base = [
                f"{position}. {pick(q.prompts)}",
                f.drawn if f else 0,
                _rate(f.facility) if f else None,
                _round(f.discrimination, 2) if f else None,
                desk.get(q.id, 0),
                ", ".join(f.flags) if f else "",
            ]
            wrong = [c for c in q.choices if not c.correct]
            for c in wrong or [None]:
                table.append(base + ([pick(c.texts), picks.get(c.id, 0)] if c else ["", 0]))
        return _table(fmt, _("Item analysis"), header, table, f"items-{edition.id}")
    return render_template(
        "reports/items.html", edition=edition, figures=figures, picks=picks, desk=desk, attempts=attempts
    )


@bp.route("/reports/campaigns/<int:campaign_id>/trend")
@bp.route("/reports/campaigns/<int:campaign_id>/trend.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def trend(campaign_id: int, fmt: str = "html"):
    """The same figures across the periods of a recurring campaign: are things improving?"""
    found = _campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    periods, overall, by_department = services.trend(db(), found, scope, current_locale())
    today = tokyo_date(clock.now())
    running = {p.id for p in periods if p.due_on >= today}  # its figures still grow: marked, not compared
    labels = [p.period_start.isoformat() + (" " + _("(in progress)") if p.id in running else "") for p in periods]
    _audit(("campaign", found.id), {"report": "trend", "format": fmt})
    if fmt != "html":
        header = [_("Period"), _("Campaign"), _("Completion rate"), _("On-time rate")]
        table = [
            [p.period_start.isoformat(), pick(p.names), _rate(rate), _rate(on_time)]
            for p, (rate, on_time) in zip(periods, overall, strict=True)
        ]
        return _table(fmt, _("Trend across periods"), header, table, f"trend-{found.id}")
    lines = {_("Whole scope"): [rate for rate, _on_time in overall], **by_department}
    chart = charts.trend_lines(labels, lines, _("Completion rate by period"))
    return render_template(
        "reports/trend.html", campaign=found, periods=periods, overall=overall, chart=chart, running=running
    )


def _round(value, digits: int):
    return None if value is None else round(value, digits)


def _table(fmt: str, title: str, header: list[str], table: list[list], name: str) -> Response:
    """One table as a CSV or XLSX download."""
    if fmt == "csv":
        return _download(to_csv(header, table), f"{name}.csv", "text/csv; charset=utf-8")
    return _download(
        to_xlsx(title, header, table),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

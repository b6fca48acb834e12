"""Department completion reports: scoped in the query, audited on every view and export."""

from datetime import date
from pathlib import Path

import plotly
from flask import Blueprint, abort, jsonify, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department
from learning.authz import Permission, public, requires
from learning.campaigns.periods import tokyo_date
from learning.courses.models import Edition
from learning.i18n import current_locale, pick
from learning.reports import rendering, services
from learning.reports.completion import SORT_KEYS, organisation_total
from learning.reports.comprehension import MIN_GROUP
from learning.reports.pages import audit, completion_headers, denied, get_campaign, rate, rounded, table_download
from learning.web import db

bp = Blueprint("reports", __name__, template_folder="../templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


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


@bp.context_processor
def _chart_words():
    return {"chart_locale": rendering.chart_locale}


@bp.route("/reports")
@requires(Permission.REPORTS_VIEW)
def index():
    return render_template("reports/index.html", campaigns=services.campaigns(db()))


@bp.route("/reports/campaigns/<int:campaign_id>")
@bp.route("/reports/campaigns/<int:campaign_id>.<any(csv, xlsx, json):fmt>")
@requires(Permission.REPORTS_VIEW)
def campaign(campaign_id: int, fmt: str = "html"):
    found = get_campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    sort = request.args.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"  # sort keys come from an allowlist; anything else is ignored
    descending = request.args.get("dir") == "desc"
    rows = services.department_report(db(), found.id, scope, current_locale(), sort, descending)
    corrections = services.amendments(db(), found.id) if found.status == "closed" else []
    recorded = (
        organisation_total(services.department_report(db(), found.id, scope, current_locale(), corrected=False))
        if corrections
        else None
    )
    audit(("campaign", found.id), {"report": "department_completion", "format": fmt})
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
            rate(r.total.completion_rate),
            rate(r.total.on_time_rate),
        ]
        for r in rows
    ]
    filename = f"completion-{found.id}-{date.today().isoformat()}"
    if fmt in ("csv", "xlsx"):
        return table_download(fmt, _("Completion"), completion_headers(), table, filename)
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
                        for k in (
                            "assigned",
                            "completed",
                            "in_progress",
                            "not_started",
                            "overdue",
                            "exempt",
                            "withdrawn",
                            "people",
                            "people_complete",
                            "people_not_finished",
                            "people_overdue",
                        )
                    },
                    "completion_rate": r.total.completion_rate,
                    "on_time_rate": r.total.on_time_rate,
                }
                for r in rows
            ],
            closed=found.status == "closed",
            amendments=[
                {
                    "assignment_id": a.assignment_id,
                    "employee_no": person.employee_no,
                    "from": a.original_status,
                    "to": a.corrected_status,
                    "completed_on": a.corrected_completed_on.isoformat() if a.corrected_completed_on else None,
                    "reason": a.reason,
                    "by": author.employee_no,
                    "at": a.amended_at.isoformat(),
                }
                for a, person, author, *_titles in corrections
            ],
            recorded_completion_rate=recorded.completion_rate if recorded else None,
        )
    total = organisation_total(rows)
    days, shares = services.completion_curve(db(), found, scope, total)
    chart, curve = rendering.completion_charts(rows, days, shares, found.due_on)
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
        corrections=corrections,
        recorded=recorded,
    )


@bp.route("/reports/campaigns/<int:campaign_id>/departments/<int:department_id>")
@bp.route("/reports/campaigns/<int:campaign_id>/departments/<int:department_id>.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def department(campaign_id: int, department_id: int, fmt: str = "html"):
    found = get_campaign(campaign_id)
    dept = db().get(Department, department_id)
    if dept is None:
        abort(404)
    scope = services.scope_of(db(), current_user)
    if not scope.allows(dept.id):
        denied("department_people", ("department", dept.id))
    people = services.people(db(), found.id, dept.id)
    audit(("department", dept.id), {"report": "department_people", "campaign": found.id, "format": fmt})
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
        return table_download(fmt, _("People"), header, table, name)
    return render_template("reports/department.html", campaign=found, department=dept, people=people)


@bp.route("/reports/campaigns/<int:campaign_id>/comprehension")
@bp.route("/reports/campaigns/<int:campaign_id>/comprehension.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def comprehension(campaign_id: int, fmt: str = "html"):
    """Average best score, first-attempt pass rate and attempts per completion, department × module."""
    found = get_campaign(campaign_id)
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
    audit(("campaign", found.id), {"report": "comprehension", "format": fmt})
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
                        rounded(scores.average, 1),
                        rate(scores.first_attempt_pass_rate),
                        rounded(scores.attempts_per_completion, 2),
                    ]
                    if cell.shown
                    else [None, None, None]
                )
            table.append(line)
        return table_download(fmt, _("Comprehension"), header, table, f"comprehension-{found.id}")
    heatmap = rendering.comprehension_heatmap(rows, modules, cells)
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
    audit(("edition", edition.id), {"report": "item_analysis", "format": fmt})
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
                rate(f.facility) if f else None,
                rounded(f.discrimination, 2) if f else None,
                desk.get(q.id, 0),
                ", ".join(f.flags) if f else "",
            ]
            wrong = [c for c in q.choices if not c.correct]
            for c in wrong or [None]:
                table.append(base + ([pick(c.texts), picks.get(c.id, 0)] if c else ["", 0]))
        return table_download(fmt, _("Item analysis"), header, table, f"items-{edition.id}")
    return render_template(
        "reports/items.html", edition=edition, figures=figures, picks=picks, desk=desk, attempts=attempts
    )


@bp.route("/reports/campaigns/<int:campaign_id>/trend")
@bp.route("/reports/campaigns/<int:campaign_id>/trend.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def trend(campaign_id: int, fmt: str = "html"):
    """The same figures across the periods of a recurring campaign: are things improving?"""
    found = get_campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    periods, overall, by_department = services.trend(db(), found, scope, current_locale())
    today = tokyo_date(clock.now())
    running = {p.id for p in periods if p.due_on >= today}  # its figures still grow: marked, not compared
    audit(("campaign", found.id), {"report": "trend", "format": fmt})
    if fmt != "html":
        header = [_("Period"), _("Campaign"), _("Completion rate"), _("On-time rate")]
        table = [
            [p.period_start.isoformat(), pick(p.names), rate(completion), rate(on_time)]
            for p, (completion, on_time) in zip(periods, overall, strict=True)
        ]
        return table_download(fmt, _("Trend across periods"), header, table, f"trend-{found.id}")
    lines = {_("Whole scope"): [completion for completion, _on_time in overall], **by_department}
    chart = rendering.trend_chart(periods, running, lines)
    return render_template(
        "reports/trend.html", campaign=found, periods=periods, overall=overall, chart=chart, running=running
    )

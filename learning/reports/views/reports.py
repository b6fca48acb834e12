"""Department completion reports: scoped in the query, audited on every view and export."""

from pathlib import Path

import plotly
from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department
from learning.authz import Permission, public, requires
from learning.campaigns.periods import tokyo_date
from learning.courses.models import Edition
from learning.courses.rendering import request_terms, shown
from learning.courses.services import with_content
from learning.i18n import current_locale, pick
from learning.reports import annual, campaign_files, contractors, messages, rendering, services, tables
from learning.reports.completion import SORT_KEYS, organisation_total
from learning.reports.comprehension import MIN_GROUP
from learning.reports.employment import EMPLOYMENT_FILTERS
from learning.reports.pages import (
    audit,
    campaign_scope,
    denied,
    departments_scope,
    employment_filter,
    employment_in_name,
    employment_label,
    employment_scope,
    get_campaign,
    heading,
    pdf_download,
    roots_in_name,
    table_download,
)
from learning.web import asset_view, db, serve_file, versioned

bp = Blueprint("reports", __name__, template_folder="../templates")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@bp.route("/vendor/plotly.min.js")
@public
@asset_view
def plotly_js():
    """plotly.js from the installed package: served by the app itself, no CDN in a closed intranet. Its URL
    carries its fingerprint (cached for good, 4.8 MB sent as 1.2 MB of Brotli once per browser)."""
    return serve_file(PLOTLY_JS)


versioned(bp, "reports.plotly_js", PLOTLY_JS)


bp.after_request(rendering.allow_chart_styles)
bp.context_processor(rendering.chart_words)


@bp.route("/reports")
@requires(Permission.REPORTS_VIEW)
def index():
    return render_template("reports/index.html", campaigns=services.campaigns(db()))


@bp.route("/reports/campaigns/<int:campaign_id>")
@bp.route("/reports/campaigns/<int:campaign_id>.<any(csv, xlsx, json, pdf):fmt>")
@requires(Permission.REPORTS_VIEW)
def campaign(campaign_id: int, fmt: str = "html"):
    found = get_campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    sort = request.args.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"  # sort keys come from an allowlist; anything else is ignored
    descending = request.args.get("dir") == "desc"
    employment = employment_filter()
    rows = services.department_report(db(), found.id, scope, current_locale(), sort, descending, employment=employment)
    contractor_scope = contractors.scope_of(db(), current_user, scope)
    corrections = (
        services.amendments(db(), found.id, scope, contractor_scope.contracts, employment)
        if found.status == "closed"
        else []
    )
    recorded = (
        organisation_total(
            services.department_report(db(), found.id, scope, current_locale(), corrected=False, employment=employment)
        )
        if corrections
        else None
    )
    # Contractors' staff have no kind of employment and are not own staff: any filter leaves their section out.
    # (The CSV and XLSX hold the departments only; the section has its own, views/contractors.py.)
    shown = not employment and fmt not in ("csv", "xlsx")
    contractor_rows = contractors.section(db(), found.id, contractor_scope, current_locale()) if shown else []
    audit(
        ("campaign", found.id),
        {"report": "department_completion", "format": fmt} | ({"employment": employment} if employment else {}),
    )
    lines = heading(
        _("Completion by department"),
        campaign_scope(found),
        departments_scope(scope.roots),
        *employment_scope(employment),
    )
    named = [f"campaign{found.id}", *roots_in_name(scope.roots), *employment_in_name(employment)]
    if fmt in ("csv", "xlsx"):
        return table_download(fmt, tables.completion(rows, _, lines), "completion", *named)
    if fmt == "pdf":
        return pdf_download(campaign_files.pdf_writer(rows, contractor_rows, lines, _), "completion", *named)
    if fmt == "json":
        chosen = (employment, employment_label(employment)) if employment else None
        shown_name = pick(found.names)
        return jsonify(campaign_files.as_json(found, shown_name, chosen, rows, contractor_rows, corrections, recorded))
    total = organisation_total(rows)
    days, shares = services.completion_curve(db(), found, scope, total, employment)
    chart, curve = rendering.completion_charts(rows, days, shares, found.due_on)
    return render_template(
        "reports/campaign.html",
        campaign=found,
        contractor_rows=contractor_rows,
        contractor_total=contractors.total(contractor_rows),
        rows=rows,
        sort=sort,
        descending=descending,
        total=total,
        chart=chart,
        curve=curve,
        heading=lines,
        printing=request.args.get("print") == "1",
        corrections=corrections,
        recorded=recorded,
        employment=employment,
        employment_types=EMPLOYMENT_FILTERS,
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
    employment = employment_filter()
    people = services.people(db(), found.id, dept.id, employment)
    audit(
        ("department", dept.id),
        {"report": "department_people", "campaign": found.id, "format": fmt}
        | ({"employment": employment} if employment else {}),
    )
    own = _(
        "%(department)s: its own people, not the departments under it", department=f"{pick(dept.names)} ({dept.code})"
    )
    lines = heading(
        _("People of a department"), campaign_scope(found), (_("Department"), own), *employment_scope(employment)
    )
    if fmt == "html":
        return render_template(
            "reports/department.html",
            campaign=found,
            department=dept,
            people=people,
            statuses=messages.PERSON_STATUS,
            heading=lines,
            employment=employment,
            employment_types=EMPLOYMENT_FILTERS,
        )
    exported = tables.people(people, current_locale(), _, lines, request_terms())
    return table_download(fmt, exported, "people", f"campaign{found.id}", dept.code, *employment_in_name(employment))


@bp.route("/reports/campaigns/<int:campaign_id>/comprehension")
@bp.route("/reports/campaigns/<int:campaign_id>/comprehension.<any(csv, xlsx):fmt>")
@requires(Permission.REPORTS_VIEW)
def comprehension(campaign_id: int, fmt: str = "html"):
    """Average best score, first-attempt pass rate and attempts per completion, department × module."""
    found = get_campaign(campaign_id)
    scope = services.scope_of(db(), current_user)
    rows = services.department_report(db(), found.id, scope, current_locale())
    module_ids, cells = services.comprehension(db(), found, scope, rows)
    editions = {
        e.module_id: e
        for e in db().scalars(
            select(Edition).where(Edition.id.in_([cm.edition_id for cm in found.modules if cm.edition_id]))
        )
    }
    modules = [(m, shown(editions[m].titles) if m in editions else str(m)) for m in module_ids]
    audit(("campaign", found.id), {"report": "comprehension", "format": fmt})
    withheld = (_("Withheld"), _("Figures resting on fewer than %(n)d people are left blank.", n=MIN_GROUP))
    lines = heading(_("Comprehension"), campaign_scope(found), departments_scope(scope.roots), withheld)
    if fmt != "html":
        named = [(m, title, editions[m].module.slug if m in editions else f"module{m}") for m, title in modules]
        exported = tables.comprehension(rows, named, cells, _, lines)
        return table_download(fmt, exported, "comprehension", f"campaign{found.id}", *roots_in_name(scope.roots))
    heatmap = rendering.comprehension_heatmap(rows, modules, cells)
    return render_template(
        "reports/comprehension.html",
        campaign=found,
        rows=rows,
        modules=modules,
        cells=cells,
        heatmap=heatmap,
        min_group=MIN_GROUP,
        heading=lines,
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
    with_content(db(), edition)  # the page and the export read every question's choices
    years = annual.fiscal_years(db())
    asked = request.args.get("year", "")
    year = int(asked) if asked.isdigit() and len(asked) == 4 and int(asked) in years else None  # else: all years
    campaign_ids = [c.id for c in annual.campaigns_of(db(), year)] if year is not None else None
    figures, picks, desk, attempts = services.item_analysis(db(), edition.id, campaign_ids)
    audit(("edition", edition.id), {"report": "item_analysis", "format": fmt, "year": year})
    lines = heading(
        _("Item analysis"),
        (_("Edition"), f"{shown(edition.titles)} ({edition.module.slug} v{edition.version}, {edition.label})"),
        (_("Fiscal year"), _("Fiscal %(year)d", year=year) if year is not None else _("All years")),
        (_("Attempts"), _("%(n)d submitted attempts; figures only, no names", n=attempts)),
    )
    if fmt == "html":
        return render_template(
            "reports/items.html",
            edition=edition,
            figures=figures,
            picks=picks,
            desk=desk,
            attempts=attempts,
            flag_names=messages.FLAGS,
            heading=lines,
            years=years,
            year=year,
        )
    questions = [
        (
            position,
            shown(q.prompts),
            figures.get(q.id),
            desk.get(q.id, 0),
            [(shown(c.texts), picks.get(c.id, 0)) for c in q.choices if not c.correct],
        )
        for position, q in enumerate(edition.questions, 1)
    ]
    exported = tables.items(questions, _, lines)
    scope = [f"FY{year}"] if year is not None else []
    return table_download(fmt, exported, "items", edition.module.slug, f"v{edition.version}", *scope)


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
    series = (_("Campaign series"), _("%(name)s: %(n)d periods", name=pick(found.names), n=len(periods)))
    lines = heading(_("Trend across periods"), series, departments_scope(scope.roots))
    if fmt != "html":
        shown = [
            (p.period_start, p.due_on, pick(p.names), completion, on_time, p.id in running)
            for p, (completion, on_time) in zip(periods, overall, strict=True)
        ]
        exported = tables.trend(shown, _, lines)
        return table_download(fmt, exported, "trend", f"campaign{found.id}", *roots_in_name(scope.roots))
    lines_by_name = {_("Whole scope"): [completion for completion, _on_time in overall], **by_department}
    chart = rendering.trend_chart(periods, running, lines_by_name)
    return render_template(
        "reports/trend.html",
        campaign=found,
        periods=periods,
        overall=overall,
        chart=chart,
        running=running,
        heading=lines,
    )

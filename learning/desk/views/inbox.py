"""The desk's side: the inbox, a question's page (every read audited), replies, notes, the FAQ editor,
and what questions reveal (aggregates only)."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from learning import clock
from learning.accounts.models import RoleGrant, User
from learning.authz import Permission, Role, requires
from learning.courses.models import Edition, Question, Section
from learning.courses.rendering import shown as content
from learning.desk import handling, service_level, services
from learning.desk.context import asked_about, target
from learning.desk.forms import FaqForm, NoteForm, ReplyForm
from learning.desk.models import CATEGORIES, STATUSES, DeskQuestion, FaqEntry
from learning.web import app_settings, creates_once, db, id_arg, refuse

bp = Blueprint("inbox", __name__, template_folder="../templates")


def desk_staff() -> list[User]:
    return list(
        db().scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.DESK, RoleGrant.in_force_at(clock.now()), User.status == "active")
            .order_by(User.name)
        )
    )


def module_titles() -> dict[int, str]:
    rows = (
        db()
        .execute(select(Edition.module_id, Edition.title_ja, Edition.title_en).where(Edition.status == "published"))
        .all()
    )
    return {m: content({"ja": ja, "en": en}) for m, ja, en in rows}


@bp.route("/desk/inbox")
@requires(Permission.DESK_READ)
def inbox():
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    category = request.args.get("category") if request.args.get("category") in CATEGORIES else None
    module_id = request.args.get("module", type=id_arg)
    rows = handling.inbox(db(), status=status, category=category, module_id=module_id)
    return render_template(
        "desk/inbox.html",
        rows=rows,
        status=status,
        category=category,
        module_id=module_id,
        modules=module_titles(),
        sla=service_level.SERVICE_LEVEL_DAYS,
        show_names=current_user.can(Permission.DESK_IDENTITY),
        names=_asker_names(rows),
    )


def _asker_names(rows) -> dict[int, str]:
    ids = {r.question.asker_id for r in rows if r.question.asker_id}
    if not ids or not current_user.can(Permission.DESK_IDENTITY):
        return {}
    return dict(db().execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def load(code: str) -> DeskQuestion:
    question = handling.read_for_desk(db(), code, current_user.id)
    if question is None:
        abort(404)
    return question


@bp.route("/desk/inbox/<code>")
@requires(Permission.DESK_READ)
def question(code: str):
    found = load(code)
    return _question_page(found, ReplyForm(), NoteForm(prefix="note"))


def _question_page(found: DeskQuestion, reply: ReplyForm, note: ReplyForm, status: int = 200):
    asker = db().get(User, found.asker_id) if found.asker_id and current_user.can(Permission.DESK_IDENTITY) else None
    asked = asked_about(db(), found)
    section_url = None
    if asked and asked.section and current_user.can(Permission.DESK_STATS):
        section_url = url_for(".section_preview", edition_id=asked.edition_id, position=asked.section_position)
    return render_template(
        "desk/question.html",
        question=found,
        asker=asker,
        asked=asked,
        section_url=section_url,
        target=target(found),
        reply=reply,
        note=note,
        staff=desk_staff(),
        statuses=STATUSES,
    ), status


@bp.route("/desk/inbox/<code>/reply", methods=["POST"])
@requires(Permission.DESK_WORK)
@creates_once()
def reply(code: str):
    found = load(code)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            handling.desk_reply(db(), found, current_user.id, form.body.data, app_settings().portal_url)
        except services.DeskError as exc:
            form.body.errors = [refuse(exc)]
        else:
            flash(_("Your answer has been sent."), "success")
            return redirect(url_for(".question", code=found.code))
    return _question_page(found, form, NoteForm(prefix="note"), 400)


@bp.route("/desk/inbox/<code>/note", methods=["POST"])
@requires(Permission.DESK_WORK)
@creates_once()
def note(code: str):
    found = load(code)
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        try:
            handling.add_note(db(), found, current_user.id, form.body.data)
        except services.DeskError as exc:
            form.body.errors = [refuse(exc)]
        else:
            return redirect(url_for(".question", code=found.code))
    return _question_page(found, ReplyForm(), form, 400)


@bp.route("/desk/inbox/<code>/manage", methods=["POST"])
@requires(Permission.DESK_WORK)
def manage(code: str):
    """Assign to a desk member, or change the status (close, reopen, waiting for the asker)."""
    found = load(code)
    if "assignee" in request.form:
        assignee = request.form.get("assignee", type=id_arg)
        if assignee is not None and assignee not in {u.id for u in desk_staff()}:
            abort(400)
        handling.assign(db(), found, current_user.id, assignee)
    elif request.form.get("status") in STATUSES:
        handling.set_status(db(), found, current_user.id, request.form["status"])
    else:
        abort(400)
    return redirect(url_for(".question", code=found.code))


# FAQ editing -----------------------------------------------------------------------------------


def _faq_form(entry: FaqEntry | None = None) -> FaqForm:
    form = FaqForm(obj=entry) if entry and request.method == "GET" else FaqForm()
    if entry and request.method == "GET":
        form.module.data, form.section.data = entry.module_id, entry.section_position
    form.module.choices = [SelectChoice("", "—"), *(SelectChoice(m, title) for m, title in module_titles().items())]
    return form


@bp.route("/faq/manage")
@requires(Permission.DESK_WORK)
def faq_manage():
    entries = db().scalars(select(FaqEntry).order_by(FaqEntry.id.desc())).all()
    return render_template("desk/faq_manage.html", entries=entries, modules=module_titles())


@bp.route("/faq/new", methods=["GET", "POST"])
@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(Permission.DESK_WORK)
@creates_once()
def faq_edit(entry_id: int | None = None):
    entry = db().get(FaqEntry, entry_id) if entry_id else None
    if entry_id and entry is None:
        abort(404)
    if request.args.get("from"):
        source = services.question_by_code(db(), request.args["from"])
        if source is None:
            abort(404)
    else:
        source = db().get(DeskQuestion, entry.source_question_id) if entry and entry.source_question_id else None
    form = _faq_form(entry)
    if source and request.method == "GET" and not entry:
        form.module.data, form.section.data = source.module_id, source.section_position
    if form.validate_on_submit():
        draft = handling.FaqDraft(
            form.question_ja.data,
            form.question_en.data,
            form.answer_ja.data,
            form.answer_en.data,
            form.module.data,
            form.section.data,
            source.id if source else None,
        )
        try:
            saved = handling.save_faq(db(), entry, draft, current_user.id)
        except services.DeskError as exc:
            field = getattr(form, exc.field, form.question_ja) if exc.field != "module" else form.module
            field.errors = [*field.errors, refuse(exc)]
        else:
            flash(_("The FAQ entry has been saved. Publish it when it is ready."), "success")
            return redirect(url_for(".faq_edit", entry_id=saved.id))
    return render_template("desk/faq_edit.html", form=form, entry=entry, source=source), 400 if form.errors else 200


@bp.route("/faq/<int:entry_id>/<any(published, retired, draft):status>", methods=["POST"])
@requires(Permission.DESK_WORK)
def faq_status(entry_id: int, status: str):
    entry = db().get(FaqEntry, entry_id)
    if entry is None:
        abort(404)
    handling.set_faq_status(db(), entry, status, current_user.id)
    return redirect(url_for(".faq_edit", entry_id=entry.id))


# What questions reveal -------------------------------------------------------------------------


@bp.route("/desk/stats")
@requires(Permission.DESK_STATS)
def stats():
    """What questions reveal and the service level by topic, for one fiscal year (?year=2025) or all years."""
    years = service_level.question_years(db())
    # Only a year the selector offers, compared as text: anything else (words, -1, 99999) shows all years.
    year = next((y for y in years if str(y) == request.args.get("year")), None)
    now = clock.now()
    if year is not None:
        start, end = service_level.fiscal_year_bounds(year)
    else:
        start, end = service_level.span_of(years, clock.tokyo_date(now))
    figures = handling.question_stats(db(), start, end)
    levels = service_level.service_levels(db(), start, end, now)
    editions = {e.id: e for e in db().scalars(select(Edition))}
    bank = (
        {
            q.id: q
            for q in db().scalars(
                select(Question).where(Question.id.in_([q for q, _count in figures["quiz_questions"]]))
            )
        }
        if figures["quiz_questions"]
        else {}
    )
    # The top sections' titles in one statement, not each edition's sections read in turn.
    shown = {edition_id for (_module, edition_id, _position), _count in figures["sections"]}
    titles = {
        (s.edition_id, s.position): content(s.titles)
        for s in (db().scalars(select(Section).where(Section.edition_id.in_(shown))) if shown else [])
    }
    sections = {key: titles.get(key[1:], "") for key, _count in figures["sections"]}
    return render_template(
        "desk/stats.html",
        figures=figures,
        modules=module_titles(),
        sections=sections,
        bank=bank,
        editions=editions,
        years=years,
        year=year,
        period=(start, end - timedelta(days=1)),
        levels=levels,
        sla=service_level.SERVICE_LEVEL_DAYS,
        today=clock.tokyo_date(now),
    )


@bp.route("/library/editions/<int:edition_id>/sections/<int:position>")
@requires(Permission.DESK_STATS)
def section_preview(edition_id: int, position: int):
    """A section as learners see it, for those who follow up on the questions it raises."""
    from learning.courses.rendering import section_html
    from learning.i18n import current_locale

    edition = db().get(Edition, edition_id)
    section = db().scalar(select(Section).where(Section.edition_id == edition_id, Section.position == position))
    if edition is None or section is None:
        abort(404)
    body = section_html(section, current_locale())
    return render_template("desk/section_preview.html", edition=edition, section=section, body=body)

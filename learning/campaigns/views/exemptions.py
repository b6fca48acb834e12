"""Exemptions in bulk, for the compliance office: a list of people from a CSV (dry run first, then all or
nothing), or one person from every module of a campaign; and ending them the same ways
(training/bulk_exemptions.py does the work through the single-exemption service)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from learning.accounts.models import User
from learning.authz import Permission, requires
from learning.campaigns.models import Campaign
from learning.campaigns.periods import end_of_day
from learning.i18n import pick
from learning.training import bulk_exemptions as bulk
from learning.web import creates_once, db, refuse, refused, translated
from learning.web.forms import PortalForm

bp = Blueprint("bulk_exemptions", __name__, template_folder="templates")

ACTION_CHOICES = [
    SelectChoice("exempt", _l("Exempt them from every open module of this campaign")),
    SelectChoice("end", _l("End their exemptions in this campaign")),
]


class TermsForm(PortalForm):
    action = RadioField(_l("What to do"), choices=ACTION_CHOICES, default="exempt", validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    until = DateField(_l("Exempt until"), validators=[Optional()])


class ListForm(TermsForm):
    file = FileField(
        _l("CSV of employee numbers (UTF-8 or Shift_JIS; header employee_no)"), validators=[FileRequired()]
    )


class ConfirmForm(PortalForm):
    """The dry run's list and terms, sent back unchanged to apply them."""

    numbers = HiddenField(validators=[DataRequired()])
    action = HiddenField(validators=[AnyOf(bulk.ACTIONS)])
    reason = HiddenField(validators=[Length(max=500)])
    until = HiddenField()


def _campaign(campaign_id: int) -> Campaign:
    return db().get(Campaign, campaign_id) or abort(404)


def _terms(form) -> tuple[str, object]:
    """The reason and end date (end of that day) an exemption needs; refuses them on the form's fields."""
    until = form.until.data
    if form.action.data == "exempt":
        try:
            bulk.check_terms(form.reason.data or "", end_of_day(until) if until else None)
        except bulk.BulkRefused as exc:
            field = form.reason if exc.code == "reason_required" else form.until
            field.errors = [*field.errors, refuse(exc)]
    return (form.reason.data or "").strip(), end_of_day(until) if until else None


@bp.route("/campaigns/<int:campaign_id>/exemptions", methods=["GET", "POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
def upload(campaign_id: int):
    """The dry run: every line with what would happen, or every bad line named."""
    campaign = _campaign(campaign_id)
    form = ListForm()
    lines = confirm = None
    if form.validate_on_submit():
        _reason, _until = _terms(form)
        try:
            numbers = bulk.read_numbers(form.file.data.read(bulk.MAX_BYTES + 1))
        except bulk.BulkRefused as exc:
            form.file.errors = [*form.file.errors, refuse(exc)]
        else:
            lines = bulk.plan(db(), campaign.id, numbers, form.action.data)
            if not form.errors and not any(line.problem for line in lines):
                confirm = ConfirmForm(
                    numbers="\n".join(["employee_no", *(n for _, n in numbers)]),
                    action=form.action.data,
                    reason=form.reason.data or "",
                    until=form.until.data.isoformat() if form.until.data else "",
                )
    bad = form.is_submitted() and (bool(form.errors) or confirm is None)
    page = render_template("campaigns/bulk_exemptions.html", campaign=campaign, form=form, lines=lines, confirm=confirm)
    return page, 400 if bad else 200


@bp.route("/campaigns/<int:campaign_id>/exemptions/apply", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def apply(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        numbers = bulk.read_numbers(form.numbers.data.encode())
        until = end_of_day(_date(form.until.data)) if form.until.data else None
        lines = bulk.apply(db(), campaign.id, numbers, form.action.data, current_user.id, form.reason.data, until)
    except bulk.BulkRefused as exc:  # something changed since the dry run: say what, apply nothing
        message = refuse(exc)
        page = render_template(
            "campaigns/bulk_exemptions.html",
            campaign=campaign,
            form=ListForm(formdata=None, action=form.action.data),
            lines=exc.lines,
            confirm=None,
            refusal=message,
        )
        return page, 400
    changed = sum(len(line.assignments) for line in lines)
    if form.action.data == "exempt":
        flash(_("Exempted: %(people)d people, %(n)d assignments.", people=len(lines), n=changed), "success")
    else:
        flash(_("Exemptions ended: %(people)d people, %(n)d assignments.", people=len(lines), n=changed), "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


@bp.route("/campaigns/<int:campaign_id>/people/<int:user_id>/exemptions", methods=["POST"])
@requires(Permission.CAMPAIGNS_MANAGE)
@creates_once()
def person(campaign_id: int, user_id: int):
    """One person from (or back into) every module of the campaign at once."""
    campaign = _campaign(campaign_id)
    user = db().get(User, user_id) or abort(404)
    form = TermsForm()
    back = redirect(url_for("campaigns.person", q=user.employee_no))
    if not form.validate_on_submit():
        refused()
        for error in [e for f in form for e in f.errors]:
            flash(error, "error")
        return back
    reason, until = _terms(form)
    for field in (form.reason, form.until):
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")
    if form.errors:
        return back
    try:
        (line,) = bulk.apply(
            db(), campaign.id, [(0, user.employee_no)], form.action.data, current_user.id, reason, until
        )
    except bulk.BulkRefused as exc:
        message = refuse(exc)
        flash(translated(exc.lines[0].message, exc.lines[0].params) if exc.lines else message, "error")
        return back
    if form.action.data == "exempt":
        flash(_("Exempted from %(n)d modules of “%(name)s”.", n=len(line.assignments), name=_pick(campaign)), "success")
    else:
        flash(_("%(n)d exemptions in “%(name)s” ended.", n=len(line.assignments), name=_pick(campaign)), "success")
    return back


def _pick(campaign: Campaign) -> str:
    return pick(campaign.names)

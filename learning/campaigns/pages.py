"""What the campaigns room's views share: a campaign or 404, department choices, the campaign form filled
from or turned into a draft, a refusal put on its fields, and the campaign page itself."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from learning import clock
from learning.accounts import tree
from learning.accounts.models import Department, User
from learning.campaigns import contractor_audience, extensions, pledge_assignments, preview, services
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.forms import CampaignForm, ExtensionForm, ReasonForm, RevisionForm
from learning.campaigns.messages import AMENDMENT_LABELS, MESSAGES
from learning.campaigns.models import Campaign
from learning.campaigns.periods import tokyo_date
from learning.courses.rendering import shown
from learning.i18n import current_locale, pick
from learning.training.models import Assignment
from learning.web import db, translated


def readable_days(error):
    """A refusal whose message names a day (the current due date, say), the day written as the reader reads
    dates on every page (2026年12月15日 / Dec 15, 2026), not as ISO. Returns the error."""
    error.params = {key: day_text(value) if isinstance(value, date) else value for key, value in error.params.items()}
    return error


def day_text(value: date) -> str:
    """A day in the reader's language, as the portal's emails and due dates write it (notify.texts.day)."""
    return format_date(value, "long" if current_locale() == "ja" else "medium")


def department_choices() -> list[SelectChoice]:
    """Open departments in tree order, indented by depth, named in the reader's language (an abolished or merged
    one is offered no more: nobody is in it, and nothing under it stays open)."""
    query = select(Department).where(Department.status == "active").order_by(Department.code)
    departments = {d.id: d for d in db().scalars(query)}
    parents = {d.id: d.parent_id for d in departments.values()}  # siblings in code order
    return [SelectChoice(d, "\u3000" * depth + pick(departments[d].names)) for d, depth in tree.ordered(parents)]


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def today():
    return tokyo_date(clock.now())


def amendment_label(status: str) -> str:
    return translated(AMENDMENT_LABELS[status]) if status in AMENDMENT_LABELS else status


def campaign_form(**kwargs) -> CampaignForm:
    form = CampaignForm(**kwargs)
    module_choices = [SelectChoice(m.id, shown(e.titles)) for m, e in services.campaign_modules(db())]
    form.modules.choices = form.transfer_modules.choices = module_choices
    form.pledges.choices = [SelectChoice(p.id, pick(v.titles)) for p, v in pledge_assignments.published_pledges(db())]
    departments = department_choices()
    form.include.choices = form.exclude.choices = departments
    form.transfer_from.choices = form.transfer_to.choices = [SelectChoice("", "—"), *departments]
    offered = contractor_audience.choices(db())
    form.contractor_companies.choices = [SelectChoice(i, pick(names)) for i, names in offered["company"]]
    form.contractor_contracts.choices = [SelectChoice(i, pick(names)) for i, names in offered["contract"]]
    form.contractor_sponsors.choices = departments
    return form


def form_data(draft: services.CampaignDraft) -> dict:
    """A draft as the campaign form's values (to edit it, or a copy of it)."""
    return {
        "name_ja": draft.name_ja,
        "name_en": draft.name_en,
        "modules": draft.module_ids,
        "pledges": draft.pledge_ids or [],
        "audience": "all" if draft.whole_organisation else "selected",
        "managers_only": draft.managers_only,
        "include": draft.include_ids,
        "exclude": draft.exclude_ids,
        "opens_on": draft.opens_on,
        "due_on": draft.due_on,
        "recurrence": draft.recurrence,
        "event_due_days": draft.event_due_days,
        "reminder_days": draft.reminder_days,
        "escalate_after_days": draft.escalate_after_days,
        "transfer_from": draft.transfer_from_id,
        "transfer_to": draft.transfer_to_id,
        "transfer_modules": draft.transfer_module_ids or [],
        **rule_data(draft.contractors),
    }


def rule_data(rules: list[Rule]) -> dict[str, list[int]]:
    """A draft's contractor rules as the form's values."""
    return {
        "contractor_companies": [r.id for r in rules if r.kind == "company"],
        "contractor_contracts": [r.id for r in rules if r.kind == "contract"],
        "contractor_sponsors": [r.id for r in rules if r.kind == "sponsor"],
    }


def as_draft(form: CampaignForm) -> services.CampaignDraft:
    return services.CampaignDraft(
        name_ja=form.name_ja.data.strip(),
        name_en=form.name_en.data.strip(),
        module_ids=form.modules.data,
        pledge_ids=form.pledges.data,
        whole_organisation=form.audience.data == "all",
        include_ids=form.include.data,
        exclude_ids=form.exclude.data,
        opens_on=form.opens_on.data,
        due_on=form.due_on.data,
        recurrence=form.recurrence.data,
        event_due_days=form.event_due_days.data,
        reminder_days=",".join(d.strip() for d in form.reminder_days.data.split(",")),
        escalate_after_days=form.escalate_after_days.data,
        transfer_from_id=form.transfer_from.data,
        transfer_to_id=form.transfer_to.data,
        transfer_module_ids=form.transfer_modules.data,
        managers_only=bool(form.managers_only.data),
        contractors=form.contractor_rules(),
    )


def mark_problems(form: CampaignForm, problems: dict[str, str]) -> None:
    """Each problem of a draft on the field it names (departments: the include list)."""
    for name, code in problems.items():
        field_ = form.include if name == "departments" else getattr(form, name)
        field_.errors = [*field_.errors, translated(MESSAGES[code])]


def render_campaign(campaign: Campaign, status: int = 200, **forms):
    """The campaign page: settings, links, what launching will do (a draft) or did (since), its extensions,
    and the forms of the next steps its status allows."""
    session = db()
    area = services.covered(session, campaign)
    modules = {m.id: (m, e) for m, e in services.campaign_modules(session)}
    names = {d.id: pick(d.names) for d in session.scalars(select(Department))}
    assigned = session.scalar(select(func.count()).select_from(Assignment).where(Assignment.campaign_id == campaign.id))
    extended = extensions.extensions_of(session, campaign.id)
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(_people_named(extended))))}
    extension = forms.get("extension") or ExtensionForm(formdata=None)
    extension.department.choices = [SelectChoice("", "—"), *department_choices()]
    page = render_template(
        "campaigns/show.html",
        campaign=campaign,
        audience=services.audience_size(session, area, campaign.managers_only),
        contractor_lines=contractor_audience.lines(session, campaign),
        contractor_total=contractor_audience.size(session, campaign),
        modules=modules,
        names=names,
        assigned=assigned,
        forecast=preview.forecast(session, campaign) if campaign.status == "draft" else None,
        pledge_lines=preview.pledge_lines(session, campaign),
        pledge_titles=pledge_assignments.pledge_titles(session),
        record=preview.launch_record(session, campaign.id) if campaign.status != "draft" else None,
        extensions=extended,
        people=people,
        extension=extension,
        ending=forms.get("ending") or ReasonForm(formdata=None),
        ending_action=forms.get("ending_action"),
        deleting=RevisionForm(formdata=None, revision=campaign.revision),
        today=today(),
        module_title=lambda module_id: _module_title(modules, module_id),
    )
    return page, status


def _people_named(extended) -> set[int]:
    return {e.user_id for e in extended if e.user_id} | {e.extended_by_id for e in extended}


def _module_title(modules, module_id: int) -> str:
    if module_id in modules:
        return shown(modules[module_id][1].titles)
    return _("Module #%(id)s", id=module_id)

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from learning.campaigns.contractor_audience import Rule
from learning.web.forms import PortalForm

RECURRENCE_CHOICES = [
    SelectChoice("yearly", _l("Every fiscal year (from 1 April)")),
    SelectChoice("half", _l("Every half year (April and October)")),
    SelectChoice("quarterly", _l("Every quarter")),
    SelectChoice("none", _l("Once")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ContractorAudienceFields:
    """The contractors' staff a campaign covers (issue 19): all staff of companies, the staff on contracts,
    those on contracts sponsored within department subtrees. Choices set by pages.campaign_form."""

    contractor_companies = SelectMultipleField(_l("Contractor companies: all their staff"), coerce=int)
    contractor_contracts = SelectMultipleField(_l("Contracts: the staff on them"), coerce=int)
    contractor_sponsors = SelectMultipleField(
        _l("Sponsoring departments: staff on contracts they (or departments under them) sponsor"), coerce=int
    )

    def contractor_rules(self) -> list[Rule]:
        return [
            *(Rule("company", i) for i in self.contractor_companies.data or []),
            *(Rule("contract", i) for i in self.contractor_contracts.data or []),
            *(Rule("sponsor", i) for i in self.contractor_sponsors.data or []),
        ]


class CampaignForm(ContractorAudienceFields, PortalForm):
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    modules = MultiCheckboxField(_l("Modules"), coerce=int)
    pledges = MultiCheckboxField(_l("Pledges to sign"), coerce=int)
    audience = RadioField(
        _l("Audience"),
        choices=[
            SelectChoice("all", _l("The whole organisation")),
            SelectChoice("selected", _l("Selected departments and everything under them")),
        ],
        default="all",
    )
    managers_only = BooleanField(_l("Only the heads of departments (people who hold a manager grant), not their staff"))
    include = SelectMultipleField(_l("Departments"), coerce=int)
    exclude = SelectMultipleField(_l("Leave out"), coerce=int)
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    recurrence = SelectField(_l("Repeats"), choices=RECURRENCE_CHOICES, default="yearly")
    event_due_days = IntegerField(
        _l("Days given to joiners and movers"), default=30, validators=[DataRequired(), NumberRange(1, 365)]
    )
    reminder_days = StringField(
        _l("Reminders, days before the due date"),
        default="14,7,1",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^\s*\d+(\s*,\s*\d+)*\s*$", message=_l("Whole numbers separated by commas, such as 14,7,1.")),
        ],
    )
    escalate_after_days = IntegerField(
        _l("Days overdue before managers are told"), default=7, validators=[DataRequired(), NumberRange(1, 90)]
    )
    transfer_from = SelectField(_l("Extra modules for people moved from"), coerce=optional_int, validators=[Optional()])
    transfer_to = SelectField(_l("…into"), coerce=optional_int, validators=[Optional()])
    transfer_modules = MultiCheckboxField(_l("Extra modules for those moves"), coerce=int)
    # An edit carries the draft's revision it started from (lifecycle.update_draft refuses a stale one); a
    # copy carries the campaign it was copied from.
    revision = HiddenField(filters=[optional_int])
    copy_of = HiddenField(filters=[optional_int])


class RevisionForm(PortalForm):
    """Deleting a draft: the revision the page showed, so a draft changed since is not deleted unseen."""

    revision = HiddenField(filters=[optional_int], validators=[DataRequired()])


class ReasonForm(PortalForm):
    """Closing a campaign early, or cancelling it."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


EXTENSION_SCOPES = [
    SelectChoice("person", _l("One person")),
    SelectChoice("department", _l("A department and everything under it")),
    SelectChoice("campaign", _l("Everyone in the campaign")),
]


class ExtensionForm(PortalForm):
    scope = RadioField(_l("Whose due date"), choices=EXTENSION_SCOPES, default="person")
    employee_no = StringField(_l("Employee number"), validators=[Optional(), Length(max=20)])
    department = SelectField(_l("Department"), coerce=optional_int, validators=[Optional()])
    due_on = DateField(_l("New due date"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=1000)])


class PersonSearchForm(PortalForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name, employee number or email"), validators=[DataRequired(), Length(max=100)])


class ExemptionForm(PortalForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    until = DateField(_l("Exempt until"), validators=[DataRequired()])


class AmendmentForm(PortalForm):
    corrected_status = SelectField(
        _l("Outcome as it should have been recorded"),
        choices=[
            SelectChoice("completed", _l("Completed")),
            SelectChoice("exempt", _l("Exempt")),
            SelectChoice("not_completed", _l("Not completed")),
        ],
    )
    completed_on = DateField(_l("Completed on (if completed)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=1000)])


class PledgeExemptionForm(PortalForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])

"""Contractor companies (委託先) and their contracts, for the compliance office and the admin."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts import contractors
from learning.accounts.contractor_models import ContractorCompany
from learning.accounts.forms import ContractorBranchForm, ContractorCompanyForm, ContractorContractForm
from learning.authz import Permission, requires
from learning.web import creates_once, db, refuse

bp = Blueprint("contractors", __name__, template_folder="../templates")


def _put(form, error: contractors.ContractorError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, refuse(error)]


def _company_or_404(company_id: int) -> ContractorCompany:
    company = db().get(ContractorCompany, company_id)
    if company is None:
        abort(404)
    return company


@bp.route("/contractors", methods=["GET", "POST"])
@requires(Permission.CONTRACTORS_MANAGE)
@creates_once()
def index():
    form = ContractorCompanyForm()
    if form.validate_on_submit():
        try:
            company = contractors.create_company(
                db(), current_user.id, form.code.data, form.name_ja.data, form.name_en.data
            )
        except contractors.ContractorError as error:
            _put(form, error, "code")
        else:
            flash(_("The contractor company has been registered. Add its contracts."), "success")
            return redirect(url_for(".company", company_id=company.id))
    return render_template(
        "contractors/index.html", form=form, companies=contractors.companies(db())
    ), 400 if form.errors else 200


def _company_page(company: ContractorCompany, branch_form=None, contract_form=None, status: int = 200):
    return render_template(
        "contractors/company.html",
        company=company,
        branch_form=branch_form or ContractorBranchForm(formdata=None),
        contract_form=contract_form or ContractorContractForm(formdata=None),
    ), status


@bp.route("/contractors/<int:company_id>")
@requires(Permission.CONTRACTORS_MANAGE)
def company(company_id: int):
    return _company_page(_company_or_404(company_id))


@bp.route("/contractors/<int:company_id>/branches", methods=["POST"])
@requires(Permission.CONTRACTORS_MANAGE)
@creates_once()
def add_branch(company_id: int):
    company = _company_or_404(company_id)
    form = ContractorBranchForm()
    if form.validate_on_submit():
        try:
            contractors.add_branch(db(), current_user.id, company, form.name_ja.data, form.name_en.data)
        except contractors.ContractorError as error:
            _put(form, error, "name_ja")
        else:
            flash(_("The branch has been added."), "success")
            return redirect(url_for(".company", company_id=company.id))
    return _company_page(company, branch_form=form, status=400)


@bp.route("/contractors/<int:company_id>/contracts", methods=["POST"])
@requires(Permission.CONTRACTORS_MANAGE)
@creates_once()
def add_contract(company_id: int):
    company = _company_or_404(company_id)
    form = ContractorContractForm()
    if form.validate_on_submit():
        try:
            contractors.add_contract(
                db(),
                current_user.id,
                company,
                reference=form.reference.data,
                sponsor_code=form.sponsor_code.data,
                owner_employee_no=form.owner_employee_no.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except contractors.ContractorError as error:
            _put(form, error, "reference")
        else:
            flash(_("The contract has been added."), "success")
            return redirect(url_for(".company", company_id=company.id))
    return _company_page(company, contract_form=form, status=400)

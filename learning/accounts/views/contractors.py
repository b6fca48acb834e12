"""Contractor companies (委託先) and their contracts, for the compliance office and the admin."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from learning import clock
from learning.accounts import contractor_staff, contractors, imports
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.forms import (
    ContractorBranchForm,
    ContractorCompanyForm,
    ContractorContractForm,
    ContractorFileForm,
    ContractorStaffForm,
)
from learning.accounts.hrfiles import MAX_BYTES, FileProblem, FileRejected
from learning.accounts.models import PendingImport
from learning.accounts.pages import contract_choice, describe
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


def _staff_form(company: ContractorCompany, formdata=True) -> ContractorStaffForm:
    form = ContractorStaffForm() if formdata else ContractorStaffForm(formdata=None)
    form.contract.choices = [contract_choice(k) for k in company.contracts]
    return form


def _company_page(company: ContractorCompany, status: int = 200, **forms):
    return render_template(
        "contractors/company.html",
        company=company,
        branch_form=forms.get("branch_form") or ContractorBranchForm(formdata=None),
        contract_form=forms.get("contract_form") or ContractorContractForm(formdata=None),
        staff_form=forms.get("staff_form") or _staff_form(company, formdata=False),
        staff=contractor_staff.staff_of(db(), company.id),
        can_move=True,
        handed_over=forms.get("handed_over"),
        file_form=forms.get("file_form") or ContractorFileForm(formdata=None),
        problems=forms.get("problems"),
        today=clock.tokyo_date(clock.now()),
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
    return _company_page(company, 400, branch_form=form)


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
    return _company_page(company, 400, contract_form=form)


@bp.route("/contractors/<int:company_id>/contracts/<int:contract_id>", methods=["GET", "POST"])
@requires(Permission.CONTRACTORS_MANAGE)
def edit_contract(company_id: int, contract_id: int):
    """A contract's reference, sponsor, owner and days. An end moved before some staff's end days says whose
    access it shortens, and saves only when that is confirmed; a contract whose end has passed is read-only."""
    company = _company_or_404(company_id)
    contract = db().get(ContractorContract, contract_id)
    if contract is None or contract.company_id != company.id:
        abort(404)
    read_only = contractors.is_read_only(contract)
    if request.method == "GET" or read_only:
        form = ContractorContractForm(formdata=None)
        form.reference.data, form.starts_on.data, form.ends_on.data = (
            contract.reference,
            contract.starts_on,
            contract.ends_on,
        )
        form.sponsor_code.data, form.owner_employee_no.data = (
            contract.sponsor_department.code,
            contract.owner.employee_no,
        )
        if request.method == "POST":  # read-only: nothing is changed
            error = contractors.ContractorError("contract_ended", field="reference", day=contract.ends_on)
            flash(refuse(error), "error")
            return _contract_page(company, contract, form, read_only, status=400)
        return _contract_page(company, contract, form, read_only)
    form = ContractorContractForm()
    if not form.validate_on_submit():
        return _contract_page(company, contract, form, read_only, status=400)
    shortened = contractors.staff_past(db(), contract, form.ends_on.data)
    # Confirmed for this very end day (a day changed on the confirming page shows its own list first).
    if shortened and request.form.get("shorten_staff") != form.ends_on.data.isoformat():
        try:  # terms that would be refused (a day in the past …) are refused before any confirmation
            contractors.checked_edit(
                db(),
                contract,
                form.reference.data,
                form.sponsor_code.data,
                form.owner_employee_no.data,
                form.starts_on.data,
                form.ends_on.data,
            )
        except contractors.ContractorError as error:
            _put(form, error, "reference")
            return _contract_page(company, contract, form, read_only, status=400)
        return _contract_page(company, contract, form, read_only, shortened=shortened)
    try:
        _contract, moved = contractors.edit_contract(
            db(),
            current_user.id,
            contract.id,
            reference=form.reference.data,
            sponsor_code=form.sponsor_code.data,
            owner_employee_no=form.owner_employee_no.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
    except contractors.ContractorError as error:
        _put(form, error, "reference")
        return _contract_page(company, contract, form, read_only, status=400)
    if moved:
        flash(
            ngettext(
                "The contract has been saved; %(num)d person's access now ends with it.",
                "The contract has been saved; %(num)d people's access now ends with it.",
                len(moved),
            ),
            "success",
        )
    else:
        flash(_("The contract has been saved."), "success")
    return redirect(url_for(".company", company_id=company.id))


def _contract_page(company, contract, form, read_only: bool, status: int = 200, shortened=None):
    return render_template(
        "contractors/contract.html",
        company=company,
        contract=contract,
        form=form,
        read_only=read_only,
        staff=[p for p in contractor_staff.staff_of(db(), company.id) if p.contract_id == contract.id],
        can_move=True,
        shortened=shortened,
    ), status


@bp.route("/contractors/<int:company_id>/staff", methods=["POST"])
@requires(Permission.CONTRACTORS_MANAGE)
@creates_once()
def add_staff(company_id: int):
    """One contractor's account; invited by email, or shown a one-time code here, once, to hand over."""
    company = _company_or_404(company_id)
    form = _staff_form(company)
    if form.validate_on_submit():
        contract = db().get(ContractorContract, int(form.contract.data))
        try:
            if contract is None or contract.company_id != company.id:
                raise contractors.ContractorError("unknown_contract", field="contract", value=form.contract.data)
            user = contractor_staff.create_staff(
                db(),
                current_user.id,
                contract,
                name=form.name.data,
                staff_no=form.staff_no.data,
                email=form.email.data,
                ends_on=form.ends_on.data,
            )
            code = contractor_staff.invite_or_code(db(), current_user.id, user)
        except contractors.ContractorError as error:
            _put(form, error, "name")
        else:
            if code is None:
                flash(_("The account has been created and an invitation is on its way by email."), "success")
                return redirect(url_for(".company", company_id=company.id))
            return _company_page(company, handed_over=(user, code))
    return _company_page(company, 400, staff_form=form)


@bp.route("/contractors/mine")
@requires(Permission.CONTRACTOR_STAFF)
def my_staff():
    """A contractor supervisor: their own company's staff and whether each one's access is in force."""
    company_id = current_user.contractor_company_id
    company = db().get(ContractorCompany, company_id) if company_id is not None else None
    if company is None:  # the role held by someone of no contractor company: nothing to show
        abort(404)
    # Their staff's standing in each running campaign, from the reports room (which sits above accounts).
    training = current_app.extensions.get("contractor_training_status")
    return render_template(
        "contractors/mine.html",
        company=company,
        staff=contractor_staff.staff_of(db(), company.id),
        campaigns=training(db(), company.id) if training else [],
    )


@bp.route("/contractors/<int:company_id>/import", methods=["POST"])
@requires(Permission.CONTRACTORS_MANAGE)
def upload(company_id: int):
    """A staff file's dry run: every problem by line and column, or what would be created; nothing written."""
    company = _company_or_404(company_id)
    form = ContractorFileForm()
    if not form.validate_on_submit():
        return _company_page(company, 400, file_form=form)
    data = form.file.data.read(MAX_BYTES + 1)
    try:
        if len(data) > MAX_BYTES:
            raise FileRejected([FileProblem(0, None, "too_large", {"limit": MAX_BYTES // (1024 * 1024)})])
        rows = contractor_staff.plan_file(db(), company.id, data)
    except FileRejected as exc:
        return _company_page(company, 400, file_form=form, problems=[describe(p) for p in exc.problems])
    pending = PendingImport(
        kind="contractors",
        company_id=company.id,
        filename=(form.file.data.filename or "staff.csv")[:200],
        data=data,
        uploaded_by_id=current_user.id,
        uploaded_at=clock.now(),
    )
    db().add(pending)
    db().flush()
    return render_template("contractors/preview.html", company=company, rows=rows, pending=pending)


@bp.route("/contractors/<int:company_id>/import/<int:pending_id>/apply", methods=["POST"])
@requires(Permission.CONTRACTORS_MANAGE)
def apply(company_id: int, pending_id: int):
    company = _company_or_404(company_id)
    pending = db().get(PendingImport, pending_id)
    if pending is None or pending.uploaded_by_id != current_user.id or pending.company_id != company.id:
        abort(404)
    data = imports.claim(db(), pending)
    if data is None:
        flash(_("This file has already been applied; it was not applied a second time."), "info")
        return redirect(url_for(".company", company_id=company.id))
    try:
        made = contractor_staff.apply_file(db(), current_user, company.id, data)
    except FileRejected as exc:  # the system changed since the dry run
        return _company_page(company, 400, problems=[describe(p) for p in exc.problems])
    return render_template("contractors/applied.html", company=company, made=made)

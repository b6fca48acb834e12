"""Moving a contractor's staff member onto another contract of their company (issue 19 item 4), from the staff
lists of the company and contract pages; the same permission as creating contractor staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts import contractor_moves, contractors
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.forms import ContractorMoveForm
from learning.accounts.models import User
from learning.accounts.pages import contract_choice
from learning.authz import Permission, requires
from learning.web import db, refuse

bp = Blueprint("contractor_moves", __name__, template_folder="../templates")


def _put(form, error: contractors.ContractorError) -> None:
    field = getattr(form, error.field or "contract", None) or form.contract
    field.errors = [*field.errors, refuse(error)]


def _move_page(company, person, form, targets, status: int = 200, confirm=None):
    current = db().get(ContractorContract, person.contract_id) if person.contract_id else None
    return render_template(
        "contractors/move.html",
        company=company,
        person=person,
        current=current,
        current_side=contractor_moves.side_of(db(), current) if current else None,
        form=form,
        targets=targets,
        confirm=confirm,
    ), status


@bp.route("/contractors/<int:company_id>/staff/<int:user_id>/move", methods=["GET", "POST"])
@requires(Permission.CONTRACTORS_MANAGE)
def move_staff(company_id: int, user_id: int):
    """A contractor's staff member onto another running contract of their company: the form, a confirmation
    naming both sponsoring departments and what the transfer rule may do, then the move (once: a second
    identical post finds them moved already and writes nothing)."""
    company = db().get(ContractorCompany, company_id)
    person = db().get(User, user_id)
    if company is None or person is None or not person.is_contractor or person.contractor_company_id != company.id:
        abort(404)
    targets = contractor_moves.move_targets(db(), person)
    form = ContractorMoveForm() if request.method == "POST" else ContractorMoveForm(formdata=None)
    form.contract.choices = [contract_choice(k) for k in targets]
    if request.method == "GET":
        form.from_contract.data = str(person.contract_id or "")
        return _move_page(company, person, form, targets)
    if not form.validate_on_submit():
        return _move_page(company, person, form, targets, 400)
    raw = form.contract.data or ""
    contract = db().get(ContractorContract, int(raw)) if raw.isdigit() else None
    expected = int(form.from_contract.data) if (form.from_contract.data or "").isdigit() else None
    try:
        if contract is None or contract.company_id != company.id:
            raise contractors.ContractorError("unknown_contract", field="contract", value=raw)
        if request.form.get("confirmed") != "1":
            ends_on = contractor_moves.check_move(db(), person, contract, form.ends_on.data, expected)
            side = contractor_moves.side_of(db(), contract)
            return _move_page(company, person, form, targets, confirm=(contract, side, ends_on))
        contractor_moves.move_to_contract(db(), current_user.id, person, contract, form.ends_on.data, expected)
    except contractors.ContractorError as error:
        if error.code == "already_moved" and contract is not None and person.contract_id == contract.id:
            refuse(error)  # a double click: the first post moved them; this one writes nothing
            flash(
                _(
                    "%(name)s is already on contract %(reference)s: they were moved once.",
                    name=person.name,
                    reference=contract.reference,
                ),
                "info",
            )
            return redirect(url_for("contractors.edit_contract", company_id=company.id, contract_id=contract.id))
        _put(form, error)
        return _move_page(company, person, form, targets, 400)
    flash(
        _(
            "%(name)s has been moved to contract %(reference)s. At the next jobs run, a campaign's transfer rule "
            "may assign them the modules of the other side.",
            name=person.name,
            reference=contract.reference,
        ),
        "success",
    )
    return redirect(url_for("contractors.edit_contract", company_id=company.id, contract_id=contract.id))

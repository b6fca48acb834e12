"""A group with contractors (issue 19), for the campaign audience and report tests.

Grid G > G-NET and retail R > R-CC, one employee in each. Meter Services (K-METER) works under a grid-side
contract C-G (sponsored by G-NET) and a retail-side one C-R (R-CC); Demo Tele (K-TELE) under C-T (R-CC).
Staff: M1 and M2 on C-G, M3 on C-R, M4 on C-G whose access ended on 1 April; T1 on C-T.
It is 2 April 2026 in Tokyo."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from learning import clock
from learning.accounts import contractor_staff, contractors
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.models import Department, User
from learning.accounts.passwords import hash_password
from learning.campaigns.contractor_audience import Rule
from learning.courses.models import Edition
from tests.factories import PASSWORD, campaign_draft, make_department, make_edition, make_user

APRIL_1 = datetime(2026, 4, 1, 1, tzinfo=UTC)  # 10:00 in Tokyo
APRIL_2 = datetime(2026, 4, 2, 1, tzinfo=UTC)


@dataclass
class World:
    grid: Department
    network: Department
    retail: Department
    call_centre: Department
    meter: ContractorCompany
    tele: ContractorCompany
    grid_contract: ContractorContract
    retail_contract: ContractorContract
    tele_contract: ContractorContract
    staff: dict[str, User]
    employees: dict[str, User]
    compliance: User
    edition: Edition

    def draft(self, *rules: Rule, **overrides):
        fields = {"whole_organisation": False, "include_ids": [], "contractors": list(rules), "recurrence": "none"}
        return campaign_draft([self.edition], **{**fields, **overrides})


def staff(db, contract, staff_no, ends_on=date(2026, 9, 30)) -> User:
    user = contractor_staff.create_staff(
        db, None, contract, name=f"委託 {staff_no}", staff_no=staff_no, email=None, ends_on=ends_on
    )
    user.password_hash = hash_password(PASSWORD)
    user.locale = "en"
    db.flush()
    return user


def build(db) -> World:
    clock.freeze(APRIL_1)
    grid = make_department(db, code="G")
    network = make_department(db, code="G-NET", parent=grid)
    retail = make_department(db, code="R")
    call_centre = make_department(db, code="R-CC", parent=retail)
    network.name_ja, network.name_en = "系統運用部", "Network Operations"
    call_centre.name_ja, call_centre.name_en = "お客さまセンター", "Customer Call Centre"
    employees = {
        "EG": make_user(db, department=network, employee_no="EG"),
        "ER": make_user(db, department=call_centre, employee_no="ER"),
    }
    compliance = make_user(db, "compliance", department=retail, employee_no="COMP")
    meter = contractors.create_company(db, None, "K-METER", "検針サービス", "Meter Services")
    tele = contractors.create_company(db, None, "K-TELE", "デモテレ", "Demo Tele")

    def contract(company, reference, sponsor):
        return contractors.add_contract(
            db,
            None,
            company,
            reference=reference,
            sponsor_code=sponsor,
            owner_employee_no="COMP",
            starts_on=date(2026, 4, 1),
            ends_on=date(2027, 3, 31),
        )

    grid_contract = contract(meter, "C-G", "G-NET")
    retail_contract = contract(meter, "C-R", "R-CC")
    tele_contract = contract(tele, "C-T", "R-CC")
    people = {
        "M1": staff(db, grid_contract, "M1"),
        "M2": staff(db, grid_contract, "M2"),
        "M3": staff(db, retail_contract, "M3"),
        "M4": staff(db, grid_contract, "M4", ends_on=date(2026, 4, 1)),
        "T1": staff(db, tele_contract, "T1"),
    }
    edition = make_edition(db, slug="firewall")
    db.commit()
    clock.freeze(APRIL_2)  # M4's access has ended (the day after their end day), not yet recorded by a job
    return World(
        grid,
        network,
        retail,
        call_centre,
        meter,
        tele,
        grid_contract,
        retail_contract,
        tele_contract,
        people,
        employees,
        compliance,
        edition,
    )

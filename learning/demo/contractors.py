"""The demo's contractor (issue 19): a call-centre operator company working for the retail side's Customer
Call Centre under one contract to the end of the fiscal year, with a few staff; two of them sign in (demo
password): `contractor` (a learner) and `csupervisor` (the company's contractor supervisor)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import contractor_staff, contractors
from learning.accounts.contractor_models import ContractorCompany
from learning.accounts.models import RoleGrant, User
from learning.accounts.passwords import hash_password
from learning.authz import Role
from learning.campaigns.models import Campaign, CampaignContractor
from learning.campaigns.services import launch

CODE = "K-TELE"
# staff number, name, login id (None: no demo sign-in), supervisor
STAFF = [
    ("T001", "委託 一美", "csupervisor", True),
    ("T002", "委託 二郎", "contractor", False),
    ("T003", "委託 三枝", None, False),
    ("T004", "委託 四郎", None, False),
]


def seed(session: Session, password: str) -> int:
    """Creates the demo contractor unless it is there; returns how many staff it made."""
    if session.scalar(select(ContractorCompany.id).where(ContractorCompany.code == CODE)) is not None:
        return 0
    owner = session.scalar(select(User).where(User.employee_no == "D0002"))
    if owner is None:
        return 0
    today = clock.tokyo_date(clock.now())
    ends_on = date(clock.fiscal_year(today) + 1, 3, 31)
    company = contractors.create_company(session, None, CODE, "株式会社デモテレサービス", "Demo Teleservice Co., Ltd.")
    contractors.add_branch(session, None, company, "札幌センター", "Sapporo Centre")
    contract = contractors.add_contract(
        session,
        None,
        company,
        reference="C-CC-01",
        sponsor_code="R-CC",
        owner_employee_no=owner.employee_no,
        starts_on=date(clock.fiscal_year(today), 4, 1),
        ends_on=ends_on,
    )
    password_hash = hash_password(password)
    for number, name, login_id, supervisor in STAFF:
        user = contractor_staff.create_staff(
            session, None, contract, name=name, staff_no=number, email=None, ends_on=ends_on
        )
        if login_id:
            user.login_id, user.password_hash, user.password_changed_at = login_id, password_hash, clock.now()
        user.is_demo = True
        if supervisor:
            session.add(RoleGrant(user_id=user.id, role=Role.CONTRACTOR_SUPERVISOR, granted_at=clock.now()))
    session.flush()
    return len(STAFF)


def join_campaign(session: Session, campaign_name_en: str) -> int:
    """The demo contractor's staff in the current demo campaign's audience (a rule for the whole company),
    assigned by launching it again (a launch adds only what is missing). Returns the assignments made."""
    company = session.scalar(select(ContractorCompany).where(ContractorCompany.code == CODE))
    campaign = session.scalar(
        select(Campaign).where(Campaign.name_en == campaign_name_en, Campaign.status == "running")
    )
    if company is None or campaign is None:
        return 0
    if not any(rule.company_id == company.id for rule in campaign.contractors):
        session.add(CampaignContractor(campaign_id=campaign.id, company_id=company.id))
        session.flush()
        session.expire(campaign, ["contractors"])
    return launch(session, campaign, actor_id=None)

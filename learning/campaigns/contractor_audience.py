"""Contractors' staff in a campaign's audience (issue 19 item 4): a campaign's contractor rules (all staff of a
contractor company, the staff on given contracts, or those on contracts sponsored within department subtrees)
turned into the contracts they cover and the people on them. Flask-free.

Contractor staff have no department, so the department audience never reaches them: only these rules do. A
campaign for the heads of departments (`managers_only`) takes no contractors. Only active accounts whose end
day has not passed are in the audience, so launch, the joiners' step and the preview never assign a lapsed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.contractor_models import ContractorCompany, ContractorContract
from learning.accounts.models import Department, User
from learning.accounts.tree import parent_map, subtree
from learning.campaigns.models import Campaign, CampaignContractor

RULE_KINDS = ("company", "contract", "sponsor")


@dataclass(frozen=True)
class Rule:
    """One contractor rule of a draft: its kind (RULE_KINDS) and the id it names."""

    kind: str
    id: int

    def columns(self) -> dict[str, int]:
        column = {"company": "company_id", "contract": "contract_id", "sponsor": "sponsor_department_id"}[self.kind]
        return {column: self.id}


def rules_of(campaign: Campaign) -> list[Rule]:
    rules = []
    for row in campaign.contractors:
        if row.company_id is not None:
            rules.append(Rule("company", row.company_id))
        elif row.contract_id is not None:
            rules.append(Rule("contract", row.contract_id))
        else:
            rules.append(Rule("sponsor", row.sponsor_department_id))
    return rules


def add_rules(session: Session, campaign_id: int, rules: list[Rule]) -> None:
    session.add_all(CampaignContractor(campaign_id=campaign_id, **rule.columns()) for rule in dict.fromkeys(rules))


def contracts_for(session: Session, rules: list[Rule], parents: dict[int, int | None] | None = None) -> set[int]:
    """The contracts the rules cover."""
    if not rules:
        return set()
    companies = {r.id for r in rules if r.kind == "company"}
    contracts = {r.id for r in rules if r.kind == "contract"}
    sponsors = {r.id for r in rules if r.kind == "sponsor"}
    found = set(contracts)
    if companies:
        found |= set(session.scalars(select(ContractorContract.id).where(ContractorContract.company_id.in_(companies))))
    if sponsors:
        area = subtree(sponsors, parents if parents is not None else parent_map(session))
        found |= set(
            session.scalars(select(ContractorContract.id).where(ContractorContract.sponsor_department_id.in_(area)))
        )
    return found


def staff_on(contract_ids: set[int]):
    """The contractor staff on these contracts who may be assigned now: active, their end day not passed."""
    today = clock.tokyo_date(clock.now())
    return select(User.id).where(
        User.kind == "contractor",
        User.status == "active",
        User.contract_id.in_(contract_ids or {-1}),
        User.ends_on >= today,
    )


def contractor_people(session: Session, campaign: Campaign, parents=None):
    """The campaign's contractor audience as a select of user ids (empty for a heads-only campaign)."""
    if campaign.managers_only or not campaign.contractors:
        return None
    return staff_on(contracts_for(session, rules_of(campaign), parents))


def with_contractors(session: Session, campaign: Campaign, people, parents=None):
    """The department audience `people` and the campaign's contractor audience, as one select of user ids."""
    contractors = contractor_people(session, campaign, parents)
    return people if contractors is None else union(people, contractors)


def size(session: Session, campaign: Campaign) -> int:
    """How many contractor staff the campaign's rules take now, each counted once."""
    people = contractor_people(session, campaign)
    if people is None:
        return 0
    return session.scalar(select(func.count()).select_from(User).where(User.id.in_(people)))


def draft_size(session: Session, rules: list[Rule], managers_only: bool) -> int:
    """How many contractor staff a draft's rules take now (none for a heads-only campaign)."""
    if managers_only or not rules:
        return 0
    people = staff_on(contracts_for(session, rules))
    return session.scalar(select(func.count()).select_from(User).where(User.id.in_(people)))


@dataclass(frozen=True)
class RuleLine:
    """A rule as the campaign page and the launch preview show it, with how many staff it takes now."""

    rule: Rule
    names: dict[str, str]  # the company's, the contract's (its company and reference) or the department's
    people: int


def lines(session: Session, campaign: Campaign) -> list[RuleLine]:
    """Each contractor rule of the campaign, named, with the staff it takes now (a person under two rules is
    counted under each; the audience counts them once)."""
    parents = parent_map(session)
    result = []
    for rule in rules_of(campaign):
        names = _names(session, rule)
        people = 0 if campaign.managers_only else _count(session, contracts_for(session, [rule], parents))
        result.append(RuleLine(rule, names, people))
    return result


def _count(session: Session, contract_ids: set[int]) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.id.in_(staff_on(contract_ids))))


def _names(session: Session, rule: Rule) -> dict[str, str]:
    if rule.kind == "company":
        company = session.get(ContractorCompany, rule.id)
        return company.names if company else {"ja": str(rule.id), "en": str(rule.id)}
    if rule.kind == "contract":
        contract = session.get(ContractorContract, rule.id)
        if contract is None:
            return {"ja": str(rule.id), "en": str(rule.id)}
        return {k: f"{v} / {contract.reference}" for k, v in contract.company.names.items()}
    department = session.get(Department, rule.id)
    return department.names if department else {"ja": str(rule.id), "en": str(rule.id)}


def choices(session: Session) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """What a campaign form offers: companies by code, contracts (company / reference) by reference."""
    found = session.scalars(select(ContractorCompany).order_by(ContractorCompany.code))
    companies = [(c.id, c.names) for c in found]
    contracts = [
        (k.id, {lang: f"{name} / {k.reference}" for lang, name in k.company.names.items()})
        for k in session.scalars(select(ContractorContract).order_by(ContractorContract.reference))
    ]
    return {"company": companies, "contract": contracts}

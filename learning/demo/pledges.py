"""The demo's yearly pledge (誓約書): one published version with three clauses and one declaration, asked of
everyone by the demo campaign of the current year, and already signed by some of the generated staff."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.campaigns.models import Campaign
from learning.campaigns.periods import start_of_day
from learning.campaigns.pledge_assignments import complete_signed
from learning.campaigns.pledge_models import CampaignPledge
from learning.pledges import services
from learning.pledges.models import Pledge, PledgeSignature, PledgeVersion
from learning.training.certificates import new_number

CONDUCT_PLEDGE = services.DraftInput(
    {"ja": "行為規制の遵守に関する誓約書", "en": "Pledge to comply with the conduct rules"},
    {
        "ja": "私は、行為規制遵守規程を読み、その内容を理解したうえで、次のとおり誓約します。",
        "en": "I have read the Conduct Rules Compliance Regulation, understand it, and pledge as follows.",
    },
    {
        "ja": "業務上知り得た託送供給等業務に関する非公開情報を、目的外に利用し、または提供しません。\n\n"
        "他社の社員に発行されたIDや端末を使用せず、自分のIDを他人に使わせません。\n\n"
        "規程に反する事実を知ったときは、速やかに行為規制相談窓口に報告します。",
        "en": "I will not use or pass on non-public information about the network business beyond its purpose.\n\n"
        "I will not use IDs or terminals issued to another company's staff, nor let anyone use mine.\n\n"
        "When I learn of anything against the rules, I will report it to the conduct-rule desk at once.",
    },
    {
        "ja": "私は、他社の社員に発行されたログインIDを保有していません。",
        "en": "I hold no login ID issued to another company's staff.",
    },
)


def seed(session: Session) -> int:
    """The demo pledge, published; 1 when it was added, 0 when it was there."""
    before = services.overview(session)
    services.publish_shipped(session, "conduct-pledge", CONDUCT_PLEDGE)
    return 0 if before else 1


def pledge_ids(session: Session) -> list[int]:
    """The demo pledge, for the demo campaign of the current year to ask everyone to sign."""
    found = session.scalar(select(Pledge.id).where(Pledge.slug == "conduct-pledge"))
    return [found] if found is not None else []


def include(session: Session, campaign: Campaign) -> None:
    """The demo pledge in the demo campaign (a demo made before campaigns took pledges gets it now)."""
    have = {cp.pledge_id for cp in campaign.pledges}
    for pledge_id in pledge_ids(session):
        if pledge_id not in have:
            session.add(CampaignPledge(campaign_id=campaign.id, pledge_id=pledge_id))
    session.flush()
    session.expire(campaign, ["pledges"])


def signed_by_some(session: Session, campaign: Campaign) -> int:
    """About two in three of the generated staff (never a demo sign-in, which has a login ID: they sign themselves)
    signed the published version a few days ago, so that the pledge report has figures; their pledge assignments
    are then completed as a signature completes them. Nothing when someone has signed already."""
    version = session.scalar(
        select(PledgeVersion).join(Pledge).where(Pledge.slug == "conduct-pledge", PledgeVersion.status == "published")
    )
    if version is None or session.scalar(select(PledgeSignature.id).limit(1)) is not None:
        return 0
    when = max(clock.now() - timedelta(days=3), start_of_day(campaign.period_start))
    people = session.execute(
        select(User.id, User.employee_no, User.department_id)
        .where(User.status == "active", User.login_id.is_(None), User.department_id.is_not(None))
        .order_by(User.id)
    ).all()
    signed = 0
    for n, (user_id, employee_no, department_id) in enumerate(people):
        if n % 3 == 2:
            continue
        session.add(
            PledgeSignature(
                version_id=version.id,
                user_id=user_id,
                employee_no=employee_no,
                department_id=department_id,
                content_hash=version.content_hash,
                outcome="signed",
                answers={str(p.position): True for p in version.declarations},
                code=new_number(),
                signed_at=when,
            )
        )
        signed += 1
    session.flush()
    complete_signed(session, campaign)
    return signed

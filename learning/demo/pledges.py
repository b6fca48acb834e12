"""The demo's yearly pledge (誓約書): one published version with three clauses and one declaration."""

from __future__ import annotations

from sqlalchemy.orm import Session

from learning.pledges import services

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

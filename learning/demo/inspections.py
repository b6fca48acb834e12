"""The demo's self-inspections: a quarterly round of the starter checklist for the demo head's three
departments (北支店, 南支店, お客さまセンター), set up by `compliance`; 北支店's inspection answered and
submitted by `manager`, with one finding in progress. The second line is `office` (業務管理部門, scoped to
the sales division). Idempotent: once a round exists, nothing more is done."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, User
from learning.inspections import rounds
from learning.inspections.models import InspectionResponse, InspectionRound, InspectionTemplate, InspectionVersion

DEPARTMENTS = ("R-BR-N", "R-BR-S", "R-CC")
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000020001e221bc330000000049454e44ae426082"
)


def seed(session: Session, departments: dict[str, Department]) -> bool:
    if session.scalar(select(InspectionRound.id).limit(1)) is not None:
        return False
    version = session.scalar(
        select(InspectionVersion)
        .join(InspectionTemplate)
        .where(InspectionTemplate.slug == "workplace-self-inspection", InspectionVersion.status == "published")
    )
    compliance = session.scalar(select(User).where(User.login_id == "compliance"))
    head = session.scalar(select(User).where(User.login_id == "manager"))
    if version is None or compliance is None or head is None:
        return False
    today = clock.tokyo_date(clock.now())
    start, _ = rounds.period_of(today, "quarterly")
    rounds.create_round(
        session, version.id, [departments[code].id for code in DEPARTMENTS], "quarterly", 45, start, compliance.id
    )
    rounds.open_periods(session, today)
    north = session.scalar(
        select(InspectionResponse).where(InspectionResponse.department_id == departments["R-BR-N"].id)
    )
    answers = []
    for n, item in enumerate(version.items):
        if n == 1:
            answers.append(
                rounds.AnswerInput(
                    item.id, "does_not_conform", "営業課の端末2台に、送配電システムのログインアイコンが残っていた。"
                )
            )
        else:
            evidence = TINY_PNG if item.evidence_required else None
            answers.append(rounds.AnswerInput(item.id, "conforms", "", "evidence.png" if evidence else None, evidence))
    rounds.save_answers(session, north.id, answers, head.id, 5 * 1024 * 1024)
    (finding, *_) = rounds.submit(session, north.id, head.id)
    rounds.update_finding(
        session, finding.id, head.id, "in_progress", "アイコンを削除し、情報システム部に端末の再点検を依頼した。"
    )
    return True

"""Plain make_* functions that build valid objects with the least typing."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.passwords import hash_password
from learning.campaigns.models import Campaign, CampaignModule
from learning.campaigns.services import CampaignDraft, create_campaign, launch
from learning.courses.formats.spec import ChoiceSpec, ModuleSpec, QuestionSpec, SectionSpec
from learning.courses.models import Edition, Module
from learning.courses.services import import_modules
from learning.training.models import Assignment

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # every privileged test user is enrolled with this
_HASH = hash_password(PASSWORD)


def make_department(session: Session, code: str | None = None, parent: Department | None = None) -> Department:
    n = next(_seq)
    department = Department(
        code=code or f"D{n}", name_ja=f"部署{n}", name_en=f"Department {n}", parent_id=parent.id if parent else None
    )
    session.add(department)
    session.flush()
    return department


def make_user(
    session: Session,
    *roles: str,
    department: Department | None = None,
    login_id: str | None = None,
    status: str = "active",
    scope: Department | None = None,
    **fields,
) -> User:
    """A person with the password PASSWORD; English by default so that tests read English pages."""
    n = next(_seq)
    fields.setdefault("locale", "en")
    if set(roles) - {"learner", "manager"}:
        fields.setdefault("totp_secret", TOTP_SECRET)
    user = User(
        employee_no=fields.pop("employee_no", f"E{n:06d}"),
        login_id=login_id,
        name=fields.pop("name", f"社員 {n}"),
        email=fields.pop("email", f"user{n}@example.invalid"),
        department_id=department.id if department else None,
        password_hash=_HASH,
        status=status,
        **fields,
    )
    session.add(user)
    session.flush()
    for role in roles:
        session.add(
            RoleGrant(user_id=user.id, role=role, department_id=scope.id if scope else None, granted_at=clock.now())
        )
    session.flush()
    session.refresh(user)
    return user


def module_spec(
    slug: str = "sample",
    sections: int = 3,
    questions: int = 5,
    draw: int = 3,
    pass_mark: int = 60,
    body: str = "本文です。",
    label: str = "2026",
) -> ModuleSpec:
    """A small valid module: question i has choices a (correct) and b, c (wrong, with feedback)."""
    qs = []
    for i in range(1, questions + 1):
        kind = "multiple" if i % 4 == 0 else "single"
        choices = [
            ChoiceSpec({"ja": f"正解{i}", "en": f"Right {i}"}, True, None),
            ChoiceSpec({"ja": f"誤り{i}b", "en": f"Wrong {i}b"}, False, {"ja": f"違います{i}b", "en": f"No {i}b"}),
            ChoiceSpec({"ja": f"誤り{i}c", "en": f"Wrong {i}c"}, False, {"ja": f"違います{i}c", "en": f"No {i}c"}),
        ]
        qs.append(
            QuestionSpec(
                f"q{i}",
                kind,
                {"ja": f"問題{i}", "en": f"Question {i}"},
                {"ja": f"解説{i}", "en": f"Explanation {i}"},
                choices,
            )
        )
    return ModuleSpec(
        slug=slug,
        edition_label=label,
        title={"ja": f"{slug} 研修", "en": f"{slug} course"},
        summary={"ja": "概要", "en": "Summary"},
        minutes=10,
        pass_mark=pass_mark,
        draw=draw,
        sections=[
            SectionSpec(p, {"ja": f"節{p}", "en": f"Section {p}"}, {"ja": f"{body}{p}", "en": f"Body {p}"})
            for p in range(1, sections + 1)
        ],
        questions=qs,
    )


def make_edition(session: Session, **spec_fields) -> Edition:
    spec = module_spec(**spec_fields)
    import_modules(session, [spec])
    return session.scalar(select(Edition).join(Module).where(Module.slug == spec.slug).order_by(Edition.version.desc()))


def make_assignment(session: Session, user: User, edition: Edition, due_in_days: int = 30, **fields) -> Assignment:
    assignment = Assignment(
        user_id=user.id,
        edition_id=edition.id,
        reason="test",
        status=fields.pop("status", "assigned"),
        assigned_at=clock.now(),
        due_at=clock.now() + timedelta(days=due_in_days),
        **fields,
    )
    session.add(assignment)
    session.flush()
    return assignment


def campaign_draft(editions, **overrides) -> CampaignDraft:
    """A yearly FY2026 campaign for the whole organisation, due 30 June."""
    fields = {
        "name_ja": "2026年度 行為規制研修",
        "name_en": "FY2026 conduct-rule training",
        "module_ids": [e.module_id for e in editions],
        "whole_organisation": True,
        "include_ids": [],
        "exclude_ids": [],
        "opens_on": date(2026, 4, 1),
        "due_on": date(2026, 6, 30),
        "recurrence": "yearly",
    }
    return CampaignDraft(**{**fields, **overrides})


def make_launched_campaign(session: Session, editions, actor_id: int | None = None, **overrides) -> Campaign:
    campaign = create_campaign(session, campaign_draft(editions, **overrides), actor_id)
    launch(session, campaign, actor_id)
    return campaign


def make_campaign_row(session: Session, edition: Edition) -> Campaign:
    """A running FY2026 campaign with its module pinned, and no assignments: the test writes those itself."""
    campaign = Campaign(
        name_ja="2026年度",
        name_en="FY2026",
        status="running",
        whole_organisation=True,
        recurrence="yearly",
        opens_on=date(2026, 4, 1),
        due_on=date(2026, 6, 30),
        period_start=date(2026, 4, 1),
        period_end=date(2027, 4, 1),
        created_at=clock.now(),
    )
    session.add(campaign)
    session.flush()
    session.add(CampaignModule(campaign_id=campaign.id, module_id=edition.module_id, edition_id=edition.id))
    session.flush()
    return campaign

"""The demo organisation: two companies, their departments, ~60 people, demo accounts, assignments.

Idempotent: a second run adds only what is missing. Never used in production (see config).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.passwords import hash_password
from learning.accounts.second_factor import new_secret
from learning.authz import PRIVILEGED_ROLES, Role
from learning.campaigns.models import Campaign
from learning.campaigns.periods import period_containing, tokyo_date
from learning.campaigns.services import CampaignDraft, create_campaign, launch, pin_editions
from learning.courses.services import published_editions
from learning.demo import contractors, inspections, notices, pledges, rules_library
from learning.demo.history import Progress, generate, grow_departments
from learning.demo.role_campaigns import role_campaigns
from learning.demo.roles import is_role_module

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password (demo mode only)

# code, Japanese name, English name, parent code
DEPARTMENTS = [
    ("R", "デモ電力株式会社", "Demo Electric Co., Inc.", None),
    ("R-SALES", "営業本部", "Sales Division", "R"),
    ("R-BR-N", "北支店", "North Branch", "R-SALES"),
    ("R-BR-N-S", "北支店 営業課", "North Branch Sales Section", "R-BR-N"),
    ("R-BR-N-B", "北支店 料金課", "North Branch Billing Section", "R-BR-N"),
    ("R-BR-S", "南支店", "South Branch", "R-SALES"),
    ("R-BR-S-S", "南支店 営業課", "South Branch Sales Section", "R-BR-S"),
    ("R-CC", "お客さまセンター", "Customer Call Centre", "R-SALES"),
    ("R-HQ", "本店", "Head Office", "R"),
    ("R-COMP", "コンプライアンス推進室", "Compliance Office", "R-HQ"),
    ("R-AUDIT", "内部監査室", "Internal Audit Office", "R-HQ"),
    ("R-IT", "情報システム部", "IT Department", "R-HQ"),
    ("R-HR", "人事部", "Human Resources Department", "R-HQ"),
    ("R-EXEC", "役員室", "Executive Office", "R-HQ"),
    ("G", "デモ電力送配電株式会社", "Demo Electric Power Grid Co., Inc.", None),
    ("G-NW", "ネットワーク本部", "Network Division", "G"),
    ("G-NC-E", "東ネットワークセンター", "East Network Centre", "G-NW"),
    ("G-NC-W", "西ネットワークセンター", "West Network Centre", "G-NW"),
    ("G-CC", "託送コールセンター", "Wheeling Call Centre", "G-NW"),
    ("G-ADMIN", "総務部", "General Affairs Department", "G"),
    ("G-IT", "システム部", "Systems Department", "G"),
    ("G-EXEC", "役員室", "Executive Office", "G"),
]

# login id, employee number, name, department, role granted (with the department scope for managers)
DEMO_ACCOUNTS = [
    ("learner", "D0001", "山田 花子", "R-BR-N-S", None),
    ("manager", "D0002", "佐藤 健一", "R-BR-N", Role.MANAGER),
    ("desk", "D0003", "鈴木 美咲", "R-COMP", Role.DESK),
    ("trainer", "D0004", "高橋 誠", "R-COMP", Role.TRAINER),
    ("reviewer", "D0008", "中村 恵", "R-COMP", Role.TRAINER),  # a second trainer: publishing takes four eyes
    ("compliance", "D0005", "田中 直子", "R-COMP", Role.COMPLIANCE),
    # A second compliance officer: a notice asking for acknowledgement is approved by a second person.
    ("officer", "D0009", "小松 由紀", "R-COMP", Role.COMPLIANCE),
    ("auditor", "D0006", "伊藤 大輔", "R-AUDIT", Role.AUDITOR),
    # The second line for self-inspections (業務管理部門), scoped to the sales division.
    ("office", "D0010", "松本 亮", "R-SALES", Role.BUSINESS_OFFICE),
    ("admin", "D0007", "渡辺 翔", "R-IT", Role.ADMIN),
]
MANAGER_SCOPES = ("R-BR-N", "R-BR-S", "R-CC")  # the demo manager heads these subtrees
SCOPES = {Role.BUSINESS_OFFICE: ("R-SALES",)}  # other scoped demo roles

# Departments where the generated staff work (the leaves of the tree, weighted by size).
STAFF_DEPARTMENTS = [
    "R-BR-N-S",
    "R-BR-N-B",
    "R-BR-S-S",
    "R-CC",
    "R-CC",
    "G-NC-E",
    "G-NC-W",
    "G-CC",
    "G-ADMIN",
    "R-COMP",
    "R-IT",
    "R-HR",
    "G-IT",
    "R-EXEC",
    "G-EXEC",
]
SURNAMES = [
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "前田",
    "藤田",
    "岡田",
    "後藤",
    "長谷川",
    "村上",
    "近藤",
    "石井",
    "坂本",
    "遠藤",
]
GIVEN_NAMES = [
    "陽菜",
    "蓮",
    "結衣",
    "湊",
    "美咲",
    "大翔",
    "さくら",
    "悠真",
    "葵",
    "颯太",
    "真央",
    "拓海",
    "彩",
    "翔太",
    "七海",
    "健太",
    "優奈",
    "亮",
    "千尋",
    "誠",
]


def seed(session: Session, employees: int = 60, periods: int = 3, progress: Progress | None = None) -> str:
    """Creates whatever part of the demo organisation is missing; returns a summary.

    On the first run it also writes `periods` yearly periods of history (see demo_history); later runs
    add missing people and assign them, nothing more.
    """
    departments = _departments(session)
    sections = grow_departments(session, departments, employees)
    _demo_accounts(session, departments)
    staff = _staff(session, departments, sections, employees - len(DEMO_ACCOUNTS), progress)
    pledged = pledges.seed(session)  # before the campaign, which asks everyone to sign it
    created, history = _campaigns(session, periods, [d.id for d in sections], progress)
    created += role_campaigns(session, departments)
    notices.seed(session, departments)
    people = len(DEMO_ACCOUNTS) + staff
    documents = rules_library.seed(session)
    contractor_staff = contractors.seed(session, DEMO_PASSWORD)
    created += contractors.join_campaign(session, DEMO_CAMPAIGN[1])
    lines = [f"demo: {len(departments)} departments, {people} people, {created} new assignments"]
    if documents:
        lines.append(f"demo: {documents} rules library documents, two versions each")
    if contractor_staff:
        lines.append(f"demo: a contractor company with one contract and {contractor_staff} staff")
    if inspections.seed(session, departments):
        lines.append("demo: a self-inspection round for three departments, one submitted with a finding")
    if pledged:
        lines.append("demo: 1 yearly pledge, published")
    return "\n".join(lines + ([history] if history else []))


def _departments(session: Session) -> dict[str, Department]:
    existing = {d.code: d for d in session.scalars(select(Department))}
    for code, name_ja, name_en, parent in DEPARTMENTS:
        if code not in existing:
            department = Department(
                code=code, name_ja=name_ja, name_en=name_en, parent_id=existing[parent].id if parent else None
            )
            session.add(department)
            session.flush()
            existing[code] = department
    return existing


def _demo_accounts(session: Session, departments: dict[str, Department]) -> None:
    now = clock.now()
    password_hash = None
    for login_id, number, name, department, role in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.employee_no == number))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(
                employee_no=number,
                login_id=login_id,
                name=name,
                email=f"{login_id}@demo.invalid",
                department_id=departments[department].id,
                password_hash=password_hash,
                password_changed_at=now,
                is_demo=True,
                locale="ja",
                status="active",
                employment_type="regular",
                # Privileged demo accounts come enrolled; `flask --app app demo code LOGIN` shows the code.
                totp_secret=new_secret() if role in PRIVILEGED_ROLES else None,
            )
            session.add(user)
            session.flush()
            scopes = MANAGER_SCOPES if role == Role.MANAGER else SCOPES.get(role, (None,))
            for scope in scopes if role else ():
                session.add(
                    RoleGrant(
                        user_id=user.id,
                        role=role,
                        granted_at=now,
                        department_id=departments[scope].id if scope else None,
                    )
                )


def _staff(
    session: Session, departments: dict[str, Department], sections: list[Department], count: int, progress
) -> int:
    """The generated staff E00001…: the same people on every machine; only the missing ones are added."""
    rng = random.Random(20230329)
    places = [departments[code].id for code in STAFF_DEPARTMENTS]
    weights = [1.0] * len(places)
    for section in sections:  # generated sections differ in size
        places.append(section.id)
        weights.append(rng.uniform(0.3, 1.7))
    existing = set(session.scalars(select(User.employee_no).where(User.is_demo.is_(True), User.login_id.is_(None))))
    rows = []
    for n in range(1, count + 1):
        number = f"E{n:05d}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"
        department_id = rng.choices(places, weights)[0] if sections else departments[rng.choice(STAFF_DEPARTMENTS)].id
        if number not in existing:
            rows.append(
                {
                    "employee_no": number,
                    "name": name,
                    "email": f"{number.lower()}@demo.invalid",
                    "department_id": department_id,
                    "is_demo": True,
                    "locale": "ja",
                    "status": "active",
                    "employment_type": _employment(n),
                }
            )
    for start in range(0, len(rows), 10000):
        session.execute(insert(User), rows[start : start + 10000])
        if progress:
            progress("people", start + len(rows[start : start + 10000]), len(rows))
    session.flush()
    return count


def _employment(n: int) -> str:
    """The generated staff's kinds of employment (issue 19 item 3), by number rather than by the random stream
    (which would change every name and department after it): an officer, and some temporary, seconded,
    contract and part-time staff among the regular employees."""
    if n == 1:
        return "officer"
    for every, kind in ((17, "temporary"), (23, "secondee"), (31, "contract"), (37, "part_time")):
        if n % every == 0:
            return kind
    return "regular"


DEMO_CAMPAIGN = ("2026年度 行為規制研修（デモ）", "FY2026 conduct-rule training (demo)")


def _campaigns(session: Session, periods: int, sections: list[int], progress) -> tuple[int, str | None]:
    """The running yearly campaign of the general modules: opened three weeks ago, due in two. On the
    first run, with the history before it; later runs only assign whoever is missing."""
    campaign = session.scalar(select(Campaign).where(Campaign.name_en == DEMO_CAMPAIGN[1]))
    history = None
    if campaign is None:
        today = tokyo_date(clock.now())
        compliance = session.scalar(select(User).where(User.login_id == "compliance"))
        draft = CampaignDraft(
            name_ja=DEMO_CAMPAIGN[0],
            name_en=DEMO_CAMPAIGN[1],
            module_ids=[e.module_id for e in published_editions(session) if not is_role_module(e.module.slug)],
            whole_organisation=True,
            include_ids=[],
            exclude_ids=[],
            opens_on=max(today - timedelta(days=21), period_containing(today, "yearly")[0]),
            due_on=today + timedelta(days=14),
            recurrence="yearly",
            pledge_ids=pledges.pledge_ids(session),
        )
        campaign = create_campaign(session, draft, compliance.id)
        pin_editions(session, campaign)
        # People move between the generated sections, or (small demo) the fixed staff departments.
        places = sections or _staff_department_ids(session)
        history = generate(session, campaign, places, periods, compliance.id, progress)
    pledges.include(session, campaign)
    created = launch(session, campaign, actor_id=None)
    pledges.signed_by_some(session, campaign)
    return created, history


def _staff_department_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Department.id).where(Department.code.in_(STAFF_DEPARTMENTS))))

"""The demo organisation: two companies, their departments, ~60 people, demo accounts, assignments.

Idempotent: a second run adds only what is missing. Never used in production (see config).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, RoleGrant, User
from learning.accounts.passwords import hash_password
from learning.accounts.second_factor import new_secret
from learning.authz import PRIVILEGED_ROLES, Role
from learning.courses.services import published_editions
from learning.training.models import Assignment
from learning.training.services import assign

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
    ("G", "デモ電力送配電株式会社", "Demo Electric Power Grid Co., Inc.", None),
    ("G-NW", "ネットワーク本部", "Network Division", "G"),
    ("G-NC-E", "東ネットワークセンター", "East Network Centre", "G-NW"),
    ("G-NC-W", "西ネットワークセンター", "West Network Centre", "G-NW"),
    ("G-CC", "託送コールセンター", "Wheeling Call Centre", "G-NW"),
    ("G-ADMIN", "総務部", "General Affairs Department", "G"),
]

# login id, employee number, name, department, role granted (with the department scope for managers)
DEMO_ACCOUNTS = [
    ("learner", "D0001", "山田 花子", "R-BR-N-S", None),
    ("manager", "D0002", "佐藤 健一", "R-BR-N", Role.MANAGER),
    ("desk", "D0003", "鈴木 美咲", "R-COMP", Role.DESK),
    ("trainer", "D0004", "高橋 誠", "R-COMP", Role.TRAINER),
    ("compliance", "D0005", "田中 直子", "R-COMP", Role.COMPLIANCE),
    ("auditor", "D0006", "伊藤 大輔", "R-AUDIT", Role.AUDITOR),
    ("admin", "D0007", "渡辺 翔", "R-IT", Role.ADMIN),
]
MANAGER_SCOPES = ("R-BR-N", "R-BR-S", "R-CC")  # the demo manager heads these subtrees

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


def seed(session: Session, employees: int = 60, due_days: int = 30) -> str:
    """Creates whatever part of the demo organisation is missing; returns a one-line summary."""
    departments = _departments(session)
    users = _demo_accounts(session, departments) + _staff(session, departments, employees - len(DEMO_ACCOUNTS))
    created = _assignments(session, users, due_days)
    return f"demo: {len(departments)} departments, {len(users)} people, {created} new assignments"


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


def _demo_accounts(session: Session, departments: dict[str, Department]) -> list[User]:
    now = clock.now()
    password_hash = None
    users = []
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
                # Privileged demo accounts come enrolled; `flask --app app demo code LOGIN` shows the code.
                totp_secret=new_secret() if role in PRIVILEGED_ROLES else None,
            )
            session.add(user)
            session.flush()
            scopes = MANAGER_SCOPES if role == Role.MANAGER else (None,)
            for scope in scopes if role else ():
                session.add(
                    RoleGrant(
                        user_id=user.id,
                        role=role,
                        granted_at=now,
                        department_id=departments[scope].id if scope else None,
                    )
                )
        users.append(user)
    return users


def _staff(session: Session, departments: dict[str, Department], count: int) -> list[User]:
    rng = random.Random(20230329)  # fixed: the same demo people on every machine
    numbers = [f"E{n:05d}" for n in range(1, count + 1)]
    existing = {u.employee_no: u for u in session.scalars(select(User).where(User.employee_no.in_(numbers)))}
    users = []
    for number in numbers:
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"
        department = departments[rng.choice(STAFF_DEPARTMENTS)]
        user = existing.get(number)
        if user is None:
            user = User(
                employee_no=number,
                name=name,
                email=f"{number.lower()}@demo.invalid",
                department_id=department.id,
                is_demo=True,
                locale="ja",
                status="active",
            )
            session.add(user)
        users.append(user)
    session.flush()
    return users


def _assignments(session: Session, users: list[User], due_days: int) -> int:
    editions = published_editions(session)
    have = set(session.execute(select(Assignment.user_id, Assignment.edition_id)))
    due = clock.now() + timedelta(days=due_days)
    created = 0
    for user in users:
        for edition in editions:
            if (user.id, edition.id) not in have:
                assign(session, user.id, edition, due, reason="demo")
                created += 1
    session.flush()
    return created

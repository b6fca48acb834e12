"""The demo's notices: the president's message to everyone, asking for acknowledgement (written by `compliance`,
approved by the second compliance officer `officer`), read and confirmed by some of the staff; and a pinned
notice for the retail company. Idempotent: a notice already there (by its English title) is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import Department, User
from learning.announcements import services
from learning.announcements.models import Notice, NoticeReceipt

PRESIDENT_JA = "\n".join(
    [
        "グループの皆さんへ",
        "",
        (
            "2020年4月の送配電部門の法的分離により、送配電会社と、グループの発電・小売会社には行為"
            "規制が課されています。送配電の業務を通じて知った情報を、その目的以外に使うことも、ほかに伝"
            "えることもできません。グループの小売会社を有利に扱うこともできません。"
        ),
        "",
        (
            "2022年12月以降、複数の電力グループで、小売会社の社員が送配電会社のシステムで新電力の"
            "お客さまの情報を閲覧できる状態にあったことが明らかになりました。「見ただけで、使っていない"
            "」場合も違反です。情報を扱う一人ひとりの行動が、電力市場の公正な競争と、お客さまからの信頼"
            "を支えています。"
        ),
        "",
        "皆さんにお願いしたいことは三つです。",
        "",
        "1. **一人にひとつのID。** IDやパスワードを貸し借りしない、共有フォルダに置かない。",
        (
            "2. **使えてしまっても使わない。** 異動前の権限、営業所に残った端末やログインアイコ"
            "ン、マスクされていない画面に気づいたら、使わずに報告する。"
        ),
        ("3. **迷ったら聞く。** 行為規制担当窓口に相談することは、決して評価を下げるものではありません。"),
        "",
        "年次の行為規制研修を期限までに修了し、この内容を読んだら「読みました」を押してください。",
    ]
)

PRESIDENT_EN = """To everyone in the group

Since the legal unbundling of the grid business in April 2020, the grid company and the group's generation
and retail companies are bound by the conduct rules. Information learned through wheeling work may not be used
for any other purpose or passed on, and the group's own retailer may not be favoured.

From December 2022 it came to light that in several power groups retail staff could view new entrants'
customer data in their grid companies' systems. Looking without using it is a breach too. Fair competition in
the electricity market, and our customers' trust, rest on how each of us handles information.

I ask three things of you:

1. **One person, one ID.** Never lend or borrow an ID or password, never keep them in a shared folder.
2. **If it works, still do not use it.** Access left over from a previous post, a grid terminal or login icon in
   a sales office, a screen that shows unmasked data: do not use it, report it.
3. **When unsure, ask.** Asking the conduct-rule desk is never a mark against you.

Please complete this year's conduct-rule training by its due date, and confirm below that you have read this."""

ICONS_JA = "\n".join(
    [
        (
            "小売会社の営業所・お客さまセンターで、送配電会社のシステムの端末やログインアイコン、ID・"
            "パスワードのメモが残っていないか、各職場で確認してください。"
        ),
        "",
        (
            "- 見つけたときは **使わずに**、行為規制担当窓口に連絡してください（ポータルの「窓口"
            "に質問する」から匿名でも連絡できます）。"
        ),
        "- 以前の業務で使っていたIDが今も使える場合も、同じように連絡してください。",
    ]
)

ICONS_EN = """In the retail company's sales offices and customer call centre, please check your workplace for
grid-company system terminals, login icons, or notes of IDs and passwords that are still in place.

- If you find one, **do not use it**: tell the conduct-rule desk (you can do so anonymously through "Ask the desk").
- Do the same if an ID from earlier work still works."""


def seed(session: Session, departments: dict[str, Department]) -> int:
    """Creates the demo notices that are missing; returns how many were created."""
    author = session.scalar(select(User).where(User.login_id == "compliance"))
    approver = session.scalar(select(User).where(User.login_id == "officer"))
    if author is None or approver is None:
        return 0
    existing = set(session.scalars(select(Notice.title_en)))
    today = clock.tokyo_date(clock.now())
    created = 0
    title = "A message from the President: keeping the conduct rules"
    if title not in existing:
        draft = services.NoticeDraft(
            kind="management",
            sender_ja="社長",
            sender_en="President",
            title_ja="社長メッセージ：行為規制を守るために",
            title_en=title,
            body_ja=PRESIDENT_JA,
            body_en=PRESIDENT_EN,
            everyone=True,
            departments=(),
            first_day=today - timedelta(days=6),
            last_day=None,
            pinned=False,
            requires_ack=True,
        )
        notice = services.create(session, draft, author.id)
        notice = services.submit(session, notice.id, notice.revision, author.id)
        notice = services.approve(session, notice.id, notice.revision, approver.id)
        _some_have_read(session, notice)
        created += 1
    title = "Check your workplace for grid-company terminals and login icons"
    if title not in existing:
        draft = services.NoticeDraft(
            kind="notice",
            sender_ja="",
            sender_en="",
            title_ja="送配電会社の端末・ログインアイコンが残っていないか確認してください",
            title_en=title,
            body_ja=ICONS_JA,
            body_en=ICONS_EN,
            everyone=False,
            departments=(departments["R"].id,),
            first_day=today - timedelta(days=3),
            last_day=today + timedelta(days=60),
            pinned=True,
            requires_ack=False,
        )
        notice = services.create(session, draft, author.id)
        services.publish(session, notice.id, notice.revision, author.id)
        created += 1
    return created


def _some_have_read(session: Session, notice: Notice) -> None:
    """Every third of the generated staff, and the demo department head, confirmed over the days since; the demo
    learner has not yet (so the button shows)."""
    people = session.execute(
        select(User.id, User.department_id, User.login_id)
        .where(User.is_demo.is_(True), User.status == "active")
        .order_by(User.employee_no)
    ).all()
    start = notice.shown_from
    rows = []
    for n, (user_id, department_id, login_id) in enumerate(people):
        if login_id == "manager" or (login_id is None and n % 3 == 0):
            at = start + timedelta(hours=9 + (n * 7) % 120)
            rows.append(
                {
                    "notice_id": notice.id,
                    "user_id": user_id,
                    "opened_at": at,
                    "acknowledged_at": at + timedelta(minutes=3),
                    "department_id": department_id,
                }
            )
    if rows:
        session.execute(insert(NoticeReceipt), rows)

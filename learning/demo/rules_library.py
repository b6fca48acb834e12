"""The demo rules library: the group's conduct-rule regulation (an outline), the guideline on proper electricity
trading (what it is and where it is published), a manual and a contact list, each in two versions so that the
history shows. The organisation's words are terms ({{grid_company}} …), as in the shipped modules. No article
numbers or figures are presented as law: the outline names what such a regulation covers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.models import User
from learning.rules import services
from learning.rules.models import RuleDocument

LIMIT = 10 * 1024 * 1024

REGULATION_V1 = {
    "ja": """# {{regulation}}（概要）

この文書は、デモ用に{{regulation}}が定める事項の骨子を示すものです。条文そのものではありません。

## 目的

{{grid_company}}の中立性を確保し、電気事業法が定める行為規制を{{group}}の全員が守るための社内のルールを定めます。

## 非公開情報の取扱い

- 託送供給の業務で知った非公開情報は、その業務の目的以外に使わず、他に提供しない。
- 非公開情報とは、託送供給やその関連業務に関する情報で、公表されておらず、小売などの競争に影響しうるもの。

## 差別的取扱いの禁止

{{grid_company}}は、グループの小売会社を他の小売電気事業者より有利に扱わない。

## 体制の整備

執務室の入退室管理、情報システムのアクセス制限と個人ごとの利用者識別を整える。

## 相談と報告

迷ったときは{{desk}}に相談する。違反のおそれに気づいたら、{{desk}}または{{whistleblowing_line}}に報告する。
""",
    "en": """# {{regulation}} (outline)

For the demo, this document outlines what the {{regulation}} covers. It is not the text of the regulation.

## Purpose

Rules of our own so that {{grid_company}} stays neutral and everyone in {{group}} keeps the conduct rules of
the Electricity Business Act.

## Handling non-public information

- Non-public information learned through wheeling work is used for that work only and given to no one else.
- Non-public information: information about wheeling and related work that has not been published and could
  affect competition in retail and similar businesses.

## No discriminatory treatment

{{grid_company}} does not treat the group's retailer more favourably than other retailers.

## Systems that make this hold

Entry control for the premises, access restrictions and individual user identification for the information
systems.

## Asking and reporting

When unsure, ask the {{desk}}. If you notice a possible breach, report it to the {{desk}} or the
{{whistleblowing_line}}.
""",
}

REGULATION_V2_ADDED = {
    "ja": """
## ID と端末

- ログイン ID は一人一つ。貸し借りや共有フォルダでの保管はしない。
- 異動や退職のときは、その日のうちに ID を変更・削除し、定期的に棚卸しする。
- 小売の執務室に{{grid_company}}の端末やログインのアイコンを置かない。

## 研修と理解度の確認

全役員・従業員が定期的に行為規制の研修を受け、理解度の確認を受ける。疑問点は{{desk}}が集めて答える。
""",
    "en": """
## IDs and terminals

- One login ID per person; never lent, borrowed or kept in a shared folder.
- At a transfer or departure the ID is changed or removed that day, and IDs are reviewed periodically.
- No {{grid_company}} terminal or login icon in the retail company's offices.

## Training and checks of understanding

Every officer and employee takes conduct-rule training periodically, with a check of understanding. The
{{desk}} collects the questions and answers them.
""",
}

GUIDELINE = {
    "ja": """# 適正な電力取引についての指針

公正取引委員会と経済産業省が共同で定めている指針です。電力の取引で、独占禁止法と電気事業法の観点から
望ましい行為と問題となる行為を示しています。送配電部門の中立性や、非公開情報の扱いについての考え方も
含まれます。

## 本文の入手先

指針は改定されることがあります。本文は、公正取引委員会と経済産業省のウェブサイトで公表されている最新版を
確認してください。この文書は指針の写しではなく、その案内です。

## 社内での扱い

業務で判断に迷うときは、指針の本文と{{regulation}}を確かめ、{{desk}}に相談してください。
""",
    "en": """# Guideline on proper electricity trading

A guideline issued jointly by the Japan Fair Trade Commission and the Ministry of Economy, Trade and
Industry. It sets out, from the standpoint of the Antimonopoly Act and the Electricity Business Act, which
conduct in electricity trading is desirable and which is a problem, including how the grid business stays
neutral and how non-public information is handled.

## Where to find the text

The guideline is revised from time to time. Read the latest text as published on the websites of the Japan
Fair Trade Commission and of the Ministry of Economy, Trade and Industry. This page introduces the
guideline; it is not a copy of it.

## In our work

When a case is unclear, check the guideline's text and the {{regulation}}, and ask the {{desk}}.
""",
}

MANUAL = {
    "ja": """# 非公開情報の取扱い手引き

## 画面に見えてしまったとき

システムの不具合などで非公開情報が見えたら、それ以上見ずに画面を閉じ、{{desk}}に報告します。

## 名義が合わない切替えの申込み

小売の側から{{grid_company}}の記録を調べて理由を探してはいけません。決められた手続きで照会します。

## 委託先に渡す情報

他社のお客さまの情報を、グループの委託先に渡してはいけません。迷ったら{{desk}}へ。
""",
    "en": """# Handling non-public information: a manual

## When it shows on your screen

If a defect shows non-public information, stop, close the screen and report it to the {{desk}}.

## A switching request whose names do not match

The retail side may not look up {{grid_company}}'s records to find out why. Use the proper channel.

## Information for contractors

Never give other retailers' customers' details to a group contractor. When unsure, ask the {{desk}}.
""",
}

CONTACTS = {
    "ja": """# 行為規制の相談先

| 相談先 | 受け付けること | 連絡方法 |
|---|---|---|
| {{desk}} | 行為規制についての質問・相談 | ポータルの「窓口に質問」（匿名も可） |
| {{compliance_office}} | 規程・研修についての問合せ | 社内メール（デモ） |
| {{whistleblowing_line}} | 違反のおそれの通報 | 社内の通報手続き（デモ） |
""",
    "en": """# Whom to ask about the conduct rules

| Contact | For | How |
|---|---|---|
| {{desk}} | questions about the conduct rules | the portal's "Ask the desk" (anonymously too) |
| {{compliance_office}} | the regulation and training | internal email (demo) |
| {{whistleblowing_line}} | reporting a possible breach | the internal reporting procedure (demo) |
""",
}


def _text(language: str, *parts: dict) -> str:
    return "".join(part[language] for part in parts)


def seed(session: Session) -> int:
    """Adds the demo documents that are missing; returns how many were added."""
    if session.scalar(select(RuleDocument.id).limit(1)) is not None:
        return 0
    actor = session.scalar(select(User.id).where(User.login_id == "compliance"))
    today = clock.tokyo_date(clock.now())
    documents = [
        (
            "conduct-regulation",
            "regulation",
            ("行為規制遵守規程", "Conduct Rules Compliance Regulation"),
            [
                (date(2020, 4, 1), ("法的分離に合わせて制定。", "Issued with legal unbundling."), REGULATION_V1, False),
                (
                    date(2024, 4, 1),
                    (
                        "2022〜2023年の事案を受けて、IDと端末の管理、研修と理解度の確認を加えました。",
                        "After the cases of 2022–2023: IDs and terminals, training and checks of understanding added.",
                    ),
                    {lang: _text(lang, REGULATION_V1, REGULATION_V2_ADDED) for lang in ("ja", "en")},
                    True,
                ),
            ],
        ),
        (
            "electricity-trading-guideline",
            "guideline",
            ("適正な電力取引についての指針", "Guideline on proper electricity trading"),
            [
                (
                    date(2020, 4, 1),
                    ("案内を掲載。", "Introduction published."),
                    _without_last_heading(GUIDELINE),
                    False,
                ),
                (
                    date(2024, 4, 1),
                    ("社内での扱いを加えました。", "How we use it at work added."),
                    GUIDELINE,
                    False,
                ),
            ],
        ),
        (
            "non-public-information-manual",
            "manual",
            ("非公開情報の取扱い手引き", "Handling non-public information: a manual"),
            [
                (date(2023, 4, 1), ("初版。", "First edition."), _without_last_heading(MANUAL), False),
                (
                    date(2024, 10, 1),
                    ("委託先に渡す情報について加えました。", "Information for contractors added."),
                    MANUAL,
                    True,
                ),
            ],
        ),
        (
            "contacts",
            "contacts",
            ("行為規制の相談先", "Whom to ask about the conduct rules"),
            [
                (date(2023, 4, 1), ("初版。", "First edition."), CONTACTS, False),
                (
                    today + timedelta(days=30),
                    ("来月からの相談先（予定）。", "Contacts from next month (scheduled)."),
                    CONTACTS,
                    False,
                ),
            ],
        ),
    ]
    for slug, kind, (title_ja, title_en), versions in documents:
        document = services.create_document(session, actor, slug, kind, title_ja, title_en)
        for day, (changes_ja, changes_en), bodies, ack in versions:
            draft = services.VersionDraft(day, changes_ja, changes_en, bodies["ja"], bodies["en"], None, None, ack)
            services.add_version(session, document, actor, draft, LIMIT)
    return len(documents)


def _without_last_heading(text: dict) -> dict:
    """The first edition of a demo document: its text up to the last heading (a later version adds that)."""
    return {lang: body[: body.rfind("\n## ")] + "\n" for lang, body in text.items()}

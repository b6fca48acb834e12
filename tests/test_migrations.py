"""Migrations and models agree: autogenerate against a migrated database finds nothing to do."""

import json
import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from learning import migrate
from learning.desk.models import CODE_ALPHABET, CODE_LENGTH
from learning.models import metadata


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_existing_desk_questions_get_random_codes(tmp_path):
    """0015 gives every question already asked a code of its own (SQLite here; the step is plain SQL)."""
    url = f"sqlite:///{tmp_path / 'codes.db'}"
    migrate.upgrade(url, "0013")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(5):
            conn.execute(
                text(
                    "INSERT INTO desk_questions (claim_hash, category, body, status, locale, asked_at) "
                    "VALUES (:hash, 'other', 'q', 'new', 'ja', '2026-12-01 00:00:00')"
                ),
                {"hash": f"h{n}"},
            )
    migrate.upgrade(url)
    with engine.connect() as conn:
        codes = conn.scalars(text("SELECT code FROM desk_questions")).all()
    engine.dispose()
    assert len(codes) == len(set(codes)) == 5
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", code) for code in codes)


def test_exemptions_are_rebuilt_from_the_trail_and_the_rows_in_force(tmp_path):
    """0020: every exemption the trail tells of (a grant while one is in force replaces it; an end lifts it or,
    with no one acting, expires it; a completion since ends it), then those in force the trail does not know
    (rows written in bulk)."""
    url = f"sqlite:///{tmp_path / 'exemptions.db'}"
    migrate.upgrade(url, "0018")
    engine = create_engine(url)
    person = (
        "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, is_demo, "
        "created_at) VALUES (:id, :no, :no, 'ja', 'active', 1, 0, 0, '2026-04-01 00:00:00.000000')"
    )
    assignment = (
        "INSERT INTO assignments (id, user_id, edition_id, reason, status, assigned_at, due_at, last_section, "
        "sections_done, exempt_reason, exempt_until, exempted_by_id) VALUES (:id, 2, 1, 'campaign', :status, "
        "'2026-04-01 00:00:00.000000', '2026-06-30 14:59:59.000000', 0, 0, :reason, :until, :by)"
    )
    event = (
        "INSERT INTO audit_events (at, actor_id, action, outcome, target_type, target_id, details, prev_hash, hash) "
        "VALUES (:at, :actor, :action, 'success', 'assignment', :target, :details, '', :hash)"
    )
    until = "2026-09-30T14:59:59+00:00"
    with engine.begin() as conn:
        conn.execute(text(person), [{"id": 1, "no": "C1"}, {"id": 2, "no": "P1"}])
        conn.execute(
            text(assignment),
            [
                {"id": 1, "status": "exempt", "reason": "三度目", "until": "2026-09-30 14:59:59.000000", "by": 1},
                {"id": 2, "status": "exempt", "reason": "一括", "until": "2027-03-31 14:59:59.000000", "by": None},
                {"id": 3, "status": "assigned", "reason": "期限切れ", "until": None, "by": 1},
                {"id": 4, "status": "completed", "reason": "受講した", "until": None, "by": 1},
            ],
        )
        happened = [
            (1, "exemption_granted", 1, {"reason": "一度目", "until": until, "user_id": 2}),
            (1, "exemption_ended", 1, {"expired": False, "user_id": 2}),
            (1, "exemption_granted", 1, {"reason": "二度目", "until": until, "user_id": 2}),
            (3, "exemption_granted", 1, {"reason": "期限切れ", "until": until, "user_id": 2}),
            (1, "exemption_granted", 1, {"reason": "三度目", "until": until, "user_id": 2}),
            (3, "exemption_ended", None, {"expired": True, "user_id": 2}),
            (4, "exemption_granted", 1, {"reason": "受講した", "until": until, "user_id": 2}),
        ]
        conn.execute(text("UPDATE assignments SET completed_at = '2026-04-09 01:00:00.000000' WHERE id = 4"))
        conn.execute(
            text(event),
            [
                {"at": f"2026-04-0{n + 1} 01:00:00.000000", "actor": actor, "action": action, "target": str(target),
                 "details": json.dumps(details), "hash": f"h{n}"}
                for n, (target, action, actor, details) in enumerate(happened)
            ],
        )  # fmt: skip
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT assignment_id, reason, granted_by_id, granted_at, until, ended_at, ended_by_id, ended_how "
                "FROM exemptions ORDER BY assignment_id, granted_at"
            )
        ).all()
    engine.dispose()
    day = "2026-04-0{} 01:00:00.000000".format
    assert [tuple(r) for r in rows] == [
        (1, "一度目", 1, day(1), "2026-09-30 14:59:59.000000", day(2), 1, "lifted"),
        (1, "二度目", 1, day(3), "2026-09-30 14:59:59.000000", day(5), 1, "replaced"),
        (1, "三度目", 1, day(5), "2026-09-30 14:59:59.000000", None, None, None),
        (2, "一括", None, "2026-04-01 00:00:00.000000", "2027-03-31 14:59:59.000000", None, None, None),
        (3, "期限切れ", 1, day(4), "2026-09-30 14:59:59.000000", day(6), None, "expired"),
        (4, "受講した", 1, day(7), "2026-09-30 14:59:59.000000", "2026-04-09 01:00:00.000000", 2, "completed"),
    ]

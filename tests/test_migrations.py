"""Migrations and models agree: autogenerate against a migrated database finds nothing to do."""

import json
import re
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from learning import migrate
from learning.desk.models import CODE_ALPHABET, CODE_LENGTH
from learning.models import metadata
from learning.quizzes.models import Attempt
from learning.search.models import is_model_object
from tests.conftest import PG_URL


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_name": is_model_object}), metadata
        )
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


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own: a SQLite file, or the PostgreSQL test database emptied and, afterwards, put
    back at head and empty as the run's other tests expect it."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    migrate.reset_postgresql(PG_URL)
    try:
        yield PG_URL
    finally:
        migrate.reset_postgresql(PG_URL)
        migrate.upgrade(PG_URL)


def test_existing_duplicates_are_set_aside_for_the_invariants(scratch_url):
    """0022, on both databases: of an assignment's open attempts the newest stays open, the older are
    abandoned; of a module's editions in the works the one in review (else the highest version) stays, of
    its published ones the highest version; the others are retired. Uploads waiting to be applied stay
    pending."""
    url = scratch_url
    migrate.upgrade(url, "0021")
    engine = create_engine(url)
    at = "2026-05-01 00:00:00.000000"
    edition = (
        "INSERT INTO editions (id, module_id, version, label, status, title_ja, title_en, summary_ja, summary_en, "
        "minutes, pass_mark, draw, content_hash, created_at) VALUES (:id, :module, :version, '2026', :status, "
        "'t', 't', '', '', 10, 60, 3, '', :at)"
    )
    attempt = (
        "INSERT INTO attempts (id, assignment_id, user_id, edition_id, number, started_at, submitted_at, "
        "question_count, score, passed) VALUES (:id, :assignment, 1, 2, :number, :at, :submitted, 3, :score, :passed)"
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                "is_demo, created_at) VALUES (1, 'P1', 'P1', 'ja', 'active', 1, false, false, :at)"
            ),
            {"at": at},
        )
        conn.execute(text("INSERT INTO modules (id, slug, created_at) VALUES (1, 'a', :at), (2, 'b', :at)"), {"at": at})
        conn.execute(
            text(edition),
            [
                {"id": n, "module": module, "version": version, "status": status, "at": at}
                for n, (module, version, status) in enumerate(
                    [(1, 1, "published"), (1, 2, "published"), (1, 3, "draft"), (1, 4, "review"), (1, 5, "draft"),
                     (2, 1, "draft"), (2, 2, "draft")],
                    1,
                )
            ],
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO assignments (id, user_id, edition_id, reason, status, assigned_at, due_at, last_section, "
                "sections_done) VALUES (1, 1, 2, 'test', 'in_progress', :at, :at, 0, 0), "
                "(2, 1, 2, 'test', 'in_progress', :at, :at, 0, 0)"
            ),
            {"at": at},
        )
        conn.execute(
            text(attempt),
            [
                {"id": 1, "assignment": 1, "number": 1, "at": at, "submitted": at, "score": 100, "passed": True},
                *[{"id": n, "assignment": 1, "number": n, "at": at, "submitted": None, "score": None, "passed": None}
                  for n in (2, 3, 4)],
                {"id": 5, "assignment": 2, "number": 1, "at": at, "submitted": None, "score": None, "passed": None},
            ],
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO pending_imports (id, kind, filename, data, uploaded_by_id, uploaded_at) "
                "VALUES (1, 'roster', 'r.csv', :data, 1, :at)"
            ),
            {"at": at, "data": b"A"},
        )
    before = datetime.now(UTC)
    migrate.upgrade(url)
    with engine.connect() as conn:
        editions = conn.execute(text("SELECT id, status FROM editions ORDER BY id")).all()
        done, set_aside = Attempt.submitted_at.is_not(None), Attempt.abandoned_at.is_not(None)
        attempts = conn.execute(select(Attempt.id, done, set_aside).order_by(Attempt.id)).all()
        pending = conn.execute(text("SELECT status, applied_at, data FROM pending_imports")).one()
        abandoned = conn.scalar(select(Attempt.abandoned_at).where(Attempt.id == 2))
    engine.dispose()
    assert [tuple(r) for r in editions] == [
        (1, "retired"), (2, "published"), (3, "retired"), (4, "review"), (5, "retired"), (6, "retired"), (7, "draft"),
    ]  # fmt: skip
    assert [tuple(r) for r in attempts] == [
        (1, True, False), (2, False, True), (3, False, True), (4, False, False), (5, False, False),
    ]  # fmt: skip
    assert tuple(pending) == ("pending", None, b"A")
    assert abandoned.tzinfo is UTC and abandoned >= before  # when it was set aside, as the app reads times


def test_completed_assignments_get_certificate_numbers(scratch_url):
    """0029, on both databases: every completed assignment, a closed period's frozen ones too, gets a random
    number of its own, issued at its completion; nothing else gets one."""
    url = scratch_url
    migrate.upgrade(url, "0028")
    engine = create_engine(url)
    at, done = "2026-05-01 00:00:00.000000", "2026-06-02 03:00:00.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                "is_demo, created_at) VALUES (1, 'P1', 'P1', 'ja', 'active', 1, false, false, :at)"
            ),
            {"at": at},
        )
        conn.execute(text("INSERT INTO modules (id, slug, created_at) VALUES (1, 'a', :at)"), {"at": at})
        conn.execute(
            text(
                "INSERT INTO editions (id, module_id, version, label, status, title_ja, title_en, summary_ja, "
                "summary_en, minutes, pass_mark, draw, content_hash, created_at) VALUES (1, 1, 1, '2026', "
                "'published', 't', 't', '', '', 10, 60, 3, '', :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO assignments (id, user_id, edition_id, reason, status, assigned_at, due_at, last_section, "
                "sections_done, completed_at, frozen_at) VALUES (:id, 1, 1, 'test', :status, :at, :at, 0, 0, "
                ":done, :frozen)"
            ),
            [
                {"id": 1, "status": "completed", "at": at, "done": done, "frozen": None},
                {"id": 2, "status": "completed", "at": at, "done": done, "frozen": done},  # a closed period's
                {"id": 3, "status": "assigned", "at": at, "done": None, "frozen": None},
            ],
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT assignment_id, number, issued_at FROM certificates ORDER BY assignment_id")
        ).all()
    engine.dispose()
    assert [r.assignment_id for r in rows] == [1, 2]
    assert rows[0].number != rows[1].number
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{16}}", r.number) for r in rows)
    assert {str(r.issued_at)[:19] for r in rows} == {"2026-06-02 03:00:00"}


def test_reminders_already_sent_keep_the_due_date_they_were_sent_for(scratch_url):
    """0032, on both databases: each reminder row gets the due date the assignment had when it was written
    (the previous due date of the first extension after it, else the due date now), so the steps already
    passed stay passed for that date and an extension's new date has steps of its own."""
    url = scratch_url
    migrate.upgrade(url, "0031")
    engine = create_engine(url)
    at, june, july = "2026-04-01 00:00:00.000000", "2026-06-30 14:59:59.000000", "2026-07-31 14:59:59.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                "is_demo, created_at) VALUES (1, 'P1', 'P1', 'ja', 'active', 1, false, false, :at)"
            ),
            {"at": at},
        )
        conn.execute(text("INSERT INTO modules (id, slug, created_at) VALUES (1, 'a', :at)"), {"at": at})
        conn.execute(
            text(
                "INSERT INTO editions (id, module_id, version, label, status, title_ja, title_en, summary_ja, "
                "summary_en, minutes, pass_mark, draw, content_hash, created_at) VALUES (1, 1, 1, '2026', "
                "'published', 't', 't', '', '', 10, 60, 3, '', :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO campaigns (id, name_ja, name_en, status, whole_organisation, recurrence, opens_on, "
                "due_on, period_start, period_end, event_due_days, reminder_days, escalate_after_days, created_at, "
                "revision) VALUES (1, 'c', 'c', 'running', true, 'yearly', '2026-04-01', '2026-06-30', "
                "'2026-04-01', '2027-04-01', 30, '14,7,1', 7, :at, 1)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO assignments (id, user_id, edition_id, campaign_id, reason, status, assigned_at, due_at, "
                "last_section, sections_done) VALUES (1, 1, 1, 1, 'campaign', 'assigned', :at, :july, 0, 0), "
                "(2, 1, 1, NULL, 'manual', 'assigned', :at, :june, 0, 0)"
            ),
            {"at": at, "june": june, "july": july},
        )
        conn.execute(
            text(
                "INSERT INTO due_extensions (id, campaign_id, scope, user_id, due_on, reason, extended_by_id, "
                "extended_at, assignments) VALUES (1, 1, 'person', 1, '2026-07-31', 'r', 1, "
                "'2026-06-30 01:00:00.000000', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO due_extension_items (id, extension_id, assignment_id, previous_due_at, new_due_at) "
                "VALUES (1, 1, 1, :june, :july)"
            ),
            {"june": june, "july": july},
        )
        conn.execute(
            text(
                "INSERT INTO reminder_log (id, assignment_id, step, at) VALUES "
                "(1, 1, 'before:1', '2026-06-29 01:00:00.000000'), "  # before the extension: for 30 June
                "(2, 1, 'before:14', '2026-07-17 01:00:00.000000'), "  # after it: for 31 July
                "(3, 2, 'before:7', '2026-06-23 01:00:00.000000')"  # never extended: its due date
            )
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, due_at FROM reminder_log ORDER BY id")).all()
    engine.dispose()
    assert [(r.id, str(r.due_at)[:19]) for r in rows] == [
        (1, "2026-06-30 14:59:59"),
        (2, "2026-07-31 14:59:59"),
        (3, "2026-06-30 14:59:59"),
    ]


def test_notices_with_receipts_take_the_heads_only_column(scratch_url):
    """0037 on a database that holds notices and their receipts (a batch would have recreated `notices`, which
    the receipts refer to, and failed): every notice stays, addressed as before (not to heads only)."""
    url = scratch_url
    migrate.upgrade(url, "0036")
    engine = create_engine(url)
    at = "2026-04-01 00:00:00.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                "is_demo, created_at) VALUES (1, 'P1', 'P1', 'ja', 'active', 1, false, false, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO notices (id, kind, title_ja, title_en, body_ja, body_en, everyone, shown_from, pinned, "
                "requires_ack, status, revision, created_by_id, created_at, edited_by_id, edited_at) VALUES "
                "(1, 'notice', 't', 't', 'b', 'b', true, :at, false, false, 'published', 1, 1, :at, 1, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text("INSERT INTO notice_receipts (id, notice_id, user_id, opened_at) VALUES (1, 1, 1, :at)"), {"at": at}
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, heads_only FROM notices")).all() == [(1, False)]
        assert conn.execute(text("SELECT notice_id, user_id FROM notice_receipts")).all() == [(1, 1)]
    engine.dispose()


def test_deputies_and_sso_states_take_their_new_columns(scratch_url):
    """0042 on a database holding a deputy and a sign-in on its way: both stay as they were, the deputy with no
    last day (in force until removed) and the state no re-authentication."""
    url = scratch_url
    migrate.upgrade(url, "0041")
    engine = create_engine(url)
    at = "2026-04-01 00:00:00.000000"
    with engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO users (id, employee_no, name, locale, status, session_version, "
                    "must_change_password, is_demo, created_at) VALUES (:n, :no, :no, 'ja', 'active', 1, false, "
                    "false, :at)"
                ),
                {"n": n, "no": f"P{n}", "at": at},
            )
        conn.execute(
            text("INSERT INTO departments (id, code, name_ja, name_en, status) VALUES (1, 'D', 'd', 'd', 'active')")
        )
        conn.execute(
            text(
                "INSERT INTO inspection_deputies (id, department_id, deputy_id, delegated_by_id, created_at) "
                "VALUES (1, 1, 2, 1, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO sso_states (state_hash, nonce, code_verifier, next_url, created_at) "
                "VALUES (:h, 'n', 'v', '/', :at)"
            ),
            {"h": "a" * 64, "at": at},
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, deputy_id, ends_on, ended_at FROM inspection_deputies")).all() == [
            (1, 2, None, None)
        ]
        assert conn.execute(text("SELECT nonce, reauth_user_id, reauthenticated_at FROM sso_states")).all() == [
            ("n", None, None)
        ]
        assert conn.execute(text("SELECT count(*) FROM pledge_pending")).scalar() == 0
    engine.dispose()


def test_access_review_items_take_contractor_accounts_and_people_an_employment_type(scratch_url):
    """0044 on a database holding a review and its items (SQLite rebuilds access_review_items to change its
    CHECK): every item stays, the dormant index still holds, a contractor item is taken once per person, and an
    employment type outside the list is refused."""
    url = scratch_url
    migrate.upgrade(url, "0043")
    engine = create_engine(url)
    at = "2026-04-01 00:00:00.000000"
    with engine.begin() as conn:
        for uid in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                    "is_demo, created_at) VALUES (:id, :no, :no, 'ja', 'active', 1, false, false, :at)"
                ),
                {"id": uid, "no": f"P{uid}", "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO access_reviews (id, title, opened_by_id, opened_at, due_on, dormant_days) "
                "VALUES (1, 'r', 1, :at, '2026-05-01', 90)"
            ),
            {"at": at},
        )
        conn.execute(text("INSERT INTO access_review_items (id, review_id, kind, user_id) VALUES (1, 1, 'dormant', 2)"))
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, kind, user_id FROM access_review_items")).all() == [(1, "dormant", 2)]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO access_review_items (id, review_id, kind, user_id) VALUES (2, 1, 'contractor', 2)")
        )
        conn.execute(text("UPDATE users SET employment_type = 'secondee' WHERE id = 1"))
    for statement in (
        "INSERT INTO access_review_items (id, review_id, kind, user_id) VALUES (3, 1, 'dormant', 2)",
        "INSERT INTO access_review_items (id, review_id, kind, user_id) VALUES (3, 1, 'contractor', 2)",
        "INSERT INTO access_review_items (id, review_id, kind, user_id) VALUES (3, 1, 'other', 1)",
        "UPDATE users SET employment_type = 'intern' WHERE id = 2",
    ):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT employment_type FROM users ORDER BY id")).scalars().all() == ["secondee", None]
    engine.dispose()


def test_assignments_keep_their_rows_and_frozen_periods_stay_frozen_through_0045(scratch_url):
    """0045, on both databases: the contract columns are added in place (no rebuild), so every assignment is
    kept with them empty, and a closed period's frozen row is still refused any change (the triggers stand)."""
    url = scratch_url
    migrate.upgrade(url, "0044")
    engine = create_engine(url)
    at = "2026-05-01 00:00:00.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, employee_no, name, locale, status, session_version, must_change_password, "
                "is_demo, created_at) VALUES (1, 'P1', 'P1', 'ja', 'active', 1, false, false, :at)"
            ),
            {"at": at},
        )
        conn.execute(text("INSERT INTO modules (id, slug, created_at) VALUES (1, 'a', :at)"), {"at": at})
        conn.execute(
            text(
                "INSERT INTO editions (id, module_id, version, label, status, title_ja, title_en, summary_ja, "
                "summary_en, minutes, pass_mark, draw, content_hash, created_at) VALUES (1, 1, 1, '2026', "
                "'published', 't', 't', '', '', 10, 60, 3, '', :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO assignments (id, user_id, edition_id, reason, status, assigned_at, due_at, last_section, "
                "sections_done, frozen_at) VALUES (:id, 1, 1, 'test', 'assigned', :at, :at, 0, 0, :frozen)"
            ),
            [{"id": 1, "at": at, "frozen": None}, {"id": 2, "at": at, "frozen": at}],
        )
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, contract_id, contractor_company_id FROM assignments ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, None, None), (2, None, None)]
    with pytest.raises(Exception, match="frozen"), engine.begin() as conn:
        conn.execute(text("UPDATE assignments SET contract_id = 5 WHERE id = 2"))
    engine.dispose()

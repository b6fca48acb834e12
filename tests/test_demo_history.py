"""`demo seed --employees N --periods P`: an organisation with years of history that reports can show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.accounts.tree import parent_map, subtree
from learning.campaigns.models import Campaign
from learning.campaigns.periods import end_of_day
from learning.courses.formats.content import read_tree
from learning.courses.models import Edition
from learning.courses.services import import_modules, published_editions
from learning.demo.history import grow_departments
from learning.demo.organisation import DEMO_ACCOUNTS, seed
from learning.firstrun import CONTENT_DIR
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptQuestion
from learning.reports import charts, services
from learning.training.models import Assignment, Exemption

EVERYONE = services.Scope(None, None)
YEARLY = Campaign.name_en.like("FY%conduct-rule training (demo)")  # the series with history (not the role ones)
SEEDED_AT = datetime(2026, 12, 2, 3, tzinfo=UTC)  # fiscal 2026, its campaign running


@pytest.fixture
def seeded(app):
    """300 people over three yearly periods, seeded once through a normal transaction (as the CLI does). The
    history runs up to "now", so the clock is pinned: the same data whatever the day the suite runs."""
    clock.freeze(SEEDED_AT)
    session = app.extensions["db"].factory()
    import_modules(session, read_tree(CONTENT_DIR))
    summary = seed(session, employees=300, periods=3)
    session.commit()
    yield session, summary
    session.close()


def test_three_periods_form_one_series_the_last_running(seeded):
    session, summary = seeded
    campaigns = session.scalars(select(Campaign).where(YEARLY).order_by(Campaign.period_start)).all()
    assert [c.status for c in campaigns] == ["closed", "closed", "running"]
    assert len({c.series_id for c in campaigns}) == 1
    assert [c.period_start.year for c in campaigns] == [2024, 2025, 2026]  # today is in fiscal 2026
    assert "FY2024" in campaigns[0].name_en and "2024年度" in campaigns[0].name_ja
    assert summary.splitlines()[0].startswith("demo: 22 departments, 300 people")
    periods, overall, _ = services.trend(session, campaigns[-1], EVERYONE, "en")
    assert len(periods) == 3 and all(rate is not None for rate, _ in overall)


def test_closed_periods_look_like_real_ones(seeded):
    session, _ = seeded
    closed = session.scalars(select(Campaign).where(Campaign.status == "closed")).all()
    for campaign in closed:
        rows = services.department_report(session, campaign.id, EVERYONE, "en")
        total = services.organisation_total(rows)
        assert 0.85 < total.completion_rate < 1.0  # most, not all
        assert total.on_time < total.completed  # some finished late
        assert total.overdue > 0 and total.exempt > 0
        due = end_of_day(campaign.due_on)
        finished = session.scalars(
            select(Assignment.completed_at).where(
                Assignment.campaign_id == campaign.id, Assignment.status == "completed"
            )
        ).all()
        last_fortnight = sum(1 for at in finished if due - timedelta(days=14) <= at <= due)
        window = (due - end_of_day(campaign.opens_on)).days
        # Completions bunch before the deadline: far more than an even spread would put in two weeks.
        assert last_fortnight / len(finished) > 2 * 14 / window
        # Each exemption is in the register too, granted as the period opened, to the period's last day.
        exempt = session.scalars(
            select(Assignment.id).where(Assignment.campaign_id == campaign.id, Assignment.status == "exempt")
        ).all()
        kept = session.execute(
            select(Exemption.assignment_id, Exemption.until).where(Exemption.assignment_id.in_(exempt))
        ).all()
        last_day = end_of_day(campaign.period_end - timedelta(days=1))
        assert sorted(kept) == sorted((a, last_day) for a in exempt) and exempt


def test_every_completion_has_the_attempts_that_earned_it(seeded):
    session, _ = seeded
    completed = session.scalars(select(Assignment).where(Assignment.status == "completed")).all()
    attempts: dict[int, list[Attempt]] = {}
    for attempt in session.scalars(select(Attempt).order_by(Attempt.number)):
        attempts.setdefault(attempt.assignment_id, []).append(attempt)
    for assignment in completed:
        taken = attempts[assignment.id]
        assert [a.number for a in taken] == list(range(1, len(taken) + 1))
        assert taken[-1].passed and not any(a.passed for a in taken[:-1])
        assert assignment.best_score == max(a.score for a in taken)
        assert taken[-1].submitted_at <= assignment.quiz_passed_at <= assignment.completed_at
        assert assignment.completed_on == clock.tokyo_date(assignment.completed_at)  # written in bulk, too
    in_progress = session.scalars(select(Assignment.id).where(Assignment.status != "completed")).all()
    assert not any(a.passed for i in in_progress for a in attempts.get(i, []))
    scores = {a.best_score for a in completed}
    assert len(scores) >= 2 and min(scores) >= 80


def test_answers_show_weak_questions_to_the_trainer(seeded):
    session, _ = seeded
    flags = set()
    yearly = session.scalar(select(Campaign).where(YEARLY, Campaign.status == "running"))
    for edition_id in [cm.edition_id for cm in yearly.modules]:  # the role modules are new: no history yet
        figures, picks, _, attempts = services.item_analysis(session, edition_id)
        assert attempts > 0 and sum(picks.values()) > 0  # wrong choices were picked, and counted
        for figure in figures.values():
            flags.update(figure.flags)
    assert {"too_easy", "too_hard", "negative"} <= flags
    answered = session.scalar(select(func.count()).select_from(AttemptQuestion))
    picked = session.scalar(select(func.count()).select_from(AttemptAnswer))
    assert answered > 0 and picked >= answered


def test_transfers_are_recorded_and_people_end_where_they_moved(seeded):
    session, _ = seeded
    events = session.scalars(select(PersonnelEvent)).all()
    assert events and all(e.kind == "transfer" and e.processed_at is not None for e in events)
    last = {}
    for event in sorted(events, key=lambda e: e.at):
        last[event.user_id] = event.to_department_id
    for user_id, department_id in last.items():
        assert session.get(User, user_id).department_id == department_id


def test_ids_carry_on_after_the_bulk_write_and_a_second_seed_adds_nothing(seeded, app):
    session, _ = seeded
    before = session.scalar(select(func.count()).select_from(Assignment))
    again = seed(session, employees=300, periods=3)
    session.commit()
    assert "0 new assignments" in again and "history" not in again
    assert session.scalar(select(func.count()).select_from(Assignment)) == before
    # An ordinary insert after COPY with chosen ids: the sequence was moved past them.
    learner = session.scalar(select(User).where(User.login_id == DEMO_ACCOUNTS[0][0]))
    edition = published_editions(session)[0]
    extra = Assignment(
        user_id=learner.id,
        edition_id=edition.id,
        reason="demo",
        assigned_at=clock.now(),
        due_at=clock.now() + timedelta(days=7),
    )
    session.add(extra)
    session.commit()
    assert extra.id > session.scalar(select(func.max(Assignment.id)).where(Assignment.id != extra.id))


def test_a_large_organisation_gets_branches_with_sections(db):
    from learning.demo.organisation import _departments

    departments = _departments(db)
    sections = grow_departments(db, departments, employees=3000)
    assert len(departments) == 27 and len(sections) == 4  # 30 wanted, 22 fixed: one branch of four sections
    parents = {d.id: d for d in departments.values()}
    for section in sections:
        branch = parents[section.parent_id]
        assert section.name_ja.startswith(branch.name_ja) and parents[branch.parent_id].code in ("R-SALES", "G-NW")
    assert db.scalar(select(func.count()).select_from(Department)) == 27


def test_the_command_reports_what_it_made(app):
    session = app.extensions["db"].factory()
    import_modules(session, read_tree(CONTENT_DIR))
    session.commit()
    session.close()
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--employees", "40", "--periods", "2"])
    assert result.exit_code == 0, result.output
    assert "demo: 22 departments, 40 people" in result.output
    assert "history: 2 periods" in result.output
    refused = app.test_cli_runner().invoke(args=["demo", "seed", "--periods", "0"])
    assert refused.exit_code == 2 and "--periods" in refused.output


def test_every_assignment_with_attempts_has_its_best_score_and_the_heatmap_averages_them(seeded):
    """In progress or completed, an assignment with attempts carries the best of their scores, as the real
    quiz keeps it; so each cell of the running year's heatmap is the mean of its people's best scores."""
    session, _ = seeded
    best: dict[int, list[int]] = {}
    for assignment_id, score in session.execute(select(Attempt.assignment_id, Attempt.score)):
        best.setdefault(assignment_id, []).append(score)
    with_attempts = session.scalars(select(Assignment).where(Assignment.id.in_(best))).all()
    assert {a.status for a in with_attempts} == {"completed", "in_progress"}  # both kinds are generated
    assert [a.id for a in with_attempts if a.best_score != max(best[a.id])] == []

    running = session.scalar(select(Campaign).where(YEARLY, Campaign.status == "running"))
    rows = services.department_report(session, running.id, EVERYONE, "en")
    modules, cells = services.comprehension(session, running, EVERYONE, rows)
    parents = parent_map(session)
    people = session.execute(
        select(Assignment.best_score, User.department_id, Edition.module_id)
        .join(User, User.id == Assignment.user_id)
        .join(Edition, Edition.id == Assignment.edition_id)
        .where(Assignment.campaign_id == running.id, Assignment.status != "exempt", Assignment.id.in_(best))
    ).all()
    figure = charts.score_heatmap(rows, [(m, str(m)) for m in modules], cells, title="t", x_title="x", value_title="v")
    shown = 0
    for y, row in enumerate(rows):
        below = subtree([row.id], parents)
        for x, module in enumerate(modules):
            scores = [s for s, department, m in people if department in below and m == module]
            cell = cells[(row.id, module)]
            assert cell.total.scored == len(scores)
            if scores:
                assert cell.total.average == pytest.approx(sum(scores) / len(scores))
            if cell.shown and scores:
                shown += 1
                assert figure["data"][0]["z"][y][x] == round(sum(scores) / len(scores), 1)
                assert 40 <= cell.total.average <= 100  # a real spread of best scores, never 14.5
    assert shown >= 5


def test_the_demo_roster_has_an_officer_and_temporary_and_seconded_staff(seeded):
    session, _summary = seeded
    counts = dict(
        session.execute(
            select(User.employment_type, func.count()).where(User.kind == "employee").group_by(User.employment_type)
        ).all()
    )
    assert counts["officer"] == 1 and counts["temporary"] >= 10 and counts["secondee"] >= 10
    assert counts["regular"] > counts["temporary"] and None not in counts

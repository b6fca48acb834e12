"""The demo assigns each role module to the departments it fits (learning/demo/roles.py)."""

from datetime import UTC, datetime

from sqlalchemy import select

from learning import clock
from learning.accounts.models import Department, PersonnelEvent, User
from learning.campaigns.models import TransferRuleOutcome
from learning.courses.formats.content import read_tree
from learning.courses.models import Edition, Module
from learning.courses.services import import_modules
from learning.demo.organisation import seed
from learning.firstrun import CONTENT_DIR
from learning.training.models import Assignment

GENERAL = {"why-unbundling", "non-public-information", "ids-terminals-systems", "case-2022-2023", "when-in-doubt-ask"}
EVERYONE = {"reporting-a-breach"}  # a role module for the whole organisation
MOVING = "moving-between-grid-and-retail"
GRID_ROLES = {"grid-front-line", "contractors-consignment", "renewables-fit"}  # G-NC-E's and G-NC-W's
# The demo's two movers this year: (from, into) → what they hold after the move (before it, and the new one's).
MOVERS = {
    ("G-NC-E", "R-BR-N-S"): GRID_ROLES | {"retail-sales-field", MOVING},
    ("R-BR-S-S", "G-NC-W"): {"retail-sales-field", *GRID_ROLES, MOVING},
}
# Department → the role modules its people take (besides the five general ones and EVERYONE's). The
# officers' module is left out of the import below: its departments then take nothing of it.
EXPECTED = {
    "R-BR-N-S": {"retail-sales-field"},
    "R-BR-N-B": {"retail-sales-field"},
    "R-BR-S-S": {"retail-sales-field"},
    "R-CC": {"retail-call-centre", "contractors-consignment"},
    "G-NC-E": {"grid-front-line", "contractors-consignment", "renewables-fit"},
    "G-NC-W": {"grid-front-line", "contractors-consignment", "renewables-fit"},
    "G-CC": {"grid-front-line"},
    "R-IT": {"systems-design-operation", "contractors-consignment"},
    "G-IT": {"systems-design-operation", "contractors-consignment"},
    "R-HR": set(),  # the module on moving between the companies goes to the movers (transfer rules), below
    "G-ADMIN": set(),
    "R-EXEC": set(),
    "G-EXEC": set(),
    "R-COMP": set(),
}


def modules_by_person(session) -> dict[int, set[str]]:
    taken: dict[int, set[str]] = {}
    rows = session.execute(
        select(Assignment.user_id, Module.slug)
        .join(Edition, Edition.id == Assignment.edition_id)
        .join(Module, Module.id == Edition.module_id)
    )
    for user_id, slug in rows:
        taken.setdefault(user_id, set()).add(slug)
    return taken


def test_role_modules_go_to_the_departments_they_fit_and_a_module_not_in_content_is_skipped(app):
    clock.freeze(datetime(2026, 12, 2, 3, tzinfo=UTC))
    session = app.extensions["db"].factory()
    import_modules(session, [spec for spec in read_tree(CONTENT_DIR) if spec.slug != "officers"])
    seed(session, employees=200, periods=1)
    session.commit()
    taken = modules_by_person(session)
    departments = dict(session.execute(select(Department.id, Department.code)).all())
    people = session.execute(
        select(User.id, User.department_id, User.login_id).where(User.kind == "employee")  # contractors: no department
    ).all()
    moves = {
        e.user_id: (departments[e.from_department_id], departments[e.to_department_id])
        for e in session.scalars(
            select(PersonnelEvent).where(PersonnelEvent.processed_at > datetime(2026, 12, 1, tzinfo=UTC))
        )
    }
    assert sorted(moves.values()) == sorted(MOVERS)  # one person moved along each transfer rule this year
    seen = set()
    for user_id, department_id, login_id in people:
        code = departments[department_id]
        roles = taken[user_id] - GENERAL - EVERYONE
        assert taken[user_id] >= GENERAL | EVERYONE, (code, login_id)  # everyone takes the general modules
        if user_id in moves:
            assert roles == MOVERS[moves[user_id]], moves[user_id]
        elif login_id == "manager":
            assert (code, roles) == ("R-BR-N", {"retail-sales-field", "managers-first-line"})  # heads the branch
        elif code in EXPECTED:
            assert roles == EXPECTED[code], (code, login_id)
            seen.add(code)
    assert seen == set(EXPECTED)  # every listed department has people in a 200-person demo
    managers = [u for u, _, _ in people if "managers-first-line" in taken[u]]
    assert managers == [session.scalar(select(User.id).where(User.login_id == "manager"))]  # not their staff
    # The moving module only by the transfer rules, each firing recorded.
    assert sorted(u for u, _, _ in people if MOVING in taken[u]) == sorted(moves)
    fired = session.execute(select(TransferRuleOutcome.user_id, TransferRuleOutcome.outcome)).all()
    assert sorted(fired) == sorted((u, "assigned") for u in moves)
    # A second seed adds nothing.
    before = session.scalar(select(Assignment.id).order_by(Assignment.id.desc()).limit(1))
    assert "0 new assignments" in seed(session, employees=200, periods=1)
    assert session.scalar(select(Assignment.id).order_by(Assignment.id.desc()).limit(1)) == before
    session.close()

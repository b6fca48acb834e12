"""Learner pages issue a bounded number of SQL statements, however much data there is (no N+1)."""

from tests.conftest import post, sign_in
from tests.factories import make_assignment, make_edition, make_user
from tests.helpers import answers_for, counted, read_all_sections, start_quiz


def walk(app, db, client, modules: int, questions: int, draw: int) -> dict[str, int]:
    """Statements per page for a learner with `modules` assignments and a quiz of `draw` questions."""
    user = make_user(db)
    assignments = [
        make_assignment(db, user, make_edition(db, slug=f"m{modules}-{n}", sections=4, questions=questions, draw=draw))
        for n in range(modules)
    ]
    db.commit()
    sign_in(client, user.employee_no)
    first = assignments[0]
    read_all_sections(client, first.id, 4)
    attempt_id = start_quiz(client, first.id)
    pages = {
        "home": "/",
        "mine": "/training",
        "history": "/training/history",
        "overview": f"/training/{first.id}",
        "section": f"/training/{first.id}/sections/2",
        "quiz": f"/attempts/{attempt_id}",
        "status": "/api/v1/me/status",
    }
    counts = {}
    for name, path in pages.items():
        with counted(app) as statements:
            assert client.get(path).status_code == 200
        counts[name] = len(statements)
    with counted(app) as statements:
        post(client, f"/attempts/{attempt_id}", answers_for(db, attempt_id))
    counts["submit"] = len(statements)  # includes the home page fetched for the CSRF token
    with counted(app) as statements:
        assert client.get(f"/attempts/{attempt_id}").status_code == 200
    counts["result"] = len(statements)
    return counts


def test_learner_pages_do_not_grow_with_data(app, db, client):
    small = walk(app, db, client, modules=1, questions=4, draw=2)
    client.get("/logout")
    large = walk(app, db, app.test_client(), modules=8, questions=20, draw=12)
    assert small == large
    # 28: the submit fetches the home page for its CSRF token, and the home page reads the notices shown to the
    # person (one query: announcements.services.current_for), the rules most looked up (one query) and the
    # pledges campaigns ask them to sign (one query: campaigns.pledge_assignments.due_for).
    assert max(small.values()) <= 28, small

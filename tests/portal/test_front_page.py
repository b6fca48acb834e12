"""The front page people come back to: the rules most looked up lead to the document, and the search box
searches."""

from __future__ import annotations

import re
from datetime import date

from learning import clock
from learning.rules import services as rules
from tests.conftest import sign_in
from tests.factories import make_user
from tests.rules.test_rules import LIMIT, NOON
from tests.rules.test_rules import draft as version_draft


def test_the_rules_most_looked_up_lead_to_the_document_and_the_search_box_searches(app, db):
    clock.freeze(NOON)
    compliance, learner = make_user(db, "compliance"), make_user(db)
    for slug, title, views in (("manual", "Manual", 1), ("contacts", "Contact list", 3), ("unread", "Unread", 0)):
        document = rules.create_document(db, compliance.id, slug, "manual", title, title)
        rules.add_version(db, document, compliance.id, version_draft(date(2026, 4, 1)), LIMIT)
        for _ in range(views):
            rules.record_view(db, document.id, clock.tokyo_date(NOON))
    db.commit()
    client = app.test_client()
    sign_in(client, learner.employee_no)
    page = client.get("/").get_data(as_text=True)
    panel = page.split('id="rules-title"')[1].split("</section>")[0]
    looked_up = re.findall(r'<li><a href="(/rules/[a-z-]+)">([^<]+)</a></li>', panel)
    assert looked_up == [("/rules/contacts", "Contact list"), ("/rules/manual", "Manual")]  # most views first
    assert 'action="/search"' in panel and 'name="q"' in panel and 'href="/rules"' in panel
    assert client.get("/search?q=Contact").status_code == 200

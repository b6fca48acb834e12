"""Deny by default: every endpoint declares its permission, and the declarations hold for every role."""

import re

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.authz import Role, declared_permission
from tests.conftest import csrf_token, sign_in
from tests.factories import make_user

ALL = frozenset(Role)
# Heads their subtrees, the second line its subtrees (reports/services.scope_of), compliance and audit all.
INSPECTION_READERS = {Role.MANAGER, Role.BUSINESS_OFFICE, Role.COMPLIANCE, Role.AUDITOR}
# Who may reach each endpoint (by method). A change of access must change this table on purpose.
EXPECTED = {
    "inspections.index": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "inspections.new": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "inspections.template": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "inspections.start_draft": {"POST": {Role.COMPLIANCE}},
    "inspections.version": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "inspections.edit": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "inspections.add_item": {"POST": {Role.COMPLIANCE}},
    "inspections.edit_item": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "inspections.move_item": {"POST": {Role.COMPLIANCE}},
    "inspections.remove_item": {"POST": {Role.COMPLIANCE}},
    "inspections.submit": {"POST": {Role.COMPLIANCE}},
    "inspections.decide": {"POST": {Role.COMPLIANCE}},
    "inspections.preview": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "inspection_rounds.round_list": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "inspection_rounds.round_create": {"POST": {Role.COMPLIANCE}},
    # Every signed-in person: a head or their deputy (no role of its own); the scope is the service's.
    "inspection_rounds.my_inspections": {"GET": ALL},
    "inspection_rounds.answer": {"GET": ALL, "POST": ALL},
    "inspection_rounds.evidence": {"GET": ALL},
    "inspection_rounds.findings": {"GET": ALL},
    "inspection_rounds.update_finding": {"POST": ALL},
    "inspection_rounds.review": {"POST": {Role.BUSINESS_OFFICE}},
    "inspection_rounds.verify_finding": {"POST": {Role.BUSINESS_OFFICE}},
    # A head (a manager grant scoped to the department, the service checks it) names its deputies.
    "inspection_deputies.deputies": {"GET": {Role.MANAGER}},
    "inspection_deputies.name_deputy": {"POST": {Role.MANAGER}},
    "inspection_deputies.remove_deputy": {"POST": {Role.MANAGER}},
    "inspection_reports.index": {"GET": INSPECTION_READERS},
    "inspection_reports.completion": {"GET": INSPECTION_READERS},
    "inspection_reports.findings": {"GET": INSPECTION_READERS},
    "inspection_reports.trend": {"GET": INSPECTION_READERS},
    "inspection_reports.open_findings": {"GET": INSPECTION_READERS},
    "pledges.index": {"GET": {Role.COMPLIANCE}},
    "pledges.new": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "pledges.pledge": {"GET": {Role.COMPLIANCE}},
    "pledges.start_draft": {"POST": {Role.COMPLIANCE}},
    "pledges.version": {"GET": {Role.COMPLIANCE}},
    "pledges.edit": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "pledges.submit": {"POST": {Role.COMPLIANCE}},
    "pledges.decide": {"POST": {Role.COMPLIANCE}},
    "pledges.cases": {"GET": {Role.COMPLIANCE}},
    "pledges.close_case": {"POST": {Role.COMPLIANCE}},
    "my_pledges.index": {"GET": ALL},
    "my_pledges.sign": {"GET": ALL, "POST": ALL},
    "my_pledges.refuse": {"POST": ALL},
    "my_pledges.finish": {"GET": ALL},
    "pledge_copies.copy_pdf": {"GET": ALL},
    "pledge_copies.verify": {
        "GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR},
        "POST": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR},
    },
    "static": {"GET": "public"},
    "portal.health": {"GET": "public"},
    "accounts.login": {"GET": "public", "POST": "public"},
    "accounts.set_locale": {"POST": "public"},
    "accounts.second_factor": {"GET": "public", "POST": "public"},
    "sso.start": {"GET": "public"},
    "sso.callback": {"GET": "public"},
    "accounts.second_factor_setup": {"GET": "public", "POST": "public"},
    "accounts.logout": {"POST": ALL},
    "recovery.welcome": {"GET": "public", "POST": "public"},
    "recovery.reset": {"GET": "public", "POST": "public"},
    "recovery.forgot": {"GET": "public", "POST": "public"},
    "recovery.with_code": {"GET": "public", "POST": "public"},
    "access.approvals": {"GET": {Role.ADMIN, Role.COMPLIANCE}},
    "access.decide_grant": {"POST": {Role.ADMIN, Role.COMPLIANCE}},
    "access.manage_reviews": {"GET": {Role.ADMIN, Role.COMPLIANCE}, "POST": {Role.ADMIN, Role.COMPLIANCE}},
    "access.my_items": {"GET": ALL},
    "access.decide_item": {"POST": ALL},
    "access_register.register": {"GET": {Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR}},
    "access_register.review": {"GET": {Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR}},
    "accounts.change_password": {"GET": ALL, "POST": ALL},
    "portal.home": {"GET": ALL},
    "reports.plotly_js": {"GET": "public"},
    "reports.index": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "reports.campaign": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "reports.department": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "contractor_reports.section": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "contractor_reports.company": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "staff_reminders.remind": {"POST": {Role.MANAGER}},
    "reports.comprehension": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "reports.trend": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "lists.people": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "reports.items_index": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "annual.index": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "annual.report": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "annual.evidence": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "reports.items": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "records.exemptions": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "records.history": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "people_search.find": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "records.certificate": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "records.my_history": {"GET": ALL},
    "certificates.mine_pdf": {"GET": ALL},
    "certificates.staff_pdf": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "certificates.verify": {
        "GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR},
        "POST": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR},
    },
    "desk.ask": {"GET": ALL, "POST": ALL},
    "desk.mine": {"GET": ALL},
    "desk.sent": {"GET": ALL},
    "desk.mine_one": {"GET": ALL, "POST": ALL},
    "desk.claim": {"GET": ALL, "POST": ALL},
    "desk.faq": {"GET": ALL},
    "rules.index": {"GET": ALL},
    "rules.document": {"GET": ALL},
    "rules.version": {"GET": ALL},
    "rules.pdf": {"GET": ALL},
    "rules.acknowledge": {"POST": ALL},
    "rules_manage.index": {"GET": {Role.COMPLIANCE}},
    "contractors.index": {"GET": {Role.COMPLIANCE, Role.ADMIN}, "POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.company": {"GET": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.add_branch": {"POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.add_contract": {"POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.edit_contract": {"GET": {Role.COMPLIANCE, Role.ADMIN}, "POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.add_staff": {"POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.upload": {"POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.apply": {"POST": {Role.COMPLIANCE, Role.ADMIN}},
    "contractors.my_staff": {"GET": {Role.CONTRACTOR_SUPERVISOR}},
    "contractor_moves.move_staff": {"GET": {Role.COMPLIANCE, Role.ADMIN}, "POST": {Role.COMPLIANCE, Role.ADMIN}},
    "rules_manage.new_document": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "rules_manage.new_version": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "rules_manage.edit_version": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "search.results": {"GET": ALL},
    "reading.section": {"GET": ALL},
    "inbox.inbox": {"GET": {Role.DESK, Role.COMPLIANCE, Role.AUDITOR}},
    "inbox.question": {"GET": {Role.DESK, Role.COMPLIANCE, Role.AUDITOR}},
    "inbox.reply": {"POST": {Role.DESK}},
    "inbox.note": {"POST": {Role.DESK}},
    "inbox.manage": {"POST": {Role.DESK}},
    "inbox.faq_manage": {"GET": {Role.DESK}},
    "inbox.faq_edit": {"GET": {Role.DESK}, "POST": {Role.DESK}},
    "inbox.faq_status": {"POST": {Role.DESK}},
    "inbox.stats": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.DESK, Role.AUDITOR}},
    "inbox.section_preview": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.DESK, Role.AUDITOR}},
    "portal.my_status": {"GET": ALL},
    "portal.windows_shortcut": {"GET": ALL},
    "portal.linux_shortcut": {"GET": ALL},
    "training.mine": {"GET": ALL},
    "training.overview": {"GET": ALL},
    "training.section": {"GET": ALL, "POST": ALL},
    "training.attest": {"GET": ALL, "POST": ALL},
    "training.certificate": {"GET": ALL},
    "quizzes.start": {"GET": ALL, "POST": ALL},
    "quizzes.attempt": {"GET": ALL, "POST": ALL},
    "quizzes.save_answer": {"POST": ALL},
    "session.keepalive": {"POST": ALL},
    "courses.image": {"GET": ALL},
    "terms.edit": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "terms.reference": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.library": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.changes": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.review": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.export_zip": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.export_gift": {"GET": {Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}},
    "library.module_new": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "library.draft_start": {"POST": {Role.TRAINER}},
    "editor.edit": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "questions.question": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "questions.question_new": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "questions.question_move": {"POST": {Role.TRAINER}},
    "editor.image_upload": {"POST": {Role.TRAINER}},
    "editor.submit": {"POST": {Role.TRAINER}},
    "library.decide": {"POST": {Role.TRAINER}},
    "editor.preview": {"GET": {Role.TRAINER}},
    "library.upload": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "library.gift_import": {"GET": {Role.TRAINER}, "POST": {Role.TRAINER}},
    "audit.trail": {"GET": {Role.AUDITOR, Role.COMPLIANCE}},
    "campaigns.index": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "campaigns.show": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "campaigns.create": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "campaigns.launch": {"POST": {Role.COMPLIANCE}},
    "lifecycle.edit": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "lifecycle.delete": {"POST": {Role.COMPLIANCE}},
    "lifecycle.copy": {"GET": {Role.COMPLIANCE}},
    "lifecycle.close": {"POST": {Role.COMPLIANCE}},
    "lifecycle.cancel": {"POST": {Role.COMPLIANCE}},
    "lifecycle.extend": {"POST": {Role.COMPLIANCE}},
    "campaigns.person": {"GET": {Role.COMPLIANCE, Role.AUDITOR}},
    "admin.upload": {"GET": {Role.ADMIN}, "POST": {Role.ADMIN}},
    "admin.apply": {"POST": {Role.ADMIN}},
    "admin.cancel": {"POST": {Role.ADMIN}},
    "admin.outbox_page": {"GET": {Role.ADMIN}},
    "admin.people": {"GET": {Role.ADMIN}},
    "departments.listing": {"GET": {Role.ADMIN}},
    "admin.compromised": {"POST": {Role.ADMIN}},
    "admin.reset_link": {"POST": {Role.ADMIN}},
    "admin.reset_code": {"POST": {Role.ADMIN}},
    "admin.grant": {"POST": {Role.ADMIN}},
    "admin.revoke": {"POST": {Role.ADMIN}},
    "campaigns.exempt": {"POST": {Role.COMPLIANCE}},
    "campaigns.end_exemption": {"POST": {Role.COMPLIANCE}},
    "campaigns.amend": {"POST": {Role.COMPLIANCE}},
    "bulk_exemptions.upload": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "bulk_exemptions.apply": {"POST": {Role.COMPLIANCE}},
    "bulk_exemptions.person": {"POST": {Role.COMPLIANCE}},
    "notices.index": {"GET": ALL},
    "notices.show": {"GET": ALL},
    "notices.acknowledge": {"POST": ALL},
    "notice_admin.index": {"GET": {Role.COMPLIANCE}},
    "notice_admin.edit": {"GET": {Role.COMPLIANCE}, "POST": {Role.COMPLIANCE}},
    "notice_admin.change": {"POST": {Role.COMPLIANCE}},
    "acknowledgements.index": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "acknowledgements.notice": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "acknowledgements.department": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "acknowledgements.remind": {"POST": {Role.MANAGER, Role.COMPLIANCE}},
    "pledge_reports.index": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "pledge_reports.campaign": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "pledge_reports.unsigned": {"GET": {Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}},
    "campaign_pledges.exempt": {"POST": {Role.COMPLIANCE}},
}


def test_every_endpoint_declares_a_permission(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declared_permission(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == []


def test_the_expected_table_covers_every_endpoint(app):
    actual = {rule.endpoint: sorted(rule.methods - {"HEAD", "OPTIONS"}) for rule in app.url_map.iter_rules()}
    assert actual == {endpoint: sorted(methods) for endpoint, methods in EXPECTED.items()}


def test_a_view_without_a_declaration_is_refused(app):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    client = app.test_client()
    assert client.get("/undeclared").status_code == 403


def concrete_path(rule) -> str:
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return "x.png" if name in ("name", "filename") else "999999"

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?(\w+)>", value, rule.rule)


@pytest.mark.parametrize("role", [*Role])
def test_role_by_endpoint_by_method_matrix(app, db, role):
    user = make_user(db, *([] if role == Role.LEARNER else [role]))
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    token = csrf_token(client, "/")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("accounts.logout", "accounts.login"):
            continue  # would end or restart this client's session; covered in test_sign_in
        path = concrete_path(rule)
        for method, allowed in EXPECTED[rule.endpoint].items():
            response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
            response.close()  # file responses (plotly.js) hold their file open until closed
            may = allowed == "public" or role in allowed
            assert (response.status_code != 403) == may, f"{role} {method} {path} -> {response.status_code}"


def test_anonymous_requests_are_sent_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        allowed = EXPECTED[rule.endpoint]
        if "GET" in allowed and allowed["GET"] != "public":
            response = client.get(concrete_path(rule))
            response.close()
            if rule.rule.startswith("/api/"):
                assert response.status_code == 401
            else:
                assert response.status_code == 302 and response.location.startswith("/login?next="), rule.rule


def test_a_refused_request_is_audited(app, db, client):
    user = make_user(db)
    db.commit()
    sign_in(client, user.employee_no)
    assert client.get("/audit").status_code == 403
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "authz_fail")).one()
    assert event.actor_id == user.id and event.outcome == "failure" and "audit.trail" in event.details


def test_security_headers_and_cookie_flags(db, client):
    user = make_user(db)
    db.commit()
    response = sign_in(client, user.employee_no)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script anywhere (CSP would block it)


def test_production_cookie_is_secure_and_hsts_is_sent(database_url, tmp_path):
    from learning.app import create_app
    from tests.conftest import make_settings

    app = create_app(
        make_settings(
            database_url,
            tmp_path / "i",
            LEARNING_ENV="production",
            LEARNING_DEMO="0",
            PORTAL_URL="https://portal.example.intra/",
        )
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    response = app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    app.extensions["db"].engine.dispose()


def test_request_body_is_capped(client):
    response = client.post("/login", data={"username": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413

"""What the audit trail's codes mean to a reader: one table of English templates each for actions, outcomes,
target types, detail keys and the coded values some details carry, marked N_ and translated where shown
(the trail page and its exports, learning.reports.trail).

Every action passed to record(...) or Entry(...) needs a label here, and so does every key of a details
dict written out in such a call: tests/audit/test_labels.py scans the source and fails on one without.
Old rows whose action has since lost its label still show, as their code marked as unlabelled; a detail
key without a label is shown with its underscores as spaces.
"""

from learning.errors import N_

ACTIONS = {
    # Sign-in and sessions (OWASP authn_*)
    "authn_login_success": N_("Signed in"),
    "authn_login_fail": N_("Sign-in failed"),
    "authn_login_lock": N_("Sign-in locked after repeated failures"),
    "authn_logout": N_("Signed out"),
    "authn_password_change": N_("Password changed"),
    "authn_mfa_enrolled": N_("Second factor set up"),
    "authn_token_reuse": N_("Second-factor code used twice"),
    "authz_fail": N_("Access refused"),
    # People, departments and roles
    "invitation_accepted": N_("Invitation accepted"),
    "user_created": N_("Account created"),
    "user_updated": N_("Account details changed"),
    "user_transferred": N_("Person transferred"),
    "user_deactivated": N_("Account deactivated"),
    "user_marked_compromised": N_("Account marked compromised"),
    "privilege_granted": N_("Role granted"),
    "privilege_revoked": N_("Role revoked"),
    "department_import": N_("Departments imported"),
    "roster_import": N_("Roster imported"),
    # Content and authoring
    "content_import": N_("Content imported"),
    "module_created": N_("Module created"),
    "module_uploaded": N_("Module uploaded"),
    "gift_imported": N_("Questions imported (GIFT)"),
    "draft_started": N_("Draft started"),
    "draft_saved": N_("Draft saved"),
    "draft_submitted": N_("Draft sent for review"),
    "draft_sent_back": N_("Draft sent back to its author"),
    "draft_approved": N_("Draft approved"),
    "edition_published": N_("Edition published"),
    # Campaigns and training
    "campaign_created": N_("Campaign created"),
    "campaign_launched": N_("Campaign launched"),
    "campaign_rolled_over": N_("Campaign rolled over to a new period"),
    "reattestation_required": N_("Re-attestation required after a change"),
    "quiz_submitted": N_("Quiz submitted"),
    "training_completed": N_("Training completed"),
    "exemption_granted": N_("Exemption granted"),
    "exemption_ended": N_("Exemption ended"),
    # The desk and the FAQ
    "desk_question_asked": N_("Question asked at the desk"),
    "desk_question_read": N_("Desk question read"),
    "desk_question_assigned": N_("Desk question assigned"),
    "desk_question_status": N_("Desk question status changed"),
    "desk_question_answered": N_("Desk question answered"),
    "faq_saved": N_("FAQ entry saved"),
    "faq_draft": N_("FAQ entry returned to draft"),
    "faq_published": N_("FAQ entry published"),
    "faq_retired": N_("FAQ entry retired"),
    # Reports and the trail itself
    "report_viewed": N_("Report viewed"),
    "report_exported": N_("Report exported"),
    "audit_trail_exported": N_("Audit trail exported"),
    # Demo mode
    "demo_history_generated": N_("Demo history generated"),
}

OUTCOMES = {
    "success": N_("Succeeded"),
    "failure": N_("Failed"),
    "denied": N_("Refused"),
}

TARGETS = {
    "user": N_("Person"),
    "department": N_("Department"),
    "module": N_("Module"),
    "edition": N_("Edition"),
    "campaign": N_("Campaign"),
    "assignment": N_("Assignment"),
    "attempt": N_("Quiz attempt"),
    "desk_question": N_("Desk question"),
    "faq": N_("FAQ entry"),
}

DETAILS = {
    "also_completed": N_("Also completed (assignments)"),
    "answers": N_("Answered questions"),
    "assignee_id": N_("Assigned to"),
    "assignment_id": N_("Assignment"),
    "assignments": N_("Assignments"),
    "attempts": N_("Attempts"),
    "attested": N_("Attested"),
    "by": N_("Locked by"),
    "campaign": N_("Campaign"),
    "changed": N_("Changed"),
    "department": N_("Department"),
    "department_id": N_("Department"),
    "edition_id": N_("Edition"),
    "email": N_("Email address"),
    "editions": N_("Editions"),
    "employee_no": N_("Employee number"),
    "endpoint": N_("Page"),
    "events": N_("Events"),
    "expired": N_("Ended by expiry"),
    "filters": N_("Filters"),
    "format": N_("Format"),
    "from": N_("Previously"),
    "language": N_("Language"),
    "leaving": N_("Leaving"),
    "method": N_("Method"),
    "mfa": N_("With second factor"),
    "modules": N_("Modules"),
    "new": N_("New"),
    "passed": N_("Passed"),
    "people": N_("People"),
    "periods": N_("Periods"),
    "previous": N_("Previous campaign"),
    "problems": N_("Problems"),
    "questions": N_("Questions"),
    "reason": N_("Reason"),
    "replaced": N_("Replaced edition"),
    "replaces": N_("Replaces edition"),
    "report": N_("Report"),
    "revision": N_("Revision"),
    "role": N_("Role"),
    "score": N_("Score"),
    "since": N_("Since"),
    "skipped": N_("Skipped"),
    "slug": N_("Short name"),
    "source": N_("Source"),
    "status": N_("Status"),
    "substantive": N_("Substantive change"),
    "to": N_("Now"),
    "transferred": N_("Transferred"),
    "transfers": N_("Transfers"),
    "unchanged": N_("Unchanged"),
    "until": N_("Until"),
    "up_to": N_("Up to event"),
    "user_id": N_("Person"),
    # The filters of an export of the trail (audit_trail_exported)
    "actor": N_("Actor"),
    "action": N_("Action"),
    "outcome": N_("Outcome"),
    "target_type": N_("Target type"),
    "target_id": N_("Target"),
    "date_from": N_("From (date)"),
    "date_to": N_("To (date)"),
}

# Coded values, by the detail key that carries them; any other value is shown as it is.
VALUES = {
    "role": {
        "learner": N_("Learner"),
        "manager": N_("Manager"),
        "desk": N_("Conduct-rule desk"),
        "trainer": N_("Trainer"),
        "compliance": N_("Compliance office"),
        "auditor": N_("Internal audit"),
        "admin": N_("Account administration"),
    },
    "reason": {
        "unknown_account": N_("unknown account"),
        "wrong_password": N_("wrong password"),
        "inactive": N_("account not active"),
        "second_factor": N_("wrong second-factor code"),
        "left": N_("left the organisation"),
    },
    "by": {
        "account": N_("too many failures for the account"),
        "address": N_("too many failures from the address"),
        "second_factor": N_("too many wrong second-factor codes"),
    },
    "report": {
        "department_completion": N_("Completion by department"),
        "department_people": N_("People of a department"),
        "comprehension": N_("Comprehension"),
        "item_analysis": N_("Item analysis"),
        "trend": N_("Trend across periods"),
        "person_assignments": N_("A person's assignments"),
    },
    "problems": {
        "current_wrong": N_("current password wrong"),
        "too_short": N_("too short"),
        "too_long": N_("too long"),
        "common": N_("too common or breached"),
        "contains_id": N_("contains the employee number or login ID"),
        "unchanged": N_("same as the current one"),
    },
    "status": {
        "active": N_("active"),
        "leave": N_("on leave"),
        "left": N_("left"),
        "new": N_("new"),
        "in_progress": N_("in progress"),
        "waiting": N_("waiting for the asker"),
        "answered": N_("answered"),
        "closed": N_("closed"),
    },
    "format": {"html": N_("page"), "csv": "CSV", "xlsx": "XLSX", "json": "JSON"},
    "outcome": OUTCOMES,
    "target_type": TARGETS,
    "action": ACTIONS,
}

# Detail keys whose value is the id of a person (shown as name and employee number) or of a department.
USER_KEYS = frozenset({"user_id", "assignee_id"})
DEPARTMENT_KEYS = frozenset({"department_id"})


def is_user_key(key: str) -> bool:
    """A key that obviously holds a person's id: listed, or named …user_id or …_by_id (approved_by_id)."""
    return key in USER_KEYS or key.endswith(("user_id", "_by_id"))

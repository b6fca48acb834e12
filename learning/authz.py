"""Roles, permissions, and the declaration every view must carry (deny by default).

Each view is decorated with @requires(permission) or @public. The app checks the declaration
before every request (see learning/__init__.py); a view without one is refused, and a test walks
app.url_map so that none slips through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum


class Role(StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"
    DESK = "desk"
    TRAINER = "trainer"
    COMPLIANCE = "compliance"
    AUDITOR = "auditor"
    # The second line (業務管理部門): reviews self-inspections and verifies findings in its department subtrees.
    BUSINESS_OFFICE = "business_office"
    ADMIN = "admin"
    # A contractor's supervisor (issue 19): their own company's staff and their status, nothing else.
    CONTRACTOR_SUPERVISOR = "contractor_head"  # role_grants.role is 20 characters


PRIVILEGED_ROLES = frozenset({Role.DESK, Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR, Role.ADMIN, Role.BUSINESS_OFFICE})
# Roles given only for a department subtree.
SCOPED_ROLES = frozenset({Role.MANAGER, Role.BUSINESS_OFFICE})


class Permission(StrEnum):
    # Self-service: every signed-in person acting on their own record (sign-out, language, own training).
    SELF = "self"
    LEARN = "learn"
    # Read the audit trail: the third line of defence, and the compliance office.
    AUDIT_READ = "audit.read"
    CAMPAIGNS_READ = "campaigns.read"
    CAMPAIGNS_MANAGE = "campaigns.manage"
    # The conduct-rule desk: work the inbox (desk), read it (compliance read-only, audit), see who asked.
    DESK_WORK = "desk.work"
    DESK_READ = "desk.read"
    DESK_IDENTITY = "desk.identity"
    DESK_STATS = "desk.stats"
    # Department completion reports: managers (their subtrees, enforced in the query), compliance, audit.
    REPORTS_VIEW = "reports.view"
    # A department head reminds their own not-finished staff from the report (their subtrees, in the service).
    STAFF_REMIND = "reports.remind"
    # Item analysis: aggregates per quiz question, for those who write and oversee the content.
    ITEM_ANALYSIS = "reports.items"
    # The library: write drafts, review and publish them (trainers); read editions and their changes
    # (trainers, and the compliance office and internal audit who oversee what is taught).
    COURSES_AUTHOR = "courses.author"
    COURSES_READ = "courses.read"
    # Account administration: roster and department imports, the outbox. No training results.
    ACCOUNTS_MANAGE = "accounts.manage"
    # Separation of duties: a second person approves privileged grants (the admin or compliance, never the
    # holder or the person who asked); access reviews (棚卸し) are opened by the same people.
    ACCESS_APPROVE = "access.approve"
    ACCESS_REVIEW_MANAGE = "access.review"
    # The access register and every review's outcome: internal audit, compliance and the admin.
    ACCESS_REGISTER = "access.register"
    # The annual report for the committee and the board, and the evidence pack internal audit keeps: whole
    # organisation figures, so the compliance office and internal audit only.
    ANNUAL_REPORT = "reports.annual"
    EVIDENCE_PACK = "reports.evidence"
    # The organisation terms content names (the group's companies, desk, regulation): set once per
    # installation by the compliance office, which owns what the training says about the group.
    TERMS_MANAGE = "terms.manage"
    # Notices and messages from management: the compliance office writes them; one asking for acknowledgement
    # is published by a second compliance officer (announcements/services.py, and a CHECK in the database).
    ANNOUNCEMENTS_MANAGE = "announcements.manage"
    # Reminding those who have not acknowledged a notice: compliance anywhere, a department head their subtrees.
    ANNOUNCEMENTS_REMIND = "announcements.remind"
    # Self-inspection checklists (自主点検): compliance writes and publishes them (four eyes: a second
    # compliance officer approves); internal audit reads every version and change.
    INSPECTIONS_MANAGE = "inspections.manage"
    INSPECTIONS_READ = "inspections.read"
    # Yearly pledges (誓約書): compliance writes and publishes them (four eyes) and follows up the cases.
    PLEDGES_MANAGE = "pledges.manage"
    # The rules library: documents, their versions and scheduled changes, kept by the compliance office.
    RULES_MANAGE = "rules.manage"
    # Contractor companies (委託先) and their contracts: registered by the compliance office or the admin.
    CONTRACTORS_MANAGE = "contractors.manage"
    # A contractor supervisor sees their own company's staff and whether their access is in force.
    CONTRACTOR_STAFF = "contractors.staff"
    # Inspection rounds: compliance sets them up; heads (or their deputies) answer for their departments; the
    # second line reviews and verifies findings in its subtrees; internal audit and compliance read all.
    # Scopes are the service's (inspections/rounds.py).
    INSPECTIONS_ANSWER = "inspections.answer"
    INSPECTIONS_REVIEW = "inspections.review"
    INSPECTIONS_FOLLOW = "inspections.follow"
    # A department's head names (and removes) deputies for its inspections: heads hold a manager grant scoped
    # to the department; the service checks the department is theirs (a deputy names nobody).
    INSPECTIONS_DELEGATE = "inspections.delegate"
    # Inspection reports: heads their subtrees, the second line its subtrees (reports/services.scope_of),
    # compliance and internal audit everything.
    INSPECTION_REPORTS = "reports.inspections"


# Admin manages accounts but sees no training results, so admin gets no LEARN-style reads of others.
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.SELF: frozenset(Role),
    Permission.LEARN: frozenset(Role),
    Permission.AUDIT_READ: frozenset({Role.AUDITOR, Role.COMPLIANCE}),
    Permission.CAMPAIGNS_READ: frozenset({Role.COMPLIANCE, Role.AUDITOR}),
    Permission.CAMPAIGNS_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.ACCOUNTS_MANAGE: frozenset({Role.ADMIN}),
    Permission.ACCESS_APPROVE: frozenset({Role.ADMIN, Role.COMPLIANCE}),
    Permission.ACCESS_REVIEW_MANAGE: frozenset({Role.ADMIN, Role.COMPLIANCE}),
    Permission.ACCESS_REGISTER: frozenset({Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR}),
    Permission.REPORTS_VIEW: frozenset({Role.MANAGER, Role.COMPLIANCE, Role.AUDITOR}),
    Permission.STAFF_REMIND: frozenset({Role.MANAGER}),
    Permission.ITEM_ANALYSIS: frozenset({Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}),
    Permission.COURSES_AUTHOR: frozenset({Role.TRAINER}),
    Permission.COURSES_READ: frozenset({Role.TRAINER, Role.COMPLIANCE, Role.AUDITOR}),
    Permission.DESK_WORK: frozenset({Role.DESK}),
    Permission.DESK_READ: frozenset({Role.DESK, Role.COMPLIANCE, Role.AUDITOR}),
    # Managers never see their staff's questions; compliance reads the inbox without names.
    Permission.DESK_IDENTITY: frozenset({Role.DESK, Role.AUDITOR}),
    Permission.DESK_STATS: frozenset({Role.TRAINER, Role.COMPLIANCE, Role.DESK, Role.AUDITOR}),
    Permission.ANNUAL_REPORT: frozenset({Role.COMPLIANCE, Role.AUDITOR}),
    Permission.EVIDENCE_PACK: frozenset({Role.COMPLIANCE, Role.AUDITOR}),
    Permission.TERMS_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.ANNOUNCEMENTS_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.ANNOUNCEMENTS_REMIND: frozenset({Role.COMPLIANCE, Role.MANAGER}),
    Permission.INSPECTIONS_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.INSPECTIONS_READ: frozenset({Role.COMPLIANCE, Role.AUDITOR}),
    Permission.PLEDGES_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.RULES_MANAGE: frozenset({Role.COMPLIANCE}),
    Permission.CONTRACTORS_MANAGE: frozenset({Role.COMPLIANCE, Role.ADMIN}),
    Permission.CONTRACTOR_STAFF: frozenset({Role.CONTRACTOR_SUPERVISOR}),
    Permission.INSPECTIONS_ANSWER: frozenset(Role),  # a head or a deputy (no role of its own): the service checks
    Permission.INSPECTIONS_REVIEW: frozenset({Role.BUSINESS_OFFICE}),
    Permission.INSPECTIONS_FOLLOW: frozenset(Role),  # scoped in the service: compliance and audit see all
    Permission.INSPECTIONS_DELEGATE: frozenset({Role.MANAGER}),
    Permission.INSPECTION_REPORTS: frozenset({Role.MANAGER, Role.BUSINESS_OFFICE, Role.COMPLIANCE, Role.AUDITOR}),
}

PUBLIC = "public"


def permissions_of(roles: set[str]) -> frozenset[Permission]:
    """Every permission held by someone with these roles."""
    return _permissions_of(frozenset(roles))


@functools.cache  # a page asks can() a dozen times; there are only a few combinations of roles
def _permissions_of(roles: frozenset[str]) -> frozenset[Permission]:
    return frozenset(p for p, allowed in GRANTS.items() if allowed & roles)


def requires(permission: Permission) -> Callable:
    """Declares the permission a view needs; checked centrally before the view runs."""

    def mark(view: Callable) -> Callable:
        view.required_permission = permission
        return view

    return mark


def public(view: Callable) -> Callable:
    """Declares a view open to anyone, signed in or not (sign-in, health, static)."""
    view.required_permission = PUBLIC
    return view


def declared_permission(view: Callable | None) -> str | None:
    return getattr(view, "required_permission", None)

"""The accounts room's message templates (English; translated where shown, see learning/errors.py):
what is wrong with an HR file, and why a new password is refused."""

from learning.audit.messages import VALUES as AUDIT_VALUES
from learning.errors import N_

FILE_PROBLEMS = {
    "too_large": N_("The file is larger than %(limit)d MB."),
    "encoding": N_("The file is neither UTF-8 nor Shift_JIS (the first undecodable byte is on this line)."),
    "empty": N_("The file is empty."),
    "header_or": N_("The header must be exactly: %(expected)s, or the older %(older)s (found: %(found)s)."),
    "columns": N_("Expected %(expected)d values, found %(found)d."),
    "required": N_("A value is required."),
    "too_long": N_("At most %(limit)d characters."),
    "code_format": N_("Letters, digits, '-', '_' and '.' only (up to 40)."),
    "employee_no_format": N_("Letters, digits, '-' and '_' only (up to 20)."),
    "email": N_("'%(value)s' is not an email address."),
    "status": N_("'%(value)s' is not a status; use active, leave or left."),
    "duplicate": N_("'%(value)s' appears again (first on line %(first)d)."),
    "unknown_department": N_("No department has the code '%(value)s'."),
    "unknown_parent": N_("No department has the code '%(value)s' in this file or the system."),
    "cycle": N_("Department '%(value)s' would become its own ancestor."),
    "self_parent": N_("A department cannot be its own parent."),
    "control_characters": N_("The value contains a control character (such as NUL)."),
    "department_status": N_("'%(value)s' is not a department status; use active, abolished or merged."),
    "merged_into_required": N_("A merged department needs the code of the department it was merged into."),
    "merged_into_unexpected": N_("Only a merged department (status merged) names a department it went into."),
    "merged_into_self": N_("A department cannot be merged into itself."),
    "merged_into_closed": N_("Department '%(value)s' cannot take a merger: it is abolished or merged itself."),
    "closed_department": N_("Department '%(value)s' is abolished or merged: nobody can be placed in it."),
    "people_remain": N_(
        "Department '%(value)s' cannot be closed: %(n)d people are still in it. Move them with the roster first."
    ),
    "staff_no_format": N_("Letters, digits, '-' and '_' only (up to 12)."),
    "staff_no_taken": N_("Staff number '%(value)s' already has an account at this company."),
    "unknown_contract": N_("No contract of this company has the reference '%(value)s'."),
    "day_format": N_("'%(value)s' is not a day; write it as YYYY-MM-DD."),
    "end_after_contract": N_("The end date cannot be after the contract's end (%(contract_end)s)."),
    "end_in_past": N_("The end date cannot be in the past."),
    "contractor_role": N_("'%(value)s': a contractor's staff can be only a learner (empty) or contractor_head."),
    "employment_type": N_("'%(value)s' is not a kind of employment; use one of %(codes)s (or leave it empty)."),
    "children_remain": N_("Department '%(value)s' cannot be closed: department '%(child)s' under it stays open."),
}

# Where in the file: put before the problem's message.
AT_LINE = N_("Line %(line)d: %(message)s")
AT_LINE_AND_COLUMN = N_("Line %(line)d, column %(column)s: %(message)s")

PASSWORD_PROBLEMS = {
    "current_wrong": N_("The current password is not correct."),
    "too_short": N_("Use at least %(n)d characters. A short sentence is easy to remember."),
    "too_long": N_("Use at most %(n)d characters."),
    "common": N_("This password is too common or is known from breaches. Choose another."),
    "contains_id": N_("The password must not contain your employee number or login ID."),
    "unchanged": N_("The new password must differ from the current one."),
    "leaked": N_("This is the password that was marked compromised. Choose a new one."),
    "invalid_token": N_(
        "This link or code is not valid any more (used, replaced by a newer one, or expired). Ask for a new one."
    ),
}

# Why an account step is refused (AccountError codes).
ACCOUNT_ERRORS = {
    "own_reset_code": N_("You cannot issue a reset code for your own account. Ask another administrator."),
    "inactive": N_("This account is not active."),
    "unknown_role": N_("Unknown role."),
    "scope": N_("A manager needs the department they head."),
    "closed_scope": N_("This department is abolished or merged: choose a department that is open."),
    "own_grant": N_("Nobody grants, approves or revokes their own roles. Ask another authorised person."),
    "own_request": N_("A grant must be approved by someone other than the person who requested it."),
    "not_pending": N_("This grant is no longer waiting for approval."),
    "not_approver": N_("Only an administrator or the compliance office can approve this role."),
    "end_in_past": N_("The end date must be after today."),
    "review_item_decided": N_("This item has been decided already, or its review is closed."),
    "not_reviewer": N_("This item is for another reviewer."),
    "duplicate_grant": N_("This person already holds this role with this scope, or it awaits approval."),
    "contractor_role": N_("A contractor's staff cannot hold this role: only contractor supervisor."),
    "supervisor_is_contractor": N_("Only a contractor's staff can be a contractor supervisor."),
}

# Why a contractor company or contract is refused (accounts/contractors.py).
CONTRACTOR_ERRORS = {
    "required": N_("A value is required."),
    "too_long": N_("At most %(limit)d characters."),
    "code_format": N_("Letters, digits, '-', '_' and '.' only (up to 40)."),
    "code_taken": N_("A contractor company already has the code '%(value)s'."),
    "branch_taken": N_("This company already has a branch named '%(value)s'."),
    "reference_taken": N_("A contract already has the reference '%(value)s'."),
    "unknown_department": N_("No department has the code '%(value)s'."),
    "closed_department": N_("Department '%(value)s' is abolished or merged: choose a department that is open."),
    "unknown_owner": N_("Nobody has the employee number '%(value)s'."),
    "owner_left": N_("Employee '%(value)s' has left the company: name an owner who is still here."),
    "ends_before_start": N_("The end date cannot be before the start date."),
    "staff_no_format": N_("Letters, digits, '-' and '_' only (up to 12)."),
    "staff_no_taken": N_("This company already has staff number '%(value)s'."),
    "email": N_("'%(value)s' is not an email address."),
    "end_after_contract": N_("The end date cannot be after the contract's end (%(contract_end)s)."),
    "end_in_past": N_("The end date cannot be in the past."),
    "unknown_contract": N_("No contract of this company has the reference '%(value)s'."),
    "contract_ended": N_("This contract ended on %(day)s: it is kept as it was and can no longer be changed."),
    "already_moved": N_("%(name)s is on contract %(value)s now (moved already?): nothing was changed."),
    "access_ended": N_("The access of %(name)s ended on %(day)s: an account whose access has ended is not moved."),
    "contract_not_running": N_(
        "Contract %(value)s runs from %(starts)s to %(ends)s: staff are moved only onto a contract running today."
    ),
}

# A contractor whose access has ended, at sign-in: whom to ask.
CONTRACTOR_LAPSED = N_(
    "Your access ended on %(day)s. To continue, contact %(owner)s (%(department)s), who is responsible for "
    "your company's contract."
)

# Codes as people read them (pages and exports never show the raw code).
LABELS = {
    "role": AUDIT_VALUES["role"],  # one table of role names, the trail's
    "user_status": {"active": N_("Active"), "leave": N_("On leave"), "left": N_("Left the company")},
    "department_status": {"active": N_("In use"), "abolished": N_("Abolished"), "merged": N_("Merged")},
    # The columns of the HR files, as the import's dry run names what changes.
    "import_field": {
        "name": N_("Name"),
        "name_kana": N_("Reading (kana)"),
        "email": N_("Email"),
        "department": N_("Department"),
        "status": N_("Status"),
        "name_ja": N_("Name (Japanese)"),
        "name_en": N_("Name (English)"),
        "parent": N_("Parent department"),
        "merged_into": N_("Merged into"),
        "employment_type": N_("Employment type"),
    },
    "employment_type": {
        "regular": N_("Regular employee"),
        "contract": N_("Contract employee"),
        "part_time": N_("Part-time"),
        "temporary": N_("Temporary (agency) staff"),
        "secondee": N_("Secondee"),
        "officer": N_("Officer"),
    },
    "grant_status": {"pending": N_("Awaiting approval"), "active": N_("In force"), "ended": N_("Ended")},
    "end_reason": {
        "revoked": N_("Revoked"),
        "rejected": N_("Rejected"),
        "lapsed": N_("Lapsed (end date passed)"),
        "transfer": N_("Ended by a transfer"),
        "left": N_("Ended by leaving the company"),
        "review": N_("Ended in an access review"),
    },
    "decision": {
        "confirmed": N_("Confirmed"),
        "revoked": N_("Revoked"),
        "lapsed": N_("Lapsed (not confirmed by the due date)"),
    },
    "item_kind": {"grant": N_("Role"), "dormant": N_("Dormant account"), "contractor": N_("Contractor's account")},
}

"""The accounts room's message templates (English; translated where shown, see learning/errors.py):
what is wrong with an HR file, and why a new password is refused."""

from learning.errors import N_

FILE_PROBLEMS = {
    "too_large": N_("The file is larger than %(limit)d MB."),
    "encoding": N_("The file is neither UTF-8 nor Shift_JIS (the first undecodable byte is on this line)."),
    "empty": N_("The file is empty."),
    "header": N_("The header must be exactly: %(expected)s (found: %(found)s)."),
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
}

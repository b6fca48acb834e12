"""What raw input may not hold (control characters) and how large an id can be: used by the web
pipeline, the forms and the file imports alike. Pure."""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return, DEL, and C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The database's integer columns (PostgreSQL `integer`): an id beyond this names nothing.
MAX_ID = 2**31 - 1


def control_character_field(values) -> str | None:
    """The name of the first field (of a MultiDict) whose name or value holds a control character."""
    for name, value in values.items(multi=True):
        if CONTROL.search(name) or (isinstance(value, str) and CONTROL.search(value)):
            return CONTROL.sub("", name)[:60] or "?"
    return None


def id_arg(value: str) -> int:
    """`request.args.get(..., type=id_arg)`: a positive id within the database's range, else ValueError
    (which makes Werkzeug return the default)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number

"""@creates_once: the one mechanism that makes every create form idempotent (see learning/submissions.py).

A create form carries `{{ once_field() }}`; the view is marked `@creates_once`. The first submit of a
token runs the view and, when it led somewhere, records where; any later submit of the same token (a
double click, a retry, the back button) runs nothing and is sent to that result. A submit that was
refused (a 4xx) rolls its token back with everything else, so the corrected form can be sent again.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from learning import submissions
from learning.web.database import db
from learning.web.pipeline import local_next

FIELD = "once"


def once_field() -> Markup:
    """The hidden input of a create form (a Jinja global)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, submissions.new_token())


def creates_once(anonymous=False):
    """Marks a create view. `anonymous` (True, or a function of the request) says the submit must not be
    tied to the person: its token then keeps no user, no result and only the day."""

    def mark(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = request.form.get(FIELD, "")
            if request.method != "POST" or not submissions.TOKEN_RE.match(token):
                return view(*args, **kwargs)
            hidden = anonymous() if callable(anonymous) else anonymous
            user_id = None if hidden or not current_user.is_authenticated else current_user.id
            earlier = submissions.claim(db(), token, user_id, request.endpoint, day_only=hidden)
            if earlier is not None:
                if earlier.result:
                    return redirect(earlier.result)
                flash(_("This form had already been sent; it was not sent a second time."), "info")
                return redirect(_form_page())
            response = make_response(view(*args, **kwargs))
            if response.status_code in (301, 302, 303) and response.location and not hidden:
                submissions.record_result(db(), token, response.location)
            return response

        return wrapper

    return mark


def _form_page() -> str:
    """Back to the page the form was on (the first answer was a page shown once), else home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return local_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return url_for("portal.home")

"""The main navigation, kept once rendered.

Its HTML depends only on the reader's language, the set of roles in force and where the app is mounted: every
link is chosen by a permission and nothing in it names the person, the page or the time. Rendering it took
20-25 % of a learner page's CPU (two dozen permission checks, url_for and gettext calls), so each combination
is rendered once per process and kept. The roles are still read afresh on every request (the key), so a role
granted or ended changes the navigation at the next page; nothing stale about access can be shown.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from learning.i18n import current_locale

# A handful of role combinations per language in practice; the bound only guards against surprises.
_MOST_KEPT = 512
_kept: dict[tuple, Markup] = {}


def navigation() -> Markup:
    key = (current_locale(), request.script_root, frozenset(current_user.roles))
    html = _kept.get(key)
    if html is None:
        if len(_kept) >= _MOST_KEPT:
            _kept.clear()
        # render_template's output is the autoescaped template's: safe HTML already, kept as such.
        html = _kept[key] = Markup(render_template("_nav.html"))  # noqa: S704
    return html

"""The app class: Flask with the request's one commit point, and ids that fit the database."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from learning.inputs import MAX_ID
from learning.web.database import finish


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond the database's integer range matches no route (404)
    instead of reaching the database, which would refuse it."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, **kw):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, **kw)


class PortalFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_map.converters["int"] = DatabaseIdConverter

    def dispatch_request(self):
        """The view, then the commit. Committing here, inside Flask's error handling, means a failing commit
        (a lost connection, a constraint) gets the same error pages as a failing view."""
        response = self.make_response(super().dispatch_request())
        finish(response.status_code)
        return response

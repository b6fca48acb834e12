"""What training's pages and the rooms above share: a person's own assignment or 404, the due banner, and what a
certificate says (the page and, in reports, its PDF)."""

from flask import abort, g, request
from flask_login import current_user

from learning.courses.rendering import request_terms
from learning.training import certificates, services
from learning.training.services import NotFound
from learning.web import db


def own(assignment_id: int):
    try:
        return services.own_assignment(db(), current_user.id, assignment_id)
    except NotFound:
        abort(404)


def my_counts() -> services.StatusCounts:
    """The signed-in person's counts of what is due, read once per request (the banner and the home page both
    show them)."""
    if "due_counts" not in g:
        g.due_counts = services.status_counts(db(), current_user.id)
    return g.due_counts


def counts_from(assignments) -> services.StatusCounts:
    """The banner's counts from the person's whole list of assignments, when the page has read it: no query."""
    g.due_counts = services.counts_of(assignments)
    return g.due_counts


def due_banner():
    """What is due and overdue, for the banner on every page of a signed-in person."""
    if g.get("error_page") or request.endpoint in (None, "static") or not current_user.is_authenticated:
        return {}
    return {"due_counts": my_counts()}


def certificate_facts(assignment, person) -> certificates.CertificateFacts:
    """What `person`'s certificate of the completed `assignment` says, with the organisation terms in force."""
    return certificates.facts(db(), assignment, person, request_terms())

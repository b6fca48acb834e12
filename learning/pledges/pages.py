"""Helpers of the pledges pages: load-or-404, the status label."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext

from learning.pledges.messages import CASE_REASONS, STATUS_LABELS
from learning.pledges.models import Pledge, PledgeVersion
from learning.web import db


def version_or_404(version_id: int) -> PledgeVersion:
    version = db().get(PledgeVersion, version_id)
    if version is None:
        abort(404)
    return version


def pledge_or_404(pledge_id: int) -> Pledge:
    pledge = db().get(Pledge, pledge_id)
    if pledge is None:
        abort(404)
    return pledge


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[status])


def case_reason(reason: str) -> str:
    return gettext(CASE_REASONS[reason])

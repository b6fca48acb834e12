"""Verifying a certificate by its number: whose, which module and edition, when, and whether it still stands.

Only for those who may read the person's record (records.may_read: compliance, internal audit, the managers
of the person's department, the person): to anyone else a number in another's record is answered as one that
does not exist, so that the page cannot be used to learn which numbers are real. Guessing slows down per
address and per reader, on counters of their own (accounts.throttle, the claim page's policy).

A certificate is withdrawn when its assignment no longer counts as completed: a closed period's amendment
that corrects its outcome to anything else. Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from learning.accounts import throttle
from learning.accounts.models import User
from learning.campaigns import amendments
from learning.campaigns.models import PeriodAmendment
from learning.errors import DomainError
from learning.reports import records
from learning.reports.messages import VERIFY_MESSAGES
from learning.reports.services import Scope
from learning.training import certificates
from learning.training.models import Assignment, Certificate


class VerifyError(DomainError):
    messages = VERIFY_MESSAGES


@dataclass(frozen=True)
class Verification:
    certificate: Certificate
    assignment: Assignment
    person: User
    number: str  # as shown
    amendment: PeriodAmendment | None  # the latest correction, if its period's record was corrected

    @property
    def valid(self) -> bool:
        if self.amendment is not None:
            return self.amendment.corrected_status == "completed"
        return self.assignment.status == "completed"


def counters(address: str | None, reader_id: int) -> list[throttle.Counter]:
    return [
        throttle.counter("certificate_address", throttle.CLAIM_CODE, address),
        throttle.counter("certificate_reader", throttle.CLAIM_CODE, reader_id),
    ]


def verify(
    session: Session, scope: Scope, reader_id: int, typed: str | None, address: str | None
) -> Verification | None:
    """The certificate `typed` names, if the reader may read its holder's record; else None (count the failure
    with `count_failed`). VerifyError while the reader's or the address's gate is closed."""
    delay = throttle.wait(session, counters(address, reader_id))
    if delay:
        raise VerifyError("verify_locked", field="number", seconds=throttle.seconds(delay))
    certificate = certificates.find(session, typed)
    if certificate is None:
        return None
    assignment = session.get(Assignment, certificate.assignment_id)
    person = session.get(User, assignment.user_id)
    if not records.may_read(scope, reader_id, person):
        return None
    return Verification(
        certificate,
        assignment,
        person,
        certificates.shown(certificate.number),
        amendments.current(session, assignment.id),
    )


def count_failed(session: Session, address: str | None, reader_id: int) -> None:
    """A number that names nothing the reader may see, counted towards both delays."""
    throttle.count_failure(session, counters(address, reader_id))

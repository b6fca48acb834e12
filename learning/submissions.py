"""Create forms that create once: every such form carries a one-time submission token, and the first
submit holding it records where it led. A double click, a retry or a back-button resubmit finds the
token taken and lands on the same result. The unique token is the lock: on PostgreSQL a second insert
of the same token waits for the first transaction and then finds its result. Pure (no Flask)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, time

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from learning import clock
from learning.db import Base

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class FormSubmission(Base):
    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Nobody for a desk question (named or anonymous alike), so that nothing here ties a person to one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    endpoint: Mapped[str] = mapped_column(String(100))
    # Where the first submit led (a local path); empty when its answer was a page shown once.
    result: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(
    session: Session, token: str, user_id: int | None, endpoint: str, *, day_only: bool = False
) -> FormSubmission | None:
    """Takes the token for this submit: None when it is the first, else the earlier submission.
    `day_only` keeps just the (Tokyo) day, as anonymous desk questions do."""
    at = clock.now()
    if day_only:
        at = datetime.combine(clock.tokyo_date(at), time(), clock.TOKYO).astimezone(UTC)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    taken = session.execute(
        dialect.insert(FormSubmission)
        .values(token=token, user_id=user_id, endpoint=endpoint, result="", created_at=at)
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(FormSubmission.token)
    ).first()
    if taken is not None:
        return None
    return session.scalar(select(FormSubmission).where(FormSubmission.token == token))


def record_result(session: Session, token: str, result: str) -> None:
    session.get(FormSubmission, token).result = result[:500]

"""What the campaign and person pages include about the transfer rule: globals their partial templates call,
so that the views of those pages need not change (campaigns/_transfer_outcomes.html)."""

from __future__ import annotations

from learning.accounts.messages import AT_LINE
from learning.campaigns import staff_reminders, transfers
from learning.web import db, translated


def transfer_outcomes(campaign_id: int | None = None, user_id: int | None = None) -> list[transfers.OutcomeRow]:
    return transfers.outcomes(db(), campaign_id=campaign_id, user_id=user_id)


def transfer_reason(code: str) -> str:
    return translated(transfers.REASONS[code])


def bulk_line_message(line) -> str:
    """A bad (or dry-run) line of a bulk exemption list, with its line number."""
    return translated(AT_LINE, {"line": line.line, "message": translated(line.message, line.params)})


def staff_reminder_today(campaign_id: int, department_id: int):
    """Today's reminder to a department's staff, for the button on the department report."""
    return staff_reminders.sent_today(db(), campaign_id, department_id)


GLOBALS = {
    "transfer_outcomes": transfer_outcomes,
    "transfer_reason": transfer_reason,
    "bulk_line_message": bulk_line_message,
    "staff_reminder_today": staff_reminder_today,
    "tokyo_time": staff_reminders.tokyo_time,
}

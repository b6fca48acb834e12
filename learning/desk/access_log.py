"""Keeps anonymous asking out of the development server's access log."""

import logging


class NoAccessLogForAsking(logging.Filter):
    """The development server logs every request with the client's address; a line for the ask, sent and
    claim pages would tie an address to the moment a question was sent, so those lines are dropped. Named
    and anonymous asks answer alike, but a named question keeps its exact time: a logged ask at a moment
    when no named question was asked would be an anonymous one.
    (Production: gunicorn writes no access log unless told to; if one is wanted, exclude these paths.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(f" {path}" in message for path in ("/desk ", "/desk?", "/desk/sent", "/desk/claim"))

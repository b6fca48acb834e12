"""The append-only, hash-chained audit trail: record() and verify. Its page is a report (learning.reports);
`flask audit verify` is a core command (learning.cli)."""


def init_app(app) -> None:
    return  # nothing to register

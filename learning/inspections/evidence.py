"""An evidence file's type, told by its bytes (magic numbers), never by its name or the browser's word.

Pure: no database, no Flask. The size limit is a setting (INSPECTION_EVIDENCE_MAX_KB, learning/config.py).
"""

from __future__ import annotations

from learning.inspections.services import InspectionError

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)


def sniff(data: bytes) -> str | None:
    """The evidence type the bytes begin with, or None."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def checked(name: str, data: bytes, max_bytes: int) -> str:
    """The file's type (image/png, image/jpeg or application/pdf); refused with the reason otherwise."""
    if not data:
        raise InspectionError("evidence_empty", field="evidence", name=name)
    if len(data) > max_bytes:
        raise InspectionError("evidence_size", field="evidence", name=name, kb=max_bytes // 1024)
    kind = sniff(data)
    if kind is None:
        raise InspectionError("evidence_type", field="evidence", name=name)
    return kind

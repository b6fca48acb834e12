"""Checking an uploaded PDF by its bytes: it must start as a PDF, be under the size limit and parse. Pure."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAGIC = b"%PDF-"


def problem(data: bytes, limit_bytes: int) -> tuple[str, dict] | None:
    """Why `data` is not an acceptable PDF (a message code and its params), or None when it is."""
    if len(data) > limit_bytes:
        return "pdf_too_large", {"size": _mb(len(data)), "limit": _mb(limit_bytes)}
    if not data.startswith(MAGIC):
        return "not_pdf", {}
    # pypdf logs what it repairs in passing; a refusal says what matters, so keep its chatter out of the log.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "encrypted_pdf", {}
        if len(reader.pages) < 1:
            return "broken_pdf", {"reason": "no pages"}
        reader.pages[0].mediabox  # noqa: B018 - reading the first page proves the page tree resolves
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        return "broken_pdf", {"reason": type(exc).__name__}
    finally:
        logger.setLevel(level)
    return None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")

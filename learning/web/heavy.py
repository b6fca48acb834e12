"""Downloads take a slot: at most EXPORT_SLOTS downloads (report exports, the annual report, the evidence pack:
every URL ending .csv, .xlsx, .pdf or .zip) are made at once in a worker process, so that during the deadline
week exports cannot take every thread and every core from the pages people are reading. With gunicorn's
gthread workers (README, "Production deployment") a download waiting for a slot holds only its own thread,
without CPU; one that finds no slot within EXPORT_WAIT_SECONDS is answered 503 with Retry-After, and the
person is asked to try again shortly.

The slot is taken after the permission check, before the view computes anything. It is given back when the
server closes the response, after its last byte (so the rows a streamed download reads after its request
committed count too), or, when no response carried it (the view failed before one was made), as the request
ends. (Not in teardown alone: Flask tears a streamed request down once when the view returns and again when
the stream ends.) A plain semaphore per
process: the slots bound the work inside one process, which is what keeps that process's other threads
answering."""

from __future__ import annotations

import threading

from flask import Flask, current_app, g, request
from flask_babel import gettext as _

from learning.web.pipeline import app_settings
from learning.web.responses import UserError

DOWNLOADS = (".csv", ".xlsx", ".pdf", ".zip")
RETRY_AFTER_SECONDS = 30
_lock = threading.Lock()


class Busy(UserError):
    """Every download slot of this process is taken: 503, try again shortly."""

    retry_after = RETRY_AFTER_SECONDS

    def __init__(self):
        super().__init__(503, _("Many reports are being downloaded right now. Please try again in a minute."))


def init_app(app: Flask) -> None:
    """After the permission check (pipeline.init_after_csrf): someone refused never holds a slot."""
    app.before_request(_take_slot)
    app.after_request(_hand_to_response)
    app.teardown_request(_give_back_unless_handed)


class _Slot:
    """One taken slot, given back once, whoever gives it back first."""

    def __init__(self, slots: threading.BoundedSemaphore):
        self._slots, self._held, self.handed = slots, True, False

    def release(self) -> None:
        with _lock:
            held, self._held = self._held, False
        if held:
            self._slots.release()


def _slots() -> threading.BoundedSemaphore:
    app = current_app._get_current_object()
    with _lock:
        if "download_slots" not in app.extensions:
            app.extensions["download_slots"] = threading.BoundedSemaphore(app_settings().export_slots)
        return app.extensions["download_slots"]


def _take_slot() -> None:
    if request.method != "GET" or not request.path.endswith(DOWNLOADS):
        return
    slots = _slots()
    if not slots.acquire(timeout=app_settings().export_wait_seconds):
        raise Busy()
    g.download_slot = _Slot(slots)


def _hand_to_response(response):
    slot = g.get("download_slot")
    if slot is not None:
        response.call_on_close(slot.release)
        slot.handed = True
    return response


def _give_back_unless_handed(_exc) -> None:
    slot = g.get("download_slot")
    if slot is not None and not slot.handed:
        slot.release()

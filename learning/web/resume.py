"""What a form sent when its session had already ended, kept so that signing in again brings it back.

A quiz page saves each pick as it is made (static/quiz.js), but only where JavaScript runs. Without it, the
answers exist only in the form the person finally sends; if the session ended meanwhile, that request is
refused (the idle timeout, or the form's token gone with the session) and the answers would be lost. A view
marked `resumable(message, keep=…)` names the fields worth keeping: they ride in the signed session cookie
(a quiz's picks are a few hundred bytes) across the sign-in to the same page, whose view takes them back.

Nothing here trusts what it keeps: the view applies it only to the signed-in person's own record at that
address, with the same checks as any other input. The stash is tied to the person whose session ended when
that is known, and dropped when someone else signs in.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request, session

KEY = "resume_form"
Keep = Callable[[dict[str, list[str]]], dict[str, list[str]]]


def stash(keep: Keep, user_id: str | None) -> None:
    """Keeps `keep(form)` of this POST for the same address, after the session was cleared."""
    if request.method != "POST":
        return
    kept = keep(request.form.to_dict(flat=False))
    if kept:
        session[KEY] = {"user": user_id, "path": request.path, "form": kept}


def clear_session_for(user_id: str) -> None:
    """Clears the session at sign-in, keeping only a stash that may be `user_id`'s own."""
    kept = session.get(KEY)
    session.clear()
    if kept and kept.get("user") in (None, user_id):
        session[KEY] = kept


def take() -> dict[str, list[str]] | None:
    """The form kept for this address, once."""
    kept = session.get(KEY)
    if not kept or kept.get("path") != request.path:
        return None
    session.pop(KEY)
    return kept["form"]

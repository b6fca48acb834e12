"""Asking the desk (named or anonymous), following one's questions, reading the FAQ."""

import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learning.authz import Permission, requires
from learning.courses.models import Edition
from learning.courses.rendering import shown
from learning.desk import notices, services
from learning.desk.context import asked_about, reading_assignment, target
from learning.desk.forms import AskForm, ClaimForm, ClaimReplyForm, ReplyForm
from learning.i18n import current_locale
from learning.inputs import id_arg
from learning.web import app_settings, creates_once, db, refuse, security_event

bp = Blueprint("desk", __name__, template_folder="../templates")
SENT = "desk_sent"  # the session key carrying an ask's receipt to the page after it


def _int(value):
    """An id from the query string; beyond the database's range it names nothing (0: the context is then 404)."""
    if not value or not str(value).isdigit():
        return None
    try:
        return id_arg(value)
    except ValueError:
        return 0


def faq_for_section(module_id: int, position: int):
    """FAQ entries shown at the end of a module section (used by the reader's template)."""
    return services.faq_for_section(db(), module_id, position)


@bp.route("/desk", methods=["GET", "POST"])
@requires(Permission.LEARN)
@creates_once(anonymous=True)  # every ask's token alike: no person, no result, the day only
def ask():
    """Named and anonymous asks answer alike, sent or refused: the same status, the same redirect to the
    same page, the same cookie holding the same kind of random receipt."""
    form = AskForm(
        edition=request.args.get("edition", ""),
        section=request.args.get("section", ""),
        question=request.args.get("question", ""),
    )
    context = services.Context(
        edition_id=_int(form.edition.data),
        section_position=_int(form.section.data),
        bank_question_id=_int(form.question.data),
    )
    try:
        context = services.check_context(db(), context)
    except services.DeskError:
        abort(404)
    if form.validate_on_submit():
        receipt = secrets.token_urlsafe(24)
        try:
            services.ask(
                db(),
                current_user,
                form.body.data,
                form.category.data,
                context,
                form.anonymous.data,
                current_locale(),
                app_settings().secret_key,
                receipt,
            )
        except services.DeskError as exc:
            target = getattr(form, exc.field or "body")
            target.errors = [*target.errors, refuse(exc)]
        else:
            # The same random receipt in the cookie either way; the next page derives the claim code from it
            # (keys.claim_code), shows it once and drops the receipt. The server keeps only the code's hash.
            session[SENT] = receipt
            return redirect(url_for(".sent"))
    status = 400 if form.errors else 200
    edition = db().get(Edition, context.edition_id) if context.edition_id else None
    label = shown(edition.titles) if edition else None
    return render_template("desk/ask.html", form=form, context=context, context_label=label), status


@bp.route("/desk/sent")
@requires(Permission.LEARN)
def sent():
    """After an ask: the claim code (anonymous) or where to follow the question (named), once.

    Both versions are the same page of the same length: it holds both texts, the one that does not apply
    hidden, and a code in the claim-code slot either way (for a named question one that opens nothing),
    so that not even the size of this answer says which kind of question was sent."""
    receipt = session.pop(SENT, None)
    if not isinstance(receipt, str):
        return render_template("desk/sent.html", anonymous=None, claim_code=None)
    claim_code, anonymous = services.sent_receipt(db(), app_settings().secret_key, receipt)
    return render_template("desk/sent.html", anonymous=anonymous, claim_code=claim_code)


@bp.route("/desk/mine")
@requires(Permission.LEARN)
def mine():
    return render_template("desk/mine.html", questions=services.my_questions(db(), current_user.id))


@bp.route("/desk/mine/<code>", methods=["GET", "POST"])
@requires(Permission.LEARN)
@creates_once()
def mine_one(code: str):
    question = services.own_question(db(), current_user.id, code)
    if question is None:
        abort(404)
    notices.mark_seen(db(), question)  # a read receipt on the asker's own question, like the desk's audited read
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.asker_reply(db(), question, form.body.data)
        except services.DeskError as exc:
            form.body.errors = [refuse(exc)]
        else:
            return redirect(url_for(".mine_one", code=question.code))
    return _thread(question, form, None), 400 if form.errors else 200


@bp.route("/desk/claim", methods=["GET", "POST"])
@requires(Permission.LEARN)
@creates_once(anonymous=True)
def claim():
    """An anonymous asker reads the answer and replies with the claim code."""
    form = ClaimReplyForm() if request.form.get("body") else ClaimForm()
    question = None
    if form.validate_on_submit():
        try:
            question = services.claim(db(), form.code.data, request.remote_addr)
        except services.DeskError as exc:
            form.code.errors = [refuse(exc)]
        else:
            if question is None:
                address = request.remote_addr
                security_event(None, write=lambda session: services.count_failed_claim(session, address))
                form.code.errors = [_("No question has this claim code.")]
            elif isinstance(form, ClaimReplyForm):
                try:
                    services.asker_reply(db(), question, form.body.data)
                except services.DeskError as exc:
                    form.body.errors = [refuse(exc)]
    if question is None:
        return render_template("desk/claim.html", form=form), 400 if form.errors else 200
    db().refresh(question)  # show the reply just added
    reply = ClaimReplyForm(code=form.code.data, formdata=None)
    return _thread(question, reply, form.code.data)


def _thread(question, form, claim: str | None):
    """An asker's page of their question: the thread, what it was asked about (a section linked to the
    reader's own assignment of it, if they hold one) and the reply-time target."""
    asked = asked_about(db(), question)
    section_url = None
    if asked and asked.section:
        held = reading_assignment(db(), current_user.id, asked.edition_id)
        if held is not None:
            section_url = url_for("training.section", assignment_id=held, position=asked.section_position)
    return render_template(
        "desk/thread.html",
        question=question,
        form=form,
        claim=claim,
        asked=asked,
        section_url=section_url,
        target=target(question),
    )


@bp.route("/faq")
@requires(Permission.LEARN)
def faq():
    query = request.args.get("q", "").strip()[:100]
    return render_template("desk/faq.html", entries=services.published_faq(db(), query or None), query=query)

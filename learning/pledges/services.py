"""Pledges and their versions (a new pledge, a draft edited, review with four eyes, publishing) and signing
(the signer's password checked as at sign-in and counted by its throttle; one signature per person and
version; a "no" or a refusal opens a case). Every step is audited, in the caller's transaction (never
committed here). Pure of Flask.

Every step that adds a version or changes one's status takes the pledge's row lock first (`lock_pledge`);
the database holds one version in the works and one published per pledge (partial unique indexes), four
eyes (a CHECK) and one signature per person and version (a unique index).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts import oidc, throttle
from learning.accounts.models import User
from learning.accounts.passwords import verify_password
from learning.accounts.second_factor import check_code
from learning.accounts.services import Refusal, password_counters, second_factor_counters
from learning.audit.services import Entry, record
from learning.courses.formats.spec import SLUG_RE
from learning.errors import DomainError
from learning.pledges import messages
from learning.pledges.models import Pledge, PledgeCase, PledgePart, PledgePending, PledgeSignature, PledgeVersion
from learning.pledges.signals import pledge_signed
from learning.training.certificates import new_number

LANGS = ("ja", "en")
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_REASON = 2_000


class PledgeError(DomainError):
    messages = messages.MESSAGES

    def __init__(self, code: str, *, refusal: Refusal | None = None, **kwargs):
        super().__init__(code, **kwargs)
        self.refusal = refusal  # a wrong password: the security event and the throttle's counters


def lock_pledge(session: Session, pledge_id: int) -> None:
    """The pledge's row lock until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    session.execute(select(Pledge.id).where(Pledge.id == pledge_id).with_for_update())


def in_the_works(session: Session, pledge_id: int) -> PledgeVersion | None:
    return session.scalar(
        select(PledgeVersion).where(PledgeVersion.pledge_id == pledge_id, PledgeVersion.status.in_(("draft", "review")))
    )


def published(session: Session, pledge_id: int) -> PledgeVersion | None:
    return session.scalar(
        select(PledgeVersion).where(PledgeVersion.pledge_id == pledge_id, PledgeVersion.status == "published")
    )


def overview(session: Session) -> list[tuple[Pledge, PledgeVersion | None, PledgeVersion | None]]:
    """Every pledge with its published version and its version in the works (either may be None)."""
    pledges = list(session.scalars(select(Pledge).order_by(Pledge.slug)))
    versions = session.scalars(
        select(PledgeVersion).where(PledgeVersion.status.in_(("draft", "review", "published")))
    ).all()
    by = {(v.pledge_id, v.status in ("draft", "review")): v for v in versions}
    return [(p, by.get((p.id, False)), by.get((p.id, True))) for p in pledges]


def versions_of(session: Session, pledge_id: int) -> list[PledgeVersion]:
    return list(
        session.scalars(
            select(PledgeVersion).where(PledgeVersion.pledge_id == pledge_id).order_by(PledgeVersion.version.desc())
        )
    )


def open_versions(session: Session) -> list[PledgeVersion]:
    """The published version of every pledge: what a person is asked to sign."""
    return list(session.scalars(select(PledgeVersion).where(PledgeVersion.status == "published")))


def signature_of(session: Session, version_id: int, user_id: int) -> PledgeSignature | None:
    return session.scalar(
        select(PledgeSignature).where(PledgeSignature.version_id == version_id, PledgeSignature.user_id == user_id)
    )


# Checking what a person typed -------------------------------------------------------------------------


def _text(text: str | None) -> str:
    # A browser's text area sends CRLF: kept as LF.
    return (text or "").replace("\r\n", "\n").strip()


def _titles(title: dict[str, str], field: str = "title") -> dict[str, str]:
    cleaned = {lang: _text(title.get(lang)) for lang in LANGS}
    if not all(cleaned.values()):
        raise PledgeError("title_required", field=f"{field}_ja" if not cleaned["ja"] else f"{field}_en")
    for lang, text in cleaned.items():
        if len(text) > MAX_TITLE:
            raise PledgeError("too_long", field=f"{field}_{lang}", n=MAX_TITLE)
    return cleaned


def split_parts(text: str | None) -> list[str]:
    """Clauses or declarations as typed in one text area: one per paragraph (a blank line between)."""
    return [" ".join(p.split("\n")).strip() for p in _text(text).split("\n\n") if p.strip()]


def _parts(ja: str | None, en: str | None, field: str) -> list[tuple[str, str]]:
    texts = {"ja": split_parts(ja), "en": split_parts(en)}
    for lang in LANGS:
        if len(_text(ja if lang == "ja" else en)) > MAX_TEXT:
            raise PledgeError("too_long", field=f"{field}_{lang}", n=MAX_TEXT)
    if len(texts["ja"]) != len(texts["en"]):
        raise PledgeError("parts_mismatch", field=f"{field}_en", ja=len(texts["ja"]), en=len(texts["en"]))
    return list(zip(texts["ja"], texts["en"], strict=True))


@dataclass(frozen=True)
class DraftInput:
    title: dict[str, str]
    intro: dict[str, str]
    clauses: dict[str, str]  # per language, one clause per paragraph
    declarations: dict[str, str]


def parts_text(version: PledgeVersion, kind: str, lang: str) -> str:
    """A version's clauses or declarations as the draft's text area shows them."""
    return "\n\n".join(p.texts[lang] for p in version.parts if p.kind == kind)


# Pledges and drafts -----------------------------------------------------------------------------------


def new_pledge(session: Session, slug: str, title: dict[str, str], actor_id: int) -> PledgeVersion:
    slug = (slug or "").strip()
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise PledgeError("slug", field="slug")
    title = _titles(title)
    if session.scalar(select(Pledge.id).where(Pledge.slug == slug)) is not None:
        raise PledgeError("slug_taken", field="slug")
    now = clock.now()
    pledge = Pledge(slug=slug, created_at=now)
    session.add(pledge)
    session.flush()
    version = _version(pledge.id, 1, title, {"ja": "", "en": ""}, now, actor_id)
    session.add(version)
    session.flush()
    record(session, "pledge_created", actor_id=actor_id, target=("pledge", pledge.id), details={"slug": slug})
    return version


def _version(pledge_id: int, number: int, title: dict, intro: dict, now, actor_id: int) -> PledgeVersion:
    return PledgeVersion(
        pledge_id=pledge_id,
        version=number,
        status="draft",
        title_ja=title["ja"],
        title_en=title["en"],
        intro_ja=intro.get("ja", ""),
        intro_en=intro.get("en", ""),
        created_at=now,
        edited_by_id=actor_id,
        edited_at=now,
    )


def start_draft(session: Session, pledge_id: int, actor_id: int) -> PledgeVersion:
    """A draft copied from the published version; the draft already in the works if there is one."""
    lock_pledge(session, pledge_id)
    if session.get(Pledge, pledge_id) is None:
        raise PledgeError("no_pledge")
    existing = in_the_works(session, pledge_id)
    if existing is not None:
        return existing
    base = published(session, pledge_id)
    if base is None:
        raise PledgeError("no_published")
    number = (
        session.scalar(select(func.max(PledgeVersion.version)).where(PledgeVersion.pledge_id == pledge_id)) or 0
    ) + 1
    draft = _version(pledge_id, number, base.titles, base.intros, clock.now(), actor_id)
    session.add(draft)
    session.flush()
    for part in base.parts:
        session.add(
            PledgePart(
                version_id=draft.id, kind=part.kind, position=part.position, text_ja=part.text_ja, text_en=part.text_en
            )
        )
    session.flush()
    session.refresh(draft)
    record(
        session,
        "pledge_draft_started",
        actor_id=actor_id,
        target=("pledge_version", draft.id),
        details={"from": base.id},
    )
    return draft


def _locked_version(session: Session, version_id: int, status: str) -> PledgeVersion:
    pledge_id = session.scalar(select(PledgeVersion.pledge_id).where(PledgeVersion.id == version_id))
    if pledge_id is None:
        raise PledgeError("no_pledge")
    lock_pledge(session, pledge_id)
    version = session.get(PledgeVersion, version_id, with_for_update=True, populate_existing=True)
    if version.status != status:
        raise PledgeError("not_a_draft" if status == "draft" else "not_in_review")
    return version


def save_draft(session: Session, version_id: int, given: DraftInput, actor_id: int) -> PledgeVersion:
    """The draft's header, clauses and declarations replaced by what was typed (checked whole first)."""
    version = _locked_version(session, version_id, "draft")
    title = _titles(given.title)
    intro = {lang: _text(given.intro.get(lang)) for lang in LANGS}
    for lang in LANGS:
        if len(intro[lang]) > MAX_TEXT:
            raise PledgeError("too_long", field=f"intro_{lang}", n=MAX_TEXT)
    clauses = _parts(given.clauses.get("ja"), given.clauses.get("en"), "clauses")
    declarations = _parts(given.declarations.get("ja"), given.declarations.get("en"), "declarations")
    version.title_ja, version.title_en = title["ja"], title["en"]
    version.intro_ja, version.intro_en = intro["ja"], intro["en"]
    for part in list(version.parts):
        session.delete(part)
    session.flush()
    for kind, rows in (("clause", clauses), ("declaration", declarations)):
        for position, (ja, en) in enumerate(rows, 1):
            session.add(PledgePart(version_id=version.id, kind=kind, position=position, text_ja=ja, text_en=en))
    version.edited_by_id, version.edited_at = actor_id, clock.now()
    session.flush()
    session.expire(version, ["parts"])
    record(
        session,
        "pledge_draft_edited",
        actor_id=actor_id,
        target=("pledge_version", version.id),
        details={"clauses": len(clauses), "declarations": len(declarations)},
    )
    return version


def submit(session: Session, version_id: int, actor_id: int) -> PledgeVersion:
    version = _locked_version(session, version_id, "draft")
    if not version.clauses:
        raise PledgeError("no_clauses")
    version.status, version.submitted_by_id, version.submitted_at = "review", actor_id, clock.now()
    version.review_note = None
    record(session, "pledge_submitted", actor_id=actor_id, target=("pledge_version", version.id))
    return version


def is_own(version: PledgeVersion, actor_id: int) -> bool:
    return actor_id in (version.edited_by_id, version.submitted_by_id)


def send_back(session: Session, version_id: int, actor_id: int, comments: str) -> PledgeVersion:
    if not (comments or "").strip():
        raise PledgeError("comments_required", field="comments")
    version = _locked_version(session, version_id, "review")
    version.status, version.review_note = "draft", comments.strip()
    record(session, "pledge_sent_back", actor_id=actor_id, target=("pledge_version", version.id))
    return version


def content_hash(version: PledgeVersion) -> str:
    """SHA-256 of the version's canonical JSON: what the signer read, clause by clause, in both languages."""
    doc = {
        "pledge": version.pledge.slug,
        "version": version.version,
        "title": version.titles,
        "intro": version.intros,
        "clauses": [p.texts for p in version.clauses],
        "declarations": [p.texts for p in version.declarations],
    }
    canonical = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def approve(session: Session, version_id: int, actor_id: int) -> PledgeVersion:
    """Publishes a version in review and retires the one it replaces; refused and audited when the approver
    edited or submitted it. Signatures of the retired version stay as they are."""
    version = _locked_version(session, version_id, "review")
    if is_own(version, actor_id):
        entry = Entry("pledge_published", actor_id, target=("pledge_version", version.id), outcome="denied")
        raise PledgeError("own_version", audit=entry)
    replaced = published(session, version.pledge_id)
    if replaced is not None:
        replaced.status = "retired"
        session.flush()
    version.content_hash = content_hash(version)
    version.status, version.approved_by_id, version.published_at = "published", actor_id, clock.now()
    session.flush()
    record(
        session,
        "pledge_published",
        actor_id=actor_id,
        target=("pledge_version", version.id),
        details={"replaces": replaced.id if replaced else None},
    )
    return version


# Signing ----------------------------------------------------------------------------------------------


def check_password(session: Session, user: User, password: str, address: str | None) -> None:
    """The signer's password as sign-in checks it, through the same throttle: a closed gate refuses at once;
    a wrong password is refused with what it leaves on record (a security event, counted failures)."""
    name = user.login_id or user.employee_no
    counters = password_counters(name, address, True)
    delay = throttle.wait(session, counters)
    if delay:
        raise PledgeError("locked", field="password", seconds=throttle.seconds(delay))
    if not verify_password(user.password_hash, password or ""):
        entry = Entry(
            "pledge_signature_password_fail",
            user.id,
            target=("user", user.id),
            outcome="failure",
            details={"reason": "wrong_password"},
        )
        raise PledgeError(
            "wrong_password", field="password", refusal=Refusal(entry, tuple(password_counters(name, address, False)))
        )


def needs_code(user: User) -> bool:
    """Whether signing asks for a current TOTP code too: the person has a second factor set up."""
    return bool(user.totp_secret)


def check_second_factor(session: Session, user: User, code: str | None, address: str | None) -> None:
    """A current TOTP code, checked as sign-in checks it (a step either side, never a step used before) and
    counted by the same throttle (its per-person counters, as from an unknown place: a signature is not a
    sign-in from a trusted device). A right code uses its step up, as a sign-in does."""
    counters = second_factor_counters(user, address, False)
    delay = throttle.wait(session, counters)
    if delay:
        raise PledgeError("locked", field="code", seconds=throttle.seconds(delay))
    checked = check_code(user.totp_secret, code or "", clock.now(), user.totp_last_step)
    if checked.step is None:
        entry = Entry(
            "authn_token_reuse" if checked.reused else "pledge_signature_code_fail",
            user.id,
            target=("user", user.id),
            outcome="failure",
            details={"reason": "second_factor"},
        )
        raise PledgeError("wrong_code", field="code", refusal=Refusal(entry, tuple(counters)))
    user.totp_last_step = checked.step


def password_usable(user: User, sso) -> bool:
    """Whether the person can sign with their password: they have one and password sign-in is open to them
    (PASSWORD_SIGNIN on, or they are a break-glass login). Otherwise the signature is a fresh sign-in at the
    company directory (`hold_for_directory`, `sign_after_directory`)."""
    if not user.password_hash:
        return False
    return any(sso.password_allowed(name) for name in (user.login_id or "", user.employee_no))


def _checked(session: Session, user: User, version_id: int, answers: dict, refusal_reason: str | None):
    """What a signature would record, checked before any credential is: (version, answers given, reason)."""
    version = session.get(PledgeVersion, version_id)
    if version is None or version.status != "published":
        raise PledgeError("not_published")
    refusing = refusal_reason is not None
    reason = _text(refusal_reason) if refusing else None
    if refusing and not reason:
        raise PledgeError("reason_required", field="reason")
    if reason and len(reason) > MAX_REASON:
        raise PledgeError("too_long", field="reason", n=MAX_REASON)
    given: dict[str, bool] = {}
    for part in version.declarations:
        answer = answers.get(part.position)
        if answer is None and not refusing:
            raise PledgeError("answer_required", field=f"declaration_{part.position}", n=part.position)
        if answer is not None:
            given[str(part.position)] = bool(answer)
    if signature_of(session, version.id, user.id) is not None:
        raise PledgeError("already_signed")
    return version, given, reason


def sign(
    session: Session,
    user: User,
    version_id: int,
    answers: dict[int, bool | None],
    password: str,
    *,
    address: str | None,
    refusal_reason: str | None = None,
    code: str | None = None,
    numbers=new_number,
) -> PledgeSignature:
    """Signs (or, with a reason, refuses to sign) a published version as `user`, who re-entered their password
    and, when they have a second factor, a current TOTP code (`code`).
    Every declaration needs an answer when signing; a "no" or a refusal opens a case. A second signature of
    the same version (a double click) is refused and writes nothing."""
    version, given, reason = _checked(session, user, version_id, answers, refusal_reason)
    if needs_code(user) and not (code or "").strip():
        raise PledgeError("code_required", field="code")
    check_password(session, user, password, address)
    if needs_code(user):
        check_second_factor(session, user, code, address)
    return _signed(session, numbers, user, version, given, reason, {})


def _signed(session, numbers, user, version, given, reason, how: dict) -> PledgeSignature:
    refusing = reason is not None
    now = clock.now()
    signature = _insert_signature(
        session,
        numbers,
        version_id=version.id,
        user_id=user.id,
        employee_no=user.employee_no,
        department_id=user.department_id,
        content_hash=version.content_hash,
        outcome="refused" if refusing else "signed",
        answers=given,
        refusal_reason=reason,
        signed_at=now,
    )
    case_reason = "refused" if refusing else ("declaration_no" if not all(given.values()) else None)
    if case_reason:
        session.add(PledgeCase(signature_id=signature.id, reason=case_reason, opened_at=now))
        session.flush()
    record(
        session,
        "pledge_refused" if refusing else "pledge_signed",
        actor_id=user.id,
        target=("pledge_version", version.id),
        details={"answers": given, "case": case_reason, **how},
    )
    if not refusing:  # campaigns complete the pledge assignments it fulfils, in this transaction
        pledge_signed.send(None, session=session, signature=signature)
    return signature


PENDING_FOR = timedelta(minutes=10)  # from leaving for the directory to coming back (the state's lifetime)


def hold_for_directory(
    session: Session, user: User, version_id: int, answers: dict[int, bool | None], refusal_reason: str | None
) -> PledgePending:
    """The answers of a signature (or refusal) checked and kept on the server while the person re-authenticates
    at the company directory; `bind` ties it to the provider's state."""
    version, given, reason = _checked(session, user, version_id, answers, refusal_reason)
    pending = PledgePending(
        user_id=user.id, version_id=version.id, answers=given, refusal_reason=reason, created_at=clock.now()
    )
    session.add(pending)
    session.flush()
    return pending


def bind(session: Session, pending: PledgePending, hashed_state: str) -> None:
    pending.state_hash = hashed_state
    session.flush()


def sign_after_directory(session: Session, user: User, pending_id: int, numbers=new_number) -> PledgeSignature:
    """The signature kept by `hold_for_directory`, made once the directory's answer proved the person signed
    in again just now (`oidc.reauthenticated`). Spent once (a conditional UPDATE:
    a reload or a second tab signs nothing more); refused when it is not theirs, too old, or not proved."""
    now = clock.now()
    pending = session.get(PledgePending, pending_id)
    if pending is None or pending.user_id != user.id:
        raise PledgeError("no_pending")
    if not oidc.reauthenticated(session, pending.state_hash, user.id):
        raise PledgeError("not_reauthenticated")
    spent = session.execute(
        update(PledgePending)
        .where(
            PledgePending.id == pending.id,
            PledgePending.used_at.is_(None),
            PledgePending.created_at > now - PENDING_FOR,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise PledgeError("no_pending")
    version, given, reason = _checked(
        session,
        user,
        pending.version_id,
        {int(k): v for k, v in (pending.answers or {}).items()},
        pending.refusal_reason,
    )
    return _signed(session, numbers, user, version, given, reason, {"method": "oidc"})


def _insert_signature(session: Session, numbers, **values) -> PledgeSignature:
    """One INSERT … ON CONFLICT DO NOTHING per draw of the code, no savepoint (as certificates are issued): the
    same person's other click that came first (the second waits for it on PostgreSQL) refuses this one."""
    table = PledgeSignature.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(5):
        statement = dialect.insert(table).values(code=numbers(), **values)
        inserted = session.execute(statement.on_conflict_do_nothing().returning(table.c.id)).scalar()
        if inserted is not None:
            return session.get(PledgeSignature, inserted)
        if signature_of(session, values["version_id"], values["user_id"]) is not None:
            raise PledgeError("already_signed")
    raise RuntimeError("no free verification code after several draws")


def cases(session: Session, status: str = "open") -> list[PledgeCase]:
    return list(
        session.scalars(select(PledgeCase).where(PledgeCase.status == status).order_by(PledgeCase.opened_at.desc()))
    )


def close_case(session: Session, case_id: int, actor_id: int) -> PledgeCase:
    case = session.get(PledgeCase, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise PledgeError("no_pledge")
    if case.status == "open":
        case.status = "closed"
        record(session, "pledge_case_closed", actor_id=actor_id, target=("pledge_case", case.id))
    return case


def publish_shipped(session: Session, slug: str, given: DraftInput, actor_id: int | None = None) -> PledgeVersion:
    """A pledge published as given, with no approver (the demo's and the shipped text, reviewed where it is
    kept); nothing if the pledge exists already."""
    existing = session.scalar(select(Pledge).where(Pledge.slug == slug))
    if existing is not None:
        return published(session, existing.id) or in_the_works(session, existing.id)
    now = clock.now()
    pledge = Pledge(slug=slug, created_at=now)
    session.add(pledge)
    session.flush()
    version = _version(pledge.id, 1, _titles(given.title), given.intro, now, None)
    version.edited_by_id = version.edited_at = None
    session.add(version)
    session.flush()
    for kind, texts in (("clause", given.clauses), ("declaration", given.declarations)):
        for position, (ja, en) in enumerate(_parts(texts.get("ja"), texts.get("en"), f"{kind}s"), 1):
            session.add(PledgePart(version_id=version.id, kind=kind, position=position, text_ja=ja, text_en=en))
    session.flush()
    session.refresh(version)
    version.content_hash = content_hash(version)
    version.status, version.published_at = "published", now
    session.flush()
    record(
        session,
        "pledge_published",
        actor_id=actor_id,
        target=("pledge_version", version.id),
    )
    return version

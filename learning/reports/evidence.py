"""The evidence pack (証跡パッケージ): one zip of a fiscal year that internal audit keeps. It holds the annual
report (PDF and XLSX), every assignment of the year's campaigns as a per-person record, the exemption register,
each content edition used (in the content/ format, with its stored hash and the hash recomputed from what is
stored now), and a manifest: the audit trail's head at the time, and the SHA-256 of every file in the pack, so
that a copy kept elsewhere can be checked file by file. Flask-free: the caller passes the translated tables
and the writers of the report's files.

Files are written into the zip as they are made (zipfile streams each entry), so the records of a large year
are never held in memory."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from learning.accounts.models import Department, User
from learning.audit.services import Anchor
from learning.campaigns.messages import AMENDMENT_LABELS
from learning.campaigns.models import Campaign, PeriodAmendment
from learning.campaigns.periods import fiscal_year
from learning.courses.formats.bundle import zip_module
from learning.courses.models import Edition
from learning.courses.services import spec_from_edition
from learning.courses.term_settings import current_terms, stored_terms
from learning.quizzes.models import Attempt
from learning.reports.annual import edition_ids
from learning.reports.exports import Column, Table, csv_pieces
from learning.reports.messages import HISTORY_STATUS
from learning.reports.records import status_of
from learning.reports.tables import Translate, content_in
from learning.training.certificates import numbers_of
from learning.training.models import Assignment

CHUNK = 5000  # assignments read at a time for the records: plain rows, so memory stays bounded
RECORD_COLUMNS = (
    Assignment.id,
    Assignment.campaign_id,
    Assignment.edition_id,
    Assignment.department_id,
    Assignment.status,
    Assignment.frozen_at,
    Assignment.withdrawn_at,
    Assignment.due_at,
    Assignment.completed_at,
    Assignment.best_score,
    Assignment.attested_at,
    Assignment.exempt_reason,
)


@dataclass(frozen=True)
class Part:
    """A file of the pack: its name inside the zip and what writes its bytes."""

    name: str
    write: Callable[[BinaryIO], None]


class _Hashing:
    """A write-only stream that counts and hashes what passes through to the zip entry."""

    def __init__(self, target: BinaryIO):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


def write_pack(target: BinaryIO, parts: Iterable[Part], manifest: dict, readme: Callable[[list[dict]], str]) -> None:
    """The zip: each part, then `manifest.json` (the given facts and every file's size and SHA-256) and a
    `README.txt` in the reader's language (`readme` gets the list of files)."""
    files = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as pack:
        for part in parts:
            with pack.open(part.name, "w", force_zip64=True) as entry:
                hashing = _Hashing(entry)
                part.write(hashing)
            files.append({"name": part.name, "bytes": hashing.size, "sha256": hashing.digest.hexdigest()})
        pack.writestr("manifest.json", json.dumps({**manifest, "files": files}, ensure_ascii=False, indent=2))
        pack.writestr("README.txt", readme(files).encode("utf-8"))


def manifest(year: int, campaigns: list[Campaign], head: Anchor | None, at: datetime, by: str) -> dict:
    """The facts the pack states about itself (codes and ISO times: for machines and for the record)."""
    return {
        "fiscal_year": year,
        "campaigns": [
            {"id": c.id, "name_ja": c.name_ja, "status": c.status, "closed_at": c.closed_at and c.closed_at.isoformat()}
            for c in campaigns
        ],
        "audit_head": {"event_id": head.event_id, "hash": head.hash} if head else None,
        "generated_at": at.isoformat(),
        "generated_by": by,
    }


def terms_part(session: Session) -> Part:
    """`terms.json`: the organisation terms in force as the pack is made (the editions keep the raw
    {{name}}; this says what their readers saw in its place), each with when it was last set."""
    rows = stored_terms(session)
    terms = [
        {
            "name": name,
            "ja": words["ja"],
            "en": words["en"],
            "updated_at": rows[name].updated_at.isoformat() if name in rows else None,
        }
        for name, words in current_terms(session).items()
    ]
    data = json.dumps(terms, ensure_ascii=False, indent=2).encode("utf-8")
    return Part("terms.json", lambda stream: stream.write(data))


def csv_part(name: str, table: Table) -> Part:
    def write(stream: BinaryIO) -> None:
        for piece in csv_pieces(table):
            stream.write(piece)

    return Part(name, write)


def edition_parts(session: Session, editions: list[Edition]) -> tuple[list[Part], list[list]]:
    """Each edition as its content/ folder zipped, and a line per edition: the hash stored when it was published
    and the one recomputed from its content as stored now (equal: unchanged since)."""
    parts, lines = [], []
    for edition in editions:
        spec = spec_from_edition(session, edition)
        name = f"editions/{edition.module.slug}-v{edition.version}.zip"
        data = zip_module(spec)
        parts.append(Part(name, lambda stream, data=data: stream.write(data)))
        recomputed = spec.content_hash()
        lines.append([edition.module.slug, edition.version, edition.label, edition.content_hash, recomputed, name])
    return parts, lines


def editions_table(lines: list[list], _: Translate, heading: list[list[str]]) -> Table:
    columns = [
        Column(_("Module"), "module"),
        Column(_("Version"), "version", "integer"),
        Column(_("Edition"), "edition"),
        Column(_("Content hash when published (SHA-256)"), "content_hash"),
        Column(_("Content hash recomputed now (SHA-256)"), "recomputed_hash"),
        Column(_("File in this pack"), "file"),
    ]
    return Table(_("Content editions used"), columns, lines, heading)


def records_table(
    sessions, campaigns: list[Campaign], now: datetime, locale: str, _: Translate, jst: Translate, heading
) -> Table:
    """Every assignment of the campaigns, one line each: who, where they counted, which module and edition, and
    the outcome with its evidence (times, score, attempts, attestation, certificate). Read as the file is
    written, after the request has committed, in chunks each in a short session of its own from `sessions` (a
    session factory): no transaction stays open while the pack is made."""
    columns = [
        Column(_("Fiscal year"), "fiscal_year", "integer"),
        Column(_("Campaign"), "campaign"),
        Column(_("Employee number"), "employee_no"),
        Column(_("Name"), "name"),
        Column(_("Department code"), "department_code"),
        Column(_("Department"), "department"),
        Column(_("Module"), "module"),
        Column(_("Edition"), "edition"),
        Column(_("Status"), "status", "coded", labels=lambda code: _(HISTORY_STATUS[code])),
        Column(_("Corrected by amendment"), "corrected", "coded", labels=lambda code: _(AMENDMENT_LABELS[code])),
        Column(_("Due"), "due_on", "date"),
        Column(jst(_("Completed at")), "completed_at", "datetime"),
        Column(_("Best score"), "best_score", "integer"),
        Column(_("Attempts"), "attempts", "integer"),
        Column(jst(_("Attested at")), "attested_at", "datetime"),
        Column(_("Exemption reason"), "exemption_reason"),
        Column(jst(_("Withdrawn at")), "withdrawn_at", "datetime"),
        Column(_("Certificate number"), "certificate"),
    ]
    return Table(_("Per-person records"), columns, _record_rows(sessions, campaigns, now, locale), heading)


def _record_rows(sessions, campaigns: list[Campaign], now: datetime, locale: str) -> Iterator[list]:
    ids = [c.id for c in campaigns]
    by_id = {c.id: (fiscal_year(c.period_start), c.name_en if locale == "en" else c.name_ja) for c in campaigns}
    with sessions() as session:
        names, titles, corrected = _lookups(session, ids, locale)
    person = aliased(User)
    last_id = 0
    while True:
        with sessions() as session:
            chunk = session.execute(
                select(*RECORD_COLUMNS, person.employee_no, person.name, person.department_id.label("now_in"))
                .join(person, person.id == Assignment.user_id)
                .where(Assignment.campaign_id.in_(ids or [-1]), Assignment.id > last_id)
                .order_by(Assignment.id)
                .limit(CHUNK)
            ).all()
            tries = dict(
                session.execute(
                    select(Attempt.assignment_id, func.count())
                    .where(Attempt.assignment_id.in_([a.id for a in chunk]), Attempt.submitted_at.is_not(None))
                    .group_by(Attempt.assignment_id)
                ).all()
            )
            numbers = numbers_of(session, [a.id for a in chunk])
        if not chunk:
            return
        for a in chunk:
            year, campaign_name = by_id[a.campaign_id]
            department = a.department_id if a.frozen_at is not None else a.now_in
            code, department_name = names.get(department, ("", ""))
            edition = titles[a.edition_id]
            exempt = a.status == "exempt"
            yield [
                year,
                campaign_name,
                a.employee_no,
                a.name,
                code,
                department_name,
                edition[0],
                edition[1],
                status_of(a, now),
                corrected.get(a.id),
                a.due_at,
                a.completed_at,
                a.best_score,
                tries.get(a.id, 0),
                a.attested_at,
                a.exempt_reason if exempt else "",
                a.withdrawn_at,
                numbers.get(a.id, "") if a.status == "completed" else "",
            ]
        last_id = chunk[-1].id


def _lookups(session: Session, ids: list[int], locale: str):
    """Departments by id, editions by id (title, "vN (label)") and the latest amendment of each assignment."""
    english = locale == "en"
    departments = session.scalars(select(Department))
    names = {d.id: (d.code, d.name_en if english and d.name_en else d.name_ja) for d in departments}
    terms = current_terms(session)
    titles = {
        e.id: (content_in(locale, e.title_ja, e.title_en, terms), f"v{e.version} ({e.label})")
        for e in session.scalars(select(Edition).where(Edition.id.in_(edition_ids(session, ids))))
    }
    corrected = dict(
        session.execute(
            select(PeriodAmendment.assignment_id, PeriodAmendment.corrected_status)
            .where(PeriodAmendment.campaign_id.in_(ids or [-1]))
            .order_by(PeriodAmendment.id)
        ).all()
    )  # the latest amendment of an assignment wins: later rows overwrite earlier ones
    return names, titles, corrected

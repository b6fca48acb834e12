"""A pledge's signed copy as a PDF, and verifying a signature by the code printed on it.

Here in reports rather than in pledges: the PDF takes the one vendored font (`pdf.FONT`, Noto Sans JP embedded
as a subset) and the verification takes the reader's scope (`records.may_read`), both of reports, and reports
sits above pledges in the layers (pyproject.toml), so reports may use pledges and not the other way round. Not
`pdf.write_pdf`, whose pages are tables: a pledge is running text, written as the certificate's writer does
(`certificate_pdf`), on A4 portrait with "n / N" at every page's foot.

Verifying follows `verification` (certificates): only for those who may read the signer's record (compliance,
internal audit, the managers of the signer's department subtree, the signer); to anyone else a code in another's
record is answered as one that does not exist. Guessing slows down per address and per reader, on counters of
their own (the claim page's policy). A code is read as certificates' numbers are (any case, spaces, hyphens,
O for 0, full-width characters: `certificates.typed_number`), since it is drawn from the same alphabet.
Flask-free: every word arrives in the reader's language (`CopyWords`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.accounts import throttle
from learning.accounts.models import Department, User
from learning.clock import TOKYO
from learning.errors import DomainError
from learning.pledges import services as pledges
from learning.pledges.models import PledgeSignature, PledgeVersion
from learning.reports import records
from learning.reports.messages import VERIFY_MESSAGES
from learning.reports.pdf import ALIAS, FAMILY, FONT, PAGES
from learning.reports.services import Scope
from learning.training import certificates

BRAND = (23, 63, 110)
MARGIN = 18  # mm


@dataclass(frozen=True)
class SignedCopy:
    """What the copy shows: the signature, the version signed, and the signer as they were at signing."""

    signature: PledgeSignature
    version: PledgeVersion
    person: str
    department: dict[str, str] | None  # the department at signing, in both languages
    code: str  # as printed, 'K3QH-9ZTA-…'

    @property
    def hash_matches(self) -> bool:
        """The hash kept with the signature is the version's stored one, and the version's text still hashes to
        it (a published version never changes: this shows it did not)."""
        stored = self.version.content_hash
        return self.signature.content_hash == stored and pledges.content_hash(self.version) == stored


def signed_copy(session: Session, signature: PledgeSignature) -> SignedCopy:
    person = session.get(User, signature.user_id)
    department = session.get(Department, signature.department_id) if signature.department_id else None
    return SignedCopy(
        signature,
        signature.version,
        person.name,
        department.names if department else None,
        certificates.shown(signature.code),
    )


def own_signed(session: Session, signature_id: int, user_id: int) -> PledgeSignature | None:
    """The person's own signature (a refusal is not a signed copy: None, as for another's)."""
    signature = session.get(PledgeSignature, signature_id)
    if signature is None or signature.user_id != user_id or signature.outcome != "signed":
        return None
    return signature


def signed_at(moment: datetime, lang: str) -> str:
    """The moment of signing as people read it: the date and time in Japan, the zone named."""
    shown = format_datetime(moment.astimezone(TOKYO), "medium", tzinfo=TOKYO, locale=lang)
    return shown.replace("\u202f", " ") + " (JST)"  # CLDR's narrow space before "AM": the font has no glyph


# The PDF -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyWords:
    """The copy's own words in the reader's language (`page` a %-format with `page` and `pages`)."""

    heading: str  # 誓約書（署名済みの写し）
    version: str  # "Version 2", formatted
    clauses: str
    declarations: str
    yes: str
    no: str
    signature: str  # the heading of the signature block
    labels: dict[str, str]  # person, employee_no, department, signed_at, version, hash, code, verify
    verify_note: str
    page: str


def copy_pdf(copy: SignedCopy, words: CopyWords, verify_url: str, lang: str) -> bytes:
    """The PDF's bytes: the text as signed, then the signature's facts and how to verify them."""
    version, signature = copy.version, copy.signature
    pdf = _Copy(words)
    pdf.set_title(f"{words.heading} {copy.code}")
    pdf.set_lang(lang)
    pdf.add_page()

    def text(value: str, size: float = 10.5, gap: float = 1.5, colour=(0, 0, 0), height: float | None = None):
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, height or size * 0.5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    text(words.heading, 10, 1, (90, 90, 90))
    text(version.titles[lang], 18, 1, BRAND)
    text(words.version, 10, 4, (90, 90, 90))
    if version.intros[lang]:
        text(version.intros[lang], 10.5, 4)
    text(words.clauses, 13, 2, BRAND)
    for part in version.clauses:
        _numbered(pdf, part.position, part.texts[lang])
    if version.declarations:
        pdf.ln(2)
        text(words.declarations, 13, 2, BRAND)
        for part in version.declarations:
            answer = signature.answers.get(str(part.position))
            _numbered(pdf, part.position, part.texts[lang], words.yes if answer else words.no)
    pdf.ln(4)
    if pdf.get_y() > pdf.page_break_trigger - 75:  # the signature block stays whole
        pdf.add_page()
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
    text(words.signature, 13, 2, BRAND)
    department = (copy.department or {}).get(lang) or "—"
    rows = [
        ("person", copy.person),
        ("employee_no", signature.employee_no),
        ("department", department),
        ("signed_at", signed_at(signature.signed_at, lang)),
        ("version", words.version),
        ("hash", signature.content_hash),
        ("code", copy.code),
        ("verify", verify_url),
    ]
    key = 48
    for name, value in rows:
        top = pdf.get_y()
        pdf.set_font(FAMILY, size=9.5)
        pdf.set_text_color(90, 90, 90)
        tall = pdf.multi_cell(key, 5.5, words.labels[name], new_x="RIGHT", new_y="TOP", output=MethodReturnValue.HEIGHT)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FAMILY, size=12 if name == "code" else 10)
        pdf.multi_cell(0, 5.5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), top + tall) + 0.8)
    pdf.ln(2)
    text(words.verify_note, 9, 0, (90, 90, 90), 4.5)
    target = io.BytesIO()
    pdf.output(target)
    return target.getvalue()


def _numbered(pdf: FPDF, number: int, value: str, answer: str | None = None) -> None:
    pdf.set_font(FAMILY, size=10.5)
    pdf.set_text_color(0, 0, 0)
    top = pdf.get_y()
    pdf.cell(9, 5.5, f"{number}.")
    width = pdf.epw - 9 - (22 if answer else 0)
    tall = pdf.multi_cell(width, 5.5, value, align="L", new_x="RIGHT", new_y="TOP", output=MethodReturnValue.HEIGHT)
    if answer:
        pdf.set_text_color(*BRAND)
        pdf.cell(22, 5.5, answer, align="R")
        pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, top + max(tall, 5.5) + 1.5)


class _Copy(FPDF):
    def __init__(self, words: CopyWords):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.words = words
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 6)
        self.alias_nb_pages(ALIAS)
        self.add_font(FAMILY, "", str(FONT))
        self.set_font(FAMILY, size=10.5)

    def footer(self):
        self.set_y(-(MARGIN + 2))
        self.set_font(FAMILY, size=8)
        self.set_text_color(90, 90, 90)
        number = (self.words.page % {"page": self.page_no(), "pages": PAGES}).replace(str(PAGES), ALIAS)
        self.cell(0, 5, number, align="R")
        self.set_text_color(0, 0, 0)


# Verifying by the code -----------------------------------------------------------------------------------


class PledgeVerifyError(DomainError):
    messages = VERIFY_MESSAGES


def counters(address: str | None, reader_id: int) -> list[throttle.Counter]:
    return [
        throttle.counter("pledge_code_address", throttle.CLAIM_CODE, address),
        throttle.counter("pledge_code_reader", throttle.CLAIM_CODE, reader_id),
    ]


def verify(session: Session, scope: Scope, reader_id: int, typed: str | None, address: str | None) -> SignedCopy | None:
    """The signature `typed` names, if the reader may read its signer's record; else None (count the failure with
    `count_failed`). PledgeVerifyError while the reader's or the address's gate is closed."""
    delay = throttle.wait(session, counters(address, reader_id))
    if delay:
        raise PledgeVerifyError("verify_code_locked", field="code", seconds=throttle.seconds(delay))
    code = certificates.typed_number(typed)
    if code is None:
        return None
    signature = session.scalar(select(PledgeSignature).where(PledgeSignature.code == code))
    if signature is None:
        return None
    person = session.get(User, signature.user_id)
    if not records.may_read(scope, reader_id, person):
        return None
    return signed_copy(session, signature)


def count_failed(session: Session, address: str | None, reader_id: int) -> None:
    """A code that names nothing the reader may see, counted towards both delays."""
    throttle.count_failure(session, counters(address, reader_id))

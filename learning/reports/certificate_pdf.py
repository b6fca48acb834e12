"""A certificate of completion as a one-page PDF: A4 landscape, a double frame, the lines centred.

Not `pdf.write_pdf`, whose pages are tables; the same font, though (`pdf.FONT`, the vendored Noto Sans JP,
embedded as a subset), so that Japanese reads offline on any reader. Flask-free: every word arrives in the
reader's language (`CertificateWords`), the facts from training.certificates.facts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from babel.dates import format_date
from fpdf import FPDF

from learning.reports.pdf import FAMILY, FONT
from learning.training.certificates import CertificateFacts

BRAND = (23, 63, 110)
FRAME = 10  # mm from the page's edge to the outer frame


@dataclass(frozen=True)
class CertificateWords:
    """The certificate's own words in the reader's language, as training/certificate.html words them."""

    title: str  # 修了証
    employee: str  # "Employee number D0001", formatted
    statement: str
    edition: str  # "Edition 1 (2026)", formatted
    score: str  # the labels of the lines under the module
    completed_on: str
    number: str
    issued: str  # "Issued by … through the Conduct Rules Portal", at the foot


def certificate_pdf(facts: CertificateFacts, words: CertificateWords, lang: str) -> bytes:
    """The PDF's bytes."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.set_title(f"{words.title} {facts.number or ''}".strip())
    pdf.set_lang(lang)
    pdf.add_page()
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(FRAME, FRAME, pdf.w - 2 * FRAME, pdf.h - 2 * FRAME)
    pdf.set_line_width(0.3)
    pdf.rect(FRAME + 2.5, FRAME + 2.5, pdf.w - 2 * FRAME - 5, pdf.h - 2 * FRAME - 5)
    pdf.set_y(FRAME + 14)

    def line(text: str, size: float, gap: float = 2.0, colour=(0, 0, 0)) -> None:
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*colour)
        pdf.set_x(FRAME + 10)
        pdf.multi_cell(pdf.w - 2 * FRAME - 20, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    company = facts.company.get(lang) or next(iter(facts.company.values()))
    line(company, 13, 4, (90, 90, 90))
    line(words.title, 30, 8, BRAND)
    line(facts.person, 24, 1)
    who = words.employee
    if facts.department:
        who += " · " + (facts.department.get(lang) or "")
    line(who, 11, 6, (90, 90, 90))
    line(words.statement, 12, 5)
    line(facts.module.get(lang) or next(iter(facts.module.values())), 18, 2)
    line(words.edition, 12, 8)
    rows = [
        (words.completed_on, format_date(facts.completed_on, "long", locale=lang)),
        (words.number, facts.number or "—"),
    ]
    if facts.score is not None:
        rows.insert(0, (words.score, f"{facts.score}%"))
    pdf.set_font(FAMILY, size=12)
    pdf.set_text_color(0, 0, 0)
    label_width, value_width = 55, 75
    for label, value in rows:
        pdf.set_x((pdf.w - label_width - value_width) / 2)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(label_width, 7.5, label, align="R")
        pdf.set_text_color(0, 0, 0)
        pdf.cell(value_width, 7.5, "   " + value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - FRAME - 16)
    line(words.issued, 9, 0, (110, 110, 110))
    target = io.BytesIO()
    pdf.output(target)
    return target.getvalue()

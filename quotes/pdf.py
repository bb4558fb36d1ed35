"""Render a priced quote as a Korean/English PDF (견적서 / QUOTATION) with an embedded Korean font.

The output is byte-for-byte reproducible: reportlab runs in invariant mode and the PDF's creation
date is the issue date, so the same quote, number and date always give the same sha256.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

from quotes.fonts import KoreanFont, korean_font
from quotes.pdf_blocks import (
    QuoteHeader,
    letterhead_block,
    line_table,
    parties_block,
    payment_and_notes,
    title_block,
    total_banner,
    totals_block,
)
from quotes.pdf_style import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, MUTED, PAGE_SIZE, RULE, quote_styles
from schemas.company import CompanyConfig
from schemas.quote import PricedQuote


class _QuoteCanvas(Canvas):
    """Draws the footer (seller, quote number, page `n/N`) once the page count is known."""

    def __init__(self, *args: Any, footer_left: str, footer_right: str, continued: str, font: KoreanFont,
                 issued: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_left, self._footer_right, self._font = footer_left, footer_right, font
        self._continued = continued
        self._pages: list[dict[str, Any]] = []
        # The PDF's CreationDate/ModDate: the issue date, not the wall clock, so output is reproducible.
        self.setDateFormatter(lambda *_: issued.strftime("D:%Y%m%d000000+09'00'"))

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            if number > 1:
                self._draw_continued_header()
            super().showPage()
        super().save()

    def _draw_continued_header(self) -> None:
        self.saveState()
        self.setFillColor(MUTED)
        self.setFont(self._font.regular, 7.5)
        self.drawString(MARGIN_X, PAGE_SIZE[1] - MARGIN_TOP + 4 * mm, self._continued)
        self.restoreState()

    def _draw_footer(self, number: int, total: int) -> None:
        width = PAGE_SIZE[0]
        y = MARGIN_BOTTOM - 9 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN_X, y + 4 * mm, width - MARGIN_X, y + 4 * mm)
        self.setFillColor(MUTED)
        self.setFont(self._font.regular, 7.5)
        self.drawString(MARGIN_X, y, self._footer_left)
        self.drawRightString(width - MARGIN_X, y, f"{self._footer_right}   {number}/{total}")
        self.restoreState()


def render_quote_pdf(quote: PricedQuote, company: CompanyConfig, quote_number: str, issued: date,
                     out_path: Path) -> Path:
    """Write the quote to `out_path` (folders created) and return that path.

    Raises quotes.fonts.FontNotFoundError, naming the Debian package, when NanumGothic is missing.
    """
    font = korean_font()
    styles = quote_styles(font)
    seller = company.seller
    header = QuoteHeader(
        number=quote_number,
        issued=issued,
        valid_until=issued + timedelta(days=seller.quote_validity_days),
        validity_days=seller.quote_validity_days,
        customer_id=quote.customer_id,
        customer=company.customer(quote.customer_id),
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    customer_name = header.customer.name if header.customer else quote.customer_id
    document = SimpleDocTemplate(
        str(out_path),
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"견적서 {quote_number}",
        author=seller.name,
        subject=f"{customer_name} 견적서 / Quotation",
        creator="intake",
        invariant=1,
        initialFontName=font.regular,
    )
    story = [
        letterhead_block(seller, styles),
        *title_block(styles),
        parties_block(header, seller, styles),
        Spacer(1, 5 * mm),
        total_banner(quote, styles),
        Spacer(1, 5 * mm),
        line_table(quote, styles),
        Spacer(1, 2 * mm),
        # Neither the totals nor the payment terms are split across a page break.
        KeepTogether([totals_block(quote, styles)]),
        Spacer(1, 4 * mm),
        KeepTogether(payment_and_notes(quote, header, seller, styles)),
    ]
    canvas_maker = partial(
        _QuoteCanvas,
        footer_left=f"{seller.name} · {seller.business_no} · {seller.phone}",
        footer_right=f"견적번호 {quote_number}",
        continued=f"견적서 {quote_number} · {customer_name} 귀하 (계속 / continued)",
        font=font,
        issued=issued,
    )
    document.build(story, canvasmaker=canvas_maker)
    return out_path

"""What the sample PDFs (purchase orders, order forms, supplier statements) share: data and drawing basics."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, TableStyle

from quotes.fonts import KoreanFont, korean_font

GRID = colors.HexColor("#333333")
SHADE = colors.HexColor("#E6E6E6")
CONTENT_WIDTH = A4[0] - 36 * mm


@dataclass(frozen=True)
class Party:
    """A company as printed on a business document."""

    name: str
    business_no: str = ""
    representative: str = ""
    person: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    address: str = ""
    business_type: str = ""
    business_item: str = ""


@dataclass(frozen=True)
class DocumentLine:
    """One row of an order or statement: 품명 and 규격 as the writer split them."""

    name: str
    spec: str
    quantity: int
    unit: str
    unit_price: int | None = None
    note: str = ""

    @property
    def amount(self) -> int | None:
        return None if self.unit_price is None else self.unit_price * self.quantity


@dataclass(frozen=True)
class Styles:
    font: KoreanFont
    title: ParagraphStyle
    body: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    head: ParagraphStyle


def document_styles(font: KoreanFont, size: float = 9.5) -> Styles:
    body = ParagraphStyle("body", fontName=font.regular, fontSize=size, leading=size * 1.4)
    cell = ParagraphStyle("cell", parent=body, fontSize=size - 0.5, leading=(size - 0.5) * 1.3)
    return Styles(
        font=font,
        title=ParagraphStyle("title", parent=body, fontName=font.bold, fontSize=22, leading=28, alignment=TA_CENTER),
        body=body,
        bold=ParagraphStyle("bold", parent=body, fontName=font.bold),
        small=ParagraphStyle("small", parent=body, fontSize=size - 2, leading=(size - 2) * 1.3),
        caption=ParagraphStyle("caption", parent=body, fontSize=size - 1, leading=size * 1.3, alignment=TA_CENTER),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        head=ParagraphStyle("head", parent=cell, fontName=font.bold, alignment=TA_CENTER),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def grid_style(styles: Styles, commands: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """A fully ruled table, as Korean business forms are printed."""
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles.font.regular),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *commands,
    ])


def layout_style(styles: Styles) -> TableStyle:
    """An invisible table that only places blocks side by side (no rules a reader could take for a table)."""
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles.font.regular),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ])


class _DatedCanvas(Canvas):
    def __init__(self, *args: Any, day: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setDateFormatter(lambda *_: day.strftime("D:%Y%m%d090000+09'00'"))


def build_pdf(story: list[Flowable], day: date, title: str, author: str, top_margin: float = 16 * mm) -> bytes:
    """Lay out `story` on A4 and return reproducible PDF bytes dated `day`."""
    buffer = io.BytesIO()
    font = korean_font()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=top_margin,
        bottomMargin=16 * mm,
        title=title,
        author=author,
        invariant=1,
        initialFontName=font.regular,
    )
    document.build(story, canvasmaker=partial(_DatedCanvas, day=day))
    return buffer.getvalue()

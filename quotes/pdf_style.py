"""Colours, paragraph styles and page geometry shared by the quote's building blocks."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from quotes.fonts import KoreanFont

PAGE_SIZE = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#666666")
ACCENT = colors.HexColor("#1F3A5F")
ACCENT_LIGHT = colors.HexColor("#E8EEF5")
RULE = colors.HexColor("#9AA5B1")
ZEBRA = colors.HexColor("#F6F8FA")
DISCOUNT = colors.HexColor("#B03A2E")


@dataclass(frozen=True)
class QuoteStyles:
    font: KoreanFont
    title: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    body_bold: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    letterhead: ParagraphStyle
    label: ParagraphStyle
    recipient: ParagraphStyle
    cell: ParagraphStyle
    cell_note: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    header_cell: ParagraphStyle
    total_words: ParagraphStyle
    total_figure: ParagraphStyle


def quote_styles(font: KoreanFont) -> QuoteStyles:
    base = ParagraphStyle("body", fontName=font.regular, fontSize=9, leading=12.5, textColor=INK)
    bold = ParagraphStyle("body_bold", parent=base, fontName=font.bold)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11)
    return QuoteStyles(
        font=font,
        title=ParagraphStyle("title", parent=bold, fontSize=24, leading=28, alignment=TA_CENTER, textColor=ACCENT),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=9, leading=12, alignment=TA_CENTER, textColor=MUTED),
        body=base,
        body_bold=bold,
        small=ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        small_right=ParagraphStyle("small_right", parent=base, fontSize=7.5, leading=10, textColor=MUTED,
                                   alignment=TA_RIGHT),
        letterhead=ParagraphStyle("letterhead", parent=bold, fontSize=13, leading=16, textColor=ACCENT),
        label=ParagraphStyle("label", parent=bold, fontSize=8, leading=10.5, textColor=ACCENT),
        recipient=ParagraphStyle("recipient", parent=bold, fontSize=14, leading=18),
        cell=cell,
        cell_note=ParagraphStyle("cell_note", parent=cell, fontSize=7.5, leading=9.5, textColor=DISCOUNT),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        header_cell=ParagraphStyle(
            "header_cell", parent=cell, fontName=font.bold, textColor=colors.white, alignment=TA_CENTER, leading=10
        ),
        total_words=ParagraphStyle("total_words", parent=bold, fontSize=11, leading=14, alignment=TA_LEFT),
        total_figure=ParagraphStyle("total_figure", parent=bold, fontSize=13, leading=16, alignment=TA_RIGHT),
    )

"""The building blocks of a quote page: parties, total banner, line table, totals, payment and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, Spacer, Table, TableStyle

from quotes.money import format_amount, format_money, format_quantity, korean_amount_words
from quotes.pdf_style import ACCENT, ACCENT_LIGHT, CONTENT_WIDTH, RULE, ZEBRA, QuoteStyles
from schemas.company import Customer, Seller
from schemas.quote import PricedLine, PricedQuote

LINE_COLUMNS = (
    ("No", 9 * mm),
    ("품목 / Item", 60 * mm),
    ("SKU", 34 * mm),
    ("수량<br/>Qty", 17 * mm),
    ("단위<br/>Unit", 15 * mm),
    ("단가<br/>Unit price", 21 * mm),
    ("금액<br/>Amount", 24 * mm),
)
_GAP = 4 * mm
_HALF = (CONTENT_WIDTH - _GAP) / 2


@dataclass(frozen=True)
class QuoteHeader:
    """What identifies this quote on paper, apart from its lines."""

    number: str
    issued: date
    valid_until: date
    validity_days: int
    customer_id: str
    customer: Customer | None


def korean_date(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table_style(styles: QuoteStyles, commands: list) -> TableStyle:
    # Plain-string cells (even empty ones) are drawn in the table's font, Helvetica unless told otherwise;
    # naming ours keeps every font in the PDF embedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.font.regular), *commands])


def letterhead_block(seller: Seller, styles: QuoteStyles) -> Table:
    """The seller's name on the left, how to reach them on the right, over an accent rule."""
    name = [_p(seller.name, styles.letterhead)]
    if seller.name_en:
        name.append(_p(seller.name_en, styles.small))
    contact = [_p(seller.address, styles.small_right), _p(f"Tel {seller.phone}  ·  {seller.email}", styles.small_right)]
    table = Table([[name, contact]], colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55])
    table.setStyle(_table_style(styles, [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def title_block(styles: QuoteStyles) -> list[Flowable]:
    return [
        Spacer(1, 4 * mm),
        Paragraph("견 적 서", styles.title),
        Paragraph("QUOTATION", styles.subtitle),
        Spacer(1, 4 * mm),
    ]


def _recipient_block(header: QuoteHeader, styles: QuoteStyles) -> list[Flowable]:
    customer_name = header.customer.name if header.customer else header.customer_id
    facts = [
        ("견적번호", "Quote No.", header.number),
        ("견적일자", "Date", korean_date(header.issued)),
        ("유효기한", "Valid until", f"{korean_date(header.valid_until)}까지 ({header.validity_days}일)"),
    ]
    if header.customer and header.customer.business_no:
        facts.append(("사업자번호", "Business No.", header.customer.business_no))
    facts.append(("고객코드", "Customer", header.customer_id))
    rows = [[Paragraph(f"{ko} <font size=6.5 color='#666666'>{en}</font>", styles.label), _p(value, styles.body)]
            for ko, en, value in facts]
    grid = Table(rows, colWidths=[30 * mm, _HALF - 30 * mm])
    grid.setStyle(_table_style(styles, [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return [
        Paragraph(f"<u>{escape(customer_name)}</u> 귀하", styles.recipient),
        Spacer(1, 3 * mm),
        grid,
        Spacer(1, 3 * mm),
        Paragraph("아래와 같이 견적합니다. / We are pleased to quote as follows.", styles.small),
    ]


def _supplier_block(seller: Seller, styles: QuoteStyles) -> Table:
    representative = f"{seller.representative} (인)" if seller.representative else ""
    facts = [
        ("등록번호", seller.business_no),
        ("상호", seller.name + (f"\n{seller.name_en}" if seller.name_en else "")),
        ("대표자", representative),
        ("주소", seller.address),
        ("전화", seller.phone),
        ("이메일", seller.email),
    ]
    side = Paragraph("공<br/><br/>급<br/><br/>자", styles.label)
    rows = []
    for index, (label, value) in enumerate(facts):
        text = "<br/>".join(escape(part) for part in value.split("\n"))
        rows.append([side if index == 0 else "", _p(label, styles.label), Paragraph(text, styles.body)])
    grid = Table(rows, colWidths=[8 * mm, 17 * mm, _HALF - 25 * mm])
    grid.setStyle(_table_style(styles, [
        ("SPAN", (0, 0), (0, -1)),
        ("BACKGROUND", (0, 0), (1, -1), ACCENT_LIGHT),
        ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return grid


def parties_block(header: QuoteHeader, seller: Seller, styles: QuoteStyles) -> Table:
    """Recipient and quote facts on the left, the supplier (공급자) box on the right."""
    table = Table([[_recipient_block(header, styles), "", _supplier_block(seller, styles)]],
                  colWidths=[_HALF, _GAP, _HALF])
    table.setStyle(_table_style(styles, [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def total_banner(quote: PricedQuote, styles: QuoteStyles) -> Table:
    """The grand total up front, in words as well as figures for KRW (일금 … 원정), as Korean quotes show it."""
    words = f"일금 {korean_amount_words(quote.total)}원정" if quote.currency.upper() == "KRW" else ""
    label = "합계금액<br/><font size=7>(부가세 포함 / VAT incl.)</font>"
    table = Table(
        [[Paragraph(label, styles.label), _p(words, styles.total_words),
          _p(format_money(quote.total, quote.currency), styles.total_figure)]],
        colWidths=[36 * mm, CONTENT_WIDTH - 36 * mm - 48 * mm, 48 * mm],
    )
    table.setStyle(_table_style(styles, [
        ("BOX", (0, 0), (-1, -1), 1, ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))
    return table


def price_note(line: PricedLine) -> str | None:
    """How the unit price came about, in the customer's terms: `정가 12,000 → 10% 할인`."""
    effects = ", ".join(rule.effect for rule in line.rules)
    if line.free:
        return f"정가 {format_amount(line.list_price)} → 증정 (무상 / free)"
    if line.unit_price != line.list_price:
        return f"정가 {format_amount(line.list_price)} → {effects or format_amount(line.unit_price)}"
    return effects or None


def _item_cell(line: PricedLine, styles: QuoteStyles) -> list[Paragraph]:
    cell = [_p(line.name, styles.cell)]
    note = price_note(line)
    if note:
        cell.append(_p(note, styles.cell_note))
    return cell


def line_table(quote: PricedQuote, styles: QuoteStyles) -> LongTable:
    """One row per priced line; the header row repeats on every page the table runs onto."""
    header = [Paragraph(title, styles.header_cell) for title, _ in LINE_COLUMNS]
    rows: list[list] = [header]
    for number, line in enumerate(quote.lines, start=1):
        rows.append([
            _p(str(number), styles.cell_center),
            _item_cell(line, styles),
            _p(line.sku, styles.cell),
            _p(format_quantity(Decimal(line.quantity)), styles.cell_right),
            _p(line.unit, styles.cell_center),
            _p(format_amount(line.unit_price), styles.cell_right),
            _p(format_amount(line.amount), styles.cell_right),
        ])
    table = LongTable(rows, colWidths=[width for _, width in LINE_COLUMNS], repeatRows=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), ZEBRA) for row in range(2, len(rows), 2)]
    table.setStyle(_table_style(styles, commands))
    return table


def totals_block(quote: PricedQuote, styles: QuoteStyles) -> Table:
    """Subtotal, VAT and total under the lines; list total, discount and rounding first when there are any."""
    discount = sum(line.discount for line in quote.lines)
    line_sum = sum(line.amount for line in quote.lines)
    vat_percent = format_quantity(quote.vat_rate * 100)
    rows: list[tuple[str, int]] = []
    if discount:
        rows += [("정가 합계 / List total", line_sum + discount), ("할인 / Discount", -discount)]
    if quote.rounding_adjustment:
        rows.append(("단수 조정 / Rounding", quote.rounding_adjustment))
    rows += [
        ("공급가액 / Subtotal", quote.subtotal),
        (f"부가세 ({vat_percent}%) / VAT", quote.vat),
        ("합계 / Total", quote.total),
    ]
    last = len(rows) - 1
    data = [[_p(label, styles.body_bold if index == last else styles.body),
             _p(format_money(value, quote.currency), styles.total_figure if index == last else styles.cell_right)]
            for index, (label, value) in enumerate(rows)]
    table = Table(data, colWidths=[42 * mm, 40 * mm], hAlign="RIGHT")
    table.setStyle(_table_style(styles, [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 1, ACCENT),
        ("BACKGROUND", (0, -1), (-1, -1), ACCENT_LIGHT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def payment_and_notes(quote: PricedQuote, header: QuoteHeader, seller: Seller, styles: QuoteStyles) -> list[Flowable]:
    """Where to pay, and the terms this quote is given under (all taken from the company settings)."""
    flowables: list[Flowable] = [Paragraph("입금 계좌 / Bank account", styles.label)]
    if seller.bank_account:
        account = seller.bank_account
        flowables.append(_p(f"{account.bank}  {account.number}  (예금주: {account.holder})", styles.body))
    else:
        flowables.append(_p(f"별도 안내 — {seller.email}", styles.body))
    vat_basis = (
        "단가는 부가세 포함 금액입니다. / Unit prices include VAT."
        if quote.prices_include_vat
        else "단가는 부가세 별도 금액입니다. / Unit prices exclude VAT."
    )
    notes = [
        f"본 견적의 유효기한은 {korean_date(header.valid_until)}까지입니다. "
        f"/ This quotation is valid until {header.valid_until.isoformat()}.",
        vat_basis,
        f"금액 단위: {quote.currency}. 가격 기준일 {quote.price_date.isoformat()}. "
        f"/ Amounts in {quote.currency}, prices as of {quote.price_date.isoformat()}.",
        f"문의: {seller.phone} · {seller.email}",
    ]
    if quote.unpriced:
        # Items we could not price are named, so the customer knows they were read and not forgotten.
        names = ", ".join(item.description for item in quote.unpriced)
        notes.insert(0, f"다음 품목은 확인 후 별도로 안내드립니다 / To be quoted separately: {names}")
    flowables += [Spacer(1, 3 * mm), Paragraph("비고 / Notes", styles.label)]
    flowables += [Paragraph(f"•&nbsp;&nbsp;{escape(note)}", styles.small) for note in notes]
    return flowables

"""A customer's purchase order (발주서) or faxed order form (주문서), as small Korean companies print them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from quotes.fonts import korean_font
from samples.pdf_common import (
    CONTENT_WIDTH,
    SHADE,
    DocumentLine,
    Party,
    Styles,
    build_pdf,
    document_styles,
    grid_style,
    layout_style,
    para,
)


@dataclass(frozen=True)
class OrderDocument:
    title: str
    number: str
    issued: date
    buyer: Party
    recipient: str
    lines: tuple[DocumentLine, ...]
    due: date | None = None
    delivery_place: str = ""
    remarks: str = ""
    fax_header: str = ""
    with_prices: bool = True


def _heading(order: OrderDocument, styles: Styles) -> list[Flowable]:
    buyer = order.buyer
    left = [
        para(f"수  신 : {order.recipient} 귀중", styles.bold),
        Spacer(1, 2 * mm),
        para(f"발주번호 : {order.number}", styles.body),
        para(f"발주일자 : {order.issued:%Y. %m. %d.}", styles.body),
    ]
    if order.due:
        left.append(para(f"납기요청 : {order.due:%Y. %m. %d.}", styles.body))
    facts = [
        ("상 호", buyer.name),
        ("사업자번호", buyer.business_no),
        ("주 소", buyer.address),
        ("담당자", buyer.person),
        ("전화/팩스", " / ".join(v for v in (buyer.phone, buyer.fax) if v)),
        ("이메일", buyer.email),
    ]
    rows = [[para(label, styles.head), para(value, styles.cell)] for label, value in facts if value]
    right = Table(rows, colWidths=[22 * mm, 66 * mm])
    right.setStyle(grid_style(styles, [("BACKGROUND", (0, 0), (0, -1), SHADE)]))
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH - 88 * mm, 88 * mm])
    table.setStyle(layout_style(styles))
    return [table]


def _line_table(order: OrderDocument, styles: Styles) -> Table:
    headers = ["No", "품 명", "규 격", "수량", "단위"] + (["단가", "금액"] if order.with_prices else []) + ["비고"]
    widths = [9, 52, 34, 16, 13] + ([20, 24] if order.with_prices else []) + [16]
    if not order.with_prices:
        widths[1] += 26
        widths[2] += 18
    rows: list[list] = [[para(h, styles.head) for h in headers]]
    heights: list[float | None] = [None]
    for number, line in enumerate(order.lines, start=1):
        row = [para(str(number), styles.cell_center), para(line.name, styles.cell), para(line.spec, styles.cell),
               para(f"{line.quantity:,}", styles.cell_right), para(line.unit, styles.cell_center)]
        if order.with_prices:
            row += [para(f"{line.unit_price:,}" if line.unit_price else "", styles.cell_right),
                    para(f"{line.amount:,}" if line.amount else "", styles.cell_right)]
        rows.append([*row, para(line.note, styles.cell)])
        heights.append(None)
    # Printed forms have a fixed number of rows; the empty ones are part of what a reader must cope with.
    for _ in range(max(0, 10 - len(order.lines))):
        rows.append(["" for _ in headers])
        heights.append(7 * mm)
    commands = [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if order.with_prices:
        total = sum(line.amount or 0 for line in order.lines)
        rows.append([para("합 계 (부가세 별도)", styles.head), *["" for _ in headers[1:-2]],
                     para(f"{total:,}", styles.cell_right), ""])
        heights.append(None)
        commands += [("SPAN", (0, -1), (-3, -1)), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    table = Table(rows, colWidths=[w * mm for w in widths], rowHeights=heights, repeatRows=1)
    table.setStyle(grid_style(styles, commands))
    return table


def _footer(order: OrderDocument, styles: Styles) -> list[Flowable]:
    terms = [("납품장소", order.delivery_place), ("특기사항", order.remarks)]
    flowables: list[Flowable] = [Spacer(1, 4 * mm)]
    rows = [[para(label, styles.head), para(value, styles.cell)] for label, value in terms if value]
    if rows:
        table = Table(rows, colWidths=[24 * mm, CONTENT_WIDTH - 24 * mm])
        table.setStyle(grid_style(styles, [("BACKGROUND", (0, 0), (0, -1), SHADE)]))
        flowables.append(table)
    flowables += [
        Spacer(1, 8 * mm),
        para("위와 같이 발주합니다.", styles.body),
        Spacer(1, 4 * mm),
        para(f"{order.buyer.name}   대표 {order.buyer.representative or ''}  (인)", styles.bold),
    ]
    return flowables


def render_order_pdf(order: OrderDocument) -> bytes:
    """The order as born-digital PDF bytes (ruled table, NanumGothic embedded)."""
    styles = document_styles(korean_font())
    story: list[Flowable] = []
    if order.fax_header:
        story += [para(order.fax_header, styles.small), Spacer(1, 3 * mm)]
    story += [Paragraph(" ".join(order.title), styles.title), Spacer(1, 6 * mm)]
    story += _heading(order, styles)
    story += [Spacer(1, 5 * mm), para("아래와 같이 발주하오니 납기 내 납품 바랍니다.", styles.body), Spacer(1, 2 * mm)]
    story.append(_line_table(order, styles))
    story += _footer(order, styles)
    return build_pdf(story, order.issued, title=f"{order.title} {order.number}", author=order.buyer.name)

"""A supplier's 거래명세서 (statement of transaction, the Korean delivery invoice) as a born-digital PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from quotes.fonts import korean_font
from quotes.money import korean_amount_words
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

VAT_RATE_PERCENT = 10


@dataclass(frozen=True)
class StatementDocument:
    number: str
    issued: date
    supplier: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    bank_note: str = ""

    @property
    def net(self) -> int:
        return sum(line.amount or 0 for line in self.lines)

    @property
    def tax(self) -> int:
        return sum(self.line_tax(line) for line in self.lines)

    @staticmethod
    def line_tax(line: DocumentLine) -> int:
        # VAT per line, truncated to the won, as most Korean accounting software prints it.
        return (line.amount or 0) * VAT_RATE_PERCENT // 100


def _parties(statement: StatementDocument, styles: Styles) -> Table:
    supplier = statement.supplier
    facts = [
        ("등록번호", supplier.business_no),
        ("상 호", f"{supplier.name}    성명 {supplier.representative}"),
        ("주 소", supplier.address),
        ("업 태", f"{supplier.business_type}    종목 {supplier.business_item}"),
        ("전 화", " / ".join(v for v in (supplier.phone, supplier.fax) if v)),
    ]
    side = Paragraph("공<br/>급<br/>자", styles.head)
    rows = [[side if i == 0 else "", para(label, styles.head), para(value, styles.cell)]
            for i, (label, value) in enumerate(facts)]
    supplier_grid = Table(rows, colWidths=[8 * mm, 18 * mm, 74 * mm])
    supplier_grid.setStyle(grid_style(styles, [("SPAN", (0, 0), (0, -1)), ("BACKGROUND", (0, 0), (1, -1), SHADE)]))
    buyer = [
        para(f"{statement.issued:%Y년 %m월 %d일}", styles.body),
        para(f"No. {statement.number}", styles.small),
        Spacer(1, 5 * mm),
        para(f"{statement.buyer.name}  귀하", styles.bold),
        para(f"등록번호 {statement.buyer.business_no}", styles.small),
        Spacer(1, 5 * mm),
        para("아래와 같이 계산합니다.", styles.body),
    ]
    table = Table([[buyer, supplier_grid]], colWidths=[CONTENT_WIDTH - 100 * mm, 100 * mm])
    table.setStyle(layout_style(styles))
    return table


def _total_row(statement: StatementDocument, styles: Styles) -> Table:
    gross = statement.net + statement.tax
    row = [para("합계금액\n(공급가액+세액)", styles.head),
           para(f"일금 {korean_amount_words(gross)}원정", styles.bold),
           para(f"(₩{gross:,})", styles.bold)]
    table = Table([row], colWidths=[34 * mm, CONTENT_WIDTH - 74 * mm, 40 * mm])
    table.setStyle(grid_style(styles, [("BACKGROUND", (0, 0), (0, 0), SHADE)]))
    return table


def _lines(statement: StatementDocument, styles: Styles) -> Table:
    headers = ["월/일", "품 목", "규 격", "수량", "단위", "단 가", "공급가액", "세 액"]
    rows: list[list] = [[para(h, styles.head) for h in headers]]
    for line in statement.lines:
        rows.append([
            para(f"{statement.issued:%m/%d}", styles.cell_center),
            para(line.name, styles.cell),
            para(line.spec, styles.cell),
            para(f"{line.quantity:,}", styles.cell_right),
            para(line.unit, styles.cell_center),
            para(f"{line.unit_price or 0:,}", styles.cell_right),
            para(f"{line.amount or 0:,}", styles.cell_right),
            para(f"{statement.line_tax(line):,}", styles.cell_right),
        ])
    rows.append([para("계", styles.head), "", "", "", "", "",
                 para(f"{statement.net:,}", styles.cell_right), para(f"{statement.tax:,}", styles.cell_right)])
    table = Table(rows, colWidths=[w * mm for w in (14, 46, 28, 14, 11, 19, 22, 20)], repeatRows=1)
    table.setStyle(grid_style(styles, [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, -1), (5, -1)),
                                       ("BACKGROUND", (0, -1), (-1, -1), SHADE)]))
    return table


def render_statement_pdf(statement: StatementDocument) -> bytes:
    """The statement as born-digital PDF bytes (ruled tables, NanumGothic embedded)."""
    styles = document_styles(korean_font(), size=9)
    story: list[Flowable] = [
        Paragraph("거 래 명 세 서", styles.title),
        para("(공급받는자 보관용)", styles.caption),
        Spacer(1, 5 * mm),
        _parties(statement, styles),
        Spacer(1, 4 * mm),
        _total_row(statement, styles),
        Spacer(1, 4 * mm),
        _lines(statement, styles),
        Spacer(1, 5 * mm),
    ]
    if statement.bank_note:
        story.append(para(statement.bank_note, styles.body))
    story += [Spacer(1, 8 * mm), para("인수자 : ____________________ (인)", styles.body)]
    return build_pdf(story, statement.issued, title=f"거래명세서 {statement.number}", author=statement.supplier.name)

"""Invoices (and Korean 거래명세서 / 세금계산서): header, lines and totals, checked against each other.

    extract_invoice(text, company) -> (InvoiceHeader, [LineItem], [ValidatorResult])
    with_invoice(extraction, text, company) -> the extraction with that header, lines and checks

Lines come from the line-item tables (extractors.layout_tables, from word boxes: born-digital and scans
alike; a PDF's ruled tables when the words give none); header fields from labelled text in German, French,
Dutch, English and Korean; number formats 1.234,56 / 1,234.56 / 1 234,56 by the document's convention.
Every field's confidence starts from how it was found and the OCR confidence of its words, and the
validators (extractors.invoice_checks) then lower or confirm it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors.invoice_checks import (
    check_catalog_prices,
    check_korean_vat,
    check_line_arithmetic,
    check_totals,
    repair_quantities,
)
from extractors.invoice_header import read_currency, read_date, read_number, read_parties
from extractors.invoice_lines import CellValue, InvoiceLine, invoice_lines
from extractors.invoice_numbers import detect_style
from extractors.invoice_text import document_rows
from extractors.invoice_totals import AmountCandidate, choose_totals, total_candidates
from extractors.layout_tables import LocatedCell, LocatedTable, located_tables
from extractors.matching import CatalogMatcher
from schemas.company import CompanyConfig
from schemas.extraction import Extraction, InvoiceHeader, LineItem
from schemas.fields import Evidence, ExtractedField, Quantity, ValidatorResult
from schemas.text import DocumentText, PartText

TABLE_READING = 0.9  # a value read from a table cell whose column was recognised
DOUBTFUL_CELL = 0.7  # a value picked out of a cell that held more than the number
MATCH_THRESHOLD = 0.6
_LEADING_DAY = re.compile(r"^\d{1,2}[/.-]\d{1,2}\s+")  # "11/18 깊은홈 볼베어링": the 월/일 column


def extract_invoice(
    text: DocumentText, company: CompanyConfig | None = None
) -> tuple[InvoiceHeader, list[LineItem], list[ValidatorResult]]:
    """Read an invoice's header, lines and totals, and check them against each other (and the price list)."""
    rows = document_rows(text)
    currency = read_currency(rows, company)
    style = detect_style(text.text, currency.value)
    lines: list[tuple[str, InvoiceLine]] = []
    for part, tables in _item_tables(text):
        lines.extend((part, line) for line in invoice_lines(tables, style))
    matcher = CatalogMatcher(company.catalog) if company else None
    items = [_line_item(part, line, matcher) for part, line in lines]

    amounts = [line.amount.number.value for _, line in lines if line.amount]
    lines_sum = sum(amounts, Decimal(0)) if lines and len(amounts) == len(lines) else None
    totals = choose_totals(total_candidates(rows, style), lines_sum)
    supplier, buyer = read_parties(rows, company)
    header = InvoiceHeader(
        supplier=supplier,
        buyer=buyer,
        number=read_number(rows),
        date=read_date(rows, month_first=currency.value == "USD"),
        currency=currency,
        net=_total_field(totals.net, "net"),
        tax=_total_field(totals.tax, "tax"),
        gross=_total_field(totals.gross, "gross"),
    )
    discounts = [line.discount_percent for _, line in lines]
    validators = check_line_arithmetic(items, discounts, repair_quantities(items, discounts))
    validators += check_totals(header, items, totals.lines_match)
    if currency.value == "KRW":
        validators += check_korean_vat(header, len(items))
    if company is not None:
        validators += check_catalog_prices(items, company, currency.value)
    return header, items, validators


def with_invoice(extraction: Extraction, text: DocumentText, company: CompanyConfig | None) -> Extraction:
    """What the request reader found, with the invoice's header, checks and (when its tables give any) lines.

    The invoice's table lines replace the request reader's items: they carry unit prices and amounts,
    which the arithmetic checks and the export need.
    """
    header, items, checks = extract_invoice(text, company)
    return extraction.model_copy(
        update={"invoice": header, "items": items or extraction.items, "validators": [*extraction.validators, *checks]}
    )


def _item_tables(text: DocumentText) -> list[tuple[str, list[LocatedTable]]]:
    """Per readable part: tables rebuilt from word boxes, else the PDF's ruled tables."""
    found = []
    for part in text.parts:
        if part.status != "ok":
            continue
        tables = located_tables(part.pages) or _ruled_tables(part)
        found.append((part.part, tables))
    return found


def _ruled_tables(part: PartText) -> list[LocatedTable]:
    out = []
    for page in part.pages:
        for table in page.tables:
            if len(table.rows) < 2:
                continue
            header, *body = table.rows
            rows = [[LocatedCell(text=cell) if cell else None for cell in row] for row in body]
            out.append(LocatedTable(page=page.number, labels=[c or "" for c in header], rows=rows, bbox=table.bbox))
    return out


def _evidence(part: str, page: int, cell: LocatedCell) -> Evidence:
    return Evidence(part=part, page=page, text=cell.text, bbox=cell.bbox, ocr_confidence=cell.confidence)


def _number_field(part: str, page: int, value: CellValue | None, what: str) -> ExtractedField[Quantity | None]:
    if value is None:
        return ExtractedField(value=None, confidence=0.0, notes=[f"no {what} on the line"])
    confidence = TABLE_READING * value.cell.confidence * (DOUBTFUL_CELL if value.doubts else 1.0)
    notes = [f"table cell; OCR confidence {value.cell.confidence:.2f}", *value.doubts]
    return ExtractedField(
        value=value.number.value,
        confidence=round(confidence, 3),
        evidence=[_evidence(part, page, value.cell)],
        notes=notes,
    )


def _line_item(part: str, line: InvoiceLine, matcher: CatalogMatcher | None) -> LineItem:
    description = line.description
    description_field = ExtractedField[str](
        value=description.text if description else "",
        confidence=round(TABLE_READING * description.confidence, 3) if description else 0.0,
        evidence=[_evidence(part, line.page, description)] if description else [],
    )
    match = matcher.best(_catalog_text(line)) if matcher and description else None
    if match is not None and match.confidence >= MATCH_THRESHOLD:
        notes = [f"catalog {match.method} match", *match.notes]
        sku = ExtractedField[str | None](value=match.sku, confidence=round(match.confidence, 3), notes=notes)
    else:
        sku = ExtractedField[str | None](value=None, confidence=0.0, notes=["not found in the catalog"])
    return LineItem(
        description=description_field,
        sku=sku,
        quantity=_number_field(part, line.page, line.quantity, "quantity"),
        unit=ExtractedField[str | None](value=line.unit, confidence=0.9 if line.unit else 0.0),
        unit_price=_number_field(part, line.page, line.unit_price, "unit price"),
        amount=_number_field(part, line.page, line.amount, "amount"),
    )


def _catalog_text(line: InvoiceLine) -> str:
    """What names the product: code, name and 규격 together, without a 월/일 date the layout glued to the name."""
    name = _LEADING_DAY.sub("", line.description.text) if line.description else ""
    return " ".join(part for part in (line.code, name, line.spec) if part)


def _total_field(candidate: AmountCandidate | None, kind: str) -> ExtractedField[Quantity | None]:
    if candidate is None:
        return ExtractedField(value=None, confidence=0.0, notes=[f"no {kind} amount found"])
    return ExtractedField(
        value=candidate.value,
        confidence=round(0.85 * candidate.confidence, 3),
        evidence=[candidate.evidence],
        notes=[f"the amount after '{candidate.label}'"],
    )

"""Invoice reading without OCR: number and date formats, the validators, the price list, and a Korean
거래명세서 read from its text layer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures_ocr import make_korean_document, render_korean_pdf

from extractors.invoice import extract_invoice
from extractors.invoice_dates import find_dates
from extractors.invoice_numbers import NumberStyle, detect_style, parse_number
from extractors.pdf import read_pdf
from schemas.business_no import check_digit
from schemas.company import load_company
from schemas.text import DocumentText, Line, Page, PartText, Word


@pytest.mark.parametrize(
    ("text", "style", "value"),
    [
        ("1.234,56", NumberStyle(), "1234.56"),
        ("1,234.56", NumberStyle(), "1234.56"),
        ("1 234,56", NumberStyle(), "1234.56"),
        ("1'234.56", NumberStyle(), "1234.56"),
        ("€ 2.321,00", NumberStyle(), "2321.00"),
        ("$ 42.00", NumberStyle(), "42.00"),
        ("0.025 €", NumberStyle(), "0.025"),
        ("9,9000", NumberStyle(), "9.9000"),
        ("1,234", NumberStyle(decimal_comma=True), "1.234"),
        ("1,234", NumberStyle(decimal_comma=False), "1234"),
        ("1.058,400원", NumberStyle(whole_units=True), "1058400"),
        ("266,.000원", NumberStyle(whole_units=True), "266000"),
        ("3, 3333", NumberStyle(), "3.3333"),
        ("120건", NumberStyle(), "120"),
        ("20 Stk", NumberStyle(), "20"),
        ("-9,32", NumberStyle(), "-9.32"),
    ],
)
def test_number_formats(text: str, style: NumberStyle, value: str) -> None:
    parsed = parse_number(text, style)
    assert parsed is not None and parsed.value == Decimal(value)


@pytest.mark.parametrize("text", ["916 44 10", "Pauschal", "1.2.3", "12,34,5"])
def test_what_is_not_one_number(text: str) -> None:
    assert parse_number(text) is None


def test_document_convention_decides_the_ambiguous_separator() -> None:
    assert detect_style("Summe 34,73 EUR, Preis 3,89").decimal_comma is True
    assert detect_style("Total $ 42.00, tax 1.05").decimal_comma is False
    assert detect_style("합계 1,058,400원", currency="KRW").whole_units


@pytest.mark.parametrize(
    ("text", "month_first", "expected"),
    [
        ("Rechnungsdatum: 07.05.2014", False, date(2014, 5, 7)),
        ("Invoice Date: 03/20/2023", True, date(2023, 3, 20)),
        ("03/04/2024", True, date(2024, 3, 4)),
        ("03/04/2024", False, date(2024, 4, 3)),
        ("Factuurdatum: 19 april 2014", False, date(2014, 4, 19)),
        ("7. Mai 2014", False, date(2014, 5, 7)),
        ("August 3 , 2014", False, date(2014, 8, 3)),
        ("거래일자: 2025년 3월 25일", False, date(2025, 3, 25)),
        ("issued at 2020-11-21", False, date(2020, 11, 21)),
    ],
)
def test_date_formats(text: str, month_first: bool, expected: date) -> None:
    assert find_dates(text, month_first)[0].value == expected


def _document(rows: list[list[tuple[float, str]]]) -> DocumentText:
    """A born-digital page: each row a list of (x, text) cells, 18 pt apart."""
    lines = []
    for index, cells in enumerate(rows):
        top = 60.0 + 18 * index
        words = []
        for x, text in cells:
            for token in text.split():
                words.append(Word(text=token, bbox=(x, top, x + 6.0 * len(token), top + 10)))
                x += 6.0 * len(token) + 3
        lines.append(Line(text=" ".join(w.text for w in words), words=words))
    page = Page(number=1, method="pdf", lines=lines)
    return DocumentText(parts=[PartText(part="invoice.pdf", role="file", content_type="application/pdf", pages=[page])])


HEADER = [(50, "Description"), (300, "Qty"), (380, "Unit Price"), (470, "Amount")]


def _invoice(lines: list[tuple[str, str, str, str]], net: str, tax: str, gross: str) -> DocumentText:
    rows = [[(50, "ACME Tools GmbH - Hauptstr. 1 - 10115 Berlin")], [(50, "Invoice No. INV-2025-0042")],
            [(50, "Invoice Date: 12.03.2025")], HEADER]  # fmt: skip
    rows += [[(50, d), (306, q), (400, p), (480, a)] for d, q, p, a in lines]
    rows += [[(380, "Subtotal"), (480, net)], [(380, "VAT 19%"), (480, tax)], [(380, "Total EUR"), (480, gross)]]
    return _document(rows)


def test_a_written_currency_code_wins_a_tie_with_misread_symbols() -> None:
    """A scan read `E103184` (an article code) as `£103184` twice; the invoice says `Total EUR` once."""
    text = _invoice([("£103184 Onderhoudsset", "1", "49,99", "49,99"), ("£103560 Flyer", "1", "0,00", "0,00")],
                    "41,31", "8,68", "49,99")  # fmt: skip
    header, _, _ = extract_invoice(text)
    assert header.currency.value == "EUR"
    assert header.currency.notes == ["2 of 4 mentions"]


def test_a_consistent_invoice_reads_completely_and_passes_every_check() -> None:
    text = _invoice([("Hammer", "2", "12,50", "25,00"), ("Pliers", "4", "8,25", "33,00")], "58,00", "11,02", "69,02")
    header, items, validators = extract_invoice(text)
    assert header.supplier.value == "ACME Tools GmbH"
    assert header.number.value == "INV-2025-0042"
    assert header.date.value == date(2025, 3, 12)
    assert header.currency.value == "EUR"
    assert (header.net.value, header.tax.value, header.gross.value) == (Decimal("58.00"), Decimal("11.02"),
                                                                         Decimal("69.02"))  # fmt: skip
    assert [(i.quantity.value, i.unit_price.value, i.amount.value) for i in items] == [
        (Decimal(2), Decimal("12.50"), Decimal("25.00")),
        (Decimal(4), Decimal("8.25"), Decimal("33.00")),
    ]
    assert validators and all(v.ok for v in validators)
    assert {v.name for v in validators} == {"line_arithmetic", "lines_sum", "net_plus_tax"}
    assert all(i.quantity.confidence >= 0.9 for i in items)


def test_a_line_that_does_not_multiply_out_is_named_and_doubted() -> None:
    text = _invoice([("Hammer", "2", "12,50", "25,00"), ("Pliers", "4", "8,25", "38,00")], "63,00", "11,97", "74,97")
    _, items, validators = extract_invoice(text)
    failed = [v for v in validators if not v.ok]
    assert [(v.name, v.field) for v in failed] == [("line_arithmetic", "items.1.amount")]
    assert "8.25" in failed[0].message and "38.00" in failed[0].message
    pliers = items[1]
    assert max(pliers.quantity.confidence, pliers.unit_price.confidence, pliers.amount.confidence) <= 0.4
    assert items[0].quantity.confidence >= 0.9


def test_totals_that_do_not_add_up_lower_the_totals() -> None:
    text = _invoice([("Hammer", "2", "12,50", "25,00")], "25,00", "4,75", "31,75")
    header, _, validators = extract_invoice(text)
    assert [v.name for v in validators if not v.ok] == ["net_plus_tax"]
    assert header.gross.confidence <= 0.4 and header.tax.confidence <= 0.4


def test_a_quantity_misread_next_to_its_unit_is_implied_by_the_amount_and_stays_doubtful() -> None:
    """`50EA` read as `SOEA`, `50팩` read as `5064`: amount ÷ unit price gives 50, which review must confirm."""
    text = _invoice([("Memo pads", "SOEA", "9,80", "490,00"), ("Batteries", "5064", "9,80", "490,00")],
                    "980,00", "186,20", "1166,20")  # fmt: skip
    _, items, validators = extract_invoice(text)
    for item in items:
        assert item.quantity.value == 50
        assert item.quantity.confidence <= 0.4
        assert any("amount 490.00 ÷ unit price 9.80" in note for note in item.quantity.notes)
    assert all(v.ok for v in validators)


def _company(folder: Path) -> Path:
    seller_no = "214860034" + str(check_digit("214860034"))
    (folder / "company.yaml").write_text(
        f"name: 테스트상사(주)\nbusiness_no: {seller_no[:3]}-{seller_no[3:5]}-{seller_no[5:]}\n"
        "address: 서울특별시 중구 세종대로 1\nphone: 02-123-4567\nemail: sales@example.kr\n",
        encoding="utf-8",
    )
    (folder / "catalog.csv").write_text(
        "sku,name,unit,unit_price,aliases\n"
        "PAPER-A4,A4 복사용지 80g,박스,24500,A4 용지\n"
        "PEN-BK,볼펜 0.7mm 흑색,갑,5500,흑색 볼펜\n",
        encoding="utf-8",
    )
    (folder / "customers.csv").write_text(
        "customer_id,name,aliases,email,business_no,group\nC1,(주)한빛사무기기,,,,\n", encoding="utf-8"
    )
    return folder


def test_korean_statement_from_its_text_layer(tmp_path: Path) -> None:
    document = make_korean_document(0)
    pdf = render_korean_pdf(document, tmp_path / "statement.pdf")
    text = DocumentText(parts=[PartText(part="statement.pdf", role="file", content_type="application/pdf",
                                        pages=read_pdf(pdf.read_bytes()).pages)])  # fmt: skip
    header, items, validators = extract_invoice(text)
    assert header.number.value == document.number
    assert str(header.date.value) == document.issued
    assert header.currency.value == "KRW"
    assert header.supplier.value == document.supplier[0] and header.buyer.value == document.buyer[0]
    assert (header.net.value, header.tax.value, header.gross.value) == (document.net, document.tax, document.gross)
    assert [(i.quantity.value, i.unit_price.value) for i in items] == document.expected_items()
    assert {v.name for v in validators} >= {"line_arithmetic", "lines_sum", "net_plus_tax", "vat_10_percent"}
    assert all(v.ok for v in validators)


def test_korean_vat_other_than_ten_percent_is_flagged() -> None:
    rows = [[(50, "거 래 명 세 서")], [(50, "공급자: 대성유통 주식회사")],
            [(50, "품목"), (300, "수량"), (380, "단가"), (470, "금액")],
            [(50, "볼펜"), (306, "10개"), (400, "6,000"), (480, "60,000")],
            [(380, "공급가액"), (480, "60,000원")], [(380, "세액"), (480, "5,400원")],
            [(380, "합계금액"), (480, "65,400원")]]  # fmt: skip
    header, _, validators = extract_invoice(_document(rows))
    (vat,) = [v for v in validators if v.name == "vat_10_percent"]
    assert not vat.ok and "6000" in vat.message
    assert header.tax.confidence <= 0.4


def test_unit_price_against_the_price_list(tmp_path: Path) -> None:
    company = load_company(_company(tmp_path))
    rows = [[(50, "거 래 명 세 서")], [(50, "공급자: 대성유통 주식회사")],
            [(50, "품목"), (300, "수량"), (380, "단가"), (470, "금액")],
            [(50, "A4 복사용지 80g"), (306, "2박스"), (400, "24,500"), (480, "49,000")],
            [(50, "볼펜 0.7mm 흑색"), (306, "10갑"), (400, "6,000"), (480, "60,000")],
            [(380, "공급가액"), (480, "109,000원")], [(380, "세액"), (480, "10,900원")],
            [(380, "합계금액"), (480, "119,900원")]]  # fmt: skip
    _, items, validators = extract_invoice(_document(rows), company)
    assert [i.sku.value for i in items] == ["PAPER-A4", "PEN-BK"]
    prices = {v.field: v for v in validators if v.name == "catalog_price"}
    assert prices["items.0.unit_price"].ok
    assert not prices["items.1.unit_price"].ok
    assert "+9.1 %" in prices["items.1.unit_price"].message


def test_sample_statement_through_the_pipeline_reads_header_lines_and_totals(intake_home: Path) -> None:
    """The sample inbox's 거래명세서: an unlabelled `No.`, `성명` after the company, `계` sums, `(₩…)` gross."""
    from flows.runtime import open_runtime
    from flows.stages import extract_file

    statement = Path(__file__).parent.parent / "samples" / "inbox" / "docs" / "18_supplier_statement.pdf"
    with open_runtime() as rt:
        extraction = extract_file(rt, statement)
    header = extraction.invoice
    assert header is not None
    assert (header.supplier.value, header.buyer.value) == ("(주)동아베어링상사", "한빛산업자재(주)")
    assert (header.number.value, str(header.date.value), header.currency.value) == ("20261118-07", "2026-11-18", "KRW")
    assert (header.net.value, header.tax.value, header.gross.value) == (3_782_000, 378_200, 4_160_200)
    lines = [(i.sku.value, i.quantity.value, i.unit_price.value, i.amount.value) for i in extraction.items]
    assert lines == [
        ("BRG-6204ZZ", 500, 3350, 1_675_000),
        ("BRG-6205ZZ", 400, 3980, 1_592_000),
        ("BRG-6206ZZ", 100, 5150, 515_000),
    ]
    checks = {v.name: v.ok for v in extraction.validators}
    assert checks["lines_sum"] and checks["net_plus_tax"] and checks["vat_10_percent"]

"""The quote PDF: readable Korean, correct figures, embedded font, several pages, reproducible bytes."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from fixtures_samples import pdf_fonts, priced_quote
from reportlab.pdfbase.ttfonts import TTFontFile

from quotes.fonts import FontNotFoundError, find_font_dir
from quotes.money import format_money
from quotes.pdf import render_quote_pdf
from schemas.company import CompanyConfig, load_company
from schemas.quote import PricedQuote, UnpricedLine

ROOT = Path(__file__).resolve().parent.parent
ISSUED = date(2026, 11, 24)


@pytest.fixture(scope="module")
def company() -> CompanyConfig:
    return load_company(ROOT / "samples" / "company")


def _pages(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as document:
        return [page.extract_text() for page in document.pages]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_three_line_quote_reads_back_with_customer_lines_and_totals(company: CompanyConfig, tmp_path: Path) -> None:
    quote = priced_quote(company, "C001", lines=3)
    pdf = render_quote_pdf(quote, company, "HB-2026-000123", ISSUED, tmp_path / "out" / "q.pdf")
    assert pdf == tmp_path / "out" / "q.pdf" and pdf.stat().st_size > 0
    pages = _pages(pdf)
    assert len(pages) == 1
    text = pages[0]
    assert "(주)대성정밀 귀하" in text and "124-81-85508" in text
    assert "견 적 서" in text and "QUOTATION" in text and "HB-2026-000123" in text
    assert "2026년 11월 24일" in text and "2026년 12월 24일까지 (30일)" in text
    for line in quote.lines:
        assert line.name in text and line.sku in text
    seller = company.seller
    for fact in (seller.name, seller.business_no, seller.phone, seller.email, seller.representative):
        assert fact in text
    assert seller.bank_account and seller.bank_account.number in text
    for figure in (quote.subtotal, quote.vat, quote.total):
        assert format_money(figure, "KRW") in text
    assert "부가세 (10%)" in text and "1/1" in text


def test_discount_is_explained_next_to_the_line(company: CompanyConfig, tmp_path: Path) -> None:
    quote = priced_quote(company, "C001", lines=3)
    discounted = quote.lines[1]
    assert discounted.unit_price < discounted.list_price
    text = _pages(render_quote_pdf(quote, company, "HB-2026-000124", ISSUED, tmp_path / "q.pdf"))[0]
    assert f"정가 {discounted.list_price:,} → 10% 할인" in text
    assert f"{discounted.unit_price:,}" in text
    total_discount = sum(line.discount for line in quote.lines)
    assert format_money(-total_discount, "KRW") in text
    assert "할인" not in text.split(quote.lines[0].name, 1)[1].split(discounted.name, 1)[0]


def test_total_is_written_in_korean_words(company: CompanyConfig, tmp_path: Path) -> None:
    line = priced_quote(company, "C003", lines=1, discount_every=0).lines[0]
    quote = PricedQuote(customer_id="C003", price_date=ISSUED, lines=[line.model_copy(update={"amount": 12_000_000})],
                        subtotal=12_000_000, vat=1_200_000, total=13_200_000)
    text = _pages(render_quote_pdf(quote, company, "HB-2026-000125", ISSUED, tmp_path / "q.pdf"))[0]
    assert "일금 일천삼백이십만원정" in text and "₩13,200,000" in text


def test_sixty_lines_run_over_pages_with_repeated_header_and_page_numbers(company: CompanyConfig,
                                                                         tmp_path: Path) -> None:
    quote = priced_quote(company, "C012", lines=60)
    pages = _pages(render_quote_pdf(quote, company, "HB-2026-000200", ISSUED, tmp_path / "q.pdf"))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "품목 / Item" in text, f"table header repeated on page {number}"
        assert f"{number}/{len(pages)}" in text
        assert "HB-2026-000200" in text
    assert "(계속 / continued)" in pages[1]
    everything = "\n".join(pages)
    assert all(line.sku in everything for line in quote.lines)
    numbers = [int(n) for n in re.findall(r"^(\d{1,2}) ", everything, flags=re.MULTILINE) if int(n) <= 60]
    assert set(range(1, 61)) <= set(numbers), "every line number printed"
    assert format_money(quote.total, "KRW") in pages[-1]


def test_korean_font_is_embedded_and_nothing_else_is_used(company: CompanyConfig, tmp_path: Path) -> None:
    pdf = render_quote_pdf(priced_quote(company, "C001", lines=3), company, "HB-2026-000126", ISSUED,
                           tmp_path / "q.pdf")
    fonts = pdf_fonts(pdf)
    assert fonts == {"NanumGothic": True, "NanumGothicBold": True}


def test_same_quote_same_bytes_and_the_issue_date_is_the_creation_date(company: CompanyConfig,
                                                                       tmp_path: Path) -> None:
    quote = priced_quote(company, "C001", lines=12)
    first = render_quote_pdf(quote, company, "HB-2026-000127", ISSUED, tmp_path / "a.pdf")
    second = render_quote_pdf(quote, company, "HB-2026-000127", ISSUED, tmp_path / "b.pdf")
    later = render_quote_pdf(quote, company, "HB-2026-000127", date(2026, 11, 25), tmp_path / "c.pdf")

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(first) == digest(second) != digest(later)
    info = subprocess.run(["pdfinfo", "-isodates", str(first)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CreationDate:\s+2026-11-24T00:00:00\+09", info), info


def test_another_company_prints_its_own_letterhead(tmp_path: Path) -> None:
    second = load_company(ROOT / "tests" / "companies" / "second")
    quote = priced_quote(second, "F002", lines=4)
    text = _pages(render_quote_pdf(quote, second, "PRN-2026-000001", ISSUED, tmp_path / "q.pdf"))[0]
    assert second.seller.name in text and "맛찬반찬 귀하" in text
    assert "한빛산업자재" not in text
    assert "2026년 12월 8일까지 (14일)" in text, "validity from the second company's company.yaml"


def test_unpriced_items_rounding_and_vat_inclusive_prices_are_stated(company: CompanyConfig, tmp_path: Path) -> None:
    base = priced_quote(company, "C005", lines=2, discount_every=0)
    quote = base.model_copy(update={
        "prices_include_vat": True,
        "rounding_adjustment": -7,
        "unpriced": [UnpricedLine(item_index=2, description="특수 베어링 NU2210", reason="unknown sku")],
        "vat_rate": Decimal("0.10"),
    })
    text = _pages(render_quote_pdf(quote, company, "HB-2026-000128", ISSUED, tmp_path / "q.pdf"))[0]
    assert "단가는 부가세 포함 금액입니다" in text
    assert "단수 조정 / Rounding" in text and "-₩7" in text
    assert "특수 베어링 NU2210" in _squeeze(text) or "특수베어링NU2210" in _squeeze(text)
    assert "unknown sku" not in text, "internal reasons stay internal"


def test_every_character_the_companies_print_has_a_glyph_in_the_font() -> None:
    font = TTFontFile(str(find_font_dir() / "NanumGothic.ttf"))
    printed = set("견적서 QUOTATION 귀하 정가 → 할인 ₩ • · 부가세 합계 공급가액 단수 조정 -0123456789,")
    for folder in (ROOT / "samples" / "company", ROOT / "tests" / "companies" / "second"):
        config = load_company(folder)
        printed |= set(config.seller.model_dump_json())
        printed |= {ch for item in config.catalog for ch in item.name + item.sku + item.unit}
        printed |= {ch for customer in config.customers for ch in customer.name + customer.business_no}
    missing = sorted(ch for ch in printed if ord(ch) >= 32 and ord(ch) not in font.charToGlyph)
    assert missing == []


def test_customer_not_in_the_folder_is_named_by_id(company: CompanyConfig, tmp_path: Path) -> None:
    quote = priced_quote(company, "C001", lines=1).model_copy(update={"customer_id": "WALK-IN"})
    text = _pages(render_quote_pdf(quote, company, "HB-2026-000129", ISSUED, tmp_path / "q.pdf"))[0]
    assert "WALK-IN 귀하" in text


def test_missing_font_names_the_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_FONT_DIR", str(tmp_path))
    with pytest.raises(FontNotFoundError, match=r"fonts-nanum.*INTAKE_FONT_DIR"):
        find_font_dir()


def test_font_dir_override_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = find_font_dir()
    for name in ("NanumGothic.ttf", "NanumGothicBold.ttf"):
        (tmp_path / name).symlink_to(system / name)
    monkeypatch.setenv("INTAKE_FONT_DIR", str(tmp_path))
    assert find_font_dir() == tmp_path

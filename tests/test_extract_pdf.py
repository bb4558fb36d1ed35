"""PDFs through pdfplumber: Korean words with boxes, ruled tables, and every way a PDF can be unreadable."""

from __future__ import annotations

import io

import pytest
from fixtures_extract import image_pdf_bytes, pdf_bytes
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.pdf import CorruptPdf, EncryptedPdf, TooManyPages, read_pdf, text_layer_usable
from quotes.fonts import korean_font

ROWS = [("품명", "수량", "단위"), ("깊은홈 볼베어링 6204", "100", "EA"), ("육각볼트 M8x30", "500", "EA")]


def _pages(count: int, encrypt: pdfencrypt.StandardEncryption | None = None) -> bytes:
    korean_font()  # the one registration of NanumGothic + bold, shared with the quote renderer
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for number in range(count):
        page.setFont("NanumGothic", 11)
        page.drawString(50, 800, f"{number + 1}쪽 견적 요청서 본문입니다")
        page.showPage()
    page.save()
    return buffer.getvalue()


def test_korean_text_lines_words_and_a_ruled_table() -> None:
    result = read_pdf(pdf_bytes(ROWS, lines=["(주)한결정밀 구매팀"]))
    [page] = result.pages
    assert result.needs_ocr == []
    assert (page.method, page.number, round(page.width or 0), round(page.height or 0)) == ("pdf", 1, 595, 842)
    texts = [line.text for line in page.lines]
    assert texts[:2] == ["발 주 서", "(주)한결정밀 구매팀"]
    # Cells far apart on one line are kept apart by a tab, so unruled tables can still be split.
    assert texts[3] == "깊은홈 볼베어링 6204\t100\tEA"
    word = page.lines[3].words[2]
    assert word.text == "6204" and word.confidence == 1.0
    x0, top, x1, bottom = word.bbox or (0, 0, 0, 0)
    assert 54 < x0 < x1 < 260 and 0 < top < bottom < 200  # pdfplumber's top-left origin
    [table] = page.tables
    assert table.rows == [list(row) for row in ROWS]
    assert table.bbox is not None


def test_an_unruled_table_keeps_words_with_boxes_and_no_table() -> None:
    [page] = read_pdf(pdf_bytes(ROWS, grid=False)).pages
    assert page.tables == []
    assert all(w.bbox for line in page.lines for w in line.words)


def test_a_scan_in_a_pdf_needs_ocr() -> None:
    assert read_pdf(image_pdf_bytes()).needs_ocr == [1]


def test_a_blank_page_needs_nothing() -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.showPage()
    page.save()
    result = read_pdf(buffer.getvalue())
    assert (result.needs_ocr, result.pages[0].lines) == ([], [])


def test_encrypted_pdf_with_a_password() -> None:
    with pytest.raises(EncryptedPdf, match=r"^encrypted PDF"):
        read_pdf(_pages(1, pdfencrypt.StandardEncryption("secret", "owner")))


def test_pdf_encrypted_only_against_editing_is_read() -> None:
    [page] = read_pdf(_pages(1, pdfencrypt.StandardEncryption("", "owner", canModify=0))).pages
    assert page.text == "1쪽 견적 요청서 본문입니다"


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4\nthis is not a pdf at all", pdf_bytes(ROWS)[:400], b"%PDF-1.7\n" + bytes(range(256)) * 8]
)
def test_corrupt_pdfs(data: bytes) -> None:
    with pytest.raises(CorruptPdf, match=r"^corrupt PDF: "):
        read_pdf(data)


def test_page_limit() -> None:
    with pytest.raises(TooManyPages, match="PDF has 3 pages; the limit is 2"):
        read_pdf(_pages(3), max_pages=2)


def test_text_layer_quality() -> None:
    assert text_layer_usable("안녕하세요 6204 베어링 100개 견적 부탁드립니다")
    assert not text_layer_usable("(cid:12)(cid:34)(cid:56) (cid:78)(cid:90)(cid:11)(cid:13)")
    assert not text_layer_usable("\ue001\ue002\ue003 \ue004\ue005\ue006 \ue007\ue008\ue009\ue00a")
    assert not text_layer_usable("1")

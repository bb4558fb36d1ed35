"""Garbage text layers (bad OCR by a scanner, unmapped fonts, mojibake) are told from real text."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest
from fixtures_ocr import make_korean_document, render_korean_pdf, render_pdf_pages, shared_data_dir

from extractors.ocr import text_layer_is_garbage
from extractors.pdf import read_pdf

SHARED = shared_data_dir()


def _layer(pdf: Path) -> str:
    with pdfplumber.open(pdf) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"third-party invoices not found at {SHARED} (INTAKE_SHARED_DATA)")
def test_real_invoices_are_not_garbage() -> None:
    pdfs = sorted(SHARED.glob("*/*.pdf"))
    assert pdfs
    for pdf in pdfs:
        for page in read_pdf(pdf.read_bytes()).pages:
            assert not text_layer_is_garbage(page.text), f"{pdf.name} page {page.number}"


def test_korean_text_is_not_garbage(tmp_path: Path) -> None:
    pdf = render_korean_pdf(make_korean_document(1), tmp_path / "order.pdf")
    assert not text_layer_is_garbage(_layer(pdf))


def _scanner_ocr_layer(pdf: Path, language: str, dpi: int, folder: Path) -> str:
    """What a scanner with the wrong OCR language embeds: Tesseract's own PDF of a low-resolution scan."""
    image = render_pdf_pages(pdf, folder, dpi)[0]
    subprocess.run(["tesseract", str(image), str(folder / "scanned"), "-l", language, "pdf"], check=True,
                   capture_output=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})  # fmt: skip
    return _layer(folder / "scanned.pdf")


def test_wrong_language_ocr_layer_of_a_korean_form_is_garbage(tmp_path: Path) -> None:
    pdf = render_korean_pdf(make_korean_document(2), tmp_path / "form.pdf")
    layer = _scanner_ocr_layer(pdf, "eng", 150, tmp_path)
    assert layer.strip(), "the scanner's OCR left some text"
    assert text_layer_is_garbage(layer)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"third-party invoices not found at {SHARED} (INTAKE_SHARED_DATA)")
def test_wrong_language_ocr_layer_of_a_german_invoice_is_garbage(tmp_path: Path) -> None:
    layer = _scanner_ocr_layer(SHARED / "invoice2data" / "QualityHosting.pdf", "kor", 100, tmp_path)
    assert text_layer_is_garbage(layer)


@pytest.mark.parametrize(
    "layer",
    [
        "Rechnung " + "(cid:12)(cid:7)(cid:44) " * 20,
        "거래명세서 공급가액 합계금액 품목 수량 단가".encode().decode("latin-1") * 3,
        "Invoice \ufffd\ufffd\ufffd total \ufffd\ufffd amount \ufffd\ufffd\ufffd due \ufffd\ufffd",
    ],
    ids=["unmapped glyphs", "mojibake", "replacement characters"],
)
def test_broken_encodings_are_garbage(layer: str) -> None:
    assert text_layer_is_garbage(layer)


def test_empty_or_short_layers_are_left_to_the_caller() -> None:
    """No text is `needs OCR`, not garbage: extractors.pdf decides that from the page's images."""
    assert not text_layer_is_garbage("")
    assert not text_layer_is_garbage("Page 1")


def test_letter_spaced_korean_titles_are_text_not_residue() -> None:
    page = "발 주 서\n발주처: ㈜바다기계\n사업자번호 314-86-20457\n품 명\t수 량\t단위\n볼베어링 6204ZZ\t200\tEA\n" \
           "육각볼트 M8x40\t1,000\tEA\n합 계\t1,200"
    assert not text_layer_is_garbage(page)
    assert text_layer_is_garbage(page.replace("발 주 서", "티 개 애 ㅁ 퍼 ~ 쿠"))

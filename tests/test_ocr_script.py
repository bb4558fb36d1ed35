"""Which model reads a page: Hangul marks in the ink decide between kor+eng and the Latin model alone, and a
Latin page that holds Hangul after all is read again with kor+eng (real Tesseract, real invoices)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fixtures_ocr import (
    NANUM_GOTHIC,
    degrade_scan,
    make_korean_document,
    render_korean_pdf,
    render_pdf_pages,
    shared_data_dir,
)
from PIL import Image, ImageDraw, ImageFont

from extractors import ocr_page
from extractors.ocr_page import HANGUL_PAGE_MARKS, ocr_page_image
from extractors.ocr_preprocess import decode_pages, prepare_page
from extractors.ocr_script import stacked_pairs

INVOICES = shared_data_dir() / "invoice2data"
needs_invoices = pytest.mark.skipif(not INVOICES.is_dir(), reason=f"third-party invoices not found at {INVOICES}")


def _gray(path: Path) -> np.ndarray:
    return decode_pages(path.read_bytes())[0]


def _scan_of_invoice(name: str, folder: Path, korean_lines: tuple[str, ...] = ()) -> np.ndarray:
    """The first page of a real invoice at 200 dpi, optionally with Korean lines printed into its header,
    scanned badly."""
    page = render_pdf_pages(INVOICES / f"{name}.pdf", folder / name, 200)[0]
    if korean_lines:
        image = Image.open(page).convert("L")
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(str(NANUM_GOTHIC), 24)
        for row, line in enumerate(korean_lines):
            draw.text((image.width * 0.5, image.height * (0.02 + 0.025 * row)), line, font=font, fill=0)
        image.save(page)
    return _gray(degrade_scan(page, folder / f"{name}.jpg", seed=5))


@pytest.fixture
def models_used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The language sets of the whole-page readings of ocr_page_image, in order."""
    used: list[str] = []
    read_words = ocr_page.read_words

    def recording(image: np.ndarray, languages: str, psm: int) -> list[ocr_page.OcrWord]:
        used.append(languages)
        return read_words(image, languages, psm)

    monkeypatch.setattr(ocr_page, "read_words", recording)
    return used


def test_stacked_pieces_are_counted_only_in_the_shape_of_a_syllable() -> None:
    glyph = 30.0
    syllable = [(100, 100, 18, 14), (98, 117, 22, 9)]  # `한`: ㅎ over ㄴ, a 3 px gap, the lower piece as wide
    accent = [(205, 100, 6, 4), (200, 106, 14, 14)]  # `é`: a short accent over its letter
    two_lines = [(300, 100, 14, 20), (300, 124, 14, 20)]  # `o` over `o` of the next line: two glyphs high
    assert stacked_pairs(np.array(syllable), glyph) == 1
    assert stacked_pairs(np.array(accent + two_lines), glyph) == 0


def test_korean_forms_show_hangul_marks(tmp_path: Path) -> None:
    for seed in range(2):
        pdf = render_korean_pdf(make_korean_document(seed), tmp_path / f"form-{seed}.pdf")
        scan = degrade_scan(render_pdf_pages(pdf, tmp_path / f"form-{seed}", 200)[0], tmp_path / f"{seed}.jpg", seed)
        assert prepare_page(_gray(scan)).hangul_marks >= 4 * HANGUL_PAGE_MARKS


@needs_invoices
@pytest.mark.parametrize("name", ["AzureInterior", "QualityHosting", "coolblue2", "saeco"])
def test_latin_invoice_is_read_with_the_latin_model_alone(name: str, tmp_path: Path, models_used: list[str]) -> None:
    gray = _scan_of_invoice(name, tmp_path)
    assert prepare_page(gray).hangul_marks < HANGUL_PAGE_MARKS
    page = ocr_page_image(gray, 1, "kor+eng")
    assert models_used == ["eng"]
    assert page.ocr_confidence is not None and page.ocr_confidence > 0.8


@needs_invoices
def test_korean_lines_on_a_latin_invoice_are_read_with_korean(tmp_path: Path, models_used: list[str]) -> None:
    gray = _scan_of_invoice("coolblue2", tmp_path, ("주식회사 한빛상사", "서울특별시 강남구 테헤란로 123"))
    assert prepare_page(gray).hangul_marks < HANGUL_PAGE_MARKS  # too few to tell from the ink alone
    text = ocr_page_image(gray, 1, "kor+eng").text
    assert models_used == ["eng", "kor+eng"]  # the unsure words that look stacked were Hangul: read again
    assert "한빛상사" in text and "강남구" in text


def test_a_korean_form_is_read_with_both_models_at_once(tmp_path: Path, models_used: list[str]) -> None:
    pdf = render_korean_pdf(make_korean_document(4), tmp_path / "form.pdf")
    page = ocr_page_image(_gray(render_pdf_pages(pdf, tmp_path / "form", 200)[0]), 1, "kor+eng")
    assert models_used == ["kor+eng"]
    assert "합계금액" in page.text.replace(" ", "")


def test_without_the_korean_model_the_languages_are_taken_as_configured(models_used: list[str]) -> None:
    image = Image.new("L", (1400, 300), 255)
    font = ImageFont.truetype(str(NANUM_GOTHIC), 40)
    ImageDraw.Draw(image).text((60, 100), "Invoice 2025-001 total 1,250.00", font=font, fill=0)
    ocr_page_image(np.asarray(image), 1, "eng")
    assert models_used == ["eng"]

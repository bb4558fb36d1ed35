"""The OCR stage on real Tesseract: hostile images, multi-page TIFF, skew and orientation, image-only PDFs,
numbers glued to Korean units, many files across worker processes."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from fixtures_ocr import NANUM_GOTHIC, make_korean_document, render_korean_pdf, render_pdf_pages
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from extractors import ocr_tesseract
from extractors.ocr import ImageRejected, OcrEngineError, ocr_image, ocr_many, ocr_pdf_pages
from extractors.ocr_numbers import reread_numbers
from extractors.ocr_preprocess import estimate_skew, prepare_page
from extractors.ocr_tesseract import OcrWord, read_words
from schemas.settings import Settings

SETTINGS = Settings(ocr_workers=1)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size its (empty) pixel data cannot back: the shape of a decompression bomb."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def _text_image(lines: list[str], size: int = 40, width: int = 1400) -> Image.Image:
    """Lines of Korean/Latin text drawn with NanumGothic on white, 300-dpi-sized glyphs."""
    font = ImageFont.truetype(str(NANUM_GOTHIC), size)
    image = Image.new("L", (width, 80 + len(lines) * int(size * 1.8)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 40 + i * int(size * 1.8)), line, font=font, fill=0)
    return image


def _encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def korean_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("korean")
    pdf = render_korean_pdf(make_korean_document(3), folder / "order.pdf")
    return render_pdf_pages(pdf, folder, 200)[0]


@pytest.mark.parametrize("side", [30_000, 10_000])
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    """30,000² trips Pillow's own bomb guard; 10,000² (100 MP) passes it but not our per-page limit."""
    started = time.perf_counter()
    with pytest.raises(ImageRejected, match="too large to decode safely"):
        ocr_image(_png_header_only(side, side), SETTINGS)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("data", "message"), [(b"", "empty"), (b"%PDF-1.4 not an image", "not a readable image")])
def test_unreadable_bytes_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImageRejected, match=message):
        ocr_image(data, SETTINGS)


def test_every_frame_of_a_tiff_is_a_page() -> None:
    frames = [_text_image(["Invoice number 4711", "Quantity 12"]), _text_image(["거래명세서 합계금액 55,000원"])]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    pages = ocr_image(buffer.getvalue(), SETTINGS)
    assert [p.number for p in pages] == [1, 2]
    assert all(p.method == "ocr" and p.ocr_confidence and p.lines for p in pages)
    assert "4711" in pages[0].text
    assert "55,000원" in pages[1].text.replace(" ", "")


def test_engine_failures_are_engine_errors_and_the_engine_reads_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract runs in this process (libtesseract): a missing language and a page over the time limit are
    OcrEngineErrors, not crashes, and the same engine then reads the next page."""
    image = np.asarray(_text_image(["Invoice number 4711", "Quantity 12"]))
    with pytest.raises(OcrEngineError, match="language data"):
        read_words(image, "xyz", 6)
    with monkeypatch.context() as patched:
        patched.setattr(ocr_tesseract, "TESSERACT_TIMEOUT_SECONDS", 0.001)
        with pytest.raises(OcrEngineError, match="took over"):
            read_words(image, "eng", 6)
    assert "4711" in [w.text for w in read_words(image, "eng", 6)]


def test_skew_is_measured_and_removed(korean_page: Path) -> None:
    gray = cv2.imread(str(korean_page), cv2.IMREAD_GRAYSCALE)
    height, width = gray.shape
    turned = cv2.warpAffine(gray, cv2.getRotationMatrix2D((width / 2, height / 2), 2.5, 1.0), (width, height),
                            borderValue=255)  # fmt: skip
    ink = cv2.threshold(cv2.resize(turned, None, fx=0.5, fy=0.5), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    assert estimate_skew(ink) == pytest.approx(2.5, abs=0.15)
    prepared = prepare_page(turned)
    assert prepared.skew_degrees == pytest.approx(2.5, abs=0.15)
    ink = cv2.threshold(prepared.image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    assert abs(estimate_skew(ink)) <= 0.15


@pytest.mark.parametrize("rotation", [cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE])
def test_pages_on_their_side_or_upside_down_are_read_upright(korean_page: Path, rotation: int) -> None:
    turned = cv2.rotate(cv2.imread(str(korean_page), cv2.IMREAD_GRAYSCALE), rotation)
    (page,) = ocr_image(cv2.imencode(".png", turned)[1].tobytes(), SETTINGS)
    text = page.text.replace(" ", "")
    assert "공급가액" in text and "합계금액" in text
    assert page.height and page.width and page.height > page.width, "the page is upright (portrait) again"


def test_image_only_pdf_is_rendered_and_read(korean_page: Path, tmp_path: Path) -> None:
    pdf_path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(pdf_path), pagesize=A4)
    pdf.drawImage(ImageReader(str(korean_page)), 0, 0, width=A4[0], height=A4[1])
    pdf.save()
    (page,) = ocr_pdf_pages(pdf_path.read_bytes(), SETTINGS)
    assert page.method == "ocr"
    assert "공급가액" in page.text.replace(" ", "")
    assert page.tables and page.tables[0].rows[0] == ["품목", "규격", "수량", "단가", "금액"]


def test_number_glued_to_a_unit_word_gets_a_second_look() -> None:
    """Tesseract kor+eng reads `120건` as `1207`; the second look reads it right and keeps the doubt."""
    font = ImageFont.truetype(str(NANUM_GOTHIC), 40)
    image = Image.new("L", (1200, 160), 255)
    draw = ImageDraw.Draw(image)
    boxes = {}
    placed = ((60, 40, "볼펜"), (260, 40, "120건"), (520, 40, "1,200원"), (60, 100, "연필"), (260, 100, "20개"))
    for x, y, text in placed:
        draw.text((x, y), text, font=font, fill=0)
        boxes[text] = draw.textbbox((x, y), text, font=font)
    left, top, right, bottom = boxes.pop("120건")
    misread = OcrWord("1207", left, top, right - left, bottom - top, confidence=0.95, block=1, paragraph=1, line=1)
    others = [OcrWord(text, b[0], b[1], b[2] - b[0], b[3] - b[1], 0.95, 1, 1, 2) for text, b in boxes.items()]
    reread = reread_numbers(np.asarray(image), [misread, *others], "kor+eng")
    assert reread[0].text == "120건"
    assert reread[0].confidence <= misread.confidence
    assert [w.text for w in reread[1:]] == [w.text for w in others], "clean readings are left as they were"


def test_latin_document_number_beside_hangul_gets_a_second_look() -> None:
    """kor+eng reads `TS-202503-197` as `15-202503-197` on Korean forms; `eng` alone reads the prefix right."""
    font = ImageFont.truetype(str(NANUM_GOTHIC), 40)
    image = Image.new("L", (1200, 160), 255)
    draw = ImageDraw.Draw(image)
    draw.text((60, 40), "문서번호:", font=font, fill=0)
    draw.text((260, 40), "TS-202503-197", font=font, fill=0)
    draw.text((60, 100), "거래일자: 공급자 공급받는자", font=font, fill=0)
    left, top, right, bottom = draw.textbbox((260, 40), "TS-202503-197", font=font)
    misread = OcrWord("15-202503-197", left, top, right - left, bottom - top, 0.62, 1, 1, 1)
    labels = ("문서번호:", "거래일자:", "공급자", "공급받는자")
    context = [OcrWord(text, 0, 100, 10, 10, 0.95, 1, 1, 2) for text in labels]
    (second, *_) = reread_numbers(np.asarray(image), [misread, *context], "kor+eng")
    assert second.text == "TS-202503-197"
    assert second.confidence <= misread.confidence


def test_many_files_across_workers_with_one_bad_file(korean_page: Path) -> None:
    good = korean_page.read_bytes()
    outcomes = ocr_many([good, b"junk", _png_header_only(30_000, 30_000), good], workers=2, settings=SETTINGS)
    assert [o.error is None for o in outcomes] == [True, False, False, True]
    assert "not a readable image" in (outcomes[1].error or "")
    assert "too large" in (outcomes[2].error or "")
    assert outcomes[0].pages[0].text == outcomes[3].pages[0].text
    words = [w for line in outcomes[0].pages[0].lines for w in line.words]
    assert words and all(w.bbox is not None and 0 <= w.confidence <= 1 for w in words)

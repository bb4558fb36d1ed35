"""OCR of scans and photos: OpenCV clean-up, then Tesseract (kor+eng; eng alone on a page without Hangul) with a
box and a confidence per word.

Public entry points (extractors.text calls them):
- `ocr_image(data)`: PNG / JPEG / TIFF (every frame of a multi-page TIFF) / BMP / WebP -> pages
- `ocr_pdf_pages(data)`: an image-only PDF (or one whose text layer is garbage), rendered at 300 dpi -> pages
- `text_layer_is_garbage(text)`: whether a PDF's text layer is bad OCR that should be replaced
- `ocr_many(images, workers)`: many images across worker processes (see extractors.ocr_parallel)

Boxes are in points (1/72 inch, like pdfplumber) on the cleaned page: deskewed, upright, 300 dpi.
"""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium

from extractors.ocr_page import ocr_page_image
from extractors.ocr_parallel import OcrOutcome, ocr_many, ocr_pages_parallel
from extractors.ocr_preprocess import (
    MAX_PAGES_PER_IMAGE,
    MAX_PIXELS_PER_PAGE,
    TARGET_DPI,
    ImageRejected,
    decode_pages,
)
from extractors.ocr_tesseract import OcrEngineError
from extractors.ocr_textlayer import text_layer_is_garbage
from schemas.settings import Settings
from schemas.text import Page

__all__ = [
    "ImageRejected",
    "OcrEngineError",
    "OcrOutcome",
    "ocr_image",
    "ocr_many",
    "ocr_page_image",
    "ocr_pdf_pages",
    "text_layer_is_garbage",
]


def ocr_image(data: bytes, settings: Settings | None = None) -> list[Page]:
    """OCR every page of an image file. Raises ImageRejected for unreadable or oversized images."""
    settings = settings or Settings()
    return ocr_pages_parallel(decode_pages(data), settings.ocr_languages, settings.ocr_workers)


def ocr_pdf_pages(data: bytes, settings: Settings | None = None) -> list[Page]:
    """Render each page of a PDF at 300 dpi with pdfium and OCR it (for image-only or garbage-text PDFs)."""
    settings = settings or Settings()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ImageRejected(f"PDF cannot be rendered: {exc}") from None
    try:
        if len(document) > MAX_PAGES_PER_IMAGE:
            raise ImageRejected(f"PDF has {len(document)} pages; at most {MAX_PAGES_PER_IMAGE} are OCR'd")
        images = []
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            # A page the size of a wall would render to gigapixels: lower the resolution to fit the limit.
            dpi = min(TARGET_DPI, 72 * (MAX_PIXELS_PER_PAGE / max(width * height, 1.0)) ** 0.5)
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            images.append(np.asarray(bitmap.to_numpy()).reshape(bitmap.height, bitmap.width, -1)[:, :, 0].copy())
    finally:
        document.close()
    return ocr_pages_parallel(images, settings.ocr_languages, settings.ocr_workers)

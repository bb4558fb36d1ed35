"""Page images of the stored original (PDF pages through pdfium, scans through Pillow), cached on disk."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageSequence

PAGE_WIDTH_PX = 1100
MAX_PAGES_SHOWN = 30
# pdfium is not thread-safe and FastAPI runs sync routes in a thread pool.
_PDFIUM_LOCK = threading.Lock()


class PageRenderError(Exception):
    """The original cannot be drawn (corrupt, encrypted, too large); the message says why, for the reviewer."""


def is_renderable(content_type: str) -> bool:
    return content_type == "application/pdf" or content_type.startswith("image/")


def _render_pdf_page(data: bytes, page_number: int) -> Image.Image:
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PageRenderError(f"PDF를 열 수 없습니다 / cannot open the PDF: {exc}") from None
        try:
            if not 1 <= page_number <= len(pdf):
                raise PageRenderError(f"page {page_number} does not exist (the PDF has {len(pdf)})")
            page = pdf[page_number - 1]
            scale = PAGE_WIDTH_PX / max(page.get_width(), 1.0)
            return page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()


def _render_image_page(data: bytes, page_number: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # A scan larger than Pillow's safety limit is refused rather than decoded into gigabytes.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
                    if index == page_number:
                        page = frame.convert("RGB")
                        break
                else:
                    raise PageRenderError(f"page {page_number} does not exist in the image")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PageRenderError(f"이미지가 너무 큽니다 / image too large to show: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PageRenderError(f"이미지를 열 수 없습니다 / cannot open the image: {exc}") from None
    if page.width > PAGE_WIDTH_PX:
        page = page.resize((PAGE_WIDTH_PX, max(1, round(page.height * PAGE_WIDTH_PX / page.width))))
    return page


def page_image_path(
    cache_dir: Path, sha256: str, content_type: str, page_number: int, load_bytes: Callable[[], bytes]
) -> Path:
    """The cached PNG of one page, drawn on first use; raises PageRenderError with a reason to show."""
    path = Path(cache_dir) / sha256[:2] / f"{sha256}-p{page_number}-w{PAGE_WIDTH_PX}.png"
    if path.is_file():
        return path
    if content_type == "application/pdf":
        image = _render_pdf_page(load_bytes(), page_number)
    elif content_type.startswith("image/"):
        image = _render_image_page(load_bytes(), page_number)
    else:
        raise PageRenderError(f"{content_type} has no page image")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so a reader never sees half a PNG.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    image.save(temporary, format="PNG", optimize=False)
    os.replace(temporary, path)
    return path

"""Envelope -> DocumentText: each part read the way its type needs (plain, HTML, PDF text layer, OCR).

Each part succeeds or fails on its own: a corrupt PDF, a `.pdf` that holds plain text or a 900-megapixel image
becomes a PartText with a clear error and the other parts are still read. OCR comes from extractors.ocr when it
can be imported; `ocr_backend()` is the one seam it plugs into, and without it scans are marked `needs_ocr`.
"""

from __future__ import annotations

import importlib
import io
import warnings
from functools import cache
from types import ModuleType

from PIL import Image

from extractors.filetypes import decode_text, name_contradiction
from extractors.html import html_charset, html_to_text
from extractors.pdf import PdfError, read_pdf
from schemas.envelope import Envelope, Part
from schemas.text import DocumentText, Line, Page, PartText, TextMethod

MAX_PART_BYTES = 50 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_PAGES = 50
MAX_IMAGE_PIXELS = 80_000_000  # an A4 page at 600 dpi is 35 MP; more is a photo of a wall or a bomb
MAX_IMAGE_SIDE = 20_000
IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp"}


def read_document(envelope: Envelope) -> DocumentText:
    """Read every part; of a plain/HTML pair (multipart/alternative) only one is used."""
    parts = [read_part(part) for part in envelope.parts]
    _choose_alternatives(envelope.parts, parts)
    return DocumentText(parts=parts)


def read_part(part: Part) -> PartText:
    """One part's text. Never raises: whatever goes wrong is the returned PartText's error."""
    result = PartText(part=part.name, role=part.role, content_type=part.content_type)
    data = part.data
    if data is None:
        return result.model_copy(update={"status": "error", "error": "the part's bytes were not loaded"})
    if not data and part.role in ("body_text", "body_html"):
        # An empty body is nothing to read, not a fault: the mail may still be classified (and is "other").
        return result.model_copy(update={"status": "skipped"})
    if not data:
        return result.model_copy(update={"status": "error", "error": "empty part (0 bytes)"})
    if len(data) > MAX_PART_BYTES:
        return _error(result, f"part too large ({len(data):,} bytes; the limit is {MAX_PART_BYTES:,})")
    # The bytes decide how a part is read, but a name promising a PDF or an image over bytes that are neither is a
    # failure to report, like a corrupt PDF, not text to read.
    contradiction = name_contradiction(part.name, part.content_type)
    if contradiction:
        return _error(result, contradiction)
    mime, charset = _split_content_type(part.content_type)
    try:
        if mime in ("text/plain", "text/html"):
            return _read_text(result, data, mime, charset)
        if mime == "application/pdf":
            return _read_pdf(result, data)
        if mime in IMAGE_TYPES:
            return _read_image(result, data)
    except Exception as exc:  # a reader bug on one hostile file must not stop the document
        return _error(result, f"could not read {mime}: {type(exc).__name__}: {exc}")
    return result.model_copy(update={"status": "skipped", "error": f"unsupported type {mime}"})


@cache
def ocr_backend() -> ModuleType | str:
    """extractors.ocr (ocr_image, ocr_pdf_pages, ImageRejected, OcrEngineError), or why it cannot be used."""
    try:
        return importlib.import_module("extractors.ocr")
    except ImportError as exc:
        return f"OCR is not available ({exc})"


def _read_text(result: PartText, data: bytes, mime: str, charset: str | None) -> PartText:
    if len(data) > MAX_TEXT_BYTES:
        return _error(result, f"text part too large ({len(data):,} bytes; the limit is {MAX_TEXT_BYTES:,})")
    method: TextMethod = "html" if mime == "text/html" else "plain"
    if method == "html":
        text = html_to_text(decode_text(data, charset or html_charset(data)))
    else:
        text = decode_text(data, charset).replace("\r\n", "\n").replace("\r", "\n")
    page = Page(number=1, method=method, lines=[Line(text=line) for line in text.split("\n")])
    return result.model_copy(update={"pages": [page]})


def _read_pdf(result: PartText, data: bytes) -> PartText:
    try:
        pdf = read_pdf(data, max_pages=MAX_PAGES)
    except PdfError as exc:
        return _error(result, str(exc))
    ocr = ocr_backend()
    needs_ocr = set(pdf.needs_ocr)
    if not isinstance(ocr, str):
        # The OCR module also knows bad OCR residue: a scanner's own text layer that is worse than ours.
        needs_ocr |= {p.number for p in pdf.pages if p.lines and _is_ocr_residue(ocr, p.text)}
    if not needs_ocr:
        return result.model_copy(update={"pages": pdf.pages})
    if isinstance(ocr, str):
        if len(needs_ocr) == len(pdf.pages):
            return result.model_copy(update={"status": "needs_ocr", "error": f"PDF has no usable text layer; {ocr}"})
        missing = ", ".join(str(n) for n in sorted(needs_ocr))
        return result.model_copy(update={"pages": pdf.pages, "error": f"page(s) {missing} not read: {ocr}"})
    try:
        scanned = {page.number: page for page in ocr.ocr_pdf_pages(data)}
    except ocr.ImageRejected as exc:
        return _error(result, f"PDF pages could not be rendered for OCR: {exc}")
    except ocr.OcrEngineError as exc:
        return result.model_copy(update={"status": "needs_ocr", "error": f"OCR failed: {exc}"})
    pages = [scanned.get(p.number, p) if p.number in needs_ocr else p for p in pdf.pages]
    return result.model_copy(update={"pages": pages})


def _is_ocr_residue(ocr: ModuleType, text: str) -> bool:
    """The OCR module's verdict on a text layer; if that check itself fails, the layer is kept as it is."""
    try:
        return bool(ocr.text_layer_is_garbage(text))
    except Exception:  # a bug in the check must not cost us a readable text layer
        return False


def _read_image(result: PartText, data: bytes) -> PartText:
    problem = _image_problem(data)
    if problem:
        return _error(result, problem)
    ocr = ocr_backend()
    if isinstance(ocr, str):
        return result.model_copy(update={"status": "needs_ocr", "error": f"image needs OCR; {ocr}"})
    try:
        pages = ocr.ocr_image(data)
    except ocr.ImageRejected as exc:
        return _error(result, f"image rejected: {exc}")
    except ocr.OcrEngineError as exc:
        return result.model_copy(update={"status": "needs_ocr", "error": f"OCR failed: {exc}"})
    return result.model_copy(update={"pages": pages})


def _image_problem(data: bytes) -> str | None:
    """Size limits checked from the header alone, before a decoder allocates the pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
        except Image.DecompressionBombError as exc:
            return f"image too large: {exc}"
        except Exception as exc:  # Pillow raises many types for a damaged header
            return f"unreadable image: {type(exc).__name__}: {exc}"
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        return f"image too large: {width:,} x {height:,} px (limit {MAX_IMAGE_PIXELS:,} px, {MAX_IMAGE_SIDE:,} a side)"
    if frames > MAX_PAGES:
        return f"image has {frames} pages; the limit is {MAX_PAGES}"
    return None


def _choose_alternatives(parts: list[Part], texts: list[PartText]) -> None:
    """Of a plain/HTML pair keep the HTML rendering: it is what the sender saw and what a person reads.

    A plain alternative can say anything without a human ever seeing it, so it is used only when the HTML
    has no visible text (an image-only mail).
    """
    by_name = {text.part: text for text in texts}
    for part in parts:
        html = by_name.get(part.name)
        plain = by_name.get(part.alternative_to or "")
        if html is None or plain is None or html.status != "ok" or plain.status != "ok":
            continue
        if html.text.strip():
            plain.status = "skipped"
        else:
            html.status = "skipped"


def _split_content_type(content_type: str) -> tuple[str, str | None]:
    mime, *params = (p.strip() for p in content_type.split(";"))
    charset = next((p.split("=", 1)[1].strip('"') for p in params if p.lower().startswith("charset=")), None)
    return mime.lower(), charset


def _error(result: PartText, message: str) -> PartText:
    return result.model_copy(update={"status": "error", "error": message})

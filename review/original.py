"""The original document as the reviewer sees it: each part's text or page images, with every field's
evidence highlighted (text spans as marks, PDF and scan boxes as overlays in percent of the page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from review.fields import ConfidenceLevel, confidence_level
from review.pages import MAX_PAGES_SHOWN, PageRenderError, is_renderable, page_image_path
from review.sanitize import sanitize_html
from schemas.envelope import Envelope, Part
from schemas.extraction import Extraction
from schemas.fields import Evidence, ExtractedField
from schemas.settings import Settings
from schemas.text import DocumentText, PartText
from store.blobs import BlobStore
from store.errors import StoreError

MAX_TEXT_CHARS = 100_000
# The colour of a highlight covering several fields is that of the one most in need of a look.
_URGENCY: dict[str, int] = {"low": 3, "medium": 2, "reviewer": 1, "high": 0}
_TEXT_ENCODINGS = ("utf-8", "cp949", "latin-1")


@dataclass(frozen=True)
class FieldEvidence:
    path: str
    evidence: Evidence
    level: ConfidenceLevel


@dataclass
class TextSegment:
    text: str
    fields: list[str] = field(default_factory=list)
    level: str | None = None


@dataclass
class Box:
    left: float
    top: float
    width: float
    height: float
    fields: list[str]
    level: str


@dataclass
class PageView:
    number: int
    image_url: str | None
    error: str | None = None
    boxes: list[Box] = field(default_factory=list)


@dataclass
class PartView:
    index: int
    name: str
    content_type: str
    role: str
    status: str
    error: str | None
    segments: list[TextSegment]
    safe_html: str | None = None
    pages: list[PageView] = field(default_factory=list)
    more_pages: int = 0
    collapsed: bool = False
    truncated: bool = False

    @property
    def has_highlights(self) -> bool:
        return any(s.fields for s in self.segments) or any(p.boxes for p in self.pages)


def _fields_of(extraction: Extraction, settings: Settings) -> list[tuple[str, ExtractedField, float]]:
    out: list[tuple[str, ExtractedField, float]] = [
        ("kind", extraction.kind, settings.threshold_kind),
        ("customer_id", extraction.customer_id, settings.threshold_customer),
        ("customer_name", extraction.customer_name, settings.threshold_customer),
    ]
    for i, item in enumerate(extraction.items):
        out += [
            (f"items.{i}.description", item.description, settings.threshold_sku),
            (f"items.{i}.sku", item.sku, settings.threshold_sku),
            (f"items.{i}.quantity", item.quantity, settings.threshold_quantity),
        ]
    if extraction.invoice is not None:
        for name in ("supplier", "buyer", "number", "date", "currency", "net", "tax", "gross"):
            out.append((f"invoice.{name}", getattr(extraction.invoice, name), settings.threshold_invoice))
    return out


def field_evidence(extraction: Extraction, settings: Settings) -> list[FieldEvidence]:
    return [
        FieldEvidence(path, ev, confidence_level(extracted, threshold))
        for path, extracted, threshold in _fields_of(extraction, settings)
        for ev in extracted.evidence
    ]


def _most_urgent(levels: list[str]) -> str:
    return max(levels, key=lambda level: _URGENCY.get(level, 0))


def highlight_segments(text: str, evidence: list[FieldEvidence]) -> list[TextSegment]:
    """Split text at every evidence boundary; each piece knows which fields' evidence covers it."""
    spans: list[tuple[int, int, FieldEvidence]] = []
    for item in evidence:
        start, end = item.evidence.start, item.evidence.end
        if start is None or end is None:
            # Evidence without offsets: its first occurrence is the best guess at where it was read.
            found = text.find(item.evidence.text) if item.evidence.text else -1
            if found < 0:
                continue
            start, end = found, found + len(item.evidence.text)
        start, end = max(0, start), min(len(text), end)
        if start < end:
            spans.append((start, end, item))
    points = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[TextSegment] = []
    for a, b in pairwise(points):
        covering = [item for s, e, item in spans if s <= a and e >= b]
        if covering:
            paths = sorted({item.path for item in covering})
            segments.append(TextSegment(text[a:b], paths, _most_urgent([item.level for item in covering])))
        else:
            segments.append(TextSegment(text[a:b]))
    return segments


def _page_boxes(part_text: PartText | None, page_number: int, evidence: list[FieldEvidence]) -> list[Box]:
    page = next((p for p in part_text.pages if p.number == page_number), None) if part_text else None
    if page is None or not page.width or not page.height:
        return []
    boxes = []
    for item in evidence:
        bbox = item.evidence.bbox
        if bbox is None or (item.evidence.page or 1) != page_number:
            continue
        x0, top, x1, bottom = bbox
        boxes.append(
            Box(
                left=100 * x0 / page.width,
                top=100 * top / page.height,
                width=100 * max(x1 - x0, 1) / page.width,
                height=100 * max(bottom - top, 1) / page.height,
                fields=[item.path],
                level=item.level,
            )
        )
    return boxes


def media_type(content_type: str) -> tuple[str, str | None]:
    """`text/html; charset=euc-kr` -> ("text/html", "euc-kr")."""
    mime, *params = (p.strip() for p in content_type.split(";"))
    charset = next((p.split("=", 1)[1].strip('"') for p in params if p.lower().startswith("charset=")), None)
    return mime.lower(), charset


def decode_text(data: bytes, charset: str | None = None) -> str:
    for encoding in (charset, *_TEXT_ENCODINGS) if charset else _TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


@dataclass
class OriginalSource:
    """Where the original's bytes and the page cache are, and how page images are addressed."""

    blobs: BlobStore
    page_cache: Path
    document_id: int

    def page_url(self, part_index: int, page_number: int) -> str:
        return f"/documents/{self.document_id}/parts/{part_index}/pages/{page_number}.png"

    def load(self, part: Part) -> bytes:
        return self.blobs.get(part.sha256)


def _pages(
    source: OriginalSource, index: int, part: Part, part_text: PartText | None, evidence: list[FieldEvidence]
) -> tuple[list[PageView], int]:
    numbers = [p.number for p in part_text.pages] if part_text and part_text.pages else [1]
    mime, _charset = media_type(part.content_type)
    pages = []
    for number in numbers[:MAX_PAGES_SHOWN]:
        try:
            page_image_path(source.page_cache, part.sha256, mime, number, lambda: source.load(part))
        except (PageRenderError, StoreError) as exc:
            if part_text is None or not part_text.error:  # else the reading error already says what is wrong
                pages.append(PageView(number=number, image_url=None, error=str(exc)))
            continue
        pages.append(PageView(number, source.page_url(index, number), boxes=_page_boxes(part_text, number, evidence)))
    return pages, max(0, len(numbers) - MAX_PAGES_SHOWN)


def _alternative_pairs(envelope: Envelope) -> set[str]:
    """Names of the plain and HTML versions of one mail body: only one of each pair was read."""
    linked = {p.alternative_to for p in envelope.parts if p.alternative_to}
    return linked | {p.name for p in envelope.parts if p.alternative_to}


def part_views(
    source: OriginalSource, envelope: Envelope, text: DocumentText | None, evidence: list[FieldEvidence]
) -> list[PartView]:
    texts = {p.part: p for p in text.parts} if text else {}
    pairs = _alternative_pairs(envelope)
    views = []
    for index, part in enumerate(envelope.parts):
        part_text = texts.get(part.name)
        own_evidence = [item for item in evidence if item.evidence.part == part.name]
        mime, charset = media_type(part.content_type)
        raw_text: str | None = None
        if mime.startswith("text/"):
            try:
                raw_text = decode_text(source.load(part), charset)
            except StoreError:
                raw_text = None
        # The text the extractor read is what evidence offsets point into; a text part nobody read shows as sent.
        body = (
            part_text.text if part_text is not None and part_text.pages else (raw_text if mime == "text/plain" else "")
        )
        view = PartView(
            index=index,
            name=part.name,
            content_type=part.content_type,
            role=part.role,
            status=part_text.status if part_text else "unread",
            error=part_text.error if part_text else None,
            segments=highlight_segments((body or "")[:MAX_TEXT_CHARS], own_evidence),
            truncated=len(body or "") > MAX_TEXT_CHARS,
        )
        if mime == "text/html" and raw_text is not None:
            view.safe_html = sanitize_html(raw_text)
        elif is_renderable(mime):
            view.pages, view.more_pages = _pages(source, index, part, part_text, own_evidence)
        view.collapsed = part.name in pairs and view.status == "skipped" and not view.has_highlights
        views.append(view)
    return views

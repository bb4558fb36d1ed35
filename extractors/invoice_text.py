"""A document's words as visual rows, and `label: value` look-ups on them (beside the label, or below it).

Born-digital lines and OCR lines are cut differently (a pdfplumber line, a Tesseract line); rebuilding rows
from the word boxes gives both the same shape. Each row keeps, for any span of its text, the words it came
from: their box is the evidence shown to a reviewer, their OCR confidence bounds the field's confidence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.invoice_labels import normalise_label
from extractors.layout_rows import Box, group_rows
from schemas.fields import Evidence
from schemas.text import DocumentText

_GLUED_FILLER = re.compile(r"\s*(?:n[°º]|no\.|nr\.|#)(?=\w)", re.IGNORECASE)
_ACCENT_CLASSES = {"ä": "(?:ä|a|ae)", "ö": "(?:ö|o|oe)", "ü": "(?:ü|u|ue)", "ß": "(?:ß|ss)", "é": "[ée]", "è": "[èe]",
                   "ê": "[êe]", "à": "[àa]", "ç": "[çc]", "°": "[°º]"}  # fmt: skip
_FILLERS = {"no", "no.", "nr", "nr.", "#", "number", "nummer", "num", "n°", "nº", ":", "-", "번호"}


@dataclass
class TextRow:
    part: str
    page: int
    index: int  # position among the document's rows, in reading order
    boxes: list[Box]
    text: str
    spans: list[tuple[int, int]]  # character span of each box in `text`
    placed: bool = True  # False for plain-text rows (mail bodies): their boxes are character offsets

    def evidence(self, start: int, end: int) -> Evidence:
        chosen = [b for b, (s, e) in zip(self.boxes, self.spans, strict=True) if s < end and start < e] or self.boxes
        bbox = (min(b.x0 for b in chosen), min(b.top for b in chosen), max(b.x1 for b in chosen),
                max(b.bottom for b in chosen))  # fmt: skip
        return Evidence(
            part=self.part,
            page=self.page,
            text=self.text[start:end],
            bbox=bbox if self.placed else None,
            ocr_confidence=min(b.confidence for b in chosen),
        )

    def confidence(self, start: int, end: int) -> float:
        return self.evidence(start, end).ocr_confidence or 1.0

    def box_at(self, offset: int) -> Box | None:
        return next((b for b, (s, e) in zip(self.boxes, self.spans, strict=True) if s <= offset < e), None)


@dataclass(frozen=True)
class LabelHit:
    row: TextRow
    start: int
    end: int
    label: str


def document_rows(text: DocumentText) -> list[TextRow]:
    """Every page of every readable part as rows of words, top to bottom."""
    rows: list[TextRow] = []
    for part in text.parts:
        if part.status != "ok":
            continue
        for page in part.pages:
            boxes = [
                Box(w.text, *w.bbox, confidence=w.confidence)
                for line in page.lines
                for w in line.words
                if w.bbox and w.text.strip()
            ]
            if boxes:
                for row in group_rows(boxes):
                    rows.append(_text_row(part.part, page.number, len(rows), row.boxes))
            else:  # plain text and HTML bodies have lines but no boxes
                for line in page.lines:
                    if line.text.strip():
                        rows.append(_plain_row(part.part, page.number, len(rows), line.text))
    return rows


def _text_row(part: str, page: int, index: int, boxes: list[Box]) -> TextRow:
    spans, position = [], 0
    for box in boxes:
        spans.append((position, position + len(box.text)))
        position += len(box.text) + 1
    return TextRow(part, page, index, boxes, " ".join(b.text for b in boxes), spans)


def _plain_row(part: str, page: int, index: int, text: str) -> TextRow:
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    boxes = [Box(word, float(start), 0.0, float(end), 1.0) for word, start, end in words]
    return TextRow(part, page, index, boxes, text, [(start, end) for _, start, end in words], placed=False)


def _accent_tolerant(word: str) -> str:
    """OCR with the English model drops accents and umlauts (`Verkaufer`, `Kaufer`): accept both spellings."""
    return "".join(_ACCENT_CLASSES.get(ch, re.escape(ch)) for ch in word)


def label_pattern(labels: Iterable[str]) -> re.Pattern[str]:
    """Labels as whole words, longest first, tolerant of spacing (`공급 가액`) and a trailing colon."""
    alternatives = []
    for label in sorted(set(labels), key=len, reverse=True):
        if re.search(r"[가-힣]", label):
            alternatives.append("".join(re.escape(ch) if not ch.isspace() else r"\s*" for ch in label))
        else:
            # Some PDF generators set the first letter apart (`F actuurnummer`): allow that one space.
            escaped = r"\s+".join(_accent_tolerant(word) for word in label.split())
            alternatives.append(escaped[0] + r"\s?" + escaped[1:] if label[0].isalpha() else escaped)
    return re.compile(rf"(?<![\w])(?:{'|'.join(alternatives)})(?![\w])\.?\s*[:：]?", re.IGNORECASE)


def find_labels(rows: list[TextRow], pattern: re.Pattern[str]) -> list[LabelHit]:
    return [
        LabelHit(row, match.start(), match.end(), normalise_label(match.group(0)))
        for row in rows
        for match in pattern.finditer(row.text)
    ]


def after_label(hit: LabelHit, skip_fillers: bool = True) -> tuple[int, str]:
    """The text following a label on its row (after `No.`, `#`, `:` fillers), with its offset."""
    rest = hit.row.text[hit.end :]
    offset = hit.end
    while skip_fillers:
        match = re.match(r"\s*(\S+)", rest)
        if match and match.group(1).lower() in _FILLERS:
            cut = match.end()
        elif glued := _GLUED_FILLER.match(rest):  # `n°562044387`, `#42`
            cut = glued.end()
        else:
            break
        offset += cut
        rest = rest[cut:]
    stripped = len(rest) - len(rest.lstrip())
    return offset + stripped, rest.lstrip()


def rows_below(rows: list[TextRow], hit: LabelHit, limit: int = 4) -> list[tuple[TextRow, Box]]:
    """The words right under a label (same page, overlapping it horizontally), nearest first."""
    label_box = hit.row.box_at(hit.start)
    if label_box is None or not hit.row.placed:
        return []
    label_end = hit.row.box_at(max(hit.end - 1, hit.start)) or label_box
    x0, x1 = label_box.x0, label_end.x1
    height = statistics.median(b.height for b in hit.row.boxes)
    found = []
    for row in rows[hit.row.index + 1 : hit.row.index + 1 + limit]:
        if row.page != hit.row.page or row.part != hit.row.part or row.boxes[0].top - hit.row.boxes[0].top > 6 * height:
            break
        under = [b for b in row.boxes if min(b.x1, x1) - max(b.x0, x0) > 0]
        if under:
            found.append((row, under[0]))
    return found


def row_span_of(row: TextRow, box: Box) -> tuple[int, int]:
    index = next(k for k, b in enumerate(row.boxes) if b is box)
    return row.spans[index]

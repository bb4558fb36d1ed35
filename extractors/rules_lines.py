"""The lines and tables the rules read, each knowing where it came from (part, page, offset, word boxes).

Mail bodies are cleaned first (extractors.cleanup): the request lines are read for items, the signature
only for the customer, quoted earlier mail not at all. Attachments (PDF, scans, text files) are read
whole. A ruled PDF table, and a run of tab-separated lines (an HTML table, an unruled PDF table), is
offered as a table too, with the lines it covers, so that a row read from the table is not read again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from extractors.cleanup import MessageSections, split_message
from schemas.envelope import Envelope
from schemas.fields import Evidence
from schemas.text import BBox, DocumentText, Line, Page, PartText, Table

Origin = Literal["body", "signature", "attachment", "subject"]
BODY_ROLES = ("body_text", "body_html")
_PAGE_SEPARATOR = "\n\f\n"  # how PartText.text joins pages


@dataclass(frozen=True)
class SourceLine:
    text: str
    part: str
    page: int | None
    start: int  # offset of the line in its part's text
    origin: Origin
    ocr: bool = False
    words: tuple[tuple[int, int, BBox | None, float], ...] = ()  # (start, end in `text`, box, confidence)

    def evidence(self, start: int = 0, end: int | None = None) -> Evidence:
        """Evidence for `text[start:end]`: the span, its offsets in the part, and the words' box."""
        end = len(self.text) if end is None else end
        covered = [w for w in self.words if w[0] < end and w[1] > start]
        boxes = [w[2] for w in covered if w[2] is not None]
        bbox = (
            (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            if boxes
            else None
        )
        return Evidence(
            part=self.part,
            page=self.page,
            text=self.text[start:end].strip() or self.text[start:end],
            start=self.start + start,
            end=self.start + end,
            bbox=bbox,
            ocr_confidence=min((w[3] for w in covered), default=1.0) if self.ocr else None,
        )

    def ocr_confidence(self, start: int = 0, end: int | None = None) -> float:
        """The weakest OCR word confidence in the span (1.0 for born-digital text)."""
        if not self.ocr:
            return 1.0
        end = len(self.text) if end is None else end
        return min((w[3] for w in self.words if w[0] < end and w[1] > start), default=1.0)


@dataclass
class TableCell:
    text: str
    line: SourceLine | None = None
    start: int = 0  # offset of the cell in line.text

    def evidence(self, fallback: SourceLine | None, bbox: BBox | None) -> Evidence | None:
        if self.line is not None:
            return self.line.evidence(self.start, self.start + len(self.text))
        if fallback is None:
            return None
        return Evidence(part=fallback.part, page=fallback.page, text=self.text, bbox=bbox)


@dataclass
class SourceTable:
    rows: list[list[TableCell]]
    lines: list[SourceLine]  # the lines the table covers: read as rows, not again as lines
    anchor: SourceLine  # where the table is (part, page), for cells not tied to a line
    bbox: BBox | None = None


@dataclass
class DocumentLines:
    """Everything the rules read, sorted by what it is."""

    request: list[SourceLine] = field(default_factory=list)  # body request lines and attachment lines
    signature: list[SourceLine] = field(default_factory=list)
    tables: list[SourceTable] = field(default_factory=list)
    subject: SourceLine | None = None
    attachment_names: list[str] = field(default_factory=list)
    forwarded_from: str | None = None
    quoted_lines: int = 0

    @property
    def body_text(self) -> str:
        return "\n".join(line.text for line in self.request if line.origin == "body")

    @property
    def attachment_text(self) -> str:
        return "\n".join(line.text for line in self.request if line.origin == "attachment")


def collect_lines(text: DocumentText, envelope: Envelope) -> DocumentLines:
    lines = DocumentLines()
    if envelope.subject:
        lines.subject = SourceLine(envelope.subject, "subject", None, 0, "subject")
    for part in text.parts:
        if part.status != "ok":
            continue
        if part.role in BODY_ROLES or part.content_type.startswith(("text/plain", "text/html")):
            _add_body(lines, part)
        else:
            lines.attachment_names.append(part.part)
            _add_pages(lines, part)
    lines.tables.extend(_tab_tables(lines.request))
    return lines


def _add_body(lines: DocumentLines, part: PartText) -> None:
    sections: MessageSections = split_message(part.text)
    origin: Origin = "body" if part.role in BODY_ROLES else "attachment"
    lines.request.extend(SourceLine(t.text, part.part, None, t.start, origin) for t in sections.request)
    lines.signature.extend(SourceLine(t.text, part.part, None, t.start, "signature") for t in sections.signature)
    lines.forwarded_from = lines.forwarded_from or sections.forwarded_from
    lines.quoted_lines += len(sections.quoted)
    if part.role not in BODY_ROLES:
        lines.attachment_names.append(part.part)


def _add_pages(lines: DocumentLines, part: PartText) -> None:
    offset = 0
    for page in part.pages:
        page_lines = _page_lines(part.part, page, offset)
        lines.tables.extend(_ruled_table(table, page_lines, part.part, page.number) for table in page.tables)
        lines.request.extend(line for line, _ in page_lines)
        offset += len(page.text) + len(_PAGE_SEPARATOR)


def _page_lines(part: str, page: Page, page_offset: int) -> list[tuple[SourceLine, Line]]:
    out, offset = [], page_offset
    ocr = page.method == "ocr"
    for line in page.lines:
        words, cursor = [], 0
        for word in line.words:
            found = line.text.find(word.text, cursor)
            if found < 0:
                continue
            words.append((found, found + len(word.text), word.bbox, word.confidence))
            cursor = found + len(word.text)
        out.append((SourceLine(line.text, part, page.number, offset, "attachment", ocr, tuple(words)), line))
        offset += len(line.text) + 1
    return out


def _inside(line: Line, table: Table) -> bool:
    if line.bbox is None or table.bbox is None:
        return False
    x0, top, x1, bottom = line.bbox
    middle = (top + bottom) / 2
    overlap = min(x1, table.bbox[2]) - max(x0, table.bbox[0])
    # OCR'd tables often end short of the last column: most of the line's width inside is enough.
    return table.bbox[1] <= middle <= table.bbox[3] and overlap > 0.5 * (x1 - x0)


def _ruled_table(table: Table, page_lines: list[tuple[SourceLine, Line]], part: str, page: int) -> SourceTable:
    """Cells of a pdfplumber table, tied to the page line that holds each row (for offsets and boxes)."""
    candidates = [line for line, source in page_lines if _inside(source, table)]
    used: set[int] = set()
    rows = []
    for raw_row in table.rows:
        cells = [TableCell((c or "").strip()) for c in raw_row]
        for index, line in enumerate(candidates):
            if index in used:
                continue
            positions = _positions(line.text, [c.text for c in cells])
            if positions is not None:
                used.add(index)
                cells = [TableCell(c.text, line, p) if c.text else c for c, p in zip(cells, positions, strict=True)]
                break
        rows.append(cells)
    anchor = candidates[0] if candidates else SourceLine("", part, page, 0, "attachment")
    return SourceTable(rows, candidates, anchor, table.bbox)


def _positions(text: str, cells: list[str]) -> list[int] | None:
    """Where each non-empty cell starts in the line, in order; None if the line is not this row."""
    positions, cursor = [], 0
    if not any(cells):
        return None
    for cell in cells:
        if not cell:
            positions.append(cursor)
            continue
        found = text.find(cell, cursor)
        if found < 0:
            return None
        positions.append(found)
        cursor = found + len(cell)
    return positions


def _tab_tables(lines: list[SourceLine]) -> list[SourceTable]:
    """Runs of two or more consecutive lines with tab-separated cells (from the same part)."""
    tables, run = [], []
    for line in [*lines, None]:
        if line is not None and "\t" in line.text and (not run or run[-1].part == line.part):
            run.append(line)
            continue
        if len(run) >= 2:
            tables.append(SourceTable([_tab_cells(r) for r in run], run, run[0]))
        run = [line] if line is not None and "\t" in line.text else []
    return tables


def _tab_cells(line: SourceLine) -> list[TableCell]:
    cells, offset = [], 0
    for raw in line.text.split("\t"):
        stripped = raw.strip()
        cells.append(TableCell(stripped, line, offset + (raw.find(stripped) if stripped else 0)))
        offset += len(raw) + 1
    return cells

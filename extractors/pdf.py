"""Born-digital PDFs through pdfplumber: per page, lines of words with boxes, and the ruled tables.

A page whose text layer is missing or garbage (undecodable glyphs, private-use characters, `(cid:12)`
residue) is marked for OCR; unruled tables are left to extractors.layout_tables, which works on the words.
Errors are typed so the caller can say exactly what was wrong with the file.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from schemas.text import BBox, Line, Page, Table, Word

MAX_PAGES = 50
_CID = re.compile(r"\(cid:\d+\)")
_TOKEN = re.compile(r"\S+")
# Drawn glyph outlines instead of text: a page of them has thousands of curves and no characters.
_VECTOR_TEXT_CURVES = 200

# pdfminer reports every oddity of a sloppy PDF as a warning; they mean nothing to a user.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


class PdfError(Exception):
    """A PDF that cannot be read; the message is what the user is told."""


class EncryptedPdf(PdfError):
    pass


class CorruptPdf(PdfError):
    pass


class TooManyPages(PdfError):
    pass


@dataclass
class PdfText:
    pages: list[Page]
    needs_ocr: list[int] = field(default_factory=list)  # numbers of the pages without a usable text layer


def read_pdf(data: bytes, max_pages: int = MAX_PAGES) -> PdfText:
    """Words, lines and ruled tables of every page. Raises EncryptedPdf, CorruptPdf or TooManyPages."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises dozens of types (and plain ones) for broken files
        raise _classify(exc) from None
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:  # the page tree is parsed lazily: a broken one fails here
            raise _classify(exc) from None
        if count > max_pages:
            raise TooManyPages(f"PDF has {count} pages; the limit is {max_pages}")
        pages, needs_ocr = [], []
        for number, plumber_page in enumerate(pdf.pages, start=1):
            try:
                page = _read_page(plumber_page, number)
                if _needs_ocr(plumber_page, page.text):
                    needs_ocr.append(number)
            except Exception as exc:  # pdfminer fails in many ways on a broken content stream
                raise CorruptPdf(f"corrupt PDF: page {number}: {type(exc).__name__}: {exc}") from None
            pages.append(page)
        return PdfText(pages=pages, needs_ocr=needs_ocr)


def _classify(exc: Exception) -> PdfError:
    chain: list[BaseException] = [exc]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 10:
        chain.append(cause)
    if any(isinstance(e, PDFPasswordIncorrect) for e in chain):
        return EncryptedPdf("encrypted PDF: a password is needed to open it")
    if any(isinstance(e, PDFEncryptionError) for e in chain):
        return EncryptedPdf(f"encrypted PDF: unsupported encryption ({exc})")
    detail = str(exc) or type(exc).__name__
    return CorruptPdf(f"corrupt PDF: {detail}")


def _read_page(plumber_page: Any, number: int) -> Page:
    words = plumber_page.extract_words(keep_blank_chars=False, use_text_flow=False)
    lines = group_lines([_word(w) for w in words])
    tables = _ruled_tables(plumber_page)
    return Page(
        number=number,
        width=float(plumber_page.width),
        height=float(plumber_page.height),
        method="pdf",
        lines=lines,
        tables=tables,
    )


def _needs_ocr(plumber_page: Any, text: str) -> bool:
    """A scan or drawn text with little real text on it, or characters that do not decode to text.

    A nearly empty page with neither (a blank back side, a lone page number) needs nothing.
    """
    if text_layer_usable(text):
        return False
    if plumber_page.images or len(plumber_page.curves) > _VECTOR_TEXT_CURVES:
        return True
    visible = [ch for ch in _CID.sub("\ufffd", text) if not ch.isspace()]
    return bool(visible) and _readable_share(visible) < 0.85


def _word(raw: dict[str, Any]) -> Word:
    bbox = (float(raw["x0"]), float(raw["top"]), float(raw["x1"]), float(raw["bottom"]))
    return Word(text=raw["text"], bbox=bbox, confidence=1.0)


def group_lines(words: list[Word]) -> list[Line]:
    """Words into reading-order lines: same line when their boxes overlap vertically by half their height.

    A gap wider than the line's height between two words is a column gap and becomes a tab, so table rows
    without ruling lines keep their cells apart in the line text.
    """
    rows: list[list[Word]] = []
    for word in sorted((w for w in words if w.bbox), key=lambda w: (_box(w)[1], _box(w)[0])):
        _, top, _, bottom = _box(word)
        for row in reversed(rows[-3:]):
            row_top, row_bottom = min(_box(w)[1] for w in row), max(_box(w)[3] for w in row)
            overlap = min(row_bottom, bottom) - max(row_top, top)
            if overlap >= 0.5 * min(row_bottom - row_top, bottom - top):
                row.append(word)
                break
        else:
            rows.append([word])
    return [_line(sorted(row, key=lambda w: _box(w)[0])) for row in rows]


def _box(word: Word) -> BBox:
    if word.bbox is None:
        raise ValueError(f"word {word.text!r} has no box")
    return word.bbox


def _line(words: list[Word]) -> Line:
    boxes = [_box(w) for w in words]
    height = statistics.median(b[3] - b[1] for b in boxes)
    text = words[0].text
    for before, word in itertools.pairwise(words):
        gap = _box(word)[0] - _box(before)[2]
        text += ("\t" if gap > height else " ") + word.text
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return Line(text=text, bbox=bbox, words=words)


def _ruled_tables(plumber_page: Any) -> list[Table]:
    tables = []
    for found in plumber_page.find_tables():
        rows = [[_cell(c) for c in row] for row in found.extract()]
        filled = [row for row in rows if any(row)]
        if len(filled) < 2 or max(len(r) for r in filled) < 2:
            continue  # a box drawn around a paragraph, or an empty grid
        tables.append(Table(rows=rows, bbox=tuple(float(v) for v in found.bbox)))
    return tables


def _cell(value: str | None) -> str | None:
    return re.sub(r"\s*\n\s*", " ", value).strip() if value is not None else None


def text_layer_usable(text: str) -> bool:
    """Enough real text: mostly printable characters and real words, not `(cid:n)` glyph numbers."""
    without_cids = _CID.sub("\ufffd", text)
    visible = [ch for ch in without_cids if not ch.isspace()]
    if len(visible) < 10 or _readable_share(visible) < 0.85:
        return False
    tokens = _TOKEN.findall(without_cids)
    words = sum(1 for t in tokens if sum(ch.isalnum() for ch in t) >= 2)
    return words / len(tokens) >= 0.3


def _readable_share(visible: list[str]) -> float:
    """Printable characters that are not replacement or private-use glyphs (undecodable fonts map there)."""
    readable = sum(1 for ch in visible if ch.isprintable() and ch != "\ufffd" and not 0xE000 <= ord(ch) <= 0xF8FF)
    return readable / len(visible)

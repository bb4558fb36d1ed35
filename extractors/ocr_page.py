"""OCR of one page image: clean-up, Tesseract, orientation fix, second look at numbers, Page assembly."""

from __future__ import annotations

import numpy as np

from extractors.layout_tables import tables_from_lines
from extractors.ocr_numbers import HANGUL, KOREAN_MODEL, joined_text, reread_numbers, second_look
from extractors.ocr_preprocess import TARGET_DPI, prepare_page, rotate_quarter_turns
from extractors.ocr_script import looks_hangul
from extractors.ocr_tesseract import OcrWord, detect_orientation, read_words
from schemas.text import Line, Page, Word

POINTS_PER_PIXEL = 72 / TARGET_DPI
# Tesseract's page segmentation mode, by page type (benchmarks/ocr_psm.py, character accuracy):
#                        psm 3   psm 4   psm 6
# Korean form, clean     0.836   0.983   0.975
# Korean form, scanned   0.931   0.964   0.955
# invoice, scanned       0.910   0.907   0.905
# psm 3, Tesseract's default, splits a form's columns into blocks and drops short cells. On ruled forms
# (boxes, a table grid) psm 6 reads as many characters as 4 within a point and keeps a table row on one line;
# end to end it read the forms' fields better (document numbers 3 of 6 vs 2 of 6 before the code second look).
# Letter-like invoices read best as one column of varying size (psm 4). psm 6 on them takes 11 % less Tesseract
# CPU, but on the degraded invoices of tests/test_invoice_accuracy.py the unit price F1 fell from 0.90 to 0.89
# and gross was found on 0.86 of the invoices instead of 0.93.
FORM_PSM = 6
LETTER_PSM = 4
# A page read with a mean word confidence under this, or with hardly any words, may be on its side or
# upside down: only then is Tesseract's orientation detection worth its cost.
_SUSPECT_ORIENTATION_BELOW = 0.70
_MIN_ORIENTATION_CONFIDENCE = 1.5
# Stacked glyph pieces from which a page is read with kor+eng (extractors.ocr_script: Korean forms show 43–107,
# Latin invoices 0–3, a few German and French ones up to 26, which then cost what they always did).
HANGUL_PAGE_MARKS = 8
# Hangul read by the Latin model comes out as unsure letters (`SHLALAL` 0.00, `SAtA|` 0.46, `Het` 0.60 on our
# mixed pages; a few reach 0.83). Those whose crop shows a stacked pair are read again with kor+eng.
_HANGUL_SUSPECT_BELOW = 0.85


def ocr_page_image(gray: np.ndarray, number: int, languages: str, psm: int | None = None) -> Page:
    """OCR one grayscale page: clean it up, read it upright, take a second look at unsure numbers.

    `psm` overrides the page segmentation mode chosen from the page type (for measuring).
    """
    prepared = prepare_page(gray)
    image = prepared.image
    psm = psm or (FORM_PSM if prepared.ruled else LETTER_PSM)
    words = _read_in_script(image, prepared.hangul_marks, languages, psm)
    if _may_be_turned(words):
        image, words = _read_upright(image, words, languages, psm)
    words = reread_numbers(image, words, languages)
    page = page_from_words(words, number, image.shape[1], image.shape[0])
    page.tables = tables_from_lines(page.lines)
    return page


def _read_in_script(image: np.ndarray, hangul_marks: int, languages: str, psm: int) -> list[OcrWord]:
    """Read with all `languages`, or, on a page without Hangul marks, with all but the Korean model.

    A Latin page that turns out to hold Hangul after all (a Korean name or address on an English invoice)
    is read again whole with all languages: the words around the one found are often Hangul too, and too
    small to show their marks.
    """
    models = languages.split("+")
    without_korean = "+".join(m for m in models if m != KOREAN_MODEL)
    if KOREAN_MODEL not in models or not without_korean or hangul_marks >= HANGUL_PAGE_MARKS:
        return read_words(image, languages, psm)
    words = read_words(image, without_korean, psm)
    suspects = {
        word
        for word in words
        if word.confidence < _HANGUL_SUSPECT_BELOW
        and any(ch.isalpha() for ch in word.text)
        and looks_hangul(image[word.top : word.bottom, word.left : word.right])
    }
    if suspects:
        second = second_look(image, words, suspects.__contains__, languages, _hangul_reading)
        if any(HANGUL.search(word.text) for word in second):
            return read_words(image, languages, psm)
    return words


def _hangul_reading(original: OcrWord, reading: list[OcrWord]) -> OcrWord:
    """The kor+eng reading of a word the Latin model was unsure of, if it found Hangul there."""
    text = joined_text(reading)
    return original.with_text(text, min(w.confidence for w in reading)) if HANGUL.search(text) else original


def _mean_confidence(words: list[OcrWord]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def _may_be_turned(words: list[OcrWord]) -> bool:
    return len(words) < 5 or _mean_confidence(words) < _SUSPECT_ORIENTATION_BELOW


def _read_upright(
    image: np.ndarray, words: list[OcrWord], languages: str, psm: int
) -> tuple[np.ndarray, list[OcrWord]]:
    orientation = detect_orientation(image)
    if (
        orientation is None
        or orientation.rotate_clockwise_degrees == 0
        or orientation.confidence < _MIN_ORIENTATION_CONFIDENCE
    ):
        return image, words
    turned = rotate_quarter_turns(image, orientation.rotate_clockwise_degrees // 90)
    turned_words = read_words(turned, languages, psm)
    # OSD can be fooled by tables and logos: keep the turn only if the text reads surer that way (not more
    # words: a page on its side reads as many short, unsure fragments).
    if _mean_confidence(turned_words) > _mean_confidence(words):
        return turned, turned_words
    return image, words


def page_from_words(words: list[OcrWord], number: int, width_px: int, height_px: int) -> Page:
    """Assemble a Page: lines as Tesseract grouped them (block, paragraph, line), boxes in points."""
    lines: list[Line] = []
    by_line: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        by_line.setdefault(word.line_key, []).append(word)
    for line_words in by_line.values():
        line_words.sort(key=lambda w: w.left)
        schema_words = [Word(text=w.text, bbox=_points(w), confidence=round(w.confidence, 3)) for w in line_words]
        lines.append(
            Line(
                text=" ".join(w.text for w in line_words),
                bbox=(
                    min(w.bbox[0] for w in schema_words),
                    min(w.bbox[1] for w in schema_words),
                    max(w.bbox[2] for w in schema_words),
                    max(w.bbox[3] for w in schema_words),
                ),
                words=schema_words,
            )
        )
    lines.sort(key=lambda line: (line.bbox[1], line.bbox[0]))
    confidence = _mean_confidence(words) if words else None
    return Page(
        number=number,
        width=round(width_px * POINTS_PER_PIXEL, 2),
        height=round(height_px * POINTS_PER_PIXEL, 2),
        method="ocr",
        lines=lines,
        ocr_confidence=round(confidence, 3) if confidence is not None else None,
    )


def _points(word: OcrWord) -> tuple[float, float, float, float]:
    return (
        round(word.left * POINTS_PER_PIXEL, 2),
        round(word.top * POINTS_PER_PIXEL, 2),
        round(word.right * POINTS_PER_PIXEL, 2),
        round(word.bottom * POINTS_PER_PIXEL, 2),
    )

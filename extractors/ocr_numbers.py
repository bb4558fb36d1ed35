"""Second look at what Tesseract kor+eng misreads on Korean pages: numbers glued to unit words, Latin codes.

Seen on clean 300-dpi renders: `120건` read as `1207`, `2개` as `27H`, `10팩` as `1024`, `20입` as `20%`,
`180,000원` as `180,000H`: the Hangul unit becomes a digit or a Latin letter and the quantity changes
silently. Read with the Korean model alone, the same crops come out right (`2개`, `10팩`), while that model
garbles Latin codes (`PO-2025` -> `『0-2025`). So every unsure word that starts like a number is cut out,
all such crops of a page are stacked into one strip (one extra Tesseract start per page, not one per
word), and the strip is read with `kor` alone. A second reading is taken only in the shape of the trap:
a number followed by a Hangul unit, whose digits are the first reading's digits or a prefix of them (the
unit had been read as extra digits). When the digits changed, the word keeps the lower of the two
confidences, so a field built from it shows the doubt even though the second reading is usually right.

The mirror case: document numbers like `TS-202503-197` beside Hangul come out as `15-202503-197`. Unsure
codes get a second strip read with `eng` alone; its reading is taken when only the prefix differs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import numpy as np

from extractors.ocr_tesseract import OcrWord, read_words

REREAD_BELOW = 0.90  # words with digits read less surely than this get a second look
KOREAN_MODEL = "kor"
LATIN_MODEL = "eng"
CODE_REREAD_BELOW = 0.95
_CODE = re.compile(r"(?P<code>(?P<prefix>[0-9A-Za-z]{1,4})(?P<rest>-[0-9A-Za-z][0-9A-Za-z/-]*\d[0-9A-Za-z/-]*))$")
_CLEAN_NUMBER = re.compile(r"\d{1,3}(?:[,.]\d{3})*(?:[.,]\d+)?[가-힣]{0,3}|\d+(?:[-/.:]\d+)*")
_NUMBER_WITH_UNIT = re.compile(r"[\d.,]*\d\s?[가-힣]{0,3}")
HANGUL = re.compile(r"[가-힣]")
_BARE_QUANTITY = re.compile(r"\d{2,5}")
_GAP = 24
_PAD = 6


def needs_second_look(word: OcrWord) -> bool:
    """Starting with a digit (`M185`, `PO-12` are codes) and either unsure, not shaped like a clean number,
    or a short bare digit run: `1207` for `120건` comes with a high confidence, so a quantity-sized number
    on a Korean page is checked however sure Tesseract was."""
    if not word.text[0].isdigit():
        return False
    unsure = word.confidence < REREAD_BELOW or _CLEAN_NUMBER.fullmatch(word.text) is None
    return unsure or _BARE_QUANTITY.fullmatch(word.text) is not None


def page_is_korean(words: list[OcrWord]) -> bool:
    return sum(bool(HANGUL.search(w.text)) for w in words) >= max(3, len(words) // 20)


def is_unsure_code(word: OcrWord) -> bool:
    return word.confidence < CODE_REREAD_BELOW and _CODE.search(word.text) is not None


def reread_numbers(image: np.ndarray, words: list[OcrWord], languages: str) -> list[OcrWord]:
    """Second readings on Korean pages: number+unit words with `kor` alone, Latin codes with `eng` alone."""
    models = languages.split("+")
    if KOREAN_MODEL not in models or not page_is_korean(words):
        return words
    words = second_look(image, words, needs_second_look, KOREAN_MODEL, _merge_number)
    if LATIN_MODEL in models:
        words = second_look(image, words, is_unsure_code, LATIN_MODEL, _merge_code)
    return words


def second_look(
    image: np.ndarray,
    words: list[OcrWord],
    suspect: Callable[[OcrWord], bool],
    model: str,
    merge: Callable[[OcrWord, list[OcrWord]], OcrWord],
) -> list[OcrWord]:
    """Read the crops of the suspect words again, all in one strip, with `model`; `merge` decides per word."""
    suspects = [i for i, word in enumerate(words) if suspect(word)]
    if not suspects:
        return words
    strip, slots = _stack_crops(image, [words[i] for i in suspects])
    readings: dict[int, list[OcrWord]] = {}
    for word in read_words(strip, model, psm=6):
        middle = (word.top + word.bottom) / 2
        slot = next((k for k, (top, bottom) in enumerate(slots) if top <= middle < bottom), None)
        if slot is not None:
            readings.setdefault(slot, []).append(word)
    out = list(words)
    for slot, index in enumerate(suspects):
        if slot in readings:
            out[index] = merge(words[index], sorted(readings[slot], key=lambda w: w.left))
    return out


def _stack_crops(image: np.ndarray, words: list[OcrWord]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The words' crops one under another on white; returns the strip and each crop's vertical slot."""
    height, width = image.shape
    crops = [
        image[max(w.top - _PAD, 0) : min(w.bottom + _PAD, height), max(w.left - _PAD, 0) : min(w.right + _PAD, width)]
        for w in words
    ]
    strip = np.full(
        (sum(c.shape[0] + _GAP for c in crops) + _GAP, max(c.shape[1] for c in crops) + 2 * _GAP), 255, dtype=np.uint8
    )
    slots = []
    y = _GAP
    for crop in crops:
        strip[y : y + crop.shape[0], _GAP : _GAP + crop.shape[1]] = crop
        slots.append((y - _GAP // 2, y + crop.shape[0] + _GAP // 2))
        y += crop.shape[0] + _GAP
    return strip, slots


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def joined_text(reading: list[OcrWord]) -> str:
    """The pieces of one second reading as one word."""
    text = reading[0].text
    for before, word in itertools.pairwise(reading):
        # Keep the printed spacing: `2개` stays one token, `1,058,400 원` keeps its space.
        text += ("" if word.left - before.right < 0.3 * word.height else " ") + word.text
    return text


def _merge_code(original: OcrWord, reading: list[OcrWord]) -> OcrWord:
    """`15-202503-197` -> `TS-202503-197`: taken only when everything after the prefix agrees."""
    first, second = _CODE.search(original.text), _CODE.search(joined_text(reading))
    if not first or not second or first["rest"] != second["rest"] or first["prefix"] == second["prefix"]:
        return original
    text = original.text[: first.start("code")] + second["code"]
    return original.with_text(text, min(original.confidence, min(w.confidence for w in reading)))


def _merge_number(original: OcrWord, reading: list[OcrWord]) -> OcrWord:
    """The second reading in the original word's box, if it has the trap's shape; else the original."""
    second = joined_text(reading)
    first_digits, second_digits = _digits(original.text), _digits(second)
    if not _NUMBER_WITH_UNIT.fullmatch(second) or not second_digits or not first_digits.startswith(second_digits):
        return original
    if second_digits == first_digits and not HANGUL.search(second):
        return original
    second_confidence = min(w.confidence for w in reading)
    if second_digits == first_digits:
        # Same number, and now with its unit word (`1,058,400` -> `1,058,400원`): both readings agree.
        return original.with_text(second, max(original.confidence, second_confidence))
    return original.with_text(second, min(original.confidence, second_confidence))

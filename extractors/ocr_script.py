"""Hangul or not, seen in the ink: whether a page needs Tesseract's Korean model at all, and which words of a
Latin reading are Hangul after all.

Why: `kor+eng` runs the second model over every line the first one is unsure of. On Latin invoices that
costs 25–50 % more Tesseract time than `eng` alone, for the same characters and the same line quantity and
unit price F1 (benchmarks/ocr_bench.py, tests/test_invoice_accuracy.py).

Hangul's mark in the ink: a syllable stacks its final consonant (`한`, `복`) or a horizontal vowel (`주`)
under the rest as a separate piece of about the same width. Latin letters do not: accents and the dots of
i, j and ä are narrow and short, and letters of two lines are too far apart to make one glyph. Measured on
the pages of the OCR benchmark, the sample inbox's scan and 15 real invoices rendered at 150–300 dpi (clean
and degraded): Korean forms show 43–107 such pairs; Latin invoices 0–3, except a few German and French ones
at 7–26 (blurred umlauts and accents, small table print). A page with 8 or more (extractors.ocr_page) is read
with `kor+eng` as before; a page with fewer is read with the Latin model alone, and its unsure words that show
a pair are read again with `kor+eng`: if that finds Hangul, the whole page is read again with `kor+eng`.
"""

from __future__ import annotations

import cv2
import numpy as np

# A piece of a glyph: at least this share of the glyph size high and wide, at most a whole glyph.
_PIECE_HEIGHT = (0.12, 0.9)
_PIECE_WIDTH = (0.2, 1.2)
_UPPER_HEIGHT = 0.25  # an initial consonant is tall; accents and the dots of i, j, ä are not
_LOWER_WIDTH = 0.3  # the lower piece (받침, ㅜ) spans most of the syllable
_MAX_GAP = 0.25  # white between the two pieces, in glyph sizes
_MAX_STACK = 1.1  # both pieces together are one glyph high, never two lines


def stacked_pairs(boxes: np.ndarray, glyph_px: float) -> int:
    """How many pieces of ink (rows of x, y, width, height) have a second piece stacked right under them,
    the way Hangul syllables are built."""
    x, y, width, height = (boxes[:, column].astype(np.int64) for column in range(4))
    piece = (
        (height >= _PIECE_HEIGHT[0] * glyph_px)
        & (height <= _PIECE_HEIGHT[1] * glyph_px)
        & (width >= _PIECE_WIDTH[0] * glyph_px)
        & (width <= _PIECE_WIDTH[1] * glyph_px)
    )
    x, y, width, height = x[piece], y[piece], width[piece], height[piece]
    if x.size < 2:
        return 0
    # Pieces sorted by top, then centre: the pieces starting on a given row with their centre under an upper
    # piece are one contiguous run of this key, found by binary search for every upper piece at once.
    span = int(x.max() + width.max()) + 1
    centre = x + width // 2
    order = np.lexsort((centre, y))
    key = y[order] * span + centre[order]
    bottom = y + height
    found = np.zeros(x.size, dtype=bool)
    for gap in range(-1, max(2, int(_MAX_GAP * glyph_px)) + 1):
        row = (bottom + gap) * span
        start = np.searchsorted(key, row + x)
        end = np.searchsorted(key, row + x + width, side="right")
        lower = order[np.minimum(start, x.size - 1)]
        found |= (
            (end > start)
            & (height >= _UPPER_HEIGHT * glyph_px)
            & (width[lower] >= _LOWER_WIDTH * glyph_px)
            & (y[lower] + height[lower] - y <= _MAX_STACK * glyph_px)
        )
    return int(np.count_nonzero(found))


def ink_boxes(gray: np.ndarray) -> np.ndarray:
    """Bounding boxes (x, y, width, height) of the dark pieces of a grayscale image (Otsu threshold)."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    try:
        # 16-bit labels take a third of the time of 32-bit ones on a page; a page of noise may not fit.
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return stats[1:, :4]


def hangul_marks(gray: np.ndarray, line_px: float | None) -> int:
    """Stacked pairs on a whole page whose text lines are `line_px` high (0 when no lines were found)."""
    return stacked_pairs(ink_boxes(gray), line_px) if line_px else 0


def looks_hangul(crop: np.ndarray) -> bool:
    """Whether one word's crop (its box, about a glyph high) holds at least one stacked pair."""
    return crop.size > 0 and stacked_pairs(ink_boxes(crop), float(crop.shape[0])) > 0

"""Image clean-up before Tesseract: decode safely, flatten lighting, scale, deskew, denoise, binarise, and
remove scanner borders and table rules.

The binarisation (Otsu on the page divided by its own background estimate, so adaptive to uneven light)
finds the ink for measuring and for locating borders and rules; Tesseract itself gets the cleaned grayscale
page and thresholds it again. Measured on our degraded scans (benchmarks/ocr_psm.py), that reads 2–3 points
of characters more than handing it our binary image, which thickens small Hangul at 200 dpi.
Every step is cheap next to Tesseract: the OCR stage must stay close to a raw `tesseract` run on the same
page (benchmarks/ocr_bench.py).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from extractors.ocr_script import hangul_marks

TARGET_DPI = 300
MAX_PIXELS_PER_PAGE = 60_000_000  # A3 at 600 dpi is ~35 MP; anything far beyond is a decompression bomb
MAX_PAGES_PER_IMAGE = 300
MAX_PIXELS_PER_FILE = 1_500_000_000
MAX_SKEW_DEGREES = 8.0

_ANALYSIS_SIZE = 1600  # longest side of the copy that scale and skew are measured on
_MIN_SKEW_DEGREES = 0.15  # below this, rotating costs more than the straighter lines bring
# Text lines are scaled to ~32 px (ascender to descender: 10-pt text at 300 dpi; invoices print 8–11 pt)
# when they fall outside 22–48 px. A 26 px target read as many characters on our degraded scans (0.906 both)
# in 10 % less time, but lost whole header words of small-print tables (`Menge`), and with them a column.
# Enlarging 200-dpi invoices 1.8× costs Tesseract time (CPU s, enlarged vs not: QualityHosting 1.62 vs 1.24,
# coolblue2 1.48 vs 0.93) and still pays, measured on the degraded renders of tests/test_invoice_accuracy.py
# (line quantity / unit price F1, now 0.98 / 0.90): lines kept from 16 px up, 0.98 / 0.76; target 28 px,
# 1.00 / 0.95 but net, tax and gross right on 0.58 / 0.67 / 0.86 of the invoices (now 0.67 / 0.83 / 0.93);
# enlarging only to 22 px, 0.90 / 0.85. Cleaning up before enlarging (a third of the pixels) gave 0.94 / 0.72.
_LINE_HEIGHT_TARGET = 32.0
_KEEP_LINE_HEIGHT = (22.0, 48.0)
_SKEW_SAMPLE = 60_000  # ink pixels enough to find the angle to 0.05°
_BORDER_AREA = 200
_SIDEWAYS_RUN = 0.25
# Boxes and a table grid draw 11–16 vertical rules on our Korean forms and ruled invoices; letter-like
# invoices 0–8 (logos, barcodes), their rules being horizontal.
_FORM_VERTICAL_RULES = 10
_BORDER_EDGE_SHARE = 0.02


class ImageRejected(ValueError):
    """The bytes are not an image we will decode (unreadable, or too large to decode safely)."""


@dataclass
class PreparedPage:
    """A page ready for Tesseract, and how it was derived from the original image."""

    image: np.ndarray  # uint8 grayscale: flat white paper, dark text, no borders or rules
    ruled: bool  # a form: table rules or boxes were found (and removed)
    scale: float  # prepared pixels per original pixel
    skew_degrees: float
    hangul_marks: int  # Hangul-like stacked glyph pieces (extractors.ocr_script); 0 on a Latin page


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ImageRejected("empty image file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; our own per-page limit (count_pages) is the one that decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"image too large to decode safely (a decompression bomb?): {exc}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageRejected(f"not a readable image: {exc}") from None


def count_pages(data: bytes, max_pixels: int = MAX_PIXELS_PER_PAGE) -> int:
    """Number of pages (frames) in an image file, after checking every frame's size in its header.

    No pixel is decoded here, so a 30,000 × 30,000 decompression bomb is refused at no cost.
    """
    image = _open(data)
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_PAGES_PER_IMAGE:
        raise ImageRejected(f"image has {frames} frames; at most {MAX_PAGES_PER_IMAGE} pages are read")
    total = 0
    for index in range(frames):
        image.seek(index)
        width, height = image.size
        if width * height > max_pixels:
            raise ImageRejected(
                f"page {index + 1} too large to decode safely: {width} × {height} pixels "
                f"({width * height / 1e6:.0f} MP); the limit is {max_pixels / 1e6:.0f} MP per page"
            )
        total += width * height
    if total > MAX_PIXELS_PER_FILE:
        raise ImageRejected(f"image file holds {total / 1e6:.0f} MP; the limit is {MAX_PIXELS_PER_FILE / 1e6:.0f} MP")
    return frames


def decode_page(data: bytes, index: int) -> np.ndarray:
    """Decode one page (frame) to 8-bit grayscale; call count_pages first, it checks the sizes."""
    image = _open(data)
    try:
        image.seek(index)
        # Phones store the camera orientation in EXIF instead of turning the pixels.
        frame = ImageOps.exif_transpose(image) if index == 0 else image
        return _to_gray(frame)
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageRejected(f"page {index + 1} could not be decoded: {exc}") from None


def decode_pages(data: bytes) -> list[np.ndarray]:
    """Every page of an image file (multi-page TIFF included) as 8-bit grayscale."""
    return [decode_page(data, index) for index in range(count_pages(data))]


def _to_gray(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels are paper, not ink: flatten onto white before dropping the alpha channel.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode in ("I;16", "I;16B", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        span = max(float(array.max() - array.min()), 1.0)
        return ((array - array.min()) * 255.0 / span).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def prepare_page(gray: np.ndarray) -> PreparedPage:
    """Flatten uneven lighting, scale to ~300 dpi, deskew, denoise, and whiten borders and table rules.

    Scale and skew are measured on a ~1600 px copy; the full page is warped once and thresholded once.
    """
    flat = _flatten_background(gray)
    factor = min(_ANALYSIS_SIZE / max(flat.shape), 1.0)
    small = cv2.resize(flat, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    _, small_ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    skew = estimate_skew(small_ink)
    measured = line_height(small_ink, skew)
    if measured is None or measured > _SIDEWAYS_RUN * small_ink.shape[0]:
        # Rows inked over a quarter of the page: a page on its side (turned upright later, by orientation
        # detection), whose text lines run down the columns.
        turned = np.ascontiguousarray(small_ink.T)
        measured = line_height(turned, estimate_skew(turned))
    line_px = measured / factor if measured else None
    # Counted before any resampling: the enlargement of small print would blur the gaps between the pieces.
    marks = hangul_marks(flat, line_px)
    scale = _scale_factor(line_px)
    if scale != 1.0 or abs(skew) >= _MIN_SKEW_DEGREES:
        flat = _warp(flat, scale, -skew if abs(skew) >= _MIN_SKEW_DEGREES else 0.0)
    image, ruled = _clean(flat, line_px * scale if line_px else _LINE_HEIGHT_TARGET)
    return PreparedPage(image=image, ruled=ruled, scale=scale, skew_degrees=skew, hangul_marks=marks)


def _flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide by the estimated paper brightness so shadows and uneven phone lighting become white."""
    small = cv2.resize(gray, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    background = cv2.resize(cv2.medianBlur(background, 5), (gray.shape[1], gray.shape[0]))
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def _scale_factor(line_px: float | None) -> float:
    """Scale text lines into the band Tesseract reads well, from their measured height (not from the file's
    resolution tag: phones write 72 dpi, faxes anything, and the font size matters as much as the dpi).

    Pages whose lines are already within the band are left alone: every resampling costs time and sharpness.
    """
    if line_px is None or _KEEP_LINE_HEIGHT[0] <= line_px <= _KEEP_LINE_HEIGHT[1]:
        return 1.0
    return min(max(_LINE_HEIGHT_TARGET / line_px, 0.25), 4.0)


def line_height(ink: np.ndarray, skew: float) -> float | None:
    """Median height of the text lines (runs of inked rows in the profile along the skew), in pixels."""
    profile = _row_profile(*np.nonzero(ink), ink.shape, skew)
    inked = profile > max(2.0, 0.02 * float(profile.max(initial=0)))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked.astype(np.int8), [0]])))
    runs = edges[1::2] - edges[0::2]
    runs = runs[runs >= 3]
    return float(np.median(runs)) if runs.size else None


def _row_profile(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, ...], skew: float) -> np.ndarray:
    """Ink per row after turning the page by -skew (the ink's coordinates are turned, not the image)."""
    height, width = shape[0], shape[1]
    projected = (ys + (xs - width / 2) * np.tan(np.deg2rad(skew)) + width / 2).astype(np.int64)
    rows = height + width
    return np.bincount(np.clip(projected, 0, rows - 1), minlength=rows).astype(np.float64)


def _warp(gray: np.ndarray, scale: float, degrees: float) -> np.ndarray:
    """Scale, then rotate on a canvas grown so that no corner is cut off.

    Small print is enlarged with a cubic resize and then turned with linear interpolation, which on the
    enlarged strokes is as good as cubic: on the degraded invoices (tests/test_invoice_accuracy.py) the unit
    price F1 went from 0.90 to 0.95 against one cubic warp doing both, in 37 ms instead of 65 (QualityHosting
    at 200 dpi). Turning first and enlarging after gave 0.87.
    """
    if scale != 1.0:
        interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)
    if not degrees:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width, new_height = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_width / 2 - width / 2
    matrix[1, 2] += new_height / 2 - height / 2
    return cv2.warpAffine(gray, matrix, (new_width, new_height), flags=cv2.INTER_LINEAR, borderValue=255)


def _clean(gray: np.ndarray, line_px: float) -> tuple[np.ndarray, bool]:
    """Denoise, then whiten what is ink but not text: scanner borders and table rules.

    Returns the cleaned page and whether it is ruled (a form with boxes and a table grid).
    """
    # A 3×3 median takes out sensor noise and JPEG ringing and keeps strokes (a blur would thicken them).
    denoised = cv2.medianBlur(gray, 3)
    _, ink = cv2.threshold(denoised, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rules, vertical_rules = _rules(ink, line_px)
    cv2.bitwise_or(denoised, cv2.bitwise_or(_borders(ink), rules), dst=denoised)  # both masks are 0 or 255
    return denoised, vertical_rules >= _FORM_VERTICAL_RULES


def _borders(ink: np.ndarray) -> np.ndarray:
    """Large ink touching the image edge: a scanner border or a page shadow, never text."""
    edges = (ink[0, :], ink[-1, :], ink[:, 0], ink[:, -1])
    # A border or shadow inks a good part of an edge; a few stray pixels there are not worth the labelling.
    if not any(np.count_nonzero(edge) > _BORDER_EDGE_SHARE * edge.size for edge in edges):
        return np.zeros_like(ink)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    edge_labels = np.unique(np.concatenate([labels[0, :], labels[-1, :], labels[:, 0], labels[:, -1]]))
    border = np.zeros(len(stats), dtype=bool)
    border[edge_labels] = stats[edge_labels, cv2.CC_STAT_AREA] > _BORDER_AREA
    border[0] = False
    return np.where(border[labels], 255, 0).astype(np.uint8)


def _rules(ink: np.ndarray, line_px: float) -> tuple[np.ndarray, int]:
    """Long horizontal and vertical lines (table rules, boxes), and how many vertical ones there are.

    Tesseract reads rules as `|`, `I`, `_` and merges neighbouring cells through them; the word boxes give
    the table structure instead. Found on a half-size copy (four times cheaper; a 0.5 pt rule is still two
    pixels thick there).
    """
    height, width = ink.shape
    half = cv2.resize(ink, (width // 2, height // 2), interpolation=cv2.INTER_LINEAR)
    half = cv2.threshold(half, 64, 255, cv2.THRESH_BINARY)[1]
    # Longer than anything in text: serif fonts join a bold word's baseline into one run of 4–6 letters, so a
    # rule must span 8 line heights across (or 3 down).
    across = max(width // 50, int(8 * line_px)) // 2
    down = max(height // 80, int(3 * line_px)) // 2
    horizontal = cv2.morphologyEx(half, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (across, 1)))
    vertical = cv2.morphologyEx(half, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, down)))
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    vertical_count = cv2.connectedComponents(vertical)[0] - 1
    return cv2.resize(lines, (width, height), interpolation=cv2.INTER_NEAREST), vertical_count


def estimate_skew(ink: np.ndarray) -> float:
    """Skew angle in degrees (positive = counter-clockwise) of a small ink image (white on black).

    Text lines and table rules give a sharp row profile only when they are horizontal: the angle that
    maximises the profile's variation wins, searched coarse then fine (a few milliseconds).
    """
    ys, xs = np.nonzero(ink)
    if len(ys) < 50:
        return 0.0
    if len(ys) > _SKEW_SAMPLE:
        chosen = np.random.default_rng(0).choice(len(ys), _SKEW_SAMPLE, replace=False)
        ys, xs = ys[chosen], xs[chosen]
    # The coarse steps only have to find the right half degree: a quarter of the sample does (and is a
    # third of the time of the search).
    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5)
    best = coarse[np.argmax(_sharpness(ys[::4], xs[::4], ink.shape, coarse))]
    fine = np.arange(best - 0.5, best + 0.51, 0.05)
    return round(float(fine[np.argmax(_sharpness(ys, xs, ink.shape, fine))]), 2)


def _sharpness(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, ...], angles: np.ndarray) -> np.ndarray:
    """How much the row profile (_row_profile) varies, at every angle at once: one count over all of them."""
    height, width = shape[0], shape[1]
    rows = height + width
    tangents = np.tan(np.deg2rad(angles))[:, np.newaxis]
    projected = (ys + (xs - width / 2) * tangents + width / 2).astype(np.int64)
    np.clip(projected, 0, rows - 1, out=projected)
    projected += np.arange(len(angles))[:, np.newaxis] * rows
    profiles = np.bincount(projected.ravel(), minlength=rows * len(angles)).reshape(len(angles), rows)
    return np.var(np.diff(profiles, axis=1), axis=1)


def rotate_quarter_turns(image: np.ndarray, turns: int) -> np.ndarray:
    """Rotate clockwise by `turns` × 90°."""
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, codes[turns % 4]) if turns % 4 else image

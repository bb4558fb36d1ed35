"""The Tesseract calls (through pytesseract): words with boxes and confidence, and orientation detection."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, replace

import cv2
import numpy as np
import pytesseract
from PIL import Image

TESSERACT_TIMEOUT_SECONDS = 180
# Tesseract retries every unsure line inverted (white on black). Our clean-up hands it dark text on white
# paper (dark filled bars are whitened with the rules), so the retry never helps: measured on 28 scans,
# the same characters in about half the time on degraded pages.
_NO_INVERSION = "-c tessedit_do_invert=0"


class OcrEngineError(RuntimeError):
    """Tesseract is missing, lacks a language, timed out, or failed on a page."""


@dataclass(frozen=True)
class OcrWord:
    """One word as Tesseract reported it, in the pixels of the image it was given."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0..1
    block: int
    paragraph: int
    line: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def line_key(self) -> tuple[int, int, int]:
        return (self.block, self.paragraph, self.line)

    def with_text(self, text: str, confidence: float) -> OcrWord:
        return replace(self, text=text, confidence=confidence)

    def merged_with(self, right: OcrWord) -> OcrWord:
        """One word from two adjacent pieces; as sure as its least sure piece."""
        top, bottom = min(self.top, right.top), max(self.bottom, right.bottom)
        return replace(
            self,
            text=self.text + right.text,
            width=max(self.right, right.right) - self.left,
            top=top,
            height=bottom - top,
            confidence=min(self.confidence, right.confidence),
        )


def _as_tesseract_input(pixels: np.ndarray) -> Image.Image:
    # pytesseract writes PNG by default; an uncompressed BMP of the same pixels is written ~10× faster.
    image = Image.fromarray(pixels)
    image.format = "BMP"
    return image


def _environment_ready() -> None:
    # Tesseract's OpenMP threads fight each other and our worker processes: one thread per process is 3–4×
    # faster on this class of machine (../shared/RECIPES.md). An explicit setting by the operator wins.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _run(image: np.ndarray, languages: str, config: str) -> tuple[str, str]:
    """One Tesseract run writing both its TSV (boxes, confidences) and its plain text (word spacing)."""
    _environment_ready()
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as folder:
        image_path = os.path.join(folder, "page.bmp")
        cv2.imwrite(image_path, image)
        base = os.path.join(folder, "out")
        try:
            pytesseract.pytesseract.run_tesseract(
                image_path,
                base,
                "txt",
                languages,
                f"{config} -c tessedit_create_tsv=1",
                0,
                TESSERACT_TIMEOUT_SECONDS,
            )
        except pytesseract.TesseractNotFoundError:
            raise OcrEngineError("tesseract is not installed (Debian: apt-get install tesseract-ocr)") from None
        except pytesseract.TesseractError as exc:
            raise OcrEngineError(f"tesseract failed: {exc.message.strip()[:300]}") from None
        except RuntimeError as exc:
            raise OcrEngineError(f"tesseract: {exc}") from None
        with open(base + ".tsv", encoding="utf-8") as tsv, open(base + ".txt", encoding="utf-8") as txt:
            return tsv.read(), txt.read()


def read_words(image: np.ndarray, languages: str, psm: int, extra_config: str = "") -> list[OcrWord]:
    """All non-empty words of the image, in Tesseract's reading order."""
    tsv, text = _run(image, languages, f"--psm {psm} --dpi 300 {_NO_INVERSION} {extra_config}".strip())
    words: list[OcrWord] = []
    for record in tsv.splitlines()[1:]:
        fields = record.split("\t")
        if len(fields) < 12 or not fields[11].strip() or float(fields[10]) < 0:
            continue
        words.append(
            OcrWord(
                text=fields[11].strip(),
                left=int(fields[6]),
                top=int(fields[7]),
                width=int(fields[8]),
                height=int(fields[9]),
                confidence=min(max(float(fields[10]) / 100.0, 0.0), 1.0),
                block=int(fields[2]),
                paragraph=int(fields[3]),
                line=int(fields[4]),
            )
        )
    return _join_unspaced(words, text)


def _join_unspaced(words: list[OcrWord], text: str) -> list[OcrWord]:
    """Glue words that the plain-text output prints without a space between them.

    Tesseract's TSV cuts Korean into syllable groups (`등`, `록`, `번호:`) although its own text output
    knows they form one word (`등록번호:`); the text output is the authority on spacing.
    """
    joined: list[OcrWord] = []
    position = 0
    for word in words:
        found = text.find(word.text, position)
        skipped = text[position:found] if found >= 0 else "x"
        if skipped.strip():
            # The two outputs disagree here (should not happen): keep the word as Tesseract boxed it.
            joined.append(word)
            continue
        position = found + len(word.text)
        previous = joined[-1] if joined else None
        if previous is not None and skipped == "" and previous.line_key == word.line_key:
            joined[-1] = previous.merged_with(word)
        else:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class Orientation:
    rotate_clockwise_degrees: int  # what to apply to make the page upright: 0, 90, 180 or 270
    confidence: float  # Tesseract's orientation confidence (roughly: > 2 is trustworthy)


_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONFIDENCE = re.compile(r"Orientation confidence:\s*([\d.]+)")


def detect_orientation(image: np.ndarray) -> Orientation | None:
    """Tesseract OSD (`--psm 0`); None when the page has too little text to decide."""
    _environment_ready()
    try:
        report = pytesseract.image_to_osd(
            _as_tesseract_input(image), config="--psm 0 --dpi 300", timeout=TESSERACT_TIMEOUT_SECONDS
        )
    except pytesseract.TesseractError:
        # OSD refuses pages with too few characters ("Too few characters. Skipping this page").
        return None
    except pytesseract.TesseractNotFoundError:
        raise OcrEngineError("tesseract is not installed (Debian: apt-get install tesseract-ocr)") from None
    rotate, confidence = _OSD_ROTATE.search(report), _OSD_CONFIDENCE.search(report)
    if not rotate or not confidence:
        return None
    return Orientation(int(rotate.group(1)) % 360, float(confidence.group(1)))

"""The Tesseract calls: words with boxes and confidence (libtesseract in process), orientation detection.

Words are read through Tesseract's C API (ctypes on libtesseract.so.5, the library the `tesseract` command
itself runs on), with the models kept loaded between pages. Measured on the ten degraded bench pages
(benchmarks/ocr_bench.py): the same TSV and text, byte for byte, as `tesseract page.bmp out --psm N` with the
same settings, without the 0.12 s of starting a process and loading kor+eng for every page, nor the
0.04 s (kor) and 0.09 s (eng) of each second look at numbers (extractors.ocr_numbers): on a Korean form
whose raw read takes ~0.5 s, those starts alone were a third on top of it.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import pytesseract
from PIL import Image

TESSERACT_TIMEOUT_SECONDS = 180
# Tesseract retries every unsure line inverted (white on black). Our clean-up hands it dark text on white
# paper (dark filled bars are whitened with the rules), so the retry never helps: measured on 28 scans,
# the same characters in about half the time on degraded pages.
_NO_INVERSION = ("tessedit_do_invert", "0")
_LIBRARY = "libtesseract.so.5"


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
    # faster on this class of machine (../shared/RECIPES.md). OpenMP reads the limit once, when libtesseract
    # (and with it libgomp) is loaded: this runs before. An explicit setting by the operator wins.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


_lock = threading.Lock()
_api: ctypes.CDLL | None = None
_idle: dict[str, list[int]] = {}  # loaded engines not in use, by language set
_created: list[int] = []


def _new_lock_after_fork() -> None:
    # A fork while another thread held the lock would leave it held for good in the child; the engines
    # themselves are copied with the memory and stay usable there.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


def _library() -> ctypes.CDLL:
    global _api
    with _lock:
        if _api is None:
            _environment_ready()
            try:
                api = ctypes.CDLL(_LIBRARY)
            except OSError:
                raise OcrEngineError("tesseract is not installed (Debian: apt-get install tesseract-ocr)") from None
            handle, text, string = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p
            api.TessBaseAPICreate.restype = handle
            api.TessBaseAPIInit3.argtypes = [handle, string, string]
            api.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
            api.TessBaseAPISetVariable.argtypes = [handle, string, string]
            api.TessBaseAPISetImage.argtypes = [handle, ctypes.c_void_p] + [ctypes.c_int] * 4
            api.TessBaseAPIRecognize.argtypes = [handle, ctypes.c_void_p]
            api.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
            api.TessBaseAPIGetTsvText.restype = text
            api.TessBaseAPIGetUTF8Text.argtypes = [handle]
            api.TessBaseAPIGetUTF8Text.restype = text
            api.TessDeleteText.argtypes = [text]
            for name in ("TessBaseAPIClear", "TessBaseAPIEnd", "TessBaseAPIDelete"):
                getattr(api, name).argtypes = [handle]
            api.TessMonitorCreate.restype = ctypes.c_void_p
            api.TessMonitorSetDeadlineMSecs.argtypes = [ctypes.c_void_p, ctypes.c_int]
            api.TessMonitorDelete.argtypes = [ctypes.c_void_p]
            _api = api
        return _api


@contextmanager
def _engine(languages: str) -> Iterator[int]:
    """A Tesseract engine with `languages` loaded, for this caller alone (one per concurrent reader).

    Engines are kept for the next page: loading kor+eng is the cost a `tesseract` process pays per page.
    """
    api = _library()
    with _lock:
        idle = _idle.setdefault(languages, [])
        handle = idle.pop() if idle else None
    if handle is None:
        handle = api.TessBaseAPICreate()
        if api.TessBaseAPIInit3(handle, None, languages.encode()) != 0:
            api.TessBaseAPIDelete(handle)
            raise OcrEngineError(f"tesseract cannot load the language data for {languages!r}")
        with _lock:
            _created.append(handle)
    try:
        yield handle
    finally:
        api.TessBaseAPIClear(handle)
        with _lock:
            _idle[languages].append(handle)


@atexit.register
def _end_engines() -> None:
    # Tesseract reports every model still loaded at exit as a leak on stderr.
    with _lock:
        for handle in _created if _api is not None else []:
            _api.TessBaseAPIEnd(handle)
            _api.TessBaseAPIDelete(handle)
        _created.clear()
        _idle.clear()


def _take_text(api: ctypes.CDLL, pointer: int | None) -> str:
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("utf-8", errors="replace")
    finally:
        api.TessDeleteText(pointer)


def _run(image: np.ndarray, languages: str, psm: int) -> tuple[str, str]:
    """One recognition of a grayscale page: its TSV (boxes, confidences) and its plain text (word spacing)."""
    api = _library()
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    with _engine(languages) as handle:
        api.TessBaseAPISetPageSegMode(handle, psm)
        for name, value in (("user_defined_dpi", "300"), _NO_INVERSION):
            api.TessBaseAPISetVariable(handle, name.encode(), value.encode())
        api.TessBaseAPISetImage(handle, pixels.ctypes.data, pixels.shape[1], pixels.shape[0], 1, pixels.strides[0])
        monitor = api.TessMonitorCreate()
        api.TessMonitorSetDeadlineMSecs(monitor, int(TESSERACT_TIMEOUT_SECONDS * 1000))
        try:
            if api.TessBaseAPIRecognize(handle, monitor) != 0:
                raise OcrEngineError(f"tesseract failed or took over {TESSERACT_TIMEOUT_SECONDS} s on a page")
        finally:
            api.TessMonitorDelete(monitor)
        tsv = _take_text(api, api.TessBaseAPIGetTsvText(handle, 0))
        return tsv, _take_text(api, api.TessBaseAPIGetUTF8Text(handle))


def read_words(image: np.ndarray, languages: str, psm: int) -> list[OcrWord]:
    """All non-empty words of the image, in Tesseract's reading order."""
    tsv, text = _run(image, languages, psm)
    words: list[OcrWord] = []
    for record in tsv.splitlines():
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

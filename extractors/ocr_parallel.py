"""OCR across worker processes: one Tesseract per core, each limited to one OpenMP thread.

Measured on the 2-core target machine (benchmarks/ocr_bench.py): Tesseract's own threads give little
and fight each other; a page per process with OMP_THREAD_LIMIT=1 scales almost linearly with cores.
Work is split by page, not by file, so one long TIFF does not leave the other core idle.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial

import cv2
import numpy as np

from extractors.ocr_page import ocr_page_image
from extractors.ocr_preprocess import ImageRejected, count_pages, decode_page
from extractors.ocr_tesseract import OcrEngineError
from schemas.settings import Settings
from schemas.text import Page


@dataclass
class OcrOutcome:
    """The pages read from one input image, or why it could not be read."""

    pages: list[Page] = field(default_factory=list)
    error: str | None = None


def _worker_environment() -> None:
    # Set before the worker spawns any tesseract: with N workers, N × (cores) OpenMP threads would thrash.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver, not fork: callers (Prefect, web servers) run threads, and forking a threaded process can
    # deadlock; preloading the OCR modules keeps a worker's start at a few milliseconds.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extractors.ocr_page"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_environment)


def _ocr_encoded_page(data: bytes, index: int, languages: str) -> Page:
    return ocr_page_image(decode_page(data, index), index + 1, languages)


def ocr_pages_parallel(images: Sequence[np.ndarray], languages: str, workers: int) -> list[Page]:
    """OCR decoded page images (numbered from 1), in parallel when there is more than one page."""
    numbered = list(enumerate(images, start=1))
    if workers <= 1 or len(images) <= 1:
        return [ocr_page_image(image, n, languages) for n, image in numbered]
    with _pool(min(workers, len(images))) as pool:
        futures = [pool.submit(ocr_page_image, image, n, languages) for n, image in numbered]
        return [future.result() for future in futures]


def ocr_many(images: Sequence[bytes], workers: int | None = None, settings: Settings | None = None) -> list[OcrOutcome]:
    """OCR many image files (pages spread over `workers` processes); one outcome per file, in input order.

    A file that cannot be read gets an outcome with `error` set; the others go on.
    """
    settings = settings or Settings()
    workers = workers or settings.ocr_workers
    outcomes = [OcrOutcome() for _ in images]
    tasks: list[tuple[int, int]] = []
    for number, data in enumerate(images):
        try:
            tasks.extend((number, index) for index in range(count_pages(data)))
        except ImageRejected as exc:
            outcomes[number].error = str(exc)
    if workers <= 1:
        for number, index in tasks:
            if outcomes[number].error is None:
                _record(outcomes[number], partial(_ocr_encoded_page, images[number], index, settings.ocr_languages))
        return outcomes
    with _pool(workers) as pool:
        futures: list[tuple[int, Future[Page]]] = [
            (number, pool.submit(_ocr_encoded_page, images[number], index, settings.ocr_languages))
            for number, index in tasks
        ]
        for number, future in futures:
            if outcomes[number].error is None:
                _record(outcomes[number], future.result)
    for outcome in outcomes:
        outcome.pages.sort(key=lambda page: page.number)
    return outcomes


def _record(outcome: OcrOutcome, read: Callable[[], Page]) -> None:
    try:
        outcome.pages.append(read())
    except (ImageRejected, OcrEngineError, cv2.error) as exc:
        outcome.error, outcome.pages = str(exc), []
    except BrokenProcessPool:
        outcome.error, outcome.pages = "OCR worker died (out of memory?) while reading this file", []

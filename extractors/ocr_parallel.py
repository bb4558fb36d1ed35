"""OCR across worker processes: one Tesseract per core, each limited to one thread.

Measured on the 2-core machine (benchmarks/ocr_bench.py): six Korean form pages took 6.7 s on one worker
and 3.7 s on two (1.8×) once the pool was running; Tesseract's own OpenMP threads instead make a page 3–4×
slower (../shared/RECIPES.md). Work is split by page, not by file, so one long TIFF does not leave the other
core idle.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import cv2
import numpy as np

from extractors.ocr_page import ocr_page_image
from extractors.ocr_preprocess import ImageRejected, count_pages, decode_page
from extractors.ocr_tesseract import OcrEngineError
from schemas.settings import Settings
from schemas.text import Page

T = TypeVar("T")
_WORKER_NICENESS = 5
_OWNER_CHECK_SECONDS = 1.0


@dataclass
class OcrOutcome:
    """The pages read from one input image, or why it could not be read."""

    pages: list[Page] = field(default_factory=list)
    error: str | None = None


def _worker_environment(owner: int) -> None:
    # One thread per worker process, for Tesseract (set before it is spawned) and for OpenCV alike:
    # with N workers, N × (cores) threads would thrash. A worker reads a document's pages itself (run_in_pool):
    # a pool of its own inside each worker would put N × N Tesseracts on N cores.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["INTAKE_OCR_WORKERS"] = "1"
    cv2.setNumThreads(1)
    # Ctrl-C in a terminal reaches the whole process group: a worker that died of it would break the pool and
    # fail the pages in flight. The parent decides what an interrupt means (intake batch finishes those pages).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # OCR is throughput work; the process that feeds it (a batch's flow runs, the review app) is serial and
    # waits on nothing else: when all cores are busy, it goes first. Batch of 11 scans on 2 workers: 0.68 ->
    # 0.66 s a page.
    os.nice(_WORKER_NICENESS)
    threading.Thread(target=_exit_with, args=(owner,), name="exit-with-owner", daemon=True).start()


def _exit_with(owner: int) -> None:
    """End this worker once the process that owns the pool is gone (killed with SIGKILL, it told no one).

    A forkserver worker's parent is the fork server, not the owner, and every worker holds both ends of the
    pool's pipes: after `kill -9` of `intake batch` neither the workers nor the fork server ever saw an end of
    file, and all three lived on (~270 MB). The fork server ends by itself once its workers have.
    """
    while True:
        time.sleep(_OWNER_CHECK_SECONDS)
        try:
            os.kill(owner, 0)
            with open(f"/proc/{owner}/stat", encoding="ascii", errors="replace") as stat:
                ended = stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # killed, not yet reaped
        except (ProcessLookupError, PermissionError):  # gone, or the id is another user's process now
            ended = True
        except OSError:  # no /proc: the signal test alone decides
            ended = False
        if ended:
            os._exit(0)


_pools: dict[int, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of `workers` OCR processes, started on first use and kept for the next call.

    A batch OCRs document after document: starting workers per document (a fresh interpreter importing
    OpenCV) would cost a second each time. forkserver, not fork: callers (Prefect, web servers) run threads,
    and forking a threaded process can deadlock; preloading the OCR modules makes each worker start hot.
    """
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["extractors.ocr_page"])
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_worker_environment, initargs=(os.getpid(),)
            )
            _pools[workers] = pool
        return pool


def discard_pool(workers: int) -> None:
    """Forget a pool whose worker died, so the next call starts a fresh one."""
    with _pools_lock:
        broken = _pools.pop(workers, None)
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


@atexit.register
def _shutdown_pools() -> None:
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)


def run_in_pool(workers: int, function: Callable[..., T], *args: object) -> Future[T]:
    """Run `function(*args)` in the process's pool of `workers` OCR processes (arguments and result pickled).

    For reading whole documents ahead (intake batch): the pool is the one the pages of `ocr_many` use, so the
    machine never runs more than `workers` Tesseracts for both.
    """
    return _pool(workers).submit(function, *args)


def _ocr_encoded_page(data: bytes, index: int, languages: str) -> Page:
    return ocr_page_image(decode_page(data, index), index + 1, languages)


def ocr_pages_parallel(images: Sequence[np.ndarray], languages: str, workers: int) -> list[Page]:
    """OCR decoded page images (numbered from 1), in parallel when there is more than one page."""
    numbered = list(enumerate(images, start=1))
    if workers <= 1 or len(images) <= 1:
        return [ocr_page_image(image, n, languages) for n, image in numbered]
    pool = _pool(workers)
    futures = [pool.submit(ocr_page_image, image, n, languages) for n, image in numbered]
    try:
        return [future.result() for future in futures]
    except BrokenProcessPool:
        discard_pool(workers)
        raise OcrEngineError("an OCR worker process died (out of memory?)") from None


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
    pool = _pool(workers)
    futures: list[tuple[int, Future[Page]]] = [
        (number, pool.submit(_ocr_encoded_page, images[number], index, settings.ocr_languages))
        for number, index in tasks
    ]
    for number, future in futures:
        if outcomes[number].error is None:
            _record(outcomes[number], future.result)
    if any(isinstance(f.exception(), BrokenProcessPool) for _, f in futures if f.done() and not f.cancelled()):
        discard_pool(workers)
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

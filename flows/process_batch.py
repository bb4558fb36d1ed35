"""`process_batch`: every document in a folder through `process_document`, resumable, each one exactly once.

Exactly once rests on the store, not on this process: a file is a document by its sha256 (one row per
distinct bytes, however many files carry them), a document in a final state is never run again, and one
that a killed run left half-done is finished from the stages it had already stored (process_document).
A failed document stays failed on the next run unless `retry_failed` asks for another attempt.

Both cores: documents run `workers` at a time, each in a thread of the flow's ThreadPoolTaskRunner, and
`workers` is also the size of the OCR process pool. A single-page scan is read in its document's thread
(Tesseract's C API releases the GIL, so two threads read two pages at once); a multi-page document's pages go
to the pool (extractors/ocr_parallel.py). Each document's other work (its Prefect task and flow runs, PDF
parsing, extraction, store writes) is meant to overlap the other document's OCR. Tesseracts at once:
`workers`, or one more while a multi-page document's pages in the pool meet a single page in the other thread.
Measured with benchmarks/batch_bench.py (10 single-page scans, LLM off, 2 cores shared with other jobs), at
load ~1 when two raw Tesseracts side by side ran 1.75× as fast as one after the other: 1 worker 27.2 pages/minute,
2 workers 33.1 (1.22×). Sending single pages to the OCR pool as well gave the same 2-worker time (17.2 s against
17.1-18.1 s for ten pages), so the simpler path stayed. What does not overlap, by the numbers, is the
per-document orchestration (a subflow and five task runs: ~0.8 s of the ~2 s a page takes on one worker, in this
process and Prefect's server). At load 3-4 (ceiling 0.83×: no second core to give) it was 16.1 against 18.8
pages/minute. The 1.8× target is not reached.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, Field

from flows.batch_files import BatchListing, list_batch
from flows.process_document import FINAL_STATES, process_document, record_file
from flows.results import DocumentResult, RunStatus
from flows.runtime import current_runtime
from store import documents
from store.db import session_scope

EntryStatus = RunStatus | Literal["pending"]


class BatchEntry(BaseModel):
    """One file of the batch and the outcome of its document."""

    file: str = Field(description="path relative to the batch folder")
    sha256: str | None = None
    document_id: int | None = None
    status: EntryStatus = "pending"
    error: str | None = None
    kind: str | None = None
    duplicate_of: str | None = Field(default=None, description="an earlier file of the batch with the same bytes")
    processed_now: bool = Field(default=False, description="processed by this run (not by an earlier one)")


class BatchReport(BaseModel):
    folder: str
    entries: list[BatchEntry] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="files that are not a document type we read")
    processed: int = Field(default=0, description="documents processed by this run")
    interrupted: bool = False
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Distinct documents (and unreadable files) by outcome; duplicates are counted once, by their first file."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            if entry.duplicate_of is None:
                counts[entry.status] = counts.get(entry.status, 0) + 1
        return counts

    @property
    def failures(self) -> list[BatchEntry]:
        return [e for e in self.entries if e.status == "failed" and e.duplicate_of is None]

    @property
    def duplicates(self) -> list[BatchEntry]:
        return [e for e in self.entries if e.duplicate_of is not None]


@runtime_checkable
class BatchObserver(Protocol):
    """What the caller sees while a batch runs (the CLI's progress bar); called from the flow's thread."""

    def started(self, todo: int, done_before: int) -> None: ...

    def finished(self, entry: BatchEntry) -> None: ...

    def stop_requested(self) -> bool: ...


@task(cache_policy=NO_CACHE)
def run_batch_document(path: str, document_id: int | None) -> DocumentResult:
    """Record the file if this is its first run, then process its document."""
    recorded = record_file(Path(path)) if document_id is None else document_id
    if isinstance(recorded, DocumentResult):
        return recorded
    return process_document(recorded)


def _entries(listing: BatchListing, retry_failed: bool) -> tuple[list[BatchEntry], list[int]]:
    """An entry per file from what the store already knows, and the indexes of the entries to process now."""
    entries: list[BatchEntry] = []
    todo: list[int] = []
    first_by_sha: dict[str, str] = {}
    with session_scope(current_runtime().engine) as session:
        for file in listing.files:
            entry = BatchEntry(file=file.name, sha256=file.sha256)
            entries.append(entry)
            if file.sha256 is None:
                entry.status, entry.error = "failed", file.error
                continue
            if file.sha256 in first_by_sha:
                entry.duplicate_of = first_by_sha[file.sha256]
                continue
            first_by_sha[file.sha256] = file.name
            document = documents.get_document_by_sha(session, file.sha256)
            if document is not None:
                entry.document_id = document.id
                if document.status in FINAL_STATES or (document.status == "failed" and not retry_failed):
                    continue
            todo.append(len(entries) - 1)
    return entries, todo


def _refresh(entries: list[BatchEntry]) -> None:
    """Every entry's outcome as the store has it now; duplicates take their first file's."""
    by_name = {e.file: e for e in entries}
    with session_scope(current_runtime().engine) as session:
        for entry in entries:
            if entry.duplicate_of is not None:
                first = by_name[entry.duplicate_of]
                entry.document_id = first.document_id
            if entry.document_id is None:
                continue
            document = documents.require_document(session, entry.document_id)
            entry.status = document.status.value if document.status.value in FINAL_STATES | {"failed"} else "pending"
            entry.error = document.error
            entry.kind = document.kind.value if document.kind else None


def _finish(entry: BatchEntry, future: PrefectFuture[DocumentResult]) -> None:
    try:
        result = future.result()
    except Exception as exc:  # a fault outside process_document's own handling (store, disk): this file only
        entry.status, entry.error = "failed", f"{type(exc).__name__}: {exc}"
        return
    entry.document_id, entry.status, entry.error = result.document_id, result.status, result.error
    entry.kind, entry.processed_now = result.kind, True


@contextmanager
def _ocr_workers(workers: int) -> Iterator[None]:
    """The OCR stage reads its settings from the environment (it has no runtime): give it this batch's workers."""
    previous = os.environ.get("INTAKE_OCR_WORKERS")
    os.environ["INTAKE_OCR_WORKERS"] = str(workers)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("INTAKE_OCR_WORKERS", None)
        else:
            os.environ["INTAKE_OCR_WORKERS"] = previous


def _run_documents(
    listing: BatchListing, entries: list[BatchEntry], todo: list[int], workers: int, observer: BatchObserver | None
) -> tuple[int, bool]:
    """Keep `workers` documents running until all are done or a stop is asked: (processed, interrupted)."""
    waiting: deque[int] = deque(todo)
    running: dict[PrefectFuture[DocumentResult], int] = {}
    processed = 0
    while waiting or running:
        while waiting and len(running) < workers and not (observer and observer.stop_requested()):
            index = waiting.popleft()
            future = run_batch_document.submit(str(listing.files[index].path), entries[index].document_id)
            running[future] = index
        if not running:
            return processed, True
        done = next(as_completed(list(running)))
        entry = entries[running.pop(done)]
        _finish(entry, done)
        processed += 1
        if observer is not None:
            observer.finished(entry)
    return processed, False


@flow(name="process_batch", log_prints=False, validate_parameters=False, task_runner=ThreadPoolTaskRunner())
def process_batch(
    folder: str, workers: int = 2, retry_failed: bool = False, observer: BatchObserver | None = None
) -> BatchReport:
    """Process the documents of `folder` not yet finished, `workers` at a time; one bad file never stops the rest.

    Stops submitting when the observer asks (Ctrl-C); documents already started are finished first.
    """
    started = time.perf_counter()
    workers = max(workers, 1)
    listing = list_batch(Path(folder))
    entries, todo = _entries(listing, retry_failed)
    if observer is not None:
        observer.started(len(todo), sum(1 for e in entries if e.duplicate_of is None) - len(todo))
    with _ocr_workers(workers):
        processed, interrupted = _run_documents(listing, entries, todo, workers, observer)
    _refresh(entries)
    return BatchReport(
        folder=folder,
        entries=entries,
        skipped=listing.skipped,
        processed=processed,
        interrupted=interrupted,
        seconds=time.perf_counter() - started,
    )

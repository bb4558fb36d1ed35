"""`process_batch`: every document in a folder through `process_document`, resumable, each one exactly once.

Exactly once rests on the store, not on this process: a file is a document by its sha256 (one row per
distinct bytes, however many files carry them), a document in a final state is never run again, and one
that a killed run left half-done is finished from the stages it had already stored (process_document).
A failed document stays failed on the next run unless `retry_failed` asks for another attempt.

Both cores: the documents' flow runs go one after the other in this thread, while the next `workers`
documents are read (OCR, PDF parsing) in the pool of `workers` OCR processes (flows/read_ahead.py says why not
documents side by side in threads). Tesseracts at once: `workers`. With one worker everything runs here.
Measured with benchmarks/batch_bench.py: see that file's docstring.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from prefect import flow
from pydantic import BaseModel, Field

from flows.batch_files import BatchListing, list_batch
from flows.prefect_server import watch_temporary_server
from flows.process_document import FINAL_STATES, process_document, record_file
from flows.read_ahead import ReadAhead
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


def _record(listing: BatchListing, entry: BatchEntry, index: int) -> bool:
    """Record the entry's file if it is new; False when it cannot be read (the entry then holds the failure)."""
    if entry.document_id is not None:
        return True
    recorded = record_file(listing.files[index].path)
    if isinstance(recorded, DocumentResult):
        entry.status, entry.error, entry.processed_now = recorded.status, recorded.error, True
        return False
    entry.document_id = recorded
    return True


def _process(entry: BatchEntry) -> None:
    assert entry.document_id is not None
    try:
        result = process_document(entry.document_id)
    except Exception as exc:  # a fault outside process_document's own handling (store, disk): this file only
        entry.status, entry.error = "failed", f"{type(exc).__name__}: {exc}"
        return
    entry.status, entry.error, entry.kind, entry.processed_now = result.status, result.error, result.kind, True


@contextmanager
def _reading_ahead(workers: int) -> Iterator[ReadAhead | None]:
    """With more than one worker, read documents ahead in the OCR processes for as long as the batch runs."""
    runtime = current_runtime()
    read_ahead = ReadAhead(workers) if workers > 1 else None
    runtime.read_ahead = read_ahead
    try:
        yield read_ahead
    finally:
        runtime.read_ahead = None
        if read_ahead is not None:
            read_ahead.cancel()


def _run_documents(
    listing: BatchListing, entries: list[BatchEntry], todo: list[int], workers: int, observer: BatchObserver | None
) -> tuple[int, bool]:
    """Process the documents one flow run after the other, the next `workers` being read ahead meanwhile, until all
    are done or a stop is asked (the documents already started are finished): (processed, interrupted)."""
    if workers > 1:
        # Largest files first (bytes stand for pages and pixels): the batch ends when its last reading does, and
        # a large scan read last keeps one core busy while the others wait. `python -m benchmarks batch` (10 scans,
        # the largest listed last), twice each: 1.69x and 1.80x as fast as one worker in listing order, 1.86x and
        # 1.83x largest first.
        todo = sorted(todo, key=lambda index: listing.files[index].size, reverse=True)
    waiting: deque[int] = deque(todo)
    started: deque[int] = deque()
    processed = 0
    with _reading_ahead(workers) as read_ahead:
        while waiting or started:
            while waiting and len(started) <= (workers if read_ahead else 0) and not _stopping(observer):
                index = waiting.popleft()
                entry = entries[index]
                new = entry.document_id is None
                if _record(listing, entry, index) and new and read_ahead is not None:
                    assert entry.document_id is not None
                    read_ahead.start(entry.document_id)
                started.append(index)
            if not started:
                return processed, True
            entry = entries[started.popleft()]
            if entry.status == "pending":
                _process(entry)
            processed += 1
            if observer is not None:
                observer.finished(entry)
    return processed, bool(waiting)


def _stopping(observer: BatchObserver | None) -> bool:
    return observer is not None and observer.stop_requested()


@flow(name="process_batch", log_prints=False, validate_parameters=False)
def process_batch(
    folder: str, workers: int = 2, retry_failed: bool = False, observer: BatchObserver | None = None
) -> BatchReport:
    """Process the documents of `folder` not yet finished, `workers` at a time; one bad file never stops the rest.

    Stops submitting when the observer asks (Ctrl-C); documents already started are finished first.
    """
    started = time.perf_counter()
    watch_temporary_server()
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

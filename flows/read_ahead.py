"""Reading ahead in a batch: the next documents' text is read in the OCR processes while this one is processed.

`process_batch` runs one document's flow at a time and keeps the text of the next `workers` documents being
read (OCR, PDF parsing) in the OCR process pool, which `read_text` then takes instead of reading itself.
Why not documents side by side in threads, as before: the local Prefect server keeps its runs in SQLite, and
two documents' flow runs writing at once made it answer "database is locked" (HTTP 503) to one of them, which
the client retries 2 s later; and the threads' Python work shared one interpreter lock. Measured on 11 degraded
scans (1 worker 1.16 s a page): 2 documents in threads 0.84-0.91 s a page, with 1-3 such 2 s waits per run.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from extractors.ocr_parallel import discard_pool, run_in_pool
from extractors.text import read_document
from flows.tasks import load_envelope
from schemas.text import DocumentText


class ReadAhead:
    """Texts being read in the pool of `workers` OCR processes, by document id."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._reading: dict[int, Future[DocumentText]] = {}

    def start(self, document_id: int) -> None:
        self._reading[document_id] = run_in_pool(self.workers, read_document, load_envelope(document_id))

    def take(self, document_id: int) -> DocumentText | None:
        """The text read ahead for this document, once it is ready; None when none was started or its OCR process
        died (the caller then reads the document itself). A reader's own error is raised as if read here."""
        future = self._reading.pop(document_id, None)
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool:
            discard_pool(self.workers)
            return None

    def cancel(self) -> None:
        """Forget the readings not taken (a stopped batch): their documents are read again when resumed."""
        for future in self._reading.values():
            future.cancel()
        self._reading.clear()

"""`process_document`: one recorded document through text, extraction, decision and quote."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger

from flows.extraction import unreadable_reason
from flows.results import DocumentResult
from flows.runtime import current_runtime
from flows.summary import document_result
from flows.tasks import (
    close_document,
    extract_fields,
    issue_quote,
    price_and_decide,
    queue_for_review,
    read_text,
    record_input,
)
from schemas.envelope import Channel
from schemas.extraction import Extraction, Kind
from schemas.review import Route
from schemas.text import DocumentText
from store import documents
from store.db import session_scope

# A document in one of these states has had its outcome; running it again must change nothing.
FINAL_STATES = frozenset({"quoted", "review", "not_request", "recorded", "rejected"})
# Recorded but not finished: a run stopped (kill, crash, power) part-way through this document.
INTERRUPTED_STATES = frozenset({"received", "extracted"})


def _finished_stages(document_id: int, status: str) -> tuple[DocumentText | None, Extraction | None]:
    """The text and the extraction an interrupted run already stored, so they are not made (and logged) twice.

    Each stage stores its result and its audit event in one transaction, so what is stored is complete.
    A failed document that is run again starts from the bytes: the retry is for a reader that may now do better.
    """
    if status not in INTERRUPTED_STATES:
        return None, None
    with session_scope(current_runtime().engine) as session:
        text = documents.get_text(session, document_id)
        extraction = documents.latest_extraction(session, document_id) if text is not None else None
    return text, extraction


def _nothing_to_read(document_id: int) -> str | None:
    """Why an input yielded no part at all (a zero-byte file): a failure to show, not an empty "other" document.

    An input without parts and without errors (a mail with nothing in it) goes on and ends as "not a request".
    """
    with session_scope(current_runtime().engine) as session:
        envelope = documents.get_envelope(session, document_id)
    if envelope.parts or not envelope.errors:
        return None
    return "; ".join(envelope.errors)


@flow(name="process_document", log_prints=False, validate_parameters=False)
def process_document(document_id: int, on: date | None = None) -> DocumentResult:
    """Run the stages for a document already recorded; failures are recorded against it, never raised."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        status = documents.get_status(session, document_id)
    if status in FINAL_STATES:
        return document_result(document_id, already_processed=True)
    stored_text, stored_extraction = _finished_stages(document_id, status)
    try:
        empty = _nothing_to_read(document_id)
        if empty is not None:
            close_document(document_id, "failed", empty)
            return document_result(document_id)
        text = stored_text if stored_text is not None else read_text(document_id)
        reason = unreadable_reason(text)
        if reason is not None:
            close_document(document_id, "failed", reason)
            return document_result(document_id)
        extraction = stored_extraction if stored_extraction is not None else extract_fields(document_id, text)
        quote, decision = price_and_decide(document_id, extraction, on or date.today())
        if decision.route is Route.NOT_REQUEST:
            close_document(document_id, "not_request")
        elif decision.route is Route.AUTO and extraction.kind.value is Kind.INVOICE:
            close_document(document_id, "recorded")
        elif decision.route is Route.AUTO and quote is not None:
            issue_quote(document_id, quote)
        else:
            queue_for_review(document_id, decision)
    except Exception as exc:
        get_run_logger().exception("document %s failed", document_id)
        close_document(document_id, "failed", f"{type(exc).__name__}: {exc}")
    return document_result(document_id)


@flow(name="process_files", log_prints=False, validate_parameters=False)
def process_files(paths: list[str], channel: str = Channel.FILE.value, on: date | None = None) -> list[DocumentResult]:
    """Record each file, then process it; one bad file never stops the others."""
    results = []
    for raw_path in paths:
        path = Path(raw_path)
        recorded = record_file(path, Channel(channel))
        if isinstance(recorded, DocumentResult):
            results.append(recorded)
            continue
        result = process_document(recorded, on)
        results.append(result.model_copy(update={"file": str(path)}))
    return results


def record_file(path: Path, channel: Channel = Channel.FILE) -> int | DocumentResult:
    """The document of a file's bytes (recorded now, or found by sha256), or a failed result if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DocumentResult(file=str(path), status="failed", error=f"cannot read: {exc.strerror}")
    document_id, _created = record_input(data, path.name, channel)
    return document_id

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
from schemas.extraction import Kind
from schemas.review import Route
from store import documents
from store.db import session_scope

# A document in one of these states has had its outcome; running it again must change nothing.
FINAL_STATES = frozenset({"quoted", "review", "not_request", "recorded", "rejected"})


@flow(name="process_document", log_prints=False, validate_parameters=False)
def process_document(document_id: int, on: date | None = None) -> DocumentResult:
    """Run the stages for a document already recorded; failures are recorded against it, never raised."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        status = documents.get_status(session, document_id)
    if status in FINAL_STATES:
        return document_result(document_id, already_processed=True)
    try:
        text = read_text(document_id)
        reason = unreadable_reason(text)
        if reason is not None:
            close_document(document_id, "failed", reason)
            return document_result(document_id)
        extraction = extract_fields(document_id, text)
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
        try:
            data = path.read_bytes()
        except OSError as exc:
            results.append(DocumentResult(file=str(path), status="failed", error=f"cannot read: {exc.strerror}"))
            continue
        document_id, _created = record_input(data, path.name, Channel(channel))
        result = process_document(document_id, on)
        results.append(result.model_copy(update={"file": str(path)}))
    return results

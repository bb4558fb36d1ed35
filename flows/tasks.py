"""The stages of one document as Prefect tasks: each loads what it needs, calls the stage, records it.

Tasks are coarse on purpose (one per stage, not per line): the local Prefect API costs ~60 ms a task.
Each task writes its audit event in the same transaction as its result.
"""

from __future__ import annotations

from datetime import date, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.text import read_document
from flows import stages
from flows.deliver_quotes import deliver_to_outbox
from flows.extraction import extract_document
from flows.recording import keep_input, record_envelope
from flows.runtime import current_runtime
from quotes.numbering import format_quote_number
from quotes.pdf import render_quote_pdf
from schemas.envelope import Channel, Envelope
from schemas.extraction import Extraction
from schemas.quote import PricedQuote
from schemas.review import Decision
from schemas.text import DocumentText
from store import documents, quotes, review
from store.aliases import load_learnt_aliases
from store.audit import append_event
from store.db import session_scope


@task(cache_policy=NO_CACHE)
def record_input(data: bytes, name: str, channel: Channel, received_at: datetime | None = None) -> tuple[int, bool]:
    """Keep the original bytes and its parts by sha256; one document row per distinct input."""
    rt = current_runtime()
    envelope = keep_input(rt.blobs, data, name, channel, received_at)
    with session_scope(rt.engine) as session:
        document, created = record_envelope(session, envelope, actor="process_document")
        return document.id, created


def load_envelope(document_id: int) -> Envelope:
    """The stored envelope with every part's bytes reloaded from the blob store."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        envelope = documents.get_envelope(session, document_id)
    for part in envelope.parts:
        part.data = rt.blobs.get(part.sha256)
    return envelope


@task(cache_policy=NO_CACHE)
def read_text(document_id: int) -> DocumentText:
    rt = current_runtime()
    read_ahead = rt.read_ahead.take(document_id) if rt.read_ahead is not None else None
    text = read_ahead if read_ahead is not None else read_document(load_envelope(document_id))
    with session_scope(rt.engine) as session:
        documents.save_text(session, document_id, text)
        append_event(
            session,
            actor="process_document",
            action="text.read",
            document_id=document_id,
            data={
                "parts": [
                    {
                        "part": p.part,
                        "status": p.status,
                        "error": p.error,
                        "pages": len(p.pages),
                        "methods": sorted({pg.method for pg in p.pages}),
                        "ocr_confidence": [pg.ocr_confidence for pg in p.pages if pg.ocr_confidence is not None],
                    }
                    for p in text.parts
                ]
            },
        )
    return text


@task(cache_policy=NO_CACHE)
def extract_fields(document_id: int, text: DocumentText) -> Extraction:
    rt = current_runtime()
    envelope = load_envelope(document_id)
    with session_scope(rt.engine) as session:
        learnt = load_learnt_aliases(session)
    extraction = extract_document(rt, text, envelope, learnt)
    with session_scope(rt.engine) as session:
        documents.save_extraction(session, document_id, extraction, actor="process_document")
        append_event(
            session,
            actor="process_document",
            action="extract.done",
            document_id=document_id,
            data={
                "extractor": extraction.extractor,
                "kind": extraction.kind.value,
                "customer_id": extraction.customer_id.value,
                "items": [
                    {"sku": i.sku.value, "quantity": str(i.quantity.value) if i.quantity.value is not None else None}
                    for i in extraction.items
                ],
                "confidence": extraction.field_confidences(),
                "failed_validators": [v.name for v in extraction.failed_validators],
                "llm": extraction.llm.model_dump(mode="json") if extraction.llm else None,
            },
        )
    get_run_logger().info("document %s: %s, %d item(s)", document_id, extraction.kind.value, len(extraction.items))
    return extraction


@task(cache_policy=NO_CACHE)
def price_and_decide(document_id: int, extraction: Extraction, on: date) -> tuple[PricedQuote | None, Decision]:
    """Deterministic prices from the company's rules; the LLM's output never reaches a price."""
    rt = current_runtime()
    quote, decision = stages.price_and_decide(rt, extraction, on)
    with session_scope(rt.engine) as session:
        append_event(
            session,
            actor="process_document",
            action="decision.made",
            document_id=document_id,
            data={
                "route": decision.route.value,
                "reasons": decision.reasons,
                "required_role": decision.required_role,
                "rules_version": quote.rules_version if quote else None,
                "lines": [line.model_dump(mode="json") for line in quote.lines] if quote else [],
                "total": quote.total if quote else None,
            },
        )
    return quote, decision


@task(cache_policy=NO_CACHE)
def issue_quote(document_id: int, quote: PricedQuote, actor: str = "process_document") -> tuple[str, str]:
    """Number, render and keep the quote PDF, then put it in the outbox; a document never gets a second quote."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        existing = quotes.get_quote_for_document(session, document_id)
        if existing is not None:
            return existing.quote_number, existing.pdf_path
        issued = quote.price_date
        seq = quotes.next_quote_number(session, rt.company.seller.quote_prefix, issued.year)
    number = format_quote_number(rt.company.seller.quote_prefix, issued, seq)
    pdf_path = render_quote_pdf(quote, rt.company, number, issued, rt.quotes_dir / f"{number}.pdf")
    pdf_sha = rt.blobs.put(pdf_path.read_bytes())
    with session_scope(rt.engine) as session:
        quote_row = quotes.save_quote(session, document_id, number, quote, str(pdf_path), pdf_sha)
        documents.set_status(session, document_id, "quoted")
        append_event(
            session,
            actor=actor,
            action="quote.issued",
            document_id=document_id,
            data={"quote_number": number, "pdf_sha256": pdf_sha, "total": quote.total, "currency": quote.currency},
        )
    try:
        deliver_to_outbox(rt, quote_row.id, document_id, number)
    except OSError as exc:  # the quote stands; its outbox delivery stays pending for the next deliver_quotes run
        get_run_logger().warning("quote %s not copied to the outbox yet: %s", number, exc)
    return number, str(pdf_path)


@task(cache_policy=NO_CACHE)
def queue_for_review(document_id: int, decision: Decision) -> None:
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        review.create_review_task(session, document_id, decision.reasons, decision.required_role)
        documents.set_status(session, document_id, "review")
        append_event(
            session,
            actor="process_document",
            action="review.queued",
            document_id=document_id,
            data={"reasons": decision.reasons, "required_role": decision.required_role},
        )


@task(cache_policy=NO_CACHE)
def close_document(document_id: int, status: str, error: str | None = None) -> None:
    """Final states that need no person: not a request, a recorded invoice, or a failure with its reason."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        documents.set_status(session, document_id, status, error=error)
        append_event(
            session,
            actor="process_document",
            action=f"document.{status}",
            document_id=document_id,
            data={"error": error} if error else {},
        )



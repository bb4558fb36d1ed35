"""A document's outcome read back from the store: the row `intake run` prints or returns as JSON."""

from __future__ import annotations

from flows.results import DocumentResult, ResultItem
from flows.runtime import current_runtime
from store import documents, quotes, review
from store.db import session_scope


def document_result(document_id: int, already_processed: bool = False) -> DocumentResult:
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        doc = documents.get_document(session, document_id)
        extraction = documents.latest_extraction(session, document_id)
        quote_row = quotes.get_quote_for_document(session, document_id)
        task = review.latest_review_task(session, document_id)
        result = DocumentResult(
            file=doc.source_name,
            status=doc.status if doc.status != "received" else "failed",
            error=doc.error,
            document_id=document_id,
            kind=extraction.kind.value.value if extraction else None,
            customer_id=extraction.customer_id.value if extraction else None,
            extractor=extraction.extractor if extraction else None,
            reasons=list(task.reasons) if task else [],
            already_processed=already_processed,
        )
        if quote_row is not None:
            quote = quote_row.quote
            result.items = [
                ResultItem(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price, amount=line.amount,
                           description=line.name, rules=line.rules)
                for line in quote.lines
            ]
            result.subtotal, result.vat, result.total = quote.subtotal, quote.vat, quote.total
            result.quote_number, result.quote_pdf = quote_row.quote_number, quote_row.pdf_path
        elif extraction is not None:
            result.items = [
                ResultItem(sku=i.sku.value, quantity=i.quantity.value, description=i.description.value)
                for i in extraction.items
            ]
    return result

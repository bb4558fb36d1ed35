"""`resume_after_review`: after a person approved a document, go on from pricing; the extraction is never redone.

The approved (possibly corrected) extraction is the latest one in the store. It is priced again by the same
engine and issued through the same task as the automatic path, so an approved quote and an automatic one
cannot differ in numbering, PDF or audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger

from flows.results import DocumentResult
from flows.runtime import current_runtime
from flows.summary import document_result
from flows.tasks import close_document, issue_quote, queue_for_review
from pricing.engine import price_quote
from review.roles import may_act_as, strictest
from schemas.extraction import Extraction, Kind
from schemas.quote import PricedQuote
from schemas.review import Decision, ReviewStatus, Route
from schemas.settings import Settings
from store import documents, review, users
from store.audit import append_event
from store.db import session_scope


def local_today(settings: Settings) -> date:
    """The business day where the company is: a quote approved at 08:00 in Seoul is dated that day."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def _hold_reasons(extraction: Extraction, quote: PricedQuote, reviewer_role: str | None, task_role: str) -> list[str]:
    """Why the approved quote must go back to a person instead of out of the door."""
    reasons = []
    if extraction.customer_id.value is None:
        reasons.append("approved without a customer")
    reasons += [f"line {u.item_index + 1} could not be priced after approval: {u.reason}" for u in quote.unpriced]
    required = strictest(task_role, quote.approval.required_role if quote.approval else None)
    if reviewer_role is None or not may_act_as(reviewer_role, required):
        reasons.append(f"re-priced quote needs the {required} (approved by a {reviewer_role or 'unknown user'})")
    return reasons


@flow(name="resume_after_review", log_prints=False, validate_parameters=False)
def resume_after_review(document_id: int, reviewer: str, on: date | None = None) -> DocumentResult:
    """Issue the quote (requests), record the invoice, or close a non-request, as the reviewer approved it."""
    rt = current_runtime()
    with session_scope(rt.engine) as session:
        task = review.latest_review_task(session, document_id)
        extraction = documents.latest_extraction(session, document_id)
        user = users.get_user(session, reviewer)
        reviewer_role = user.role.value if user is not None and user.active else None
        approved = task is not None and task.status is ReviewStatus.APPROVED and extraction is not None
        if not approved:
            append_event(
                session,
                actor=reviewer,
                action="review.resume_refused",
                document_id=document_id,
                data={"reason": "no approved review task for this document", "task_id": task.id if task else None},
            )
    if task is None or extraction is None or not approved:
        return document_result(document_id)
    try:
        kind = extraction.kind.value
        if kind is Kind.INVOICE:
            close_document(document_id, "recorded")
        elif kind not in (Kind.RFQ, Kind.PO):
            close_document(document_id, "not_request")
        else:
            quote = price_quote(extraction, rt.company, rt.pricing, on or local_today(rt.settings))
            held = _hold_reasons(extraction, quote, reviewer_role, task.required_role)
            if held:
                role = strictest(task.required_role, quote.approval.required_role if quote.approval else None)
                queue_for_review(document_id, Decision(route=Route.REVIEW, reasons=held, required_role=role))
            else:
                issue_quote(document_id, quote, actor=reviewer)
    except Exception as exc:
        get_run_logger().exception("resuming document %s failed", document_id)
        close_document(document_id, "failed", f"{type(exc).__name__}: {exc}")
    return document_result(document_id)

"""The queue (oldest first, why each document waits, customer, total, age) and the aliases reviewers taught."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from review import decisions
from review.auth import require_csrf, require_user
from review.rendering import flash_message, render, services_of
from review.services import ReviewServices
from schemas.extraction import Extraction
from store import aliases, audit, documents, review
from store.db import session_scope
from store.models import DocumentRow, ReviewTaskRow

router = APIRouter(dependencies=[Depends(require_user), Depends(require_csrf)])
RECENT_DECISIONS = 15
DECISION_ACTIONS = {"review.approved": "승인 Approved", "review.rejected": "반려 Rejected"}


@dataclass
class QueueRow:
    document_id: int
    title: str
    sender: str
    kind: str | None
    customer: str
    customer_known: bool
    total: int | None
    priced_lines: int
    unpriced: int
    currency: str
    reasons: list[str]
    required_role: str
    waiting_since: datetime


@dataclass
class RecentDecision:
    document_id: int
    title: str
    at: datetime
    actor: str
    decision: str
    reason: str
    status: str


def _customer(services: ReviewServices, extraction: Extraction | None) -> tuple[str, bool]:
    if extraction is None:
        return "—", False
    customer = services.company.customer(extraction.customer_id.value) if extraction.customer_id.value else None
    if customer is not None:
        return customer.name, True
    return extraction.customer_name.value or "—", False


def _queue_row(
    services: ReviewServices, task: ReviewTaskRow, document: DocumentRow, extraction: Extraction | None
) -> QueueRow:
    case = decisions.Case(document=document, task=task, extraction=extraction, quote_row=None)
    evaluation = decisions.evaluate(services, case, extraction) if extraction is not None else None
    quote = evaluation.quote if evaluation else None
    customer, known = _customer(services, extraction)
    return QueueRow(
        document_id=document.id,
        title=document.subject or document.source_name,
        sender=document.sender or document.channel.value,
        kind=extraction.kind.value.value if extraction else None,
        customer=customer,
        customer_known=known,
        total=quote.total if quote else None,
        priced_lines=len(quote.lines) if quote else 0,
        unpriced=len(quote.unpriced) if quote else 0,
        currency=quote.currency if quote else services.company.seller.currency,
        reasons=list(task.reasons),
        required_role=evaluation.required_role if evaluation else task.required_role,
        waiting_since=task.created_at,
    )


@router.get("/", response_class=HTMLResponse)
def queue_page(request: Request, done: int | None = None, decision: str | None = None) -> Response:
    services = services_of(request)
    with session_scope(services.engine) as db:
        waiting = [
            (task, documents.require_document(db, task.document_id), documents.latest_extraction(db, task.document_id))
            for task in review.open_review_tasks(db)
        ]
        events = [e for e in reversed(audit.list_events(db, limit=500)) if e.action in DECISION_ACTIONS]
        recent = []
        for event in events[:RECENT_DECISIONS]:
            document = documents.get_document(db, event.document_id) if event.document_id else None
            if document is not None:
                recent.append(
                    RecentDecision(
                        document_id=document.id,
                        title=document.subject or document.source_name,
                        at=event.at,
                        actor=event.actor,
                        decision=DECISION_ACTIONS[event.action],
                        reason=str(event.data.get("reason") or ""),
                        status=document.status.value,
                    )
                )
    rows = [_queue_row(services, task, document, extraction) for task, document, extraction in waiting]
    flash = flash_message(done, decision)
    return render(request, "queue.html", {"rows": rows, "recent": recent, "flash": flash, "nav": "queue"})


@router.get("/aliases", response_class=HTMLResponse)
def aliases_page(request: Request) -> Response:
    services = services_of(request)
    with session_scope(services.engine) as db:
        learnt = aliases.load_learnt_aliases(db)
    company = services.company
    sku_rows = [(text, sku, item.name if (item := company.item(sku)) else "?") for text, sku in learnt.sku.items()]
    customer_rows = [
        (text, cid, customer.name if (customer := company.customer(cid)) else "?")
        for text, cid in learnt.customer.items()
    ]
    return render(request, "aliases.html", {"sku_rows": sku_rows, "customer_rows": customer_rows, "nav": "aliases"})

"""What a reviewer's save, approve and reject do to the store: corrections, learnt aliases, the task, the audit log.

HTTP stays in the routes; every rule about who may decide what lives here, server-side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from review.editing import FieldChange, ReviewEdits, apply_edits, parse_edits
from review.roles import may_act_as, role_label, strictest
from review.services import ReviewServices
from schemas.extraction import Extraction, Kind
from schemas.quote import PricedQuote
from schemas.review import ReviewStatus
from store import aliases, documents, quotes, review
from store.audit import append_event
from store.db import session_scope
from store.errors import NotFoundError
from store.models import AliasKind, DocumentRow, DocumentStatus, QuoteRow, ReviewTaskRow

QUOTED_KINDS = frozenset({Kind.RFQ, Kind.PO})


class DecisionRefused(Exception):
    """The decision cannot be taken as asked; `messages` say why (Korean first), `status_code` for HTTP."""

    def __init__(self, messages: list[str], status_code: int = 422):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.status_code = status_code


@dataclass
class Case:
    """One document as the review app sees it, read in one transaction."""

    document: DocumentRow
    task: ReviewTaskRow | None
    extraction: Extraction | None
    quote_row: QuoteRow | None

    @property
    def is_open(self) -> bool:
        return self.task is not None and self.task.status is ReviewStatus.OPEN


def load_case(services: ReviewServices, document_id: int) -> Case:
    with session_scope(services.engine) as db:
        document = documents.get_document(db, document_id)
        if document is None:
            raise NotFoundError(f"document {document_id} does not exist")
        return Case(
            document=document,
            task=review.latest_review_task(db, document_id),
            extraction=documents.latest_extraction(db, document_id),
            quote_row=quotes.get_quote_for_document(db, document_id),
        )


@dataclass
class Evaluation:
    """An extraction (as stored, or with the reviewer's edits) priced, with what stands in approval's way."""

    extraction: Extraction
    quote: PricedQuote | None
    required_role: str
    blockers: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    edits: ReviewEdits | None = None

    def may_approve(self, role: str) -> bool:
        return not self.blockers and may_act_as(role, self.required_role)


def evaluate(
    services: ReviewServices,
    case: Case,
    extraction: Extraction,
    edits: ReviewEdits | None = None,
    changes: list[FieldChange] | None = None,
) -> Evaluation:
    """Price the extraction the way the pipeline would, and list what stops it from being approved."""
    blockers: list[str] = []
    quote = None
    if extraction.kind.value in QUOTED_KINDS:
        if extraction.customer_id.value is None:
            blockers.append("고객을 선택하세요 / Choose the customer")
        if not extraction.items:
            blockers.append("품목이 없습니다 / The request has no lines")
        if extraction.customer_id.value is not None and extraction.items:
            quote = services.reprice(extraction)
            blockers += [
                f"가격 미정 / Not priced: {line.description or line.sku or '?'} ({line.reason})"
                for line in quote.unpriced
            ]
    task_role = case.task.required_role if case.task is not None else None
    band_role = quote.approval.required_role if quote is not None and quote.approval is not None else None
    return Evaluation(extraction, quote, strictest(task_role, band_role), blockers, changes or [], edits)


def evaluate_form(services: ReviewServices, case: Case, form: Mapping[str, str], reviewer: str) -> Evaluation:
    """The reviewer's edits applied and priced; raises editing.EditError when the form has mistakes."""
    if case.extraction is None:
        raise DecisionRefused(["이 문서에는 추출 결과가 없습니다 / This document has no extraction to review"], 409)
    edits = parse_edits(form, services.company, case.extraction)
    corrected, changes = apply_edits(case.extraction, edits, services.company, reviewer)
    return evaluate(services, case, corrected, edits, changes)


def _learn(db: Session, base: Extraction, edits: ReviewEdits, reviewer: str, document_id: int) -> int:
    """Aliases the reviewer asked to remember: the document's own words for a customer or an item."""
    taught: list[tuple[AliasKind, str, str]] = []
    customer_text = base.customer_name.value
    if edits.remember_customer and edits.customer_id and customer_text and customer_text.strip():
        taught.append((AliasKind.CUSTOMER, customer_text, edits.customer_id))
    for line in edits.lines:
        text = base.items[line.origin].description.value if line.origin is not None else line.description
        if line.remember and line.sku and text and text.strip():
            taught.append((AliasKind.SKU, text, line.sku))
    for kind, text, target in taught:
        aliases.add_learnt_alias(db, kind, text, target, created_by=reviewer)
        append_event(
            db,
            actor=reviewer,
            action="alias.learnt",
            document_id=document_id,
            data={"kind": kind.value, "alias": text, "target": target},
        )
    return len(taught)


def _record_corrections(db: Session, case: Case, evaluation: Evaluation, reviewer: str) -> int:
    document_id = case.document.id
    if evaluation.changes:
        documents.save_extraction(db, document_id, evaluation.extraction, actor=reviewer)
        for change in evaluation.changes:
            append_event(
                db,
                actor=reviewer,
                action="review.field_corrected",
                document_id=document_id,
                data={"task_id": case.task.id if case.task else None, **change.model_dump()},
            )
    if evaluation.edits is None or case.extraction is None:
        return 0
    return _learn(db, case.extraction, evaluation.edits, reviewer, document_id)


def _require_open(case: Case) -> ReviewTaskRow:
    if case.task is None or case.task.status is not ReviewStatus.OPEN:
        who = f" ({case.task.decided_by})" if case.task is not None and case.task.decided_by else ""
        raise DecisionRefused([f"이미 처리된 문서입니다{who} / This document was already decided{who}"], 409)
    return case.task


def save(services: ReviewServices, case: Case, evaluation: Evaluation, reviewer: str) -> tuple[int, int]:
    """Keep the corrections without deciding; returns (fields changed, aliases learnt)."""
    _require_open(case)
    with session_scope(services.engine) as db:
        learnt = _record_corrections(db, case, evaluation, reviewer)
    return len(evaluation.changes), learnt


def approve(
    services: ReviewServices, case: Case, evaluation: Evaluation, reviewer: str, role: str, reason: str
) -> None:
    """Record the corrections and the approval in one transaction, then let the pipeline continue.

    The role is checked against the band of the quote as edited, not as extracted: raising a quantity
    can move a quote into a band that needs an approver.
    """
    task = _require_open(case)
    if evaluation.blockers:
        raise DecisionRefused(evaluation.blockers)
    if not may_act_as(role, evaluation.required_role):
        with session_scope(services.engine) as db:
            append_event(
                db,
                actor=reviewer,
                action="review.approval_refused",
                document_id=case.document.id,
                data={"task_id": task.id, "role": role, "required_role": evaluation.required_role},
            )
        raise DecisionRefused(
            [
                f"{role_label(evaluation.required_role)} 이상만 승인할 수 있습니다 / "
                f"Only {evaluation.required_role} or above may approve this quote (you are {role})"
            ],
            403,
        )
    quote = evaluation.quote
    with session_scope(services.engine) as db:
        _record_corrections(db, case, evaluation, reviewer)
        review.decide_review_task(db, task.id, ReviewStatus.APPROVED, decided_by=reviewer, reason=reason or None)
        append_event(
            db,
            actor=reviewer,
            action="review.approved",
            document_id=case.document.id,
            data={
                "task_id": task.id,
                "role": role,
                "required_role": evaluation.required_role,
                "reason": reason or None,
                "fields_corrected": len(evaluation.changes),
                "band": quote.approval.band_id if quote is not None and quote.approval is not None else None,
                "total": quote.total if quote is not None else None,
            },
        )
    services.resume(case.document.id, reviewer)


def reject(services: ReviewServices, case: Case, reviewer: str, reason: str) -> None:
    task = _require_open(case)
    if not reason.strip():
        raise DecisionRefused(["반려 사유를 입력하세요 / Give a reason for rejecting"])
    with session_scope(services.engine) as db:
        review.decide_review_task(db, task.id, ReviewStatus.REJECTED, decided_by=reviewer, reason=reason.strip())
        documents.set_status(db, case.document.id, DocumentStatus.REJECTED)
        append_event(
            db,
            actor=reviewer,
            action="review.rejected",
            document_id=case.document.id,
            data={"task_id": task.id, "reason": reason.strip()},
        )

"""Review tasks: documents held for a person, oldest first; each task is decided exactly once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from schemas.review import ReviewStatus
from store.documents import require_document
from store.errors import ConflictError, NotFoundError
from store.models import ReviewTaskRow, utcnow


def create_review_task(
    session: Session, document_id: int, reasons: Sequence[str], required_role: str = "reviewer"
) -> ReviewTaskRow:
    require_document(session, document_id)
    task = ReviewTaskRow(document_id=document_id, reasons=list(reasons), required_role=required_role)
    session.add(task)
    session.flush()
    return task


def get_review_task(session: Session, task_id: int) -> ReviewTaskRow | None:
    return session.get(ReviewTaskRow, task_id)


def latest_review_task(session: Session, document_id: int) -> ReviewTaskRow | None:
    query = select(ReviewTaskRow).where(ReviewTaskRow.document_id == document_id).order_by(ReviewTaskRow.id.desc())
    return session.scalars(query.limit(1)).first()


def open_review_tasks(
    session: Session, *, roles: Iterable[str] | None = None, limit: int | None = None
) -> Sequence[ReviewTaskRow]:
    """Open tasks, oldest first; with `roles`, only those requiring one of them."""
    query = select(ReviewTaskRow).where(ReviewTaskRow.status == ReviewStatus.OPEN)
    if roles is not None:
        query = query.where(ReviewTaskRow.required_role.in_(list(roles)))
    return session.scalars(query.order_by(ReviewTaskRow.created_at, ReviewTaskRow.id).limit(limit)).all()


def decide_review_task(
    session: Session,
    task_id: int,
    status: ReviewStatus | str,
    *,
    decided_by: str,
    reason: str | None = None,
) -> ReviewTaskRow:
    """Approve or reject an open task. Two people deciding at once: the first wins, the second gets ConflictError."""
    decision = ReviewStatus(status)
    if decision is ReviewStatus.OPEN:
        raise ValueError("a decision is approved or rejected, not open")
    # A conditional UPDATE, so the check and the change are one step even across processes.
    result = session.execute(
        update(ReviewTaskRow)
        .where(ReviewTaskRow.id == task_id, ReviewTaskRow.status == ReviewStatus.OPEN)
        .values(status=decision, decided_at=utcnow(), decided_by=decided_by, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    task = session.get(ReviewTaskRow, task_id, populate_existing=True)
    if task is None:
        raise NotFoundError(f"review task {task_id} does not exist")
    if result.rowcount != 1:
        raise ConflictError(f"review task {task_id} was already {task.status.value} by {task.decided_by}")
    return task

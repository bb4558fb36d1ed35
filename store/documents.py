"""Documents (one row per distinct input), their text and their extractions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.envelope import Envelope
from schemas.extraction import Extraction
from schemas.text import DocumentText
from store.errors import NotFoundError
from store.models import DocumentRow, DocumentStatus, ExtractionRow
from store.upsert import insert_for


def get_document(session: Session, document_id: int) -> DocumentRow | None:
    return session.get(DocumentRow, document_id)


def require_document(session: Session, document_id: int) -> DocumentRow:
    document = session.get(DocumentRow, document_id)
    if document is None:
        raise NotFoundError(f"document {document_id} does not exist")
    return document


def get_document_by_sha(session: Session, sha256: str) -> DocumentRow | None:
    return session.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).one_or_none()


def create_document(
    session: Session,
    envelope: Envelope,
    *,
    batch: str | None = None,
    status: DocumentStatus | str = DocumentStatus.RECEIVED,
) -> tuple[DocumentRow, bool]:
    """The document for this input, and whether this call created it.

    Race-safe: when several processes record the same bytes at once, exactly one row exists afterwards
    and exactly one caller gets `created=True` (INSERT ... ON CONFLICT DO NOTHING on the unique sha256).
    """
    values = {
        "sha256": envelope.sha256,
        "channel": envelope.channel,
        "source_name": envelope.source_name,
        "sender": envelope.sender,
        "subject": envelope.subject,
        "received_at": envelope.received_at,
        "message_id": envelope.message_id,
        "status": DocumentStatus(status),
        "envelope_data": envelope.model_dump(mode="json"),
        "batch": batch,
    }
    insert = insert_for(session, DocumentRow).values(values).on_conflict_do_nothing(index_elements=["sha256"])
    new_id = session.execute(insert.returning(DocumentRow.id)).scalar_one_or_none()
    if new_id is not None:
        return require_document(session, new_id), True
    existing = get_document_by_sha(session, envelope.sha256)
    if existing is None:
        raise NotFoundError(f"document {envelope.sha256} conflicted on insert but cannot be read")
    return existing, False


def get_status(session: Session, document_id: int) -> DocumentStatus:
    return require_document(session, document_id).status


def set_status(
    session: Session,
    document_id: int,
    status: DocumentStatus | str,
    *,
    error: str | None = None,
) -> DocumentRow:
    """Move a document to `status`; `error` replaces the previous one (None clears it)."""
    document = require_document(session, document_id)
    document.status = DocumentStatus(status)
    document.error = error
    session.flush()
    return document


def list_documents(
    session: Session,
    *,
    status: DocumentStatus | str | None = None,
    batch: str | None = None,
    limit: int | None = None,
) -> Sequence[DocumentRow]:
    """Documents oldest first, optionally only those in one status or batch."""
    query = select(DocumentRow).order_by(DocumentRow.id)
    if status is not None:
        query = query.where(DocumentRow.status == DocumentStatus(status))
    if batch is not None:
        query = query.where(DocumentRow.batch == batch)
    return session.scalars(query.limit(limit)).all()


def count_by_status(session: Session) -> dict[DocumentStatus, int]:
    rows = session.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status))
    return {status: count for status, count in rows.tuples()}


def get_envelope(session: Session, document_id: int) -> Envelope:
    """The recorded envelope; part bytes are not in it (load them from the blob store by sha256)."""
    return require_document(session, document_id).envelope


def save_text(session: Session, document_id: int, text: DocumentText) -> None:
    require_document(session, document_id).text_data = text.model_dump(mode="json")
    session.flush()


def get_text(session: Session, document_id: int) -> DocumentText | None:
    return require_document(session, document_id).text


def save_extraction(session: Session, document_id: int, extraction: Extraction, *, actor: str) -> ExtractionRow:
    """Keep a new extraction (the machine's, or a reviewer's edit); it becomes the latest.

    Also copies kind and customer onto the document, where queue and report queries look for them.
    """
    document = require_document(session, document_id)
    row = ExtractionRow(
        document_id=document_id,
        actor=actor,
        extractor=extraction.extractor,
        data=extraction.model_dump(mode="json"),
    )
    session.add(row)
    document.kind = extraction.kind.value
    document.customer_id = extraction.customer_id.value
    session.flush()
    return row


def latest_extraction(session: Session, document_id: int) -> Extraction | None:
    query = (
        select(ExtractionRow.data)
        .where(ExtractionRow.document_id == document_id)
        .order_by(ExtractionRow.id.desc())
        .limit(1)
    )
    data = session.scalars(query).first()
    return Extraction.model_validate(data) if data is not None else None

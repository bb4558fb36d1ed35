"""Documents as received, what was extracted from them, and the review tasks that hold them for a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schemas.envelope import Channel, Envelope
from schemas.extraction import Extraction, Kind
from schemas.review import ReviewStatus, ReviewTask
from schemas.text import DocumentText
from store.models.base import Base, JsonPayload, UTCDateTime, text_enum, utcnow


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    EXTRACTED = "extracted"
    REVIEW = "review"
    QUOTED = "quoted"
    RECORDED = "recorded"
    NOT_REQUEST = "not_request"
    FAILED = "failed"
    REJECTED = "rejected"


class DocumentRow(Base):
    """One distinct input (a mail, a PDF, a scan), identified by the sha256 of its raw bytes."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[Channel] = mapped_column(text_enum(Channel, "document_channel"))
    source_name: Mapped[str] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(Text, index=True)
    status: Mapped[DocumentStatus] = mapped_column(
        text_enum(DocumentStatus, "document_status"), default=DocumentStatus.RECEIVED, index=True
    )
    error: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[Kind | None] = mapped_column(text_enum(Kind, "document_kind"))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    envelope_data: Mapped[dict[str, Any]] = mapped_column("envelope_json", JsonPayload)
    text_data: Mapped[dict[str, Any] | None] = mapped_column("text_json", JsonPayload)
    batch: Mapped[str | None] = mapped_column(Text, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def envelope(self) -> Envelope:
        """The envelope without part bytes (those live in the blob store, by sha256)."""
        return Envelope.model_validate(self.envelope_data)

    @property
    def text(self) -> DocumentText | None:
        return DocumentText.model_validate(self.text_data) if self.text_data is not None else None


class ExtractionRow(Base):
    """Every extraction of a document is kept (machine, then reviewer edits); the newest one counts."""

    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(Text)
    extractor: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column("data_json", JsonPayload)

    @property
    def extraction(self) -> Extraction:
        return Extraction.model_validate(self.data)


class ReviewTaskRow(Base):
    __tablename__ = "review_tasks"
    __table_args__ = (Index("ix_review_tasks_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    reasons: Mapped[list[str]] = mapped_column("reasons_json", JsonPayload)
    required_role: Mapped[str] = mapped_column(String(32))
    status: Mapped[ReviewStatus] = mapped_column(
        text_enum(ReviewStatus, "review_status"), default=ReviewStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    def to_schema(self) -> ReviewTask:
        return ReviewTask(
            id=self.id,
            document_id=self.document_id,
            reasons=list(self.reasons),
            required_role=self.required_role,
            status=self.status,
            created_at=self.created_at,
            decided_at=self.decided_at,
            decided_by=self.decided_by,
            decision_reason=self.decision_reason,
        )

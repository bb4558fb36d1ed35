"""The append-only, hash-chained audit log (UPDATE and DELETE are refused by triggers from the migration)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schemas.audit import AuditEvent
from store.models.base import Base, UTCDateTime


class AuditEventRow(Base):
    __tablename__ = "audit_events"

    # Assigned by store.audit.append_event as head + 1, so the log has no gaps to explain.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # Plain JSON (not JSONB) on PostgreSQL too: the payload is hashed and must come back exactly as written.
    data: Mapped[dict[str, Any]] = mapped_column("data_json", JSON)
    # Unique: two events claiming the same predecessor would be a fork in the chain.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def to_schema(self) -> AuditEvent:
        return AuditEvent(
            seq=self.seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            document_id=self.document_id,
            data=self.data,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )

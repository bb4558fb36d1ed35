"""Mail seen on an IMAP server, remembered by mailbox + UIDVALIDITY + UID so it is never taken twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UTCDateTime, text_enum, utcnow


class MailState(StrEnum):
    RECORDED = "recorded"
    MOVED = "moved"
    SKIPPED = "skipped"


class MailMessageRow(Base):
    __tablename__ = "mail_messages"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(Text)
    # IMAP UIDs and UIDVALIDITY are unsigned 32-bit: they do not fit a signed INTEGER.
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    state: Mapped[MailState] = mapped_column(text_enum(MailState, "mail_state"), default=MailState.RECORDED)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

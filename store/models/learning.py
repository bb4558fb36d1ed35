"""What the system keeps to do better next time: aliases reviewers taught it and cached LLM answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, JsonPayload, UTCDateTime, text_enum, utcnow


class AliasKind(StrEnum):
    SKU = "sku"
    CUSTOMER = "customer"


class LearntAliasRow(Base):
    __tablename__ = "learnt_aliases"
    __table_args__ = (UniqueConstraint("kind", "alias_norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AliasKind] = mapped_column(text_enum(AliasKind, "alias_kind"))
    alias_norm: Mapped[str] = mapped_column(Text)
    alias_text: Mapped[str] = mapped_column(Text)
    target_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LlmCacheRow(Base):
    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    model: Mapped[str] = mapped_column(Text)
    prompt_sha256: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column("response_json", JsonPayload)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

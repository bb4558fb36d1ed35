"""Raw input as it arrived: the bytes are kept in the blob store, addressed by sha256."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Channel(StrEnum):
    FILE = "file"
    IMAP = "imap"
    DROP = "drop"
    FORM = "form"


PartRole = Literal["body_text", "body_html", "attachment", "file"]


class Part(BaseModel):
    """One body or attachment of a mail, or the single part of a plain file."""

    name: str
    content_type: str
    role: PartRole
    sha256: str
    size: int
    alternative_to: str | None = Field(
        default=None, description="name of the part this one renders again (multipart/alternative): read one of them"
    )
    data: bytes | None = Field(default=None, exclude=True, repr=False, description="loaded on demand from blobs")


class Envelope(BaseModel):
    channel: Channel
    sha256: str = Field(description="sha256 of the raw input (the whole .eml, PDF or image)")
    source_name: str = Field(description="file name, or the mail's subject when there is none")
    size: int
    sender: str | None = None
    sender_name: str | None = None
    subject: str | None = None
    received_at: datetime
    message_id: str | None = None
    references: list[str] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="what could not be parsed, per part")

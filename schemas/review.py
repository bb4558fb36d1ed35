"""Decisions about a document and the review tasks that hold documents for a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Route(StrEnum):
    AUTO = "auto"
    REVIEW = "review"
    NOT_REQUEST = "not_request"
    FAILED = "failed"


class Decision(BaseModel):
    route: Route
    reasons: list[str] = Field(default_factory=list)
    required_role: str = "reviewer"


class ReviewStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewTask(BaseModel):
    id: int | None = None
    document_id: int
    reasons: list[str]
    required_role: str = "reviewer"
    status: ReviewStatus = ReviewStatus.OPEN
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None

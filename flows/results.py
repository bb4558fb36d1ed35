"""What `intake run` reports per input: the contract of `intake run --json` (DESIGN.md)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from schemas.fields import Quantity
from schemas.quote import AppliedRule

RunStatus = Literal["quoted", "review", "not_request", "failed", "rejected", "recorded"]


class ResultItem(BaseModel):
    sku: str | None
    quantity: Quantity | None
    unit_price: int | None = None
    amount: int | None = None
    description: str | None = None
    rules: list[AppliedRule] = Field(default_factory=list)


class DocumentResult(BaseModel):
    file: str
    status: RunStatus
    error: str | None = None
    document_id: int | None = None
    kind: str | None = None
    customer_id: str | None = None
    items: list[ResultItem] = Field(default_factory=list)
    subtotal: int | None = None
    vat: int | None = None
    total: int | None = None
    quote_number: str | None = None
    quote_pdf: str | None = None
    reasons: list[str] = Field(default_factory=list, description="why it went to review / failed")
    extractor: str | None = None
    already_processed: bool = Field(default=False, description="the same bytes were processed before")



def failure_reason(error: str | None, file: str) -> str:
    """A failed file's reason for a line that already names the file.

    A file's own part is named after the file, so its document's error starts with that name (`broken.pdf: corrupt
    PDF …`); a mail's part names (`order.pdf: …` inside `mail.eml`) say which attachment failed and stay.
    """
    return (error or "failed (no reason recorded)").removeprefix(f"{PurePosixPath(file).name}: ")

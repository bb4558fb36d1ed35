"""A value extracted from a document, with how sure we are and where it came from."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, PlainSerializer

T = TypeVar("T")

FieldSource = Literal["rules", "llm", "both", "reviewer", "none"]


def _number_json(value: Decimal) -> int | float:
    """Whole quantities print as integers in JSON (`12`, not `"12"` or `12.0`)."""
    return int(value) if value == value.to_integral_value() else float(value)


Quantity = Annotated[Decimal, PlainSerializer(_number_json, return_type=int | float, when_used="json")]
"""A quantity or an amount as stated in a document (invoices may say 1.5 hours or 12.50 EUR)."""


class Evidence(BaseModel):
    """Where a value was read: the part, the page, the text span and (for PDFs and scans) its box."""

    part: str
    page: int | None = None
    text: str
    start: int | None = Field(default=None, description="character offset of the span in the part's text")
    end: int | None = None
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="x0, top, x1, bottom in the page's own coordinates"
    )
    ocr_confidence: float | None = Field(default=None, ge=0, le=1)


class ExtractedField(BaseModel, Generic[T]):
    """One extracted value; `confidence` in [0, 1] combines everything known about it."""

    value: T
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(default_factory=list)
    source: FieldSource = "rules"
    notes: list[str] = Field(default_factory=list, description="why the confidence is what it is")


class ValidatorResult(BaseModel):
    """The outcome of one deterministic check (quantity > 0, totals add up, business number checksum)."""

    name: str
    ok: bool
    message: str = ""
    field: str | None = Field(default=None, description="dotted path of the field checked, e.g. items.2.quantity")

"""What was understood from a document: its kind, the customer, the line items, invoice totals."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from schemas.fields import ExtractedField, Quantity, ValidatorResult


class Kind(StrEnum):
    RFQ = "rfq"
    PO = "po"
    INVOICE = "invoice"
    OTHER = "other"


class LineItem(BaseModel):
    description: ExtractedField[str]
    sku: ExtractedField[str | None]
    quantity: ExtractedField[Quantity | None]
    unit: ExtractedField[str | None] | None = None
    unit_price: ExtractedField[Quantity | None] | None = Field(
        default=None, description="the price the document states (invoices); never used to price a quote"
    )
    amount: ExtractedField[Quantity | None] | None = None


class InvoiceHeader(BaseModel):
    """Invoice-only fields. `supplier` issued the invoice; `buyer` received it."""

    supplier: ExtractedField[str | None]
    buyer: ExtractedField[str | None]
    number: ExtractedField[str | None]
    date: ExtractedField[date | None]
    currency: ExtractedField[str | None]
    net: ExtractedField[Quantity | None]
    tax: ExtractedField[Quantity | None]
    gross: ExtractedField[Quantity | None]


class LLMUsage(BaseModel):
    model: str
    prompt_sha256: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    cached: bool = False


class Extraction(BaseModel):
    kind: ExtractedField[Kind]
    customer_id: ExtractedField[str | None]
    customer_name: ExtractedField[str | None] = Field(description="the customer as the document names it")
    items: list[LineItem] = Field(default_factory=list)
    invoice: InvoiceHeader | None = None
    validators: list[ValidatorResult] = Field(default_factory=list)
    extractor: str = Field(description='"rules", "llm+rules", or "rules (llm off)"')
    llm: LLMUsage | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def failed_validators(self) -> list[ValidatorResult]:
        return [v for v in self.validators if not v.ok]

    def field_confidences(self) -> dict[str, float]:
        """Every field's confidence by dotted path: what the decision step compares with thresholds."""
        out: dict[str, float] = {"kind": self.kind.confidence, "customer_id": self.customer_id.confidence}
        for i, item in enumerate(self.items):
            out[f"items.{i}.sku"] = item.sku.confidence
            out[f"items.{i}.quantity"] = item.quantity.confidence
            for name in ("unit_price", "amount"):
                priced: ExtractedField[Quantity | None] | None = getattr(item, name)
                if priced is not None and priced.value is not None:
                    out[f"items.{i}.{name}"] = priced.confidence
        if self.invoice is not None:
            for name in InvoiceHeader.model_fields:
                header_field: ExtractedField[Any] = getattr(self.invoice, name)
                if header_field.value is not None:
                    out[f"invoice.{name}"] = header_field.confidence
        return out

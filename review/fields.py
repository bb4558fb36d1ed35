"""The extracted fields as the document page shows them: value, confidence, its colour, and why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from schemas.extraction import Extraction
from schemas.fields import ExtractedField, ValidatorResult
from schemas.settings import Settings

# Below the threshold but within this margin the field is amber; further below it is red.
MEDIUM_MARGIN = 0.2

ConfidenceLevel = Literal["high", "medium", "low", "reviewer"]


@dataclass
class FieldView:
    path: str
    value: str
    confidence: float
    level: ConfidenceLevel
    notes: list[str]
    evidence: list[str]

    @property
    def needs_attention(self) -> bool:
        return self.level in {"medium", "low"}


@dataclass
class LineView:
    origin: int
    description: FieldView
    sku: FieldView
    quantity: FieldView
    unit: str


@dataclass
class FieldsView:
    kind: FieldView
    customer: FieldView
    customer_name: FieldView
    lines: list[LineView]
    invoice: list[FieldView]
    failed_checks: list[ValidatorResult]
    extractor: str


def display_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(getattr(value, "value", value))


def confidence_level(extracted: ExtractedField, threshold: float) -> ConfidenceLevel:
    if extracted.source == "reviewer":
        return "reviewer"
    if extracted.confidence >= threshold:
        return "high"
    return "medium" if extracted.confidence >= threshold - MEDIUM_MARGIN else "low"


def field_view(path: str, extracted: ExtractedField, threshold: float) -> FieldView:
    return FieldView(
        path=path,
        value=display_value(extracted.value),
        confidence=extracted.confidence,
        level=confidence_level(extracted, threshold),
        notes=list(extracted.notes),
        evidence=[ev.text for ev in extracted.evidence if ev.text],
    )


def fields_view(extraction: Extraction, settings: Settings) -> FieldsView:
    lines = [
        LineView(
            origin=index,
            description=field_view(f"items.{index}.description", item.description, settings.threshold_sku),
            sku=field_view(f"items.{index}.sku", item.sku, settings.threshold_sku),
            quantity=field_view(f"items.{index}.quantity", item.quantity, settings.threshold_quantity),
            unit=display_value(item.unit.value) if item.unit else "",
        )
        for index, item in enumerate(extraction.items)
    ]
    invoice: list[FieldView] = []
    if extraction.invoice is not None:
        invoice = [
            field_view(f"invoice.{name}", getattr(extraction.invoice, name), settings.threshold_invoice)
            for name in ("supplier", "buyer", "number", "date", "currency", "net", "tax", "gross")
        ]
    return FieldsView(
        kind=field_view("kind", extraction.kind, settings.threshold_kind),
        customer=field_view("customer_id", extraction.customer_id, settings.threshold_customer),
        customer_name=field_view("customer_name", extraction.customer_name, settings.threshold_customer),
        lines=lines,
        invoice=invoice,
        failed_checks=extraction.failed_validators,
        extractor=extraction.extractor,
    )

"""Route a document: straight through, to a person (with every reason and the role needed), or aside.

A document goes straight through only when every field clears its threshold, no validator failed, every
line was priced, and no approval band applies. Reasons are written for the person who will look at it.
"""

from __future__ import annotations

from typing import Any

from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import ExtractedField
from schemas.quote import PricedQuote
from schemas.review import Decision, Route
from schemas.settings import Settings

REVIEWER_ROLE = "reviewer"
_INVOICE_REQUIRED = ("supplier", "number", "date", "gross")
_INVOICE_OPTIONAL = ("buyer", "currency", "net", "tax")


def decide(extraction: Extraction, quote: PricedQuote | None, settings: Settings) -> Decision:
    kind = extraction.kind
    if kind.value == Kind.OTHER:
        if kind.confidence >= settings.threshold_kind:
            return Decision(route=Route.NOT_REQUEST, reasons=["not a request for quotation, an order or an invoice"])
        return Decision(route=Route.REVIEW, reasons=[_low("document kind 'other'", kind, settings.threshold_kind)])
    reasons = []
    if kind.confidence < settings.threshold_kind:
        reasons.append(_low(f"document kind '{kind.value}'", kind, settings.threshold_kind))
    reasons += [
        f"check '{check.name}' failed" + (f" on {check.field}" if check.field else "") + f": {check.message}"
        for check in extraction.failed_validators
    ]
    if kind.value == Kind.INVOICE:
        # Invoices are recorded, not quoted: only what was read decides.
        reasons += _invoice_reasons(extraction, settings)
        return _decision(reasons, REVIEWER_ROLE)
    reasons += _request_reasons(extraction, settings)
    reasons += _quote_reasons(extraction, quote)
    role = quote.approval.required_role if quote and quote.approval else REVIEWER_ROLE
    return _decision(reasons, role)


def _decision(reasons: list[str], role: str) -> Decision:
    unique = list(dict.fromkeys(reasons))
    if not unique:
        return Decision(route=Route.AUTO)
    return Decision(route=Route.REVIEW, reasons=unique, required_role=role)


def _low(what: str, field: ExtractedField[Any], threshold: float) -> str:
    return f"{what}: confidence {field.confidence:.2f} is below {threshold:.2f}"


def _line(index: int, item: LineItem) -> str:
    description = item.description.value.strip().replace("\n", " ")
    if len(description) > 40:
        description = description[:39] + "…"
    return f"line {index + 1} ('{description}')"


def _request_reasons(extraction: Extraction, settings: Settings) -> list[str]:
    reasons = []
    customer = extraction.customer_id
    if customer.value is None:
        named = extraction.customer_name.value
        reasons.append("no customer identified" + (f" (the document names '{named}')" if named else ""))
    elif customer.confidence < settings.threshold_customer:
        reasons.append(_low(f"customer {customer.value}", customer, settings.threshold_customer))
    if not extraction.items:
        reasons.append("no line items")
    for index, item in enumerate(extraction.items):
        line = _line(index, item)
        if item.sku.value is None:
            reasons.append(f"{line}: no catalog SKU matched")
        elif item.sku.confidence < settings.threshold_sku:
            reasons.append(_low(f"{line}: SKU {item.sku.value}", item.sku, settings.threshold_sku))
        if item.quantity.value is None:
            reasons.append(f"{line}: no quantity")
        elif item.quantity.confidence < settings.threshold_quantity:
            reasons.append(_low(f"{line}: quantity {item.quantity.value}", item.quantity, settings.threshold_quantity))
    return reasons


def _quote_reasons(extraction: Extraction, quote: PricedQuote | None) -> list[str]:
    if quote is None:
        return ["no quote was priced"] if extraction.customer_id.value is not None else []
    reasons = []
    for unpriced in quote.unpriced:
        item = extraction.items[unpriced.item_index] if unpriced.item_index < len(extraction.items) else None
        # Missing SKUs and quantities were already named above; this adds what only pricing knows.
        if item is None or (item.sku.value is not None and item.quantity.value is not None):
            where = _line(unpriced.item_index, item) if item else f"line {unpriced.item_index + 1}"
            reasons.append(f"{where}: could not be priced: {unpriced.reason}")
    reasons += quote.warnings
    if quote.approval is not None:
        band = quote.approval
        reasons.append(f"approval band '{band.name}' ({band.band_id}) needs the {band.required_role}: {band.reason}")
    return reasons


def _invoice_reasons(extraction: Extraction, settings: Settings) -> list[str]:
    header = extraction.invoice
    if header is None:
        return ["no invoice header (supplier, number, date, totals) was read"]
    reasons = []
    for name in (*_INVOICE_REQUIRED, *_INVOICE_OPTIONAL):
        field: ExtractedField[Any] = getattr(header, name)
        if field.value is None:
            if name in _INVOICE_REQUIRED:
                reasons.append(f"invoice {name} is missing")
        elif field.confidence < settings.threshold_invoice:
            reasons.append(_low(f"invoice {name} {field.value}", field, settings.threshold_invoice))
    for index, item in enumerate(extraction.items):
        quantity = item.quantity
        if quantity.value is not None and quantity.confidence < settings.threshold_quantity:
            reasons.append(
                _low(f"{_line(index, item)}: quantity {quantity.value}", quantity, settings.threshold_quantity)
            )
    return reasons

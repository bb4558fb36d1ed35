"""A reviewer's corrections: parsed from the form, checked against the company, applied to the extraction.

Form keys: `kind`, `customer_id`, `remember_customer`, and per line row `line-N-origin` (index of the
extracted item the row shows; empty for a row the reviewer added), `line-N-description`, `line-N-sku`,
`line-N-quantity`, `line-N-remember`. A row missing from the form is a line the reviewer removed.
The live price preview posts the same keys as JSON, so both go through `parse_edits`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel

from schemas.company import CompanyConfig
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import ExtractedField, ValidatorResult

_LINE_KEY = re.compile(r"^line-(\d+)-(origin|description|sku|quantity|remember)$")
MAX_QUANTITY = Decimal("1000000000")
TRUE_VALUES = frozenset({"on", "true", "1", "yes"})


class EditedLine(BaseModel):
    origin: int | None
    description: str
    sku: str | None
    quantity: Decimal | None
    remember: bool = False


class ReviewEdits(BaseModel):
    kind: Kind
    customer_id: str | None
    remember_customer: bool = False
    lines: list[EditedLine]


class FieldChange(BaseModel):
    """One corrected value, as the audit log records it."""

    field: str
    old: str | None
    new: str | None


class EditError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _parse_quantity(raw: str, label: str, errors: list[str]) -> Decimal | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(f"{label}: 수량은 숫자여야 합니다 / quantity must be a number ('{raw}')")
        return None
    if not value.is_finite() or value <= 0 or value > MAX_QUANTITY:
        errors.append(f"{label}: 수량은 0보다 커야 합니다 / quantity must be more than 0 ('{raw}')")
        return None
    return value


def _catalog_sku(raw: str, company: CompanyConfig) -> str | None:
    wanted = raw.strip().casefold()
    return next((item.sku for item in company.catalog if item.sku.casefold() == wanted), None)


def parse_edits(form: Mapping[str, str], company: CompanyConfig, base: Extraction) -> ReviewEdits:
    """The edits in a submitted form; raises EditError listing every problem (in Korean and English)."""
    errors: list[str] = []
    try:
        kind = Kind(str(form.get("kind", base.kind.value.value)))
    except ValueError:
        errors.append(f"문서 종류가 올바르지 않습니다 / unknown kind '{form.get('kind')}'")
        kind = base.kind.value
    customer_id = str(form.get("customer_id", "")).strip() or None
    if customer_id is not None and company.customer(customer_id) is None:
        errors.append(f"고객 코드가 없습니다 / unknown customer '{customer_id}'")

    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        match = _LINE_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = str(value)
    lines: list[EditedLine] = []
    seen_origins: set[int] = set()
    for row_number in sorted(rows):
        row = rows[row_number]
        label = f"{len(lines) + 1}행 line {len(lines) + 1}"
        origin_text = row.get("origin", "").strip()
        origin = int(origin_text) if origin_text.isdigit() else None
        if origin is not None and (origin >= len(base.items) or origin in seen_origins):
            errors.append(f"{label}: 잘못된 행입니다 / unknown line {origin_text}")
            continue
        raw_sku = row.get("sku", "").strip()
        sku = _catalog_sku(raw_sku, company) if raw_sku else None
        if raw_sku and sku is None:
            errors.append(f"{label}: 카탈로그에 없는 품목코드 / SKU not in the catalog '{raw_sku}'")
        quantity = _parse_quantity(row.get("quantity", ""), label, errors)
        description = row.get("description", "").strip()
        if origin is None and not (raw_sku or description or row.get("quantity", "").strip()):
            continue  # an added row the reviewer left empty
        if origin is None and not raw_sku:
            errors.append(f"{label}: 추가한 행에 품목코드를 입력하세요 / enter a SKU for the added line")
        if origin is not None:
            seen_origins.add(origin)
        remember = row.get("remember", "").lower() in TRUE_VALUES
        lines.append(EditedLine(origin=origin, description=description, sku=sku, quantity=quantity, remember=remember))
    if errors:
        raise EditError(errors)
    remember_customer = str(form.get("remember_customer", "")).lower() in TRUE_VALUES
    return ReviewEdits(kind=kind, customer_id=customer_id, remember_customer=remember_customer, lines=lines)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(getattr(value, "value", value))


def _corrected(field: ExtractedField, value: object, reviewer: str) -> ExtractedField:
    """The reviewer's value keeps the evidence of what it replaces: that is where the document says it."""
    note = f"corrected by {reviewer}: was {_text(field.value)}"
    return field.model_copy(update={"value": value, "confidence": 1.0, "source": "reviewer", "notes": [note]})


def _reviewer_field(value: object, reviewer: str) -> ExtractedField:
    return ExtractedField(value=value, confidence=1.0, source="reviewer", notes=[f"added by {reviewer}"])


def _line_summary(item: LineItem) -> str:
    return f"{item.sku.value or '?'} × {_text(item.quantity.value) or '?'}"


def apply_edits(
    base: Extraction, edits: ReviewEdits, company: CompanyConfig, reviewer: str
) -> tuple[Extraction, list[FieldChange]]:
    """The corrected extraction and the list of what changed; unchanged fields keep their machine confidence."""
    changes: list[FieldChange] = []
    kind = base.kind
    if edits.kind != base.kind.value:
        changes.append(FieldChange(field="kind", old=_text(base.kind.value), new=edits.kind.value))
        kind = _corrected(base.kind, edits.kind, reviewer)
    customer = base.customer_id
    if edits.customer_id != base.customer_id.value:
        changes.append(FieldChange(field="customer_id", old=base.customer_id.value, new=edits.customer_id))
        customer = _corrected(base.customer_id, edits.customer_id, reviewer)

    items: list[LineItem] = []
    for line in edits.lines:
        if line.origin is None:
            catalog_item = company.item(line.sku) if line.sku else None
            description = line.description or (catalog_item.name if catalog_item else "")
            item = LineItem(
                description=_reviewer_field(description, reviewer),
                sku=_reviewer_field(line.sku, reviewer),
                quantity=_reviewer_field(line.quantity, reviewer),
                unit=_reviewer_field(catalog_item.unit, reviewer) if catalog_item else None,
            )
            changes.append(FieldChange(field=f"items.new.{len(items)}", old=None, new=_line_summary(item)))
            items.append(item)
            continue
        item = base.items[line.origin]
        updates: dict[str, ExtractedField] = {}
        if line.sku != item.sku.value:
            changes.append(FieldChange(field=f"items.{line.origin}.sku", old=item.sku.value, new=line.sku))
            updates["sku"] = _corrected(item.sku, line.sku, reviewer)
        if line.quantity != item.quantity.value:
            changes.append(
                FieldChange(
                    field=f"items.{line.origin}.quantity", old=_text(item.quantity.value), new=_text(line.quantity)
                )
            )
            updates["quantity"] = _corrected(item.quantity, line.quantity, reviewer)
        items.append(item.model_copy(update=updates))
    kept = {line.origin for line in edits.lines}
    for index, item in enumerate(base.items):
        if index not in kept:
            changes.append(FieldChange(field=f"items.{index}", old=_line_summary(item), new=None))

    # The machine's checks on line items name positions that the edits may have moved; the reviewer's
    # judgement replaces them. Checks on the document itself (an unreadable attachment) stay.
    validators: list[ValidatorResult] = [v for v in base.validators if not (v.field or "").startswith("items.")]
    if not changes:
        return base, []
    corrected = base.model_copy(
        update={
            "kind": kind,
            "customer_id": customer,
            "items": items,
            "validators": validators,
            "extractor": base.extractor if base.extractor.endswith("+reviewer") else f"{base.extractor}+reviewer",
        }
    )
    return corrected, changes

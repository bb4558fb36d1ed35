"""Deterministic checks on an extraction: quantities, units, catalog membership, duplicates, business numbers.

Each check reports its failures one by one (with the field they concern) and, when nothing failed, one
passing result, so a reviewer sees what was checked. The checks take any Extraction, so the merged
LLM+rules result can be checked again the same way. (Invoice totals are checked in extractors.invoice.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extractors.matching import BusinessNumber
from extractors.quantities import COUNTABLE_UNITS, normalize_unit
from schemas.company import CompanyConfig
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import ValidatorResult
from schemas.masking import mask_text
from schemas.text import DocumentText

Check = Callable[[Extraction, CompanyConfig], list[ValidatorResult]]


def run_validators(
    extraction: Extraction,
    company: CompanyConfig,
    text: DocumentText | None = None,
    business_numbers: Sequence[BusinessNumber] = (),
) -> list[ValidatorResult]:
    results: list[ValidatorResult] = []
    for check in _INVOICE_CHECKS if extraction.kind.value is Kind.INVOICE else _REQUEST_CHECKS:
        results.extend(check(extraction, company))
    results.extend(business_no_checksum(business_numbers))
    if text is not None:
        results.extend(parts_complete(text))
    return results


def _outcome(name: str, failures: list[ValidatorResult], passed: str) -> list[ValidatorResult]:
    return failures or [ValidatorResult(name=name, ok=True, message=passed)]


def _check_items(
    name: str, field: str, passed: str, extraction: Extraction, problem: Callable[[int, LineItem], str | None]
) -> list[ValidatorResult]:
    """One failure per line whose `problem` is not None, pointing at that line's `field`."""
    failures = [
        ValidatorResult(name=name, ok=False, message=message, field=f"items.{i}.{field}")
        for i, item in enumerate(extraction.items)
        if (message := problem(i, item)) is not None
    ]
    return _outcome(name, failures, passed)


def items_present(extraction: Extraction, _company: CompanyConfig) -> list[ValidatorResult]:
    if extraction.kind.value in (Kind.RFQ, Kind.PO) and not extraction.items:
        return [
            ValidatorResult(name="items_present", ok=False, message="a request without any line item", field="items")
        ]
    return [ValidatorResult(name="items_present", ok=True, message=f"{len(extraction.items)} item(s)")]


def quantity_positive(extraction: Extraction, _company: CompanyConfig) -> list[ValidatorResult]:
    def problem(_i: int, item: LineItem) -> str | None:
        quantity = item.quantity.value
        if quantity is None:
            return "no quantity found"
        return f"quantity {quantity} is not more than zero" if quantity <= 0 else None

    return _check_items("quantity_positive", "quantity", "every quantity is more than zero", extraction, problem)


def quantity_whole(extraction: Extraction, company: CompanyConfig) -> list[ValidatorResult]:
    """Pieces, boxes and sets come whole; metres, litres and kilograms need not."""

    def problem(_i: int, item: LineItem) -> str | None:
        quantity = item.quantity.value
        if quantity is None or quantity == quantity.to_integral_value():
            return None
        unit = item.unit.value if item.unit and item.unit.value else None
        catalog_item = company.item(item.sku.value) if item.sku.value else None
        unit = unit or (normalize_unit(catalog_item.unit) if catalog_item else None)
        if unit is None or unit in COUNTABLE_UNITS:
            return f"quantity {quantity} is not a whole number of {unit or 'pieces'}"
        return None

    return _check_items("quantity_whole", "quantity", "counted quantities are whole numbers", extraction, problem)


def sku_known(extraction: Extraction, company: CompanyConfig) -> list[ValidatorResult]:
    def problem(_i: int, item: LineItem) -> str | None:
        sku = item.sku.value
        if sku is None:
            return f"'{item.description.value}' is not matched to a catalog item"
        return f"SKU {sku} is not in the catalog" if company.item(sku) is None else None

    return _check_items("sku_known", "sku", "every item is in the catalog", extraction, problem)


def unit_matches_catalog(extraction: Extraction, company: CompanyConfig) -> list[ValidatorResult]:
    """2 boxes of something sold per piece cannot be priced without knowing what a box holds."""

    def problem(_i: int, item: LineItem) -> str | None:
        catalog_item = company.item(item.sku.value) if item.sku.value else None
        stated = item.unit.value if item.unit else None
        if catalog_item is None or stated is None:
            return None
        expected = normalize_unit(catalog_item.unit)
        if normalize_unit(stated) == expected:
            return None
        return f"{catalog_item.sku} is sold per {expected}; the document asks in {stated}"

    return _check_items("unit_matches_catalog", "unit", "units match the catalog", extraction, problem)


def duplicate_lines(extraction: Extraction, _company: CompanyConfig) -> list[ValidatorResult]:
    first_line: dict[str, int] = {}

    def problem(i: int, item: LineItem) -> str | None:
        sku = item.sku.value
        if sku is None:
            return None
        if sku in first_line:
            return f"{sku} appears on lines {first_line[sku] + 1} and {i + 1}"
        first_line[sku] = i
        return None

    return _check_items("duplicate_lines", "sku", "no item appears twice", extraction, problem)


def business_no_checksum(numbers: Sequence[BusinessNumber]) -> list[ValidatorResult]:
    """A 사업자등록번호 with a wrong check digit is a typo or a fake; either way a person should look."""
    results = []
    for number in {n.formatted: n for n in numbers}.values():
        masked = mask_text(number.formatted)
        results.append(
            ValidatorResult(
                name="business_no_checksum",
                ok=number.valid,
                message=f"{masked}: check digit {'matches' if number.valid else 'does not match'}",
                field="customer_id",
            )
        )
    return results


def parts_complete(text: DocumentText) -> list[ValidatorResult]:
    """A part read only in part (some PDF pages without text and no OCR) may hide items."""
    return [
        ValidatorResult(name="part_complete", ok=False, message=f"{p.part}: {p.error}", field=p.part)
        for p in text.parts
        if p.status == "ok" and p.error
    ]


_REQUEST_CHECKS = (items_present, quantity_positive, quantity_whole, sku_known, unit_matches_catalog, duplicate_lines)
# A supplier's invoice lists what the supplier sells, in its units (hours, litres, 1.5 kg): our catalog does not
# describe it. Its lines are checked by their own arithmetic and totals (extractors.invoice_checks) instead.
_INVOICE_CHECKS = (items_present, quantity_positive)

"""What the item readers (lines and tables) share: a reading of one item, field types and how sure a unit is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.rules_lines import SourceLine
from schemas.extraction import LineItem
from schemas.fields import Evidence, ExtractedField, Quantity

# The schema's own parametrisations: a field built as one of these is not validated again inside LineItem.
TextField = ExtractedField[str]
MaybeText = ExtractedField[str | None]
QuantityField = ExtractedField[Quantity | None]

STATED_UNIT = 0.95
CATALOG_UNIT = 0.75
# Two boxes of an item sold per piece cannot be priced without knowing what a box holds.
UNIT_MISMATCH = 0.6
LETTER = re.compile(r"[A-Za-z가-힣]")
# Money, dates, phone numbers, amounts with thousands separators and a leading row number: never part of
# an item's name, so blanked before matching.
NOISE = re.compile(
    r"(?:₩|\$|krw|usd)\s*[\d,.]+|[\d,.]+\s*(?:원|krw|won|usd|달러)|\d{4}[-./]\d{1,2}[-./]\d{1,2}|"
    r"\d{1,2}월\s*\d{1,2}일|\d{2,3}-\d{3,4}-\d{4}|@\s*[\d,.]+|(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])|"
    r"^\s*\d{1,3}[.)]?(?=\s+\S)",
    re.I,
)


@dataclass
class Reading:
    """One item as read from one place (a line, a table row), before sources are reconciled."""

    item: LineItem
    part: str
    has_quantity: bool
    lines: list[SourceLine] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, Decimal | None]:
        return (self.item.sku.value, self.item.quantity.value)


def unit_mismatch(stated: str | None, catalog_unit: str | None) -> str | None:
    """The note to make when the document counts in another unit than the catalog sells in."""
    if stated and catalog_unit and stated != catalog_unit:
        return f"stated in {stated}; the catalog sells it per {catalog_unit}"
    return None


def unit_field(stated: str | None, evidence: list[Evidence], catalog_unit: str | None) -> MaybeText:
    """The unit as stated, else the catalog's (less sure), else none."""
    if stated:
        return MaybeText(value=stated, confidence=STATED_UNIT, evidence=evidence)
    if catalog_unit:
        return MaybeText(value=catalog_unit, confidence=CATALOG_UNIT, notes=["unit not stated; the catalog's unit"])
    return MaybeText(value=None, confidence=0.0, notes=["unit not stated"])

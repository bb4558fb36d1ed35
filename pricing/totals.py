"""Step 8 of the evaluation order (pricing.engine): VAT, and the document rounding of step 6.

VAT is computed once on the document, not per line. With prices excluding VAT the lines add up to the
subtotal (공급가액) and VAT is added; with prices including VAT the lines add up to the total and the
subtotal is the total without its VAT. Rounding per document rounds the total to the unit and records
the difference as the 단수 조정 (`rounding_adjustment`); rounding per line has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pricing.money import ONE, round_half_up
from pricing.schema import Rounding


@dataclass(frozen=True)
class Totals:
    subtotal: int
    vat: int
    total: int
    rounding_adjustment: int


def compute_totals(line_amounts: list[int], rounding: Rounding, vat_rate: Decimal, prices_include_vat: bool) -> Totals:
    """Invariants: total == subtotal + vat, and sum(lines) + rounding_adjustment is the subtotal
    (prices without VAT) or the total (prices with VAT)."""
    lines = sum(line_amounts)
    unit = rounding.unit if rounding.per == "document" else 1
    gross_factor = ONE + vat_rate
    if prices_include_vat:
        total = round_half_up(Decimal(lines), unit)
        subtotal = round_half_up(total / gross_factor)
        adjustment = total - lines
    else:
        total = round_half_up(lines * gross_factor, unit)
        subtotal = round_half_up(total / gross_factor)
        # With unit 1 this is always 0; with 10 or 100 the supply value moves by at most half a unit.
        adjustment = subtotal - lines
    return Totals(subtotal=subtotal, vat=total - subtotal, total=total, rounding_adjustment=adjustment)

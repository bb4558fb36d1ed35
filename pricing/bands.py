"""Step 9 of the evaluation order (pricing.engine): approval bands. The strictest band that matches sets the role a
person must have to let the quote out (owner > approver > reviewer; ties by band id)."""

from __future__ import annotations

from decimal import Decimal

from pricing.money import discount_percent, format_money, format_percent
from pricing.schema import ROLE_RANK, ApprovalBandRule
from schemas.quote import ApprovalBand, PricedLine


def line_discount_percent(line: PricedLine) -> Decimal:
    """How far a paid line is below its list price, in percent."""
    return discount_percent(line.list_price * line.quantity, Decimal(line.amount))


def approval_band(
    bands: list[ApprovalBandRule], lines: list[PricedLine], total: int, currency: str
) -> ApprovalBand | None:
    matches = []
    for band in bands:
        reasons = _reasons(band, lines, total, currency)
        if reasons:
            matches.append((band, reasons))
    if not matches:
        return None
    band, reasons = min(matches, key=lambda match: (-ROLE_RANK[match[0].role], match[0].id))
    return ApprovalBand(band_id=band.id, name=band.name, required_role=band.role, reason="; ".join(reasons))


def _reasons(band: ApprovalBandRule, lines: list[PricedLine], total: int, currency: str) -> list[str]:
    reasons = []
    if band.min_total is not None and total >= band.min_total:
        reasons.append(f"total {format_money(total, currency)} ≥ {format_money(band.min_total, currency)}")
    if band.min_line_discount_percent is not None:
        # Free goods are promotions on top of the order, not a discount a person negotiated.
        paid = [(number, line) for number, line in enumerate(lines, start=1) if not line.free]
        steepest = max(paid, key=lambda pair: line_discount_percent(pair[1]), default=None)
        if steepest is not None:
            number, line = steepest
            percent = line_discount_percent(line)
            if percent >= band.min_line_discount_percent:
                shown = format_percent(percent.quantize(Decimal("0.1")))
                reasons.append(
                    f"line {number} ({line.sku}) discount {shown} ≥ {format_percent(band.min_line_discount_percent)}"
                )
    return reasons

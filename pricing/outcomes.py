"""What a rule does to a line: the exact line amount after it, and the effect in the customer's words.

Amounts stay exact `Decimal`s here; rounding happens once, after the max-discount clamp (engine step 6).
Money in a rule is stated like the default list (with or without VAT) and restated for the quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pricing.money import VatModes, format_money, format_percent, format_quantity, percent_off, round_half_up
from pricing.schema import FreeItem, Rule, TierBand, Tiers
from pricing.trace import LineContext


@dataclass(frozen=True)
class Effect:
    amount: Decimal
    text: str
    graduated: bool = False


@dataclass(frozen=True)
class FreeGift:
    sku: str
    quantity: Decimal
    text: str


def price_effect(rule: Rule, amount: Decimal, ctx: LineContext, modes: VatModes) -> Effect:
    """The line amount after `rule`, applied to the line as priced so far (`amount`)."""
    unit_before = amount / ctx.quantity
    if rule.unit_price is not None:
        price = modes.to_quote(Decimal(rule.unit_price))
        return Effect(price * ctx.quantity, f"특별 단가 {_money(price, ctx)}")
    if rule.discount_percent is not None:
        return Effect(percent_off(amount, rule.discount_percent), f"{format_percent(rule.discount_percent)} 할인")
    if rule.discount_amount is not None:
        off = modes.to_quote(Decimal(rule.discount_amount))
        return Effect(amount - off * ctx.quantity, f"{ctx.unit}당 {_money(off, ctx)} 할인")
    if rule.tiers is not None:
        if rule.tiers.mode == "whole_line":
            return _whole_line(rule.tiers, unit_before, ctx, modes)
        return _graduated(rule.tiers, unit_before, ctx, modes)
    raise ValueError(f"rule {rule.id} does not set a price (outcome: {rule.outcome})")


def free_gift(free: FreeItem, ctx: LineContext, free_unit: str) -> FreeGift:
    """For every `free.per` units on the line, `free.qty` units of the free SKU."""
    sku = free.sku_for(ctx.sku)
    count = (ctx.quantity // free.per) * free.qty
    what = "" if sku == ctx.sku else f"{sku} "
    text = f"{free.per}{ctx.unit} 구매당 {what}{free.qty}{free_unit} 무료 증정"
    return FreeGift(sku, count, text)


def _band_price(band: TierBand, unit_before: Decimal, modes: VatModes) -> Decimal:
    if band.unit_price is not None:
        return modes.to_quote(Decimal(band.unit_price))
    return percent_off(unit_before, band.discount_percent or Decimal(0))


def _whole_line(tiers: Tiers, unit_before: Decimal, ctx: LineContext, modes: VatModes) -> Effect:
    # Beyond the last tier the line keeps the last tier's price (ERPNext reverts to the list price;
    # a rule that must stop at some quantity says so with when.max_qty).
    band = [b for b in tiers.bands if b.min_qty <= ctx.quantity][-1]
    price = _band_price(band, unit_before, modes)
    reached = f"{format_quantity(band.min_qty)}{ctx.unit} 이상"
    if band.unit_price is not None:
        return Effect(price * ctx.quantity, f"{reached} 단가 {_money(price, ctx)}")
    return Effect(price * ctx.quantity, f"{reached} {format_percent(band.discount_percent or Decimal(0))} 할인")


def _graduated(tiers: Tiers, unit_before: Decimal, ctx: LineContext, modes: VatModes) -> Effect:
    """Each quantity band at its own price: units (lo, hi] of the line cost that band's price."""
    qty = ctx.quantity
    # A tier starting at the 100th unit covers the units after the first 99.
    starts = [max(band.min_qty - 1, Decimal(0)) for band in tiers.bands]
    segments: list[tuple[Decimal, Decimal, Decimal]] = []
    if starts[0] > 0:
        segments.append((Decimal(0), min(qty, starts[0]), unit_before))
    for index, band in enumerate(tiers.bands):
        low = starts[index]
        if qty <= low:
            break
        high = min(qty, starts[index + 1]) if index + 1 < len(starts) else qty
        segments.append((low, high, _band_price(band, unit_before, modes)))
    amount = sum(((high - low) * price for low, high, price in segments), Decimal(0))
    parts = [f"{_range(low, high, ctx.unit)} {_money(price, ctx)}" for low, high, price in segments]
    return Effect(amount, "구간 단가: " + ", ".join(parts), graduated=True)


def _range(low: Decimal, high: Decimal, unit: str) -> str:
    first = low + 1
    if first >= high:
        return f"{format_quantity(high)}{unit}"
    return f"{format_quantity(first)}–{format_quantity(high)}{unit}"


def _money(value: Decimal, ctx: LineContext) -> str:
    return format_money(round_half_up(value), ctx.currency)

"""Explain one price: the list it comes from, every rule considered and why it applied or not, the result.

The explanation runs the engine itself (pricing.engine.price_requests) and reads its trace, so it cannot
disagree with the price a quote would get.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from pricing.bands import line_discount_percent
from pricing.engine import LineRequest, price_requests
from pricing.money import format_money, format_percent, format_quantity
from pricing.schema import PricingRules
from pricing.trace import ROUNDING_RULE_ID, RuleVerdict
from schemas.company import CompanyConfig
from schemas.fields import Quantity
from schemas.quote import ApprovalBand, PricedLine

_MARKS = {"applied": "✓", "not_applicable": "·", "outranked": "✗", "no_effect": "–"}
_STATUS_WORDS = {
    "applied": "applied",
    "not_applicable": "does not apply",
    "outranked": "outranked",
    "no_effect": "no effect",
}


class ExplainError(ValueError):
    """The question cannot be answered (unknown SKU or customer, quantity not positive)."""


class PriceExplanation(BaseModel):
    customer_id: str | None
    customer_name: str | None
    customer_group: str | None
    sku: str
    item_name: str
    unit: str
    quantity: Quantity
    price_date: date
    currency: str
    price_list_id: str
    price_list_name: str
    catalog_price: int
    list_price: int
    prices_include_vat: bool
    max_discount_percent: Decimal
    max_discount_source: str
    rules: list[RuleVerdict]
    line: PricedLine
    free_lines: list[PricedLine]
    subtotal: int
    vat_rate: Decimal
    vat: int
    total: int
    rounding_adjustment: int
    approval: ApprovalBand | None
    rules_version: str


def explain_price(
    company: CompanyConfig, rules: PricingRules, customer_id: str | None, sku: str, quantity: Decimal, on: date
) -> PriceExplanation:
    item = company.item(sku)
    if item is None:
        raise ExplainError(f"SKU {sku} is not in catalog.csv")
    customer = company.customer(customer_id) if customer_id else None
    if customer_id and customer is None:
        raise ExplainError(f"customer {customer_id} is not in customers.csv")
    if quantity <= 0:
        raise ExplainError(f"quantity must be positive (got {quantity})")
    result = price_requests([LineRequest(0, sku, quantity)], customer_id, company, rules, on)
    quote, line_result = result.quote, result.line_results[0]
    return PriceExplanation(
        customer_id=customer_id,
        customer_name=customer.name if customer else None,
        customer_group=(customer.group or None) if customer else None,
        sku=sku,
        item_name=item.name,
        unit=item.unit,
        quantity=quantity,
        price_date=on,
        currency=quote.currency,
        price_list_id=result.price_list_id,
        price_list_name=result.price_list_name,
        catalog_price=item.unit_price,
        list_price=line_result.line.list_price,
        prices_include_vat=quote.prices_include_vat,
        max_discount_percent=line_result.max_discount_percent,
        max_discount_source=line_result.max_discount_source,
        rules=line_result.verdicts,
        line=line_result.line,
        free_lines=line_result.free_lines,
        subtotal=quote.subtotal,
        vat_rate=quote.vat_rate,
        vat=quote.vat,
        total=quote.total,
        rounding_adjustment=quote.rounding_adjustment,
        approval=quote.approval,
        rules_version=quote.rules_version,
    )


def render_explanation(explanation: PriceExplanation) -> str:
    """The explanation as text for a person at a terminal."""
    e = explanation

    def money(amount: int) -> str:
        return format_money(amount, e.currency)

    who = "no customer (default list, rules for everyone)"
    if e.customer_id:
        who = f"{e.customer_id} {e.customer_name}" + (f" [group {e.customer_group}]" if e.customer_group else "")
    vat_mode = "include" if e.prices_include_vat else "exclude"
    cap = (
        "none"
        if e.max_discount_source == "none"
        else f"{format_percent(e.max_discount_percent)} ({e.max_discount_source})"
    )
    out = [
        f"{e.sku} {e.item_name} × {format_quantity(e.quantity)} {e.unit}",
        f"customer:     {who}",
        f"date:         {e.price_date}",
        f"price list:   {e.price_list_name} (prices {vat_mode} VAT)",
        f"list price:   {money(e.list_price)} / {e.unit} (catalog.csv: {money(e.catalog_price)})",
        f"max discount: {cap}",
        "",
        "rules considered:" if e.rules else "rules considered: none (pricing.yaml has no rules)",
    ]
    for verdict in e.rules:
        after = f" → {money(verdict.unit_price_after)}" if verdict.unit_price_after is not None else ""
        out.append(
            f"  {_MARKS[verdict.status]} {verdict.rule_id} ({verdict.name}): "
            f"{_STATUS_WORDS[verdict.status]}: {verdict.reason}{after}"
        )
    line = e.line
    shown_discount = format_percent(line_discount_percent(line).quantize(Decimal("0.1")))
    out += [
        "",
        f"result:       unit price {money(line.unit_price)}, amount {money(line.amount)}"
        + (f" (discount {money(line.discount)}, {shown_discount})" if line.discount else ""),
    ]
    out += [
        f"rounding:     {applied.effect} → {money(applied.unit_price_after)}"
        for applied in line.rules
        if applied.rule_id == ROUNDING_RULE_ID
    ]
    out += [
        f"free:         {free.sku} {free.name} × {format_quantity(free.quantity)} {free.unit}" for free in e.free_lines
    ]
    vat = f"VAT {format_percent(e.vat_rate * 100)} {money(e.vat)}"
    out.append(f"totals:       subtotal {money(e.subtotal)}, {vat}, total {money(e.total)} (this line alone)")
    if e.rounding_adjustment:
        out.append(f"rounding adjustment (단수 조정): {money(e.rounding_adjustment)}")
    if e.approval:
        out.append(f"approval:     needs the {e.approval.required_role} ({e.approval.name}): {e.approval.reason}")
    return "\n".join(out)

"""Step 2 of the evaluation order: is a rule a candidate for a line (scope, who, dates, conditions)?

`why_not` answers with the first reason a rule does not apply, or None when it does; the engine and
`intake price` use the same answer, so the explanation can never disagree with the price.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pricing.money import VatModes, format_money, format_quantity, round_half_up
from pricing.schema import Rule
from pricing.trace import LineContext

Check = Callable[[Rule, LineContext, VatModes], str | None]


def why_not(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    """None when `rule` is a candidate for the line; otherwise the reason it is not, in words."""
    for check in _CHECKS:
        if reason := check(rule, ctx, modes):
            return reason
    return None


def _scope(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    scope = rule.scope
    if scope.skus and ctx.sku not in scope.skus:
        return f"only for SKU {', '.join(scope.skus)}"
    if scope.groups and not ctx.item_groups.intersection(scope.groups):
        return f"only for item group {', '.join(scope.groups)} ({ctx.sku} is not in it)"
    return None


def _who(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    who = rule.who
    if who.customers and ctx.customer_id not in who.customers:
        return f"only for customer {', '.join(who.customers)}"
    if who.customer_groups and ctx.customer_group not in who.customer_groups:
        group = f"'{ctx.customer_group}'" if ctx.customer_group else "no group"
        return f"only for customer group {', '.join(who.customer_groups)} (the customer has {group})"
    return None


def _dates(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    when = rule.when
    if when.valid_from and ctx.on < when.valid_from:
        return f"not yet valid on {ctx.on} (from {when.valid_from})"
    if when.valid_to and ctx.on > when.valid_to:
        return f"no longer valid on {ctx.on} (ended {when.valid_to})"
    return None


def _quantity(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    when, qty = rule.when, ctx.quantity
    if when.min_qty is not None and qty < when.min_qty:
        return f"quantity {format_quantity(qty)} is below min_qty {format_quantity(when.min_qty)}"
    if when.max_qty is not None and qty > when.max_qty:
        return f"quantity {format_quantity(qty)} is above max_qty {format_quantity(when.max_qty)}"
    if rule.tiers is not None and qty < rule.tiers.bands[0].min_qty:
        return (
            f"quantity {format_quantity(qty)} is below the first tier ({format_quantity(rule.tiers.bands[0].min_qty)})"
        )
    if rule.free_item is not None and qty < rule.free_item.per:
        return f"quantity {format_quantity(qty)} is below {rule.free_item.per}, the quantity that earns a free item"
    return None


def _amounts(rule: Rule, ctx: LineContext, modes: VatModes) -> str | None:
    when = rule.when
    bounds = (
        ("line amount", modes.to_rules(ctx.list_amount), when.min_line_amount, when.max_line_amount, "line_amount"),
        (
            "order amount",
            modes.to_rules(ctx.order_list_amount),
            when.min_order_amount,
            when.max_order_amount,
            "order_amount",
        ),
    )
    for label, value, low, high, key in bounds:
        if low is not None and value < low:
            return f"{label} {_money(value, ctx)} is below min_{key} {_money(Decimal(low), ctx)}"
        if high is not None and value > high:
            return f"{label} {_money(value, ctx)} is above max_{key} {_money(Decimal(high), ctx)}"
    return None


def _money(value: Decimal, ctx: LineContext) -> str:
    return format_money(round_half_up(value), ctx.currency)


_CHECKS: tuple[Check, ...] = (_scope, _who, _dates, _quantity, _amounts)

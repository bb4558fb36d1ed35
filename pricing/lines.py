"""Steps 2–7 of the evaluation order (pricing.engine) for one line: candidates, the best exclusive rule,
stacking, the max-discount clamp, rounding, and the free items the line earns."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pricing.candidates import why_not
from pricing.money import (
    HUNDRED,
    format_money,
    format_percent,
    format_quantity,
    percent_off,
    round_half_up,
    round_up,
)
from pricing.outcomes import Effect, free_gift, price_effect
from pricing.price_book import PriceBook
from pricing.schema import PricingRules, Rule
from pricing.trace import MAX_DISCOUNT_RULE_ID, ROUNDING_RULE_ID, LineContext, RuleVerdict
from schemas.quote import AppliedRule, PricedLine


@dataclass
class LineResult:
    line: PricedLine
    free_lines: list[PricedLine]
    verdicts: list[RuleVerdict]
    max_discount_percent: Decimal
    max_discount_source: str


@dataclass
class _Priced:
    """The line as priced so far: an exact amount and the rules that made it."""

    amount: Decimal
    applied: list[AppliedRule] = field(default_factory=list)
    graduated: bool = False


def rule_rank(rule: Rule) -> tuple[int, int, int, str]:
    """Priority (higher first), then specificity of scope and customer, then id: never file order."""
    return (-rule.priority, -rule.scope.specificity, -rule.who.specificity, rule.id)


def price_line(ctx: LineContext, book: PriceBook, rules: PricingRules, item_index: int | None) -> LineResult:
    item = book.items[ctx.sku]
    verdicts: dict[str, RuleVerdict] = {}
    candidates: list[Rule] = []
    for rule in sorted(rules.rules, key=rule_rank):
        reason = why_not(rule, ctx, book.modes)
        if reason is None:
            candidates.append(rule)
        else:
            verdicts[rule.id] = RuleVerdict(rule_id=rule.id, name=rule.name, status="not_applicable", reason=reason)

    priced = _Priced(ctx.list_amount)
    price_rules = [rule for rule in candidates if not rule.gives_free_items]
    _apply_exclusive([r for r in price_rules if not r.stackable], priced, ctx, book, verdicts)
    _apply_stacking([r for r in price_rules if r.stackable], priced, ctx, book, verdicts)
    cap, source = rules.max_discount_for(ctx.sku)
    _clamp(priced, ctx, cap, source, verdicts)
    unit_price, amount = _round(priced, ctx, cap, rules)
    if priced.applied and unit_price != priced.applied[-1].unit_price_after:
        unit = rules.rounding.unit if rules.rounding.per == "line" else 1
        priced.applied.append(
            AppliedRule(
                rule_id=ROUNDING_RULE_ID,
                name="단가 반올림",
                effect=f"{format_money(unit, ctx.currency)} 단위 반올림",
                unit_price_after=unit_price,
            )
        )
    list_amount = round_half_up(ctx.list_amount)
    line = PricedLine(
        sku=ctx.sku,
        name=item.name,
        unit=item.unit,
        quantity=ctx.quantity,
        list_price=ctx.list_price,
        unit_price=unit_price,
        amount=amount,
        discount=list_amount - amount,
        rules=priced.applied,
        item_index=item_index,
    )
    free_lines = _free_lines([r for r in candidates if r.gives_free_items], ctx, book, verdicts, item_index)
    ordered = [verdicts[rule.id] for rule in sorted(rules.rules, key=rule_rank)]
    ordered += [v for key, v in verdicts.items() if key == MAX_DISCOUNT_RULE_ID]
    return LineResult(line, free_lines, ordered, cap, source)


def _unit_after(amount: Decimal, ctx: LineContext) -> int:
    return round_half_up(amount / ctx.quantity)


def _apply(rule: Rule, effect: Effect, priced: _Priced, ctx: LineContext, verdicts: dict[str, RuleVerdict]) -> None:
    priced.amount = max(effect.amount, Decimal(0))
    priced.graduated = priced.graduated or effect.graduated
    after = _unit_after(priced.amount, ctx)
    priced.applied.append(AppliedRule(rule_id=rule.id, name=rule.name, effect=effect.text, unit_price_after=after))
    verdicts[rule.id] = RuleVerdict(
        rule_id=rule.id, name=rule.name, status="applied", reason=effect.text, unit_price_after=after
    )


def _no_effect(rule: Rule, effect: Effect, before: Decimal, ctx: LineContext) -> RuleVerdict:
    after = format_money(_unit_after(effect.amount, ctx), ctx.currency)
    now = format_money(_unit_after(before, ctx), ctx.currency)
    reason = f"would not lower the price ({effect.text}: {after} ≥ {now})"
    return RuleVerdict(rule_id=rule.id, name=rule.name, status="no_effect", reason=reason)


def _apply_exclusive(
    exclusive: list[Rule], priced: _Priced, ctx: LineContext, book: PriceBook, verdicts: dict[str, RuleVerdict]
) -> None:
    """At most one non-stackable rule: the highest priority, then the most specific, then the lowest price."""
    effects = {rule.id: price_effect(rule, priced.amount, ctx, book.modes) for rule in exclusive}
    lowering = []
    for rule in exclusive:
        if effects[rule.id].amount < priced.amount:
            lowering.append(rule)
        else:
            verdicts[rule.id] = _no_effect(rule, effects[rule.id], priced.amount, ctx)
    if not lowering:
        return
    winner = min(lowering, key=lambda r: (*rule_rank(r)[:3], effects[r.id].amount, r.id))
    for rule in lowering:
        if rule is not winner:
            reason = _outranked_by(winner, rule, effects[winner.id].amount, effects[rule.id].amount)
            verdicts[rule.id] = RuleVerdict(rule_id=rule.id, name=rule.name, status="outranked", reason=reason)
    _apply(winner, effects[winner.id], priced, ctx, verdicts)


def _outranked_by(
    winner: Rule, loser: Rule, winner_amount: Decimal, loser_amount: Decimal, better: str = "a lower price"
) -> str:
    labels = {2: "SKU", 1: "group", 0: "all"}
    if winner.priority != loser.priority:
        why = f"higher priority ({winner.priority} > {loser.priority})"
    elif winner.scope.specificity != loser.scope.specificity:
        why = f"more specific item scope ({labels[winner.scope.specificity]} > {labels[loser.scope.specificity]})"
    elif winner.who.specificity != loser.who.specificity:
        customer_labels = {2: "customer", 1: "customer group", 0: "everyone"}
        why = (
            f"more specific customer scope "
            f"({customer_labels[winner.who.specificity]} > {customer_labels[loser.who.specificity]})"
        )
    elif winner_amount != loser_amount:
        why = f"{better} at equal priority and specificity"
    else:
        why = "the same price; the lower rule id wins the tie"
    return f"not stackable; {winner.id} applies instead: {why}"


def _apply_stacking(
    stacking: list[Rule], priced: _Priced, ctx: LineContext, book: PriceBook, verdicts: dict[str, RuleVerdict]
) -> None:
    """Every stackable rule, on top of the price so far, in rank order (priority, specificity, id)."""
    for rule in sorted(stacking, key=rule_rank):
        effect = price_effect(rule, priced.amount, ctx, book.modes)
        if effect.amount < priced.amount:
            _apply(rule, effect, priced, ctx, verdicts)
        else:
            verdicts[rule.id] = _no_effect(rule, effect, priced.amount, ctx)


def _clamp(priced: _Priced, ctx: LineContext, cap: Decimal, source: str, verdicts: dict[str, RuleVerdict]) -> None:
    floor = percent_off(ctx.list_amount, cap)
    if priced.amount >= floor:
        return
    priced.amount = floor
    after = _unit_after(floor, ctx)
    effect = f"최대 할인 {format_percent(cap)} 한도 적용"
    priced.applied.append(
        AppliedRule(rule_id=MAX_DISCOUNT_RULE_ID, name="최대 할인 한도", effect=effect, unit_price_after=after)
    )
    verdicts[MAX_DISCOUNT_RULE_ID] = RuleVerdict(
        rule_id=MAX_DISCOUNT_RULE_ID,
        name="최대 할인 한도",
        status="applied",
        reason=f"discounts together exceeded the maximum of {format_percent(cap)} ({source}); capped",
        unit_price_after=after,
    )


def _round(priced: _Priced, ctx: LineContext, cap: Decimal, rules: PricingRules) -> tuple[int, int]:
    """(unit price, amount) as integers. Only prices changed by rules are rounded (a list price is kept as
    written); rounding never goes below the max-discount floor nor above the list price."""
    unit = rules.rounding.unit if rules.rounding.per == "line" else 1
    qty = ctx.quantity
    list_amount = round_half_up(ctx.list_amount)
    if priced.amount == ctx.list_amount:
        return ctx.list_price, list_amount
    if priced.graduated:
        # A graduated line has no single unit price: its amount is rounded, the unit price is the average.
        floor = round_up(ctx.list_amount * (HUNDRED - cap) / HUNDRED, unit)
        amount = min(max(round_half_up(priced.amount, unit), floor), list_amount)
        return round_half_up(amount / qty), amount
    floor_unit = round_up(ctx.list_price * (HUNDRED - cap) / HUNDRED, unit)
    unit_price = min(max(round_half_up(priced.amount / qty, unit), floor_unit), ctx.list_price)
    return unit_price, round_half_up(unit_price * qty)


def _free_lines(
    free_rules: list[Rule],
    ctx: LineContext,
    book: PriceBook,
    verdicts: dict[str, RuleVerdict],
    item_index: int | None,
) -> list[PricedLine]:
    """Free-item rules are their own track: the best non-stackable one plus every stackable one."""
    gifts = {
        rule.id: free_gift(rule.free_item, ctx, book.items[rule.free_item.sku_for(ctx.sku)].unit)
        for rule in free_rules
        if rule.free_item
    }
    exclusive = [rule for rule in free_rules if not rule.stackable]
    chosen = [rule for rule in free_rules if rule.stackable]
    if exclusive:
        value = {r.id: gifts[r.id].quantity * book.list_price(gifts[r.id].sku) for r in exclusive}
        winner = min(exclusive, key=lambda r: (*rule_rank(r)[:3], -value[r.id], r.id))
        chosen.append(winner)
        for rule in exclusive:
            if rule is not winner:
                reason = _outranked_by(winner, rule, -value[winner.id], -value[rule.id], "more free goods")
                verdicts[rule.id] = RuleVerdict(rule_id=rule.id, name=rule.name, status="outranked", reason=reason)
    lines = []
    for rule in sorted(chosen, key=rule_rank):
        gift = gifts[rule.id]
        item = book.items[gift.sku]
        list_price = book.list_price(gift.sku)
        applied = AppliedRule(rule_id=rule.id, name=rule.name, effect=gift.text, unit_price_after=0)
        verdicts[rule.id] = RuleVerdict(
            rule_id=rule.id,
            name=rule.name,
            status="applied",
            reason=f"{gift.text}: {gift.sku} × {format_quantity(gift.quantity)}",
        )
        lines.append(
            PricedLine(
                sku=gift.sku,
                name=item.name,
                unit=item.unit,
                quantity=gift.quantity,
                list_price=list_price,
                unit_price=0,
                amount=0,
                discount=round_half_up(list_price * gift.quantity),
                rules=[applied],
                free=True,
                item_index=item_index,
            )
        )
    return lines

"""Property-based tests of the pricing engine (hypothesis, 1,000 examples each, no I/O).

Rule sets are drawn from every rule kind, scope, customer scope, condition, stacking flag, cap,
price list, VAT mode and rounding mode the schema allows, over the tiny test company.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fixtures_pricing import CATALOG, CUSTOMERS, GROUPS, tiny_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.engine import LineRequest, PricingResult, price_requests
from pricing.money import HUNDRED
from pricing.schema import PricingRules
from schemas.quote import PricedQuote

COMPANY = tiny_company()
SKUS = [item.sku for item in CATALOG]
CUSTOMER_IDS = [customer.customer_id for customer in CUSTOMERS]
CUSTOMER_GROUPS = sorted({customer.group for customer in CUSTOMERS if customer.group})
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 12, 31)
PROPERTY_SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Strategies are built once (hypothesis validates each new strategy object) and draw few values:
# hypothesis spends ~50 µs per draw, and each property runs 1,000 examples.
percents = st.integers(min_value=0, max_value=1000).map(lambda tenths: Decimal(tenths) / 10)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
quantities = st.one_of(
    st.integers(min_value=1, max_value=400).map(Decimal),
    st.integers(min_value=1, max_value=500).map(lambda tenths: Decimal(tenths) / 10),
)
money = st.integers(min_value=0, max_value=600_000)
booleans = st.booleans()
SCOPES = st.sampled_from(
    [
        {},
        *({"skus": [sku]} for sku in SKUS),
        {"skus": ["BOLT-8", "OIL"]},
        *({"groups": [group]} for group in sorted(GROUPS)),
        {"groups": sorted(GROUPS)},
    ]
)
WHOS = st.sampled_from(
    [
        {},
        *({"customers": [customer]} for customer in CUSTOMER_IDS),
        {"customers": ["K1", "K2"]},
        *({"customer_groups": [group]} for group in CUSTOMER_GROUPS),
        {"customer_groups": ["vip", "wholesale"]},
    ]
)
CAPS = st.sampled_from(
    [
        {},
        {"groups": {"bolts": Decimal(30)}},
        {"groups": {"bolts": Decimal(25), "small": Decimal("12.5")}},
        {"skus": {"MOTOR": Decimal(5), "NUT-8": Decimal(0)}},
        {"groups": {"small": Decimal(40)}, "skus": {"BOLT-8": Decimal(50)}},
    ]
)
DEFAULT_CAPS = st.sampled_from([None, Decimal(20), Decimal(100)])
CONDITION_KINDS = st.sampled_from(["none", "min_qty", "max_qty", "line_amount", "order_amount", "dates"])
OUTCOMES = st.sampled_from(["unit_price", "discount_percent", "discount_amount", "free_item", "tiers"])
TIER_STARTS = st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=3, unique=True)
TIER_MODES = st.sampled_from(["whole_line", "graduated"])
FREE_SKUS = st.sampled_from([None, *SKUS])
VAT_RATES = st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.10")])
ROUNDING_SCOPES = st.sampled_from(["line", "document"])
ROUNDING_UNITS = st.sampled_from([1, 10, 100])
small = {bound: st.integers(min_value=0, max_value=bound) for bound in (3, 20, 60, 300, 2_000, 50_000, 500_000, 10**6)}


@st.composite
def tier_specs(draw: st.DrawFn) -> dict[str, Any]:
    bands = []
    for start in draw(TIER_STARTS):
        if draw(booleans):
            bands.append({"min_qty": start, "unit_price": draw(money)})
        else:
            bands.append({"min_qty": start, "discount_percent": draw(percents)})
    return {"mode": draw(TIER_MODES), "bands": bands}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(CONDITION_KINDS)
    if kind == "min_qty":
        return {"min_qty": 1 + draw(small[60])}
    if kind == "max_qty":
        return {"max_qty": 1 + draw(small[300])}
    if kind == "line_amount":
        low = draw(small[50_000])
        return {"min_line_amount": low, "max_line_amount": low + draw(small[10**6])}
    if kind == "order_amount":
        low = draw(small[500_000])
        return {"min_order_amount": low, "max_order_amount": low + draw(small[10**6]) * 10}
    if kind == "dates":
        start = draw(days)
        return {"valid_from": start, "valid_to": start + timedelta(days=draw(small[60]))}
    return {}


CONDITIONS = conditions()
TIERS = tier_specs()


@st.composite
def rule_specs(draw: st.DrawFn, rule_id: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": rule_id,
        "name": f"rule {rule_id}",
        "priority": draw(small[3]),
        "scope": draw(SCOPES),
        "who": draw(WHOS),
        "when": draw(CONDITIONS),
    }
    outcome = draw(OUTCOMES)
    if outcome == "unit_price":
        spec["unit_price"] = draw(money)
    elif outcome == "discount_percent":
        spec["discount_percent"] = draw(percents)
    elif outcome == "discount_amount":
        spec["discount_amount"] = draw(small[2_000])
    elif outcome == "free_item":
        spec["free_item"] = {"per": 1 + draw(small[20]), "qty": 1, "sku": draw(FREE_SKUS)}
    else:
        spec["tiers"] = draw(TIERS)
    sets_price = "unit_price" in spec or any("unit_price" in band for band in spec.get("tiers", {}).get("bands", []))
    spec["stackable"] = False if sets_price else draw(booleans)
    return spec


RULE_COUNTS = {bound: st.integers(min_value=0, max_value=bound) for bound in (4, 5)}
RULES = [rule_specs(f"r{index}") for index in range(5)]


@st.composite
def pricing_data(draw: st.DrawFn, max_rules: int = 5) -> dict[str, Any]:
    count = draw(RULE_COUNTS[max_rules])
    caps = {**draw(CAPS), "default": draw(DEFAULT_CAPS)}
    lists: dict[str, Any] = {"default": {"prices_include_vat": draw(booleans)}}
    if draw(booleans):
        lists["wholesale"] = {
            "customer_groups": ["wholesale"],
            "prices_include_vat": draw(booleans),
            "discount_percent": draw(percents),
            "prices": {"NUT-8": 25, "MOTOR": 450_000},
        }
    return {
        "vat_rate": draw(VAT_RATES),
        "rounding": {"per": draw(ROUNDING_SCOPES), "unit": draw(ROUNDING_UNITS)},
        "item_groups": GROUPS,
        "price_lists": lists,
        "max_discount": caps,
        "rules": [draw(RULES[index]) for index in range(count)],
    }


orders = st.lists(st.tuples(st.sampled_from(SKUS), quantities), min_size=1, max_size=3)
customers = st.sampled_from([*CUSTOMER_IDS, None])


def run(data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date) -> PricingResult:
    requests = [LineRequest(index, sku, quantity) for index, (sku, quantity) in enumerate(order)]
    return price_requests(requests, customer, COMPANY, PricingRules.model_validate(data), on)


def quote_of(data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date) -> PricedQuote:
    return run(data, order, customer, on).quote


@PROPERTY_SETTINGS
@given(pricing_data(), orders, customers, days)
def test_total_is_the_sum_of_the_lines_plus_vat(
    data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date
) -> None:
    quote = quote_of(data, order, customer, on)
    lines = sum(line.amount for line in quote.lines)
    assert quote.total == quote.subtotal + quote.vat
    if quote.prices_include_vat:
        assert quote.total == lines + quote.rounding_adjustment
    else:
        assert quote.total == lines + quote.rounding_adjustment + quote.vat
    # VAT is the rate on the supply value, to within the rounding of one won.
    assert abs(quote.vat - quote.subtotal * quote.vat_rate) <= Decimal("0.55") + quote.vat_rate / 2
    unit = data["rounding"]["unit"]
    if data["rounding"]["per"] == "document":
        assert quote.total % unit == 0
        assert abs(quote.rounding_adjustment) * 2 <= unit
    else:
        assert quote.rounding_adjustment == 0


@PROPERTY_SETTINGS
@given(pricing_data(), orders, customers, days)
def test_no_price_is_negative(
    data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date
) -> None:
    quote = quote_of(data, order, customer, on)
    for line in quote.lines:
        assert line.unit_price >= 0 and line.amount >= 0 and line.discount >= 0 and line.list_price >= 0
        assert all(applied.unit_price_after >= 0 for applied in line.rules)
        assert line.unit_price <= line.list_price
    assert quote.subtotal >= 0 and quote.vat >= 0 and quote.total >= 0


@PROPERTY_SETTINGS
@given(pricing_data(), orders, customers, days)
def test_no_discount_exceeds_its_maximum(
    data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date
) -> None:
    rules = PricingRules.model_validate(data)
    quote = quote_of(data, order, customer, on)
    for line in quote.lines:
        if line.free:
            continue
        cap, _ = rules.max_discount_for(line.sku)
        floor = line.list_price * line.quantity * (HUNDRED - cap) / HUNDRED
        # A fractional quantity's amount is rounded to the won once more after its unit price.
        tolerance = Decimal(0) if line.quantity == line.quantity.to_integral_value() else Decimal("0.5")
        assert line.amount >= floor - tolerance, (line, cap)


@PROPERTY_SETTINGS
@given(pricing_data(), orders, customers, days, st.integers(min_value=0, max_value=2**32))
def test_the_order_of_rules_in_the_file_does_not_matter(
    data: dict[str, Any], order: list[tuple[str, Decimal]], customer: str | None, on: date, seed: int
) -> None:
    shuffle = random.Random(seed)
    shuffled = dict(data)
    shuffled["rules"] = shuffle.sample(data["rules"], len(data["rules"]))
    shuffled["price_lists"] = dict(reversed(list(data["price_lists"].items())))
    shuffled["item_groups"] = dict(reversed(list(data["item_groups"].items())))
    for index, rule in enumerate(shuffled["rules"]):
        if "tiers" in rule:
            bands = rule["tiers"]["bands"]
            shuffled["rules"][index] = {**rule, "tiers": {**rule["tiers"], "bands": shuffle.sample(bands, len(bands))}}
    first, second = run(data, order, customer, on), run(shuffled, order, customer, on)
    assert first.quote == second.quote
    assert [r.verdicts for r in first.line_results] == [r.verdicts for r in second.line_results]


@PROPERTY_SETTINGS
@given(pricing_data(max_rules=4), rule_specs("promo"), orders, customers, days, days, st.booleans())
def test_a_date_outside_a_promotion_window_removes_it(
    data: dict[str, Any],
    promo: dict[str, Any],
    order: list[tuple[str, Decimal]],
    customer: str | None,
    start: date,
    on: date,
    before: bool,
) -> None:
    end = start + timedelta(days=30)
    promo["when"] = {**promo["when"], "valid_from": start, "valid_to": end}
    outside = (
        start - timedelta(days=1 + (on - FIRST_DAY).days % 90)
        if before
        else end + timedelta(days=1 + (on - FIRST_DAY).days % 90)
    )
    with_promo = {**data, "rules": [*data["rules"], promo]}
    assert quote_of(with_promo, order, customer, outside) == quote_of(data, order, customer, outside)
    for result in run(with_promo, order, customer, outside).line_results:
        verdict = next(v for v in result.verdicts if v.rule_id == "promo")
        assert verdict.status == "not_applicable"
    inside = start + timedelta(days=(on - FIRST_DAY).days % 31)
    for result in run(with_promo, order, customer, inside).line_results:
        verdict = next(v for v in result.verdicts if v.rule_id == "promo")
        assert "valid" not in verdict.reason

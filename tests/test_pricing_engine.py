"""Table-driven tests of the pricing engine: every rule kind, their combinations, and the tie-breaks.

Catalog of the tiny company: BOLT-8 100, BOLT-10 150, NUT-8 30, MOTOR 500,000, OIL 1,234 (per L).
Customers: K1 vip, K2 and K5 wholesale, K3 retail, K4 no group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fixtures_pricing import GROUPS, extraction, item, price, tiny_company

from pricing.engine import price_quote
from pricing.schema import PricingRules


def rule(rule_id: str, **spec: Any) -> dict[str, Any]:
    return {"id": rule_id, "name": spec.pop("name", f"rule {rule_id}"), **spec}


def tiers(mode: str, *bands: tuple[int, dict[str, int]]) -> dict[str, Any]:
    return {"mode": mode, "bands": [{"min_qty": start, **price_spec} for start, price_spec in bands]}


@dataclass
class Case:
    name: str
    rules: list[dict[str, Any]]
    lines: list[tuple[str, int | str]]
    expect: list[tuple[int, int]]  # (unit_price, amount) per paid line, in order
    applied: list[list[str]]  # rule ids on each paid line, in order of application
    customer: str | None = "K3"
    on: date = date(2026, 6, 15)
    extra: dict[str, Any] = field(default_factory=dict)  # other pricing.yaml sections


BOLT_TIERS = ((10, {"unit_price": 90}), (100, {"unit_price": 80}))

CASES = [
    # -- one rule of each kind
    Case("no rules: list price", [], [("BOLT-8", 10)], [(100, 1000)], [[]]),
    Case("fixed unit price", [rule("fix", unit_price=80)], [("BOLT-8", 10)], [(80, 800)], [["fix"]]),
    Case("percent off", [rule("pct", discount_percent=10)], [("BOLT-8", 10)], [(90, 900)], [["pct"]]),
    Case("fractional percent", [rule("pct", discount_percent="2.5")], [("OIL", 3)], [(1203, 3609)], [["pct"]]),
    Case("amount off each unit", [rule("amt", discount_amount=15)], [("BOLT-8", 10)], [(85, 850)], [["amt"]]),
    Case("amount off never below zero", [rule("amt", discount_amount=500)], [("BOLT-8", 3)], [(0, 0)], [["amt"]]),
    Case("fixed price above list: no effect", [rule("fix", unit_price=120)], [("BOLT-8", 10)], [(100, 1000)], [[]]),
    # -- whole-line tiers: the whole line at the tier reached; beyond the last tier it keeps the last price
    *[
        Case(
            f"whole_line tiers at {qty}",
            [rule("t", tiers=tiers("whole_line", *BOLT_TIERS))],
            [("BOLT-8", qty)],
            [(unit, unit * qty)],
            [ids],
        )
        for qty, unit, ids in ((9, 100, []), (10, 90, ["t"]), (99, 90, ["t"]), (100, 80, ["t"]), (5000, 80, ["t"]))
    ],
    Case(
        "whole_line percent tiers",
        [rule("t", tiers=tiers("whole_line", (50, {"discount_percent": 10})))],
        [("BOLT-10", 60)],
        [(135, 8100)],
        [["t"]],
    ),
    Case(
        "whole_line tiers with max_qty revert to list (ERPNext style, opt-in)",
        [rule("t", tiers=tiers("whole_line", *BOLT_TIERS), when={"max_qty": 500})],
        [("BOLT-8", 501)],
        [(100, 50100)],
        [[]],
    ),
    # -- graduated tiers: units 1-9 at list, 10-99 at 90, 100+ at 80
    *[
        Case(
            f"graduated tiers at {qty}",
            [rule("g", tiers=tiers("graduated", *BOLT_TIERS))],
            [("BOLT-8", qty)],
            [(unit, amount)],
            [ids],
        )
        for qty, unit, amount, ids in (
            (9, 100, 900, []),
            (10, 99, 990, ["g"]),
            (100, 91, 9_080, ["g"]),
            (120, 89, 10_680, ["g"]),
            (1000, 81, 81_080, ["g"]),
        )
    ],
    Case(
        "graduated tiers given out of order in the file",
        [rule("g", tiers=tiers("graduated", (100, {"unit_price": 80}), (10, {"unit_price": 90})))],
        [("BOLT-8", 120)],
        [(89, 10_680)],
        [["g"]],
    ),
    Case(
        "graduated percent tiers",
        [rule("g", tiers=tiers("graduated", (1, {"discount_percent": 0}), (11, {"discount_percent": 50})))],
        [("BOLT-8", 20)],
        [(75, 1500)],
        [["g"]],
    ),
    # -- customer and item scope
    Case(
        "customer group rule for another group",
        [rule("vip", who={"customer_groups": ["vip"]}, discount_percent=10)],
        [("BOLT-8", 10)],
        [(100, 1000)],
        [[]],
    ),
    Case(
        "customer group rule for the customer's group",
        [rule("vip", who={"customer_groups": ["vip"]}, discount_percent=10)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["vip"]],
        customer="K1",
    ),
    Case(
        "customer rule",
        [rule("k4", who={"customers": ["K4"]}, discount_percent=10)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["k4"]],
        customer="K4",
    ),
    Case(
        "no customer: only rules for everyone",
        [rule("k4", who={"customers": ["K4"]}, discount_percent=10), rule("all", discount_percent=5)],
        [("BOLT-8", 10)],
        [(95, 950)],
        [["all"]],
        customer=None,
    ),
    Case(
        "item group by pattern",
        [rule("b", scope={"groups": ["bolts"]}, discount_percent=10)],
        [("BOLT-10", 2), ("NUT-8", 2)],
        [(135, 270), (30, 60)],
        [["b"], []],
    ),
    Case(
        "item group by SKU list",
        [rule("s", scope={"groups": ["small"]}, discount_percent=10)],
        [("BOLT-10", 2), ("NUT-8", 10)],
        [(150, 300), (27, 270)],
        [[], ["s"]],
    ),
    Case(
        "SKU scope",
        [rule("s", scope={"skus": ["NUT-8"]}, discount_percent=10)],
        [("BOLT-8", 1), ("NUT-8", 10)],
        [(100, 100), (27, 270)],
        [[], ["s"]],
    ),
    # -- priority, then specificity, then the lower price, then the id
    Case(
        "higher priority beats a better price",
        [rule("a", discount_percent=20), rule("b", discount_percent=5, priority=5)],
        [("BOLT-8", 10)],
        [(95, 950)],
        [["b"]],
    ),
    Case(
        "equal priority: SKU scope beats all items even at a worse price",
        [rule("all", discount_percent=20), rule("sku", scope={"skus": ["BOLT-8"]}, discount_percent=5)],
        [("BOLT-8", 10)],
        [(95, 950)],
        [["sku"]],
    ),
    Case(
        "equal priority: item group beats all items",
        [rule("all", discount_percent=20), rule("grp", scope={"groups": ["bolts"]}, discount_percent=5)],
        [("BOLT-8", 10)],
        [(95, 950)],
        [["grp"]],
    ),
    Case(
        "priority beats specificity",
        [rule("sku", scope={"skus": ["BOLT-8"]}, discount_percent=5), rule("all", discount_percent=20, priority=1)],
        [("BOLT-8", 10)],
        [(80, 800)],
        [["all"]],
    ),
    Case(
        "same scope: customer beats customer group",
        [
            rule("grp", who={"customer_groups": ["vip"]}, discount_percent=20),
            rule("cus", who={"customers": ["K1"]}, discount_percent=5),
        ],
        [("BOLT-8", 10)],
        [(95, 950)],
        [["cus"]],
        customer="K1",
    ),
    Case(
        "full tie: the lower price wins",
        [rule("b", discount_percent=5), rule("a", discount_percent=10)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["a"]],
    ),
    Case(
        "full tie at the same price: the lower id wins",
        [rule("b", discount_percent=10), rule("a", unit_price=90)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["a"]],
    ),
    # -- stacking
    Case(
        "non-stackable rules do not combine",
        [rule("a", discount_percent=10), rule("b", discount_amount=5)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["a"]],
    ),
    Case(
        "a stackable rule applies on top of the exclusive winner",
        [rule("a", discount_percent=10), rule("s", discount_percent=5, stackable=True)],
        [("BOLT-8", 10)],
        [(86, 860)],
        [["a", "s"]],
    ),
    Case(
        "stackable rules apply in priority order, not file order",
        [
            rule("late", discount_amount=10, stackable=True),
            rule("first", discount_percent=50, stackable=True, priority=9),
        ],
        [("BOLT-8", 1)],
        [(40, 40)],
        [["first", "late"]],
    ),
    Case(
        "stackable rules alone",
        [rule("s1", discount_percent=10, stackable=True), rule("s2", discount_percent=10, stackable=True)],
        [("BOLT-8", 10)],
        [(81, 810)],
        [["s1", "s2"]],
    ),
    Case(
        "stacking on graduated tiers",
        [rule("g", tiers=tiers("graduated", *BOLT_TIERS)), rule("s", discount_percent=10, stackable=True)],
        [("BOLT-8", 120)],
        [(80, 9_612)],
        [["g", "s"]],
    ),
    # -- dates (inclusive on both ends)
    *[
        Case(
            f"promotion window on {day}",
            [rule("xmas", discount_percent=10, when={"valid_from": "2026-12-01", "valid_to": "2026-12-31"})],
            [("BOLT-8", 10)],
            [(unit, unit * 10)],
            [ids],
            on=day,
        )
        for day, unit, ids in (
            (date(2026, 11, 30), 100, []),
            (date(2026, 12, 1), 90, ["xmas"]),
            (date(2026, 12, 31), 90, ["xmas"]),
            (date(2027, 1, 1), 100, []),
        )
    ],
    # -- quantity and amount conditions (amounts at list price, before any rule)
    *[
        Case(
            f"{cond} at {qty}",
            [rule("c", discount_percent=10, when={cond: bound})],
            [("BOLT-8", qty)],
            [(unit, unit * qty)],
            [ids],
        )
        for cond, bound, qty, unit, ids in (
            ("min_qty", 10, 9, 100, []),
            ("min_qty", 10, 10, 90, ["c"]),
            ("max_qty", 10, 10, 90, ["c"]),
            ("max_qty", 10, 11, 100, []),
            ("min_line_amount", 1000, 9, 100, []),
            ("min_line_amount", 1000, 10, 90, ["c"]),
            ("max_line_amount", 1000, 10, 90, ["c"]),
            ("max_line_amount", 1000, 11, 100, []),
        )
    ],
    Case(
        "min_order_amount counts the whole order",
        [rule("o", scope={"skus": ["BOLT-8"]}, discount_percent=10, when={"min_order_amount": 1100})],
        [("BOLT-8", 5), ("NUT-8", 20)],
        [(90, 450), (30, 600)],
        [["o"], []],
    ),
    Case(
        "min_order_amount not reached",
        [rule("o", discount_percent=10, when={"min_order_amount": 1101})],
        [("BOLT-8", 5), ("NUT-8", 20)],
        [(100, 500), (30, 600)],
        [[], []],
    ),
    Case(
        "max_order_amount exceeded",
        [rule("o", discount_percent=10, when={"max_order_amount": 1000})],
        [("BOLT-8", 5), ("NUT-8", 20)],
        [(100, 500), (30, 600)],
        [[], []],
    ),
    # -- maximum discount: no combination goes past it
    Case(
        "max discount caps stacked rules",
        [rule("a", discount_percent=10), rule("s", discount_percent=10, stackable=True)],
        [("BOLT-8", 10)],
        [(85, 850)],
        [["a", "s", "max-discount"]],
        extra={"max_discount": {"default": 15}},
    ),
    Case(
        "max discount caps a fixed price",
        [rule("f", unit_price=10)],
        [("BOLT-8", 10)],
        [(70, 700)],
        [["f", "max-discount"]],
        extra={"max_discount": {"default": 30}},
    ),
    Case(
        "the stricter group cap wins over the default",
        [rule("a", discount_percent=50)],
        [("BOLT-8", 10)],
        [(80, 800)],
        [["a", "max-discount"]],
        extra={"max_discount": {"default": 40, "groups": {"bolts": 30, "small": 20}}},
    ),
    Case(
        "a SKU cap overrides group caps",
        [rule("a", discount_percent=50)],
        [("BOLT-8", 10)],
        [(60, 600)],
        [["a", "max-discount"]],
        extra={"max_discount": {"groups": {"small": 20}, "skus": {"BOLT-8": 40}}},
    ),
    Case(
        "a zero cap forbids any discount",
        [rule("a", discount_percent=50)],
        [("NUT-8", 10)],
        [(30, 300)],
        [["a", "max-discount"]],
        extra={"max_discount": {"skus": {"NUT-8": 0}}},
    ),
    Case(
        "discount under the cap is untouched",
        [rule("a", discount_percent=10)],
        [("BOLT-8", 10)],
        [(90, 900)],
        [["a"]],
        extra={"max_discount": {"default": 15}},
    ),
    # -- rounding (half-up; only prices changed by rules; never under the cap floor)
    Case(
        "rounding per line to 10",
        [rule("a", discount_percent=10)],
        [("OIL", 3)],
        [(1110, 3330)],
        [["a", "rounding"]],
        extra={"rounding": {"per": "line", "unit": 10}},
    ),
    Case(
        "rounding per line to 100",
        [rule("a", discount_percent=5)],
        [("OIL", 1)],
        [(1200, 1200)],
        [["a", "rounding"]],
        extra={"rounding": {"per": "line", "unit": 100}},
    ),
    Case(
        "half-up at exactly half",
        [rule("a", discount_percent=50)],
        [("BOLT-10", 1)],
        [(80, 80)],
        [["a", "rounding"]],
        extra={"rounding": {"per": "line", "unit": 10}},
    ),
    Case(
        "a list price is not rounded",
        [],
        [("OIL", 2)],
        [(1234, 2468)],
        [[]],
        extra={"rounding": {"per": "line", "unit": 100}},
    ),
    Case(
        "rounding never goes under the max-discount floor",
        [rule("a", discount_percent=10)],
        [("OIL", 1)],
        [(1120, 1120)],
        [["a", "rounding"]],
        extra={"rounding": {"unit": 10}, "max_discount": {"default": 10}},
    ),
    Case(
        "rounding per document keeps won-exact prices",
        [rule("a", discount_percent=10)],
        [("OIL", 3)],
        [(1111, 3333)],
        [["a"]],
        extra={"rounding": {"per": "document", "unit": 100}},
    ),
    Case("fractional quantity", [rule("a", discount_percent=10)], [("OIL", "2.5")], [(1111, 2778)], [["a"]]),
]


def _rules_data(case: Case) -> dict[str, Any]:
    return {"item_groups": GROUPS, "rules": case.rules, **case.extra}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rule_kinds_and_combinations(case: Case) -> None:
    quote = price(_rules_data(case), case.lines, case.customer, case.on).quote
    paid = [line for line in quote.lines if not line.free]
    assert [(line.unit_price, line.amount) for line in paid] == case.expect
    assert [[applied.rule_id for applied in line.rules] for line in paid] == case.applied
    for line in paid:
        assert line.discount == line.list_price * line.quantity - line.amount


def test_every_applied_rule_carries_its_effect_and_price_after() -> None:
    data = {
        "item_groups": GROUPS,
        "rules": [
            rule("tier", name="볼트 수량 할인", tiers=tiers("whole_line", *BOLT_TIERS)),
            rule("vip", name="VIP 할인", who={"customer_groups": ["vip"]}, discount_percent=5, stackable=True),
        ],
    }
    line = price(data, [("BOLT-8", 100)], "K1").quote.lines[0]
    assert line.list_price == 100
    assert [(r.rule_id, r.name, r.effect, r.unit_price_after) for r in line.rules] == [
        ("tier", "볼트 수량 할인", "100EA 이상 단가 80원", 80),
        ("vip", "VIP 할인", "5% 할인", 76),
    ]
    assert line.unit_price == 76


@pytest.mark.parametrize(
    ("spec", "effect"),
    [
        ({"unit_price": 80}, "특별 단가 80원"),
        ({"discount_percent": 12.5}, "12.5% 할인"),
        ({"discount_amount": 15}, "EA당 15원 할인"),
        ({"tiers": tiers("whole_line", (10, {"discount_percent": 5}))}, "10EA 이상 5% 할인"),
        ({"tiers": tiers("graduated", *BOLT_TIERS)}, "구간 단가: 1–9EA 100원, 10–99EA 90원, 100–120EA 80원"),
    ],
)
def test_effect_texts_are_customer_friendly_korean(spec: dict[str, Any], effect: str) -> None:
    line = price({"rules": [rule("r", **spec)]}, [("BOLT-8", 120)]).quote.lines[0]
    assert line.rules[0].effect == effect


FREE_CASES = [
    ("buy 10 get 1 of the same", {"per": 10, "qty": 1}, ("BOLT-8", 25), [("BOLT-8", 2, 100)]),
    ("a free other SKU", {"per": 10, "qty": 3, "sku": "NUT-8"}, ("BOLT-8", 25), [("NUT-8", 6, 30)]),
    ("below the quantity that earns it", {"per": 10, "qty": 1}, ("BOLT-8", 9), []),
]


@pytest.mark.parametrize(("free", "ordered", "expected"), [c[1:] for c in FREE_CASES], ids=[c[0] for c in FREE_CASES])
def test_free_items(free: dict[str, Any], ordered: tuple[str, int], expected: list[tuple[str, int, int]]) -> None:
    quote = price({"rules": [rule("gift", name="사은품", free_item=free)]}, [ordered]).quote
    paid, free_lines = quote.lines[0], quote.lines[1:]
    assert (paid.unit_price, paid.amount) == (100, 100 * ordered[1])
    assert [(line.sku, int(line.quantity), line.list_price) for line in free_lines] == expected
    for line in free_lines:
        assert line.free and line.unit_price == 0 and line.amount == 0 and line.item_index == 0
        assert line.discount == line.list_price * line.quantity
        assert line.rules[0].rule_id == "gift"
    assert quote.subtotal == paid.amount


def test_free_item_rules_are_their_own_track() -> None:
    """A price discount and a free item both apply; two exclusive gifts give only the better one."""
    data = {
        "rules": [
            rule("pct", discount_percent=10),
            rule("small-gift", free_item={"per": 10, "qty": 1}),
            rule("big-gift", free_item={"per": 5, "qty": 1}),
            rule("stack-gift", free_item={"per": 20, "qty": 1, "sku": "NUT-8"}, stackable=True),
        ]
    }
    quote = price(data, [("BOLT-8", 20)]).quote
    assert quote.lines[0].unit_price == 90
    assert [(line.sku, int(line.quantity), line.rules[0].rule_id) for line in quote.lines[1:]] == [
        ("BOLT-8", 4, "big-gift"),
        ("NUT-8", 1, "stack-gift"),
    ]


def test_free_lines_do_not_trigger_discount_bands() -> None:
    data = {
        "rules": [rule("gift", free_item={"per": 1, "qty": 1})],
        "approval_bands": [{"id": "d", "name": "할인 승인", "role": "approver", "min_line_discount_percent": 15}],
    }
    assert price(data, [("BOLT-8", 2)]).quote.approval is None


PRICE_LIST_CASES = [
    ("group list: percent off the catalog", "K2", "BOLT-8", 92),
    ("group list: explicit price", "K2", "NUT-8", 25),
    ("customer list beats the group list", "K5", "BOLT-8", 85),
    ("customer list falls back to the catalog, less its own percent", "K5", "BOLT-10", 150),
    ("other groups use the catalog", "K3", "BOLT-8", 100),
    ("no group: the catalog", "K4", "NUT-8", 30),
]


@pytest.mark.parametrize(
    ("customer", "sku", "list_price"), [c[1:] for c in PRICE_LIST_CASES], ids=[c[0] for c in PRICE_LIST_CASES]
)
def test_price_lists(customer: str, sku: str, list_price: int) -> None:
    data = {
        "price_lists": {
            "wholesale": {"customer_groups": ["wholesale"], "discount_percent": 8, "prices": {"NUT-8": 25}},
            "k5": {"customers": ["K5"], "prices": {"BOLT-8": 85}},
        },
        "rules": [rule("pct", discount_percent=10, when={"min_qty": 1000})],
    }
    result = price(data, [(sku, 10)], customer)
    line = result.quote.lines[0]
    assert (line.list_price, line.unit_price, line.discount) == (list_price, list_price, 0)


def test_rules_discount_from_the_customers_list_price() -> None:
    data = {
        "price_lists": {"w": {"customer_groups": ["wholesale"], "discount_percent": 10}},
        "rules": [rule("pct", discount_percent=10)],
    }
    line = price(data, [("BOLT-8", 10)], "K2").quote.lines[0]
    assert (line.list_price, line.unit_price) == (90, 81)


VAT_CASES = [
    # (default list includes VAT?, customer's list includes VAT?, expected list price, unit price, subtotal, vat, total)
    ("excluded", False, None, 100, 90, 900, 90, 990),
    ("included", True, None, 100, 90, 818, 82, 900),
    ("catalog excluded, list included", False, True, 110, 99, 900, 90, 990),
    ("catalog included, list excluded", True, False, 91, 82, 820, 82, 902),
]


@pytest.mark.parametrize(
    ("default_gross", "list_gross", "list_price", "unit", "subtotal", "vat", "total"),
    [c[1:] for c in VAT_CASES],
    ids=[c[0] for c in VAT_CASES],
)
def test_vat_included_or_excluded(
    default_gross: bool, list_gross: bool | None, list_price: int, unit: int, subtotal: int, vat: int, total: int
) -> None:
    """Rule amounts are stated like the default list and restated for the customer's list."""
    lists: dict[str, Any] = {"default": {"prices_include_vat": default_gross}}
    if list_gross is not None:
        lists["w"] = {"customer_groups": ["wholesale"], "prices_include_vat": list_gross}
    data = {"price_lists": lists, "rules": [rule("amt", discount_amount=10)]}
    quote = price(data, [("BOLT-8", 10)], "K2").quote
    line = quote.lines[0]
    assert (line.list_price, line.unit_price) == (list_price, unit)
    assert (quote.subtotal, quote.vat, quote.total) == (subtotal, vat, total)
    assert quote.prices_include_vat == (list_gross if list_gross is not None else default_gross)


def test_vat_rate_and_currency_come_from_the_config() -> None:
    quote = price({"vat_rate": 0.07, "currency": "USD"}, [("BOLT-8", 10)]).quote
    assert (quote.currency, quote.vat_rate, quote.vat, quote.total) == ("USD", Decimal("0.07"), 70, 1070)
    other = price(None, [("BOLT-8", 10)], company=tiny_company(currency="JPY")).quote
    assert other.currency == "JPY"


def test_approval_bands_pick_the_strictest_match() -> None:
    bands = [
        {"id": "owner", "name": "대표 승인", "role": "owner", "min_total": 2_000_000},
        {
            "id": "approver",
            "name": "팀장 승인",
            "role": "approver",
            "min_total": 500_000,
            "min_line_discount_percent": 15,
        },
    ]
    data = {"approval_bands": bands, "rules": [rule("d", scope={"skus": ["NUT-8"]}, discount_percent=20)]}
    assert price(data, [("BOLT-8", 10)]).quote.approval is None
    discounted = price(data, [("NUT-8", 10)]).quote.approval
    assert discounted is not None and discounted.required_role == "approver"
    assert "line 1 (NUT-8) discount 20% ≥ 15%" in discounted.reason
    big = price(data, [("MOTOR", 1)]).quote.approval
    assert big is not None and (big.band_id, big.required_role) == ("approver", "approver")
    assert "total 550,000원 ≥ 500,000원" in big.reason
    huge = price(data, [("MOTOR", 4)]).quote.approval
    assert huge is not None and (huge.band_id, huge.required_role) == ("owner", "owner")


def test_price_quote_lists_what_it_cannot_price() -> None:
    items = [
        item("BOLT-8", 10),
        item(None, 5, description="모르는 부품"),
        item("GHOST", 1),
        item("NUT-8", None),
        item("NUT-8", 0),
        item("OIL", 2),
    ]
    quote = price_quote(extraction(items=items), tiny_company(), PricingRules(), date(2026, 6, 15))
    assert [line.item_index for line in quote.lines] == [0, 5]
    assert [(u.item_index, u.reason) for u in quote.unpriced] == [
        (1, "no catalog SKU matched"),
        (2, "SKU GHOST is not in catalog.csv"),
        (3, "no quantity"),
        (4, "quantity must be positive (got 0)"),
    ]
    assert quote.unpriced[0].description == "모르는 부품"
    assert quote.subtotal == 1000 + 2468


def test_unknown_customer_is_priced_at_the_default_list_with_a_warning() -> None:
    data = {
        "rules": [rule("all", discount_percent=5), rule("g", who={"customer_groups": ["retail"]}, discount_percent=50)]
    }
    quote = price(data, [("BOLT-8", 10)], "NOBODY").quote
    assert quote.lines[0].unit_price == 95
    assert quote.warnings == ["customer NOBODY is not in customers.csv: priced at the default list"]


@pytest.mark.parametrize(
    ("quantity", "whole_line", "graduated"), [(99, 99 * 120, 99 * 120), (120, 13_200, 14_190), (600, 60_000, 65_980)]
)
def test_the_tier_example_in_docs_pricing_md(quantity: int, whole_line: int, graduated: int) -> None:
    """docs/pricing.md: bands at 100 (110 won) and 500 (100 won) on a 120-won bolt."""
    company = tiny_company()
    company = company.model_copy(
        update={"catalog": [entry.model_copy(update={"unit_price": 120}) for entry in company.catalog]}
    )
    bands = ((100, {"unit_price": 110}), (500, {"unit_price": 100}))
    for mode, expected in (("whole_line", whole_line), ("graduated", graduated)):
        data = {"rules": [rule("t", tiers=tiers(mode, *bands))]}
        assert price(data, [("BOLT-8", quantity)], company=company).quote.lines[0].amount == expected

"""Loading pricing.yaml: catalog-only defaults, and clear errors that name the rule, the field and why."""

from __future__ import annotations

import hashlib
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures_pricing import write_company

from pricing.rules import PricingError, PricingRules, load_pricing
from schemas.company import ConfigError, load_company


def load(tmp_path: Path, text: str | None) -> PricingRules:
    folder = write_company(tmp_path / "company", None if text is None else textwrap.dedent(text))
    return load_pricing(load_company(folder))


def test_without_a_file_the_rules_are_catalog_only(tmp_path: Path) -> None:
    rules = load(tmp_path, None)
    assert rules.rules == [] and rules.price_lists == {} and rules.approval_bands == []
    assert (rules.version, rules.vat_rate, rules.rounding.per, rules.rounding.unit) == (
        "catalog",
        Decimal("0.10"),
        "line",
        1,
    )


def test_an_empty_file_is_valid(tmp_path: Path) -> None:
    rules = load(tmp_path, "# nothing yet\n")
    assert rules.rules == []
    assert rules.version == hashlib.sha256(b"# nothing yet\n").hexdigest()


def test_a_full_file_loads(tmp_path: Path) -> None:
    rules = load(
        tmp_path,
        """
        currency: KRW
        vat_rate: 0.1
        rounding: {per: document, unit: 10}
        item_groups:
          bolts: {name: 볼트류, patterns: ["BOLT-*"]}
        price_lists:
          default: {prices_include_vat: false}
          wholesale: {name: 도매가, customer_groups: [wholesale], discount_percent: 8, prices: {NUT-8: 25}}
        max_discount: {default: 30, groups: {bolts: 25}, skus: {MOTOR: 10}}
        rules:
          - id: bolt-tiers
            name: 볼트 수량 할인
            scope: {groups: [bolts]}
            tiers:
              mode: graduated
              bands: [{min_qty: 500, unit_price: 80}, {min_qty: 100, discount_percent: 10}]
          - id: xmas
            name: 연말 프로모션
            when: {valid_from: 2026-12-01, valid_to: 2026-12-31, min_order_amount: 100000}
            discount_percent: 5
            stackable: true
          - id: gift
            name: 너트 증정
            scope: {skus: [BOLT-8]}
            free_item: {per: 100, qty: 10, sku: NUT-8}
        approval_bands:
          - {id: approver, name: 팀장 승인, role: approver, min_total: 5000000, min_line_discount_percent: 15}
          - {id: owner, name: 대표 승인, role: owner, min_total: 20000000}
        """,
    )
    assert [rule.id for rule in rules.rules] == ["bolt-tiers", "xmas", "gift"]
    tiers = rules.rules[0].tiers
    assert tiers is not None and [band.min_qty for band in tiers.bands] == [100, 500]
    assert rules.groups_of("BOLT-10") == frozenset({"bolts"})
    assert rules.max_discount_for("BOLT-8") == (Decimal(25), "group bolts")
    assert rules.max_discount_for("MOTOR") == (Decimal(10), "SKU MOTOR")
    assert rules.max_discount_for("OIL") == (Decimal(30), "default")
    assert rules.price_list_for("K2", "wholesale")[0] == "wholesale"
    assert rules.price_list_for("K3", "retail")[0] == "default"


ERROR_CASES = [
    ("not YAML", "rules: [\n", ["not valid YAML", "line"]),
    (
        "duplicate key",
        "price_lists:\n  w: {customer_groups: [wholesale]}\n  w: {customer_groups: [vip]}\n",
        ["duplicate key 'w'"],
    ),
    ("a list instead of sections", "- id: a\n", ["must be a mapping of sections"]),
    ("unknown top-level key", "rulez: []\n", ["rulez: unknown key"]),
    (
        "misspelt condition names the rule and field",
        "rules:\n  - {id: bulk, name: 대량, discount_percent: 5, when: {min_qyt: 10}}\n",
        ["rules[0] (id 'bulk'): when.min_qyt: unknown key"],
    ),
    ("no outcome", "rules:\n  - {id: r1, name: R}\n", ["rules[0] (id 'r1'): give exactly one outcome", "found: none"]),
    (
        "two outcomes",
        "rules:\n  - {id: r1, name: R, unit_price: 90, discount_percent: 5}\n",
        ["rules[0] (id 'r1')", "found: unit_price, discount_percent"],
    ),
    (
        "stackable fixed price",
        "rules:\n  - {id: r1, name: R, unit_price: 90, stackable: true}\n",
        ["rules[0] (id 'r1')", "cannot be stackable"],
    ),
    (
        "negative percent",
        "rules:\n  - {id: neg, name: R, discount_percent: -5}\n",
        ["rules[0] (id 'neg'): discount_percent: Input should be greater than or equal to 0 (got -5)"],
    ),
    (
        "percent over 100",
        "rules:\n  - {id: big, name: R, discount_percent: 150}\n",
        ["rules[0] (id 'big'): discount_percent", "less than or equal to 100"],
    ),
    ("fractional money", "rules:\n  - {id: f, name: R, unit_price: 99.5}\n", ["rules[0] (id 'f'): unit_price"]),
    ("missing name", "rules:\n  - {id: anon, discount_percent: 5}\n", ["rules[0] (id 'anon'): name: Field required"]),
    (
        "second rule without id is named by index",
        "rules:\n  - {id: a, name: A, discount_percent: 1}\n  - {name: B, discount_percent: 1}\n",
        ["rules[1]: id: Field required"],
    ),
    (
        "duplicate rule ids",
        "rules:\n  - {id: a, name: A, discount_percent: 1}\n  - {id: a, name: B, unit_price: 5}\n",
        ["rule ids must be unique: a used twice"],
    ),
    (
        "an id the engine uses for its own steps",
        "rules:\n  - {id: rounding, name: A, discount_percent: 1}\n",
        ["rule id 'rounding' is reserved"],
    ),
    (
        "min above max",
        "rules:\n  - {id: q, name: Q, discount_percent: 5, when: {min_qty: 10, max_qty: 5}}\n",
        ["rules[0] (id 'q'): when", "min_qty (10) is after max_qty (5)"],
    ),
    (
        "dates reversed",
        "rules:\n  - {id: d, name: D, discount_percent: 5, when: {valid_from: 2026-12-31, valid_to: 2026-12-01}}\n",
        ["valid_from (2026-12-31) is after valid_to (2026-12-01)"],
    ),
    (
        "tiers with the same start",
        "rules:\n  - {id: t, name: T, tiers: {mode: graduated, bands: [{min_qty: 10, unit_price: 5}, "
        "{min_qty: 10, unit_price: 4}]}}\n",
        ["rules[0] (id 't'): tiers.bands", "same min_qty: 10, 10"],
    ),
    (
        "unknown tier mode",
        "rules:\n  - {id: t, name: T, tiers: {mode: stepped, bands: [{min_qty: 1, unit_price: 5}]}}\n",
        ["rules[0] (id 't'): tiers.mode", "'whole_line' or 'graduated'"],
    ),
    (
        "tier with two prices",
        "rules:\n  - {id: t, name: T, tiers: {mode: graduated,\n"
        "      bands: [{min_qty: 1, unit_price: 5, discount_percent: 3}]}}\n",
        ["rules[0] (id 't'): tiers.bands[0]", "exactly one of unit_price or discount_percent"],
    ),
    ("VAT written as percent", "vat_rate: 10\n", ["vat_rate: Input should be less than 1 (got 10)"]),
    ("rounding unit", "rounding: {unit: 5}\n", ["rounding.unit"]),
    (
        "both skus and groups",
        "rules:\n  - {id: s, name: S, discount_percent: 1, scope: {skus: [OIL], groups: [x]}}\n",
        ["rules[0] (id 's'): scope", "not both"],
    ),
    (
        "unknown item group in a rule",
        "rules:\n  - {id: g, name: G, discount_percent: 1, scope: {groups: [nuts]}}\n",
        ["rules[0] (id 'g'): scope.groups: unknown item group 'nuts' (known: none)"],
    ),
    (
        "unknown SKU in a rule",
        "rules:\n  - {id: s, name: S, discount_percent: 1, scope: {skus: [BOLT-99]}}\n",
        ["rules[0] (id 's'): scope.skus: unknown SKU 'BOLT-99'"],
    ),
    (
        "unknown free SKU",
        "rules:\n  - {id: f, name: F, free_item: {per: 10, qty: 1, sku: GIFT}}\n",
        ["rules[0] (id 'f'): free_item.sku: unknown SKU 'GIFT'"],
    ),
    (
        "unknown customer",
        "rules:\n  - {id: c, name: C, discount_percent: 1, who: {customers: [K99]}}\n",
        ["rules[0] (id 'c'): who.customers: unknown customer 'K99'"],
    ),
    (
        "unknown customer group",
        "rules:\n  - {id: c, name: C, discount_percent: 1, who: {customer_groups: [vvip]}}\n",
        ["who.customer_groups: unknown customer group 'vvip' (known: retail, vip, wholesale)"],
    ),
    (
        "group pattern that matches nothing",
        "item_groups:\n  screws: {patterns: ['SCR-*']}\n",
        ["item_groups.screws.patterns: 'SCR-*' matches no SKU"],
    ),
    ("empty item group", "item_groups:\n  empty: {name: 빈 그룹}\n", ["item_groups.empty", "needs skus or patterns"]),
    (
        "unknown SKU on a price list",
        "price_lists:\n  w: {customer_groups: [wholesale], prices: {GHOST: 5}}\n",
        ["price_lists.w.prices: unknown SKU 'GHOST'"],
    ),
    ("price list nobody gets", "price_lists:\n  w: {prices: {OIL: 5}}\n", ["price_lists.w: give customers"]),
    (
        "customer group on two lists",
        "price_lists:\n  a: {customer_groups: [vip]}\n  b: {customer_groups: [vip]}\n",
        ["customer group vip is on more than one price list: a, b"],
    ),
    (
        "prices on the default list",
        "price_lists:\n  default: {prices: {OIL: 5}}\n",
        ["price_lists.default is catalog.csv"],
    ),
    ("unknown cap group", "max_discount: {groups: {nuts: 10}}\n", ["max_discount.groups: unknown item group 'nuts'"]),
    ("unknown cap SKU", "max_discount: {skus: {GHOST: 10}}\n", ["max_discount.skus: unknown SKU 'GHOST'"]),
    (
        "band without condition",
        "approval_bands:\n  - {id: b, name: B, role: owner}\n",
        ["approval_bands[0] (id 'b')", "min_total or min_line_discount_percent"],
    ),
    (
        "band with an unknown role",
        "approval_bands:\n  - {id: b, name: B, role: boss, min_total: 1}\n",
        ["approval_bands[0] (id 'b'): role"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_bad_files_give_clear_errors(tmp_path: Path, text: str, expected: list[str]) -> None:
    with pytest.raises(PricingError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert "pricing.yaml" in message
    for part in expected:
        assert part in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "rules:\n"
        "  - {id: a, name: A, discount_percent: 500}\n"
        "  - {id: b, name: B, unit_price: -1}\n"
        "approval_bands:\n  - {id: x, name: X, role: owner}\n"
    )
    with pytest.raises(PricingError) as caught:
        load(tmp_path, text)
    assert len(caught.value.problems) == 3
    assert str(caught.value).count("\n  - ") == 3


def test_file_wide_problems_are_listed_one_by_one(tmp_path: Path) -> None:
    text = (
        "rules:\n"
        "  - {id: a, name: A, discount_percent: 5, scope: {groups: [x]}}\n"
        "  - {id: a, name: B, discount_percent: 5}\n"
    )
    with pytest.raises(PricingError) as caught:
        load(tmp_path, text)
    assert caught.value.problems == [
        "rule ids must be unique: a used twice",
        "rules[0] (id 'a'): scope.groups: unknown item group 'x' (known: none)",
    ]


def test_yaml_errors_carry_the_line(tmp_path: Path) -> None:
    with pytest.raises(PricingError) as caught:
        load(tmp_path, "currency: KRW\nrules:\n  - id: a\n    name: [unclosed\n")
    assert caught.value.line is not None and caught.value.line >= 4


def test_pricing_errors_are_config_errors(tmp_path: Path) -> None:
    """The CLI reports any ConfigError as bad usage; a broken pricing.yaml must be one."""
    with pytest.raises(ConfigError):
        load(tmp_path, "vat_rate: lots\n")

"""VAT and rounding of the document: VAT added or contained, rounding per line or per document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fixtures_pricing import price

from pricing.money import format_money, format_percent, round_half_up, round_up
from pricing.schema import Rounding
from pricing.totals import compute_totals

TEN = Decimal("0.10")

TOTAL_CASES = [
    # name, line amounts, per, unit, prices include VAT, (subtotal, vat, total, adjustment)
    ("excluded, per line", [1000, 2345], "line", 1, False, (3345, 335, 3680, 0)),
    ("excluded, half-up VAT", [15], "line", 1, False, (15, 2, 17, 0)),
    ("excluded, per line: unit does not touch totals", [12345], "line", 100, False, (12345, 1235, 13580, 0)),
    ("excluded, per document to 10", [12345], "document", 10, False, (12345, 1235, 13580, 0)),
    ("excluded, per document to 100", [12345], "document", 100, False, (12364, 1236, 13600, 19)),
    ("excluded, per document to 100, rounds down", [12300], "document", 100, False, (12273, 1227, 13500, -27)),
    ("included, per line", [11000], "line", 1, True, (10000, 1000, 11000, 0)),
    ("included, per line, odd amount", [12345], "line", 10, True, (11223, 1122, 12345, 0)),
    ("included, per document to 10", [12345], "document", 10, True, (11227, 1123, 12350, 5)),
    ("included, per document to 10, rounds down", [12344], "document", 10, True, (11218, 1122, 12340, -4)),
    ("included, per document to 100", [12345], "document", 100, True, (11182, 1118, 12300, -45)),
    ("empty document", [], "document", 100, False, (0, 0, 0, 0)),
]


@pytest.mark.parametrize(
    ("amounts", "per", "unit", "gross", "expected"), [c[1:] for c in TOTAL_CASES], ids=[c[0] for c in TOTAL_CASES]
)
def test_totals(amounts: list[int], per: str, unit: int, gross: bool, expected: tuple[int, int, int, int]) -> None:
    totals = compute_totals(amounts, Rounding(per=per, unit=unit), TEN, gross)
    assert (totals.subtotal, totals.vat, totals.total, totals.rounding_adjustment) == expected
    assert totals.total == totals.subtotal + totals.vat
    lines_plus_adjustment = sum(amounts) + totals.rounding_adjustment
    assert lines_plus_adjustment == (totals.total if gross else totals.subtotal)
    if per == "document":
        assert totals.total % unit == 0


def test_a_second_company_style_quote_rounds_its_total_to_ten_won() -> None:
    data = {
        "price_lists": {"default": {"prices_include_vat": True}},
        "rounding": {"per": "document", "unit": 10},
        "rules": [{"id": "d", "name": "할인", "discount_percent": 7}],
    }
    quote = price(data, [("OIL", 3), ("NUT-8", 8)]).quote
    # OIL 1,234 -7% = 1,147.62 -> 1,148 (to the won); NUT-8 30 -7% = 27.9 -> 28
    assert [(line.unit_price, line.amount) for line in quote.lines] == [(1148, 3444), (28, 224)]
    assert (quote.total, quote.rounding_adjustment) == (3670, 2)
    assert quote.prices_include_vat and quote.subtotal + quote.vat == quote.total


@pytest.mark.parametrize(
    ("value", "unit", "half_up", "up"),
    [
        ("14.5", 1, 15, 15),
        ("14.49", 1, 14, 15),
        ("-2.5", 1, -3, -2),
        ("1234", 10, 1230, 1240),
        ("1235", 10, 1240, 1240),
        ("1249.99", 100, 1200, 1300),
        ("1250", 100, 1300, 1300),
        ("1200", 100, 1200, 1200),
    ],
)
def test_rounding_helpers(value: str, unit: int, half_up: int, up: int) -> None:
    assert round_half_up(Decimal(value), unit) == half_up
    assert round_up(Decimal(value), unit) == up


def test_money_and_percent_formats() -> None:
    assert format_money(1234567, "KRW") == "1,234,567원"
    assert format_money(1234, "USD") == "1,234 USD"
    assert format_percent(Decimal("12.50")) == "12.5%"
    assert format_percent(Decimal("20.0")) == "20%"

"""Money arithmetic: integers for amounts, Decimal for everything in between, half-up rounding.

Floats never appear: a price is an `int` in the currency's smallest unit used on quotes (won for KRW),
and percentages and VAT conversions are exact `Decimal`s until a value is rounded back to an `int`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ONE = Decimal(1)

_CURRENCY_SUFFIX = {"KRW": "원"}


def round_half_up(value: Decimal, unit: int = 1) -> int:
    """Round to a multiple of `unit` (1, 10, 100 …), halves away from zero (14,995 -> 15,000 for unit 10)."""
    return int((value / unit).quantize(ONE, rounding=ROUND_HALF_UP)) * unit


def round_up(value: Decimal, unit: int = 1) -> int:
    """The smallest multiple of `unit` that is not below `value`."""
    return int((value / unit).quantize(ONE, rounding=ROUND_CEILING)) * unit


def percent_off(value: Decimal, percent: Decimal) -> Decimal:
    return value * (HUNDRED - percent) / HUNDRED


def convert_vat(value: Decimal, *, from_gross: bool, to_gross: bool, vat_rate: Decimal) -> Decimal:
    """Restate an amount between "VAT included" and "VAT excluded" (exact; the caller rounds)."""
    if from_gross == to_gross:
        return value
    return value * (ONE + vat_rate) if to_gross else value / (ONE + vat_rate)


@dataclass(frozen=True)
class VatModes:
    """How pricing.yaml states amounts (like the default list) and how this quote states prices."""

    rules_gross: bool
    quote_gross: bool
    vat_rate: Decimal

    def to_quote(self, amount: Decimal) -> Decimal:
        return convert_vat(amount, from_gross=self.rules_gross, to_gross=self.quote_gross, vat_rate=self.vat_rate)

    def to_rules(self, amount: Decimal) -> Decimal:
        return convert_vat(amount, from_gross=self.quote_gross, to_gross=self.rules_gross, vat_rate=self.vat_rate)


def discount_percent(list_amount: Decimal, amount: Decimal) -> Decimal:
    """How far `amount` is below `list_amount`, in percent (0 when the list amount is 0)."""
    if list_amount <= 0:
        return Decimal(0)
    return (list_amount - amount) * HUNDRED / list_amount


def format_money(amount: int, currency: str) -> str:
    """`9000, "KRW"` -> `9,000원`; other currencies keep their code: `9,000 USD`."""
    suffix = _CURRENCY_SUFFIX.get(currency)
    return f"{amount:,}{suffix}" if suffix else f"{amount:,} {currency}"


def format_percent(value: Decimal) -> str:
    """`Decimal("12.50")` -> `12.5%`; whole percentages print without decimals."""
    text = f"{value.normalize():f}"
    return f"{text}%"


def format_quantity(value: Decimal) -> str:
    """Whole quantities print with thousands separators and no decimals (`1,200`); others as written."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():f}"

"""How amounts and quantities are written on a quote: `12,345`, `₩12,345`, `일금 일만이천삼백사십오원정`."""

from __future__ import annotations

from decimal import Decimal

_CURRENCY_SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "JPY": "¥"}
_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")
_LARGE_UNITS = ("", "만", "억", "조", "경")


def format_amount(value: int) -> str:
    """`1234567` -> `1,234,567` (negative amounts keep their sign)."""
    return f"{value:,}"


def format_money(value: int, currency: str) -> str:
    """`₩1,234,567` for currencies with a well-known symbol, `1,234,567 CHF` otherwise."""
    symbol = _CURRENCY_SYMBOLS.get(currency.upper())
    # ASCII minus: NanumGothic has no glyph for U+2212 (the PDF would show a blank).
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,}" if symbol else f"{value:,} {currency.upper()}"


def format_quantity(quantity: Decimal) -> str:
    """Whole quantities without decimals (`1,200`); fractional ones as written (`2.5`)."""
    if quantity == quantity.to_integral_value():
        return f"{int(quantity):,}"
    return f"{quantity.normalize():,f}"


def _group_in_words(group: int) -> str:
    words = []
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit:
            # Formal documents write 일 before 십/백/천 too (일백, 일천) so the amount cannot be altered.
            words.append(_DIGITS[digit] + _SMALL_UNITS[position])
    return "".join(words)


def korean_amount_words(value: int) -> str:
    """`13200000` -> `일천삼백이십만`: the amount in Hangul, as written on 견적서 and 세금계산서."""
    if not 0 <= value < 10 ** (4 * len(_LARGE_UNITS)):
        raise ValueError(f"cannot write {value} in words: only 0 up to 10^{4 * len(_LARGE_UNITS)} - 1")
    if value == 0:
        return "영"
    words = []
    for index in range(len(_LARGE_UNITS) - 1, -1, -1):
        group = value // 10 ** (4 * index) % 10**4
        if group:
            words.append(_group_in_words(group) + _LARGE_UNITS[index])
    return "".join(words)

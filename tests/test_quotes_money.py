"""Amounts and quantities as a Korean quote prints them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotes.money import format_amount, format_money, format_quantity, korean_amount_words


@pytest.mark.parametrize(
    "value, words",
    [
        (0, "영"),
        (7, "칠"),
        (10, "일십"),
        (10_000, "일만"),
        (13_200_000, "일천삼백이십만"),
        (131_736, "일십삼만일천칠백삼십육"),
        (100_000_001, "일억일"),
        (2_000_050_000, "이십억오만"),
    ],
)
def test_amount_in_words(value: int, words: str) -> None:
    assert korean_amount_words(value) == words


def test_amount_in_words_refuses_negative_and_absurd_amounts() -> None:
    with pytest.raises(ValueError):
        korean_amount_words(-1)
    with pytest.raises(ValueError):
        korean_amount_words(10**20)


_DIGIT_VALUES = {c: i for i, c in enumerate("영일이삼사오육칠팔구")}
_SMALL = {"십": 10, "백": 100, "천": 1000}
_LARGE = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}


def _read_words(words: str) -> int:
    total = group = digit = 0
    for char in words:
        if char in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[char]
        elif char in _SMALL:
            group, digit = group + digit * _SMALL[char], 0
        else:
            total, group, digit = total + (group + digit) * _LARGE[char], 0, 0
    return total + group + digit


@given(st.integers(min_value=0, max_value=10**20 - 1))
def test_words_read_back_to_the_amount(value: int) -> None:
    assert _read_words(korean_amount_words(value)) == value


def test_money_and_quantities() -> None:
    assert format_amount(1234567) == "1,234,567"
    assert format_money(1234567, "KRW") == "₩1,234,567"
    assert format_money(-3840, "krw") == "-₩3,840"
    assert format_money(1500, "CHF") == "1,500 CHF"
    assert format_quantity(Decimal("1200")) == "1,200"
    assert format_quantity(Decimal("2.50")) == "2.5"
    assert format_quantity(Decimal("1E+3")) == "1,000"

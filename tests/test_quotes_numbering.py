"""Quote numbers: prefix, year, zero-padded sequence; parse is the inverse of format."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotes.numbering import QuoteNumber, format_quote_number, parse_quote_number


def test_format_pads_the_sequence_and_uses_the_issue_year() -> None:
    assert format_quote_number("Q", date(2026, 3, 1), 123) == "Q-2026-000123"
    assert format_quote_number("HB", date(2027, 1, 1), 1) == "HB-2027-000001"


def test_sequences_past_six_digits_grow_instead_of_wrapping() -> None:
    assert format_quote_number("Q", date(2026, 1, 1), 1_234_567) == "Q-2026-1234567"


@pytest.mark.parametrize("prefix", ["", "Q-1", "견적", "A B", "Q/", "_Q"])
def test_prefix_must_be_plain_letters_and_digits(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        format_quote_number(prefix, date(2026, 1, 1), 1)


@pytest.mark.parametrize("sequence", [0, -5])
def test_sequence_starts_at_one(sequence: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        format_quote_number("Q", date(2026, 1, 1), sequence)


@pytest.mark.parametrize("text", ["Q-2026-123", "Q-26-000123", "Q2026000123", "-2026-000123", "Q-2026-00012a"])
def test_parse_rejects_what_format_never_produces(text: str) -> None:
    with pytest.raises(ValueError, match="not a quote number"):
        parse_quote_number(text)


@given(
    prefix=st.from_regex(r"[A-Za-z0-9]{1,4}(\.[A-Za-z0-9]{1,3})?", fullmatch=True),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
    sequence=st.integers(min_value=1, max_value=10**9),
)
def test_parse_inverts_format(prefix: str, day: date, sequence: int) -> None:
    number = format_quote_number(prefix, day, sequence)
    assert parse_quote_number(number) == QuoteNumber(prefix, day.year, sequence)


def test_numbers_sort_in_sequence_order_within_a_year() -> None:
    numbers = [format_quote_number("Q", date(2026, 5, 5), n) for n in (3, 20, 100, 999_999)]
    assert sorted(numbers) == numbers

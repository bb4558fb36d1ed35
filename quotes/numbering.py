"""Quote numbers such as `HB-2026-000123`: the company's prefix, the issue year and a sequence value.

The sequence value itself comes from the store (`quote_sequences`, one counter per prefix and year),
which guarantees it never repeats; this module only formats and parses.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

SEQUENCE_DIGITS = 6
_PREFIX = re.compile(r"^[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)*$")
_NUMBER = re.compile(rf"^(?P<prefix>.+)-(?P<year>\d{{4}})-(?P<sequence>\d{{{SEQUENCE_DIGITS},}})$")


class QuoteNumber(NamedTuple):
    prefix: str
    year: int
    sequence: int


def format_quote_number(prefix: str, issued: date, sequence: int) -> str:
    """`format_quote_number("Q", date(2026, 3, 1), 123)` -> `"Q-2026-000123"`.

    Sequences beyond 999,999 get more digits rather than wrapping, so numbers stay unique and sortable
    within a year.
    """
    if not _PREFIX.match(prefix):
        raise ValueError(f"quote prefix {prefix!r} must be letters and digits (dots or underscores between)")
    if sequence < 1:
        raise ValueError(f"quote sequence must be 1 or more, got {sequence}")
    return f"{prefix}-{issued.year:04d}-{sequence:0{SEQUENCE_DIGITS}d}"


def parse_quote_number(number: str) -> QuoteNumber:
    """The inverse of format_quote_number; raises ValueError for anything it did not produce."""
    match = _NUMBER.match(number)
    if not match or not _PREFIX.match(match["prefix"]):
        raise ValueError(f"not a quote number: {number!r}")
    return QuoteNumber(match["prefix"], int(match["year"]), int(match["sequence"]))

"""Korean business registration numbers (사업자등록번호): format and check digit."""

from __future__ import annotations

import re

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_FORMAT = re.compile(r"^\d{3}-\d{2}-\d{5}$")


def check_digit(first_nine: str) -> int:
    """The tenth digit the National Tax Service algorithm expects for the first nine."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_business_no(value: str) -> bool:
    """True for `NNN-NN-NNNNN` (dashes optional) whose last digit matches the check digit."""
    digits = value.replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    return check_digit(digits[:9]) == int(digits[9])


def format_business_no(value: str) -> str:
    digits = value.replace("-", "")
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def is_formatted(value: str) -> bool:
    return bool(_FORMAT.match(value))

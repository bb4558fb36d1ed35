"""Dates as invoices print them: 2025-03-25, 25.03.2025, 03/20/2023, 7. Mai 2014, 19 april 2014,
August 3, 2014, 8-9-2022, 2025년 3월 25일, 20201121."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    # English, German, French, Dutch; abbreviations by their first three or four letters.
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12, "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_ABBREVIATED = r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|okt|nov|dec|dez"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")),
    ("korean", re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")),
    ("numeric", re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})[./-](\d{4}|\d{2})(?![\d/-]|[.,]\d)")),
    ("day_month_name", re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_MONTH_NAMES}{_ABBREVIATED})\.?\s+(\d{{4}})", re.I)),
    ("month_name_day", re.compile(rf"\b({_MONTH_NAMES}{_ABBREVIATED})\.?\s+(\d{{1,2}})\s*,?\s*(\d{{4}})", re.I)),
    ("compact", re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")),
]


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int
    ambiguous: bool  # 03/04/2024: day and month could be swapped


def find_dates(text: str, month_first: bool = False) -> list[FoundDate]:
    """Every date in the text, in order. `month_first` reads 03/04/2024 the US way."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            parsed = _parse(kind, match.groups(), month_first)
            if parsed is not None:
                value, ambiguous = parsed
                found.append(FoundDate(value, match.start(), match.end(), ambiguous))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def _month(name: str) -> int | None:
    name = name.lower().rstrip(".")
    if name in MONTHS:
        return MONTHS[name]
    return next((number for full, number in MONTHS.items() if full.startswith(name[:3])), None)


def _parse(kind: str, groups: tuple[str, ...], month_first: bool) -> tuple[date, bool] | None:
    ambiguous = False
    if kind in ("ymd", "korean", "compact"):
        year, month, day = (int(g) for g in groups)
    elif kind == "numeric":
        first, separator, second, year = int(groups[0]), groups[1], int(groups[2]), int(groups[3])
        year += 2000 if year < 100 else 0
        # Only slashes are written month first (US); 05.03.2018 is always the 5th of March.
        month_first = month_first and separator == "/"
        ambiguous = separator == "/" and first <= 12 and second <= 12 and first != second
        if first > 12 or (second <= 12 and not month_first):
            day, month = first, second
        else:
            month, day = first, second
    elif kind == "day_month_name":
        day, month_number, year = int(groups[0]), _month(groups[1]), int(groups[2])
        if month_number is None:
            return None
        month = month_number
    else:
        month_number, day, year = _month(groups[0]), int(groups[1]), int(groups[2])
        if month_number is None:
            return None
        month = month_number
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return (value, ambiguous) if 1990 <= value.year <= 2100 else None

"""Numbers as invoices print them: 1.234,56 / 1,234.56 / 1 234,56 / 1'234.56 / € 399,00 / 1,058,400원 / 20 Stk.

The separator that is ambiguous on its own (`1,234` or `1.234`) is decided by the document's convention
(`NumberStyle`), which `detect_style` reads from the whole text; currencies without minor units (KRW, JPY)
have no decimals at all, so OCR's `1.058,400원` is still 1058400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "₩": "KRW", "원": "KRW", "¥": "JPY", "₹": "INR"}
CURRENCY_CODES = ("EUR", "USD", "KRW", "GBP", "CHF", "JPY", "INR", "PLN", "CNY", "SEK", "DKK", "NOK", "CAD", "AUD")
WHOLE_UNIT_CURRENCIES = {"KRW", "JPY"}

_CELL = re.compile(
    r"""^\s*
    (?P<sign>[-−–])?\s*
    (?P<pre>[€$£₩¥₹]|(?:EUR|USD|KRW|GBP|CHF|JPY|INR|PLN)\b)?\s*
    (?P<sign2>[-−–])?\s*
    (?P<number>\d[\d.,'’\u00a0\u202f ]*\d|\d)
    \s*(?P<post>[€$£₩¥₹원]|(?:EUR|USD|KRW|GBP|CHF|JPY|INR|PLN)\b)?
    \s*(?P<unit>[^\W\d_][^\W\d_.]*[²³]?\.?)?
    \s*(?P<percent>%)?\s*(?P<trailing_sign>-)?\s*$""",
    re.VERBOSE,
)
_SPACE_AFTER_SEPARATOR = re.compile(r"(?<=\d[.,])\s(?=\d)")
_DOUBLED_SEPARATOR = re.compile(r"(?<=\d)[.,]{2,}(?=\d)")
_GROUPED = re.compile(r"\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+")
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d{2}(?!\d)")
_DECIMAL_POINT = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)")


@dataclass(frozen=True)
class NumberStyle:
    """How a document writes numbers: `decimal_comma` None when it cannot be told; `whole_units` for KRW."""

    decimal_comma: bool | None = None
    whole_units: bool = False


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    currency: str | None = None
    unit: str | None = None
    percent: bool = False


def detect_style(text: str, currency: str | None = None) -> NumberStyle:
    """The document's decimal separator, by counting amounts like `12,50` against `12.50`."""
    commas, points = len(_DECIMAL_COMMA.findall(text)), len(_DECIMAL_POINT.findall(text))
    decimal_comma = None if commas == points else commas > points
    return NumberStyle(decimal_comma=decimal_comma, whole_units=currency in WHOLE_UNIT_CURRENCIES)


def tidy_number_text(text: str) -> str:
    """Undo OCR slips inside numbers: a space after a separator (`3, 3333`), a doubled separator
    (`266,.000`); printed numbers have neither."""
    return _DOUBLED_SEPARATOR.sub(lambda m: m.group(0)[0], _SPACE_AFTER_SEPARATOR.sub("", text))


def parse_number(text: str, style: NumberStyle | None = None) -> ParsedNumber | None:
    """A whole cell or token as one number (with its currency, unit word or percent sign), else None."""
    match = _CELL.match(tidy_number_text(text))
    if not match:
        return None
    value = to_decimal(match["number"], style or NumberStyle())
    if value is None:
        return None
    if match["sign"] or match["sign2"] or match["trailing_sign"]:
        value = -value
    symbol = match["pre"] or match["post"]
    currency = CURRENCY_SYMBOLS.get(symbol, symbol) if symbol else None
    return ParsedNumber(value=value, currency=currency, unit=match["unit"], percent=bool(match["percent"]))


# Characters OCR puts where a digit was printed (`§,39` for `5,39`, `1O0` for `100`).
_DIGIT_LOOKALIKES = str.maketrans({"§": "5", "O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5",
                                    "B": "8", "Z": "2"})  # fmt: skip
_LOOKALIKE_TOKEN = re.compile(r"[\d§OoDlI|SBZ]+(?:[.,][\d§OoDlI|SBZ]+)*")


def repair_digits(text: str) -> str | None:
    """A numeric cell with one digit look-alike put right (`§,39` -> `5,39`); None when there is nothing to
    repair or the text is not mostly digits."""
    for token in text.split():
        if _LOOKALIKE_TOKEN.fullmatch(token):
            wrong = sum(not (ch.isdigit() or ch in ".,") for ch in token)
            if wrong == 1 and sum(ch.isdigit() for ch in token) >= 2:
                return text.replace(token, token.translate(_DIGIT_LOOKALIKES), 1)
    return None


def to_decimal(number: str, style: NumberStyle) -> Decimal | None:
    """Digits with separators -> Decimal; None when the grouping is not a number (`916 44 10`, `1.2.3`)."""
    spaced = re.split(r"[\u00a0\u202f '’]", number)
    if len(spaced) > 1:
        # Spaces and apostrophes only ever group thousands: every group after the first has three digits.
        if not all(re.fullmatch(r"\d{3}(?:[.,]\d+)?", group) for group in spaced[1:]) or len(spaced[0]) > 3:
            return None
        number = "".join(spaced)
    separators = [ch for ch in number if ch in ".,"]
    try:
        if not separators:
            return Decimal(number)
        if style.whole_units and _GROUPED.fullmatch(number) and not number.startswith("0"):
            return _whole(number)
        last = separators[-1]
        if len(set(separators)) == 2:
            integer, _, fraction = number.rpartition(last)
            thousands = integer.replace("." if last == "," else ",", "")
            if not _GROUPED.fullmatch(integer) and not integer.isdigit():
                return None
            return Decimal(f"{thousands}.{fraction}")
        if len(separators) > 1:
            return _whole(number) if _GROUPED.fullmatch(number) else None
        integer, _, fraction = number.partition(last)
        if len(fraction) != 3 or integer == "0":
            return Decimal(f"{integer}.{fraction}")
        # `1,234` / `1.234`: thousands unless the document writes decimals with this very separator.
        decimal_here = style.decimal_comma if last == "," else style.decimal_comma is False
        return Decimal(f"{integer}.{fraction}") if decimal_here else Decimal(integer + fraction)
    except InvalidOperation:
        return None


def _whole(number: str) -> Decimal | None:
    if not _GROUPED.fullmatch(number):
        return None
    return Decimal(re.sub(r"[.,]", "", number))


def find_numbers(text: str, style: NumberStyle | None = None) -> list[tuple[ParsedNumber, int, int]]:
    """Every amount-like token in free text, with its character span (for `Total EUR 34,73` lines)."""
    found = []
    for match in _AMOUNT_IN_TEXT.finditer(text):
        parsed = parse_number(match.group(0), style)
        if parsed is not None:
            found.append((parsed, match.start(), match.end()))
    return found


# Amounts in running text; digits glued to dates, codes or other digits (`12.03.2024`, `DE123`) are not amounts.
# Separators may carry OCR slips (`266,.000`, `3, 50`); parse_number tidies them.
_AMOUNT_IN_TEXT = re.compile(
    r"(?<![\w.,/-])(?:[€$£₩¥₹]\s?)?[-−]?"
    r"(?:\d{1,3}(?:(?:[.,][.,]?|[’'\u00a0\u202f]|\s(?=\d{3}(?!\d)))\d{3})+(?:[.,]\s?\d+)?|\d+(?:[.,]\s?\d+)?)"
    r"(?:\s?[€원%])?(?![\w/-]|[.,]\d)"
)

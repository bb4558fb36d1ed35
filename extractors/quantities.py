"""Quantities as Korean and English requests write them: `1,200개`, `2박스`, `3 cases`, `x 20`, `수량: 15`, `열 개`.

A number is a quantity only with something that says so: a unit after it, a label before it, or a
multiplication sign. Bare numbers are sizes or codes (M8, 6204, 20mm, 1/2"), prices (원, KRW, ₩), dates
or phone numbers, and are left alone. Units are normalised (`개`, `pcs`, `EA` -> "EA") so they can be
compared with the catalog's unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

QuantityForm = Literal["label", "unit", "times", "words"]

# Normalised unit -> the ways it is written. Matching is case-insensitive.
_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "EA": ("개", "ea", "pcs", "pc", "pce", "pces", "piece", "pieces", "unit", "units", "nos", "대"),
    "BOX": ("박스", "상자", "box", "boxes", "bx", "카톤", "ctn", "ctns", "carton", "cartons"),
    "CASE": ("케이스", "case", "cases", "cs"),
    "SET": ("세트", "셋트", "set", "sets"),
    "PACK": ("팩", "pack", "packs", "pk", "pkt", "pkts"),
    "PAIR": ("켤레", "족", "pair", "pairs"),
    "ROLL": ("롤", "roll", "rolls"),
    "SHEET": ("장", "매", "sheet", "sheets"),
    "BAG": ("봉지", "봉", "포대", "bag", "bags"),
    "BOTTLE": ("병", "bottle", "bottles"),
    "CAN": ("말통", "통", "can", "cans", "pail", "pails"),
    "DRUM": ("드럼", "drum", "drums"),
    "DOZEN": ("다스", "dozen", "doz"),
    "M": ("미터", "m", "meter", "meters", "metre", "metres"),
    "KG": ("킬로그램", "킬로", "키로", "kg", "kgs", "kilo", "kilos"),
    "L": ("리터", "l", "ℓ", "liter", "liters", "litre", "litres"),
    "TON": ("톤", "ton", "tons"),
}
MEASURE_UNITS = frozenset({"M", "KG", "L", "TON"})
COUNTABLE_UNITS = frozenset(_UNIT_WORDS) - MEASURE_UNITS
_UNIT_BY_WORD = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# A number glued to a Latin letter, a code separator or a currency sign is part of something else (M8, A-40,
# 010-1234, 3/15, 10:30, #40, ₩500); Hangul before a number is normal Korean ("베어링100개").
_NUMBER_START = r"(?<![A-Za-z0-9_.,\-/:#₩$])"
_UNIT_ALTERNATION = "|".join(sorted((re.escape(w) for w in _UNIT_BY_WORD), key=len, reverse=True))
# After a Latin unit no letter may follow (20mm is a size, not 20 m). Korean counters take particles
# (100개를, 2박스씩), but some syllables make another word of them: 개월 (months), 개입 (pieces per
# pack), 대로 (a street), 통화 (a call).
_LATIN_UNIT_END = r"(?:(?<=[A-Za-zℓ])(?![A-Za-z²³/])|(?<=[가-힣]))"
_NOT_A_COUNTER = {
    "개": ("월", "입", "년", "국", "사", "소", "층", "인"),
    "대": ("로", "학", "표", "략", "비", "신", "상", "부", "리", "기", "응", "금", "출", "형", "한"),
    "장": ("갑", "소", "님", "비", "점", "기", "애"),
    "매": ("일", "년", "월", "주", "출", "입", "장", "번", "달", "회"),
    "통": ("화", "해", "신", "관", "장", "합"),
    "병": ("원", "행"),
    "봉": ("투", "급"),
    "족": ("보", "하"),
    "롤": ("러",),
    "팩": ("스", "트"),
}
_MULTIPLIER = {"만": 10000, "천": 1000, "백": 100}
_WITH_UNIT = re.compile(
    rf"{_NUMBER_START}(?P<number>{_NUMBER})\s*(?P<multiplier>[만천백](?=\s*(?:{_UNIT_ALTERNATION})))?\s*"
    rf"(?P<unit>{_UNIT_ALTERNATION}){_LATIN_UNIT_END}(?P<each>\s*씩)?",
    re.I,
)
_LABEL = re.compile(
    rf"(?:(?:주문|발주|요청|필요|구매)?\s*수\s*량|q['’]?ty|quantity|qnty)\s*(?:은|는)?\s*[:：=]?\s*"
    rf"(?P<number>{_NUMBER})(?![\d.,]*\s*(?:원|krw|won|₩))(?:\s*(?P<unit>{_UNIT_ALTERNATION}){_LATIN_UNIT_END})?",
    re.I,
)
_TIMES = re.compile(
    rf"(?<![^\s(])[x×*]\s*(?P<number>{_NUMBER})(?![\d.,]*\s*(?:원|krw|won|₩|mm|cm|m\b|인치|\"|[x×*]\s*\d))(?![A-Za-z0-9])",
    re.I,
)
_NATIVE_UNITS = {
    "한": 1,
    "하나": 1,
    "두": 2,
    "둘": 2,
    "세": 3,
    "셋": 3,
    "석": 3,
    "네": 4,
    "넷": 4,
    "넉": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
_NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
_COUNTERS = ("개", "박스", "상자", "세트", "대", "장", "병", "통", "롤", "켤레", "팩", "봉지", "케이스")
_WORDS = re.compile(
    r"(?<![가-힣])(?P<tens>열|스물|스무|서른|마흔|쉰)?\s?(?P<units>하나|다섯|여섯|일곱|여덟|아홉|한|두|둘|세|셋|석|네|넷|넉)?"
    rf"\s?(?P<unit>{'|'.join(_COUNTERS)})",
)
# Sino-Korean numerals as a phone memo or a chat writes them (백 개, 이백 리터, 오십 미터): only with 십, 백 or 천 in
# them, so that 이 ("this") or 사 (a company) before a counter is never a number.
_SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SINO_POWERS = {"십": 10, "백": 100, "천": 1000}
_SINO_MEASURES = ("미터", "리터", "킬로그램", "킬로", "키로")
_SINO = re.compile(
    r"(?<![가-힣])(?P<sino>(?:[이삼사오육칠팔구]?천)?(?:[이삼사오육칠팔구]?백)?(?:[이삼사오육칠팔구]?십)?[일이삼사오육칠팔구]?)"
    rf"\s?(?P<unit>{'|'.join((*_SINO_MEASURES, *_COUNTERS))})",
)
# A thread size before " x 30" makes it a dimension (M8 x 30), not a count; so does a chain (20 x 30 x 5).
# "8mm x 100" stays a count: whether 100 is part of the item's name is for the catalog to say.
_DIMENSION_BEFORE = re.compile(r"(?:(?:^|\s)m\d+(?:\.\d+)?|\d\s*[x×*]\s*\d+)\s*$", re.I)
_EACH_BEFORE = re.compile(r"(?:각|each|각각)\s*$", re.I)


@dataclass(frozen=True)
class QuantityMention:
    """One stated quantity: the value, its normalised unit (None when not written) and where it was."""

    value: Decimal
    unit: str | None
    start: int
    end: int
    text: str
    form: QuantityForm
    each: bool = False  # "각 10개", "10개씩": the same quantity for every item named before it

    @property
    def is_measure(self) -> bool:
        return self.unit in MEASURE_UNITS


def normalize_unit(unit: str | None) -> str | None:
    """`개`/`pcs`/`EA` -> "EA", `박스`/`box` -> "BOX", ...; an unknown unit comes back upper-cased."""
    if not unit:
        return None
    cleaned = unit.strip().lower()
    return _UNIT_BY_WORD.get(cleaned, cleaned.upper())


def find_quantities(text: str) -> list[QuantityMention]:
    """Every quantity in the text, in order, without overlaps (a label beats a unit beats `x N`)."""
    found: list[QuantityMention] = []
    for match in _LABEL.finditer(text):
        if _counter_here(text, match):
            found.append(_mention(text, match, "label"))
    for match in _WITH_UNIT.finditer(text):
        if _counter_here(text, match):
            found.append(_mention(text, match, "unit"))
    for match in _TIMES.finditer(text):
        if not _DIMENSION_BEFORE.search(text[max(0, match.start() - 16) : match.start()]):
            found.append(_mention(text, match, "times"))
    for match in _WORDS.finditer(text):
        value = _NATIVE_TENS.get(match.group("tens") or "", 0) + _NATIVE_UNITS.get(match.group("units") or "", 0)
        if value and _counter_here(text, match):
            unit = normalize_unit(match.group("unit"))
            found.append(QuantityMention(Decimal(value), unit, match.start(), match.end(), match.group(), "words"))
    for match in _SINO.finditer(text):
        value = _sino_value(match.group("sino"))
        if value and _counter_here(text, match):
            unit = normalize_unit(match.group("unit"))
            found.append(QuantityMention(Decimal(value), unit, match.start(), match.end(), match.group(), "words"))
    chosen: list[QuantityMention] = []
    for mention in found:  # already in priority order
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _sino_value(numeral: str) -> int:
    """이백오십 -> 250, 백 -> 100; 0 unless a power (십, 백, 천) is written."""
    if not any(power in numeral for power in _SINO_POWERS):
        return 0
    total = digit = 0
    for ch in numeral:
        if ch in _SINO_DIGITS:
            digit = _SINO_DIGITS[ch]
        else:
            total += (digit or 1) * _SINO_POWERS[ch]
            digit = 0
    return total + digit


def _counter_here(text: str, match: re.Match[str]) -> bool:
    """False when the Korean counter just matched is the start of another word (개월, 대로, 통화)."""
    unit = match.groupdict().get("unit")
    if not unit:
        return True
    following = text[match.end("unit") : match.end("unit") + 2]
    return not following.startswith(_NOT_A_COUNTER.get(unit, ()))


def _mention(text: str, match: re.Match[str], form: QuantityForm) -> QuantityMention:
    groups = match.groupdict()
    value = parse_decimal(groups["number"]) or Decimal(0)
    if groups.get("multiplier"):
        value *= _MULTIPLIER[groups["multiplier"]]
    each = bool(groups.get("each")) or bool(_EACH_BEFORE.search(text[max(0, match.start() - 6) : match.start()]))
    return QuantityMention(
        value=value,
        unit=normalize_unit(groups.get("unit")),
        start=match.start(),
        end=match.end(),
        text=match.group(),
        form=form,
        each=each,
    )


def parse_decimal(text: str) -> Decimal | None:
    """`1,200` -> 1200, `1.5` -> 1.5; None for anything else."""
    cleaned = text.strip().replace(",", "")
    if not re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def parse_cell_quantity(cell: str) -> tuple[Decimal, str | None] | None:
    """A quantity column's cell: `100`, `1,200`, `100 EA`, `15개`. None when it holds anything else."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*({_UNIT_ALTERNATION})?\s*", cell, re.I)
    if not match:
        return None
    value = parse_decimal(match.group(1))
    return (value, normalize_unit(match.group(2))) if value is not None else None

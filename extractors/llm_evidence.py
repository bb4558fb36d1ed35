"""Where the LLM's values are in the source text: a value the model cannot point to is a value to doubt.

The model returns text, not offsets. Each value is looked for in the lines the rules read (same parts, pages,
offsets, word boxes and OCR confidences), so an LLM value gets the same kind of evidence a rules value has.
Matching ignores case, spaces and punctuation ("6204 ZZ" is "6204ZZ") and tolerates small OCR slips.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from extractors.quantities import find_quantities
from extractors.rules_lines import SourceLine
from schemas.fields import Evidence

MIN_SPAN_SCORE = 0.8


@dataclass(frozen=True)
class Located:
    line: SourceLine
    start: int  # in line.text
    end: int
    score: float  # how well the value matched the span, in [0, 1]

    def evidence(self) -> Evidence:
        return self.line.evidence(self.start, self.end)

    @property
    def ocr_confidence(self) -> float:
        return self.line.ocr_confidence(self.start, self.end)


def _folded(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits only, with each kept character's offset in the original."""
    kept, offsets = [], []
    for index, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).lower()
        if len(folded) == 1 and folded.isalnum():
            kept.append(folded)
            offsets.append(index)
    return "".join(kept), offsets


def locate(value: str, lines: list[SourceLine], min_score: float = MIN_SPAN_SCORE) -> Located | None:
    """The span of `lines` that best matches `value`, if it matches well enough."""
    key, _ = _folded(value)
    if len(key) < 2:
        return None
    best: Located | None = None
    for line in lines:
        folded, offsets = _folded(line.text)
        if not folded:
            continue
        alignment = fuzz.partial_ratio_alignment(key, folded)
        score = alignment.score / 100
        # A value longer than the line can only match part of itself: scale by how much of it the line covers.
        score *= min(1.0, len(folded) / len(key))
        if score >= min_score and (best is None or score > best.score):
            start = offsets[alignment.dest_start]
            end = offsets[max(alignment.dest_start, alignment.dest_end - 1)] + 1
            best = Located(line, start, end, score)
    return best


WORDS_SCORE = 0.7  # every word of the value on one line, but not together: weaker than a span


def locate_words(value: str, lines: list[SourceLine]) -> Located | None:
    """The line holding every word of `value`, when the words are not written together ("같은 규격 너트" read as
    "M8 너트" from a sentence about M8 bolts). The span is the last word, the noun that names the product
    (너트, hinges): the words before it may belong to another item on the line."""
    words = [folded for word in value.split() if len(folded := _folded(word)[0]) >= 2]
    if not words:
        return None
    for line in lines:
        folded, offsets = _folded(line.text)
        if folded and all(word in folded for word in words):
            start = folded.find(words[-1])
            return Located(line, offsets[start], offsets[start + len(words[-1]) - 1] + 1, WORDS_SCORE)
    return None


def _bare_number(quantity: Decimal, line: SourceLine) -> Located | None:
    """A table row states the quantity as a bare number in its own cell ("2", "1,500")."""
    whole = quantity == quantity.to_integral_value()
    written = {f"{quantity:,.0f}", f"{quantity:.0f}"} if whole else {format(quantity.normalize(), "f")}
    alternatives = "|".join(re.escape(w) for w in sorted(written, key=len, reverse=True))
    match = re.search(rf"(?<![\w.,-])(?:{alternatives})(?![\w.,-])", line.text)
    return Located(line, match.start(), match.end(), 0.8) if match else None


_ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _english_words(quantity: Decimal) -> list[str]:
    """How English prose spells a count up to 999 ("forty", "twenty-five", "a hundred", "a dozen")."""
    if quantity != quantity.to_integral_value() or not 0 < quantity < 1000:
        return []
    number = int(quantity)
    hundreds, rest = divmod(number, 100)
    if rest < 20:
        tail = [_ONES[rest]] if rest else []
    else:
        tens, ones = divmod(rest, 10)
        tail = [f"{_TENS[tens]}{sep}{_ONES[ones]}" for sep in ("-", " ")] if ones else [_TENS[tens]]
    if not hundreds:
        return tail + (["a dozen"] if number == 12 else [])
    heads = [f"{_ONES[hundreds]} hundred"] + (["a hundred"] if hundreds == 1 else [])
    if not tail:
        return heads
    return [f"{head} {joint}{t}" for head in heads for joint in ("", "and ") for t in tail]


def _spelled(quantity: Decimal, line: SourceLine) -> Located | None:
    """The count written out in words in a sentence ("we'd need about forty of the ...")."""
    words = sorted(_english_words(quantity), key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    match = re.search(rf"(?<![\w-])(?:{alternatives})(?![\w-])", line.text, re.IGNORECASE)
    return Located(line, match.start(), match.end(), 0.9) if match else None


def locate_quantity(quantity: Decimal, near: SourceLine | None, lines: list[SourceLine]) -> Located | None:
    """The stated quantity equal to `quantity`: on the item's own line first (a bare number or the number in words
    there counts), else a stated quantity anywhere (scored lower: it may belong to another item)."""
    ordered = ([near] if near is not None else []) + [line for line in lines if line is not near]
    for line in ordered:
        for mention in find_quantities(line.text):
            if mention.value == quantity:
                return Located(line, mention.start, mention.end, 1.0 if line is near else 0.6)
        if line is near and (found := _bare_number(quantity, line) or _spelled(quantity, line)):
            return found
    return None

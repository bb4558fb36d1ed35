"""Line items from both readers: the LLM's items mapped to the catalog, paired with the rules' items, merged.

An LLM item is matched to the catalog by its own words (description and code) and located in the source text.
Pairs are made by SKU, else by place (both readers point at the same span). Then, per field: same value ->
more sure than either alone; different values -> unsure and named as a disagreement; an item only one
reader found -> less sure, and named too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.llm import LLMItem, LLMOutput
from extractors.llm_evidence import Located, locate, locate_quantity, locate_words
from extractors.matching import CatalogMatcher, ItemMatch
from extractors.quantities import find_quantities, normalize_unit
from extractors.rules_lines import SourceLine
from schemas.extraction import LineItem
from schemas.fields import Evidence, ExtractedField

AGREEMENT_BONUS = 0.05
DISAGREEMENT_FACTOR = 0.5
SINGLE_SOURCE_FACTOR = 0.7
LLM_QUANTITY_CONFIDENCE = 0.85
NOT_FOUND_FACTOR = 0.5  # a value the LLM gave that is nowhere in the text
UNREPORTED_FACTOR = 0.6  # a rules item the LLM did not list
WEAK_MATCH = 0.5  # below this the LLM's words name no one catalog item ("베어링" alone): no vote on the SKU


@dataclass(frozen=True)
class LLMItemReading:
    item: LLMItem
    quantity: Decimal | None
    match: ItemMatch | None
    where: Located | None
    quantity_at: Located | None

    @property
    def sku(self) -> str | None:
        return self.match.sku if self.match else None

    @property
    def sku_confidence(self) -> float:
        if self.match is None:
            return 0.0
        found = self.where.score * self.where.ocr_confidence if self.where else NOT_FOUND_FACTOR
        return self.match.confidence * found

    @property
    def quantity_on_own_line(self) -> bool:
        """The LLM's quantity is stated on the line its item was found on (not merely somewhere in the text)."""
        return self.where is not None and self.quantity_at is not None and self.quantity_at.line is self.where.line

    @property
    def quantity_confidence(self) -> float:
        if self.quantity is None:
            return 0.0
        at = self.quantity_at
        return LLM_QUANTITY_CONFIDENCE * (at.score * at.ocr_confidence if at else NOT_FOUND_FACTOR)

    def evidence(self) -> list[Evidence]:
        return [self.where.evidence()] if self.where else []

    def quantity_evidence(self) -> list[Evidence]:
        return [self.quantity_at.evidence()] if self.quantity_at else []


def _as_decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(int(value)) if float(value).is_integer() else Decimal(str(value))


def _where(item: LLMItem, lines: list[SourceLine]) -> Located | None:
    """The description's span, or the code's when it is found better (a table row's code column)."""
    found = [
        located for phrase in (item.description, item.sku_or_code) if phrase and (located := locate(phrase, lines))
    ]
    best = max(found, key=lambda located: located.score, default=None)
    return best or locate_words(item.description, lines)


def read_llm_items(output: LLMOutput, catalog: CatalogMatcher, lines: list[SourceLine]) -> list[LLMItemReading]:
    readings = []
    for item in output.items:
        # A code the model wrote that is nowhere in the text (6204ZZ for "the rubber-sealed 6204s") is its guess,
        # not the sender's words: the item is matched by what the sender wrote.
        code = item.sku_or_code if item.sku_or_code and locate(item.sku_or_code, lines) else ""
        phrase = item.description if code.lower() in item.description.lower() else f"{item.description} {code}"
        where = _where(item, lines)
        quantity = _as_decimal(item.quantity)
        quantity_at = locate_quantity(quantity, where.line if where else None, lines) if quantity is not None else None
        readings.append(LLMItemReading(item, quantity, catalog.best(phrase), where, quantity_at))
    return readings


def _spans_overlap(evidence: list[Evidence], theirs: Evidence) -> bool:
    return any(
        e.part == theirs.part and e.start is not None and e.end is not None and theirs.start is not None
        and theirs.end is not None and e.start < theirs.end and theirs.start < e.end
        for e in evidence
    )  # fmt: skip


def _overlaps(evidence: list[Evidence], reading: LLMItemReading) -> bool:
    return reading.where is not None and _spans_overlap(evidence, reading.where.evidence())


def _another_item(item: LineItem, reading: LLMItemReading) -> bool:
    """In a stretch of prose the rules read as one item, the LLM names a different catalog item with a quantity
    ("...유압호스 반 인치 50미터 하고요 ... 작동유 46번 200리터"): not a second reading of the same item."""
    if reading.sku is None or reading.sku == item.sku.value or reading.quantity_at is None:
        return False
    # A quantity stated once for two items ("볼트 200개랑 같은 규격 너트도 같은 수량으로") is theirs both when the
    # model's words name the other item well.
    named_well = reading.match is not None and reading.match.confidence >= WEAK_MATCH
    return named_well or not _spans_overlap(item.quantity.evidence, reading.quantity_at.evidence())


def _same_place(item: LineItem, reading: LLMItemReading) -> bool:
    """The reading points at the item's name, or into the item's text without naming another item there."""
    if _overlaps(item.sku.evidence, reading):
        return True
    return _overlaps(item.description.evidence, reading) and not _another_item(item, reading)


def _pair(
    rules_items: list[LineItem], readings: list[LLMItemReading]
) -> list[tuple[LineItem | None, LLMItemReading | None]]:
    unpaired = list(readings)
    pairs: list[tuple[LineItem | None, LLMItemReading | None]] = []
    for item in rules_items:
        partner = next((r for r in unpaired if item.sku.value and r.sku == item.sku.value), None)
        if partner is None:
            partner = next((r for r in unpaired if _same_place(item, r)), None)
        if partner is not None:
            unpaired.remove(partner)
        pairs.append((item, partner))
    return pairs + [(None, reading) for reading in unpaired]


def merge_items(
    rules_items: list[LineItem], readings: list[LLMItemReading], disagreements: list[str], notes: list[str]
) -> list[LineItem]:
    """The merged items; `disagreements` and `notes` collect what a reviewer should be told."""
    merged: list[LineItem] = []
    for item, reading in _pair(rules_items, readings):
        number = len(merged) + 1
        if item is not None and reading is not None:
            merged.append(_both(item, reading, number, disagreements))
        elif item is not None:
            merged.append(_rules_only(item, number, disagreements))
        elif reading is not None and reading.where is not None and reading.quantity_on_own_line:
            if any(_same_place(m, reading) for m in merged):
                # A piece of a line already read as an item: the model split one line in two ("기어오일 20L",
                # then "말통").
                notes.append(f"the LLM also listed '{reading.item.description}', part of an item above: ignored")
            elif not _names_a_product(reading.item.description):
                notes.append(f"the LLM also listed '{reading.item.description}', a quantity, not a product: ignored")
            else:
                merged.append(_llm_only(reading, reading.where, number, disagreements))
        elif reading is not None:
            # Words or a quantity that are nowhere on one line of the document: a small model invents some.
            notes.append(f"the LLM also listed '{reading.item.description}', not stated in the text: ignored")
    return merged


def _names_a_product(description: str) -> bool:
    """A word or code besides the quantities: "200리터" alone is a quantity the model split off its item."""
    chars = list(description)
    for mention in find_quantities(description):
        chars[mention.start : mention.end] = " " * (mention.end - mention.start)
    return re.search(r"[^\W_]", "".join(chars)) is not None


def _both(item: LineItem, reading: LLMItemReading, number: int, disagreements: list[str]) -> LineItem:
    return item.model_copy(
        update={
            "sku": _merge_sku(item.sku, reading, number, disagreements),
            "quantity": _merge_quantity(item, reading, number, disagreements),
            "unit": item.unit or _llm_unit(reading),
        }
    )


def _merge_sku(
    rules: ExtractedField[str | None], reading: LLMItemReading, number: int, disagreements: list[str]
) -> ExtractedField[str | None]:
    llm_sku, llm_confidence = reading.sku, reading.sku_confidence
    if reading.match is None or reading.match.confidence < WEAK_MATCH:
        note = f"the LLM's wording '{reading.item.description}' names no single catalog item"
        return rules.model_copy(update={"notes": [*rules.notes, note]})
    if rules.value is not None and rules.value == llm_sku:
        confidence = min(1.0, max(rules.confidence, llm_confidence) + AGREEMENT_BONUS)
        return rules.model_copy(
            update={"confidence": round(confidence, 4), "source": "both", "notes": [*rules.notes, "the LLM agrees"]}
        )
    if rules.value is None:
        return ExtractedField[str | None](
            value=llm_sku,
            confidence=round(llm_confidence * SINGLE_SOURCE_FACTOR, 4),
            evidence=reading.evidence(),
            source="llm",
            notes=[*rules.notes, f"only the LLM matched this line: '{reading.item.description}'"],
        )
    disagreements.append(f"line {number}: SKU {rules.value} (rules) vs {llm_sku} (LLM)")
    keep_rules = rules.confidence >= llm_confidence
    return ExtractedField[str | None](
        value=rules.value if keep_rules else llm_sku,
        confidence=round(min(rules.confidence, llm_confidence) * DISAGREEMENT_FACTOR, 4),
        evidence=rules.evidence if keep_rules else reading.evidence(),
        source="rules" if keep_rules else "llm",
        notes=[*rules.notes, f"LLM and rules disagree: {rules.value} (rules) vs {llm_sku} (LLM)"],
    )


def _other_counts(item: LineItem) -> list[Decimal]:
    """Quantities other than the rules' value stated in the item's own text (a size in another unit is none)."""
    unit = item.unit.value if item.unit else None
    stated = [m for m in find_quantities(item.description.value) if not m.is_measure or m.unit == unit]
    return sorted({m.value for m in stated} - {item.quantity.value})


def _merge_quantity(
    item: LineItem, reading: LLMItemReading, number: int, disagreements: list[str]
) -> ExtractedField[Decimal | None]:
    rules, llm_quantity, llm_confidence = item.quantity, reading.quantity, reading.quantity_confidence
    if rules.value is not None and rules.value == llm_quantity and (others := _other_counts(item)):
        # "200개 말고 300개로": both readers picking one of the counts the item's text states does not settle which
        # one the sender meant; the doubt the rules measured stands.
        note = f"the LLM agrees, but the text also states {', '.join(map(str, others))} for this item"
        return rules.model_copy(update={"notes": [*rules.notes, note]})
    if rules.value is not None and rules.value == llm_quantity:
        # Two independent readings of the same number: each one's doubt must be wrong for the value to be.
        confidence = 1 - (1 - rules.confidence) * (1 - llm_confidence)
        return rules.model_copy(
            update={"confidence": round(confidence, 4), "source": "both", "notes": [*rules.notes, "the LLM agrees"]}
        )
    if llm_quantity is None:
        return rules.model_copy(update={"notes": [*rules.notes, "the LLM gave no quantity"]})
    if rules.value is not None and not reading.quantity_on_own_line:
        # A number the model did not read from this item's line ("PC10-03 x 300" -> 10) is no evidence against
        # the rules' reading of that line.
        note = f"the LLM's quantity {llm_quantity} is not stated on this item's line: not compared"
        return rules.model_copy(update={"notes": [*rules.notes, note]})
    if rules.value is None:
        return ExtractedField[Decimal | None](
            value=llm_quantity,
            confidence=round(llm_confidence * SINGLE_SOURCE_FACTOR, 4),
            evidence=reading.quantity_evidence(),
            source="llm",
            notes=[*rules.notes, "only the LLM found a quantity"],
        )
    disagreements.append(f"line {number}: quantity {rules.value} (rules) vs {llm_quantity} (LLM)")
    keep_rules = rules.confidence >= llm_confidence
    return ExtractedField[Decimal | None](
        value=rules.value if keep_rules else llm_quantity,
        confidence=round(min(rules.confidence, llm_confidence) * DISAGREEMENT_FACTOR, 4),
        evidence=rules.evidence if keep_rules else reading.quantity_evidence(),
        source="rules" if keep_rules else "llm",
        notes=[*rules.notes, f"LLM and rules disagree: {rules.value} (rules) vs {llm_quantity} (LLM)"],
    )


def _llm_unit(reading: LLMItemReading) -> ExtractedField[str | None] | None:
    unit = normalize_unit(reading.item.unit)
    if unit is None:
        return None
    return ExtractedField[str | None](value=unit, confidence=0.7, source="llm", notes=["unit as the LLM read it"])


def _rules_only(item: LineItem, number: int, disagreements: list[str]) -> LineItem:
    disagreements.append(f"line {number}: the LLM did not list '{item.description.value}'")
    note = "the LLM did not list this item"
    return item.model_copy(
        update={
            "sku": item.sku.model_copy(
                update={
                    "confidence": round(item.sku.confidence * UNREPORTED_FACTOR, 4),
                    "notes": [*item.sku.notes, note],
                }
            ),
            "quantity": item.quantity.model_copy(
                update={
                    "confidence": round(item.quantity.confidence * UNREPORTED_FACTOR, 4),
                    "notes": [*item.quantity.notes, note],
                }
            ),
        }
    )


def _llm_only(reading: LLMItemReading, where: Located, number: int, disagreements: list[str]) -> LineItem:
    description = reading.item.description
    disagreements.append(f"line {number}: only the LLM listed '{description}'")
    note = "only the LLM listed this item"
    return LineItem(
        description=ExtractedField[str](
            value=description,
            confidence=round(where.score * where.ocr_confidence, 4),
            evidence=reading.evidence(),
            source="llm",
        ),
        sku=ExtractedField[str | None](
            value=reading.sku,
            confidence=round(reading.sku_confidence * SINGLE_SOURCE_FACTOR, 4),
            evidence=reading.evidence(),
            source="llm",
            notes=[note, *(f"matched by {reading.match.method}", *reading.match.notes)] if reading.match else [note],
        ),
        quantity=ExtractedField[Decimal | None](
            value=reading.quantity,
            confidence=round(reading.quantity_confidence * SINGLE_SOURCE_FACTOR, 4),
            evidence=reading.quantity_evidence(),
            source="llm",
            notes=[note],
        ),
        unit=_llm_unit(reading),
    )

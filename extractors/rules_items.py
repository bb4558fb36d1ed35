"""Line items from tables and lines: description, SKU, quantity and unit, each with confidence and evidence.

Tables with a recognisable header are read by column (extractors.rules_tables). Other lines are read one
by one: quantities found (extractors.quantities), the item named in the rest (extractors.matching), a line
naming several items split per item. A quantity must sit in the item's own stretch of the line, unless it
is stated for all ("각 10개", "10개씩"). Sizes that are part of the item's name (20L in "기어오일 20L")
are not its quantity. What cannot be matched to the catalog is still reported, with SKU confidence 0,
so a person sees it.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from extractors.matching import CatalogMatcher, ItemMatch
from extractors.quantities import QuantityMention, find_quantities, normalize_unit
from extractors.rules_fields import (
    LETTER,
    NOISE,
    UNIT_MISMATCH,
    MaybeText,
    QuantityField,
    Reading,
    TextField,
    unit_field,
    unit_mismatch,
)
from extractors.rules_lines import DocumentLines, SourceLine
from extractors.rules_tables import TableReader, table_lines
from extractors.tokens import tokenize
from schemas.extraction import LineItem

MAX_ITEMS = 200
MAX_LINES = 2000  # an order is not longer; a longer text is read in part and goes to a person
_FORM_CONFIDENCE = {"label": 0.95, "unit": 0.95, "words": 0.85, "times": 0.85}
_SHARED_QUANTITY = 0.85
_BULLET = re.compile(r"^\s*(?:[-*•·▪▫◦‣⁃○●□■☐✓✔>]+|\(?\d{1,2}[.)](?!\d)|[①-⑳])\s*")


class ItemReader:
    def __init__(self, catalog: CatalogMatcher) -> None:
        self.catalog = catalog
        self.tables = TableReader(catalog)

    def read(self, lines: DocumentLines) -> tuple[list[LineItem], list[str]]:
        """The items of a document, and notes on what was set aside and why."""
        notes: list[str] = []
        readings: list[Reading] = []
        consumed: set[SourceLine] = set()
        from_tables: set[tuple[str, str | None, Decimal | None]] = set()
        for table in lines.tables:
            if consumed.intersection(table.lines):
                continue  # the same rows as a ruled table already read (its lines also hold tabs)
            found = self.tables.read(table)
            if found:
                readings.extend(found)
                consumed.update(table_lines(table))
                from_tables.update((r.part, *r.key) for r in found)
        # Lines in a table's area that no row was tied to (a row the table detector missed, a wrapped cell)
        # are read as lines; what they repeat of the table is dropped.
        request = [line for line in lines.request if line not in consumed]
        if len(request) > MAX_LINES:
            notes.append(f"only the first {MAX_LINES} of {len(request)} lines were read for items")
            request = request[:MAX_LINES]
        readings.extend(r for r in self._lines(request) if (r.part, *r.key) not in from_tables)
        if not readings and lines.subject is not None:
            readings.extend(self._lines([lines.subject]))
        readings = _drop_repeated_sources(readings, notes)
        if any(r.has_quantity for r in readings):
            unquantified = [r for r in readings if not r.has_quantity]
            if unquantified:
                notes.append(
                    f"{len(unquantified)} mention(s) of catalog items without a quantity were not read as items"
                )
            readings = [r for r in readings if r.has_quantity]
        if len(readings) > MAX_ITEMS:
            notes.append(f"only the first {MAX_ITEMS} of {len(readings)} items were kept")
            readings = readings[:MAX_ITEMS]
        return [r.item for r in readings], notes

    # ---- lines

    def _lines(self, lines: list[SourceLine]) -> list[Reading]:
        readings = []
        skip_next = False
        for index, line in enumerate(lines):
            if skip_next:
                skip_next = False
                continue
            found = self._line(line)
            following = lines[index + 1] if index + 1 < len(lines) else None
            if len(found) == 1 and not found[0].has_quantity and following is not None:
                # "품명: 6204 베어링" then "수량: 100개" on the next line.
                completed = self._with_quantity_below(found[0], following)
                if completed is not None:
                    found, skip_next = [completed], True
            readings.extend(found)
        return readings

    def _line(self, line: SourceLine) -> list[Reading]:
        text = line.text
        if not text.strip() or len(text) > 300:
            return []
        mentions = find_quantities(text)
        noise = [m.span() for m in NOISE.finditer(text)]
        every = [(m.start, m.end) for m in mentions] + noise
        shared = next((m for m in mentions if m.each), None)
        readings = []
        for span in self.catalog.segments(text, every):
            in_span = [m for m in mentions if span[0] <= m.start and m.end <= span[1]]
            matches = self._matches(text, mentions, noise, span)
            if not matches:
                reading = self._unmatched(line, span, in_span, every)
            else:
                reading = _better([self._matched(line, span, match, in_span, shared) for match in matches])
            if reading is not None:
                readings.append(reading)
        return readings

    def _matches(
        self, text: str, mentions: list[QuantityMention], noise: list[tuple[int, int]], span: tuple[int, int]
    ) -> list[ItemMatch]:
        """Two readings: a size like `20L` taken as the quantity, or kept as part of the name."""
        every = [(m.start, m.end) for m in mentions] + noise
        found = {self.catalog.best(text, every, span)}
        if any(m.is_measure for m in mentions):
            counts_only = [(m.start, m.end) for m in mentions if not m.is_measure] + noise
            found.add(self.catalog.best(text, counts_only, span))
        return [m for m in found if m is not None]

    def _matched(
        self,
        line: SourceLine,
        span: tuple[int, int],
        match: ItemMatch,
        mentions: list[QuantityMention],
        shared: QuantityMention | None,
    ) -> Reading:
        catalog_unit = normalize_unit(self.catalog.items[match.sku].unit)
        usable = [m for m in mentions if self._is_quantity_of(m, match, catalog_unit)]
        notes: list[str] = []
        quantity: QuantityMention | None = None
        confidence = 0.0
        if usable:
            quantity = min(usable, key=lambda m: list(_FORM_CONFIDENCE).index(m.form))
            confidence = _FORM_CONFIDENCE[quantity.form]
            if len(usable) > 1:
                confidence *= 0.7
                notes.append("more than one quantity stated for this item: " + ", ".join(m.text for m in usable))
        elif shared is not None and self._is_quantity_of(shared, match, catalog_unit):
            quantity, confidence = shared, _SHARED_QUANTITY
            notes.append(f"quantity '{shared.text}' stated for several items")
        sku_ocr = line.ocr_confidence(match.start, match.end)
        sku_field = MaybeText(
            value=match.sku,
            confidence=round(match.confidence * (0.5 + 0.5 * sku_ocr), 4),
            evidence=[line.evidence(match.start, match.end)],
            notes=[f"matched by {match.method}", *match.notes],
        )
        item = LineItem(
            description=_description(line, span),
            sku=sku_field,
            quantity=_quantity_field(line, quantity, confidence, catalog_unit, notes),
            unit=_unit_field(line, quantity, catalog_unit),
        )
        return Reading(item, line.part, quantity is not None, [line])

    def _is_quantity_of(self, mention: QuantityMention, match: ItemMatch, catalog_unit: str | None) -> bool:
        if mention.start < match.end and match.start < mention.end:
            return False  # the size is part of the name the item was matched by ("기어오일 20L")
        if mention.is_measure and mention.unit != catalog_unit:
            return False  # 20mm, 1m in a name: a size, unless the item is sold by that measure
        if mention.form == "times":
            # "M8x30 x 30": a number that is part of the item's name is not its quantity.
            return str(mention.value) not in self.catalog.vocabulary(match.sku)
        return True

    def _unmatched(
        self, line: SourceLine, span: tuple[int, int], mentions: list[QuantityMention], blank: list[tuple[int, int]]
    ) -> Reading | None:
        """A line that states a count of something the catalog does not know: reported for a person to map."""
        stated = [m for m in mentions if m.form in ("label", "unit", "words") and not m.is_measure]
        if not stated or len(line.text) > 120:
            return None
        chars = list(line.text)
        for start, end in blank:
            chars[start:end] = " " * (end - start)
        words = [t for t in tokenize("".join(chars)[span[0] : span[1]]) if not t.is_filler]
        if not words or not LETTER.search(" ".join(t.text for t in words)):
            return None
        quantity = stated[0]
        sku = MaybeText(
            value=None, confidence=0.0, evidence=[line.evidence(*span)], notes=["no catalog item matches this line"]
        )
        item = LineItem(
            description=_description(line, span),
            sku=sku,
            quantity=_quantity_field(line, quantity, _FORM_CONFIDENCE[quantity.form], None, []),
            unit=_unit_field(line, quantity, None),
        )
        return Reading(item, line.part, True, [line])

    def _with_quantity_below(self, reading: Reading, below: SourceLine) -> Reading | None:
        labelled = [m for m in find_quantities(below.text) if m.form == "label"]
        if len(labelled) != 1 or self.catalog.best(below.text, [(labelled[0].start, labelled[0].end)]):
            return None
        sku = reading.item.sku.value
        catalog_unit = normalize_unit(self.catalog.items[sku].unit) if sku else None
        item = reading.item.model_copy(
            update={
                "quantity": _quantity_field(below, labelled[0], _FORM_CONFIDENCE["label"], catalog_unit, []),
                "unit": _unit_field(below, labelled[0], catalog_unit),
            }
        )
        return Reading(item, reading.part, True, [*reading.lines, below])


def _better(readings: list[Reading]) -> Reading:
    """The reading with the surer SKU, then the surer quantity; two different items about as sure: doubt both."""
    ranked = sorted(readings, key=lambda r: (r.item.sku.confidence, r.item.quantity.confidence), reverse=True)
    best = ranked[0]
    if (
        len(ranked) > 1
        and ranked[1].item.sku.value != best.item.sku.value
        and best.item.sku.confidence - ranked[1].item.sku.confidence < 0.05
    ):
        sku = best.item.sku
        doubted = sku.model_copy(
            update={
                "confidence": round(sku.confidence * 0.7, 4),
                "notes": [*sku.notes, f"as likely: {ranked[1].item.sku.value} (is the size the quantity?)"],
            }
        )
        best = Reading(best.item.model_copy(update={"sku": doubted}), best.part, best.has_quantity, best.lines)
    return best


def _drop_repeated_sources(readings: list[Reading], notes: list[str]) -> list[Reading]:
    """A mail that lists the items and attaches the same order: read the items once (from the attachment)."""
    by_part: dict[str, Counter[tuple[str | None, Decimal | None]]] = {}
    for reading in readings:
        by_part.setdefault(reading.part, Counter())[reading.key] += 1
    in_body = {r.part for r in readings if r.lines and r.lines[0].origin in ("body", "subject")}
    dropped: set[str] = set()
    # Most items first; of equals, the attachment (the order document itself, with page and box) is kept.
    ordered = sorted(by_part, key=lambda p: (sum(by_part[p].values()), p not in in_body), reverse=True)
    for part in reversed(ordered):
        for other in ordered:
            if other != part and other not in dropped and not (by_part[part] - by_part[other]):
                dropped.add(part)
                notes.append(f"items in {part} repeat those in {other}; read once")
                break
    return [r for r in readings if r.part not in dropped]


def _description(line: SourceLine, span: tuple[int, int]) -> TextField:
    start, end = span
    bullet = _BULLET.match(line.text[start:end])
    if bullet:
        start += bullet.end()
    text = line.text[start:end].strip(" ,;/\t")
    return TextField(
        value=text, confidence=round(line.ocr_confidence(start, end), 4), evidence=[line.evidence(start, end)]
    )


def _quantity_field(
    line: SourceLine, mention: QuantityMention | None, confidence: float, catalog_unit: str | None, notes: list[str]
) -> QuantityField:
    if mention is None:
        return QuantityField(value=None, confidence=0.0, notes=["no quantity found", *notes])
    notes = list(notes)
    if mismatch := unit_mismatch(mention.unit, catalog_unit):
        confidence *= UNIT_MISMATCH
        notes.append(mismatch)
    confidence *= line.ocr_confidence(mention.start, mention.end)
    return QuantityField(
        value=mention.value,
        confidence=round(confidence, 4),
        evidence=[line.evidence(mention.start, mention.end)],
        notes=notes,
    )


def _unit_field(line: SourceLine, mention: QuantityMention | None, catalog_unit: str | None) -> MaybeText:
    stated = mention.unit if mention is not None else None
    evidence = [line.evidence(mention.start, mention.end)] if mention is not None and stated else []
    return unit_field(stated, evidence, catalog_unit)

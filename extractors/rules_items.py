"""Line items from tables and lines: description, SKU, quantity and unit, each with confidence and evidence.

Tables with a recognisable header (품명/수량, Description/Qty) are read by column. Other lines are read one
by one: quantities found (extractors.quantities), the item named in the rest (extractors.matching), a line
naming several items split per item. A quantity must sit in the item's own stretch of the line, unless it
is stated for all ("각 10개", "10개씩"). Sizes that are part of the item's name (20L in "기어오일 20L")
are not its quantity. What cannot be matched to the catalog is still reported, with SKU confidence 0,
so a person sees it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.matching import CatalogMatcher, ItemMatch
from extractors.quantities import QuantityMention, find_quantities, normalize_unit, parse_cell_quantity
from extractors.rules_lines import DocumentLines, SourceLine, SourceTable, TableCell
from extractors.tokens import tokenize
from schemas.extraction import LineItem
from schemas.fields import Evidence, ExtractedField, Quantity

TextField = ExtractedField[str]
MaybeText = ExtractedField[str | None]
QuantityField = ExtractedField[Quantity | None]  # the schema's own parametrisation: no re-validation
MAX_ITEMS = 200
MAX_LINES = 2000  # an order is not longer; a longer text is read in part and goes to a person
_FORM_CONFIDENCE = {"label": 0.95, "unit": 0.95, "words": 0.85, "times": 0.85}
_TABLE_QUANTITY = 0.95
_SHARED_QUANTITY = 0.85
_UNIT_MISMATCH = 0.6
_STATED_UNIT = 0.95
_CATALOG_UNIT = 0.75
_HEADER_ROLES = {
    "description": {"품명", "품목", "품목명", "제품명", "상품명", "자재명", "품명및규격", "품명규격", "내역",
                    "품목및규격", "description", "itemdescription", "item", "product", "productname", "name",
                    "goods", "article"},
    "spec": {"규격", "사양", "spec", "specification", "size", "model", "모델", "모델명", "형번", "형식"},
    "sku": {"품번", "코드", "품목코드", "제품코드", "상품코드", "자재코드", "code", "sku", "partno", "partnumber",
            "itemno", "itemcode", "pn", "articleno", "ref", "reference"},
    "quantity": {"수량", "qty", "quantity", "주문수량", "발주수량", "요청수량", "수주수량", "qnty"},
    "unit": {"단위", "unit", "uom"},
    "unit_price": {"단가", "unitprice", "price", "가격", "unitcost"},
    "amount": {"금액", "공급가액", "amount", "total", "linetotal", "합계금액"},
}  # fmt: skip
_TOTAL_ROW = re.compile(r"합\s*계|소\s*계|총\s*계|^\s*(?:sub)?total\b|부가세|vat|세\s*액", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·▪▫◦‣⁃○●□■☐✓✔>]+|\(?\d{1,2}[.)](?!\d)|[①-⑳])\s*")
# Money, dates, phone numbers, amounts with thousands separators and a leading row number: never part of
# an item's name, so blanked before matching.
_NOISE = re.compile(
    r"(?:₩|\$|krw|usd)\s*[\d,.]+|[\d,.]+\s*(?:원|krw|won|usd|달러)|\d{4}[-./]\d{1,2}[-./]\d{1,2}|"
    r"\d{1,2}월\s*\d{1,2}일|\d{2,3}-\d{3,4}-\d{4}|@\s*[\d,.]+|(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])|"
    r"^\s*\d{1,3}[.)]?(?=\s+\S)",
    re.I,
)
_LETTER = re.compile(r"[A-Za-z가-힣]")
_ROW_NUMBER = re.compile(r"^\s*\d{1,3}[.)]?\s+(?=\S)")
_NUMBER_ROLES = {"quantity", "unit", "unit_price", "amount"}


@dataclass
class _Reading:
    item: LineItem
    part: str
    has_quantity: bool
    lines: list[SourceLine] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, Decimal | None]:
        return (self.item.sku.value, self.item.quantity.value)


class ItemReader:
    def __init__(self, catalog: CatalogMatcher) -> None:
        self.catalog = catalog

    def read(self, lines: DocumentLines) -> tuple[list[LineItem], list[str]]:
        """The items of a document, and notes on what was set aside and why."""
        notes: list[str] = []
        readings: list[_Reading] = []
        consumed: set[SourceLine] = set()
        from_tables: set[tuple[str, str | None, Decimal | None]] = set()
        for table in lines.tables:
            if consumed.intersection(table.lines):
                continue  # the same rows as a ruled table already read (its lines also hold tabs)
            found = self._table(table)
            if found:
                readings.extend(found)
                consumed.update(_table_lines(table))
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

    def _lines(self, lines: list[SourceLine]) -> list[_Reading]:
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

    def _line(self, line: SourceLine) -> list[_Reading]:
        text = line.text
        if not text.strip() or len(text) > 300:
            return []
        mentions = find_quantities(text)
        noise = [m.span() for m in _NOISE.finditer(text)]
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
    ) -> _Reading:
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
        return _Reading(item, line.part, quantity is not None, [line])

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
    ) -> _Reading | None:
        """A line that states a count of something the catalog does not know: reported for a person to map."""
        stated = [m for m in mentions if m.form in ("label", "unit", "words") and not m.is_measure]
        if not stated or len(line.text) > 120:
            return None
        chars = list(line.text)
        for start, end in blank:
            chars[start:end] = " " * (end - start)
        words = [t for t in tokenize("".join(chars)[span[0] : span[1]]) if not t.is_filler]
        if not words or not _LETTER.search(" ".join(t.text for t in words)):
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
        return _Reading(item, line.part, True, [line])

    def _with_quantity_below(self, reading: _Reading, below: SourceLine) -> _Reading | None:
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
        return _Reading(item, reading.part, True, [*reading.lines, below])

    # ---- tables

    def _table(self, table: SourceTable) -> list[_Reading]:
        header_index, roles = _header(table.rows)
        if header_index is None:
            return []
        readings = []
        for row in table.rows[header_index + 1 :]:
            cells = {role: row[i] for i, role in roles.items() if i < len(row)}
            if not any(c.text for c in row) or any(_TOTAL_ROW.search(c.text) for c in row[:3] if c.text):
                continue
            # OCR and loose layouts shift the name into the No. column or spread it over two: every column
            # that is not a number column is part of the description.
            named = [c for i, c in enumerate(row) if roles.get(i) not in _NUMBER_ROLES and c.text]
            reading = self._row(table, cells, named)
            if reading is not None:
                readings.append(reading)
        return readings

    def _row(self, table: SourceTable, cells: dict[str, TableCell], named: list[TableCell]) -> _Reading | None:
        empty = TableCell("")
        code, name = cells.get("sku", empty), cells.get("description", empty)
        texts = [c.text for c in named]
        if texts and _ROW_NUMBER.match(texts[0]):
            texts[0] = _ROW_NUMBER.sub("", texts[0])
        text = " ".join(t for t in texts if t)
        if not _LETTER.search(text):
            return None
        # The quantity has its own column: a size in the name ("VG220 20L") is part of the name here.
        match = self.catalog.best(text, [m.span() for m in _NOISE.finditer(text)])
        place = code if match and code.text and text.startswith(code.text) and match.start < len(code.text) else name
        place = place if place.text else named[0]
        evidence = place.evidence(table.anchor, table.bbox)
        ocr = _cell_ocr(place)
        sku = MaybeText(
            value=match.sku if match else None,
            confidence=round(match.confidence * (0.5 + 0.5 * ocr), 4) if match else 0.0,
            evidence=[evidence] if evidence else [],
            notes=[f"matched by {match.method}", *match.notes] if match else ["no catalog item matches this row"],
        )
        catalog_unit = normalize_unit(self.catalog.items[match.sku].unit) if match else None
        quantity_cell = cells.get("quantity", empty)
        parsed = parse_cell_quantity(quantity_cell.text) if quantity_cell.text else None
        stated_unit = normalize_unit(cells["unit"].text) if cells.get("unit") and cells["unit"].text else None
        unit = stated_unit or (parsed[1] if parsed else None)
        description = TextField(value=text, confidence=round(ocr, 4), evidence=[evidence] if evidence else [])
        item = LineItem(
            description=description,
            sku=sku,
            quantity=_table_quantity(table, quantity_cell, parsed, unit, catalog_unit),
            unit=_table_unit(table, cells.get("unit"), unit, catalog_unit),
            unit_price=_table_number(table, cells.get("unit_price")),
            amount=_table_number(table, cells.get("amount")),
        )
        lines = [c.line for c in cells.values() if c.line is not None]
        return _Reading(item, table.anchor.part, parsed is not None, lines)


def _better(readings: list[_Reading]) -> _Reading:
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
        best = _Reading(best.item.model_copy(update={"sku": doubted}), best.part, best.has_quantity, best.lines)
    return best


def _table_lines(table: SourceTable) -> set[SourceLine]:
    """The lines a table's rows were read from, and lines in its area made only of its cells' words (wrapped
    cells). Other lines in the area (a row the table detector missed) are left to be read as lines."""
    tied = {cell.line for row in table.rows for cell in row if cell.line is not None}
    words = {word for row in table.rows for cell in row for word in cell.text.split()}
    return tied | {line for line in table.lines if set(line.text.split()) <= words}


def _header(rows: list[list[TableCell]]) -> tuple[int | None, dict[int, str]]:
    for index, row in enumerate(rows[:6]):
        roles: dict[int, str] = {}
        for column, cell in enumerate(row):
            key = re.sub(r"[\s'’.()/_-]+", "", cell.text.lower())
            role = next((r for r, names in _HEADER_ROLES.items() if key in names), None)
            if role and role not in roles.values():
                roles[column] = role
        found = set(roles.values())
        if "quantity" in found and found & {"description", "sku", "spec"}:
            return index, roles
    return None, {}


def _drop_repeated_sources(readings: list[_Reading], notes: list[str]) -> list[_Reading]:
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
    if mention.unit and catalog_unit and mention.unit != catalog_unit:
        confidence *= _UNIT_MISMATCH
        notes.append(f"stated in {mention.unit}; the catalog sells it per {catalog_unit}")
    confidence *= line.ocr_confidence(mention.start, mention.end)
    return QuantityField(
        value=mention.value,
        confidence=round(confidence, 4),
        evidence=[line.evidence(mention.start, mention.end)],
        notes=notes,
    )


def _unit_field(line: SourceLine, mention: QuantityMention | None, catalog_unit: str | None) -> MaybeText:
    if mention is not None and mention.unit:
        return MaybeText(
            value=mention.unit, confidence=_STATED_UNIT, evidence=[line.evidence(mention.start, mention.end)]
        )
    if catalog_unit:
        return MaybeText(value=catalog_unit, confidence=_CATALOG_UNIT, notes=["unit not stated; the catalog's unit"])
    return MaybeText(value=None, confidence=0.0, notes=["unit not stated"])


def _cell_ocr(cell: TableCell) -> float:
    return cell.line.ocr_confidence(cell.start, cell.start + len(cell.text)) if cell.line else 1.0


def _cell_evidence(table: SourceTable, cell: TableCell) -> list[Evidence]:
    evidence = cell.evidence(table.anchor, table.bbox)
    return [evidence] if evidence else []


def _table_quantity(
    table: SourceTable,
    cell: TableCell,
    parsed: tuple[Decimal, str | None] | None,
    unit: str | None,
    catalog_unit: str | None,
) -> QuantityField:
    if parsed is None:
        note = f"quantity cell '{cell.text}' is not a number" if cell.text else "quantity cell is empty"
        evidence = _cell_evidence(table, cell)
        return QuantityField(value=None, confidence=0.0, evidence=evidence, notes=[note])
    confidence, notes = _TABLE_QUANTITY * _cell_ocr(cell), []
    if unit and catalog_unit and unit != catalog_unit:
        confidence *= _UNIT_MISMATCH
        notes.append(f"stated in {unit}; the catalog sells it per {catalog_unit}")
    return QuantityField(
        value=parsed[0], confidence=round(confidence, 4), evidence=_cell_evidence(table, cell), notes=notes
    )


def _table_unit(table: SourceTable, cell: TableCell | None, unit: str | None, catalog_unit: str | None) -> MaybeText:
    if unit:
        evidence = _cell_evidence(table, cell) if cell is not None and cell.text else []
        return MaybeText(value=unit, confidence=_STATED_UNIT, evidence=evidence)
    if catalog_unit:
        return MaybeText(value=catalog_unit, confidence=_CATALOG_UNIT, notes=["unit not stated; the catalog's unit"])
    return MaybeText(value=None, confidence=0.0, notes=["unit not stated"])


def _table_number(table: SourceTable, cell: TableCell | None) -> QuantityField | None:
    """Prices and amounts as the document states them (checked on invoices, never used to price a quote)."""
    if cell is None or not cell.text:
        return None
    parsed = parse_cell_quantity(re.sub(r"[₩원\s]|krw", "", cell.text, flags=re.I))
    if parsed is None:
        return None
    return QuantityField(
        value=parsed[0], confidence=round(0.95 * _cell_ocr(cell), 4), evidence=_cell_evidence(table, cell)
    )

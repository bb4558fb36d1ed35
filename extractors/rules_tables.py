"""Line items from tables with a recognisable header (품명/규격/수량/단위, Description/Qty/Unit), by column.

Tables come from pdfplumber (ruled), from OCR layout analysis, or from tab-separated lines (HTML tables,
unruled PDFs). The header is found by its words; OCR and loose layouts shift a name into the No. column or
spread it over two, so every column that is not a number column counts as description.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors.matching import CatalogMatcher
from extractors.quantities import normalize_unit, parse_cell_quantity
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
from extractors.rules_lines import SourceLine, SourceTable, TableCell
from schemas.extraction import LineItem
from schemas.fields import Evidence

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
_NUMBER_ROLES = {"quantity", "unit", "unit_price", "amount"}
_HEADER_ROWS = 6  # a header is at the top; a title row or two may come before it
_TOTAL_ROW = re.compile(r"합\s*계|소\s*계|총\s*계|^\s*(?:sub)?total\b|부가세|vat|세\s*액", re.I)
_ROW_NUMBER = re.compile(r"^\s*\d{1,3}[.)]?\s+(?=\S)")
_TABLE_QUANTITY = 0.95
_EMPTY = TableCell("")


class TableReader:
    def __init__(self, catalog: CatalogMatcher) -> None:
        self.catalog = catalog

    def read(self, table: SourceTable) -> list[Reading]:
        """One reading per data row; nothing when no header says which column holds what."""
        header_index, roles = _header(table.rows)
        if header_index is None:
            return []
        readings = []
        for row in table.rows[header_index + 1 :]:
            if not any(c.text for c in row) or any(_TOTAL_ROW.search(c.text) for c in row[:3] if c.text):
                continue
            cells = {role: row[i] for i, role in roles.items() if i < len(row)}
            named = [c for i, c in enumerate(row) if roles.get(i) not in _NUMBER_ROLES and c.text]
            reading = self._row(table, cells, named)
            if reading is not None:
                readings.append(reading)
        return readings

    def _row(self, table: SourceTable, cells: dict[str, TableCell], named: list[TableCell]) -> Reading | None:
        texts = [c.text for c in named]
        if texts:
            texts[0] = _ROW_NUMBER.sub("", texts[0])
        text = " ".join(t for t in texts if t)
        if not LETTER.search(text):
            return None
        # The quantity has its own column: a size in the name ("VG220 20L") is part of the name here.
        match = self.catalog.best(text, [m.span() for m in NOISE.finditer(text)])
        code, name = cells.get("sku", _EMPTY), cells.get("description", _EMPTY)
        in_code = match and code.text and text.startswith(code.text) and match.start < len(code.text)
        place = code if in_code else name
        place = place if place.text else named[0]
        evidence = _evidence(table, place)
        ocr = _cell_ocr(place)
        sku = MaybeText(
            value=match.sku if match else None,
            confidence=round(match.confidence * (0.5 + 0.5 * ocr), 4) if match else 0.0,
            evidence=evidence,
            notes=[f"matched by {match.method}", *match.notes] if match else ["no catalog item matches this row"],
        )
        catalog_unit = normalize_unit(self.catalog.items[match.sku].unit) if match else None
        quantity_cell, unit_cell = cells.get("quantity", _EMPTY), cells.get("unit", _EMPTY)
        parsed = parse_cell_quantity(quantity_cell.text) if quantity_cell.text else None
        stated_unit = normalize_unit(unit_cell.text) or (parsed[1] if parsed else None)
        item = LineItem(
            description=TextField(value=text, confidence=round(ocr, 4), evidence=evidence),
            sku=sku,
            quantity=_quantity(table, quantity_cell, parsed, stated_unit, catalog_unit),
            unit=unit_field(stated_unit, _evidence(table, unit_cell) if unit_cell.text else [], catalog_unit),
            unit_price=_stated_number(table, cells.get("unit_price")),
            amount=_stated_number(table, cells.get("amount")),
        )
        lines = [c.line for c in cells.values() if c.line is not None]
        return Reading(item, table.anchor.part, parsed is not None, lines)


def table_lines(table: SourceTable) -> set[SourceLine]:
    """The lines a table's rows were read from, and lines in its area made only of its cells' words (wrapped
    cells). Other lines in the area (a row the table detector missed) are left to be read as lines."""
    tied = {cell.line for row in table.rows for cell in row if cell.line is not None}
    words = {word for row in table.rows for cell in row for word in cell.text.split()}
    return tied | {line for line in table.lines if set(line.text.split()) <= words}


def _header(rows: list[list[TableCell]]) -> tuple[int | None, dict[int, str]]:
    for index, row in enumerate(rows[:_HEADER_ROWS]):
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


def _cell_ocr(cell: TableCell) -> float:
    return cell.line.ocr_confidence(cell.start, cell.start + len(cell.text)) if cell.line else 1.0


def _evidence(table: SourceTable, cell: TableCell) -> list[Evidence]:
    evidence = cell.evidence(table.anchor, table.bbox)
    return [evidence] if evidence else []


def _quantity(
    table: SourceTable,
    cell: TableCell,
    parsed: tuple[Decimal, str | None] | None,
    unit: str | None,
    catalog_unit: str | None,
) -> QuantityField:
    if parsed is None:
        note = f"quantity cell '{cell.text}' is not a number" if cell.text else "quantity cell is empty"
        return QuantityField(value=None, confidence=0.0, evidence=_evidence(table, cell), notes=[note])
    confidence, notes = _TABLE_QUANTITY * _cell_ocr(cell), []
    if mismatch := unit_mismatch(unit, catalog_unit):
        confidence *= UNIT_MISMATCH
        notes.append(mismatch)
    return QuantityField(value=parsed[0], confidence=round(confidence, 4), evidence=_evidence(table, cell), notes=notes)


def _stated_number(table: SourceTable, cell: TableCell | None) -> QuantityField | None:
    """Prices and amounts as the document states them (checked on invoices, never used to price a quote)."""
    if cell is None or not cell.text:
        return None
    parsed = parse_cell_quantity(re.sub(r"[₩원\s]|krw", "", cell.text, flags=re.I))
    if parsed is None:
        return None
    return QuantityField(value=parsed[0], confidence=round(0.95 * _cell_ocr(cell), 4), evidence=_evidence(table, cell))

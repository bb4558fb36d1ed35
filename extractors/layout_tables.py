"""Line-item tables rebuilt from word boxes: for scans, and for born-digital tables drawn without rules.

Rows come from the words' vertical positions, columns from the header cells' horizontal extents (the header
is found by its vocabulary: 품목/수량/단가/금액, Description/Qty/Unit Price/Amount, Menge/Einzelpreis/Gesamt,
Quantité/Prix unitaire/Montant ...). Physical rows that carry fewer numbers than the table's item rows
continue the item above (a wrapped description, a serial number, a bundle component). The result is a
schemas.text.Table whose first row holds the header labels, one column per header cell; rows that carry
document totals (Subtotal, 공급가액 ...) and lines after the items are left out. A table that runs to the
bottom of a page continues on the next page under the same columns when that page repeats no header.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractors.invoice_labels import FIELD_LABELS, normalise_label
from extractors.invoice_numbers import parse_number, repair_digits
from extractors.layout_rows import (
    TEXT_ROLES,
    Box,
    Column,
    Row,
    boundaries,
    complete_hyphenated_labels,
    fill_cells,
    group_rows,
    header_columns,
    row_pitch,
)
from schemas.text import BBox, Line, Page, Table

NUMERIC_ROLES = ("quantity", "unit_price", "amount")
_TOTAL_LABELS = tuple(
    sorted({normalise_label(label) for key in ("net", "tax", "gross") for label in FIELD_LABELS[key]}, key=len)
)
_TOTAL_WORDS = {normalise_label(label) for key in ("net", "gross") for label in FIELD_LABELS[key] if " " not in label}
_POSITION = re.compile(r"\d{1,4}\.?")


@dataclass(frozen=True)
class LocatedCell:
    """A table cell's text (continuation lines joined by newlines), where it is, and how sure its words are."""

    text: str
    bbox: BBox | None = None
    confidence: float = 1.0


@dataclass
class LocatedTable:
    """A line-item table with its page and, per cell, the box and OCR confidence of its words."""

    page: int
    labels: list[str]
    rows: list[list[LocatedCell | None]]
    bbox: BBox | None = None

    def to_table(self) -> Table:
        body = [[cell.text if cell else None for cell in row] for row in self.rows]
        return Table(rows=[list(self.labels), *body], bbox=self.bbox)


@dataclass
class _Carried:
    """What a table that ran off a page hands to the next page."""

    columns: list[Column]
    numbered: bool


@dataclass
class _Read:
    table: LocatedTable | None
    end: int  # index of the first row after the table
    carried: _Carried | None  # set when the table may continue on the next page


def tables_from_lines(lines: Iterable[Line]) -> list[Table]:
    """Every line-item table among these lines (usually one), found from the words' boxes."""
    return [t.to_table() for t in _tables(lines, 1, None)[0]]


def tables_from_pages(pages: Sequence[Page]) -> list[list[Table]]:
    """Tables per page; a table cut by a page break continues under the previous page's columns."""
    located = located_tables(pages)
    return [[t.to_table() for t in located if t.page == page.number] for page in pages]


def located_tables(pages: Sequence[Page]) -> list[LocatedTable]:
    """The line-item tables of a document's pages, in order, with their cells' boxes and confidences."""
    out: list[LocatedTable] = []
    carried: _Carried | None = None
    for page in pages:
        tables, carried = _tables(page.lines, page.number, carried)
        out.extend(tables)
    return out


def _tables(lines: Iterable[Line], page: int, carried: _Carried | None) -> tuple[list[LocatedTable], _Carried | None]:
    boxes = [
        Box(w.text, *w.bbox, confidence=w.confidence) for line in lines for w in line.words if w.bbox and w.text.strip()
    ]
    if not boxes:
        return [], None
    rows = group_rows(boxes)
    height = statistics.median(b.height for b in boxes) or 1.0
    reads: list[_Read] = []
    start = 0
    if carried is not None and _next_header(rows, 0, height) is None:
        # A page without a header of its own continues the table that ran off the previous page.
        continued = _read_table(rows, -1, carried.columns, height, page, carried.numbered)
        reads.append(continued)
        start = continued.end
    while start < len(rows):
        found = _next_header(rows, start, height)
        if found is None:
            break
        header_index, columns = found
        read = _read_table(rows, header_index, columns, height, page, numbered=False)
        reads.append(read)
        start = max(read.end, header_index + 1)
    return [r.table for r in reads if r.table is not None], (reads[-1].carried if reads else None)


def _next_header(rows: list[Row], start: int, height: float) -> tuple[int, list[Column]] | None:
    for index in range(start, len(rows)):
        columns = header_columns(rows[index])
        roles = {c.role for c in columns}
        # Most of the row's words must be labels: a sentence that mentions `price` and `total` is no header.
        if len(roles) >= 3 and roles & set(NUMERIC_ROLES) and len(columns) >= 0.5 * len(rows[index].boxes):
            return index, complete_hyphenated_labels(rows, index, columns, height)
    return None


def _read_table(
    rows: list[Row], header_index: int, columns: list[Column], height: float, page: int, numbered: bool
) -> _Read:
    """Body rows under a header (header_index -1: a continuation from the previous page, from the top)."""
    pitch = row_pitch(rows[max(header_index, 0) : header_index + 8], height)
    borders = boundaries(columns)
    body: list[Row] = []
    end = len(rows)
    last_bottom = rows[header_index].bottom if header_index >= 0 else None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        new_header = header_columns(row)
        if (last_bottom is not None and row.top - last_bottom > 4 * pitch) or len({c.role for c in new_header}) >= 3:
            end = index
            break
        fill_cells(row, columns, borders)
        body.append(row)
        last_bottom = row.bottom
    items, closed, numbered = _logical_rows(body, columns, height, numbered)
    if not items:
        return _Read(None, end, None)
    top = rows[header_index].top if header_index >= 0 else body[0].top
    bbox = (min(c.x0 for c in columns), top, max(c.x1 for c in columns), max(r.bottom for r in body))
    table = LocatedTable(page=page, labels=[c.label for c in columns], rows=items, bbox=bbox)
    runs_off = end == len(rows) and not closed
    return _Read(table, end, _Carried(columns, numbered) if runs_off else None)


def _numeric_columns(row: Row, columns: list[Column]) -> set[int]:
    """Numeric columns whose cell is one number (`€ 2.321,00`, `20 Stk`), not a phone or bank number."""
    found = set()
    for k in row.cells:
        if columns[k].role not in NUMERIC_ROLES:
            continue
        text = row.cell(k) or ""
        parsed = parse_number(text) or parse_number(repair_digits(text) or "")
        if parsed is not None and not parsed.percent:
            found.add(k)
    return found


def _is_totals_row(row: Row, numeric: set[int]) -> bool:
    """`Subtotal $ 112.00`, `Net total: 496.00 €`, `공급가액 1,058,400원`, `... Factuur totaal EUR 49,99`."""
    text = re.sub(r"^[\d.,]+", "", normalise_label(row.text))
    if any(text.startswith(label) for label in _TOTAL_LABELS):
        return True
    # One amount and a totals word somewhere in the row: items carry at least a quantity and an amount.
    words = {normalise_label(b.text) for b in row.boxes}
    return len(numeric) <= 1 and bool(words & _TOTAL_WORDS)


def _logical_rows(
    body: list[Row], columns: list[Column], height: float, numbered: bool
) -> tuple[list[list[LocatedCell | None]], bool, bool]:
    """Item rows with their continuation lines joined on.

    Returns the items, whether a totals row closed the table, and whether its items are numbered.
    """
    numeric = [_numeric_columns(row, columns) for row in body]
    counts = [len(n) for n in numeric if n]
    # An item row carries about as many numbers as the table's typical row (qty, price, amount); a line with
    # fewer is a note, a component of a bundle, or a `Bruttopreis : 9,90` under the item.
    needed = max(1, round(statistics.median(counts)) - 1) if counts else 1
    position = next((k for k, c in enumerate(columns) if c.role == "position"), None)
    items: list[list[list[list[Box]]]] = []  # item -> column -> lines -> boxes
    open_item: list[list[list[Box]]] | None = None
    after_totals = closed = False
    previous_bottom = body[0].top if body else 0.0
    for row, found in zip(body, numeric, strict=True):
        gap, previous_bottom = row.top - previous_bottom, row.bottom
        if items and _is_totals_row(row, found):  # before the first item, `MwSt.` is the header's second line
            open_item, after_totals, closed = None, True, True
            continue
        has_position = position is not None and _POSITION.fullmatch(row.cell(position) or "") is not None
        # After a (sub)total only a full row is an item again (a section continuing, not the payment line);
        # in a numbered table, only a numbered row.
        if len(found) >= (max(needed, 2) if after_totals else needed) and (has_position or not numbered):
            numbered = numbered or has_position
            after_totals = closed = False
            open_item = [[row.cells[k]] if k in row.cells else [] for k in range(len(columns))]
            items.append(open_item)
            continue
        in_text_columns = all(columns[k].role in TEXT_ROLES for k in row.cells)
        if open_item is not None and gap < (1.0 if in_text_columns else 0.6) * height:
            _continue_item(open_item, row, columns)
        else:
            # A note or a footer across the columns: it ends the item above, not necessarily the table.
            open_item = None
    return [[_located(lines) for lines in item] for item in items], closed, numbered


def _continue_item(item: list[list[list[Box]]], row: Row, columns: list[Column]) -> None:
    """Append a continuation line: text columns take their words, words under number columns go to the
    description (`Bruttopreis : 9,90` is a remark, not a second price)."""
    description = next((k for k, c in enumerate(columns) if c.role == "description"), None)
    lines: dict[int, list[Box]] = {}
    for k, words in sorted(row.cells.items()):
        target = k if columns[k].role in TEXT_ROLES or description is None else description
        lines.setdefault(target, []).extend(words)
    for k, words in lines.items():
        item[k].append(words)


def _located(lines: list[list[Box]]) -> LocatedCell | None:
    boxes = [b for line in lines for b in line]
    if not boxes:
        return None
    text = "\n".join(" ".join(b.text for b in line) for line in lines if line)
    bbox = (min(b.x0 for b in boxes), min(b.top for b in boxes), max(b.x1 for b in boxes), max(b.bottom for b in boxes))
    return LocatedCell(text=text, bbox=bbox, confidence=min(b.confidence for b in boxes))

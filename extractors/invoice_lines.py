"""Invoice lines from line-item tables: which column is quantity, unit price and amount, and each line's values.

Header words give a first reading of the columns; the arithmetic decides where headers mislead (GnuAccounting
heads the quantity column `Amount` and the line total `Total`): among the numeric columns, the assignment
under which quantity × unit price = amount holds on the most rows wins, the header's reading breaking ties.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.invoice_labels import column_role
from extractors.invoice_numbers import NumberStyle, ParsedNumber, parse_number, repair_digits, tidy_number_text
from extractors.layout_tables import NUMERIC_ROLES, LocatedCell, LocatedTable

ROUNDING = Decimal("0.015")  # a cent and a half: unit prices with 4 decimals round to the cent
_RELATIVE_ROUNDING = Decimal("0.0001")


@dataclass(frozen=True)
class CellValue:
    """A number read from a table cell, the cell it came from, and why it may be doubtful."""

    number: ParsedNumber
    cell: LocatedCell
    doubts: tuple[str, ...] = ()


@dataclass
class InvoiceLine:
    page: int
    description: LocatedCell | None
    quantity: CellValue | None
    unit_price: CellValue | None
    amount: CellValue | None
    unit: str | None
    discount_percent: Decimal | None
    code: str | None = None
    spec: str | None = None  # 규격: on Korean statements the model number sits here, not in the name
    notes: list[str] = field(default_factory=list)


def amounts_agree(expected: Decimal, stated: Decimal) -> bool:
    """Equal within rounding: a cent and a half, or 0.01 % of large amounts."""
    return abs(expected - stated) <= max(ROUNDING, abs(stated) * _RELATIVE_ROUNDING)


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal | None) -> Decimal:
    total = quantity * unit_price
    return total * (1 - discount_percent / 100) if discount_percent else total


def invoice_lines(tables: list[LocatedTable], style: NumberStyle) -> list[InvoiceLine]:
    """Every charged line of the item tables (tables without a quantity, price or amount column are skipped)."""
    lines: list[InvoiceLine] = []
    for table in tables:
        roles = [column_role(label) for label in table.labels]
        if not {"unit_price", "amount"} & set(roles):
            continue  # a packing list or a pallet's contents, not charges
        lines.extend(_table_lines(table, roles, style))
    return lines


def _table_lines(table: LocatedTable, roles: list[str | None], style: NumberStyle) -> list[InvoiceLine]:
    numbers = [
        [_number(cell, style, role) if cell else None for cell, role in zip(row, roles, strict=True)]
        for row in table.rows
    ]
    discount_column = _first(roles, "discount")
    assignment = _assign_numeric_columns(roles, numbers, discount_column)
    description = _first(roles, "description")
    code = _first(roles, "code")
    spec = _first(roles, "spec")
    unit_column = _first(roles, "unit")
    lines = []
    for row, row_numbers in zip(table.rows, numbers, strict=True):
        quantity, unit_price, amount = (row_numbers[k] if k is not None else None for k in assignment)
        discount = row_numbers[discount_column] if discount_column is not None else None
        unit = quantity.number.unit if quantity else None
        if unit_column is not None and row[unit_column]:
            unit = row[unit_column].text
        lines.append(
            InvoiceLine(
                page=table.page,
                description=_description(row, roles, description),
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
                unit=unit,
                discount_percent=discount.number.value if discount else None,
                code=row[code].text.split("\n")[0] if code is not None and row[code] else None,
                spec=row[spec].text if spec is not None and row[spec] and spec != description else None,
            )
        )
    return [line for line in lines if line.unit_price or line.amount]


def _first(roles: list[str | None], role: str) -> int | None:
    return next((k for k, r in enumerate(roles) if r == role), None)


def _description(row: list[LocatedCell | None], roles: list[str | None], description: int | None) -> LocatedCell | None:
    if description is not None and row[description]:
        return row[description]
    # No description column (or an empty cell): the text columns together describe the line.
    texts = [cell for cell, role in zip(row, roles, strict=True) if cell and role in ("code", "spec", None)]
    return texts[0] if texts else None


def _number(cell: LocatedCell, style: NumberStyle, role: str | None) -> CellValue | None:
    first_line = tidy_number_text(cell.text.split("\n")[0])
    parsed = parse_number(first_line, style)
    if parsed is not None:
        return CellValue(parsed, cell)
    repaired = repair_digits(first_line)
    parsed = parse_number(repaired, style) if repaired else None
    if parsed is not None:
        return CellValue(parsed, cell, (f"read '{first_line}' as {parsed.value} (a digit look-alike)",))
    # Something else in the cell: a stray word from the next column (`3 29,1000`) or a garbled unit (`3 m?`).
    # A quantity comes first in its cell, a price or an amount last.
    tokens = first_line.split()
    token = (tokens[0] if role == "quantity" else tokens[-1]) if tokens else ""
    parsed = parse_number(token, style)
    if parsed is not None:
        return CellValue(parsed, cell, (f"read {parsed.value} from the cell '{first_line}'",))
    return None


def _assign_numeric_columns(
    roles: list[str | None], numbers: list[list[CellValue | None]], discount: int | None
) -> tuple[int | None, int | None, int | None]:
    """(quantity, unit_price, amount) columns: the header's reading unless the arithmetic prefers another."""
    by_header = (_first(roles, "quantity"), _first(roles, "unit_price"), _first(roles, "amount"))
    candidates = [k for k, role in enumerate(roles) if role in NUMERIC_ROLES]
    best, best_score = by_header, _arithmetic_score(by_header, numbers, discount)
    for quantity, unit_price, amount in itertools.permutations(candidates, 3):
        score = _arithmetic_score((quantity, unit_price, amount), numbers, discount)
        if score > best_score:
            best, best_score = (quantity, unit_price, amount), score
    return best


def _arithmetic_score(
    columns: tuple[int | None, int | None, int | None], numbers: list[list[CellValue | None]], discount: int | None
) -> int:
    if None in columns:
        return 0
    quantity_column, price_column, amount_column = columns
    score = 0
    for row in numbers:
        quantity, price, amount = row[quantity_column], row[price_column], row[amount_column]  # type: ignore[index]
        rebate = row[discount].number.value if discount is not None and row[discount] else None
        if quantity and price and amount and not quantity.number.percent:
            expected = line_total(quantity.number.value, price.number.value, rebate)
            score += amounts_agree(expected, amount.number.value)
    return score

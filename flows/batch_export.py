"""A batch's invoices as rows for a spreadsheet: one row per invoice line, CSV or JSON.

Every row carries its invoice's header (supplier, buyer, number, date, currency, totals) and the source
file with its sha256 and the document's status, so a row in Excel can be traced back to the scan it came
from and to whether a person still has to check it ("review"). An invoice of which no line was read still
gets one row (line 0, empty line columns): it must not vanish from the sheet. Values come from the stored
extraction (the latest one: a reviewer's correction wins over the machine's reading).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from flows.process_batch import BatchEntry
from flows.runtime import current_runtime
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import ExtractedField, Quantity
from store import documents
from store.db import session_scope

EXPORT_SUFFIXES = (".csv", ".json")
T = TypeVar("T")


class InvoiceRow(BaseModel):
    source_file: str
    sha256: str
    document_id: int
    status: str
    supplier: str | None
    buyer: str | None
    invoice_number: str | None
    invoice_date: date | None
    currency: str | None
    line: int
    description: str | None = None
    quantity: Quantity | None = None
    unit: str | None = None
    unit_price: Quantity | None = None
    amount: Quantity | None = None
    net: Quantity | None
    tax: Quantity | None
    gross: Quantity | None


def _value(field: ExtractedField[T] | None) -> T | None:
    return field.value if field is not None else None


def _rows_of(entry: BatchEntry, status: str, extraction: Extraction) -> list[InvoiceRow]:
    header = extraction.invoice
    head = InvoiceRow(
        source_file=entry.file,
        sha256=entry.sha256 or "",
        document_id=entry.document_id or 0,
        status=status,
        supplier=_value(header.supplier) if header else None,
        buyer=_value(header.buyer) if header else None,
        invoice_number=_value(header.number) if header else None,
        invoice_date=_value(header.date) if header else None,
        currency=_value(header.currency) if header else None,
        line=0,
        net=_value(header.net) if header else None,
        tax=_value(header.tax) if header else None,
        gross=_value(header.gross) if header else None,
    )
    lines = [head.model_copy(update=_line_values(number, item)) for number, item in enumerate(extraction.items, 1)]
    return lines or [head]


def _line_values(number: int, item: LineItem) -> dict[str, object]:
    return {
        "line": number,
        "description": item.description.value,
        "quantity": item.quantity.value,
        "unit": _value(item.unit),
        "unit_price": _value(item.unit_price),
        "amount": _value(item.amount),
    }


def invoice_rows(entries: list[BatchEntry]) -> tuple[list[InvoiceRow], int]:
    """The rows of every invoice among the batch's documents (duplicates once), and how many other documents."""
    rows: list[InvoiceRow] = []
    others = 0
    with session_scope(current_runtime().engine) as session:
        for entry in entries:
            if entry.duplicate_of is not None or entry.document_id is None:
                continue
            extraction = documents.latest_extraction(session, entry.document_id)
            if extraction is None:  # failed before extraction, or not processed yet
                continue
            if extraction.kind.value is not Kind.INVOICE:
                others += 1
                continue
            rows.extend(_rows_of(entry, entry.status, extraction))
    return rows, others


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+3: a spreadsheet must read it as the number it is
    return str(value)


def write_csv(path: Path, rows: list[InvoiceRow]) -> None:
    """UTF-8 with a byte-order mark: without it Excel opens a CSV in the system's ANSI code page (cp949 on
    Korean Windows) and UTF-8 Hangul comes out as mojibake; with it Excel, LibreOffice and pandas all read UTF-8."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(InvoiceRow.model_fields)
        for row in rows:
            writer.writerow(_cell(getattr(row, name)) for name in InvoiceRow.model_fields)


def write_json(path: Path, rows: list[InvoiceRow]) -> None:
    payload = [row.model_dump(mode="json") for row in rows]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_export(path: Path, rows: list[InvoiceRow]) -> None:
    """CSV or JSON by the file's suffix (checked by the caller against EXPORT_SUFFIXES)."""
    if path.suffix.lower() == ".csv":
        write_csv(path, rows)
    else:
        write_json(path, rows)

"""Invoice validators: line arithmetic, lines against the net, net + tax = gross, Korean VAT 10 %, price list.

A failed check names itself and the fields it involves, and lowers those fields' confidence so the document
goes to a person; a check that holds is evidence too (three numbers read independently that multiply out
are rarely all wrong), and lifts the fields it involves.
"""

from __future__ import annotations

from decimal import Decimal

from extractors.invoice_lines import amounts_agree, line_total
from schemas.company import CompanyConfig
from schemas.extraction import InvoiceHeader, LineItem
from schemas.fields import ExtractedField, ValidatorResult

FAILED_CEILING = 0.4  # a field involved in a failed check is at most this sure
CONFIRMED_FLOOR = 0.9  # a field confirmed by a check that holds is at least this sure
KOREAN_VAT = Decimal("0.10")
PRICE_TOLERANCE = Decimal("0.005")


def lowered(field: ExtractedField, why: str) -> ExtractedField:
    return field.model_copy(update={"confidence": min(field.confidence, FAILED_CEILING), "notes": [*field.notes, why]})


def confirmed(field: ExtractedField, why: str) -> ExtractedField:
    if field.value is None:
        return field
    return field.model_copy(update={"confidence": max(field.confidence, CONFIRMED_FLOOR), "notes": [*field.notes, why]})


def repair_quantities(items: list[LineItem], discounts: list[Decimal | None]) -> set[int]:
    """Quantities that the amount and unit price imply, where OCR lost or garbled the printed one.

    `SOEA` for `50EA` (no number), `5064` for `50팩` (the unit read as digits: the implied quantity is a
    prefix of the read digits). The repaired quantity stays doubtful (at most FAILED_CEILING), since the
    arithmetic that would confirm it is what produced it. Returns the repaired lines' indexes.
    """
    repaired = set()
    for i, (item, discount) in enumerate(zip(items, discounts, strict=True)):
        price = item.unit_price.value if item.unit_price else None
        amount = item.amount.value if item.amount else None
        if discount or not price or amount is None:
            continue
        implied = amount / price
        if implied <= 0 or implied != implied.to_integral_value():
            continue
        implied = implied.to_integral_value()
        read = item.quantity.value
        read_digits = "".join(ch for ch in str(read) if ch.isdigit()) if read is not None else ""
        if read == implied or (read is not None and not read_digits.startswith(str(implied))):
            continue
        evidence_text = item.quantity.evidence[0].text if item.quantity.evidence else ""
        why = f"quantity {implied} = amount {amount} ÷ unit price {price}; the cell reads '{evidence_text}'"
        item.quantity = item.quantity.model_copy(
            update={"value": implied, "confidence": min(item.quantity.confidence, FAILED_CEILING) or FAILED_CEILING,
                    "notes": [*item.quantity.notes, why]}
        )  # fmt: skip
        repaired.add(i)
    return repaired


def check_line_arithmetic(
    items: list[LineItem], discounts: list[Decimal | None], repaired: set[int] = frozenset()
) -> list[ValidatorResult]:
    """quantity × unit price (less the line discount) = amount, within rounding, for every complete line.

    Lines whose quantity was derived from that very arithmetic (`repaired`) are checked but not lifted.
    """
    results = []
    for i, (item, discount) in enumerate(zip(items, discounts, strict=True)):
        fields = (item.quantity, item.unit_price, item.amount)
        if any(f is None or f.value is None for f in fields):
            continue
        quantity, unit_price, amount = (f.value for f in fields)  # type: ignore[union-attr]
        expected = line_total(quantity, unit_price, discount)
        ok = amounts_agree(expected, amount)
        name = "line_arithmetic"
        message = f"{quantity} × {unit_price}" + (f" − {discount} %" if discount else "") + f" = {expected:.2f}"
        message += f", the line says {amount}" if not ok else ""
        results.append(ValidatorResult(name=name, ok=ok, message=message, field=f"items.{i}.amount"))
        if ok and i in repaired:
            continue
        adjust = confirmed if ok else lowered
        why = f"{name} {'holds' if ok else 'fails'}: {message}"
        item.quantity = adjust(item.quantity, why)
        item.unit_price = adjust(item.unit_price, why)  # type: ignore[arg-type]
        item.amount = adjust(item.amount, why)  # type: ignore[arg-type]
    return results


def check_totals(header: InvoiceHeader, items: list[LineItem], lines_match: str | None) -> list[ValidatorResult]:
    """Lines add up to the net (or the gross, for prices incl. VAT); net + tax = gross."""
    results = []
    amounts = [item.amount.value for item in items if item.amount is not None and item.amount.value is not None]
    complete = items and len(amounts) == len(items)
    target = header.net if header.net.value is not None else header.gross
    if complete and target.value is not None:
        total = sum(amounts, Decimal(0))
        ok = lines_match is not None
        against = lines_match or ("net" if header.net.value is not None else "gross")
        message = f"lines add up to {total}; the {against} is {getattr(header, against).value}"
        results.append(ValidatorResult(name="lines_sum", ok=ok, message=message, field=f"invoice.{against}"))
        setattr(header, against, (confirmed if ok else lowered)(getattr(header, against), f"lines_sum: {message}"))
    net, tax, gross = header.net.value, header.tax.value, header.gross.value
    if net is not None and tax is not None and gross is not None:
        ok = amounts_agree(net + tax, gross)
        message = f"{net} + {tax} = {net + tax}; the gross is {gross}"
        results.append(ValidatorResult(name="net_plus_tax", ok=ok, message=message, field="invoice.gross"))
        adjust = confirmed if ok else lowered
        header.net = adjust(header.net, f"net_plus_tax: {message}")
        header.tax = adjust(header.tax, f"net_plus_tax: {message}")
        header.gross = adjust(header.gross, f"net_plus_tax: {message}")
    return results


def check_korean_vat(header: InvoiceHeader, line_count: int) -> list[ValidatorResult]:
    """부가세 is 10 % of 공급가액 (per-line rounding may move it by a won per line)."""
    net, tax = header.net.value, header.tax.value
    if net is None or tax is None:
        return []
    expected = net * KOREAN_VAT
    ok = abs(expected - tax) <= max(line_count, 1) + 1
    message = f"부가세 {tax} vs 10 % of 공급가액 {net} = {expected:.0f}"
    if not ok:
        header.tax = lowered(header.tax, f"vat_10_percent: {message}")
    return [ValidatorResult(name="vat_10_percent", ok=ok, message=message, field="invoice.tax")]


def check_catalog_prices(items: list[LineItem], company: CompanyConfig, currency: str | None) -> list[ValidatorResult]:
    """Invoiced unit prices of catalog items against the price list (a business flag, not a reading error)."""
    results = []
    if currency not in (None, company.seller.currency):
        return results
    for i, item in enumerate(items):
        sku = item.sku.value
        catalog_item = company.item(sku) if sku else None
        if catalog_item is None or item.unit_price is None or item.unit_price.value is None:
            continue
        listed = Decimal(catalog_item.unit_price)
        invoiced = item.unit_price.value
        ok = abs(invoiced - listed) <= listed * PRICE_TOLERANCE
        difference = (invoiced - listed) / listed * 100 if listed else Decimal(0)
        message = f"{sku}: invoiced {invoiced:,} vs price list {listed:,}"
        message += "" if ok else f" ({difference:+.1f} %)"
        results.append(ValidatorResult(name="catalog_price", ok=ok, message=message, field=f"items.{i}.unit_price"))
    return results

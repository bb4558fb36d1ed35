"""Price a request deterministically from the company's catalog and pricing.yaml.

Evaluation order (the same in docs/pricing.md; the order of rules in the file never matters):

1. Base price: the customer's price list (their own list, else their customer group's, else the default
   list = catalog.csv). A list price is an explicit price on that list, else the catalog price less the
   list's `discount_percent`. The quote states prices the way that list does (with or without VAT).
2. Candidates: every rule whose scope (SKU / item group / all), who (customer / customer group /
   everyone), dates (valid_from..valid_to, inclusive) and conditions (min/max quantity, line amount,
   order amount — amounts at list price, before any rule) match the line.
3. Exclusive rules (stackable: false): the one with the highest priority, then the most specific scope
   (SKU > item group > all), then the most specific customer scope (customer > group > everyone), then
   the lowest resulting price, then the lowest rule id. It applies to the list price.
4. Stackable rules: each applies on top of the price so far, ordered by priority, specificity, then id.
   A rule that would not lower the price is skipped ("no_effect"); prices never go below 0.
5. Max discount: no combination takes more than the item's maximum (SKU, else its strictest group,
   else the default) off the list price.
6. Rounding: prices changed by rules are rounded half-up to the unit (per line), or to the won with the
   document total rounded to the unit (per document); never below the step-5 floor nor above the list price.
7. Free items: free-item rules are their own track (the best exclusive one plus every stackable one);
   each adds a line at price 0 that names the rule.
8. VAT on the document (pricing.totals): added to the lines, or contained in them.
9. Approval bands (pricing.bands): the strictest matching band sets the role that must approve.

Money is `int` throughout the result; intermediate amounts are exact `Decimal`s; no floats anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pricing.bands import approval_band
from pricing.lines import LineResult, price_line
from pricing.price_book import price_book_for
from pricing.schema import PricingRules
from pricing.totals import compute_totals
from pricing.trace import LineContext
from schemas.company import CompanyConfig
from schemas.extraction import Extraction
from schemas.quote import PricedLine, PricedQuote, UnpricedLine


@dataclass(frozen=True)
class LineRequest:
    """One item to price: a catalog SKU and a positive quantity."""

    item_index: int
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class PricingResult:
    quote: PricedQuote
    line_results: list[LineResult]
    price_list_id: str
    price_list_name: str


def price_quote(extraction: Extraction, company: CompanyConfig, rules: PricingRules, on: date) -> PricedQuote:
    """The priced quote for an extraction; items without a known SKU or quantity are listed in `unpriced`."""
    requests, unpriced = line_requests(extraction, company)
    return price_requests(requests, extraction.customer_id.value, company, rules, on, unpriced).quote


def line_requests(extraction: Extraction, company: CompanyConfig) -> tuple[list[LineRequest], list[UnpricedLine]]:
    """Split the extraction's items into what can be priced and what needs a person (with the reason)."""
    requests, unpriced = [], []
    for index, item in enumerate(extraction.items):
        request = _request(index, item.sku.value, item.quantity.value, company)
        if isinstance(request, LineRequest):
            requests.append(request)
        else:
            description = item.description.value
            unpriced.append(UnpricedLine(item_index=index, description=description, sku=item.sku.value, reason=request))
    return requests, unpriced


def _request(index: int, sku: str | None, quantity: Decimal | None, company: CompanyConfig) -> LineRequest | str:
    """The line to price, or why it cannot be priced."""
    if sku is None:
        return "no catalog SKU matched"
    if company.item(sku) is None:
        return f"SKU {sku} is not in catalog.csv"
    if quantity is None:
        return "no quantity"
    if quantity <= 0:
        return f"quantity must be positive (got {quantity})"
    return LineRequest(index, sku, quantity)


def price_requests(
    requests: list[LineRequest],
    customer_id: str | None,
    company: CompanyConfig,
    rules: PricingRules,
    on: date,
    unpriced: list[UnpricedLine] | None = None,
) -> PricingResult:
    """Price SKUs and quantities for a customer (None: no customer, the default list, no customer rules)."""
    customer = company.customer(customer_id) if customer_id else None
    warnings = []
    if customer_id and customer is None:
        warnings.append(f"customer {customer_id} is not in customers.csv: priced at the default list")
    group = (customer.group or None) if customer else None
    known_id = customer.customer_id if customer else None
    currency = rules.currency or company.seller.currency
    book = price_book_for(company, rules, known_id, group)
    list_prices = [book.list_price(request.sku) for request in requests]
    order_list_amount = sum((p * r.quantity for p, r in zip(list_prices, requests, strict=True)), Decimal(0))
    results = []
    for request, list_price in zip(requests, list_prices, strict=True):
        item = book.items[request.sku]
        ctx = LineContext(
            sku=request.sku,
            unit=item.unit,
            item_groups=rules.groups_of(request.sku),
            customer_id=known_id,
            customer_group=group,
            quantity=request.quantity,
            list_price=list_price,
            order_list_amount=order_list_amount,
            on=on,
            currency=currency,
        )
        results.append(price_line(ctx, book, rules, request.item_index))
    lines: list[PricedLine] = [line for result in results for line in (result.line, *result.free_lines)]
    totals = compute_totals([line.amount for line in lines], rules.rounding, rules.vat_rate, book.modes.quote_gross)
    quote = PricedQuote(
        customer_id=customer_id or "",
        currency=currency,
        price_date=on,
        lines=lines,
        subtotal=totals.subtotal,
        vat_rate=rules.vat_rate,
        vat=totals.vat,
        total=totals.total,
        rounding_adjustment=totals.rounding_adjustment,
        prices_include_vat=book.modes.quote_gross,
        approval=approval_band(rules.approval_bands, lines, totals.total, currency),
        rules_version=rules.version,
        unpriced=unpriced or [],
        warnings=warnings,
    )
    return PricingResult(quote, results, book.list_id, book.list_name)

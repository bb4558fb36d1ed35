"""A tiny test company (five items, five customers) and builders for rules, extractions and quotes.

Nothing here touches the sample company: pricing must work for any company folder.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from pricing.engine import LineRequest, PricingResult, price_requests
from pricing.rules import parse_pricing, reference_problems
from pricing.schema import PricingRules
from schemas.business_no import check_digit
from schemas.company import CatalogItem, CompanyConfig, Customer, Seller
from schemas.extraction import Extraction, InvoiceHeader, Kind, LineItem
from schemas.fields import ExtractedField, ValidatorResult

DAY = date(2026, 6, 15)

CATALOG = [
    CatalogItem(sku="BOLT-8", name="볼트 M8", unit="EA", unit_price=100),
    CatalogItem(sku="BOLT-10", name="볼트 M10", unit="EA", unit_price=150),
    CatalogItem(sku="NUT-8", name="너트 M8", unit="EA", unit_price=30),
    CatalogItem(sku="MOTOR", name="모터 1kW", unit="EA", unit_price=500_000),
    CatalogItem(sku="OIL", name="기어오일", unit="L", unit_price=1_234),
]
CUSTOMERS = [
    Customer(customer_id="K1", name="VIP 고객", group="vip"),
    Customer(customer_id="K2", name="도매 고객", group="wholesale"),
    Customer(customer_id="K3", name="소매 고객", group="retail"),
    Customer(customer_id="K4", name="그룹 없는 고객"),
    Customer(customer_id="K5", name="도매 특약 고객", group="wholesale"),
]
GROUPS = {"bolts": {"name": "볼트류", "patterns": ["BOLT-*"]}, "small": {"skus": ["BOLT-8", "NUT-8"]}}


def business_no(first_nine: str) -> str:
    digits = first_nine + str(check_digit(first_nine))
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def tiny_company(folder: Path | None = None, currency: str = "KRW") -> CompanyConfig:
    seller = Seller(
        name="테스트상사",
        business_no=business_no("123456789"),
        address="서울",
        phone="02-000-0000",
        email="sales@example.com",
        currency=currency,
    )
    return CompanyConfig(folder=folder or Path("."), seller=seller, catalog=CATALOG, customers=CUSTOMERS)


def write_company(folder: Path, pricing_text: str | None) -> Path:
    """The tiny company as a real folder (for the loader and the CLI)."""
    folder.mkdir(parents=True, exist_ok=True)
    company = tiny_company(folder)
    (folder / "company.yaml").write_text(
        yaml.safe_dump(company.seller.model_dump(exclude_none=True), allow_unicode=True), encoding="utf-8"
    )
    with (folder / "catalog.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sku", "name", "unit", "unit_price", "aliases"])
        writer.writerows([i.sku, i.name, i.unit, i.unit_price, ""] for i in CATALOG)
    with (folder / "customers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "name", "aliases", "email", "business_no", "group"])
        writer.writerows([c.customer_id, c.name, "", "", "", c.group] for c in CUSTOMERS)
    if pricing_text is not None:
        (folder / "pricing.yaml").write_text(pricing_text, encoding="utf-8")
    return folder


def make_rules(data: dict[str, Any] | None = None, company: CompanyConfig | None = None) -> PricingRules:
    """Validate rules as load_pricing does (schema, then references), without a file."""
    pricing = parse_pricing(data or {}, Path("pricing.yaml"))
    problems = reference_problems(pricing, company or tiny_company())
    if problems:
        raise AssertionError(f"test rules are invalid: {problems}")
    return PricingRules(**dict(pricing))


def price(
    data: dict[str, Any] | None,
    lines: list[tuple[str, int | str | Decimal]],
    customer: str | None = "K3",
    on: date = DAY,
    company: CompanyConfig | None = None,
) -> PricingResult:
    company = company or tiny_company()
    requests = [LineRequest(index, sku, Decimal(qty)) for index, (sku, qty) in enumerate(lines)]
    return price_requests(requests, customer, company, make_rules(data, company), on)


def field(value: Any, confidence: float = 0.95) -> ExtractedField[Any]:
    return ExtractedField(value=value, confidence=confidence)


def item(sku: str | None, quantity: int | str | None, confidence: float = 0.95, description: str = "") -> LineItem:
    return LineItem(
        description=field(description or f"item {sku}", confidence),
        sku=field(sku, confidence),
        quantity=field(Decimal(quantity) if quantity is not None else None, confidence),
    )


def extraction(
    kind: Kind = Kind.RFQ,
    customer: str | None = "K3",
    items: list[LineItem] | None = None,
    kind_confidence: float = 0.95,
    customer_confidence: float = 0.95,
    validators: list[ValidatorResult] | None = None,
    invoice: InvoiceHeader | None = None,
) -> Extraction:
    return Extraction(
        kind=field(kind, kind_confidence),
        customer_id=field(customer, customer_confidence),
        customer_name=field("고객사"),
        items=[item("BOLT-8", 10)] if items is None else items,
        validators=validators or [],
        invoice=invoice,
        extractor="rules",
    )


def invoice_header(confidence: float = 0.95, **missing: bool) -> InvoiceHeader:
    values: dict[str, Any] = {
        "supplier": "공급사",
        "buyer": "테스트상사",
        "number": "INV-1",
        "date": DAY,
        "currency": "KRW",
        "net": Decimal(1000),
        "tax": Decimal(100),
        "gross": Decimal(1100),
    }
    return InvoiceHeader(**{k: field(None if missing.get(k) else v, confidence) for k, v in values.items()})

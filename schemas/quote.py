"""A priced quote: deterministic prices with the trace of every rule that set them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from schemas.fields import Quantity


class AppliedRule(BaseModel):
    rule_id: str
    name: str
    effect: str = Field(description='customer-readable, e.g. "10% 할인" or "tier 100+: 9,000"')
    unit_price_after: int


class PricedLine(BaseModel):
    sku: str
    name: str
    unit: str
    quantity: Quantity
    list_price: int = Field(description="catalog (or group list) unit price, in the currency's minor-free unit")
    unit_price: int
    amount: int
    discount: int = Field(default=0, description="list_price * quantity - amount, never negative")
    rules: list[AppliedRule] = Field(default_factory=list)
    free: bool = Field(default=False, description="a free item added by a promotion")


class ApprovalBand(BaseModel):
    band_id: str
    name: str
    required_role: str
    reason: str


class PricedQuote(BaseModel):
    customer_id: str
    currency: str = "KRW"
    price_date: date
    lines: list[PricedLine]
    subtotal: int
    vat_rate: Decimal = Decimal("0.10")
    vat: int
    total: int
    prices_include_vat: bool = False
    approval: ApprovalBand | None = None
    rules_version: str = Field(default="", description="sha256 of the pricing file used, or 'catalog'")

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
    item_index: int | None = Field(default=None, description="index of the extraction item this line prices")


class UnpricedLine(BaseModel):
    """An extraction item the engine could not price (no SKU, unknown SKU, no usable quantity)."""

    item_index: int
    description: str
    sku: str | None = None
    reason: str


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
    rounding_adjustment: int = Field(
        default=0,
        description="document rounding (단수 조정), already included: sum(line amounts) + rounding_adjustment is "
        "the subtotal when prices exclude VAT, the total when they include it; 0 when rounding per line",
    )
    prices_include_vat: bool = False
    approval: ApprovalBand | None = None
    rules_version: str = Field(default="", description="sha256 of the pricing file used, or 'catalog'")
    unpriced: list[UnpricedLine] = Field(default_factory=list, description="items that need a person")
    warnings: list[str] = Field(default_factory=list, description="anything that must send the quote to review")

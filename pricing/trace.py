"""What the engine considered for one line: every rule, whether it applied, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

VerdictStatus = Literal["applied", "not_applicable", "outranked", "no_effect"]

MAX_DISCOUNT_RULE_ID = "max-discount"
ROUNDING_RULE_ID = "rounding"
ENGINE_STEP_IDS = frozenset({MAX_DISCOUNT_RULE_ID, ROUNDING_RULE_ID})
"""Trace entries the engine adds itself; no rule in pricing.yaml may take these ids."""


class RuleVerdict(BaseModel):
    rule_id: str
    name: str
    status: VerdictStatus
    reason: str
    unit_price_after: int | None = None


@dataclass(frozen=True)
class LineContext:
    """Everything a rule may look at for one line. Money here is in the quote's VAT mode."""

    sku: str
    unit: str
    item_groups: frozenset[str]
    customer_id: str | None
    customer_group: str | None
    quantity: Decimal
    list_price: int
    order_list_amount: Decimal
    on: date
    currency: str

    @property
    def list_amount(self) -> Decimal:
        return self.list_price * self.quantity

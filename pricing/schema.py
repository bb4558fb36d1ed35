"""The pricing.yaml schema: price lists, item groups, rules, maximum discounts, rounding and approval bands.

Money is an integer in the company's currency; percentages are numbers of percent (`10` is 10 %);
`vat_rate` is a fraction (`0.10`). Every amount in rules, conditions and bands is stated the way the
default list (catalog.csv) states prices: with or without VAT as `price_lists.default.prices_include_vat`
says. The reference with examples is docs/pricing.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pricing.trace import ENGINE_STEP_IDS

Percent = Annotated[Decimal, Field(ge=0, le=100)]
Money = Annotated[int, Field(ge=0)]
Quantity = Annotated[Decimal, Field(gt=0)]
TierMode = Literal["whole_line", "graduated"]
ApprovalRole = Literal["reviewer", "approver", "owner"]

DEFAULT_LIST = "default"
ROLE_RANK: dict[str, int] = {"reviewer": 1, "approver": 2, "owner": 3}
OUTCOME_FIELDS = ("unit_price", "discount_percent", "discount_amount", "free_item", "tiers")


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt `min_qyt` must not silently become "no condition"."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemGroup(_Strict):
    """A set of catalog SKUs, listed or matched by shell-style patterns (`BLT-*`), since catalog.csv has no group."""

    name: str = ""
    skus: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="fnmatch patterns, case-sensitive: BLT-*, NUT-M?")

    @model_validator(mode="after")
    def _not_empty(self) -> ItemGroup:
        if not self.skus and not self.patterns:
            raise ValueError("an item group needs skus or patterns")
        return self

    def contains(self, sku: str) -> bool:
        return sku in self.skus or any(fnmatchcase(sku, pattern) for pattern in self.patterns)


class PriceList(_Strict):
    """A customer's list: explicit prices, else `discount_percent` off the default list (catalog.csv)."""

    name: str = ""
    customers: list[str] = Field(default_factory=list)
    customer_groups: list[str] = Field(default_factory=list)
    prices_include_vat: bool = False
    discount_percent: Percent = Decimal(0)
    prices: dict[str, Money] = Field(default_factory=dict)


class Scope(_Strict):
    """Which items a rule is for: listed SKUs, item groups, or (neither) every item."""

    skus: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Scope:
        if self.skus and self.groups:
            raise ValueError("give skus or groups, not both (write two rules)")
        return self

    @property
    def specificity(self) -> int:
        """sku (2) > item group (1) > all items (0)."""
        return 2 if self.skus else 1 if self.groups else 0


class Who(_Strict):
    """Which customers a rule is for: listed customer ids, customer groups, or (neither) everyone."""

    customers: list[str] = Field(default_factory=list)
    customer_groups: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Who:
        if self.customers and self.customer_groups:
            raise ValueError("give customers or customer_groups, not both (write two rules)")
        return self

    @property
    def specificity(self) -> int:
        """customer (2) > customer group (1) > everyone (0)."""
        return 2 if self.customers else 1 if self.customer_groups else 0


class Conditions(_Strict):
    """All bounds inclusive. Amounts are list amounts before any rule (quantity × list price)."""

    min_qty: Quantity | None = None
    max_qty: Quantity | None = None
    min_line_amount: Money | None = None
    max_line_amount: Money | None = None
    min_order_amount: Money | None = None
    max_order_amount: Money | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Conditions:
        pairs = (
            ("min_qty", "max_qty"),
            ("min_line_amount", "max_line_amount"),
            ("min_order_amount", "max_order_amount"),
            ("valid_from", "valid_to"),
        )
        for low, high in pairs:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                raise ValueError(f"{low} ({low_value}) is after {high} ({high_value})")
        return self


class FreeItem(_Strict):
    """For every `per` units bought, `qty` units of `sku` (default: the same item) free."""

    per: Annotated[int, Field(ge=1)]
    qty: Annotated[int, Field(ge=1)]
    sku: str | None = None

    def sku_for(self, line_sku: str) -> str:
        return self.sku or line_sku


class TierBand(_Strict):
    """From the `min_qty`-th unit on: a unit price, or a percentage off the list price."""

    min_qty: Quantity
    unit_price: Money | None = None
    discount_percent: Percent | None = None

    @model_validator(mode="after")
    def _one_price(self) -> TierBand:
        if (self.unit_price is None) == (self.discount_percent is None):
            raise ValueError("a tier needs exactly one of unit_price or discount_percent")
        return self


class Tiers(_Strict):
    """Quantity tiers. `whole_line`: the whole line at the tier the quantity reaches.
    `graduated`: each quantity band at its own price (units below the first tier at the list price)."""

    mode: TierMode
    bands: list[TierBand] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _sorted_unique(cls, bands: list[TierBand]) -> list[TierBand]:
        starts = [band.min_qty for band in bands]
        if len(set(starts)) != len(starts):
            raise ValueError(f"two tiers start at the same min_qty: {', '.join(map(str, sorted(starts)))}")
        # The file may list tiers in any order; evaluation needs them ascending.
        return sorted(bands, key=lambda band: band.min_qty)


class Rule(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    scope: Scope = Field(default_factory=Scope)
    who: Who = Field(default_factory=Who)
    when: Conditions = Field(default_factory=Conditions)
    unit_price: Money | None = Field(default=None, description="fixed unit price")
    discount_percent: Percent | None = None
    discount_amount: Money | None = Field(default=None, description="off each unit")
    free_item: FreeItem | None = None
    tiers: Tiers | None = None
    priority: int = Field(default=0, description="higher wins")
    stackable: bool = False

    @model_validator(mode="after")
    def _one_outcome(self) -> Rule:
        given = [name for name in OUTCOME_FIELDS if getattr(self, name) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one outcome of {', '.join(OUTCOME_FIELDS)} (found: {found})")
        if self.stackable and self.sets_price:
            raise ValueError(
                "a rule that sets a unit price (unit_price, or tiers with unit_price) cannot be stackable; "
                "stack percentages or amounts instead"
            )
        return self

    @property
    def outcome(self) -> str:
        return next(name for name in OUTCOME_FIELDS if getattr(self, name) is not None)

    @property
    def gives_free_items(self) -> bool:
        return self.free_item is not None

    @property
    def sets_price(self) -> bool:
        if self.unit_price is not None:
            return True
        return self.tiers is not None and any(band.unit_price is not None for band in self.tiers.bands)


class MaxDiscount(_Strict):
    """The most any combination of rules may take off an item's list price, in percent.
    The most specific entry counts: sku, else the lowest of its groups, else `default` (none: 100)."""

    default: Percent | None = None
    groups: dict[str, Percent] = Field(default_factory=dict)
    skus: dict[str, Percent] = Field(default_factory=dict)


class Rounding(_Strict):
    """`line`: each changed unit price (graduated lines: the amount) to `unit`, half-up.
    `document`: prices to the won, and the document total to `unit` (the difference is the 단수 조정)."""

    per: Literal["line", "document"] = "line"
    unit: Literal[1, 10, 100] = 1


class ApprovalBandRule(_Strict):
    """A quote needs `role` when any of the given conditions holds; the strictest matching band counts."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    role: ApprovalRole
    min_total: Money | None = Field(default=None, description="quote total, VAT included")
    min_line_discount_percent: Percent | None = Field(default=None, description="any paid line's discount")

    @model_validator(mode="after")
    def _has_condition(self) -> ApprovalBandRule:
        if self.min_total is None and self.min_line_discount_percent is None:
            raise ValueError("a band needs min_total or min_line_discount_percent")
        return self


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


class PricingFile(_Strict):
    """Everything pricing.yaml may hold; every key is optional (an empty file means catalog prices)."""

    currency: str | None = Field(default=None, min_length=3, max_length=3, description="default: company.yaml")
    vat_rate: Decimal = Field(default=Decimal("0.10"), ge=0, lt=1, description="a fraction: 0.10 is 10 %")
    rounding: Rounding = Field(default_factory=Rounding)
    item_groups: dict[str, ItemGroup] = Field(default_factory=dict)
    price_lists: dict[str, PriceList] = Field(default_factory=dict)
    max_discount: MaxDiscount = Field(default_factory=MaxDiscount)
    rules: list[Rule] = Field(default_factory=list)
    approval_bands: list[ApprovalBandRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PricingFile:
        problems = _id_problems(self) + _price_list_problems(self) + _group_reference_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _id_problems(pricing: PricingFile) -> list[str]:
    problems = []
    if duplicates := _duplicates([rule.id for rule in pricing.rules]):
        problems.append(f"rule ids must be unique: {', '.join(duplicates)} used twice")
    problems += [
        f"rule id '{rule.id}' is reserved for the engine's own trace steps; choose another"
        for rule in pricing.rules
        if rule.id in ENGINE_STEP_IDS
    ]
    if duplicates := _duplicates([band.id for band in pricing.approval_bands]):
        problems.append(f"approval band ids must be unique: {', '.join(duplicates)} used twice")
    return problems


def _price_list_problems(pricing: PricingFile) -> list[str]:
    problems = []
    default = pricing.price_lists.get(DEFAULT_LIST)
    if default and (default.customers or default.customer_groups or default.prices or default.discount_percent):
        problems.append(
            "price_lists.default is catalog.csv: it takes only name and prices_include_vat "
            "(put prices in catalog.csv, or in a list for some customers)"
        )
    for list_id, price_list in pricing.price_lists.items():
        if list_id != DEFAULT_LIST and not (price_list.customers or price_list.customer_groups):
            problems.append(f"price_lists.{list_id}: give customers or customer_groups, or no one gets this list")
    for key, label in (("customers", "customer"), ("customer_groups", "customer group")):
        owners: dict[str, list[str]] = {}
        for list_id, price_list in pricing.price_lists.items():
            for member in getattr(price_list, key):
                owners.setdefault(member, []).append(list_id)
        for member, lists in sorted(owners.items()):
            if len(lists) > 1:
                problems.append(f"{label} {member} is on more than one price list: {', '.join(lists)}")
    return problems


def _group_reference_problems(pricing: PricingFile) -> list[str]:
    known = set(pricing.item_groups)
    problems = [
        f"rules[{index}] (id '{rule.id}'): scope.groups: unknown item group '{group}' "
        f"(known: {', '.join(sorted(known)) or 'none'})"
        for index, rule in enumerate(pricing.rules)
        for group in rule.scope.groups
        if group not in known
    ]
    problems += [
        f"max_discount.groups: unknown item group '{group}'"
        for group in pricing.max_discount.groups
        if group not in known
    ]
    return problems


class PricingRules(PricingFile):
    """A validated pricing.yaml plus where it came from; what the engine prices with."""

    version: str = Field(default="catalog", description="sha256 of pricing.yaml, or 'catalog' without one")

    @property
    def default_prices_include_vat(self) -> bool:
        default = self.price_lists.get(DEFAULT_LIST)
        return default.prices_include_vat if default else False

    def groups_of(self, sku: str) -> frozenset[str]:
        return frozenset(group_id for group_id, group in self.item_groups.items() if group.contains(sku))

    def price_list_for(self, customer_id: str | None, customer_group: str | None) -> tuple[str, PriceList | None]:
        """The customer's own list, else their group's, else the default (None: catalog.csv as it is)."""
        for list_id, price_list in sorted(self.price_lists.items()):
            if customer_id and customer_id in price_list.customers:
                return list_id, price_list
        for list_id, price_list in sorted(self.price_lists.items()):
            if customer_group and customer_group in price_list.customer_groups:
                return list_id, price_list
        return DEFAULT_LIST, self.price_lists.get(DEFAULT_LIST)

    def max_discount_for(self, sku: str) -> tuple[Decimal, str]:
        """The cap on this item's discount in percent, and where it comes from (for the trace)."""
        caps = self.max_discount
        if sku in caps.skus:
            return caps.skus[sku], f"SKU {sku}"
        group_caps = sorted((caps.groups[g], g) for g in self.groups_of(sku) if g in caps.groups)
        if group_caps:
            percent, group = group_caps[0]
            return percent, f"group {group}"
        if caps.default is not None:
            return caps.default, "default"
        return Decimal(100), "none"

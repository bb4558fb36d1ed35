"""Step 1 of the evaluation order: the customer's list price for each item, in the quote's VAT mode."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pricing.money import VatModes, percent_off, round_half_up
from pricing.schema import PriceList, PricingRules
from schemas.company import CatalogItem, CompanyConfig


@dataclass(frozen=True)
class PriceBook:
    """The price list one customer buys from. The quote states prices the way this list does
    (with or without VAT); catalog prices and rule amounts are restated when the default list differs."""

    list_id: str
    price_list: PriceList | None
    items: dict[str, CatalogItem]
    modes: VatModes

    @property
    def list_name(self) -> str:
        name = self.price_list.name if self.price_list else ""
        return name or self.list_id

    def item(self, sku: str) -> CatalogItem | None:
        return self.items.get(sku)

    def list_price(self, sku: str) -> int:
        """An explicit price on the customer's list, else catalog.csv less the list's discount_percent."""
        if self.price_list and sku in self.price_list.prices:
            return self.price_list.prices[sku]
        price = self.modes.to_quote(Decimal(self.items[sku].unit_price))
        if self.price_list and self.price_list.discount_percent:
            price = percent_off(price, self.price_list.discount_percent)
        return round_half_up(price)


def price_book_for(
    company: CompanyConfig, rules: PricingRules, customer_id: str | None, customer_group: str | None
) -> PriceBook:
    list_id, price_list = rules.price_list_for(customer_id, customer_group)
    quote_gross = price_list.prices_include_vat if price_list else rules.default_prices_include_vat
    modes = VatModes(rules_gross=rules.default_prices_include_vat, quote_gross=quote_gross, vat_rate=rules.vat_rate)
    return PriceBook(list_id, price_list, {item.sku: item for item in company.catalog}, modes)

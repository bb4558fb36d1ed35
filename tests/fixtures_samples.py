"""Helpers shared by the samples and quotes tests: reading PDF fonts, building priced quotes."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

from schemas.company import CompanyConfig
from schemas.quote import AppliedRule, PricedLine, PricedQuote


def pdf_fonts(pdf: Path) -> dict[str, bool]:
    """Font name (subset tag stripped) -> embedded?, as poppler's pdffonts reports them."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts: dict[str, bool] = {}
    for row in output.splitlines()[2:]:
        columns = row.split()
        # name, type (one or two words), encoding, emb, sub, uni, object number, generation
        name, embedded = columns[0].split("+")[-1], columns[-5] == "yes"
        fonts[name] = fonts.get(name, True) and embedded
    return fonts


def priced_quote(company: CompanyConfig, customer_id: str, lines: int, discount_every: int = 3) -> PricedQuote:
    """A quote over the first `lines` catalog items (cycling), every `discount_every`-th line 10% off.

    Built by hand, not by the pricing engine, so these tests check rendering alone.
    """
    priced = []
    for index in range(lines):
        item = company.catalog[index % len(company.catalog)]
        quantity = Decimal(index % 17 + 1)
        rules = []
        unit_price = item.unit_price
        if discount_every and index % discount_every == 1:
            unit_price = item.unit_price * 9 // 10
            rules = [AppliedRule(rule_id="group-10", name="그룹 할인", effect="10% 할인", unit_price_after=unit_price)]
        amount = int(unit_price * quantity)
        priced.append(PricedLine(sku=item.sku, name=item.name, unit=item.unit, quantity=quantity,
                                 list_price=item.unit_price, unit_price=unit_price, amount=amount,
                                 discount=int(item.unit_price * quantity) - amount, rules=rules))
    subtotal = sum(line.amount for line in priced)
    vat = subtotal // 10
    return PricedQuote(customer_id=customer_id, price_date=date(2026, 11, 24), lines=priced, subtotal=subtotal,
                       vat=vat, total=subtotal + vat, rules_version="catalog")

"""The sample company's and the second company's pricing.yaml, loaded from their folders and used unchanged.

Expected prices are computed from each catalog.csv, so the tests follow catalog edits and still check the rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pricing.engine import LineRequest, PricingResult, price_requests
from pricing.money import percent_off, round_half_up
from pricing.rules import load_pricing
from schemas.company import CompanyConfig, load_company
from schemas.quote import PricedLine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "company"
SECOND = ROOT / "tests" / "companies" / "second"
AUTUMN, YEAR_END, NEW_YEAR = date(2026, 10, 15), date(2026, 12, 10), date(2027, 1, 5)


@pytest.fixture(scope="module")
def sample() -> CompanyConfig:
    return load_company(SAMPLE)


@pytest.fixture(scope="module")
def second() -> CompanyConfig:
    return load_company(SECOND)


def quote(company: CompanyConfig, customer: str, lines: list[tuple[str, int]], on: date) -> PricingResult:
    requests = [LineRequest(index, sku, Decimal(qty)) for index, (sku, qty) in enumerate(lines)]
    return price_requests(requests, customer, company, load_pricing(company), on)


def customer_in(company: CompanyConfig, group: str) -> str:
    return next(c.customer_id for c in company.customers if c.group == group)


def catalog_price(company: CompanyConfig, sku: str) -> int:
    item = company.item(sku)
    assert item is not None, f"{sku} is no longer in {company.folder}/catalog.csv"
    return item.unit_price


def rule_ids(line: PricedLine) -> list[str]:
    return [applied.rule_id for applied in line.rules]


def test_both_companies_load_their_pricing(sample: CompanyConfig, second: CompanyConfig) -> None:
    for company in (sample, second):
        rules = load_pricing(company)
        assert rules.rules and rules.approval_bands
        assert len(rules.version) == 64


def test_sample_graduated_bolt_tiers(sample: CompanyConfig) -> None:
    retail = customer_in(sample, "retail")
    line = quote(sample, retail, [("BLT-M8X30", 1200)], AUTUMN).quote.lines[0]
    price = Decimal(catalog_price(sample, "BLT-M8X30"))
    exact = 499 * price + 500 * percent_off(price, Decimal(5)) + 201 * percent_off(price, Decimal(10))
    assert rule_ids(line) == ["bolt-volume"]
    assert line.amount == round_half_up(exact)


def test_sample_whole_line_nut_tiers_on_the_wholesale_list(sample: CompanyConfig) -> None:
    wholesale = customer_in(sample, "wholesale")
    rules = load_pricing(sample)
    line = quote(sample, wholesale, [("NUT-M10", 5000)], AUTUMN).quote.lines[0]
    assert line.list_price == rules.price_lists["wholesale"].prices["NUT-M10"]
    assert line.unit_price == round_half_up(percent_off(Decimal(line.list_price), Decimal(12)))
    assert rule_ids(line) == ["nut-volume"]


def test_sample_wholesale_list_is_the_catalog_less_eight_percent(sample: CompanyConfig) -> None:
    wholesale, retail = customer_in(sample, "wholesale"), customer_in(sample, "retail")
    catalog = catalog_price(sample, "GLV-COT")
    assert quote(sample, wholesale, [("GLV-COT", 1)], AUTUMN).quote.lines[0].list_price == round_half_up(
        percent_off(Decimal(catalog), Decimal(8))
    )
    assert quote(sample, retail, [("GLV-COT", 1)], AUTUMN).quote.lines[0].list_price == catalog


def test_sample_year_end_promotion_only_in_december(sample: CompanyConfig) -> None:
    retail = customer_in(sample, "retail")
    order = [("VBT-B50", 40)]  # a list amount over the promotion's 300,000 minimum
    assert 40 * catalog_price(sample, "VBT-B50") >= 300_000
    assert rule_ids(quote(sample, retail, order, YEAR_END).quote.lines[0]) == ["year-end-2026"]
    assert rule_ids(quote(sample, retail, order, NEW_YEAR).quote.lines[0]) == []


def test_sample_vip_stacks_and_the_drive_cap_holds(sample: CompanyConfig) -> None:
    vip = customer_in(sample, "vip")
    line = quote(sample, vip, [("MTR-075", 2)], YEAR_END).quote.lines[0]
    # 7 % (two drives) + 5 % (VIP) + 3 % (December) would be 14.3 % off; drives are capped at 12 %.
    assert rule_ids(line) == ["drives-pair", "vip-extra", "year-end-2026", "max-discount"]
    assert line.unit_price == round_half_up(percent_off(Decimal(catalog_price(sample, "MTR-075")), Decimal(12)))


def test_sample_contract_price_and_free_goods(sample: CompanyConfig) -> None:
    result = quote(sample, "C001", [("BRG-6204ZZ", 10), ("GRS-EP2", 45)], AUTUMN).quote
    contract = result.lines[0]
    assert rule_ids(contract)[0] == "daesung-bearing-contract"
    free = [line for line in result.lines if line.free]
    assert [(line.sku, int(line.quantity)) for line in free] == [("GRS-EP2-400", 4)]


def test_sample_approval_bands(sample: CompanyConfig) -> None:
    retail = customer_in(sample, "retail")
    small = quote(sample, retail, [("TAP-PVC", 10)], AUTUMN).quote
    assert small.approval is None
    motors = quote(sample, retail, [("MTR-370", 30)], AUTUMN).quote
    assert motors.total >= 20_000_000
    assert motors.approval is not None and motors.approval.required_role == "owner"


def test_second_company_prices_include_vat_and_round_the_total_to_ten_won(second: CompanyConfig) -> None:
    order = [("CT-PP500", 12), ("IP-500", 1200), ("TP-OPP48", 60), ("LB-FOOD", 3)]
    result = quote(second, "F002", order, AUTUMN).quote
    assert result.prices_include_vat
    assert result.total % 10 == 0
    assert result.total == sum(line.amount for line in result.lines) + result.rounding_adjustment
    assert result.subtotal + result.vat == result.total
    assert abs(result.vat - result.subtotal * Decimal("0.1")) <= 1
    lines = {line.sku: line for line in result.lines if not line.free}
    assert rule_ids(lines["CT-PP500"]) == ["container-cases"]
    assert rule_ids(lines["IP-500"]) == ["ice-pack-bands"]
    list_ip = catalog_price(second, "IP-500")
    assert lines["IP-500"].amount == 200 * list_ip + 800 * 320 + 200 * 290
    assert [(line.sku, int(line.quantity)) for line in result.lines if line.free] == [("TP-OPP48", 5)]


def test_second_company_season_and_distributor_list(second: CompanyConfig) -> None:
    distributor = customer_in(second, "wholesale")
    in_season = quote(second, distributor, [("EPS-5", 100)], date(2026, 9, 10)).quote.lines[0]
    after = quote(second, distributor, [("EPS-5", 100)], date(2026, 9, 26)).quote.lines[0]
    assert in_season.list_price == round_half_up(percent_off(Decimal(catalog_price(second, "EPS-5")), Decimal(12)))
    assert rule_ids(in_season) == ["chuseok-2026"] and rule_ids(after) == []

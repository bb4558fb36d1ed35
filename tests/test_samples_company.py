"""The sample company folders load, and their data is what the rest of the product relies on."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from schemas.business_no import is_valid_business_no
from schemas.company import CompanyConfig, load_company

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "company"
SECOND = ROOT / "tests" / "companies" / "second"


def _norm(text: str) -> str:
    return re.sub(r"[\s\-_*×x()]", "", text.lower())


@pytest.fixture(scope="module", params=[SAMPLE, SECOND], ids=["sample", "second"])
def company(request: pytest.FixtureRequest) -> CompanyConfig:
    return load_company(request.param)


def test_sample_company_is_big_enough_to_exercise_matching() -> None:
    company = load_company(SAMPLE)
    assert len(company.catalog) >= 45
    assert len(company.customers) >= 16
    assert {item.unit for item in company.catalog} >= {"EA", "BOX", "SET", "M", "L", "KG"}
    assert {c.group for c in company.customers} == {"vip", "wholesale", "retail"}
    assert company.pricing_path is None or company.pricing_path.name == "pricing.yaml"


def test_every_business_number_passes_the_check_digit(company: CompanyConfig) -> None:
    numbers = [company.seller.business_no] + [c.business_no for c in company.customers]
    assert all(numbers), "every customer has a business number"
    assert all(is_valid_business_no(n) for n in numbers)
    assert len(set(numbers)) == len(numbers), "business numbers are unique"


def test_no_alias_names_two_products(company: CompanyConfig) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for item in company.catalog:
        for text in (item.sku, item.name, *item.aliases):
            owners[_norm(text)].add(item.sku)
    assert {alias: skus for alias, skus in owners.items() if len(skus) > 1} == {}


def test_no_alias_names_two_customers(company: CompanyConfig) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for customer in company.customers:
        for text in (customer.name, *customer.aliases):
            owners[_norm(text)].add(customer.customer_id)
    assert {alias: ids for alias, ids in owners.items() if len(ids) > 1} == {}


def test_customers_have_korean_and_english_names_and_mostly_corporate_mail() -> None:
    company = load_company(SAMPLE)
    assert any("(주)" in c.name for c in company.customers) and any("㈜" in c.name for c in company.customers)
    assert all(any(a.isascii() for a in c.aliases) for c in company.customers), "an English alias each"
    without_mail = [c for c in company.customers if not c.email_domain]
    assert 1 <= len(without_mail) <= 4
    personal = {"naver.com", "gmail.com", "daum.net", "hanmail.net"}
    assert not {c.email_domain for c in company.customers} & personal


def test_catalog_has_deliberately_similar_products() -> None:
    skus = {item.sku for item in load_company(SAMPLE).catalog}
    assert {"BRG-6204", "BRG-6204ZZ", "BRG-6205", "BRG-6205ZZ", "BLT-M8X30", "BLT-M8X40", "BLT-M10X30",
            "BLT-M8X30-SUS", "VBT-A40", "VBT-A42", "CTY-200", "CTY-300", "CTY-300-BK"} <= skus


def test_the_two_companies_share_nothing() -> None:
    sample, second = load_company(SAMPLE), load_company(SECOND)
    assert sample.seller.name != second.seller.name
    assert not {i.sku for i in sample.catalog} & {i.sku for i in second.catalog}
    assert not {c.customer_id for c in sample.customers} & {c.customer_id for c in second.customers}

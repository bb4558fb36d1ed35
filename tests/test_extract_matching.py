"""Catalog and customer matching on a tiny company with look-alike items and look-alike customers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_extract import make_company

from extractors.matching import CatalogMatcher, CustomerMatcher, find_business_numbers
from extractors.quantities import find_quantities
from schemas.company import CompanyConfig


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> CompanyConfig:
    return make_company(Path(tmp_path_factory.mktemp("company")))


@pytest.fixture(scope="module")
def catalog(company: CompanyConfig) -> CatalogMatcher:
    return CatalogMatcher(company.catalog)


@pytest.fixture(scope="module")
def customers(company: CompanyConfig) -> CustomerMatcher:
    return CustomerMatcher(company.customers, company.seller)


def _best(catalog: CatalogMatcher, line: str) -> tuple[str | None, float]:
    blank = [(m.start, m.end) for m in find_quantities(line)]
    match = catalog.best(line, blank)
    return (match.sku, match.confidence) if match else (None, 0.0)


@pytest.mark.parametrize(
    ("line", "sku"),
    [
        ("6204 베어링 100개", "BRG-6204"),
        ("6205 베어링 100개", "BRG-6205"),
        ("베어링 6204ZZ 50개", "BRG-6204ZZ"),
        ("6204 ZZ 20개", "BRG-6204ZZ"),  # the longer alias wins over "6204" inside it
        ("6204-ZZ 20개", "BRG-6204ZZ"),
        ("6204베어링 10개", "BRG-6204"),  # code glued to the word
        ("BRG-6205 x 20", "BRG-6205"),  # the SKU itself
        ("brg 6205 20 EA", "BRG-6205"),
        ("볼트 M8x30 500개", "BLT-M8X30"),
        ("육각볼트 M8×40 200개", "BLT-M8X40"),
        ("hex bolt m8*40 - 100 pcs", "BLT-M8X40"),
        ("Ｍ８ｘ３０ 볼트 100개", "BLT-M8X30"),  # full-width
        ("코팅장갑 10세트", "GLV-NBR"),
        ("케이블타이 200mm 5박스", "CTY-200"),
        ("유압호스 1/2인치 20m", "HOS-08"),
    ],
)
def test_exact_names_aliases_and_codes(catalog: CatalogMatcher, line: str, sku: str) -> None:
    found, confidence = _best(catalog, line)
    assert found == sku
    assert confidence >= 0.9


def test_a_different_number_kills_the_match_however_similar_the_words(catalog: CatalogMatcher) -> None:
    # 6206 is not in the catalog: 6204 and 6205 read almost the same, but the number says it is neither.
    assert _best(catalog, "볼베어링 6206 100개") == (None, 0.0)
    assert _best(catalog, "육각볼트 M8x50 100개") == (None, 0.0)


def test_a_code_the_item_does_not_have_lowers_the_score(catalog: CatalogMatcher) -> None:
    sku, confidence = _best(catalog, "6204 2RS 20개")  # a rubber-sealed variant this catalog lacks
    assert sku == "BRG-6204"
    assert confidence < 0.8


def test_no_model_number_is_ambiguous_not_a_guess(catalog: CatalogMatcher) -> None:
    matches = catalog.match("베어링 100개", [(4, 8)])
    assert {m.sku for m in matches} >= {"BRG-6204", "BRG-6205"}
    assert max(m.confidence for m in matches) < 0.6


def test_misspelt_names_match_with_less_confidence(catalog: CatalogMatcher) -> None:
    sku, confidence = _best(catalog, "니트릴 코팅장깝 5세트")
    assert sku == "GLV-NBR"
    assert 0.5 < confidence < 0.95
    assert _best(catalog, "electrical tapes 10개")[0] == "TAP-PVC"


def test_extra_words_an_item_does_not_explain_lower_the_score(catalog: CatalogMatcher) -> None:
    plain, _ = _best(catalog, "절연테이프 10개")
    sku, confidence = _best(catalog, "절연테이프 커터 거치대 10개")
    assert plain == sku == "TAP-PVC"
    assert confidence < 0.8


def test_a_line_naming_several_items_is_split_per_item(catalog: CatalogMatcher) -> None:
    line = "6204 10개, 6205 20개 그리고 M8x30 볼트 500개"
    blank = [(m.start, m.end) for m in find_quantities(line)]
    segments = catalog.segments(line, blank)
    assert [line[a:b].strip(" ,") for a, b in segments] == ["6204 10개", "6205 20개 그리고", "M8x30 볼트 500개"]


def test_learnt_aliases(company: CompanyConfig) -> None:
    catalog = CatalogMatcher(company.catalog, learnt={"파란 장갑": "GLV-NBR", "unknown alias": "NO-SUCH-SKU"})
    assert _best(catalog, "파란 장갑 3세트") == ("GLV-NBR", 0.95)


def test_customers_by_sender(customers: CustomerMatcher) -> None:
    [exact] = customers.by_sender("BUY@hangyeol.co.kr")
    [domain] = customers.by_sender("another.person@hangyeol.co.kr")
    [registered_gmail] = customers.by_sender("nuri.trade@gmail.com")
    assert (exact.customer_id, exact.method, exact.confidence) == ("K001", "email", 0.97)
    assert (domain.customer_id, domain.method) == ("K001", "domain") and domain.confidence < exact.confidence
    assert registered_gmail.customer_id == "K004"
    assert customers.by_sender("somebody@gmail.com") == []  # a public domain says nothing about the company
    assert customers.by_sender("sales@testparts.co.kr") == []


def test_customers_named_in_text(customers: CustomerMatcher) -> None:
    def ids(text: str) -> list[tuple[str, str]]:
        return [(m.customer_id, m.method) for m in customers.in_text(text)]

    assert ids("(주)한결정밀 구매팀 김철수") == [("K001", "name")]
    assert ids("한결정밀공업사 박영수") == [("K002", "name")]  # not K001, whose name is inside it
    assert ids("바다기계에서 연락드립니다") == [("K003", "name")]
    assert ids("Bada Machinery Co., Ltd.") == [("K003", "name")]
    assert ids("사업자등록번호: 314-86-20457") == [("K003", "business_no")]
    assert ids("E-mail: order@bada-mc.kr") == [("K003", "email_in_text")]
    assert ids("테스트부품(주) 귀중, 사업자번호 220-81-12341") == []  # the seller is never the customer
    assert ids("314-86-20458") == []  # wrong check digit


def test_learnt_customer_aliases(company: CompanyConfig) -> None:
    learnt = {"한결": "K001", "@nuri-trading.kr": "K004", "boss@bada.net": "K003"}
    matcher = CustomerMatcher(company.customers, company.seller, learnt)
    assert [(m.customer_id, m.method) for m in matcher.in_text("한결 구매팀입니다")] == [("K001", "learnt")]
    assert matcher.by_sender("kim@nuri-trading.kr")[0].customer_id == "K004"
    assert matcher.by_sender("boss@bada.net")[0].customer_id == "K003"


def test_business_numbers_are_found_and_checked() -> None:
    found = find_business_numbers("사업자번호 3148620457, 대표번호 031-123-4567, 번호 123-45-67890")
    assert [(n.formatted, n.valid) for n in found] == [("314-86-20457", True), ("123-45-67890", False)]

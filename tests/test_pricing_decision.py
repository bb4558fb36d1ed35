"""The route of a document: auto, review (with reasons and the role needed) or not a request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fixtures_pricing import extraction, invoice_header, item, price, tiny_company

from pricing.decision import decide
from pricing.engine import price_quote
from pricing.schema import PricingRules
from schemas.extraction import Extraction, Kind
from schemas.fields import ValidatorResult
from schemas.quote import PricedQuote
from schemas.review import Decision, Route
from schemas.settings import Settings

SETTINGS = Settings(threshold_kind=0.6, threshold_customer=0.75, threshold_sku=0.8, threshold_quantity=0.8)
BANDS = {
    "approval_bands": [
        {
            "id": "approver",
            "name": "팀장 승인",
            "role": "approver",
            "min_total": 5_000_000,
            "min_line_discount_percent": 15,
        },
        {"id": "owner", "name": "대표 승인", "role": "owner", "min_total": 20_000_000},
    ]
}


def priced(doc: Extraction, data: dict[str, Any] | None = None) -> PricedQuote:
    rules = PricingRules.model_validate(data or {})
    return price_quote(doc, tiny_company(), rules, date(2026, 6, 15))


def routed(doc: Extraction, data: dict[str, Any] | None = None, with_quote: bool = True) -> Decision:
    return decide(doc, priced(doc, data) if with_quote else None, SETTINGS)


CASES = [
    # name, extraction, expected route, expected role, expected reason fragments
    ("clean request", extraction(), Route.AUTO, "reviewer", []),
    ("clean order", extraction(kind=Kind.PO), Route.AUTO, "reviewer", []),
    (
        "sure it is not a request",
        extraction(kind=Kind.OTHER, kind_confidence=0.9),
        Route.NOT_REQUEST,
        "reviewer",
        ["not a request"],
    ),
    (
        "unsure it is not a request",
        extraction(kind=Kind.OTHER, kind_confidence=0.4),
        Route.REVIEW,
        "reviewer",
        ["document kind 'other': confidence 0.40 is below 0.60"],
    ),
    (
        "unsure of the kind",
        extraction(kind_confidence=0.5),
        Route.REVIEW,
        "reviewer",
        ["document kind 'rfq': confidence 0.50 is below 0.60"],
    ),
    (
        "no customer",
        extraction(customer=None),
        Route.REVIEW,
        "reviewer",
        ["no customer identified (the document names"],
    ),
    (
        "unsure of the customer",
        extraction(customer_confidence=0.7),
        Route.REVIEW,
        "reviewer",
        ["customer K3: confidence 0.70 is below 0.75"],
    ),
    ("no items", extraction(items=[]), Route.REVIEW, "reviewer", ["no line items"]),
    (
        "unsure of a SKU",
        extraction(items=[item("BOLT-8", 10), item("NUT-8", 5, confidence=0.79)]),
        Route.REVIEW,
        "reviewer",
        ["line 2 ('item NUT-8'): SKU NUT-8: confidence 0.79 is below 0.80"],
    ),
    (
        "no SKU",
        extraction(items=[item(None, 5, description="이상한 부품")]),
        Route.REVIEW,
        "reviewer",
        ["line 1 ('이상한 부품'): no catalog SKU matched"],
    ),
    (
        "unknown SKU",
        extraction(items=[item("GHOST", 5)]),
        Route.REVIEW,
        "reviewer",
        ["line 1 ('item GHOST'): could not be priced: SKU GHOST is not in catalog.csv"],
    ),
    (
        "no quantity",
        extraction(items=[item("OIL", None)]),
        Route.REVIEW,
        "reviewer",
        ["line 1 ('item OIL'): no quantity"],
    ),
    (
        "zero quantity",
        extraction(items=[item("OIL", 0)]),
        Route.REVIEW,
        "reviewer",
        ["could not be priced: quantity must be positive (got 0)"],
    ),
    (
        "failed validator",
        extraction(
            validators=[ValidatorResult(name="quantity_positive", ok=False, message="-3", field="items.0.quantity")]
        ),
        Route.REVIEW,
        "reviewer",
        ["check 'quantity_positive' failed on items.0.quantity: -3"],
    ),
    ("passed validator", extraction(validators=[ValidatorResult(name="totals", ok=True)]), Route.AUTO, "reviewer", []),
    (
        "customer not in customers.csv",
        extraction(customer="K99"),
        Route.REVIEW,
        "reviewer",
        ["customer K99 is not in customers.csv"],
    ),
    (
        "total over the approver band",
        extraction(items=[item("MOTOR", 10)]),
        Route.REVIEW,
        "approver",
        ["approval band '팀장 승인' (approver) needs the approver: total 5,500,000원 ≥ 5,000,000원"],
    ),
    (
        "total over the owner band",
        extraction(items=[item("MOTOR", 40)]),
        Route.REVIEW,
        "owner",
        ["approval band '대표 승인' (owner) needs the owner: total 22,000,000원 ≥ 20,000,000원"],
    ),
]


@pytest.mark.parametrize(("doc", "route", "role", "reasons"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decisions(doc: Extraction, route: Route, role: str, reasons: list[str]) -> None:
    decision = routed(doc, BANDS)
    assert decision.route == route
    assert decision.required_role == role
    for fragment in reasons:
        assert any(fragment in reason for reason in decision.reasons), decision.reasons
    if route == Route.AUTO:
        assert decision.reasons == []


def test_a_discount_band_sends_the_quote_to_an_approver() -> None:
    data = {**BANDS, "rules": [{"id": "deal", "name": "특가", "scope": {"skus": ["NUT-8"]}, "discount_percent": 20}]}
    decision = routed(extraction(items=[item("NUT-8", 10)]), data)
    assert (decision.route, decision.required_role) == (Route.REVIEW, "approver")
    assert decision.reasons == [
        "approval band '팀장 승인' (approver) needs the approver: line 1 (NUT-8) discount 20% ≥ 15%"
    ]


def test_a_band_keeps_its_role_next_to_other_reasons() -> None:
    decision = routed(extraction(items=[item("MOTOR", 40)], customer_confidence=0.5), BANDS)
    assert decision.required_role == "owner" and len(decision.reasons) == 2


def test_missing_values_are_named_once() -> None:
    decision = routed(extraction(items=[item(None, None, description="부품")]))
    assert decision.reasons == ["line 1 ('부품'): no catalog SKU matched", "line 1 ('부품'): no quantity"]


def test_a_request_with_a_customer_but_no_quote_is_reviewed() -> None:
    decision = routed(extraction(), with_quote=False)
    assert (decision.route, decision.reasons) == (Route.REVIEW, ["no quote was priced"])


def test_thresholds_come_from_settings() -> None:
    doc = extraction(customer_confidence=0.7)
    assert decide(doc, priced(doc), SETTINGS).route == Route.REVIEW
    assert decide(doc, priced(doc), Settings(threshold_customer=0.6)).route == Route.AUTO


INVOICE_CASES = [
    ("clean invoice", invoice_header(), [], Route.AUTO, []),
    ("no header", None, [], Route.REVIEW, ["no invoice header"]),
    ("missing number", invoice_header(number=True), [], Route.REVIEW, ["invoice number is missing"]),
    ("missing optional buyer", invoice_header(buyer=True), [], Route.AUTO, []),
    ("unsure header", invoice_header(confidence=0.5), [], Route.REVIEW, ["invoice supplier 공급사: confidence 0.50"]),
    (
        "totals do not add up",
        invoice_header(),
        [ValidatorResult(name="totals_add_up", ok=False, message="1000+100≠1200")],
        Route.REVIEW,
        ["check 'totals_add_up' failed: 1000+100≠1200"],
    ),
]


@pytest.mark.parametrize(
    ("header", "validators", "route", "reasons"), [c[1:] for c in INVOICE_CASES], ids=[c[0] for c in INVOICE_CASES]
)
def test_invoices_are_recorded_when_clean(
    header: Any, validators: list[ValidatorResult], route: Route, reasons: list[str]
) -> None:
    """Invoices carry the supplier's items (no catalog SKU) and are never quoted."""
    doc = extraction(kind=Kind.INVOICE, customer=None, items=[item(None, 3)], invoice=header, validators=validators)
    decision = decide(doc, None, SETTINGS)
    assert decision.route == route
    for fragment in reasons:
        assert any(fragment in reason for reason in decision.reasons), decision.reasons


def test_the_decision_uses_the_same_quote_the_pipeline_prices() -> None:
    result = price(BANDS, [("MOTOR", 10)])
    doc = extraction(items=[item("MOTOR", 10)])
    assert decide(doc, result.quote, SETTINGS).required_role == "approver"


def test_field_confidences_name_every_field_the_decision_weighs_including_invoice_fields() -> None:
    doc = extraction(Kind.INVOICE, items=[item("BLT-M8", 10, confidence=0.7)], invoice=invoice_header(buyer=True))
    confidences = doc.field_confidences()
    assert confidences["items.0.quantity"] == 0.7
    assert confidences["invoice.supplier"] == 0.95 and confidences["invoice.gross"] == 0.95
    assert "invoice.buyer" not in confidences  # not read: nothing to be confident about

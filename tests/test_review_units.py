"""The review app's pure parts: HTML sanitising, evidence highlighting, edits, roles, sessions, rate limiting."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from review.editing import EditError, apply_edits, parse_edits
from review.original import FieldEvidence, highlight_segments
from review.ratelimit import LoginRateLimiter
from review.roles import may_act_as, strictest
from review.sanitize import sanitize_html
from review.security import (
    SessionData,
    SessionSigner,
    hash_password,
    load_secret_key,
    password_fingerprint,
    verify_password,
)
from schemas.company import CompanyConfig, load_company
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import Evidence, ExtractedField
from schemas.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def company() -> CompanyConfig:
    return load_company(SAMPLES / "company")


def _field(value: object, confidence: float = 0.9) -> ExtractedField:
    return ExtractedField(value=value, confidence=confidence)


def _extraction(company: CompanyConfig) -> Extraction:
    first, second = company.catalog[0], company.catalog[1]
    return Extraction(
        kind=_field(Kind.RFQ),
        customer_id=_field(company.customers[0].customer_id, 0.6),
        customer_name=_field("대성정밀"),
        items=[
            LineItem(description=_field("베어링 A"), sku=_field(first.sku), quantity=_field(Decimal(12))),
            LineItem(description=_field("베어링 B"), sku=_field(second.sku), quantity=_field(Decimal(3))),
        ],
        extractor="rules",
    )


def _unchanged_form(base: Extraction) -> dict[str, str]:
    """The edit form as the document page posts it when the reviewer changed nothing."""
    form = {"kind": base.kind.value.value, "customer_id": str(base.customer_id.value)}
    for i, item in enumerate(base.items):
        form[f"line-{i}-origin"] = str(i)
        form[f"line-{i}-sku"] = str(item.sku.value)
        form[f"line-{i}-quantity"] = str(item.quantity.value)
    return form


# --- sanitising mail HTML ---


def test_sanitize_removes_scripts_handlers_and_links_but_keeps_tables() -> None:
    dirty = (
        '<p onclick="steal()">주문 <script>window.__pwned=1</script><b>bold</b>'
        '<img src=x onerror="window.__pwned=1"><a href="javascript:alert(1)">link</a></p>'
        '<table><tr><td colspan="2" style="color:red">A</td><td rowspan="999999">B</td></tr></table>'
        "<style>body{display:none}</style><iframe src=//evil></iframe><svg><script>x()</script></svg>"
    )
    clean = sanitize_html(dirty)
    for forbidden in (
        "script",
        "onclick",
        "onerror",
        "<img",
        "javascript",
        "href",
        "style",
        "iframe",
        "svg",
        "__pwned",
    ):
        assert forbidden not in clean
    assert '<td colspan="2">A</td>' in clean
    assert "<td>B</td>" in clean  # an absurd span is dropped, the cell kept
    assert "<b>bold</b>" in clean and "link" in clean


def test_sanitize_escapes_text_and_closes_what_the_mail_left_open() -> None:
    assert sanitize_html("1 &lt; 2 <b>x") == "1 &lt; 2 <b>x</b>"
    assert sanitize_html("<div><p>a</div>") == "<div><p>a</p></div>"


# --- evidence highlighting ---


def test_highlight_marks_spans_by_offset_and_by_text_with_the_most_urgent_colour() -> None:
    text = "베어링 6204 120개 주문"
    evidence = [
        FieldEvidence("items.0.sku", Evidence(part="p", text="베어링 6204", start=0, end=8), "high"),
        FieldEvidence("items.0.quantity", Evidence(part="p", text="120개"), "low"),
        FieldEvidence("items.0.description", Evidence(part="p", text="베어링", start=0, end=3), "medium"),
    ]
    segments = highlight_segments(text, evidence)
    assert "".join(s.text for s in segments) == text
    marked = [(s.text, s.fields, s.level) for s in segments if s.fields]
    assert marked == [
        ("베어링", ["items.0.description", "items.0.sku"], "medium"),
        (" 6204", ["items.0.sku"], "high"),
        ("120개", ["items.0.quantity"], "low"),
    ]


def test_highlight_ignores_evidence_that_is_not_in_the_text() -> None:
    segments = highlight_segments("abc", [FieldEvidence("kind", Evidence(part="p", text="zzz"), "low")])
    assert [(s.text, s.fields) for s in segments] == [("abc", [])]


# --- edits ---


def test_quantity_correction_is_a_change_with_old_and_new_value(company: CompanyConfig) -> None:
    base = _extraction(company)
    form = {**_unchanged_form(base), "line-0-quantity": "1,500"}
    corrected, changes = apply_edits(base, parse_edits(form, company, base), company, "mina")
    assert [(c.field, c.old, c.new) for c in changes] == [("items.0.quantity", "12", "1500")]
    assert corrected.items[0].quantity.value == Decimal(1500)
    assert corrected.items[0].quantity.source == "reviewer" and corrected.items[0].quantity.confidence == 1.0
    assert corrected.items[1] == base.items[1]
    assert corrected.extractor == "rules+reviewer"


def test_removed_and_added_lines_and_customer_change(company: CompanyConfig) -> None:
    base = _extraction(company)
    new_sku = company.catalog[5].sku
    other_customer = company.customers[1].customer_id
    form = {
        "kind": "po",
        "customer_id": other_customer,
        "line-1-origin": "1",
        "line-1-sku": base.items[1].sku.value.lower(),  # SKUs are matched case-insensitively
        "line-1-quantity": "3",
        "line-1000-origin": "",
        "line-1000-sku": new_sku,
        "line-1000-quantity": "7",
        "line-1001-origin": "",  # an added row left empty is ignored
    }
    corrected, changes = apply_edits(base, parse_edits(form, company, base), company, "mina")
    assert [item.sku.value for item in corrected.items] == [base.items[1].sku.value, new_sku]
    assert corrected.items[1].description.value == company.item(new_sku).name
    fields = {c.field: (c.old, c.new) for c in changes}
    assert fields["kind"] == ("rfq", "po")
    assert fields["customer_id"] == (base.customer_id.value, other_customer)
    assert fields["items.0"] == (f"{base.items[0].sku.value} × 12", None)
    assert fields["items.new.1"] == (None, f"{new_sku} × 7")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("line-0-sku", "NOPE-1", "SKU not in the catalog"),
        ("line-0-quantity", "-4", "quantity must be more than 0"),
        ("line-0-quantity", "twelve", "quantity must be a number"),
        ("customer_id", "C999", "unknown customer"),
        ("kind", "letter", "unknown kind"),
        ("line-0-origin", "7", "unknown line"),
    ],
)
def test_bad_edits_are_refused_with_a_reason(company: CompanyConfig, key: str, value: str, message: str) -> None:
    base = _extraction(company)
    form = {**_unchanged_form(base), key: value}
    with pytest.raises(EditError) as error:
        parse_edits(form, company, base)
    assert any(message in m for m in error.value.messages)


def test_no_edits_means_no_changes(company: CompanyConfig) -> None:
    base = _extraction(company)
    form = {"kind": "rfq", "customer_id": base.customer_id.value}
    form |= {f"line-{i}-origin": str(i) for i in range(2)}
    form |= {f"line-{i}-sku": item.sku.value for i, item in enumerate(base.items)}
    form |= {f"line-{i}-quantity": str(item.quantity.value) for i, item in enumerate(base.items)}
    corrected, changes = apply_edits(base, parse_edits(form, company, base), company, "mina")
    assert changes == [] and corrected is base


# --- roles ---


@pytest.mark.parametrize(
    ("role", "required", "allowed"),
    [
        ("reviewer", "reviewer", True),
        ("reviewer", "approver", False),
        ("approver", "approver", True),
        ("approver", "owner", False),
        ("owner", "owner", True),
        ("admin", "owner", True),
        ("admin", "band-typo", False),
        ("intruder", "reviewer", False),
    ],
)
def test_who_may_approve(role: str, required: str, allowed: bool) -> None:
    assert may_act_as(role, required) is allowed


def test_the_strictest_role_wins() -> None:
    assert strictest("reviewer", "owner", None, "approver") == "owner"
    assert strictest(None) == "reviewer"


# --- passwords, sessions, secret key ---


def test_passwords_are_argon2id_and_verified() -> None:
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "s3cret-pass")
    assert not verify_password("not-a-hash", "s3cret-pass")


def test_session_cookie_is_signed_and_expires() -> None:
    signer = SessionSigner("k" * 40)
    token = signer.dumps(SessionData(csrf="t", user="mina", fingerprint=password_fingerprint("h")))
    assert signer.loads(token) == SessionData(csrf="t", user="mina", fingerprint=password_fingerprint("h"))
    assert signer.loads(token[:-2] + ("A" if token[-1] != "A" else "B") + token[-1]) is None
    assert SessionSigner("other-key" * 5).loads(token) is None
    assert SessionSigner("k" * 40, max_age_seconds=-1).loads(token) is None


def test_generated_secret_key_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = load_secret_key(settings)
    assert len(first) >= 40 and load_secret_key(settings) == first
    assert (tmp_path / "review_secret.key").stat().st_mode & 0o777 == 0o600
    assert load_secret_key(Settings(home=tmp_path, secret_key="from-settings")) == "from-settings"


# --- login rate limiting ---


def test_rate_limit_blocks_after_five_failures_per_user_and_address_for_five_minutes() -> None:
    now = [1000.0]
    limiter = LoginRateLimiter(clock=lambda: now[0])
    for _ in range(4):
        limiter.record_failure("Mina", "10.0.0.1")
    assert not limiter.is_blocked("mina", "10.0.0.1")
    limiter.record_failure("mina ", "10.0.0.1")
    assert limiter.is_blocked("mina", "10.0.0.1")
    assert not limiter.is_blocked("mina", "10.0.0.2")
    assert not limiter.is_blocked("jun", "10.0.0.1")
    assert 0 < limiter.retry_after_seconds("mina", "10.0.0.1") <= 301
    now[0] += 301
    assert not limiter.is_blocked("mina", "10.0.0.1")

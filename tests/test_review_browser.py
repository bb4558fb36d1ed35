"""The review app in a real headless Chromium: log in, correct, approve, roles, and a hostile mail's script.

Screenshots of the queue and the document page go to fixtures_review.SCREENSHOTS so a person can look at
what a reviewer sees.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pdfplumber
import pytest
from fixtures_review import (
    UNKNOWN_ITEM,
    LiveServer,
    QueuedSetup,
    band_mail,
    chromium,
    fixable_mail,
    log_in,
    order_mail,
    order_pdf,
    queue_mails,
    review_settings,
    screenshot,
    serve,
)
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from flows.cli_review import create_review_app
from flows.resume_after_review import local_today
from pricing.engine import price_quote
from pricing.rules import load_pricing
from schemas.company import load_company
from schemas.review import ReviewStatus
from store import audit, documents, quotes, review
from store.db import make_engine, session_scope
from store.models import QuoteRow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUOTE_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def live(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, QueuedSetup]]:
    settings = review_settings(tmp_path_factory.mktemp("review-browser"))
    attached = order_mail(
        "(주)동양플랜트",
        "procurement@dyplant.co.kr",
        [("첨부한 발주서대로 납품 부탁드립니다", 1)],
        subject="발주서 송부 (첨부)",
        pdf=order_pdf("(주)동양플랜트", [("베어링 6204ZZ", 300), (UNKNOWN_ITEM, 2)]),
    )
    queued = queue_mails(settings, {"fixable": fixable_mail(), "band": band_mail(), "attached": attached})
    with serve(create_review_app(queued.settings)) as server:
        yield server, queued


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ko-KR")
    tab = context.new_page()
    problems: list[str] = []
    # Our own pages must never trip the Content-Security-Policy (that would mean inline code crept in).
    tab.on("console", lambda message: _note_problem(message, problems))
    yield tab
    context.close()
    assert problems == []


def _note_problem(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        problems.append(message.text)


def wait_for_quote(queued: QueuedSetup, document_id: int) -> QuoteRow:
    """The pipeline resumes in the app's background worker: wait until it has issued the quote."""
    engine = make_engine(queued.settings.resolved_database_url)
    deadline = time.monotonic() + QUOTE_TIMEOUT_SECONDS
    try:
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                row = quotes.get_quote_for_document(session, document_id)
                status = documents.get_status(session, document_id).value
            if row is not None:
                return row
            assert status in {"review", "quoted"}, f"document {document_id} ended {status} instead of quoted"
            time.sleep(0.5)
    finally:
        engine.dispose()
    raise AssertionError(f"no quote for document {document_id} after {QUOTE_TIMEOUT_SECONDS} s")


def pdf_text(path: str) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def expected_total(queued: QueuedSetup, document_id: int, quantity: int) -> int:
    """What the pricing engine says the corrected request costs: the stored extraction with the edit applied."""
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        extraction = documents.latest_extraction(session, document_id)
    engine.dispose()
    kept = [item for item in extraction.items if item.description.value != UNKNOWN_ITEM]
    kept[0] = kept[0].model_copy(update={"quantity": kept[0].quantity.model_copy(update={"value": Decimal(quantity)})})
    company = load_company(queued.settings.config_dir)
    corrected = extraction.model_copy(update={"items": kept})
    return price_quote(corrected, company, load_pricing(company), local_today(queued.settings)).total


def test_correct_a_quantity_and_approve_issues_the_quote_with_the_corrected_total(
    page: Page, live: tuple[LiveServer, QueuedSetup]
) -> None:
    server, queued = live
    document_id = queued.documents["fixable"]
    log_in(page, server, "mina")
    expect(page.locator("table.queue tbody tr")).to_have_count(3)
    screenshot(page, "queue.png")

    page.click(f'tr[data-document="{document_id}"] td.doc a')
    expect(page.locator("h1")).to_contain_text("견적 요청 - 베어링 외")
    expect(page.locator(".original mark.ev").first).to_be_visible()
    screenshot(page, "document.png")

    before = int(page.locator("#quote-total").get_attribute("data-total"))
    unknown = page.locator("tr.line", has=page.locator("td.desc", has_text=UNKNOWN_ITEM))
    unknown.locator("button.remove-line").click()
    bearing = page.locator("tr.line", has=page.locator("td.desc", has_text="베어링 6205"))
    bearing.locator("input.qty").fill("60")
    want = expected_total(queued, document_id, 60)
    expect(page.locator("#quote-total")).to_have_attribute("data-total", str(want))
    assert want != before
    expect(page.locator("#approve")).to_be_enabled()
    expect(page.locator("#decision-summary")).to_contain_text("승인할 수 있습니다")
    screenshot(page, "document-edited.png")

    page.fill("#reason", "수량 60개로 전화 확인, 특수 브라켓은 별도 견적")
    page.click("#approve")
    expect(page.locator(".alert.ok").first).to_contain_text(f"문서 #{document_id}")

    quote_row = wait_for_quote(queued, document_id)
    assert quote_row.total == want
    text = pdf_text(quote_row.pdf_path).replace(" ", "")
    assert f"{want:,}" in text
    assert "BRG-6205" in text and UNKNOWN_ITEM.replace(" ", "") not in text

    page.goto(f"{server.url}/documents/{document_id}")
    expect(page.locator("#quote-issued")).to_contain_text(quote_row.quote_number)
    screenshot(page, "document-quoted.png")
    response = page.request.get(f"{server.url}/documents/{document_id}/quote.pdf")
    assert response.ok and response.body()[:5] == b"%PDF-"

    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        events = audit.list_events(session, document_id=document_id)
    engine.dispose()
    corrected = [
        (e.actor, e.data["field"], e.data["old"], e.data["new"]) for e in events if e.action == "review.field_corrected"
    ]
    assert ("mina", "items.0.quantity", "40", "60") in corrected
    assert any(field.startswith("items.") and new is None for _, field, _, new in corrected)  # the removed line
    approved = next(e for e in events if e.action == "review.approved")
    assert approved.actor == "mina" and approved.data["reason"].startswith("수량 60개")
    issued = next(e for e in events if e.action == "quote.issued")
    assert issued.actor == "mina" and issued.data["total"] == want


def test_a_reviewer_cannot_approve_a_banded_quote_and_an_approver_can(
    browser: Browser, page: Page, live: tuple[LiveServer, QueuedSetup]
) -> None:
    server, queued = live
    document_id = queued.documents["band"]
    log_in(page, server, "mina")
    page.goto(f"{server.url}/documents/{document_id}")
    expect(page.locator("#approve")).to_be_disabled()
    expect(page.locator("#decision-summary")).to_contain_text("승인자 Approver 이상만 승인")
    # The disabled button is only a hint: the server refuses the same request sent by hand.
    status = page.evaluate(
        """async (url) => {
            const form = new FormData(document.getElementById("review-form"));
            const response = await fetch(url, {method: "POST", body: new URLSearchParams(form)});
            return response.status;
        }""",
        f"{server.url}/documents/{document_id}/approve",
    )
    assert status == 403
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        assert review.latest_review_task(session, document_id).status is ReviewStatus.OPEN

    approver = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    log_in(approver, server, "jun")
    approver.goto(f"{server.url}/documents/{document_id}")
    expect(approver.locator("#approve")).to_be_enabled()
    approver.click("#approve")
    quote_row = wait_for_quote(queued, document_id)
    assert quote_row.total >= 2_000_000
    with session_scope(engine) as session:
        task = review.latest_review_task(session, document_id)
        assert (task.status, task.decided_by) == (ReviewStatus.APPROVED, "jun")
    engine.dispose()
    approver.context.close()


def test_a_script_in_the_mail_html_never_runs(page: Page, live: tuple[LiveServer, QueuedSetup]) -> None:
    server, queued = live
    log_in(page, server, "mina")
    page.goto(f"{server.url}/documents/{queued.documents['attached']}")
    # The attached PDF order is drawn from the stored original.
    expect(page.locator("figure.page img").first).to_be_visible()
    assert page.locator("figure.page img").first.evaluate("img => img.naturalWidth") > 500
    screenshot(page, "document-pdf.png")
    for summary in page.locator("details.read-text summary").all():
        summary.click()  # open the sanitised HTML view and every collapsed part
    expect(page.locator("iframe.mail-html").first).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert "PWNED" not in page.title()
    mail_frames = [frame for frame in page.frames if frame != page.main_frame]
    assert mail_frames
    for frame in mail_frames:
        assert frame.locator("script").count() == 0
        assert frame.locator("table").count() == 1  # the order table survives sanitising
        assert frame.evaluate("window.__pwned") is None
        assert "PWNED" not in frame.evaluate("document.title")

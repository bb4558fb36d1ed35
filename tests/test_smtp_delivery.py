"""Quote delivery against a real SMTP server (aiosmtpd on loopback): a threaded reply, sent exactly once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fixtures_mail import SmtpServerUnderTest, make_mail
from prefect import flow

from extractors.envelope import envelope_from_bytes
from flows.deliver_quotes import deliver_quotes
from flows.runtime import Runtime, open_runtime
from flows.tasks import issue_quote
from quotes.pdf import render_quote_pdf
from schemas.envelope import Channel
from schemas.quote import PricedLine, PricedQuote
from schemas.settings import Settings
from store import deliveries, documents, quotes
from store.audit import list_events
from store.db import session_scope
from store.models import DeliveryChannel, DeliveryRow, DeliveryStatus

pytest_plugins = ["fixtures_mail"]
pytestmark = [pytest.mark.mail, pytest.mark.usefixtures("prefect_harness")]

ORIGINAL_ID = "<rfq-2026-1124@customer.example>"
EARLIER_ID = "<thread-start@customer.example>"


def _request_mail() -> bytes:
    raw = make_mail("볼트 견적 요청드립니다", "M8 볼트 100개 견적 부탁드립니다.",
                    sender="김구매 <kim@customer.example>", message_id=ORIGINAL_ID)
    return raw.replace(b"Subject:", f"References: {EARLIER_ID}\r\nSubject:".encode(), 1)


def _priced_quote(rt: Runtime) -> PricedQuote:
    item = rt.company.catalog[0]
    line = PricedLine(sku=item.sku, name=item.name, unit=item.unit, quantity=Decimal(100),
                      list_price=item.unit_price, unit_price=item.unit_price, amount=item.unit_price * 100)
    return PricedQuote(customer_id=rt.company.customers[0].customer_id, price_date=date(2026, 11, 24),
                       lines=[line], subtotal=line.amount, vat=line.amount // 10, total=line.amount * 11 // 10)


def _issue_quote(rt: Runtime, raw: bytes, channel: Channel = Channel.IMAP) -> tuple[int, str]:
    """A document recorded from `raw` with an issued quote and its PDF, its outbox copy not yet delivered."""
    quote = _priced_quote(rt)
    with session_scope(rt.engine) as session:
        document, _created = documents.create_document(session, envelope_from_bytes(raw, "", channel))
        number = f"{rt.company.seller.quote_prefix}-2026-{document.id:06d}"
        pdf = render_quote_pdf(quote, rt.company, number, quote.price_date, rt.quotes_dir / f"{number}.pdf")
        quotes.save_quote(session, document.id, number, quote, str(pdf), rt.blobs.put(pdf.read_bytes()))
        documents.set_status(session, document.id, "quoted")
    return document.id, number


def _runtime(home: Path, smtp: SmtpServerUnderTest | None, **overrides: object) -> Any:
    settings = Settings().model_copy(update={**(smtp.settings(**overrides) if smtp else {}), "home": home})
    return open_runtime(settings)


def _delivery(rt: Runtime, number: str, channel: DeliveryChannel) -> DeliveryRow:
    with session_scope(rt.engine) as session:
        quote = quotes.get_quote_by_number(session, number)
        assert quote is not None
        row, _created = deliveries.get_or_create_delivery(session, quote.id, channel)
        return row


def test_approved_quote_arrives_as_a_threaded_reply_with_the_pdf(
    smtp_server: SmtpServerUnderTest, intake_home: Path
) -> None:
    with _runtime(intake_home, smtp_server) as rt:
        document_id, number = _issue_quote(rt, _request_mail())
        first = deliver_quotes()
        second = deliver_quotes()
        row = _delivery(rt, number, DeliveryChannel.SMTP)
        with session_scope(rt.engine) as session:
            quote_row = quotes.get_quote_by_number(session, number)
            assert quote_row is not None and quote_row.pdf_sha256 is not None
            pdf = rt.blobs.get(quote_row.pdf_sha256)
        outbox_file = rt.outbox_dir / f"{number}.pdf"

    assert first.sent == [number] and second.sent == [] and second.failed == []
    assert len(smtp_server.collector.messages) == 1
    message: EmailMessage = smtp_server.collector.messages[0]
    assert smtp_server.collector.recipients == [["kim@customer.example"]]
    assert message["In-Reply-To"] == ORIGINAL_ID
    assert message["References"].split() == [EARLIER_ID, ORIGINAL_ID]
    assert message["Subject"] == f"Re: 볼트 견적 요청드립니다 [견적서 {number}]"
    raw_subject = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", smtp_server.collector.raw[0], re.MULTILINE)
    assert raw_subject is not None and raw_subject.group(1).isascii() and b"=?utf-8?" in raw_subject.group(1)
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [(f"{number}.pdf", "application/pdf")]
    assert attachments[0].get_content() == pdf
    assert "견적서" in message.get_body(("plain",)).get_content()
    assert row.status is DeliveryStatus.SENT and row.attempts == 1 and row.smtp_message_id == message["Message-ID"]
    assert outbox_file.read_bytes() == pdf
    assert document_id > 0


def test_temporary_failure_is_retried_with_backoff_and_sent_once(
    smtp_server: SmtpServerUnderTest, intake_home: Path
) -> None:
    smtp_server.collector.replies = ["451 4.3.0 try again later"]
    with _runtime(intake_home, smtp_server) as rt:
        document_id, number = _issue_quote(rt, _request_mail())
        report = deliver_quotes()
        deliver_quotes()
        row = _delivery(rt, number, DeliveryChannel.SMTP)
        with session_scope(rt.engine) as session:
            actions = [e.action for e in list_events(session, document_id=document_id)]

    assert report.sent == [number]
    assert smtp_server.collector.attempts == 2 and len(smtp_server.collector.messages) == 1
    assert row.status is DeliveryStatus.SENT and row.attempts == 2
    assert actions.count("quote.send_failed") == 1 and actions.count("quote.sent") == 1


def test_permanent_failure_is_recorded_and_the_next_run_sends_once(
    smtp_server: SmtpServerUnderTest, intake_home: Path
) -> None:
    smtp_server.collector.replies = ["554 5.7.1 rejected for now"]
    with _runtime(intake_home, smtp_server) as rt:
        _document_id, number = _issue_quote(rt, _request_mail())
        failed = deliver_quotes()
        after_failure = _delivery(rt, number, DeliveryChannel.SMTP)
        sent = deliver_quotes()
        deliver_quotes()
        row = _delivery(rt, number, DeliveryChannel.SMTP)

    # 5xx is not retried within the run (it would fail the same way), but recorded for the next run.
    assert failed.sent == [] and len(failed.failed) == 1 and "554" in failed.failed[0]
    assert after_failure.status is DeliveryStatus.FAILED and after_failure.attempts == 1
    assert "554" in (after_failure.last_error or "")
    assert sent.sent == [number] and len(smtp_server.collector.messages) == 1
    assert row.status is DeliveryStatus.SENT and row.attempts == 2


def test_server_down_then_up_delivers_exactly_once(smtp_server: SmtpServerUnderTest, intake_home: Path) -> None:
    smtp_server.stop()
    with _runtime(intake_home, smtp_server, smtp_retries=1) as rt:
        _document_id, number = _issue_quote(rt, _request_mail())
        down = deliver_quotes()
        smtp_server.start()
        up = deliver_quotes()
        deliver_quotes()
        row = _delivery(rt, number, DeliveryChannel.SMTP)

    assert down.sent == [] and "Connection refused" in down.failed[0]
    assert up.sent == [number] and len(smtp_server.collector.messages) == 1
    assert row.attempts == 3  # two refused connections (one retry), then the send


class PowerCut(BaseException):
    """The process dies: nothing after this line runs (not an error the code could handle)."""


def test_crash_after_acceptance_resends_with_the_same_message_id(
    smtp_server: SmtpServerUnderTest, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = deliveries.mark_delivery_sent

    def power_cut_before_recording_the_send(session: Any, delivery_id: int, **kwargs: Any) -> DeliveryRow:
        if kwargs.get("smtp_message_id") is None:  # the outbox copy is recorded as usual
            return original(session, delivery_id, **kwargs)
        monkeypatch.setattr(deliveries, "mark_delivery_sent", original)
        raise PowerCut

    monkeypatch.setattr(deliveries, "mark_delivery_sent", power_cut_before_recording_the_send)
    with _runtime(intake_home, smtp_server) as rt:
        _document_id, number = _issue_quote(rt, _request_mail())
        with pytest.raises(PowerCut):
            deliver_quotes()
        pending = _delivery(rt, number, DeliveryChannel.SMTP)
        deliver_quotes()
        deliver_quotes()
        row = _delivery(rt, number, DeliveryChannel.SMTP)

    assert pending.status is DeliveryStatus.PENDING  # written before the send, so the restart knows
    ids = [m["Message-ID"] for m in smtp_server.collector.messages]
    assert len(ids) == 2 and ids[0] == ids[1]  # the one resend is recognisably the same mail
    assert row.status is DeliveryStatus.SENT and row.smtp_message_id == ids[0]


def test_without_smtp_or_without_a_sender_the_quote_only_goes_to_the_outbox(intake_home: Path) -> None:
    with _runtime(intake_home, None) as rt:
        _document_id, number = _issue_quote(rt, b"%PDF-1.4 scanned order\n%%EOF\n", channel=Channel.DROP)
        report = deliver_quotes()
        again = deliver_quotes()
        outbox_file = rt.outbox_dir / f"{number}.pdf"
        smtp_row_count = _count_smtp_rows(rt)

    assert report.outbox == [number] and again.outbox == []
    assert outbox_file.read_bytes().startswith(b"%PDF")
    assert smtp_row_count == 0


def _count_smtp_rows(rt: Runtime) -> int:
    with session_scope(rt.engine) as session:
        return len(deliveries.pending_deliveries(session, channel=DeliveryChannel.SMTP))


@flow(validate_parameters=False)
def _issue_in_a_flow(document_id: int, quote: PricedQuote) -> tuple[str, str]:
    return issue_quote(document_id, quote)


def test_the_pipeline_puts_an_issued_quote_in_the_outbox_once(intake_home: Path) -> None:
    with _runtime(intake_home, None) as rt:
        with session_scope(rt.engine) as session:
            envelope = envelope_from_bytes(b"%PDF-1.4 scanned order\n%%EOF\n", "order.pdf", Channel.DROP)
            document_id = documents.create_document(session, envelope)[0].id
        number, pdf_path = _issue_in_a_flow(document_id, _priced_quote(rt))
        report = deliver_quotes()
        outbox_copy = (rt.outbox_dir / f"{number}.pdf").read_bytes()
        with session_scope(rt.engine) as session:
            actions = [e.action for e in list_events(session, document_id=document_id)]

    assert outbox_copy == Path(pdf_path).read_bytes()
    assert report.outbox == [] and actions.count("quote.outbox") == 1

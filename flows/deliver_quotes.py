"""`deliver_quotes`: every issued quote goes to the outbox folder, and by SMTP as a reply to the request.

A quote exists only once it is approved (automatically or by a person), so "issued" is "deliverable".
Exactly once, by quote id: the deliveries row (unique per quote and channel) is written as `pending`
before the first send and `sent` after; a failure is recorded on it and retried with backoff, and a
quote is never sent again once its row says `sent`. A crash between the server's acceptance and our
record can still cause one resend: it carries the same Message-ID (quotes.delivery.quote_message_id),
so it is recognisable as the same mail.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task, exponential_backoff
from pydantic import BaseModel, Field

from flows.polling import exclusive_poll, flow_runtime, run_logger
from flows.runtime import Runtime, current_runtime
from quotes.delivery import QuoteReply, build_reply, write_outbox
from quotes.smtp import SmtpFailure, SmtpServer, send_message
from schemas.envelope import Channel
from schemas.masking import mask_text
from store import deliveries, documents, quotes
from store.audit import append_event
from store.db import session_scope
from store.models import DeliveryChannel, DeliveryStatus, DocumentStatus

# Only people who wrote to us get a reply; a dropped scan or a file run by hand has nobody to answer.
REPLY_CHANNELS = (Channel.IMAP, Channel.FORM)


class DeliveryReport(BaseModel):
    outbox: list[str] = Field(default_factory=list, description="quote numbers written to the outbox")
    sent: list[str] = Field(default_factory=list, description="quote numbers sent by SMTP")
    failed: list[str] = Field(default_factory=list, description="quote number: why the send failed")
    busy: bool = False


def _only_transient(_task: Task[..., str], _run: TaskRun, state: State[str]) -> bool:
    failure = state.result(raise_on_failure=False)
    return isinstance(failure, SmtpFailure) and failure.transient


@task(cache_policy=NO_CACHE, retry_condition_fn=_only_transient)
def send_quote_mail(delivery_id: int, document_id: int) -> str:
    """Send one quote as a reply; every attempt, failed or not, is recorded on its delivery row."""
    rt = current_runtime()
    server = SmtpServer.from_settings(rt.settings)
    if server is None:
        raise SmtpFailure("SMTP is not configured (INTAKE_SMTP_HOST)", transient=False)
    sender = rt.settings.smtp_from or rt.company.seller.email
    message = build_reply(_reply_for(rt, document_id), rt.company.seller, sender)
    try:
        send_message(server, message)
    except SmtpFailure as exc:
        with session_scope(rt.engine) as session:
            row = deliveries.mark_delivery_failed(session, delivery_id, str(exc))
            append_event(session, actor="deliver_quotes", action="quote.send_failed", document_id=document_id,
                         data={"attempts": row.attempts, "error": str(exc), "transient": exc.transient})
        run_logger().warning("sending the quote of document %s failed: %s", document_id, mask_text(str(exc)))
        raise
    with session_scope(rt.engine) as session:
        row = deliveries.mark_delivery_sent(session, delivery_id, smtp_message_id=message["Message-ID"])
        append_event(session, actor="deliver_quotes", action="quote.sent", document_id=document_id,
                     data={"message_id": message["Message-ID"], "to": message["To"], "attempts": row.attempts})
    return message["Message-ID"]


def _reply_for(rt: Runtime, document_id: int) -> QuoteReply:
    with session_scope(rt.engine) as session:
        document = documents.require_document(session, document_id)
        quote_row = quotes.get_quote_for_document(session, document_id)
        if quote_row is None or quote_row.pdf_sha256 is None or document.sender is None:
            raise SmtpFailure(f"document {document_id} has no quote PDF or no sender to reply to", transient=False)
        envelope = document.envelope
        return QuoteReply(
            quote_number=quote_row.quote_number,
            quote=quote_row.quote,
            pdf=rt.blobs.get(quote_row.pdf_sha256),
            pdf_sha256=quote_row.pdf_sha256,
            recipient=document.sender,
            original_subject=document.subject,
            original_message_id=document.message_id,
            original_references=envelope.references,
        )


def _issued_quotes(rt: Runtime) -> list[tuple[int, int, str, bool]]:
    """(quote id, document id, quote number, has someone to reply to) for every issued quote."""
    with session_scope(rt.engine) as session:
        found = []
        for document in documents.list_documents(session, status=DocumentStatus.QUOTED):
            row = quotes.get_quote_for_document(session, document.id)
            if row is not None:
                found.append((row.id, document.id, row.quote_number,
                              document.channel in REPLY_CHANNELS and bool(document.sender)))
        return found


def deliver_to_outbox(rt: Runtime, quote_id: int, document_id: int, number: str) -> bool:
    """Copy the quote PDF to the outbox once, recorded as its outbox delivery; False if there was nothing to do.

    The one writer of the outbox: issue_quote calls it so a quote is there as soon as it exists, and every
    deliver_quotes run calls it for quotes whose copy is missing (an interrupted issue).
    """
    with session_scope(rt.engine) as session:
        row, _created = deliveries.get_or_create_delivery(session, quote_id, DeliveryChannel.OUTBOX)
        quote_row = quotes.get_quote(session, quote_id)
    if row.status is DeliveryStatus.SENT or quote_row is None or quote_row.pdf_sha256 is None:
        return False
    path = write_outbox(rt.outbox_dir, f"{number}.pdf", rt.blobs.get(quote_row.pdf_sha256))
    with session_scope(rt.engine) as session:
        deliveries.mark_delivery_sent(session, row.id)
        append_event(session, actor="deliver_quotes", action="quote.outbox", document_id=document_id,
                     data={"quote_number": number, "path": str(path)})
    return True


@flow(name="deliver_quotes", log_prints=False, validate_parameters=False)
def deliver_quotes() -> DeliveryReport:
    """Write every issued quote to the outbox; send the ones that answer a mail or a form by SMTP."""
    with flow_runtime() as rt, exclusive_poll(rt.settings, "deliveries") as ours:
        if not ours:
            return DeliveryReport(busy=True)
        report = DeliveryReport()
        settings = rt.settings
        smtp_configured = SmtpServer.from_settings(settings) is not None
        send = send_quote_mail.with_options(
            retries=settings.smtp_retries,
            retry_delay_seconds=exponential_backoff(settings.smtp_retry_delay_seconds)(settings.smtp_retries),
        )
        for quote_id, document_id, number, has_recipient in _issued_quotes(rt):
            if deliver_to_outbox(rt, quote_id, document_id, number):
                report.outbox.append(number)
            if not (smtp_configured and has_recipient):
                continue
            with session_scope(rt.engine) as session:
                row, _created = deliveries.get_or_create_delivery(session, quote_id, DeliveryChannel.SMTP)
            if row.status is DeliveryStatus.SENT or row.attempts >= settings.smtp_max_attempts:
                continue
            try:
                send(row.id, document_id)
                report.sent.append(number)
            except SmtpFailure as exc:
                report.failed.append(f"{number}: {exc}")
        return report

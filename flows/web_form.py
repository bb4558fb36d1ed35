"""Requests from the public web form (review/form.py): recorded as documents with channel "form", then processed.

A submission becomes a small mail (From: the contact, the fields in the body, the file attached), so the
pipeline reads it exactly as it reads mail, and the approved quote goes back to the contact as a reply.
Recording happens inside the web request; processing happens in `process_form_submissions`, scheduled by
`intake serve`, so a submission is kept even if the pipeline is busy or down.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from prefect import flow
from pydantic import BaseModel, Field

from flows.deliver_quotes import deliver_quotes
from flows.polling import exclusive_poll, flow_runtime, unfinished_documents
from flows.process_document import process_document
from flows.recording import keep_input, record_envelope
from review.form import FormSubmission
from review.services import ReviewServices
from schemas.envelope import Channel
from store.db import session_scope


class FormPollReport(BaseModel):
    processed: list[int] = Field(default_factory=list)
    busy: bool = False


def submission_mail(submission: FormSubmission, seller_email: str) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((f"{submission.contact} ({submission.company})", submission.email))
    message["To"] = seller_email
    message["Subject"] = f"웹 견적 요청: {submission.company}"
    message["Date"] = format_datetime(submission.submitted_at)
    lines = [
        f"회사 Company: {submission.company}",
        f"담당자 Contact: {submission.contact}",
        f"이메일 E-mail: {submission.email}",
        f"전화 Phone: {submission.phone}",
        "",
        "요청 품목 Items:",
        submission.items,
    ]
    message.set_content("\n".join(lines) + "\n")
    if submission.attachment is not None:
        # The declared type is left generic: the pipeline trusts the bytes, not what a browser claimed.
        message.add_attachment(submission.attachment, maintype="application", subtype="octet-stream",
                               filename=submission.attachment_name or "attachment")
    return message.as_bytes()


def record_form_submission(services: ReviewServices, submission: FormSubmission) -> int:
    """Keep the submission's bytes and record its document; the same submission twice is one document."""
    raw = submission_mail(submission, services.company.seller.email)
    envelope = keep_input(services.blobs, raw, "", Channel.FORM, submission.submitted_at)
    with session_scope(services.engine) as session:
        document, _created = record_envelope(
            session, envelope, actor="web_form", details={"address": submission.address, "sender": submission.email}
        )
        return document.id


@flow(name="process_form_submissions", log_prints=False, validate_parameters=False)
def process_form_submissions() -> FormPollReport:
    """Run the pipeline on every web-form request not processed yet, then deliver approved quotes."""
    with flow_runtime() as rt, exclusive_poll(rt.settings, "web-form") as ours:
        if not ours:
            return FormPollReport(busy=True)
        report = FormPollReport()
        for document_id in unfinished_documents(rt, Channel.FORM):
            process_document(document_id)
            report.processed.append(document_id)
        if report.processed:
            deliver_quotes()
        return report

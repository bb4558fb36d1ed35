"""An approved quote as a reply to the mail that asked for it, and its copy in the outbox folder.

Pure: no database, no network. flows/deliver_quotes.py decides when (and records every attempt);
quotes/smtp.py sends.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from quotes.money import format_money
from schemas.company import Seller
from schemas.quote import PricedQuote

_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|답장|회신)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class QuoteReply:
    """What the reply needs to know about the quote and the mail it answers."""

    quote_number: str
    quote: PricedQuote
    pdf: bytes
    pdf_sha256: str
    recipient: str
    original_subject: str | None = None
    original_message_id: str | None = None
    original_references: list[str] = field(default_factory=list)


def quote_message_id(quote_number: str, pdf_sha256: str, sender: str) -> str:
    """The same Message-ID every time a quote is sent.

    If we crash after the server accepted the mail but before we recorded it, the resend carries the
    same Message-ID: the receiving side (and our own records) can recognise it as the same mail.
    """
    domain = sender.rsplit("@", 1)[-1] or "localhost"
    return f"<quote.{quote_number}.{pdf_sha256[:16]}@{domain}>"


def reply_subject(original_subject: str | None, quote_number: str, seller: Seller) -> str:
    """`Re: <their subject> [견적서 HB-2026-000001]`, keeping the thread; our own subject when there was none."""
    original = _REPLY_PREFIX.sub("", original_subject or "").strip()
    if original:
        return f"Re: {original} [견적서 {quote_number}]"
    return f"[견적서 {quote_number}] {seller.name}"


def reply_body(reply: QuoteReply, seller: Seller) -> str:
    quote = reply.quote
    total = format_money(quote.total, quote.currency)
    vat = format_money(quote.vat, quote.currency)
    lines = [
        "안녕하세요.",
        f"{seller.name}입니다.",
        "",
        f"요청하신 견적서({reply.quote_number})를 첨부하여 보내드립니다.",
        f"합계 금액: {total} (부가세 {vat} 포함)",
        f"견적 유효기간: 발행일로부터 {seller.quote_validity_days}일",
        "",
        f"문의: {seller.phone} / {seller.email}",
        "",
        f"Please find attached our quotation {reply.quote_number} (total {total} incl. VAT).",
        "",
        seller.name_en or seller.name,
    ]
    return "\n".join(lines) + "\n"


def build_reply(reply: QuoteReply, seller: Seller, sender: str) -> EmailMessage:
    """The reply mail: threaded under the request (In-Reply-To, References), the PDF attached.

    EmailMessage's default policy encodes the Korean subject and names as RFC 2047 words and the body
    as UTF-8, so every client shows them as written.
    """
    message = EmailMessage()
    message["From"] = formataddr((seller.name, sender))
    message["To"] = reply.recipient
    message["Subject"] = reply_subject(reply.original_subject, reply.quote_number, seller)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = quote_message_id(reply.quote_number, reply.pdf_sha256, sender)
    if reply.original_message_id:
        message["In-Reply-To"] = reply.original_message_id
        thread = [*reply.original_references, reply.original_message_id]
        message["References"] = " ".join(dict.fromkeys(thread))
    message.set_content(reply_body(reply, seller))
    message.add_attachment(reply.pdf, maintype="application", subtype="pdf", filename=f"{reply.quote_number}.pdf")
    return message


def write_outbox(outbox_dir: Path, name: str, data: bytes) -> Path:
    """Put a file in the outbox atomically: whoever collects from the folder never sees half a PDF."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    target = outbox_dir / name
    if target.is_file() and target.read_bytes() == data:
        return target
    fd, tmp_name = tempfile.mkstemp(dir=outbox_dir, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target

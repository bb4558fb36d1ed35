"""Build raw RFC 5322 mails (bytes) the way Korean and international mail clients write them.

Everything that is normally random (MIME boundaries, Message-ID) comes from the caller, so the same
spec always gives the same bytes. Non-ASCII headers are RFC 2047 encoded words; attachment names use
RFC 2231, as Gmail and Naver do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import encoders, policy
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""

    def header(self, charset: str) -> str:
        if not self.name:
            return self.email
        return formataddr((self.name, self.email), charset=charset if not self.name.isascii() else "us-ascii")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class MailSpec:
    sender: Address
    to: Address
    subject: str
    sent_at: datetime
    text: str | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    # Korean Outlook still sends ks_c_5601-1987 (cp949); readers must honour the declared charset.
    charset: str = "utf-8"

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(f"{self.sender.email}|{self.subject}|{self.sent_at.isoformat()}".encode()).hexdigest()
        return f"<{self.sent_at:%Y%m%d%H%M%S}.{digest[:16]}@{self.sender.email.rsplit('@', 1)[-1]}>"


def _encoded(value: str, charset: str) -> str:
    return value if value.isascii() else Header(value, charset).encode()


def _body(spec: MailSpec) -> MIMEBase | None:
    parts: list[MIMEBase] = []
    if spec.text is not None:
        parts.append(MIMEText(spec.text, "plain", spec.charset))
    if spec.html is not None:
        parts.append(MIMEText(spec.html, "html", spec.charset))
    if len(parts) < 2:
        return parts[0] if parts else None
    alternative = MIMEMultipart("alternative")
    for part in parts:
        alternative.attach(part)
    return alternative


def _attachment(attachment: Attachment) -> MIMEBase:
    part = MIMEBase(*attachment.content_type.split("/", 1))
    part.set_payload(attachment.data)
    encoders.encode_base64(part)
    filename = attachment.filename if attachment.filename.isascii() else ("utf-8", "", attachment.filename)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build_mail(spec: MailSpec) -> bytes:
    """The mail as the bytes of an .eml file (CRLF line ends, as it travels over SMTP and IMAP)."""
    body = _body(spec)
    if spec.attachments:
        message: MIMEBase = MIMEMultipart("mixed")
        if body is not None:
            message.attach(body)
        for attachment in spec.attachments:
            message.attach(_attachment(attachment))
    elif body is not None:
        message = body
    else:
        message = MIMEText("", "plain", "us-ascii")
    message["From"] = spec.sender.header(spec.charset)
    message["To"] = spec.to.header(spec.charset)
    message["Subject"] = _encoded(spec.subject, spec.charset)
    message["Date"] = format_datetime(spec.sent_at)
    message["Message-ID"] = spec.message_id
    if spec.in_reply_to:
        message["In-Reply-To"] = spec.in_reply_to
        message["References"] = spec.in_reply_to
    for name, value in spec.extra_headers:
        message[name] = _encoded(value, spec.charset)
    # Clients write the addressing headers first and the MIME headers after them.
    for name in ("MIME-Version", "Content-Type", "Content-Transfer-Encoding"):
        value = message[name]
        if value is not None:
            del message[name]
            message[name] = value
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{index}_{spec.message_id.strip('<>').split('@')[0]}")
    return message.as_bytes(policy=policy.SMTP)

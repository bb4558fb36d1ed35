"""A MIME mail (.eml, IMAP fetch) -> Envelope: who sent it, when, what it answers, and its bodies and attachments.

The stdlib parser (policy=default) gives the structure; headers are decoded here because the stdlib gives up
on what Korean mail clients send: euc-kr declared for cp949 text, unknown charset names, raw 8-bit headers.
Text bodies are stored decoded, as UTF-8 (`charset=utf-8`), so no later stage has to guess a charset again;
attachments keep their bytes exactly, with a content type sniffed from those bytes.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import UTC, datetime
from email import policy
from email.errors import MessageDefect
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime

from extractors.filetypes import OCTET_STREAM, decode_text, sniff_content_type
from schemas.envelope import Channel, Envelope, Part, PartRole

MAX_NESTED_MESSAGES = 5
_BODY_SUBTYPES = {"plain": "body.txt", "html": "body.html"}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
# Defects that mean content was lost or guessed, not merely that the mail was sloppy.
_CONTENT_DEFECTS = {
    "InvalidBase64CharactersDefect": "invalid base64 characters were skipped",
    "InvalidBase64PaddingDefect": "base64 padding was wrong",
    "InvalidBase64LengthDefect": "base64 was cut short",
    "StartBoundaryNotFoundDefect": "multipart boundary not found; read as one part",
    "CloseBoundaryNotFoundDefect": "multipart has no closing boundary (mail may be cut short)",
}


def parse_email(data: bytes, name: str, channel: Channel, received_at: datetime | None = None) -> Envelope:
    """Parse a whole mail. `received_at` (IMAP INTERNALDATE) wins over the Date header, which wins over now."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    sender_name, sender = _address(message, "From") or _address(message, "Sender") or (None, None)
    subject = header_text(message, "Subject")
    reader = _PartReader()
    reader.read(message, prefix="", depth=0)
    references = _message_ids(header_text(message, "In-Reply-To")) + _message_ids(header_text(message, "References"))
    message_ids = _message_ids(header_text(message, "Message-ID"))
    return Envelope(
        channel=channel,
        sha256=hashlib.sha256(data).hexdigest(),
        source_name=name or subject or "mail",
        size=len(data),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        received_at=received_at or _date(message) or datetime.now(UTC),
        message_id=message_ids[0] if message_ids else None,
        references=list(dict.fromkeys(references)),
        parts=reader.parts,
        errors=reader.errors,
    )


def decode_header_value(raw: str) -> str:
    """RFC 2047 words in any charset we can decode (broken declarations included) and raw 8-bit bytes -> text."""
    unfolded = re.sub(r"\r?\n[ \t]*", " ", raw)
    chunks = []
    for chunk, charset in decode_header(unfolded):
        if isinstance(chunk, str):
            raw = chunk.encode("utf-8", "surrogateescape")
        elif charset is None:
            # decode_header hands back unencoded text as raw-unicode-escape: undo that to get the sent bytes.
            raw = chunk.decode("raw-unicode-escape").encode("utf-8", "surrogateescape")
        else:
            raw = chunk
        chunks.append(decode_text(raw, charset))
    return "".join(chunks).strip()


def header_text(message: Message, name: str) -> str | None:
    """A header's decoded text from its raw source (the stdlib's decoded view loses euc-kr extensions)."""
    raw = _raw_header(message, name)
    return decode_header_value(raw) if raw is not None else None


def _raw_header(message: Message, name: str) -> str | None:
    wanted = name.lower()
    return next((str(value) for key, value in message.raw_items() if key.lower() == wanted), None)


def _address(message: Message, header: str) -> tuple[str | None, str | None] | None:
    """(display name, lower-case address). The address is parsed before the name is decoded: a decoded name
    may hold commas or angle brackets that would confuse the address parser."""
    raw = _raw_header(message, header)
    if raw is None:
        return None
    for display, address in getaddresses([re.sub(r"\r?\n[ \t]*", " ", raw)]):
        if "@" in address:
            name = decode_header_value(display).strip("\"' ") if display else None
            return name or None, decode_header_value(address).lower()
    return None


def _date(message: Message) -> datetime | None:
    raw = _raw_header(message, "Date")
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _message_ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


class _PartReader:
    """Walks the MIME tree, turning leaves into Parts with unique names and collecting what went wrong."""

    def __init__(self) -> None:
        self.parts: list[Part] = []
        self.errors: list[str] = []
        self._names: set[str] = set()
        self._nested = 0

    def read(self, message: Message, prefix: str, depth: int) -> None:
        self._note_defects(message.defects, prefix or "mail")
        if message.get_content_maintype() == "message" and message.get_content_subtype() in ("rfc822", "global"):
            self._read_nested(message, prefix, depth)
        elif message.is_multipart():
            first_new = len(self.parts)
            for child in message.iter_parts() if isinstance(message, EmailMessage) else message.get_payload():
                self.read(child, prefix, depth)
            if message.get_content_subtype() == "alternative":
                self._link_alternatives(self.parts[first_new:])
        else:
            self._read_leaf(message, prefix)

    def _read_nested(self, message: Message, prefix: str, depth: int) -> None:
        """A forwarded mail attached whole: its bodies and attachments are read under `messageN/`."""
        self._nested += 1
        nested_prefix = f"{prefix}message{self._nested}/"
        if depth >= MAX_NESTED_MESSAGES:
            self.errors.append(f"{nested_prefix}: mail nested deeper than {MAX_NESTED_MESSAGES} levels; not read")
            return
        payload = message.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self.errors.append(f"{nested_prefix}: attached mail could not be parsed")
            return
        self.read(inner, nested_prefix, depth + 1)

    def _read_leaf(self, part: Message, prefix: str) -> None:
        try:
            payload = part.get_payload(decode=True)
        except (ValueError, LookupError) as exc:
            self.errors.append(f"{prefix}{part.get_content_type()}: content could not be decoded ({exc})")
            return
        data = payload if isinstance(payload, bytes) else b""
        filename = _attachment_name(part)
        subtype = part.get_content_subtype()
        is_body = (
            part.get_content_maintype() == "text"
            and subtype in _BODY_SUBTYPES
            and part.get_content_disposition() != "attachment"
            and not filename
        )
        if is_body:
            text = decode_text(data, part.get_content_charset())
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if subtype == "plain" and part.get_param("format", "").lower() == "flowed":
                text = _unflow(text, delete_space=part.get_param("delsp", "").lower() == "yes")
            role: PartRole = "body_text" if subtype == "plain" else "body_html"
            self._add(prefix + _BODY_SUBTYPES[subtype], f"text/{subtype}; charset=utf-8", role, text.encode("utf-8"))
            return
        declared = part.get_content_type()
        name = filename or f"attachment{len(self.parts) + 1}{mimetypes.guess_extension(declared) or '.bin'}"
        self._add(prefix + name, _attachment_type(data, name, declared, part.get_content_charset()), "attachment", data)
        self._note_defects(part.defects, prefix + name)

    def _add(self, name: str, content_type: str, role: PartRole, data: bytes) -> None:
        unique, n = name, 1
        while unique in self._names:
            n += 1
            stem, dot, ext = name.rpartition(".")
            unique = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
        self._names.add(unique)
        sha = hashlib.sha256(data).hexdigest()
        self.parts.append(
            Part(name=unique, content_type=content_type, role=role, sha256=sha, size=len(data), data=data)
        )

    def _link_alternatives(self, parts: list[Part]) -> None:
        plain = next((p for p in parts if p.role == "body_text"), None)
        if plain is None:
            return
        for part in parts:
            if part.role == "body_html":
                part.alternative_to = plain.name

    def _note_defects(self, defects: list[MessageDefect], where: str) -> None:
        for defect in defects:
            meaning = _CONTENT_DEFECTS.get(type(defect).__name__)
            if meaning and f"{where}: {meaning}" not in self.errors:
                self.errors.append(f"{where}: {meaning}")


def _attachment_name(part: Message) -> str | None:
    """The attachment's file name, whether sent as RFC 2231, as RFC 2047 words in quotes, or as raw 8-bit."""
    raw = part.get_param("filename", None, "content-disposition") or part.get_param("name", None)
    if raw is None:
        return None
    value = collapse_rfc2231_value(raw) if isinstance(raw, tuple) else str(raw)
    value = decode_header_value(value) if ("=?" in value or _SURROGATE.search(value)) else value.strip()
    # Only the base name: a path in a file name is never ours to follow.
    value = re.split(r"[\\/]", value)[-1].strip()
    return value or None


def _attachment_type(data: bytes, name: str, declared: str, charset: str | None) -> str:
    """The sniffed type, unless the bytes prove nothing or only "some text" and the sender was more specific."""
    sniffed = sniff_content_type(data, name)
    if sniffed == OCTET_STREAM and data:
        return declared if not declared.startswith(("text/", "image/")) and declared != "application/pdf" else sniffed
    if sniffed == "text/plain" and declared.startswith("text/"):
        sniffed = declared
    if sniffed.startswith("text/") and charset:
        return f"{sniffed}; charset={charset}"
    return sniffed if data else declared


def _unflow(text: str, delete_space: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next one (item lines stay whole)."""
    lines: list[str] = []
    pending = ""
    for line in text.split("\n"):
        line = line[1:] if line.startswith(" ") else line
        if line.endswith(" ") and line != "-- ":
            pending += line[:-1] if delete_space else line
        else:
            lines.append(pending + line)
            pending = ""
    if pending:
        lines.append(pending)
    return "\n".join(lines)

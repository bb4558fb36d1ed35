"""Raw bytes as they arrived -> Envelope: a mail is parsed into its parts, any other file is one `file` part.

What a file is comes from its bytes, not its name: a `.pdf` that is really a PNG is read as a PNG, and a
name that promises something the bytes do not hold is recorded as an error. Nothing here raises on bad
input; what cannot be read is said in `Envelope.errors` and the original bytes are kept.
"""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import UTC, datetime
from pathlib import PurePath

from extractors.email import parse_email
from extractors.filetypes import OCTET_STREAM, sniff_content_type
from schemas.envelope import Channel, Envelope, Part

_MAIL_SUFFIXES = {".eml", ".mht", ".mhtml"}


def envelope_from_bytes(data: bytes, name: str, channel: Channel, received_at: datetime | None = None) -> Envelope:
    """The envelope of one input. `received_at` defaults to the mail's Date header, else to now."""
    sha256 = hashlib.sha256(data).hexdigest()
    base = Envelope(
        channel=channel, sha256=sha256, source_name=name, size=len(data), received_at=received_at or datetime.now(UTC)
    )
    if not data:
        return base.model_copy(update={"errors": ["empty file"]})
    content_type = sniff_content_type(data, name)
    suffix = PurePath(name).suffix.lower()
    if content_type == "message/rfc822" or (suffix in _MAIL_SUFFIXES and content_type == "text/plain"):
        try:
            return parse_email(data, name, channel, received_at)
        except Exception as exc:  # the stdlib parser is lenient: whatever it still throws is bad input, not a bug
            return base.model_copy(update={"errors": [f"mail could not be parsed: {type(exc).__name__}: {exc}"]})
    errors = []
    claimed = mimetypes.guess_type(name)[0]
    if content_type == OCTET_STREAM and claimed:
        errors.append(f"{name}: the content is not {claimed} as its name says; type unknown")
    part = Part(name=name or "file", content_type=content_type, role="file", sha256=sha256, size=len(data), data=data)
    return base.model_copy(update={"parts": [part], "errors": errors})

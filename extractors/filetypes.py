"""What a blob of bytes is: a content type from its magic bytes, and text decoded with Korean charset fallbacks.

A file name or a declared MIME type is a claim by the sender; the bytes decide. Korean mail declares charsets
wrongly all the time (`euc-kr` for cp949 text, `us-ascii` for raw 8-bit, `ks_c_5601-1987` from Outlook), so
decoding tries what the bytes can actually be before it falls back to replacement characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import PurePath

OCTET_STREAM = "application/octet-stream"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x1f\x8b", "application/gzip"),
)
# The PDF header may follow junk; readers accept it anywhere in the first kilobyte.
_PDF_HEADER_WINDOW = 1024
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|table|p)\b", re.I | re.S)
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):")
_MAIL_HEADERS = {
    b"received",
    b"return-path",
    b"delivered-to",
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
}
_TEXT_SAMPLE = 64 * 1024
# Binary document formats a file name promises. Text under such a name (a renamed note, a download that saved the
# server's error page) is not the document the sender meant: read as text it would end as "not a request" with no
# word of what went wrong.
_NAMED_FORMATS = {
    ".pdf": "a PDF",
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
    ".tif": "a TIFF image",
    ".tiff": "a TIFF image",
    ".gif": "a GIF image",
    ".bmp": "a BMP image",
    ".webp": "a WebP image",
}
_CONTENT_DESCRIPTIONS = {
    "text/plain": "content looks like plain text",
    "text/html": "content looks like HTML",
    "message/rfc822": "content looks like a mail",
    OCTET_STREAM: "content type unknown",
}

# Charsets whose decoder accepts any byte sequence: a declaration of one of these proves nothing.
_PERMISSIVE = {"latin_1", "iso8859_1", "cp1252", "iso8859_15"}
# Declared charsets that senders use for text that is really in a superset.
_SUPERSETS = {"euc_kr": "cp949", "ascii": "utf-8"}


def sniff_content_type(data: bytes, name: str = "") -> str:
    """The content type the bytes prove: magic numbers first, then mail, HTML or plain text, else octet-stream."""
    if data[:_PDF_HEADER_WINDOW].find(b"%PDF-") != -1:
        return "application/pdf"
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if not looks_like_text(data):
        return OCTET_STREAM
    head = data[:_TEXT_SAMPLE].lstrip(b"\xef\xbb\xbf")
    if _looks_like_mail(head):
        return "message/rfc822"
    if _HTML_START.match(head) or (name.lower().endswith((".html", ".htm")) and b"<" in head):
        return "text/html"
    return "text/plain"


def name_contradiction(name: str, content_type: str) -> str | None:
    """Why the bytes are not what the name promises, or None when they are or the name promises no binary format.

    Any PDF or image satisfies the promise: a `scan.pdf` that is really a PNG is a readable scan, read as a PNG.
    """
    suffix = PurePath(name).suffix.lower()
    promised = _NAMED_FORMATS.get(suffix)
    mime = content_type.split(";", 1)[0].strip().lower()
    if promised is None or mime == "application/pdf" or mime.startswith("image/"):
        return None
    return f"named {suffix} but is not {promised} ({_CONTENT_DESCRIPTIONS.get(mime, f'content is {mime}')})"


def _looks_like_mail(head: bytes) -> bool:
    """A block of `Name: value` lines (two or more well-known mail headers) ended by a blank line."""
    block, blank, _ = head.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not blank:
        return False
    lines = block.split(b"\n")
    if lines[0].startswith(b"From "):  # the envelope line of an mbox export
        lines = lines[1:]
    names = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.append(match.group(1).lower())
    return len(_MAIL_HEADERS.intersection(names)) >= 2


def looks_like_text(data: bytes) -> bool:
    """True when a sample decodes as text with almost no control characters (NUL rules it out at once)."""
    sample = data[:_TEXT_SAMPLE]
    if len(data) > _TEXT_SAMPLE:
        # Cut at a line end so a multi-byte character is not split in two.
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    if not sample or b"\x00" in sample:
        return False
    text = decode_text(sample)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f")
    replaced = text.count("\ufffd")
    return (controls + replaced) / len(text) < 0.02


def canonical_charset(declared: str | None) -> str | None:
    """Python's codec name for a declared charset, or None when it is missing or unknown."""
    if not declared:
        return None
    try:
        return codecs.lookup(declared.strip().strip('"').lower()).name.replace("-", "_")
    except LookupError:
        return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode bytes that claim `declared`, trusting what decodes cleanly over what was declared.

    The declared charset (widened to its superset: euc-kr -> cp949), UTF-8 and cp949 are each tried strictly;
    when more than one succeeds (short Korean text often decodes both ways) the most plausible reading wins:
    the one with the larger share of ASCII, Hangul and common punctuation. A permissive declaration (latin-1)
    always "succeeds", so it is used only when nothing else decodes. Only then are bad bytes replaced.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    charset = canonical_charset(declared)
    charset = _SUPERSETS.get(charset or "", charset)
    strict = [c for c in (charset, "utf-8", "cp949") if c and c not in _PERMISSIVE]
    readings = []
    for rank, candidate in enumerate(dict.fromkeys(strict)):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        readings.append((_plausibility(text), -rank, text))
    if readings:
        return max(readings)[2]
    return data.decode(charset or "utf-8", errors="replace")


def _plausibility(text: str) -> float:
    """Share of characters a Korean or Western business text is made of; mis-decoded bytes score low."""
    if not text:
        return 1.0
    return sum(1 for ch in text if _plausible(ch)) / len(text)


def _plausible(ch: str) -> bool:
    code = ord(ch)
    return (
        code < 0x7F
        or 0xC0 <= code <= 0xFF
        or 0xAC00 <= code <= 0xD7A3
        or 0x3130 <= code <= 0x318F
        or 0x2000 <= code <= 0x206F
        or 0x3000 <= code <= 0x303F
        or 0xFF01 <= code <= 0xFF5E
        or ch in "₩€©®°±×÷·"
    )

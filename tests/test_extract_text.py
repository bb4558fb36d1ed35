"""Envelope -> DocumentText: each part read by type; a bad part is an error on that part, never a crash."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from fixtures_extract import NANUM_GOTHIC, image_pdf_bytes, pdf_bytes, png_bytes
from PIL import Image, ImageDraw, ImageFont

from extractors import text as text_module
from extractors.envelope import envelope_from_bytes
from extractors.filetypes import name_contradiction
from extractors.text import read_document, read_part
from schemas.envelope import Channel, Envelope, Part
from schemas.text import Line, Page, Word


def _part(name: str, content_type: str, data: bytes | None, role: str = "attachment", **extra: str) -> Part:
    sha = hashlib.sha256(data or b"").hexdigest()
    return Part(name=name, content_type=content_type, role=role, sha256=sha, size=len(data or b""), data=data, **extra)


def _envelope(*parts: Part) -> Envelope:
    return Envelope(channel=Channel.FILE, sha256="0" * 64, source_name="x", size=0, received_at="2024-03-05T10:00:00Z",
                    parts=list(parts))  # fmt: skip


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: it must be refused before any pixel is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_a_mail_with_one_bad_attachment_still_reads_the_rest() -> None:
    document = read_document(
        _envelope(
            _part("body.txt", "text/plain; charset=utf-8", "6204 베어링 100개".encode(), role="body_text"),
            _part("order.pdf", "application/pdf", b"%PDF-1.4\ngarbage that is no pdf"),
            _part("empty.pdf", "application/pdf", b""),
            _part("archive.zip", "application/zip", b"PK\x03\x04rest"),
            _part("unloaded.png", "image/png", None),
        )
    )
    statuses = [(p.part, p.status) for p in document.parts]
    assert statuses == [
        ("body.txt", "ok"),
        ("order.pdf", "error"),
        ("empty.pdf", "error"),
        ("archive.zip", "skipped"),
        ("unloaded.png", "error"),
    ]
    assert document.text == "6204 베어링 100개"
    assert document.errors[0].startswith("order.pdf: corrupt PDF: ")
    assert document.errors[1:] == [
        "empty.pdf: empty part (0 bytes)",
        "archive.zip: unsupported type application/zip",
        "unloaded.png: the part's bytes were not loaded",
    ]


def test_plain_text_in_a_declared_charset_and_html_safely() -> None:
    plain = read_part(_part("a.txt", "text/plain; charset=euc-kr", "견적 요청\r\n6204 10개".encode("cp949")))
    assert (plain.status, plain.text, plain.pages[0].method) == ("ok", "견적 요청\n6204 10개", "plain")
    html = read_part(_part("a.html", "text/html", b'<meta charset="euc-kr"><p>' + "견적".encode("cp949") + b"</p>"
                           b'<p style="display:none">6205 999</p>'))  # fmt: skip
    assert (html.text, html.pages[0].method) == ("견적", "html")


def test_of_a_plain_and_html_pair_the_html_is_read() -> None:
    plain = _part("body.txt", "text/plain; charset=utf-8", b"hidden from HTML readers", role="body_text")
    html = _part("body.html", "text/html; charset=utf-8", "<p>6204 100개</p>".encode(), role="body_html",
                 alternative_to="body.txt")  # fmt: skip
    document = read_document(_envelope(plain, html))
    assert [(p.part, p.status, p.error) for p in document.parts] == [
        ("body.txt", "skipped", None),
        ("body.html", "ok", None),
    ]
    assert document.text == "6204 100개"
    image_only = _part("body.html", "text/html", b'<img src="cid:x">', role="body_html", alternative_to="body.txt")
    document = read_document(_envelope(plain, image_only))
    assert [p.status for p in document.parts] == ["ok", "skipped"]


def test_born_digital_pdf_part() -> None:
    part = read_part(_part("order.pdf", "application/pdf", pdf_bytes([("품명", "수량"), ("6204", "100")])))
    assert part.status == "ok"
    assert part.pages[0].tables[0].rows == [["품명", "수량"], ["6204", "100"]]


def test_scans_need_ocr_when_ocr_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module, "ocr_backend", lambda: "OCR is not available (test)")
    pdf = read_part(_part("scan.pdf", "application/pdf", image_pdf_bytes()))
    image = read_part(_part("scan.png", "image/png", png_bytes()))
    assert (pdf.status, pdf.error) == ("needs_ocr", "PDF has no usable text layer; OCR is not available (test)")
    assert (image.status, image.error) == ("needs_ocr", "image needs OCR; OCR is not available (test)")


def test_scanned_pdf_pages_are_replaced_by_ocr_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    ocr_page = Page(number=1, method="ocr", lines=[Line(text="6204 100개", words=[Word(text="6204", confidence=0.9)])])
    fake = SimpleNamespace(
        ocr_pdf_pages=lambda data: [ocr_page],
        ocr_image=lambda data: [ocr_page],
        text_layer_is_garbage=lambda text: False,
        ImageRejected=ValueError,
        OcrEngineError=RuntimeError,
    )
    monkeypatch.setattr(text_module, "ocr_backend", lambda: fake)
    part = read_part(_part("scan.pdf", "application/pdf", image_pdf_bytes()))
    assert (part.status, part.text, part.pages[0].method) == ("ok", "6204 100개", "ocr")


def test_ocr_failures_are_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    def rejected(data: bytes) -> list[Page]:
        raise ValueError("cannot decode")

    def engine_down(data: bytes) -> list[Page]:
        raise RuntimeError("tesseract not found")

    for ocr_image, status, error in ((rejected, "error", "image rejected: cannot decode"),
                                     (engine_down, "needs_ocr", "OCR failed: tesseract not found")):  # fmt: skip
        fake = SimpleNamespace(ocr_image=ocr_image, ImageRejected=ValueError, OcrEngineError=RuntimeError)
        monkeypatch.setattr(text_module, "ocr_backend", lambda fake=fake: fake)
        part = read_part(_part("scan.png", "image/png", png_bytes()))
        assert (part.status, part.error) == (status, error)


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (25_000, 100), (9_000, 9_000)])
def test_oversized_images_are_refused_from_their_header(width: int, height: int) -> None:
    part = read_part(_part("bomb.png", "image/png", _png_claiming(width, height)))
    assert part.status == "error"
    assert part.error is not None and part.error.startswith("image too large")


def test_a_real_scan_goes_through_the_ocr_module() -> None:
    if isinstance(text_module.ocr_backend(), str):
        pytest.skip(text_module.ocr_backend())
    picture = Image.new("L", (1700, 500), 255)
    font = ImageFont.truetype(str(NANUM_GOTHIC), 40)
    ImageDraw.Draw(picture).text((100, 100), "6204 베어링 100개 견적 부탁드립니다", font=font, fill=0)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", dpi=(300, 300))
    [part] = read_document(envelope_from_bytes(buffer.getvalue(), "scan.png", Channel.DROP)).parts
    assert (part.status, part.pages[0].method) == ("ok", "ocr")
    assert part.pages[0].lines and all(0 <= w.confidence <= 1 for line in part.pages[0].lines for w in line.words)


def test_an_empty_mail_body_is_skipped_without_an_error() -> None:
    [part] = read_document(_envelope(_part("body.txt", "text/plain; charset=utf-8", b"", role="body_text"))).parts
    assert (part.status, part.error) == ("skipped", None)


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"hello, this is not a pdf\n", "something.pdf", "named .pdf but is not a PDF (content looks like plain text)"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "invoice.PDF",
         "named .pdf but is not a PDF (content looks like HTML)"),
        (bytes(range(256)) * 4, "order.pdf", "named .pdf but is not a PDF (content type unknown)"),
        ("6204 베어링 100개".encode(), "scan.jpg",
         "named .jpg but is not a JPEG image (content looks like plain text)"),
    ],
)  # fmt: skip
def test_a_name_promising_a_pdf_or_image_over_other_bytes_is_a_part_error(data: bytes, name: str, reason: str) -> None:
    [part] = read_document(envelope_from_bytes(data, name, Channel.DROP)).parts
    assert (part.status, part.error, part.pages) == ("error", reason, [])


def test_a_fake_pdf_attachment_is_an_error_while_plain_text_and_real_scans_read_as_before() -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "kim@hangyeol.co.kr", "sales@testparts.co.kr", "발주"
    mail.set_content("6204 베어링 100개")
    mail.add_attachment(b"hello, this is not a pdf\n", maintype="application", subtype="pdf", filename="발주서.pdf")
    document = read_document(envelope_from_bytes(mail.as_bytes(), "order.eml", Channel.FILE))
    assert [(p.part, p.status) for p in document.parts] == [("body.txt", "ok"), ("발주서.pdf", "error")]
    assert document.errors == ["발주서.pdf: named .pdf but is not a PDF (content looks like plain text)"]
    [note] = read_document(envelope_from_bytes("6204 베어링 100개".encode(), "order.txt", Channel.DROP)).parts
    assert (note.status, note.error, note.text) == ("ok", None, "6204 베어링 100개")
    assert name_contradiction("scan.pdf", "image/png") is None  # a misnamed scan is still a scan

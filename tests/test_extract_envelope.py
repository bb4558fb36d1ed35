"""Bytes -> Envelope: types from magic bytes, not names; bad input recorded, never raised."""

from __future__ import annotations

import hashlib
import random

import pytest
from fixtures_extract import pdf_bytes, png_bytes, simple_mail

from extractors.envelope import envelope_from_bytes
from extractors.filetypes import decode_text, sniff_content_type
from schemas.envelope import Channel


def test_zero_bytes_is_an_envelope_with_an_error_and_no_parts() -> None:
    envelope = envelope_from_bytes(b"", "empty.pdf", Channel.DROP)
    assert envelope.errors == ["empty file"]
    assert envelope.parts == []
    assert envelope.sha256 == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (pdf_bytes([("품명", "수량")]), "order.txt", "application/pdf"),  # the name lies
        (png_bytes(), "scan.pdf", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "photo", "image/jpeg"),
        (b"II*\x00" + b"\x00" * 64, "fax.tif", "image/tiff"),
        ("<!DOCTYPE html><html><body>견적</body></html>".encode(), "page", "text/html"),
        ("6204 베어링 100개".encode("cp949"), "order.txt", "text/plain"),
        (b"PK\x03\x04" + b"\x00" * 64, "order.xlsx", "application/zip"),
    ],
)
def test_file_parts_get_the_type_their_bytes_prove(data: bytes, name: str, content_type: str) -> None:
    envelope = envelope_from_bytes(data, name, Channel.FILE)
    [part] = envelope.parts
    assert (part.role, part.content_type, part.name) == ("file", content_type, name)
    assert part.data == data
    assert part.sha256 == envelope.sha256 == hashlib.sha256(data).hexdigest()
    assert part.size == envelope.size == len(data)


def test_a_name_that_promises_what_the_bytes_do_not_hold_is_an_error() -> None:
    envelope = envelope_from_bytes(bytes(range(256)) * 4, "order.pdf", Channel.FILE)
    [part] = envelope.parts
    assert part.content_type == "application/octet-stream"
    assert envelope.errors == ["order.pdf: the content is not application/pdf as its name says; type unknown"]


def test_a_mail_is_recognised_by_its_headers_whatever_its_name() -> None:
    mail = simple_mail("6204 베어링 100개")
    for name in ("message.eml", "download.bin", ""):
        envelope = envelope_from_bytes(mail, name, Channel.IMAP)
        assert envelope.subject == "견적 요청"
        assert [p.role for p in envelope.parts] == ["body_text"]
        assert envelope.source_name == (name or "견적 요청")


def test_random_bytes_never_raise() -> None:
    rng = random.Random(7)
    for size in (1, 7, 100, 5000):
        for prefix in (b"", b"%PDF-1.7\n", b"From: a@b.kr\r\nSubject: x\r\n\r\n", b"\x89PNG\r\n\x1a\n"):
            data = prefix + rng.randbytes(size)
            envelope = envelope_from_bytes(data, "x.eml", Channel.FILE)
            assert envelope.sha256 == hashlib.sha256(data).hexdigest()


def test_decoding_prefers_what_the_bytes_are_over_what_was_declared() -> None:
    assert decode_text("견적 요청".encode(), "euc-kr") == "견적 요청"
    assert decode_text("견적 요청".encode("cp949"), "utf-8") == "견적 요청"
    assert decode_text("똠방각하".encode("cp949"), "euc-kr") == "똠방각하"
    assert decode_text("Müller GmbH".encode("latin-1"), "iso-8859-1") == "Müller GmbH"
    assert sniff_content_type(b"\x00\x01\x02") == "application/octet-stream"

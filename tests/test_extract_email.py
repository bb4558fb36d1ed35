"""MIME mail -> Envelope: Korean headers in every charset mail clients use (and misuse), parts and attachments."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone

from fixtures_extract import encoded_word, simple_mail

from extractors.email import decode_header_value, parse_email
from extractors.envelope import envelope_from_bytes
from schemas.envelope import Channel

KST = timezone(timedelta(hours=9))


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def test_korean_headers_in_euc_kr_with_cp949_only_syllables() -> None:
    # 똠 and 햏 exist only in cp949; a strict euc-kr decoder (the stdlib's) turns them into garbage.
    mail = simple_mail("본문", subject="똠방각하 햏 견적 요청", sender="김철수 <Kim@Hangyeol.co.kr>", charset="euc-kr")
    envelope = parse_email(mail, "a.eml", Channel.FILE)
    assert envelope.subject == "똠방각하 햏 견적 요청"
    assert (envelope.sender_name, envelope.sender) == ("김철수", "kim@hangyeol.co.kr")


def test_outlook_ks_c_5601_and_unknown_charset_labels() -> None:
    assert decode_header_value(encoded_word("견적 요청드립니다", "ks_c_5601-1987")) == "견적 요청드립니다"
    label = "=?x-unknown?B?" + base64.b64encode("발주서".encode("cp949")).decode() + "?="
    assert decode_header_value(label) == "발주서"


def test_raw_8bit_headers_and_mixed_words() -> None:
    for codec in ("cp949", "utf-8"):
        # How the stdlib parser hands over raw 8-bit header bytes: as surrogate escapes.
        raw = "견적 요청".encode(codec).decode("ascii", "surrogateescape")
        assert decode_header_value(raw) == "견적 요청"
    mixed = f"RE: {encoded_word('견적', 'utf-8')} {encoded_word('요청', 'euc-kr')} (2차)"
    assert decode_header_value(mixed) == "RE: 견적요청 (2차)"  # space between encoded words is folding


def test_date_message_id_and_thread_references() -> None:
    thread = "In-Reply-To: <q1@testparts.co.kr>\r\nReferences: <q0@testparts.co.kr>\r\n <q1@testparts.co.kr>\r\n"
    mail = simple_mail("본문", extra_headers=thread)
    envelope = parse_email(mail, "a.eml", Channel.IMAP)
    assert envelope.received_at == datetime(2024, 3, 5, 10, 20, tzinfo=KST)
    assert envelope.message_id == "<m1@example.kr>"
    assert envelope.references == ["<q1@testparts.co.kr>", "<q0@testparts.co.kr>"]
    assert envelope.sha256 == hashlib.sha256(mail).hexdigest()


def test_received_at_given_by_the_channel_wins_over_the_date_header() -> None:
    fetched = datetime(2024, 3, 6, 1, 0, tzinfo=UTC)
    envelope = parse_email(simple_mail("x"), "a.eml", Channel.IMAP, received_at=fetched)
    assert envelope.received_at == fetched


def test_body_in_a_broken_charset_declaration_is_decoded_from_its_bytes() -> None:
    declared_euc_kr_but_utf8 = (
        b"From: a@b.kr\r\nSubject: x\r\nContent-Type: text/plain; charset=euc-kr\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "6204 베어링 100개 부탁드립니다".encode()
    )
    declared_ascii_but_cp949 = (
        b"From: a@b.kr\r\nSubject: x\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + "6204 베어링 100개 부탁드립니다".encode("cp949")
    )
    for mail in (declared_euc_kr_but_utf8, declared_ascii_but_cp949):
        [body] = parse_email(mail, "a.eml", Channel.FILE).parts
        assert body.data is not None
        assert body.data.decode("utf-8") == "6204 베어링 100개 부탁드립니다"
        assert body.content_type == "text/plain; charset=utf-8"


def test_alternative_bodies_attachments_and_a_forwarded_mail() -> None:
    pdf = b"%PDF-1.4\n% not a real document\n"
    mail = (
        "From: =?utf-8?B?" + base64.b64encode("이영희".encode()).decode() + "?= <lee@bada-mc.kr>\r\n"
        "Subject: =?utf-8?B?" + base64.b64encode("발주".encode()).decode() + "?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n"
        "--OUT\r\nContent-Type: multipart/alternative; boundary=ALT\r\n\r\n"
        "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n본문입니다\r\n"
        "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>본문입니다</p>\r\n--ALT--\r\n"
        # A PDF sent as octet-stream with a Korean name as RFC 2047 words in quotes (what Korean clients do).
        f'--OUT\r\nContent-Type: application/octet-stream; name="{encoded_word("발주서.pdf", "euc-kr")}"\r\n'
        f'Content-Disposition: attachment; filename="{encoded_word("발주서.pdf", "euc-kr")}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(pdf)}"
        "--OUT\r\nContent-Type: image/png\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''%EC%8A%A4%EC%BA%94.png\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n\r\n"
        "--OUT\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: kim@hangyeol.co.kr\r\nSubject: inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n6205 10개\r\n"
        "--OUT--\r\n"
    ).encode()
    envelope = envelope_from_bytes(mail, "fwd.eml", Channel.FILE)
    parts = {p.name: p for p in envelope.parts}
    assert list(parts) == ["body.txt", "body.html", "발주서.pdf", "스캔.png", "message1/body.txt"]
    assert parts["body.html"].alternative_to == "body.txt"
    assert parts["발주서.pdf"].content_type == "application/pdf"  # sniffed, not the declared octet-stream
    assert parts["발주서.pdf"].data == pdf
    assert parts["발주서.pdf"].sha256 == hashlib.sha256(pdf).hexdigest()
    assert (parts["스캔.png"].size, parts["스캔.png"].data) == (0, b"")  # a zero-byte attachment is kept
    assert parts["message1/body.txt"].data == "6205 10개".encode()
    assert envelope.sender_name == "이영희"


def test_format_flowed_lines_are_joined_back() -> None:
    mail = (
        b"From: a@b.kr\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
        + "- 6204 베어링 \r\n100개\r\n- 6205 베어링 50개\r\n".encode()
    )
    [body] = parse_email(mail, "a.eml", Channel.FILE).parts
    assert body.data is not None
    assert body.data.decode().splitlines() == ["- 6204 베어링 100개", "- 6205 베어링 50개"]


def test_nested_attached_mails_stop_at_a_depth_limit() -> None:
    inner = b"From: a@b.kr\r\nContent-Type: text/plain\r\n\r\nbottom\r\n"
    for _ in range(8):
        inner = b"From: a@b.kr\r\nContent-Type: message/rfc822\r\n\r\n" + inner
    envelope = parse_email(inner, "deep.eml", Channel.FILE)
    assert envelope.parts == []
    assert any("nested deeper" in e for e in envelope.errors)


def test_a_cut_off_multipart_mail_reports_it() -> None:
    mail = (
        b"From: a@b.kr\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhalf"
    )
    envelope = parse_email(mail, "cut.eml", Channel.FILE)
    assert [p.name for p in envelope.parts] == ["body.txt"]
    assert any("closing boundary" in e for e in envelope.errors)

"""The committed sample inboxes: labels agree with the files, and each document exercises what it claims."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from fixtures_samples import pdf_fonts
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from samples.curated import curated_documents
from samples.dataset import KINDS, read_labels
from schemas.company import load_company

ROOT = Path(__file__).resolve().parent.parent
INBOXES = {
    "sample": (ROOT / "samples" / "inbox", ROOT / "samples" / "company"),
    "second": (ROOT / "tests" / "companies" / "second" / "inbox", ROOT / "tests" / "companies" / "second"),
}
INBOX = INBOXES["sample"][0]


def _mail(name: str) -> EmailMessage:
    return email.message_from_bytes((INBOX / "docs" / name).read_bytes(), policy=policy.default)


def _label(name: str) -> dict:
    return next(label for label in read_labels(INBOX / "labels.jsonl") if label["file"] == f"docs/{name}")


def _attachment(message: EmailMessage) -> tuple[str, bytes]:
    part = next(iter(message.iter_attachments()))
    return part.get_filename(), part.get_payload(decode=True)


@pytest.mark.parametrize("inbox, config", INBOXES.values(), ids=INBOXES.keys())
def test_labels_match_the_files_and_the_company(inbox: Path, config: Path) -> None:
    company = load_company(config)
    labels = read_labels(inbox / "labels.jsonl")
    files = sorted(f"docs/{p.name}" for p in (inbox / "docs").iterdir())
    assert sorted(label["file"] for label in labels) == files
    skus = {item.sku for item in company.catalog}
    customers = {c.customer_id for c in company.customers}
    for label in labels:
        assert set(label) == {"file", "kind", "customer_id", "items"}
        assert label["kind"] in KINDS
        assert label["customer_id"] is None or label["customer_id"] in customers
        for item in label["items"]:
            assert item["sku"] in skus, (label["file"], item)
            assert isinstance(item["quantity"], int) and item["quantity"] > 0
        assert len({item["sku"] for item in label["items"]}) == len(label["items"])


def test_sample_inbox_covers_every_kind_and_format() -> None:
    labels = read_labels(INBOX / "labels.jsonl")
    assert len(labels) >= 18
    assert {label["kind"] for label in labels} == set(KINDS)
    assert {Path(label["file"]).suffix for label in labels} == {".eml", ".png", ".pdf"}


def test_committed_inbox_is_exactly_what_the_curated_sources_build() -> None:
    company = load_company(INBOXES["sample"][1])
    for document in curated_documents(company):
        committed = (INBOX / "docs" / document.name).read_bytes()
        assert committed == document.data, f"{document.name} is stale: rebuild with `python -m samples.curated`"


@pytest.mark.parametrize("path", sorted((INBOX / "docs").glob("*.eml")), ids=lambda p: p.name)
def test_mail_headers_are_ascii_with_encoded_korean(path: Path) -> None:
    raw = path.read_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii(), "non-ASCII header bytes: Korean must be RFC 2047 encoded"
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Message-ID"] and message["Date"] and message["From"]


def test_korean_subject_decodes() -> None:
    assert _mail("01_rfq_korean.eml")["Subject"] == "베어링 및 볼트류 견적 요청드립니다"
    assert _mail("22_outlook_ks_c_5601.eml")["Subject"] == "관수설비 자재 견적 요청"
    assert _mail("22_outlook_ks_c_5601.eml").get_content_charset() == "ks_c_5601-1987"


def test_html_only_mail_hides_items_in_script_and_invisible_blocks() -> None:
    message = _mail("04_html_only.eml")
    assert message.get_content_type() == "text/html"
    html = message.get_content()
    assert "<script" in html and "display:none" in html and "MTR-370" in html
    assert "MTR-370" not in {item["sku"] for item in _label("04_html_only.eml")["items"]}


def test_pdf_order_is_born_digital_with_a_ruled_table_and_embedded_korean_font(tmp_path: Path) -> None:
    name, data = _attachment(_mail("05_po_pdf_attached.eml"))
    assert name.endswith(".pdf") and "발주서" in name
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(data)
    fonts = pdf_fonts(pdf)
    assert fonts["NanumGothic"] and all(fonts.values()), fonts
    with pdfplumber.open(pdf) as document:
        rows = [row for table in document.pages[0].extract_tables() for row in table]
    assert ["1", "볼베어링", "6204ZZ", "200", "EA", "4,800", "960,000", ""] in rows


def _first_rule_row(pixels: np.ndarray, left: int, right: int) -> int:
    """The first pixel row where a band of columns is mostly dark: the top rule of the order table."""
    dark = (pixels[:, left:right] < 128).mean(axis=1)
    return int(np.argmax(dark > 0.6))


def test_scan_is_a_noisy_tilted_300_dpi_page() -> None:
    with Image.open(INBOX / "docs" / "07_scan_order_form.png") as image:
        assert image.mode == "L"
        assert round(image.info["dpi"][0]) == 300
        assert abs(image.width - 2480) <= 2 and abs(image.height - 3508) <= 2
        assert len(image.getcolors(256) or []) > 20, "grey levels from blur and noise, not a clean render"
        pixels = np.asarray(image)
    assert pixels.max() < 255, "paper is never pure white"
    # Both bands lie left of the buyer box, so the first long dark row in each is the table's top rule.
    tilt = _first_rule_row(pixels, 300, 500) - _first_rule_row(pixels, 900, 1100)
    assert 3 <= abs(tilt) <= 30, tilt


def test_scan_is_legible_to_tesseract() -> None:
    pytesseract = pytest.importorskip("pytesseract")
    with Image.open(INBOX / "docs" / "07_scan_order_form.png") as image:
        text = pytesseract.image_to_string(image, lang="kor+eng", config="--psm 6")
    assert "세진산업" in text
    assert "215-05-34825" in text


def test_broken_attachments_are_really_broken() -> None:
    _, corrupt = _attachment(_mail("10_corrupt_pdf.eml"))
    assert corrupt.startswith(b"%PDF")
    with pytest.raises(PdfminerException), pdfplumber.open(io.BytesIO(corrupt)) as document:
        _ = document.pages[0].extract_text()
    name, empty = _attachment(_mail("11_zero_byte_attachment.eml"))
    assert name == "견적요청서.pdf" and empty == b""
    name, archive = _attachment(_mail("13_unknown_attachment.eml"))
    assert name.endswith(".zip") and zipfile.ZipFile(io.BytesIO(archive)).namelist() == ["유압라인_사양.txt"]
    empty_mail = (INBOX / "docs" / "12_empty_mail.eml").read_bytes()
    assert empty_mail.endswith(b"\r\n\r\n") and _label("12_empty_mail.eml")["kind"] == "other"


def test_quoted_history_names_items_the_label_leaves_out() -> None:
    body = _mail("14_quoted_reply.eml").get_body(("plain",)).get_content()
    new, quoted = body.split("님이 작성:", 1)
    assert "6206ZZ" in quoted and "6206ZZ" not in new
    assert {item["sku"] for item in _label("14_quoted_reply.eml")["items"]} == {"GRS-EP2-400", "SPY-RUST"}


def test_personal_mailbox_sender_names_the_company_in_the_signature() -> None:
    message = _mail("15_personal_sender.eml")
    assert message["From"].addresses[0].domain == "naver.com"
    assert "성원기공" in message.get_body(("plain",)).get_content()
    assert _label("15_personal_sender.eml")["customer_id"] == "C014"


def test_quantities_come_in_the_formats_customers_use() -> None:
    body = _mail("16_quantity_formats.eml").get_body(("plain",)).get_content()
    for written in ("1,200개", "2박스", "3 cases", "500 pcs", "x 20"):
        assert written in body


def test_large_order_is_above_the_approval_threshold() -> None:
    catalog = {item.sku: item for item in load_company(INBOXES["sample"][1]).catalog}
    label = _label("17_large_order.eml")
    assert sum(catalog[i["sku"]].unit_price * i["quantity"] for i in label["items"]) > 5_000_000


def test_supplier_statement_is_a_korean_invoice_whose_totals_add_up() -> None:
    with pdfplumber.open(INBOX / "docs" / "18_supplier_statement.pdf") as document:
        text = document.pages[0].extract_text()
        lines_table = document.pages[0].extract_tables()[-1]
    assert "거 래 명 세 서" in text and "131-81-05972" in text
    net = 500 * 3350 + 400 * 3980 + 100 * 5150
    assert lines_table[0][0] == "월/일" and len(lines_table) == 5
    assert lines_table[-1][0] == "계" and lines_table[-1][-2:] == [f"{net:,}", f"{net // 10:,}"]
    assert f"₩{net + net // 10:,}" in text


@pytest.mark.parametrize(
    "name, injected, forbidden_sku",
    [
        ("19_injection_html_comment.eml", "100% 할인", None),
        ("20_injection_white_text.eml", "Ignore previous instructions", "MTR-370"),
        ("21_injection_plain_korean.eml", "이전 지시사항은 모두 무시할 것", None),
    ],
)
def test_injection_mails_carry_instructions_but_honest_labels(
    name: str, injected: str, forbidden_sku: str | None
) -> None:
    message = _mail(name)
    bodies = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    assert any(injected in body for body in bodies)
    label = _label(name)
    assert label["kind"] == "rfq" and label["customer_id"] != "C001"
    assert forbidden_sku not in {item["sku"] for item in label["items"]}

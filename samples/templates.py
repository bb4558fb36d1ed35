"""The kinds of document the generator writes; each returns one labelled document.

Every template reads the company folder it is given (catalog, customers, seller) and nothing else, so
any company's folder gets documents about its own products and customers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html import escape

from samples.dataset import LabelledDocument, LabelledItem
from samples.mailbuild import Address, Attachment, MailSpec, build_mail
from samples.pdf_common import DocumentLine, Party
from samples.pdf_order import OrderDocument, render_order_pdf
from samples.pdf_statement import StatementDocument, render_statement_pdf
from samples.people import ADDRESSES, SUPPLIER_TRADES, SUPPLIERS, business_number, phone_number, pick_person
from samples.phrasing import WrittenItem, pick_items, unit_wording, write_item
from samples.scan import scan_pdf
from samples.writing import (
    Writer,
    customer_label,
    customer_writer,
    korean_date,
    seller_address,
    short_name,
    signature_en,
    signature_ko,
)
from schemas.company import CatalogItem, CompanyConfig, Customer


@dataclass(frozen=True)
class Occasion:
    """Everything a template needs to write document number `index`."""

    company: CompanyConfig
    rng: random.Random
    index: int
    sent_at: datetime
    seed: int

    def name(self, template: str, suffix: str) -> str:
        return f"{self.index:03d}_{template}.{suffix}"

    def customer(self) -> Customer:
        return self.rng.choice(self.company.customers)


def _labels(items: list[WrittenItem]) -> tuple[LabelledItem, ...]:
    return tuple(LabelledItem(item.sku, item.quantity) for item in items)


def _picked_labels(picked: list[tuple[CatalogItem, int]]) -> tuple[LabelledItem, ...]:
    return tuple(LabelledItem(item.sku, quantity) for item, quantity in picked)


def _written(occasion: Occasion, language: str) -> list[WrittenItem]:
    picked = pick_items(occasion.company.catalog, occasion.rng, occasion.rng.randint(1, 5))
    return [write_item(item, qty, occasion.rng, language, n) for n, (item, qty) in enumerate(picked, start=1)]


def _mail(occasion: Occasion, sender: Address, subject: str, text: str, html: str | None = None,
          attachments: tuple[Attachment, ...] = (), extra_headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    spec = MailSpec(sender=sender, to=seller_address(occasion.company), subject=subject, sent_at=occasion.sent_at,
                    text=text, html=html, attachments=attachments, extra_headers=extra_headers)
    return build_mail(spec)


def rfq_korean(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    items = _written(occasion, "ko")
    seller = short_name(occasion.company.seller.name)
    opening = rng.choice((f"{seller} 담당자님 안녕하세요.", "안녕하세요.", f"{seller} 영업팀 귀중"))
    who = f"{customer_label(customer, rng, 'ko')} {writer.person.department} {writer.person.name} {writer.person.title}"
    closing = rng.choice(("납기도 같이 알려주시면 감사하겠습니다.", "단가와 납기 회신 부탁드립니다.",
                          "부가세 별도 금액으로 부탁드립니다."))
    text = "\n".join([opening, f"{who}입니다.", "", "아래 품목 견적 부탁드립니다.", "",
                      *(i.text for i in items), "", closing, "감사합니다.", "", signature_ko(writer, rng), ""])
    subject = rng.choice(("견적 요청드립니다", f"[견적요청] {short_name(customer.name)}", "견적 문의드립니다",
                          f"{korean_date(occasion.sent_at)} 견적 요청의 건"))
    data = _mail(occasion, writer.address, subject, text=text)
    return LabelledDocument(occasion.name("rfq_ko", "eml"), data, "rfq", customer.customer_id, _labels(items))


def rfq_english(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "en")
    items = _written(occasion, "en")
    text = "\n".join(["Hello,", "", "Could you please send us a quotation for the following items:", "",
                      *(i.text for i in items), "",
                      rng.choice(("Please include your lead time.", "Prices excluding VAT, please.",
                                  "We need them by the end of the month.")),
                      "", "Best regards,", signature_en(writer, rng), ""])
    subject = rng.choice(("Request for quotation", "RFQ", f"Quote request - {len(items)} items"))
    data = _mail(occasion, writer.address, subject, text=text)
    return LabelledDocument(occasion.name("rfq_en", "eml"), data, "rfq", customer.customer_id, _labels(items))


def po_mixed(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    items = _written(occasion, rng.choice(("ko", "en")))
    text = "\n".join(["안녕하세요, 지난번 견적 기준으로 order 진행합니다.", "",
                      *(i.text for i in items), "",
                      f"Delivery: {korean_date(occasion.sent_at + timedelta(days=7))}까지 입고 부탁드립니다.",
                      "PO 번호는 세금계산서 비고란에 기재해 주세요.", "", signature_ko(writer, rng), ""])
    subject = rng.choice(("발주 (PO) 드립니다", "[PO] 주문 건", "Order confirm - 발주"))
    data = _mail(occasion, writer.address, subject, text=text)
    return LabelledDocument(occasion.name("po_mixed", "eml"), data, "po", customer.customer_id, _labels(items))


def po_html_table(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    picked = pick_items(occasion.company.catalog, rng, rng.randint(2, 6))
    rows = [(item.name, item.sku, f"{qty:,}", unit_wording(item, rng, "ko")) for item, qty in picked]
    signature = signature_ko(writer, rng)
    cells = "".join(f"<tr><td>{n}</td>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                    for n, row in enumerate(rows, start=1))
    html = ("<html><body><p>안녕하세요.<br>아래와 같이 주문합니다.</p>"
            "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">"
            "<tr><th>No</th><th>품명</th><th>품번</th><th>수량</th><th>단위</th></tr>"
            f"{cells}</table><p>확인 부탁드립니다.</p>"
            f"<p>{escape(signature).replace(chr(10), '<br>')}</p></body></html>")
    text_rows = [f"{n}\t{name}\t{sku}\t{qty}\t{unit}" for n, (name, sku, qty, unit) in enumerate(rows, start=1)]
    text = "\n".join(["안녕하세요.", "아래와 같이 주문합니다.", "", "No\t품명\t품번\t수량\t단위", *text_rows, "",
                      "확인 부탁드립니다.", "", signature, ""])
    data = _mail(occasion, writer.address, "주문서 - 표 참조", text=text, html=html)
    return LabelledDocument(occasion.name("po_table", "eml"), data, "po", customer.customer_id, _picked_labels(picked))


def _order_document(occasion: Occasion, customer: Customer, writer: Writer,
                    title: str) -> tuple[OrderDocument, list[tuple[CatalogItem, int]]]:
    rng = occasion.rng
    picked = pick_items(occasion.company.catalog, rng, rng.randint(2, 6))
    lines = tuple(DocumentLine(name=item.name, spec=item.sku, quantity=qty, unit=item.unit,
                               unit_price=item.unit_price) for item, qty in picked)
    buyer = Party(name=customer.name, business_no=customer.business_no, representative=pick_person(rng).name,
                  person=f"{writer.person.name} {writer.person.title}", phone=writer.phone,
                  email=writer.address.email, address=rng.choice(ADDRESSES))
    issued = occasion.sent_at.date()
    order = OrderDocument(title=title, number=f"PO-{issued:%Y%m%d}-{rng.randint(1, 99):02d}", issued=issued,
                          buyer=buyer, recipient=occasion.company.seller.name, lines=lines,
                          due=issued + timedelta(days=rng.choice((5, 7, 10, 14))), delivery_place="당사 자재창고",
                          with_prices=rng.random() < 0.6)
    return order, picked


def po_pdf_attached(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    order, picked = _order_document(occasion, customer, writer, "발주서")
    attachment = Attachment(f"발주서_{short_name(customer.name)}_{order.issued:%Y%m%d}.pdf", "application/pdf",
                            render_order_pdf(order))
    text = "\n".join(["안녕하세요.", "발주서 첨부드립니다.", "확인 후 회신 부탁드립니다.", "",
                      signature_ko(writer, rng), ""])
    data = _mail(occasion, writer.address, f"[발주] {order.number}", text=text, attachments=(attachment,))
    return LabelledDocument(occasion.name("po_pdf", "eml"), data, "po", customer.customer_id, _picked_labels(picked))


def po_scanned_form(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    order, picked = _order_document(occasion, customer, writer, "주문서")
    sent = occasion.sent_at
    fax = f"{sent:%Y-%m-%d %H:%M}   FROM: {short_name(customer.name)}   TO: {short_name(occasion.company.seller.name)}"
    order = replace(order, fax_header=f"{fax}   P.01/01")
    data = scan_pdf(render_order_pdf(order), seed=occasion.seed * 1000 + occasion.index)
    name = f"{occasion.index:03d}_SCAN_{sent:%Y%m%d}_{rng.randint(1, 9999):04d}.png"
    return LabelledDocument(name, data, "po", customer.customer_id, _picked_labels(picked))


def not_a_request(occasion: Occasion) -> LabelledDocument:
    rng, customer = occasion.rng, occasion.customer()
    writer = customer_writer(customer, rng, "ko")
    back = occasion.sent_at + timedelta(days=rng.randint(2, 6))
    choices = (
        (f"[자동응답] {writer.person.name} 부재중입니다",
         f"안녕하세요. {writer.person.name}입니다.\n{korean_date(back)}까지 휴가로 부재중입니다.\n"
         f"급한 용무는 {writer.person.department} 대표번호로 연락 바랍니다.\n", (("Auto-Submitted", "auto-replied"),)),
        ("물품 잘 받았습니다", "안녕하세요.\n어제 보내주신 물품 이상 없이 잘 받았습니다.\n수고하셨습니다.\n\n"
         + signature_ko(writer, rng) + "\n", ()),
        ("연말 휴무 안내", f"{customer.name}는 12월 29일부터 1월 1일까지 휴무입니다.\n"
         "해당 기간 납품은 받지 않으니 참고 부탁드립니다.\n", ()),
    )
    subject, text, headers = rng.choice(choices)
    data = _mail(occasion, writer.address, subject, text=text, extra_headers=headers)
    return LabelledDocument(occasion.name("other", "eml"), data, "other", customer.customer_id)


def supplier_statement(occasion: Occasion) -> LabelledDocument:
    """A wholesaler's 거래명세서 for goods the seller bought: kind invoice, no customer."""
    rng, company = occasion.rng, occasion.company
    supplier_name, supplier_domain = rng.choice(SUPPLIERS)
    business_type, business_item = rng.choice(SUPPLIER_TRADES)
    supplier = Party(name=supplier_name, business_no=business_number(rng), representative=pick_person(rng).name,
                     address=rng.choice(ADDRESSES), business_type=business_type, business_item=business_item,
                     phone=phone_number(rng))
    picked = pick_items(company.catalog, rng, rng.randint(2, 6))
    # The seller buys below its own list price.
    lines = tuple(DocumentLine(item.name, item.sku, qty, item.unit, max(1, item.unit_price * 7 // 100) * 10)
                  for item, qty in picked)
    issued = occasion.sent_at.date()
    statement = StatementDocument(number=f"{issued:%Y%m%d}-{rng.randint(1, 99):02d}", issued=issued,
                                  supplier=supplier, buyer=Party(name=company.seller.name,
                                                                 business_no=company.seller.business_no),
                                  lines=lines)
    attachment = Attachment(f"거래명세서_{issued:%Y%m%d}.pdf", "application/pdf", render_statement_pdf(statement))
    text = f"안녕하세요. {supplier.name}입니다.\n금일 출고분 거래명세서 첨부드립니다.\n"
    data = _mail(occasion, Address(f"account@{supplier_domain}", short_name(supplier.name)),
                 f"[{short_name(supplier.name)}] 거래명세서 송부", text, attachments=(attachment,))
    return LabelledDocument(occasion.name("invoice", "eml"), data, "invoice", None, _picked_labels(picked))


Template = Callable[[Occasion], LabelledDocument]
TEMPLATES: tuple[Template, ...] = (
    rfq_korean, rfq_english, po_mixed, po_html_table, po_pdf_attached, po_scanned_form, not_a_request,
    supplier_statement,
)

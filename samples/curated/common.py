"""Helpers for writing the hand-made sample inbox: dates, senders and labelled mails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from samples.dataset import LabelledDocument, LabelledItem
from samples.mailbuild import Address, Attachment, MailSpec, build_mail
from schemas.company import CompanyConfig, Customer

KST = ZoneInfo("Asia/Seoul")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Korean time (the sample inbox covers one busy week)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=KST)


def items(*pairs: tuple[str, int]) -> tuple[LabelledItem, ...]:
    return tuple(LabelledItem(sku, quantity) for sku, quantity in pairs)


def seller(company: CompanyConfig) -> Address:
    return Address(company.seller.email, company.seller.name)


def customer(company: CompanyConfig, customer_id: str) -> Customer:
    found = company.customer(customer_id)
    if found is None:
        raise KeyError(f"customer {customer_id} is not in {company.folder}/customers.csv")
    return found


def customer_address(company: CompanyConfig, customer_id: str, person: str, mailbox: str | None = None) -> Address:
    """`person` at the customer: their own mailbox, else the customer's address from customers.csv."""
    return Address(mailbox or customer(company, customer_id).email, person)


def mail(
    name: str,
    kind: str,
    customer_id: str | None,
    labelled: tuple[LabelledItem, ...],
    *,
    sender: Address,
    to: Address,
    subject: str,
    sent_at: datetime,
    text: str | None = None,
    html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    in_reply_to: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    charset: str = "utf-8",
) -> LabelledDocument:
    spec = MailSpec(sender=sender, to=to, subject=subject, sent_at=sent_at, text=text, html=html,
                    attachments=attachments, in_reply_to=in_reply_to, extra_headers=headers, charset=charset)
    return LabelledDocument(name, build_mail(spec), kind, customer_id, labelled)

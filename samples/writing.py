"""Who writes a sample mail and how they sign it: sender address, greeting names, signatures."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime

from samples.mailbuild import Address
from samples.people import PERSONAL_MAIL_DOMAINS, Person, phone_number, pick_person
from schemas.company import CompanyConfig, Customer

_LEGAL_FORM = re.compile(r"\(주\)|㈜|주식회사|\(유\)|유한회사|Co\.,? Ltd\.?|Inc\.?", re.IGNORECASE)


def short_name(company_name: str) -> str:
    """`한빛산업자재(주)` -> `한빛산업자재`: how people name a company in a greeting."""
    return _LEGAL_FORM.sub("", company_name).strip(" ,")


def customer_label(customer: Customer, rng: random.Random, language: str) -> str:
    """The customer's name as one of its people would write it (official name or a known alias)."""
    if language == "en":
        english = [a for a in customer.aliases if a.isascii()]
        return rng.choice(english) if english else customer.name
    korean = [a for a in customer.aliases if not a.isascii()]
    return rng.choice([customer.name, customer.name, *korean])


@dataclass(frozen=True)
class Writer:
    """A customer's employee writing to the seller."""

    person: Person
    customer: Customer
    address: Address
    personal_mailbox: bool
    phone: str


def customer_writer(customer: Customer, rng: random.Random, language: str) -> Writer:
    """Someone at `customer`; without a company mail domain they write from a personal mailbox."""
    person = pick_person(rng)
    display = person.name if language == "ko" else person.english_name
    if customer.email_domain:
        mailbox = customer.email if rng.random() < 0.4 else f"{person.roman}@{customer.email_domain}"
        return Writer(person, customer, Address(mailbox, display), False, phone_number(rng))
    mailbox = f"{person.roman.replace('.', '')}{rng.randint(70, 99)}@{rng.choice(PERSONAL_MAIL_DOMAINS)}"
    return Writer(person, customer, Address(mailbox, display), True, phone_number(rng, mobile=True))


def signature_ko(writer: Writer, rng: random.Random) -> str:
    company = customer_label(writer.customer, rng, "ko")
    lines = [f"{writer.person.name} {writer.person.title}", f"{company} {writer.person.department}"]
    lines.append(f"{'H.P' if writer.personal_mailbox else 'Tel'}. {writer.phone}")
    return "\n".join(["-" * 20, *lines])


def signature_en(writer: Writer, rng: random.Random) -> str:
    company = customer_label(writer.customer, rng, "en")
    return "\n".join([writer.person.english_name, writer.person.english_title, company, f"T. {writer.phone}"])


def seller_address(company: CompanyConfig) -> Address:
    return Address(company.seller.email, short_name(company.seller.name))


def korean_date(moment: datetime) -> str:
    return f"{moment.month}월 {moment.day}일"

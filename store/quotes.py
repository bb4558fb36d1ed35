"""Quotes and their numbers: a number is handed out once, even when several processes ask at the same moment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.quote import PricedQuote
from store.documents import require_document
from store.errors import ConflictError, NotFoundError
from store.models import QuoteRow, QuoteSequenceRow
from store.upsert import insert_for


def next_quote_number(session: Session, prefix: str, year: int) -> int:
    """The next number for `prefix` in `year`, starting at 1.

    One atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): concurrent callers queue on the
    row and each gets its own number. A number is burnt once the caller's transaction commits; if it
    rolls back, the number is handed out again, so render or send a quote only after committing its number.
    """
    insert = insert_for(session, QuoteSequenceRow).values(prefix=prefix, year=year, last_value=1)
    upsert = insert.on_conflict_do_update(
        index_elements=["prefix", "year"], set_={"last_value": QuoteSequenceRow.last_value + 1}
    )
    return session.execute(upsert.returning(QuoteSequenceRow.last_value)).scalar_one()


def save_quote(
    session: Session,
    document_id: int,
    quote_number: str,
    quote: PricedQuote,
    pdf_path: str | None = None,
    pdf_sha256: str | None = None,
) -> QuoteRow:
    """Record the quote issued for a document; a document gets one quote, a number names one quote."""
    require_document(session, document_id)
    existing = get_quote_for_document(session, document_id)
    if existing is not None:
        raise ConflictError(f"document {document_id} already has quote {existing.quote_number}")
    if get_quote_by_number(session, quote_number) is not None:
        raise ConflictError(f"quote number {quote_number} is already used")
    row = QuoteRow(
        document_id=document_id,
        quote_number=quote_number,
        customer_id=quote.customer_id,
        data=quote.model_dump(mode="json"),
        subtotal=quote.subtotal,
        vat=quote.vat,
        total=quote.total,
        currency=quote.currency,
        pdf_path=pdf_path,
        pdf_sha256=pdf_sha256,
    )
    session.add(row)
    session.flush()
    return row


def set_quote_pdf(session: Session, quote_id: int, pdf_path: str, pdf_sha256: str) -> QuoteRow:
    row = session.get(QuoteRow, quote_id)
    if row is None:
        raise NotFoundError(f"quote {quote_id} does not exist")
    row.pdf_path, row.pdf_sha256 = pdf_path, pdf_sha256
    session.flush()
    return row


def get_quote(session: Session, quote_id: int) -> QuoteRow | None:
    return session.get(QuoteRow, quote_id)


def get_quote_for_document(session: Session, document_id: int) -> QuoteRow | None:
    return session.scalars(select(QuoteRow).where(QuoteRow.document_id == document_id)).one_or_none()


def get_quote_by_number(session: Session, quote_number: str) -> QuoteRow | None:
    return session.scalars(select(QuoteRow).where(QuoteRow.quote_number == quote_number)).one_or_none()

"""Quote numbers and quotes, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fixtures_store import allocate_quote_numbers, make_envelope, make_quote, run_in_processes
from sqlalchemy import Engine

from store import documents, quotes
from store.db import migrate, session_scope
from store.errors import ConflictError, NotFoundError

pytest_plugins = ["fixtures_store"]


def _document(engine: Engine, content: bytes = b"rfq") -> int:
    with session_scope(engine) as session:
        return documents.create_document(session, make_envelope(content))[0].id


def test_numbers_count_up_per_prefix_and_year(engine: Engine) -> None:
    with session_scope(engine) as session:
        q2026 = [quotes.next_quote_number(session, "Q", 2026) for _ in range(3)]
        q2027 = quotes.next_quote_number(session, "Q", 2027)
        est = quotes.next_quote_number(session, "EST", 2026)
    with session_scope(engine) as session:
        after_commit = quotes.next_quote_number(session, "Q", 2026)
    assert (q2026, q2027, est, after_commit) == ([1, 2, 3], 1, 1, 4)


def test_a_rolled_back_number_is_handed_out_again(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        assert quotes.next_quote_number(session, "Q", 2026) == 1
        raise RuntimeError("rendering failed")
    with session_scope(engine) as session:
        assert quotes.next_quote_number(session, "Q", 2026) == 1


def test_two_processes_never_get_the_same_number(database_url: str) -> None:
    migrate(database_url)
    first, second = run_in_processes(allocate_quote_numbers, [(database_url, "Q", 2026, 50)] * 2)
    assert len(first) == len(second) == 50
    assert first == sorted(first) and second == sorted(second)
    assert sorted(first + second) == list(range(1, 101))


def test_save_and_read_a_quote(engine: Engine) -> None:
    document_id = _document(engine)
    quote = make_quote(quantity=10)
    with session_scope(engine) as session:
        saved = quotes.save_quote(session, document_id, "Q-2026-0001", quote, "/out/Q-2026-0001.pdf", "a" * 64)
    with session_scope(engine) as session:
        by_document = quotes.get_quote_for_document(session, document_id)
        by_number = quotes.get_quote_by_number(session, "Q-2026-0001")
        assert quotes.get_quote_for_document(session, document_id + 1) is None
    assert by_document is not None and by_number is not None
    assert by_document.id == by_number.id == saved.id
    assert by_document.quote == quote
    assert (by_document.subtotal, by_document.vat, by_document.total) == (245_000, 24_500, 269_500)
    assert (by_document.currency, by_document.customer_id) == ("KRW", "C001")
    assert (by_document.pdf_path, by_document.pdf_sha256) == ("/out/Q-2026-0001.pdf", "a" * 64)


def test_one_quote_per_document_and_per_number(engine: Engine) -> None:
    first, second = _document(engine, b"one"), _document(engine, b"two")
    with session_scope(engine) as session:
        quotes.save_quote(session, first, "Q-1", make_quote())
    with pytest.raises(ConflictError, match="already has quote Q-1"), session_scope(engine) as session:
        quotes.save_quote(session, first, "Q-2", make_quote())
    with pytest.raises(ConflictError, match="Q-1 is already used"), session_scope(engine) as session:
        quotes.save_quote(session, second, "Q-1", make_quote())
    with pytest.raises(NotFoundError), session_scope(engine) as session:
        quotes.save_quote(session, 999, "Q-3", make_quote())


def test_pdf_can_be_attached_after_saving(engine: Engine) -> None:
    document_id = _document(engine)
    with session_scope(engine) as session:
        quote_id = quotes.save_quote(session, document_id, "Q-1", make_quote()).id
        quotes.set_quote_pdf(session, quote_id, "/out/Q-1.pdf", "b" * 64)
    with session_scope(engine) as session:
        stored = quotes.get_quote(session, quote_id)
        assert stored is not None and (stored.pdf_path, stored.pdf_sha256) == ("/out/Q-1.pdf", "b" * 64)

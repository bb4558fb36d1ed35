"""Documents, their text and extractions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fixtures_store import make_envelope, make_extraction, record_envelopes, run_in_processes
from sqlalchemy import Engine, func, select

from schemas.envelope import Channel
from schemas.extraction import Kind
from schemas.text import DocumentText, Page, PartText
from store import documents
from store.db import make_engine, migrate, session_scope
from store.errors import NotFoundError
from store.models import DocumentRow, DocumentStatus

pytest_plugins = ["fixtures_store"]


def test_create_document_records_the_envelope_once(engine: Engine) -> None:
    envelope = make_envelope()
    with session_scope(engine) as session:
        first, created = documents.create_document(session, envelope, batch="b1")
    with session_scope(engine) as session:
        again, created_again = documents.create_document(session, envelope)
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert again.batch == "b1"
    assert again.status is DocumentStatus.RECEIVED
    assert again.channel is Channel.FILE
    assert (again.sender, again.subject, again.message_id) == ("kim@example.co.kr", "견적 요청", "<1@example.co.kr>")
    assert again.envelope == envelope


def test_get_document_by_sha_and_by_id(engine: Engine) -> None:
    envelope = make_envelope()
    with session_scope(engine) as session:
        document, _ = documents.create_document(session, envelope)
    with session_scope(engine) as session:
        by_sha = documents.get_document_by_sha(session, envelope.sha256)
        assert by_sha is not None and by_sha.id == document.id
        assert documents.get_document_by_sha(session, "0" * 64) is None
        assert documents.get_document(session, 424242) is None
        with pytest.raises(NotFoundError, match="document 424242"):
            documents.get_status(session, 424242)


def test_two_processes_recording_the_same_inputs_make_one_row_each(database_url: str) -> None:
    migrate(database_url)
    envelopes = [make_envelope(f"mail number {i}".encode()).model_dump_json() for i in range(30)]
    first, second = run_in_processes(record_envelopes, [(database_url, envelopes), (database_url, envelopes)])

    assert [doc_id for doc_id, _ in first] == [doc_id for doc_id, _ in second]
    created_flags = [a_created + b_created for (_, a_created), (_, b_created) in zip(first, second, strict=True)]
    assert created_flags == [1] * 30
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(DocumentRow)) == 30
    finally:
        engine.dispose()


def test_threads_recording_the_same_input_make_one_row(engine: Engine) -> None:
    envelope = make_envelope(b"one input, eight threads")
    start = threading.Barrier(8)

    def record() -> tuple[int, bool]:
        start.wait()
        with session_scope(engine) as session:
            document, created = documents.create_document(session, envelope)
            return document.id, created

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: record(), range(8)))
    assert len({doc_id for doc_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_set_status_records_and_clears_the_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        document_id = documents.create_document(session, make_envelope())[0].id
        documents.set_status(session, document_id, "failed", error="corrupt PDF: no trailer")
    with session_scope(engine) as session:
        assert documents.get_status(session, document_id) is DocumentStatus.FAILED
        assert documents.require_document(session, document_id).error == "corrupt PDF: no trailer"
        documents.set_status(session, document_id, DocumentStatus.QUOTED)
    with session_scope(engine) as session:
        stored = documents.require_document(session, document_id)
        assert (stored.status, stored.error) == (DocumentStatus.QUOTED, None)
        with pytest.raises(ValueError, match="not a valid DocumentStatus"):
            documents.set_status(session, document_id, "done")


def test_text_round_trip(engine: Engine) -> None:
    text = DocumentText(parts=[PartText(part="body.txt", role="body_text", content_type="text/plain",
                                        pages=[Page(number=1, method="plain")])])
    with session_scope(engine) as session:
        document_id = documents.create_document(session, make_envelope())[0].id
        assert documents.get_text(session, document_id) is None
        documents.save_text(session, document_id, text)
    with session_scope(engine) as session:
        assert documents.get_text(session, document_id) == text
        assert documents.get_envelope(session, document_id) == make_envelope()


def test_latest_extraction_wins_and_sets_kind_and_customer(engine: Engine) -> None:
    machine = make_extraction(customer_id="C001", quantity="12")
    edited = make_extraction(customer_id="C002", quantity="12.5", extractor="reviewer")
    with session_scope(engine) as session:
        document_id = documents.create_document(session, make_envelope())[0].id
        assert documents.latest_extraction(session, document_id) is None
        documents.save_extraction(session, document_id, machine, actor="process_document")
        documents.save_extraction(session, document_id, edited, actor="kim")
    with session_scope(engine) as session:
        assert documents.latest_extraction(session, document_id) == edited
        stored = documents.require_document(session, document_id)
        assert (stored.kind, stored.customer_id) == (Kind.RFQ, "C002")


def test_list_and_count_documents_by_status(engine: Engine) -> None:
    with session_scope(engine) as session:
        ids = [documents.create_document(session, make_envelope(f"doc {i}".encode()), batch="b")[0].id
               for i in range(3)]
        documents.set_status(session, ids[1], "review")
    with session_scope(engine) as session:
        assert [d.id for d in documents.list_documents(session, status="review")] == [ids[1]]
        assert [d.id for d in documents.list_documents(session, batch="b", limit=2)] == ids[:2]
        assert documents.count_by_status(session) == {DocumentStatus.RECEIVED: 2, DocumentStatus.REVIEW: 1}

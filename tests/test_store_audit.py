"""The audit log: hash chain, tamper detection, append-only triggers, masking, concurrent appends."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from fixtures_store import append_audit_events, make_envelope, run_in_processes
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from schemas.audit import GENESIS_HASH
from store import documents
from store.audit import ChainReport, append_event, list_events, verify_chain
from store.db import make_engine, migrate, session_scope
from store.models import AuditEventRow

pytest_plugins = ["fixtures_store"]


def _append(engine: Engine, count: int, document_id: int | None = None) -> None:
    for i in range(count):
        with session_scope(engine) as session:
            append_event(session, actor="process_document", action=f"step.{i}", document_id=document_id, data={"i": i})


def _tamper(engine: Engine, statement: str, **params: object) -> None:
    """Change a row behind the store's back, the way someone with database access could."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        conn.execute(text(statement), params)


def _verify(engine: Engine) -> ChainReport:
    with session_scope(engine) as session:
        return verify_chain(session)


def test_empty_log_verifies(engine: Engine) -> None:
    report = _verify(engine)
    assert (report.ok, report.events, report.first_broken_seq, report.last_hash) == (True, 0, None, GENESIS_HASH)


def test_events_are_chained_and_verify(engine: Engine) -> None:
    with session_scope(engine) as session:
        document_id = documents.create_document(session, make_envelope())[0].id
    _append(engine, 3, document_id)
    with session_scope(engine) as session:
        events = list_events(session)
        report = verify_chain(session)
        assert [e.seq for e in list_events(session, document_id=document_id, limit=2)] == [2, 3]
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(e.hash == e.compute_hash() for e in events)
    assert report.ok and report.events == 3 and report.first_broken_seq is None
    assert report.last_hash == events[-1].hash


def test_event_data_is_stored_as_the_json_that_was_hashed(engine: Engine) -> None:
    with session_scope(engine) as session:
        written = append_event(
            session, actor="system", action="quote.priced",
            data={"total": Decimal("269500"), "on": date(2026, 11, 23), "lines": ("P-A4", 10), "rate": 0.1},
        )
    assert written.data == {"total": "269500", "on": "2026-11-23", "lines": ["P-A4", 10], "rate": 0.1}
    with session_scope(engine) as session:
        (stored,) = list_events(session)
        assert stored == written
        assert verify_chain(session).ok


def test_personal_data_is_masked_in_event_data_and_actor(engine: Engine) -> None:
    with session_scope(engine) as session:
        append_event(
            session,
            actor="kim.minsu@hanbit.co.kr",
            action="review.approved",
            data={
                "sender": "kim.minsu@hanbit.co.kr",
                "contact": {"phone": "010-1234-5678", "fax": "02-555-1234"},
                "notes": ["사업자번호 220-81-62517 확인"],
            },
        )
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT actor, data_json FROM audit_events")).one()
    stored = f"{raw.actor} {raw.data_json}"
    for secret in ("kim.minsu@", "1234-5678", "555-1234", "81-62517"):
        assert secret not in stored
    assert raw.actor == "k***@hanbit.co.kr"
    with session_scope(engine) as session:
        (event,) = list_events(session)
    assert event.data == {
        "sender": "k***@hanbit.co.kr",
        "contact": {"phone": "010-****-****", "fax": "02-****-****"},
        "notes": ["사업자번호 220-**-***** 확인"],
    }


def test_hex_digests_in_event_data_survive_masking(engine: Engine) -> None:
    # Found by searching sha256 values: this one holds the digit run "0436039405".
    digest = "b976009a218156175b8e318bc50cb83158720e47e0436039405a05df09570d82"
    with session_scope(engine) as session:
        assert append_event(session, actor="system", action="envelope.recorded", data={"sha256": digest}).data == {
            "sha256": digest
        }


def test_update_and_delete_are_refused_by_the_database(engine: Engine) -> None:
    _append(engine, 2)
    for statement in ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with session_scope(engine) as session:
        assert verify_chain(session).ok
        assert [e.actor for e in list_events(session)] == ["process_document", "process_document"]


def test_edited_event_is_named(engine: Engine) -> None:
    _append(engine, 4)
    _tamper(engine, "UPDATE audit_events SET data_json = :data WHERE seq = 2", data='{"i": 99}')
    report = _verify(engine)
    assert (report.ok, report.events, report.first_broken_seq) == (False, 4, 2)
    assert "content does not match its hash" in report.message


def test_edited_event_with_recomputed_hash_breaks_the_next_link(engine: Engine) -> None:
    _append(engine, 4)
    with session_scope(engine) as session:
        forged = list_events(session)[1].model_copy(update={"data": {"i": 99}})
    _tamper(engine, "UPDATE audit_events SET data_json = :data, hash = :hash WHERE seq = 2",
            data='{"i": 99}', hash=forged.compute_hash())
    report = _verify(engine)
    assert (report.ok, report.first_broken_seq) == (False, 3)
    assert "prev_hash does not match" in report.message


def test_removed_event_is_named(engine: Engine) -> None:
    _append(engine, 4)
    _tamper(engine, "DELETE FROM audit_events WHERE seq = 2")
    report = _verify(engine)
    assert (report.ok, report.events, report.first_broken_seq) == (False, 3, 3)
    assert "expected seq 2" in report.message


def test_prev_hash_is_unique_so_the_chain_cannot_fork(engine: Engine) -> None:
    _append(engine, 1)
    with session_scope(engine) as session:
        (first,) = list_events(session)
    with pytest.raises(DBAPIError), session_scope(engine) as session:
        session.add(AuditEventRow(seq=2, at=first.at, actor="x", action="x", data={}, prev_hash=GENESIS_HASH,
                                  hash=hashlib.sha256(b"fork").hexdigest()))


def test_two_processes_appending_at_once_keep_one_chain(database_url: str) -> None:
    migrate(database_url)
    first, second = run_in_processes(append_audit_events, [(database_url, "a", 25), (database_url, "b", 25)])
    assert sorted(first + second) == list(range(1, 51))
    engine = make_engine(database_url)
    try:
        report = _verify(engine)
    finally:
        engine.dispose()
    assert (report.ok, report.events) == (True, 50)

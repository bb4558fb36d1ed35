"""Append to the hash-chained audit log and verify it. There is deliberately no way to change or remove an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.audit import GENESIS_HASH, AuditEvent
from schemas.masking import mask_data, mask_text
from store.db import AUDIT_LOCK_KEY
from store.models import AuditEventRow

_ANY = TypeAdapter(Any)
_VERIFY_BATCH = 1000


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verify_chain. `last_hash` is the newest event's hash: kept somewhere else
    (a printed report, a mail), it also proves later that no events were cut off the end."""

    ok: bool
    events: int
    first_broken_seq: int | None
    message: str
    last_hash: str = GENESIS_HASH


def _lock_chain_head(session: Session) -> None:
    """Make this transaction the only one appending until it ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: store.db begins every transaction with
    BEGIN IMMEDIATE, so this transaction already holds the database's single write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    document_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event after the current head; personal data in `actor` and `data` is masked first.

    `data` may hold anything pydantic can dump to JSON (dates, Decimals, models); it is stored as that JSON,
    so the hash recomputed from the stored row is the one written. Part of the caller's transaction, which
    holds the chain head until it ends: append as the last step of a transaction, not the first.
    """
    _lock_chain_head(session)
    head = session.execute(select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1))
    last = head.first()
    event = AuditEvent(
        seq=last.seq + 1 if last else 1,
        at=datetime.now(UTC),
        actor=mask_text(actor),
        action=action,
        document_id=document_id,
        data=mask_data(_ANY.dump_python(data or {}, mode="json")),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    session.add(
        AuditEventRow(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            action=event.action,
            document_id=event.document_id,
            data=event.data,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )
    )
    session.flush()
    return event


def list_events(session: Session, *, document_id: int | None = None, limit: int | None = None) -> list[AuditEvent]:
    """Events in order (all, or one document's); with `limit`, the newest `limit` of them, still oldest first."""
    query = select(AuditEventRow)
    if document_id is not None:
        query = query.where(AuditEventRow.document_id == document_id)
    if limit is not None:
        newest = session.scalars(query.order_by(AuditEventRow.seq.desc()).limit(limit)).all()
        return [row.to_schema() for row in reversed(newest)]
    return [row.to_schema() for row in session.scalars(query.order_by(AuditEventRow.seq))]


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash and link in order; name the first event that does not fit.

    Catches edited, removed and inserted events anywhere but at the very end: cutting off the newest
    events leaves a valid shorter chain, which only a `last_hash` kept elsewhere can reveal.
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    broken: tuple[int, str] | None = None
    rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=_VERIFY_BATCH))
    for row in rows:
        count += 1
        if broken is None:
            problem = _problem(row, expected_seq, prev_hash)
            if problem is not None:
                broken = (row.seq, problem)
        expected_seq, prev_hash = row.seq + 1, row.hash
    if broken is not None:
        return ChainReport(ok=False, events=count, first_broken_seq=broken[0], message=broken[1], last_hash=prev_hash)
    message = f"{count} event(s), chain intact" if count else "no events yet"
    return ChainReport(ok=True, events=count, first_broken_seq=None, message=message, last_hash=prev_hash)


def _problem(row: AuditEventRow, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return f"event {row.seq}: expected seq {expected_seq} (events missing before it)"
    if row.prev_hash != prev_hash:
        return f"event {row.seq}: prev_hash does not match the hash of event {row.seq - 1}"
    recomputed = row.to_schema().compute_hash()
    if recomputed != row.hash:
        return f"event {row.seq}: content does not match its hash (edited after it was written)"
    return None

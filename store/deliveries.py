"""Deliveries of quotes (outbox folder, SMTP): one row per quote and channel, so nothing is sent twice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import NotFoundError
from store.models import DeliveryChannel, DeliveryRow, DeliveryStatus, utcnow
from store.upsert import insert_for


def get_or_create_delivery(
    session: Session, quote_id: int, channel: DeliveryChannel | str
) -> tuple[DeliveryRow, bool]:
    """The delivery of `quote_id` by `channel`, and whether this call created it (race-safe)."""
    channel = DeliveryChannel(channel)
    insert = insert_for(session, DeliveryRow).values(
        quote_id=quote_id, channel=channel, status=DeliveryStatus.PENDING, attempts=0
    )
    conflict_free = insert.on_conflict_do_nothing(index_elements=["quote_id", "channel"])
    new_id = session.execute(conflict_free.returning(DeliveryRow.id)).scalar()
    if new_id is not None:
        return session.get_one(DeliveryRow, new_id), True
    existing = session.scalars(
        select(DeliveryRow).where(DeliveryRow.quote_id == quote_id, DeliveryRow.channel == channel)
    ).one()
    return existing, False


def _require_delivery(session: Session, delivery_id: int) -> DeliveryRow:
    row = session.get(DeliveryRow, delivery_id)
    if row is None:
        raise NotFoundError(f"delivery {delivery_id} does not exist")
    return row


def mark_delivery_sent(session: Session, delivery_id: int, *, smtp_message_id: str | None = None) -> DeliveryRow:
    row = _require_delivery(session, delivery_id)
    row.status, row.attempts, row.sent_at = DeliveryStatus.SENT, row.attempts + 1, utcnow()
    row.smtp_message_id, row.last_error = smtp_message_id, None
    session.flush()
    return row


def mark_delivery_failed(session: Session, delivery_id: int, error: str) -> DeliveryRow:
    """Count a failed attempt; the delivery stays retryable (see pending_deliveries)."""
    row = _require_delivery(session, delivery_id)
    row.status, row.attempts, row.last_error = DeliveryStatus.FAILED, row.attempts + 1, error
    session.flush()
    return row


def pending_deliveries(
    session: Session, *, channel: DeliveryChannel | str | None = None, max_attempts: int | None = None
) -> Sequence[DeliveryRow]:
    """Deliveries not sent yet (new or failed), oldest first; with `max_attempts`, only those tried fewer times."""
    query = select(DeliveryRow).where(DeliveryRow.status != DeliveryStatus.SENT)
    if channel is not None:
        query = query.where(DeliveryRow.channel == DeliveryChannel(channel))
    if max_attempts is not None:
        query = query.where(DeliveryRow.attempts < max_attempts)
    return session.scalars(query.order_by(DeliveryRow.id)).all()

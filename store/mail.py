"""Mail taken from IMAP, remembered by mailbox + UIDVALIDITY + UID (and sha256), so none is taken twice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import NotFoundError
from store.models import DocumentRow, MailMessageRow, MailState
from store.upsert import insert_for


def record_mail_message(
    session: Session,
    *,
    mailbox: str,
    uidvalidity: int,
    uid: int,
    sha256: str | None,
    message_id: str | None = None,
    document_id: int | None = None,
    state: MailState | str = MailState.RECORDED,
    reason: str | None = None,
) -> tuple[MailMessageRow, bool]:
    """The row for this message and whether this call created it (False: seen before, left unchanged)."""
    insert = insert_for(session, MailMessageRow).values(
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        sha256=sha256,
        message_id=message_id,
        document_id=document_id,
        state=MailState(state),
        reason=reason,
    )
    conflict_free = insert.on_conflict_do_nothing(index_elements=["mailbox", "uidvalidity", "uid"])
    new_id = session.execute(conflict_free.returning(MailMessageRow.id)).scalar()
    if new_id is not None:
        return session.get_one(MailMessageRow, new_id), True
    existing = get_mail_message(session, mailbox, uidvalidity, uid)
    if existing is None:
        raise NotFoundError(f"mail {mailbox}/{uidvalidity}/{uid} conflicted on insert but cannot be read")
    return existing, False


def get_mail_message(session: Session, mailbox: str, uidvalidity: int, uid: int) -> MailMessageRow | None:
    query = select(MailMessageRow).where(
        MailMessageRow.mailbox == mailbox, MailMessageRow.uidvalidity == uidvalidity, MailMessageRow.uid == uid
    )
    return session.scalars(query).one_or_none()


def find_mail_by_sha(session: Session, sha256: str) -> Sequence[MailMessageRow]:
    """Every sighting of the same raw message (a resend, or the same mail in another folder)."""
    query = select(MailMessageRow).where(MailMessageRow.sha256 == sha256)
    return session.scalars(query.order_by(MailMessageRow.id)).all()


def documents_with_message_id(session: Session, message_id: str) -> Sequence[DocumentRow]:
    """Documents recorded from mail with this Message-ID: how a mail is known again under a new UIDVALIDITY."""
    query = select(DocumentRow).where(DocumentRow.message_id == message_id)
    return session.scalars(query.order_by(DocumentRow.id)).all()


def unmoved_mail_messages(session: Session, mailbox: str) -> Sequence[MailMessageRow]:
    """Recorded but not yet moved out of `mailbox`: what a poll interrupted after recording must finish."""
    query = select(MailMessageRow).where(
        MailMessageRow.mailbox == mailbox, MailMessageRow.state == MailState.RECORDED
    )
    return session.scalars(query.order_by(MailMessageRow.id)).all()


def mark_mail_moved(session: Session, mail_id: int) -> MailMessageRow:
    row = session.get(MailMessageRow, mail_id)
    if row is None:
        raise NotFoundError(f"mail message {mail_id} does not exist")
    row.state = MailState.MOVED
    session.flush()
    return row

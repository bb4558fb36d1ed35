"""Take new mail from the intake folder exactly once: look, record, then move (or flag).

The order is what makes it safe (paperless-ngx's mail consumer, without its re-download bug):
1. A message is known by (mailbox, UIDVALIDITY, UID). A new one is first looked at by its headers only,
   so a too-large mail is recorded as skipped and never downloaded, and a mail already processed under
   an earlier UIDVALIDITY is recognised by its Message-ID without downloading it again.
2. The download is recorded (document and mail row in one transaction) before the mail is touched.
   A crash after that leaves a `recorded` row: the next poll moves the mail and processes nothing twice.
3. Then the mail is moved to the done folder (or flagged) and its row becomes `moved`.
Mail without attachments is a document like any other (its body is the request), so it leaves the
folder too and is never downloaded again.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from flows.imap import ImapMailbox, MailHeader, RawMail, mailbox_key, open_mailbox
from flows.polling import run_logger
from flows.recording import envelope_event_data, keep_input
from flows.runtime import Runtime
from schemas.envelope import Channel
from schemas.masking import mask_text
from store import documents, mail
from store.audit import append_event
from store.db import session_scope


class MailPollReport(BaseModel):
    mailbox: str
    uidvalidity: int | None = None
    recorded: list[int] = Field(default_factory=list, description="documents created from new mail")
    duplicates: list[int] = Field(default_factory=list, description="UIDs recognised as mail already taken")
    skipped: list[str] = Field(default_factory=list, description="UIDs left in the folder, with the reason")
    reconciled: int = Field(default=0, description="mail recorded by an interrupted poll, moved now")
    processed: list[int] = Field(default_factory=list, description="documents run through the pipeline")
    busy: bool = Field(default=False, description="another poll was running, so this one did nothing")
    error: str | None = None


def collect_new_mail(rt: Runtime) -> MailPollReport:
    """One pass over the intake folder. Raises MailboxUnavailable / MailboxRefused; what was recorded stays."""
    settings = rt.settings
    report = MailPollReport(mailbox=mailbox_key(settings))
    with open_mailbox(settings) as box:
        report.uidvalidity = box.uidvalidity
        box.prepare_done_folder()
        report.reconciled = _finish_interrupted(rt, box, report.mailbox)
        new_uids = _unknown_uids(rt, box, report.mailbox)
        for header in box.headers(new_uids):
            _take(rt, box, report, header)
    return report


def _finish_interrupted(rt: Runtime, box: ImapMailbox, mailbox: str) -> int:
    """Move mail an earlier poll recorded but could not move. Rows of an older UIDVALIDITY cannot be
    addressed any more; their mail, if still there, comes back as new UIDs and is recognised below."""
    with session_scope(rt.engine) as session:
        rows = [row for row in mail.unmoved_mail_messages(session, mailbox) if row.uidvalidity == box.uidvalidity]
    if not rows:
        return 0
    box.mark_handled(row.uid for row in rows)
    with session_scope(rt.engine) as session:
        for row in rows:
            mail.mark_mail_moved(session, row.id)
    run_logger().info("moved %d mail(s) an interrupted poll had recorded", len(rows))
    return len(rows)


def _unknown_uids(rt: Runtime, box: ImapMailbox, mailbox: str) -> list[int]:
    candidates = box.candidate_uids()
    with session_scope(rt.engine) as session:
        return [
            uid for uid in candidates if mail.get_mail_message(session, mailbox, box.uidvalidity, uid) is None
        ]


def _take(rt: Runtime, box: ImapMailbox, report: MailPollReport, header: MailHeader) -> None:
    limit = rt.settings.imap_max_message_bytes
    if header.size > limit:
        reason = f"too large: {header.size:,} bytes (limit {limit:,}); left in the folder for a person"
        _record_without_download(rt, report, box.uidvalidity, header, reason=reason)
        return
    known = _already_taken(rt, header)
    if known is not None:
        reason = f"same Message-ID and sender as document {known}"
        if _record_without_download(rt, report, box.uidvalidity, header, reason=reason, document_id=known):
            _mark_handled(rt, box, report.mailbox, header.uid)
        return
    raw = box.fetch_raw(header.uid)
    if raw is None:
        return  # expunged meanwhile (a person, or another poller that took it)
    taken = _record_download(rt, report, box.uidvalidity, raw)
    if taken:
        _mark_handled(rt, box, report.mailbox, header.uid)


def _already_taken(rt: Runtime, header: MailHeader) -> int | None:
    """The document this mail already became, known by Message-ID from the same sender.

    The sender must match too: some mailers generate weak Message-IDs, and a new request must never
    be dropped because a stranger's mail happened to reuse one.
    """
    if header.message_id is None:
        return None
    with session_scope(rt.engine) as session:
        for document in mail.documents_with_message_id(session, header.message_id):
            if (document.sender or "").lower() == (header.sender or ""):
                return document.id
    return None


def _record_without_download(
    rt: Runtime,
    report: MailPollReport,
    uidvalidity: int,
    header: MailHeader,
    *,
    reason: str,
    document_id: int | None = None,
) -> bool:
    """Remember a mail we will not download: too large (skipped), or a known one under a new UID."""
    skipped = document_id is None
    with session_scope(rt.engine) as session:
        _row, created = mail.record_mail_message(
            session,
            mailbox=report.mailbox,
            uidvalidity=uidvalidity,
            uid=header.uid,
            sha256=None,
            message_id=header.message_id,
            document_id=document_id,
            state="skipped" if skipped else "recorded",
            reason=reason,
        )
        if created:
            append_event(
                session,
                actor="poll_mailbox",
                action="mail.skipped" if skipped else "mail.duplicate",
                document_id=document_id,
                data={"mailbox": report.mailbox, "uidvalidity": uidvalidity, "uid": header.uid,
                      "message_id": header.message_id, "size": header.size, "reason": reason},
            )
    if not created:
        return False  # another poller got there first
    if skipped:
        report.skipped.append(f"{header.uid}: {reason}")
        run_logger().warning("mail %s in %s skipped: %s", header.uid, mask_text(report.mailbox), reason)
    else:
        report.duplicates.append(header.uid)
        run_logger().info("mail %s is document %s again (%s); not processed twice", header.uid, document_id, reason)
    return True


class _TakenByAnotherPoller(Exception):
    """Rolls back the document insert when a concurrent poller recorded this UID first."""


def _record_download(rt: Runtime, report: MailPollReport, uidvalidity: int, raw: RawMail) -> bool:
    """Keep the bytes and record document + mail row together; False if another poller recorded it first."""
    envelope = keep_input(rt.blobs, raw.data, "", Channel.IMAP, raw.received_at)
    details = {"mailbox": report.mailbox, "uidvalidity": uidvalidity, "uid": raw.uid, "message_id": envelope.message_id}
    try:
        with session_scope(rt.engine) as session:
            document, created = documents.create_document(session, envelope)
            _row, new_row = mail.record_mail_message(
                session,
                mailbox=report.mailbox,
                uidvalidity=uidvalidity,
                uid=raw.uid,
                sha256=envelope.sha256,
                message_id=envelope.message_id,
                document_id=document.id,
                reason=None if created else f"same bytes as document {document.id}",
            )
            if not new_row:
                raise _TakenByAnotherPoller
            # Unlike the other channels, the same bytes under a new UID get an event too: one per mail row.
            append_event(
                session,
                actor="poll_mailbox",
                action="envelope.recorded" if created else "mail.duplicate",
                document_id=document.id,
                data=envelope_event_data(envelope, details),
            )
    except _TakenByAnotherPoller:
        return False
    if created:
        report.recorded.append(document.id)
        run_logger().info("mail %s recorded as document %s (%d part(s))", raw.uid, document.id, len(envelope.parts))
    else:
        report.duplicates.append(raw.uid)
        run_logger().info("mail %s has the same bytes as document %s; not processed twice", raw.uid, document.id)
    return True


def _mark_handled(rt: Runtime, box: ImapMailbox, mailbox: str, uid: int) -> None:
    box.mark_handled([uid])
    with session_scope(rt.engine) as session:
        row = mail.get_mail_message(session, mailbox, box.uidvalidity, uid)
        if row is not None:
            mail.mark_mail_moved(session, row.id)

"""Recording an input, whichever channel brought it: bytes kept by sha256, one document row, one audit event.

The bytes go to the blob store before any row refers to them, so a crash in between leaves an unreferenced
blob, never a document whose bytes are missing. IMAP writes its mail row in the same transaction and its event
after that (the audit chain head is held from the append to the commit), so it uses the parts, not
record_envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from extractors.envelope import envelope_from_bytes
from schemas.envelope import Channel, Envelope
from store import documents
from store.audit import append_event
from store.blobs import BlobStore
from store.models import DocumentRow


def keep_input(
    blobs: BlobStore, data: bytes, name: str, channel: Channel, received_at: datetime | None = None
) -> Envelope:
    """Parse the input and keep its raw bytes and every part's bytes."""
    envelope = envelope_from_bytes(data, name, channel, received_at)
    blobs.put(data)
    for part in envelope.parts:
        if part.data is not None:
            blobs.put(part.data)
    return envelope


def envelope_event_data(envelope: Envelope, details: Mapping[str, object] | None = None) -> dict[str, object]:
    """The audit record of an input; `details` is what its channel adds (mailbox and UID, form address)."""
    return {
        "sha256": envelope.sha256,
        "channel": envelope.channel.value,
        "size": envelope.size,
        **(details or {}),
        "parts": [{"name": p.name, "type": p.content_type, "sha256": p.sha256} for p in envelope.parts],
        "errors": envelope.errors,
    }


def record_envelope(
    session: Session, envelope: Envelope, *, actor: str, details: Mapping[str, object] | None = None
) -> tuple[DocumentRow, bool]:
    """The input's document row and whether this call created it; only a new one gets `envelope.recorded`."""
    document, created = documents.create_document(session, envelope)
    if created:
        append_event(
            session,
            actor=actor,
            action="envelope.recorded",
            document_id=document.id,
            data=envelope_event_data(envelope, details),
        )
    return document, created

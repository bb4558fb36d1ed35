"""SQLAlchemy models of every table; importing this package registers them all on `Base.metadata`."""

from store.models.audit import AuditEventRow
from store.models.base import Base, UTCDateTime, utcnow
from store.models.documents import DocumentRow, DocumentStatus, ExtractionRow, ReviewTaskRow
from store.models.learning import AliasKind, LearntAliasRow, LlmCacheRow
from store.models.mail import MailMessageRow, MailState
from store.models.quotes import DeliveryChannel, DeliveryRow, DeliveryStatus, QuoteRow, QuoteSequenceRow
from store.models.users import UserRole, UserRow

__all__ = [
    "AliasKind",
    "AuditEventRow",
    "Base",
    "DeliveryChannel",
    "DeliveryRow",
    "DeliveryStatus",
    "DocumentRow",
    "DocumentStatus",
    "ExtractionRow",
    "LearntAliasRow",
    "LlmCacheRow",
    "MailMessageRow",
    "MailState",
    "QuoteRow",
    "QuoteSequenceRow",
    "ReviewTaskRow",
    "UTCDateTime",
    "UserRole",
    "UserRow",
    "utcnow",
]

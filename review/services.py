"""What the review app needs from the rest of intake, handed in by whoever starts it (flows/cli_review.py).

review/ sits below pricing and flows in the import order, so re-pricing and resuming the pipeline come in
as plain callables: the app stays testable and the flow code stays in flows/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from schemas.company import CompanyConfig
from schemas.extraction import Extraction
from schemas.quote import PricedQuote
from schemas.settings import Settings
from store.blobs import BlobStore


@dataclass
class ReviewServices:
    settings: Settings
    company: CompanyConfig
    engine: Engine
    blobs: BlobStore
    reprice: Callable[[Extraction], PricedQuote]
    """Deterministic prices for an extraction with a customer (pricing.engine.price_quote, priced today)."""
    resume: Callable[[int, str], None]
    """Start resume_after_review(document_id, reviewer) in the background; returns at once."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

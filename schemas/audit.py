"""One entry of the append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEvent(BaseModel):
    seq: int | None = None
    at: datetime
    actor: str = Field(description='"system", a flow name, or a reviewer\'s user name')
    action: str = Field(description='e.g. "envelope.stored", "extract.done", "review.approved"')
    document_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="masked: no personal data")
    prev_hash: str
    hash: str = ""

    def compute_hash(self) -> str:
        """sha256 over the canonical JSON of everything but the hash itself."""
        body = self.model_dump(mode="json", exclude={"hash", "seq"})
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


GENESIS_HASH = "0" * 64

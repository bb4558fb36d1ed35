"""A document's audit events as short lines a reviewer can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.audit import AuditEvent

ACTION_LABELS = {
    "envelope.recorded": "접수 Received",
    "text.read": "텍스트 읽음 Text read",
    "extract.done": "추출 Extracted",
    "decision.made": "판정 Decided",
    "review.queued": "검토 대기 Queued for review",
    "review.field_corrected": "수정 Corrected",
    "alias.learnt": "별칭 학습 Alias learnt",
    "review.approval_refused": "승인 거부됨 Approval refused",
    "review.approved": "승인 Approved",
    "review.rejected": "반려 Rejected",
    "review.resume_refused": "재개 보류 Resume held",
    "quote.issued": "견적 발행 Quote issued",
    "document.failed": "실패 Failed",
    "document.not_request": "요청 아님 Not a request",
    "document.recorded": "기록됨 Recorded",
}


@dataclass
class HistoryLine:
    at: datetime
    actor: str
    label: str
    detail: str


def _detail(event: AuditEvent) -> str:
    data = event.data
    if event.action == "review.field_corrected":
        return f"{data.get('field')}: {data.get('old') or '∅'} → {data.get('new') or '∅'}"
    if event.action == "alias.learnt":
        return f"“{data.get('alias')}” → {data.get('target')}"
    if event.action in {"review.approved", "review.rejected"}:
        return str(data.get("reason") or "")
    if event.action in {"review.queued", "decision.made"}:
        return "; ".join(data.get("reasons") or [])
    if event.action == "quote.issued":
        return f"{data.get('quote_number')} · {data.get('total'):,} {data.get('currency')}" if data.get("total") else ""
    if event.action == "review.approval_refused":
        return f"{data.get('role')} < {data.get('required_role')}"
    return str(data.get("error") or "")


def history_lines(events: list[AuditEvent]) -> list[HistoryLine]:
    return [
        HistoryLine(at=e.at, actor=e.actor, label=ACTION_LABELS.get(e.action, e.action), detail=_detail(e))
        for e in events
    ]

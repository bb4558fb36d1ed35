"""Jinja2 templates, their filters, and the page chrome every template shares (user, CSRF token, counts)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from review.roles import role_label
from review.services import ReviewServices
from store import aliases, review
from store.db import session_scope

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)


def money(amount: int | Decimal | None, currency: str = "KRW") -> str:
    if amount is None:
        return "—"
    text = f"{amount:,}"
    return f"{text}원" if currency == "KRW" else f"{text} {currency}"


def quantity(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"
    return f"{value:,}"


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long something has waited, the way a person says it: 12분, 3시간, 2일."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)}분"
    if seconds < 48 * 3600:
        return f"{seconds // 3600}시간"
    return f"{seconds // 86400}일"


STATUS_LABELS = {
    "received": "접수 Received",
    "extracted": "추출됨 Extracted",
    "review": "검토 중 In review",
    "quoted": "견적 발행 Quoted",
    "recorded": "기록됨 Recorded",
    "not_request": "요청 아님 Not a request",
    "failed": "실패 Failed",
    "rejected": "반려 Rejected",
}


KIND_LABELS = {"rfq": "견적 요청 RFQ", "po": "발주 PO", "invoice": "청구서 Invoice", "other": "기타 Other"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def is_stale(moment: datetime | None, hours: int = 24) -> bool:
    return moment is not None and (datetime.now(UTC) - moment).total_seconds() > hours * 3600


templates.env.filters.update(
    money=money,
    quantity=quantity,
    age=age,
    role_label=role_label,
    is_stale=is_stale,
    status_label=status_label,
    kind_label=kind_label,
)


FLASH_DECISIONS = {
    "approved": "승인했습니다 / approved",
    "rejected": "반려했습니다 / rejected",
    "saved": "저장했습니다 / saved",
}


def flash_message(document_id: int | None, decision: str | None) -> str | None:
    """The one-line confirmation after a decision (carried in the redirect's query, so only known words)."""
    if document_id is None or decision not in FLASH_DECISIONS:
        return None
    return f"문서 #{document_id}: {FLASH_DECISIONS[decision]}"


def services_of(request: Request) -> ReviewServices:
    return request.app.state.services


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the shared chrome: who is logged in, the CSRF token, the queue size and aliases learnt."""
    services = services_of(request)
    user = getattr(request.state, "user", None)
    session = getattr(request.state, "session", None)
    chrome: dict[str, Any] = {"user": user, "csrf_token": session.csrf if session else ""}
    if user is not None:
        with session_scope(services.engine) as db:
            chrome["queue_size"] = len(review.open_review_tasks(db))
            chrome["aliases_learnt"] = aliases.count_learnt_aliases(db)
    chrome["local"] = services.local
    chrome["company_name"] = services.company.seller.name
    return templates.TemplateResponse(request, name, {**chrome, **context}, status_code=status_code)

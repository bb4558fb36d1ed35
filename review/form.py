"""The public request form: a customer or a salesperson sends company, contact, items and an optional file.

No login. It is protected like the login page (a CSRF token in an anonymous session cookie) and limited
per client address. A valid submission goes to the `FormIntake` the app was given (flows/web_form.py
records it as a document with channel "form"); the pipeline picks it up from there, so a slow model
never holds up the person at the form.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from review.auth import read_session, require_csrf, set_session_cookie
from review.rendering import render, services_of
from review.security import SessionData, new_csrf_token
from review.services import ReviewServices

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FORM_OVERHEAD_BYTES = 64 * 1024  # the text fields and the multipart framing around the file
MAX_ITEMS_CHARS = 10_000
MAX_LINE_CHARS = 200
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]{2,}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class FormSubmission:
    company: str
    contact: str
    email: str
    phone: str
    items: str
    attachment_name: str | None
    attachment: bytes | None
    address: str
    submitted_at: datetime


FormIntake = Callable[[ReviewServices, FormSubmission], int]
"""Record a submission and return its document id (runs in a worker thread)."""


@dataclass
class SubmissionLimiter:
    """At most `limit` submissions per client address in a sliding window; kept in memory like the login limit."""

    limit: int = 5
    window_seconds: float = 600.0
    clock: Callable[[], float] = time.monotonic
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, address: str) -> bool:
        """Count this submission if it is allowed; refuse it (and count nothing) if the address is over the limit."""
        with self._lock:
            now = self.clock()
            times = self._recent.setdefault(address, deque())
            while times and times[0] <= now - self.window_seconds:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True


def _one_line(value: str) -> str:
    """Single-line fields end up in mail headers: no line breaks (header injection), no control characters."""
    return _CONTROL.sub(" ", value).strip()[:MAX_LINE_CHARS]


def _problems(company: str, contact: str, email: str, items: str, has_file: bool) -> list[str]:
    problems = []
    if not company:
        problems.append("회사명을 입력하세요. / Enter the company name.")
    if not contact:
        problems.append("담당자 이름을 입력하세요. / Enter a contact name.")
    if not _EMAIL.match(email):
        problems.append("회신받을 이메일 주소가 올바르지 않습니다. / Enter a valid e-mail address for the reply.")
    if not items.strip() and not has_file:
        problems.append("품목과 수량을 적거나 파일을 첨부하세요. / List the items and quantities, or attach a file.")
    if len(items) > MAX_ITEMS_CHARS:
        problems.append(f"품목 목록이 너무 깁니다 (최대 {MAX_ITEMS_CHARS:,}자). / The item list is too long.")
    return problems


def refuse_oversized_body(request: Request) -> None:
    """Refuse before the body is parsed: parsing spools all of it to disk first, however large it is."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ATTACHMENT_BYTES + MAX_FORM_OVERHEAD_BYTES:
        raise HTTPException(413, f"요청이 너무 큽니다 / request larger than {MAX_ATTACHMENT_BYTES // 2**20} MB")


router = APIRouter()


@router.get("/request", response_class=HTMLResponse)
def request_form(request: Request) -> Response:
    session = read_session(request) or SessionData(csrf=new_csrf_token())
    request.state.session = session
    response = render(request, "request_form.html", {"values": {}, "problems": [], "received": None})
    set_session_cookie(request, response, session)
    return response


@router.post(
    "/request", response_class=HTMLResponse, dependencies=[Depends(refuse_oversized_body), Depends(require_csrf)]
)
async def submit_request(
    request: Request,
    company: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    request.state.session = read_session(request)
    values = {"company": _one_line(company), "contact": _one_line(contact), "email": _one_line(email),
              "phone": _one_line(phone), "items": items.replace("\x00", "")}

    def page(status_code: int, problems: list[str], received: int | None = None) -> Response:
        shown = {} if received is not None else values
        context = {"values": shown, "problems": problems, "received": received}
        return render(request, "request_form.html", context, status_code)

    data = await attachment.read(MAX_ATTACHMENT_BYTES + 1) if attachment is not None and attachment.filename else None
    if data is not None and len(data) > MAX_ATTACHMENT_BYTES:
        limit_mb = MAX_ATTACHMENT_BYTES // 2**20
        return page(413, [f"첨부 파일이 너무 큽니다 (최대 {limit_mb} MB). / The file is larger than {limit_mb} MB."])
    problems = _problems(values["company"], values["contact"], values["email"], values["items"], bool(data))
    if problems:
        return page(400, problems)
    address = request.client.host if request.client else "unknown"
    if not request.app.state.form_limiter.allow(address):
        return page(429, ["요청이 너무 많습니다. 잠시 후 다시 시도하세요. / Too many requests; try again later."])
    submission = FormSubmission(
        company=values["company"], contact=values["contact"], email=values["email"], phone=values["phone"],
        items=values["items"], attachment_name=_one_line(attachment.filename or "") if data else None,
        attachment=data, address=address, submitted_at=datetime.now(UTC),
    )
    intake: FormIntake = request.app.state.form_intake
    document_id = await run_in_threadpool(intake, services_of(request), submission)
    return page(200, [], received=document_id)


def mount_request_form(app: FastAPI, intake: FormIntake, limiter: SubmissionLimiter | None = None) -> None:
    """Add /request to a review app; `intake` records each valid submission."""
    app.state.form_intake = intake
    app.state.form_limiter = limiter or SubmissionLimiter()
    app.include_router(router)

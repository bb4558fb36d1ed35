"""The public request form: recorded as a "form" document, rate-limited, CSRF-protected, answered by SMTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fixtures_mail import SmtpServerUnderTest

from flows.cli_review import create_review_app
from flows.runtime import open_runtime
from flows.web_form import process_form_submissions, record_form_submission
from review.form import SubmissionLimiter, mount_request_form
from schemas.settings import Settings
from store import documents
from store.db import make_engine, session_scope
from store.models import DocumentRow, DocumentStatus

pytest_plugins = ["fixtures_mail"]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUEST = {
    "company": "대한정밀(주)",
    "contact": "박지훈",
    "email": "park@daehan.example",
    "phone": "02-555-0101",
    "items": "육각볼트 M8x30 200개\n평와셔 M8 200개",
}


def _settings(home: Path, **overrides: object) -> Settings:
    return Settings().model_copy(update={"home": home, **overrides})


@pytest.fixture
def client(intake_home: Path) -> Iterator[TestClient]:
    app = create_review_app(_settings(intake_home))
    mount_request_form(app, record_form_submission, SubmissionLimiter(limit=3, window_seconds=600))
    with TestClient(app) as test_client:
        yield test_client


def _csrf(client: TestClient) -> str:
    page = client.get("/request")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def _documents(home: Path) -> list[DocumentRow]:
    engine = make_engine(_settings(home).resolved_database_url)
    try:
        with session_scope(engine) as session:
            return list(documents.list_documents(session))
    finally:
        engine.dispose()


def test_a_submission_is_recorded_as_a_form_document_with_its_attachment(client: TestClient, intake_home: Path) -> None:
    token = _csrf(client)
    response = client.post("/request", data={**REQUEST, "csrf_token": token},
                           files={"attachment": ("발주서.pdf", PDF, "application/pdf")})
    docs = _documents(intake_home)

    assert response.status_code == 200 and "접수되었습니다" in response.text
    assert len(docs) == 1 and f"#{docs[0].id}" in response.text
    document = docs[0]
    assert document.channel.value == "form" and document.sender == "park@daehan.example"
    assert document.subject == "웹 견적 요청: 대한정밀(주)" and document.status is DocumentStatus.RECEIVED
    parts = {p.name: p.content_type for p in document.envelope.parts}
    assert parts.get("발주서.pdf") == "application/pdf"  # the bytes decide the type, not the browser


def test_missing_fields_and_header_injection_are_refused_without_recording(
    client: TestClient, intake_home: Path
) -> None:
    token = _csrf(client)
    missing = client.post("/request", data={**REQUEST, "email": "not-an-address", "items": "", "csrf_token": token})
    injected = client.post(
        "/request", data={**REQUEST, "company": "ACME\r\nBcc: victim@example.com", "csrf_token": token}
    )
    docs = _documents(intake_home)

    assert missing.status_code == 400 and "이메일" in missing.text and "품목" in missing.text
    assert injected.status_code == 200 and len(docs) == 1
    assert docs[0].subject == "웹 견적 요청: ACME Bcc: victim@example.com"  # one line: no header was added


def test_without_the_csrf_token_nothing_is_recorded(client: TestClient, intake_home: Path) -> None:
    _csrf(client)
    response = client.post("/request", data=REQUEST)
    assert response.status_code == 403 and _documents(intake_home) == []


def test_submissions_are_rate_limited_per_address(client: TestClient, intake_home: Path) -> None:
    token = _csrf(client)
    statuses = [
        client.post("/request", data={**REQUEST, "items": f"볼트 {n}개", "csrf_token": token}).status_code
        for n in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(_documents(intake_home)) == 3


def test_an_oversized_attachment_is_refused(
    client: TestClient, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("review.form.MAX_ATTACHMENT_BYTES", 1000)
    token = _csrf(client)
    response = client.post("/request", data={**REQUEST, "csrf_token": token},
                           files={"attachment": ("scan.pdf", PDF + b"x" * 2000, "application/pdf")})
    assert response.status_code == 413 and _documents(intake_home) == []


def test_a_body_declared_too_large_is_refused_before_it_is_read(
    client: TestClient, intake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("review.form.MAX_ATTACHMENT_BYTES", 1000)
    monkeypatch.setattr("review.form.MAX_FORM_OVERHEAD_BYTES", 1000)
    token = _csrf(client)
    response = client.post("/request", data={**REQUEST, "csrf_token": token},
                           files={"attachment": ("scan.pdf", PDF + b"x" * 5000, "application/pdf")})
    assert response.status_code == 413 and "request larger than" in response.text  # refused before parsing
    assert _documents(intake_home) == []


# A known customer (samples/company) asking for catalog items: the pipeline quotes it without a person.
KNOWN_CUSTOMER_REQUEST = {
    "company": "삼우테크(주)",
    "contact": "이지현",
    "email": "order@samwootech.kr",
    "phone": "031-8041-2257",
    "items": "1. 베어링 6205ZZ - 40개\n2. 베어링 6204ZZ - 60개\n3. 육각볼트 M10x30 - 500개",
}


@pytest.mark.mail
@pytest.mark.usefixtures("prefect_harness")
def test_a_form_request_is_processed_once_and_its_quote_goes_to_the_contact(
    client: TestClient, intake_home: Path, smtp_server: SmtpServerUnderTest
) -> None:
    token = _csrf(client)
    client.post("/request", data={**KNOWN_CUSTOMER_REQUEST, "csrf_token": token})
    with open_runtime(_settings(intake_home, **smtp_server.settings())):
        first = process_form_submissions()
        second = process_form_submissions()
    docs = _documents(intake_home)

    assert len(first.processed) == 1 and second.processed == []
    assert docs[0].status is DocumentStatus.QUOTED and docs[0].customer_id == "C003"
    assert smtp_server.collector.recipients == [["order@samwootech.kr"]]
    reply = smtp_server.collector.messages[0]
    assert reply["In-Reply-To"] is None  # nothing to thread under: the request came from the web
    assert [a.get_content_type() for a in reply.iter_attachments()] == ["application/pdf"]

"""The sample inbox through the pipeline, then through the review app: every document (hostile ones included)
renders, and a person clears the whole review queue in the browser with every decision in the audit log."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fixtures_review import (
    PASSWORD,
    SAMPLES,
    LiveServer,
    QueuedSetup,
    chromium,
    log_in,
    review_settings,
    run_pipeline,
    screenshot,
    serve,
)
from playwright.sync_api import Page, expect

from flows.cli_review import create_review_app
from schemas.review import ReviewStatus
from store import audit, documents, quotes, review
from store.db import make_engine, session_scope

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SETTLE_SECONDS = 180


@pytest.fixture(scope="module")
def inbox(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> QueuedSetup:
    settings = review_settings(tmp_path_factory.mktemp("review-inbox"))
    paths = sorted((SAMPLES / "inbox" / "docs").iterdir())
    results = run_pipeline(settings, paths)
    assert sum(r.status == "review" for r in results) >= 5, "the sample inbox should leave work for a person"
    return QueuedSetup(settings, {Path(r.file).name: r.document_id for r in results})


def test_every_sample_document_and_its_page_images_render(inbox: QueuedSetup) -> None:
    with TestClient(create_review_app(inbox.settings), follow_redirects=False) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token})
        queue = client.get("/")
        assert queue.status_code == 200
        engine = make_engine(inbox.settings.resolved_database_url)
        with session_scope(engine) as session:
            waiting = {task.document_id for task in review.open_review_tasks(session)}
        engine.dispose()
        assert set(map(int, re.findall(r'data-document="(\d+)"', queue.text))) == waiting
        for name, document_id in inbox.documents.items():
            page = client.get(f"/documents/{document_id}")
            assert page.status_code == 200, name
            for source in re.findall(r'<img src="([^"]+)"', page.text):
                image = client.get(source)
                assert image.status_code == 200 and image.headers["content-type"] == "image/png", (name, source)
            assert "<script>" not in page.text.split("</head>", 1)[1], name  # no script from any mail in the body


@pytest.fixture(scope="module")
def live(inbox: QueuedSetup) -> Iterator[LiveServer]:
    with serve(create_review_app(inbox.settings)) as server:
        yield server


def test_a_person_clears_the_sample_review_queue_in_the_browser(inbox: QueuedSetup, live: LiveServer) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        log_in(page, live, "sora")  # the owner may approve every band
        screenshot(page, "inbox-queue.png")
        decided = _clear_queue(page, live)
    assert decided["approved"] and decided["rejected"]

    engine = make_engine(inbox.settings.resolved_database_url)
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        with session_scope(engine) as session:
            assert review.open_review_tasks(session) == []
            pending = [d for d in decided["approved"] if documents.get_status(session, d).value == "review"]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert pending == [], f"pipeline did not resume for {pending}"
    with session_scope(engine) as session:
        for document_id in decided["approved"]:
            status = documents.get_status(session, document_id).value
            assert status in {"quoted", "recorded", "not_request"}, (document_id, status)
            if status == "quoted":
                assert quotes.get_quote_for_document(session, document_id).pdf_sha256
            task = review.latest_review_task(session, document_id)
            assert (task.status, task.decided_by) == (ReviewStatus.APPROVED, "sora")
        for document_id in decided["rejected"]:
            assert documents.get_status(session, document_id).value == "rejected"
        actions = {(e.document_id, e.action) for e in audit.list_events(session) if e.actor == "sora"}
    engine.dispose()
    for document_id in decided["approved"]:
        assert (document_id, "review.approved") in actions
    for document_id in decided["rejected"]:
        assert (document_id, "review.rejected") in actions


def _clear_queue(page: Page, server: LiveServer) -> dict[str, list[int]]:
    """Start with the oldest; approve what can be approved, reject the rest with a reason; the app moves on."""
    decided: dict[str, list[int]] = {"approved": [], "rejected": []}
    page.click("#start-oldest")
    while re.search(r"/documents/(\d+)", page.url):
        document_id = int(re.search(r"/documents/(\d+)", page.url).group(1))
        assert document_id not in decided["approved"] + decided["rejected"], "the app showed a decided document again"
        if page.locator("#approve").is_enabled():
            page.click("#approve")
            decided["approved"].append(document_id)
        else:
            page.fill("#reason", "원본 확인 후 고객에게 재요청 / asked the customer again")
            page.click("#reject")
            decided["rejected"].append(document_id)
        expect(page.locator(".alert.ok").first).to_contain_text(f"문서 #{document_id}")
    expect(page).to_have_url(re.compile(rf"{server.url}/\?done=\d+"))
    expect(page.locator(".empty")).to_contain_text("대기 중인 문서가 없습니다")
    return decided

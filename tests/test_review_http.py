"""The review app over HTTP (FastAPI TestClient): who may reach what, CSRF, roles, rate limiting, edits and audit."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from fixtures_review import (
    PASSWORD,
    UNKNOWN_ITEM,
    QueuedSetup,
    band_mail,
    fixable_mail,
    order_mail,
    queue_mails,
    review_settings,
)
from starlette.routing import BaseRoute, Mount

from flows.cli_review import create_review_app
from review.security import SESSION_COOKIE, hash_password
from schemas.review import ReviewStatus
from store import aliases, audit, documents, quotes, review, users
from store.db import make_engine, session_scope

# Routes anyone may reach; everything else must refuse a visitor who has not logged in.
PUBLIC = {("GET", "/login"), ("POST", "/login")}
SAMPLE_PATH_VALUES = {"document_id": "1", "part_index": "0", "page_number": "1", "name": "mina"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def queued(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> QueuedSetup:
    settings = review_settings(tmp_path_factory.mktemp("review-http"))
    mails = {
        "band": band_mail(),
        "fixable": fixable_mail(),
        "reject": fixable_mail("견적 요청 - 반려용"),
        "restart": band_mail("베어링 대량 견적 요청 (재시작)"),
    }
    return queue_mails(settings, mails)


@pytest.fixture
def app(queued: QueuedSetup) -> FastAPI:
    """A fresh app per test: its own login rate limiter, the same database."""
    return create_review_app(queued.settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], path)


def flat_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Every route with its full path; this FastAPI keeps an included router as one entry holding its routes."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from flat_routes(included.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def protected_routes(app: FastAPI) -> list[tuple[str, str]]:
    routes = []
    for path, route in flat_routes(app.routes):
        if isinstance(route, Mount):
            assert path == "/static", f"unexpected mount {path}"
            continue
        assert isinstance(route, APIRoute), f"unexpected route type {route!r}"
        for method in sorted(route.methods - {"HEAD"}):
            if (method, path) not in PUBLIC:
                routes.append((method, path))
    return routes


def test_every_route_but_login_refuses_anonymous_visitors(client: TestClient, app: FastAPI) -> None:
    routes = protected_routes(app)
    assert len(routes) >= 12  # enumerated from the app: a route added later is covered without editing this test
    for method, path in routes:
        response = client.request(method, concrete(path))
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json() == {"error": "login required"}
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next="), (method, path)
    assert client.get("/login").status_code == 200
    assert client.get("/static/review.css").status_code == 200
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404


def test_a_forged_or_expired_cookie_is_anonymous(client: TestClient) -> None:
    login(client, "mina")
    assert client.get("/").status_code == 200
    forged = client.cookies[SESSION_COOKIE][:-3] + "xyz"
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/").status_code == 303
    assert client.post("/api/documents/1/price", json={}).status_code == 401


def test_changing_the_password_or_deactivating_the_user_ends_sessions(client: TestClient, queued: QueuedSetup) -> None:
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        users.add_user(session, "temp", hash_password(PASSWORD), "reviewer")
    login(client, "temp")
    assert client.get("/").status_code == 200
    with session_scope(engine) as session:
        users.set_password_hash(session, "temp", hash_password("another-password"))
    assert client.get("/").status_code == 303
    login(client, "temp", "another-password")
    with session_scope(engine) as session:
        users.set_user_active(session, "temp", False)
    assert client.get("/").status_code == 303
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": "temp", "password": "another-password", "csrf_token": token})
    assert response.status_code == 401
    engine.dispose()


def test_every_post_needs_the_sessions_csrf_token(client: TestClient, app: FastAPI, queued: QueuedSetup) -> None:
    token = login(client, "admin")
    posts = [(m, p) for m, p in protected_routes(app) if m == "POST"]
    assert posts
    for method, path in posts:
        for headers, data in [({}, {}), ({"X-CSRF-Token": "wrong"}, {}), ({}, {"csrf_token": "wrong"})]:
            response = client.request(method, concrete(path), headers=headers, data=data or None)
            assert response.status_code == 403, (path, headers, data, response.status_code)
    # The same token is accepted: the refusals above were about the token, not the route.
    response = client.post(
        f"/api/documents/{queued.documents['fixable']}/price", json={}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200
    with session_scope(make_engine(queued.settings.resolved_database_url)) as session:
        assert users.get_user(session, "mina").active  # POST /users/mina without a token changed nothing


def test_login_form_needs_a_csrf_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "mina", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/").status_code == 303  # still not logged in


def test_login_is_rate_limited_per_user_and_address(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        response = client.post("/login", data={"name": "jun", "password": "wrong", "csrf_token": token})
        assert response.status_code == 401
    response = client.post("/login", data={"name": "jun", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert "5분" in response.text or "분 후" in response.text
    # Another user from the same address is not locked out.
    response = client.post("/login", data={"name": "mina", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_login_redirects_only_within_the_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "mina", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_session_cookie_flags_and_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_queue_lists_waiting_documents_oldest_first_with_reason_customer_total(
    client: TestClient, queued: QueuedSetup
) -> None:
    login(client, "mina")
    page = client.get("/").text
    positions = [page.index(f'data-document="{doc_id}"') for doc_id in sorted(queued.documents.values())]
    assert positions == sorted(positions)
    assert "(주)대성정밀" in page and "삼우테크(주)" in page
    assert "대량 주문 Large order" in page  # the band is the reason the clean request waits
    assert UNKNOWN_ITEM in page  # the unmatched line is why the other one waits
    assert "원" in page


def test_document_page_shows_the_mail_without_its_script(client: TestClient, queued: QueuedSetup) -> None:
    login(client, "mina")
    page = client.get(f"/documents/{queued.documents['fixable']}").text
    assert "__pwned" not in page and "<script>window" not in page and "onerror" not in page
    assert 'sandbox=""' in page
    assert UNKNOWN_ITEM in page and 'class="ev lvl-' in page  # evidence is highlighted in the original
    assert client.get("/documents/999999").status_code == 404


def test_reviewer_cannot_approve_a_quote_in_the_approver_band(client: TestClient, queued: QueuedSetup) -> None:
    document_id = queued.documents["band"]
    token = login(client, "mina")
    page = client.get(f"/documents/{document_id}").text
    assert re.search(r'id="approve"\s+disabled', page)
    form = _form_of(page) | {"csrf_token": token, "reason": "looks fine"}
    response = client.post(f"/documents/{document_id}/approve", data=form)
    assert response.status_code == 403
    assert "승인자 Approver 이상만 승인할 수 있습니다" in response.text
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        task = review.latest_review_task(session, document_id)
        assert task.status is ReviewStatus.OPEN
        refused = [
            e for e in audit.list_events(session, document_id=document_id) if e.action == "review.approval_refused"
        ]
    assert refused and refused[-1].actor == "mina" and refused[-1].data["required_role"] == "approver"
    engine.dispose()


def test_price_preview_reprices_the_edit_and_reports_the_band(client: TestClient, queued: QueuedSetup) -> None:
    document_id = queued.documents["band"]
    token = login(client, "jun")
    form = _form_of(client.get(f"/documents/{document_id}").text)
    headers = {"X-CSRF-Token": token}
    before = client.post(f"/api/documents/{document_id}/price", json=form, headers=headers).json()
    assert before["ok"] and before["required_role"] == "approver" and before["may_approve"] is True
    smaller = form | {"line-0-quantity": "10"}
    after = client.post(f"/api/documents/{document_id}/price", json=smaller, headers=headers).json()
    assert after["total"] < before["total"] and after["quote"]["lines"][0]["quantity"] == 10
    # Editing a quote below the band does not lower the bar the document was queued with.
    assert after["required_role"] == "approver"
    assert after["changes"] == [{"field": "items.0.quantity", "old": "500", "new": "10"}]
    larger = client.post(
        f"/api/documents/{document_id}/price", json=form | {"line-0-quantity": "20000"}, headers=headers
    )
    assert larger.json()["required_role"] == "owner" and larger.json()["may_approve"] is False
    assert "대표 Owner 이상만 승인" in larger.json()["summary_html"]
    bad = client.post(f"/api/documents/{document_id}/price", json=form | {"line-0-quantity": "-1"}, headers=headers)
    assert bad.json()["ok"] is False and "quantity must be more than 0" in bad.json()["errors"][0]
    with session_scope(make_engine(queued.settings.resolved_database_url)) as session:
        assert documents.latest_extraction(session, document_id).items[0].quantity.value == 500  # nothing saved


def test_saving_corrections_audits_each_field_and_learns_the_alias(client: TestClient, queued: QueuedSetup) -> None:
    document_id = queued.documents["fixable"]
    token = login(client, "mina")
    page = client.get(f"/documents/{document_id}").text
    form = _form_of(page)
    unknown_row = next(k.split("-")[1] for k, v in form.items() if k.endswith("-description") and v == UNKNOWN_ITEM)
    sku = "BLT-M8X30"
    form |= {f"line-{unknown_row}-sku": sku, f"line-{unknown_row}-remember": "on", "csrf_token": token}
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        learnt_before = aliases.count_learnt_aliases(session)
    response = client.post(f"/documents/{document_id}/save", data=form)
    assert response.status_code == 303
    with session_scope(engine) as session:
        assert aliases.count_learnt_aliases(session) == learnt_before + 1
        assert aliases.load_learnt_aliases(session).sku[UNKNOWN_ITEM] == sku
        extraction = documents.latest_extraction(session, document_id)
        events = audit.list_events(session, document_id=document_id)
    assert extraction.items[int(form[f"line-{unknown_row}-origin"])].sku.value == sku
    corrected = [e for e in events if e.action == "review.field_corrected"]
    assert [(e.actor, e.data["field"], e.data["old"], e.data["new"]) for e in corrected] == [
        ("mina", f"items.{form[f'line-{unknown_row}-origin']}.sku", None, sku)
    ]
    assert any(e.action == "alias.learnt" and e.data["alias"] == UNKNOWN_ITEM for e in events)
    page = client.get(f"/documents/{document_id}").text
    assert f'id="aliases-learnt">{learnt_before + 1}<' in page
    # The matcher uses the alias for the next document that says the same thing.
    later = queue_or_quote(queued, order_mail("삼우테크(주)", "order@samwootech.kr", [(UNKNOWN_ITEM, 2)]))
    assert [item.sku.value for item in later.items] == [sku]
    engine.dispose()


def test_reject_needs_a_reason_and_records_it(client: TestClient, queued: QueuedSetup) -> None:
    document_id = queued.documents["reject"]
    token = login(client, "mina")
    response = client.post(f"/documents/{document_id}/reject", data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 422 and "반려 사유를 입력하세요" in response.text
    response = client.post(f"/documents/{document_id}/reject", data={"csrf_token": token, "reason": "중복 요청"})
    assert response.status_code == 303
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        task = review.latest_review_task(session, document_id)
        assert (task.status, task.decided_by, task.decision_reason) == (ReviewStatus.REJECTED, "mina", "중복 요청")
        assert documents.get_status(session, document_id).value == "rejected"
        events = [e for e in audit.list_events(session, document_id=document_id) if e.action == "review.rejected"]
    assert events[-1].actor == "mina" and events[-1].data["reason"] == "중복 요청"
    again = client.post(f"/documents/{document_id}/reject", data={"csrf_token": token, "reason": "again"})
    assert again.status_code == 409
    engine.dispose()


def test_only_admins_manage_users(client: TestClient, queued: QueuedSetup) -> None:
    token = login(client, "jun")
    assert client.get("/users").status_code == 403
    assert (
        client.post(
            "/users", data={"csrf_token": token, "name": "x", "role": "admin", "password": "p" * 10}
        ).status_code
        == 403
    )
    client.cookies.clear()
    token = login(client, "admin")
    assert "mina" in client.get("/users").text
    response = client.post(
        "/users", data={"csrf_token": token, "name": "hana", "role": "approver", "password": "p" * 10}
    )
    assert response.status_code == 303
    with session_scope(make_engine(queued.settings.resolved_database_url)) as session:
        hana = users.get_user(session, "hana")
        assert hana.role.value == "approver" and hana.password_hash.startswith("$argon2id$")


def _form_of(page: str) -> dict[str, str]:
    """The review form's fields as the browser would submit them (inputs, selected options; no checkboxes)."""
    form = page[page.index('id="review-form"') : page.index("</form>", page.index('id="review-form"'))]
    form = re.sub(r"<template.*?</template>", "", form, flags=re.S)
    fields = {}
    for tag in re.finditer(r"<input([^>]*)>", form):
        attributes = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" in attributes and attributes.get("type") != "checkbox" and attributes["name"] != "csrf_token":
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, flags=re.S):
        chosen = re.search(r'<option value="([^"]*)"\s+selected', select.group(2))
        fields[select.group(1)] = html.unescape(chosen.group(1)) if chosen else ""
    return fields


def queue_or_quote(queued: QueuedSetup, mail: bytes) -> object:
    """Run one more mail through the pipeline and return what was extracted from it."""
    from flows.process_document import process_files
    from flows.runtime import open_runtime

    path = Path(queued.settings.home) / "inbox" / "later.eml"
    path.write_bytes(mail)
    with open_runtime(queued.settings) as rt:
        (result,) = process_files([str(path)])
        with session_scope(rt.engine) as session:
            return documents.latest_extraction(session, result.document_id)


def test_an_approval_the_app_did_not_finish_resumes_when_it_starts_again(queued: QueuedSetup) -> None:
    """Approved in the store, but the process stopped before the quote went out: the next start finishes it."""
    document_id = queued.documents["restart"]
    engine = make_engine(queued.settings.resolved_database_url)
    with session_scope(engine) as session:
        task = review.latest_review_task(session, document_id)
        review.decide_review_task(session, task.id, ReviewStatus.APPROVED, decided_by="jun", reason="before a crash")
    with TestClient(create_review_app(queued.settings)):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                issued = quotes.get_quote_for_document(session, document_id)
            if issued is not None:
                break
            time.sleep(0.5)
    assert issued is not None, "the approved document was not resumed"
    with session_scope(engine) as session:
        assert documents.get_status(session, document_id).value == "quoted"
        issued_event = next(
            e for e in audit.list_events(session, document_id=document_id) if e.action == "quote.issued"
        )
    assert issued_event.actor == "jun"
    engine.dispose()

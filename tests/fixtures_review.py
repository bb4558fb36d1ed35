"""Review app test material: order mails (with a hostile HTML part), a PDF order form, users of every role,
and a review app served by uvicorn on a free loopback port."""

from __future__ import annotations

import contextvars
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path

import uvicorn
import yaml
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import Engine

from flows.results import DocumentResult
from quotes.fonts import korean_font
from review.security import hash_password
from schemas.settings import Settings
from store import users
from store.db import session_scope

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PASSWORD = "correct-horse-42"
# Two approval bands on top of the sample company's own pricing, so every role rule has a quote to act on.
APPROVAL_BANDS = [
    {"id": "review-large", "name": "대량 주문 Large order", "role": "approver", "min_total": 2_000_000},
    {"id": "review-huge", "name": "초대형 주문 Very large order", "role": "owner", "min_total": 50_000_000},
]
# name -> role; one of each, so every role rule can be exercised.
USERS = {"mina": "reviewer", "jun": "approver", "sora": "owner", "admin": "admin"}
SCRIPT_MARKER = "window.__pwned = 1; document.title = 'PWNED';"


def order_mail(
    customer: str,
    sender: str,
    lines: list[tuple[str, int]],
    subject: str = "견적 요청드립니다",
    pdf: bytes | None = None,
) -> bytes:
    """A Korean RFQ mail: plain text and an HTML twin with the items in a table and a script that must never run."""
    body_lines = [f"- {text} {quantity}개" for text, quantity in lines]
    plain = "\n".join(
        ["안녕하세요.", f"{customer} 구매팀입니다.", "아래 품목 견적 부탁드립니다.", "", *body_lines, "", "감사합니다."]
    )
    rows = "".join(f"<tr><td>{text}</td><td>{quantity}개</td></tr>" for text, quantity in lines)
    html = (
        f"<html><head><script>{SCRIPT_MARKER}</script></head><body>"
        f"<p>안녕하세요.</p><p>{customer} 구매팀입니다.</p><p>아래 품목 견적 부탁드립니다.</p>"
        f"<table border=1><tr><th>품목</th><th>수량</th></tr>{rows}</table>"
        f'<img src="x" onerror="{SCRIPT_MARKER}"><p>감사합니다.</p></body></html>'
    )
    message = EmailMessage()
    message["From"] = f"구매담당 <{sender}>"
    message["To"] = "sales@example.co.kr"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{time.time_ns()}@test.example>"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename="발주서.pdf")
    return message.as_bytes()


def order_pdf(customer: str, lines: list[tuple[str, int]]) -> bytes:
    """A one-page born-digital order form (NanumGothic, so the Korean text layer is real)."""
    korean_font()  # the one registration of NanumGothic + bold, shared with the quote renderer
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("NanumGothic", 18)
    page.drawString(72, 780, "발 주 서")
    page.setFont("NanumGothic", 11)
    page.drawString(72, 750, f"발주처: {customer}")
    y = 710
    page.drawString(72, y, "품목")
    page.drawString(400, y, "수량")
    for text, quantity in lines:
        y -= 22
        page.drawString(72, y, text)
        page.drawString(400, y, f"{quantity}")
    page.showPage()
    page.save()
    return buffer.getvalue()


def review_company(folder: Path) -> Path:
    """A copy of the sample company whose pricing.yaml carries APPROVAL_BANDS."""
    shutil.copytree(SAMPLES / "company", folder)
    pricing_file = folder / "pricing.yaml"
    pricing = yaml.safe_load(pricing_file.read_text(encoding="utf-8")) if pricing_file.is_file() else None
    pricing = pricing or {}
    pricing["approval_bands"] = APPROVAL_BANDS
    pricing_file.write_text(yaml.safe_dump(pricing, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def add_users(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, role in USERS.items():
            if users.get_user(session, name) is None:
                users.add_user(session, name, hash_password(PASSWORD), role)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    app: FastAPI


@contextmanager
def serve(app: FastAPI) -> Iterator[LiveServer]:
    """uvicorn in a thread on a free loopback port, started with the caller's context (Prefect's test settings)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(server.run,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the review app did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def band_mail(subject: str = "베어링 대량 견적 요청") -> bytes:
    """A clean request from a known customer, large enough for the approver band (≥ 2,000,000 with VAT)."""
    return order_mail("(주)대성정밀", "purchase@daesung-prec.co.kr", [("베어링 6204ZZ", 500)], subject=subject)


UNKNOWN_ITEM = "특수 가공 브라켓 XJ-9"


def fixable_mail(subject: str = "견적 요청 - 베어링 외") -> bytes:
    """A request with one line no catalog entry matches: it waits for a person to map or remove that line."""
    return order_mail("삼우테크(주)", "order@samwootech.kr", [("베어링 6205", 40), (UNKNOWN_ITEM, 5)], subject=subject)


@dataclass
class QueuedSetup:
    settings: Settings
    documents: dict[str, int]


def run_pipeline(settings: Settings, paths: list[Path]) -> list[DocumentResult]:
    """The real pipeline (Prefect flow process_files) on files, then the test users; needs the Prefect harness."""
    from flows.process_document import process_files
    from flows.runtime import open_runtime

    with open_runtime(settings) as rt:
        results = process_files([str(path) for path in paths])
        add_users(rt.engine)
    return results


def queue_mails(settings: Settings, mails: dict[str, bytes]) -> QueuedSetup:
    """Run the pipeline on the mails; every one must end up waiting for review."""
    inbox = settings.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in mails.items():
        path = inbox / f"{name}.eml"
        path.write_bytes(data)
        paths.append(path)
    documents = {}
    for name, result in zip(mails, run_pipeline(settings, paths), strict=True):
        assert result.status == "review", f"{name} did not wait for review: {result.model_dump_json(indent=1)}"
        documents[name] = result.document_id
    return QueuedSetup(settings, documents)


def review_settings(home: Path) -> Settings:
    return Settings(home=home, config_dir=review_company(home / "company"), llm="off")


# --- headless Chromium (Debian's; Playwright never downloads a browser here) ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(
    os.environ.get("INTAKE_REVIEW_SCREENSHOTS", Path(tempfile.gettempdir()) / "intake-review-screenshots")
)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make install does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Page, server: LiveServer, name: str) -> None:
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/login?next=%2F")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}/")


def screenshot(page: Page, name: str) -> Path:
    """Saved where a person can look at it: $INTAKE_REVIEW_SCREENSHOTS or the temp dir's intake-review-screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path

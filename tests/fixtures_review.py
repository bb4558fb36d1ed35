"""Review app test material: order mails (with a hostile HTML part), a PDF order form, users of every role,
and a review app served by uvicorn on a free loopback port."""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO

import uvicorn
from fastapi import FastAPI
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import Engine

from review.security import hash_password
from store import users
from store.db import session_scope

PASSWORD = "correct-horse-42"
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
    pdfmetrics.registerFont(TTFont("NanumGothic", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"))
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

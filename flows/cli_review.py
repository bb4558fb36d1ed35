"""`intake review` (the review web app) and `intake user` (people and roles), plus the app's wiring to the flows."""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from flows.resume_after_review import local_today, resume_after_review
from flows.runtime import Runtime, open_runtime
from pricing.engine import price_quote
from review.app import create_app
from review.security import hash_password
from review.services import ReviewServices
from schemas.extraction import Extraction
from schemas.quote import PricedQuote
from schemas.review import ReviewStatus
from schemas.settings import Settings
from store import documents, review, users
from store.audit import append_event
from store.db import make_engine, migrate, session_scope
from store.errors import ConflictError, NotFoundError
from store.models import DocumentStatus, UserRole

MIN_PASSWORD_LENGTH = 8
logger = logging.getLogger("intake.review")


def _log_failure(future: Future[object]) -> None:
    if (error := future.exception()) is not None:
        logger.error("resume_after_review failed: %s", error, exc_info=error)


def _approved_but_not_resumed(rt: Runtime) -> list[tuple[int, str]]:
    """Documents approved before the app stopped whose pipeline never finished: the store remembers them."""
    pending = []
    with session_scope(rt.engine) as session:
        for document in documents.list_documents(session, status=DocumentStatus.REVIEW):
            task = review.latest_review_task(session, document.id)
            if task is not None and task.status is ReviewStatus.APPROVED and task.decided_by:
                pending.append((document.id, task.decided_by))
    return pending


@contextmanager
def review_services(settings: Settings | None = None) -> Iterator[ReviewServices]:
    """The open runtime, pricing as the pipeline prices, and one background worker for resume_after_review."""
    # Reviewing never extracts (resume_after_review starts from the stored extraction): no model to load.
    settings = (settings or Settings()).model_copy(update={"llm": "off"})
    with (
        open_runtime(settings) as rt,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="resume-after-review") as worker,
    ):

        def reprice(extraction: Extraction) -> PricedQuote:
            return price_quote(extraction, rt.company, rt.pricing, local_today(rt.settings))

        def resume(document_id: int, reviewer: str) -> None:
            # One worker: approvals run in the order given, and SQLite sees one pipeline writer from this app.
            # The caller's context carries Prefect's settings (a test harness's API URL) into the worker.
            future = worker.submit(contextvars.copy_context().run, resume_after_review, document_id, reviewer)
            future.add_done_callback(_log_failure)

        for document_id, reviewer in _approved_but_not_resumed(rt):
            resume(document_id, reviewer)
        yield ReviewServices(
            settings=rt.settings, company=rt.company, engine=rt.engine, blobs=rt.blobs, reprice=reprice, resume=resume
        )


def create_review_app(settings: Settings | None = None) -> FastAPI:
    return create_app(lambda: review_services(settings))


def _new_password_hash(from_stdin: bool) -> str:
    """Ask for the password (or read one line of stdin) and refuse a short one before anything is stored."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        Console(stderr=True).print(f"[red]the password needs at least {MIN_PASSWORD_LENGTH} characters[/red]")
        raise typer.Exit(2)
    return hash_password(password)


@contextmanager
def _user_session() -> Iterator[Session]:
    """One transaction on the configured database (migrated first, as the CLI may be the first to touch it)."""
    settings = Settings()
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def _refuse(message: str) -> NoReturn:
    Console(stderr=True).print(f"[red]{message}[/red]")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    @app.command("review")
    def review_command(
        host: Annotated[str | None, typer.Option("--host", help="address to listen on (default 127.0.0.1)")] = None,
        port: Annotated[int | None, typer.Option("--port", help="port (default 8000)")] = None,
        config: Annotated[Path | None, typer.Option("--config", help="company folder")] = None,
    ) -> None:
        """Start the review web app: queue, document view, corrections, approve or reject."""
        import uvicorn

        settings = Settings()
        if config is not None:
            settings = settings.model_copy(update={"config_dir": config})
        host = host or settings.review_host
        port = port or settings.review_port
        Console().print(f"review app on http://{host}:{port}/  (add people with `intake user add NAME --role ...`)")
        uvicorn.run(create_review_app(settings), host=host, port=port, proxy_headers=True, log_level="info")

    user_app = typer.Typer(help="People who log in to the review app, and their roles.", no_args_is_help=True)

    @user_app.command("add")
    def add_user(
        name: Annotated[str, typer.Argument(help="login name")],
        role: Annotated[UserRole, typer.Option("--role", help="reviewer, approver, owner or admin")],
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    ) -> None:
        """Add a user; the password is asked for (or read from stdin) and kept only as an argon2 hash."""
        password_hash = _new_password_hash(password_stdin)
        try:
            with _user_session() as session:
                users.add_user(session, name, password_hash, role)
                append_event(session, actor="cli", action="user.added", data={"user": name, "role": role.value})
        except ConflictError:
            _refuse(f"user {name!r} already exists")
        Console().print(f"added {name} ({role.value})")

    @user_app.command("passwd")
    def set_password(
        name: Annotated[str, typer.Argument(help="login name")],
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    ) -> None:
        """Set a new password; the user's open sessions end."""
        password_hash = _new_password_hash(password_stdin)
        try:
            with _user_session() as session:
                users.set_password_hash(session, name, password_hash)
                append_event(session, actor="cli", action="user.password_set", data={"user": name})
        except NotFoundError:
            _refuse(f"no user {name!r}")
        Console().print(f"password of {name} changed")

    @user_app.command("list")
    def list_users() -> None:
        """Everyone who can log in (or could, before being deactivated)."""
        with _user_session() as session:
            rows = [(u.name, u.role.value, u.active) for u in users.list_users(session)]
        table = Table("name", "role", "active")
        for name, role, active in rows:
            table.add_row(name, role, "yes" if active else "no")
        Console().print(table)

    app.add_typer(user_app, name="user")

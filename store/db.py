"""Engines, sessions and migrations for the SQLite file (default) or PostgreSQL (INTAKE_DATABASE_URL)."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from schemas.settings import Settings

STORE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = STORE_DIR / "alembic.ini"

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Keys for pg_advisory_xact_lock; any fixed bigint works as long as nothing else in the database uses it.
MIGRATION_LOCK_KEY = 7_410_001
AUDIT_LOCK_KEY = 7_410_002


def normalize_url(url: str) -> str:
    """Map `postgresql://` / `postgres://` to the psycopg 3 driver; leave every other URL as given."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _json_serializer(value: Any) -> str:
    # Korean text stays readable in the database instead of becoming \uXXXX escapes.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    return Path(database) if database and database != ":memory:" else None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is always DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Every transaction takes the write lock up front: a DEFERRED transaction that reads and then
        # writes fails with "database is locked" (busy_timeout cannot help it) when another process
        # wrote in between, and two audit appends could both read the same chain head.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (default: Settings().resolved_database_url); the caller disposes it."""
    parsed = make_url(normalize_url(url or Settings().resolved_database_url))
    if parsed.get_backend_name() == "sqlite":
        db_file = _sqlite_file(parsed)
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            json_serializer=_json_serializer,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, json_serializer=_json_serializer, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """One shared engine per URL and process, for callers that do not manage their own."""
    return _shared_engine(normalize_url(url or Settings().resolved_database_url))


@cache
def _shared_engine(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def session_scope(bind: Engine | str | None = None) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises.

    Rows stay readable after the block (no expiry on commit). On SQLite the transaction holds the
    database's write lock from its first statement to its end: keep blocks short, never around OCR or
    LLM calls, and never open a second session_scope inside one (it would wait for the first, then fail).
    """
    engine = bind if isinstance(bind, Engine) else get_engine(bind)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration shipped inside the package (also usable with `alembic -c store/alembic.ini`)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(STORE_DIR / "migrations"))
    if url is not None:
        # ConfigParser interpolation would choke on a '%' in a password.
        config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(url: str | None = None) -> None:
    """Bring the database to the newest revision; a no-op when it is there already.

    Safe when several processes start at once: they take turns (SQLite: a lock file beside the
    database; PostgreSQL: an advisory lock), and the later ones find nothing left to do.
    """
    url = normalize_url(url or Settings().resolved_database_url)
    engine = make_engine(url)
    db_file = _sqlite_file(engine.url) if engine.dialect.name == "sqlite" else None
    lock: AbstractContextManager[None] = (
        _file_lock(db_file.with_name(db_file.name + ".migrate.lock")) if db_file else nullcontext()
    )
    try:
        with lock, engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()

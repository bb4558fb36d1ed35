"""Engines, sessions and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fixtures_store import make_envelope, make_extraction, run_in_processes, run_migrate
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

from store import documents
from store.db import alembic_config, make_engine, migrate, normalize_url, session_scope
from store.models import Base, DocumentRow, ExtractionRow

pytest_plugins = ["fixtures_store"]


def _head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _schema_snapshot(engine: Engine) -> tuple[str | None, dict[str, list[str]]]:
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        inspector = inspect(conn)
        tables = {name: sorted(c["name"] for c in inspector.get_columns(name)) for name in inspector.get_table_names()}
    return version, tables


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/intake", "postgresql+psycopg://u:p@db:5432/intake"),
        ("postgres://u@db/intake", "postgresql+psycopg://u@db/intake"),
        ("postgresql+psycopg://u@db/intake", "postgresql+psycopg://u@db/intake"),
        ("postgresql://u:p%40ss@db/intake", "postgresql+psycopg://u:p%40ss@db/intake"),
        ("sqlite:////var/x/intake.db", "sqlite:////var/x/intake.db"),
    ],
)
def test_normalize_url_maps_plain_postgresql_to_psycopg3(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_default_database_is_a_sqlite_file_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_HOME", str(tmp_path / "home"))
    migrate()
    assert (tmp_path / "home" / "intake.db").is_file()
    engine = make_engine()
    try:
        assert engine.url.database == str(tmp_path / "home" / "intake.db")
    finally:
        engine.dispose()


def test_migrate_twice_is_a_no_op(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            document, _ = documents.create_document(session, make_envelope())
        first = _schema_snapshot(engine)
        assert first[0] == _head_revision()
        assert set(Base.metadata.tables) <= set(first[1])

        migrate(database_url)

        assert _schema_snapshot(engine) == first
        with session_scope(engine) as session:
            assert documents.get_document(session, document.id) is not None
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    migrate(database_url)
    command.downgrade(alembic_config(database_url), "base")
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        migrate(database_url)
        assert _schema_snapshot(engine)[0] == _head_revision()
    finally:
        engine.dispose()


def test_migrations_create_exactly_what_the_models_declare(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_two_processes_migrating_a_fresh_database_at_once(database_url: str) -> None:
    assert run_in_processes(run_migrate, [(database_url,), (database_url,)]) == ["migrated", "migrated"]
    engine = make_engine(database_url)
    try:
        assert _schema_snapshot(engine)[0] == _head_revision()
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'intake.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    extraction = make_extraction().model_dump(mode="json")
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(ExtractionRow(document_id=999, actor="t", extractor="rules", data=extraction))


def test_timestamps_come_back_timezone_aware_utc(engine: Engine) -> None:
    seoul = timezone(timedelta(hours=9))
    envelope = make_envelope().model_copy(update={"received_at": datetime(2026, 11, 23, 18, 30, 15, 123456, seoul)})
    with session_scope(engine) as session:
        document_id = documents.create_document(session, envelope)[0].id
    with session_scope(engine) as session:
        stored = session.get_one(DocumentRow, document_id)
        assert stored.received_at == datetime(2026, 11, 23, 9, 30, 15, 123456, UTC)
        assert stored.received_at.tzinfo is UTC
        assert stored.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    envelope = make_envelope().model_copy(update={"received_at": datetime(2026, 11, 23, 9, 30)})
    with pytest.raises(StatementError, match="naive datetime"), session_scope(engine) as session:
        documents.create_document(session, envelope)


def test_session_scope_rolls_back_when_the_block_raises(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="boom"), session_scope(engine) as session:
        documents.create_document(session, make_envelope())
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert documents.get_document_by_sha(session, make_envelope().sha256) is None


def test_session_scope_accepts_a_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    migrate(url)
    with session_scope(url) as session:
        documents.create_document(session, make_envelope())
    with session_scope(url) as session:
        assert documents.get_document_by_sha(session, make_envelope().sha256) is not None

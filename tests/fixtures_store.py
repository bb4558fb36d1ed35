"""Store test fixtures: every repository test runs on a SQLite file and on a real, throwaway PostgreSQL.

Test modules load this as a plugin (`pytest_plugins = ["fixtures_store"]`), so the session-scoped
cluster is started once for all of them. They also import its helpers first, hence PYTEST_DONT_REWRITE
(pytest cannot rewrite the asserts of a module imported before it is registered as a plugin).

The PostgreSQL cluster is initdb'd into a temp folder and started on a free loopback port, once per session.
PostgreSQL refuses to run as root, so when the tests run as root the server commands run as the `postgres` user.
Worker functions at the bottom run in separate processes (real cross-process races, not threads).
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from schemas.envelope import Channel, Envelope, Part
from schemas.extraction import Extraction, Kind, LineItem
from schemas.fields import Evidence, ExtractedField
from schemas.quote import PricedLine, PricedQuote
from store.db import make_engine, migrate, session_scope

PG_SERVER_USER = "postgres"
TEST_DATABASE = "intake_test"
_schema_numbers = itertools.count(1)


def find_postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries (they are not on PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True
    )
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int

    @classmethod
    def start(cls, bin_dir: Path) -> PostgresCluster:
        root = Path(tempfile.mkdtemp(prefix="intake-pg-"))
        cluster = cls(bin_dir=bin_dir, root=root, port=_free_port())
        if os.geteuid() == 0:
            shutil.chown(root, PG_SERVER_USER, PG_SERVER_USER)
        # Durability is pointless for a throwaway cluster: no fsync in initdb, CREATE DATABASE or commits.
        data = str(root / "data")
        cluster._run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
        options = (
            f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        cluster._run("pg_ctl", "-D", data, "-l", str(root / "server.log"), "-w", "-o", options, "start")
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEST_DATABASE}")
        return cluster

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_SERVER_USER, "--", *command]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_schema_url(self) -> str:
        """A fresh, empty schema of the test database, as a URL whose search_path points at it.

        Schemas rather than databases: CREATE DATABASE copies ~7 MB per test, and removing a few
        hundred of those at the end of the session took longer than the tests themselves.
        """
        schema = f"test_{next(_schema_numbers)}"
        with psycopg.connect(self.url(TEST_DATABASE), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        # Plain postgresql:// on purpose: the store must map it to the psycopg 3 driver itself.
        return f"{self.url(TEST_DATABASE)}?options=-csearch_path%3D{schema}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (Debian package postgresql)")
    cluster = PostgresCluster.start(bin_dir)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (not migrated) on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_schema_url()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    migrate(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- payloads


def make_envelope(content: bytes = b"From: kim@example.co.kr\r\n\r\nA4 10 box", name: str = "order.eml") -> Envelope:
    sha256 = hashlib.sha256(content).hexdigest()
    return Envelope(
        channel=Channel.FILE,
        sha256=sha256,
        source_name=name,
        size=len(content),
        sender="kim@example.co.kr",
        subject="견적 요청",
        received_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        message_id="<1@example.co.kr>",
        parts=[Part(name="body.txt", content_type="text/plain", role="body_text", sha256=sha256, size=len(content))],
    )


def _field(value: Any, confidence: float = 0.9) -> ExtractedField[Any]:
    return ExtractedField(value=value, confidence=confidence, evidence=[Evidence(part="body.txt", text=str(value))])


def make_extraction(customer_id: str | None = "C001", quantity: str = "12", extractor: str = "rules") -> Extraction:
    item = LineItem(description=_field("A4 복사용지"), sku=_field("P-A4"), quantity=_field(Decimal(quantity)))
    return Extraction(
        kind=_field(Kind.RFQ),
        customer_id=_field(customer_id),
        customer_name=_field("(주)한빛상사"),
        items=[item],
        extractor=extractor,
    )


def make_quote(customer_id: str = "C001", quantity: int = 10, unit_price: int = 24_500) -> PricedQuote:
    amount = quantity * unit_price
    line = PricedLine(
        sku="P-A4", name="A4 복사용지", unit="박스", quantity=Decimal(quantity),
        list_price=unit_price, unit_price=unit_price, amount=amount,
    )
    vat = amount // 10
    return PricedQuote(
        customer_id=customer_id,
        price_date=date(2026, 11, 23),
        lines=[line],
        subtotal=amount,
        vat=vat,
        total=amount + vat,
    )


# ---------------------------------------------------------------- cross-process races


def run_in_processes(target: Callable[..., Any], arg_sets: list[tuple[Any, ...]], timeout: float = 60) -> list[Any]:
    """Run `target(*args)` in one new process per arg set, all released at once; their results in order."""
    # forkserver: clean processes like spawn (no inherited connections or threads), but forked from one
    # server that imported the store once, so each process starts in milliseconds instead of a second.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    barrier = context.Barrier(len(arg_sets))
    results = context.Queue()
    processes = [
        context.Process(target=_run_released, args=(index, target, args, barrier, results))
        for index, args in enumerate(arg_sets)
    ]
    for process in processes:
        process.start()
    collected = dict(results.get(timeout=timeout) for _ in processes)
    for process in processes:
        process.join(timeout)
    failures = {i: r for i, r in collected.items() if isinstance(r, str) and r.startswith("ERROR ")}
    assert not failures, failures
    return [collected[i] for i in range(len(arg_sets))]


def _run_released(index: int, target: Callable[..., Any], args: tuple[Any, ...], barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        results.put((index, target(*args)))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((index, f"ERROR {type(exc).__name__}: {exc}"))


def allocate_quote_numbers(url: str, prefix: str, year: int, count: int) -> list[int]:
    from store.quotes import next_quote_number

    engine = make_engine(url)
    try:
        numbers = []
        for _ in range(count):
            with session_scope(engine) as session:
                numbers.append(next_quote_number(session, prefix, year))
        return numbers
    finally:
        engine.dispose()


def record_envelopes(url: str, envelopes_json: list[str]) -> list[tuple[int, bool]]:
    from store.documents import create_document

    engine = make_engine(url)
    try:
        recorded = []
        for envelope_json in envelopes_json:
            with session_scope(engine) as session:
                document, created = create_document(session, Envelope.model_validate_json(envelope_json))
                recorded.append((document.id, created))
        return recorded
    finally:
        engine.dispose()


def append_audit_events(url: str, actor: str, count: int) -> list[int]:
    from store.audit import append_event

    engine = make_engine(url)
    try:
        seqs = []
        for i in range(count):
            with session_scope(engine) as session:
                event = append_event(session, actor=actor, action="test.append", data={"i": i})
                seqs.append(event.seq)
        return seqs
    finally:
        engine.dispose()


def run_migrate(url: str) -> str:
    migrate(url)
    return "migrated"

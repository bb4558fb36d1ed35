"""What a run needs once per process: settings, the company folder, pricing, the store, the LLM."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from sqlalchemy.engine import Engine

from extractors.llm import LLMCache, LLMClient
from flows.llm_runtime import open_llm_client
from pricing.rules import PricingRules, load_pricing
from schemas.company import CompanyConfig, load_company
from schemas.settings import Settings
from store.blobs import BlobStore
from store.cache import StoredLLMCache
from store.db import make_engine, migrate

if TYPE_CHECKING:
    from flows.read_ahead import ReadAhead


@dataclass
class Runtime:
    settings: Settings
    company: CompanyConfig
    pricing: PricingRules
    engine: Engine
    blobs: BlobStore
    out_dir: Path
    llm: LLMClient | None = None
    llm_cache: LLMCache | None = None
    read_ahead: ReadAhead | None = None  # set by process_batch while it reads documents ahead
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    @property
    def quotes_dir(self) -> Path:
        return self.out_dir / "quotes"

    @property
    def outbox_dir(self) -> Path:
        return self.out_dir / "outbox"


_current: Runtime | None = None


def current_runtime() -> Runtime:
    """The runtime opened by `open_runtime` in this process (flows call this, never build their own)."""
    if _current is None:
        raise RuntimeError("no intake runtime is open in this process; use flows.runtime.open_runtime()")
    return _current


@contextmanager
def open_runtime(
    settings: Settings | None = None, config_dir: Path | None = None, out_dir: Path | None = None
) -> Iterator[Runtime]:
    """Load the company, migrate the database and (when enabled) start or reuse the local LLM server."""
    global _current
    settings = settings or Settings()
    if config_dir is not None:
        settings = settings.model_copy(update={"config_dir": config_dir})
    if out_dir is not None:
        settings = settings.model_copy(update={"out_dir": out_dir})
    settings.home.mkdir(parents=True, exist_ok=True)
    company = load_company(settings.config_dir)
    url = settings.resolved_database_url
    migrate(url)
    runtime = Runtime(
        settings=settings,
        company=company,
        pricing=load_pricing(company),
        engine=make_engine(url),
        blobs=BlobStore(settings.blob_dir),
        out_dir=settings.resolved_out_dir,
    )
    runtime.llm = open_llm_client(settings, runtime._stack)
    runtime.llm_cache = StoredLLMCache(runtime.engine)
    runtime.quotes_dir.mkdir(parents=True, exist_ok=True)
    runtime.outbox_dir.mkdir(parents=True, exist_ok=True)
    # A flow run's heartbeat thread sleeps in whole seconds and is joined when the run ends: up to a second of
    # idle wait per document. Heartbeats feed zombie detection by automations, which intake does not set up.
    runtime._stack.enter_context(temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
    previous, _current = _current, runtime
    try:
        with runtime._stack:
            yield runtime
    finally:
        _current = previous
        runtime.engine.dispose()

"""The LLM seam: what the model may answer, the client Protocol, the provider factory, the cache and the call.

The model reads a document and fills `LLMOutput`, a schema of its own with no price, discount, total or
approval field: whatever a document asks for, the model has nowhere to put it. `extractors.merge` turns the
answer into an `Extraction`; pricing stays deterministic code.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.llm_input import prepare_llm_text
from prompts import Prompt, load_prompt
from schemas.envelope import Envelope
from schemas.extraction import LLMUsage
from schemas.settings import Settings
from schemas.text import DocumentText

if TYPE_CHECKING:
    from extractors.local_server import LocalServer

EXTRACT_PROMPT = "extract_v2"


class LLMItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The model writes keys in this order: the quantity right after the name it belongs to, before any code,
    # keeps a small model from taking "200m" in "튜브 10mm : 200m" for a code and guessing quantity 1.
    description: str
    quantity: float | None
    unit: str | None
    sku_or_code: str | None


class LLMOutput(BaseModel):
    """Everything the model can say about a document."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["rfq", "po", "invoice", "other"]
    customer_name: str | None
    customer_business_no: str | None
    items: list[LLMItem]


class LLMError(RuntimeError):
    """The model gave no usable answer (unreachable, timed out, or invalid output twice)."""


class LLMConfigError(ValueError):
    """The LLM settings do not name a usable endpoint."""


@dataclass(frozen=True)
class LLMHints:
    """Context the model may get besides the document: catalog lines ("SKU name") the document may mean.

    Empty by default: measured on the sample inbox with the local 1.5B model, catalog lines made it list the
    candidates as ordered items (3 of 8 documents right instead of 4) and cost ~200 prompt tokens per mail.
    """

    catalog: tuple[str, ...] = ()

    def render(self) -> str:
        if not self.catalog:
            return ""
        lines = "\n".join(f"- {line}" for line in self.catalog)
        return f"Catalog items the document may mean (write a code only if the document writes it):\n{lines}"


@dataclass(frozen=True)
class LLMResult:
    output: LLMOutput
    usage: LLMUsage
    attempts: int = 1


class LLMClient(Protocol):
    """One provider's way of asking a model to fill `LLMOutput` for a prepared document text."""

    @property
    def model(self) -> str: ...

    @property
    def prompt(self) -> Prompt: ...

    def extract(self, text: str, hints: LLMHints) -> LLMResult: ...


class LLMCache(Protocol):
    """Where answers are kept by key; the store's llm_cache table in production, a dict in tests."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str, usage: LLMUsage) -> None: ...


@dataclass
class MemoryCache:
    """An LLMCache in a dict: for tests and for runs without a database."""

    entries: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, value: str, usage: LLMUsage) -> None:
        self.entries[key] = value


def output_json_schema() -> dict[str, Any]:
    return LLMOutput.model_json_schema()


def user_message(prompt: Prompt, text: str, hints: LLMHints) -> str:
    return prompt.render_user(document=text, catalog_hint=hints.render()).strip()


def build_messages(prompt: Prompt, text: str, hints: LLMHints) -> list[dict[str, str]]:
    """System prompt, the worked examples, then the document. The fixed prefix comes first so a llama.cpp
    server reuses its KV cache for it and only reads the new document."""
    messages = [{"role": "system", "content": prompt.text}]
    for example in prompt.examples:
        messages.append({"role": "user", "content": user_message(prompt, example.document, LLMHints())})
        messages.append({"role": "assistant", "content": example.answer})
    messages.append({"role": "user", "content": user_message(prompt, text, hints)})
    return messages


def parse_output(content: str | None) -> LLMOutput:
    """The model's answer as LLMOutput; raises ValidationError for anything else (including extra fields)."""
    return LLMOutput.model_validate_json(content or "")


def cache_key(model: str, prompt_sha256: str, message: str) -> str:
    return hashlib.sha256("\0".join((model, prompt_sha256, message)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Endpoint:
    base_url: str | None  # None: the OpenAI SDK's default (api.openai.com)
    api_key: str
    model: str


def configured_endpoint(settings: Settings, environ: Mapping[str, str] = os.environ) -> Endpoint | None:
    """The remote endpoint named by INTAKE_LLM_* (first) or OPENAI_*; None when none is, meaning the local model."""
    base_url = settings.llm_base_url or environ.get("OPENAI_BASE_URL")
    api_key = settings.llm_api_key or environ.get("OPENAI_API_KEY")
    model = settings.llm_model or environ.get("OPENAI_MODEL")
    if not (base_url or api_key or model):
        return None
    if not model:
        raise LLMConfigError("an LLM endpoint is configured but no model: set INTAKE_LLM_MODEL (or OPENAI_MODEL)")
    # Local OpenAI-compatible servers (Ollama, vLLM, llama.cpp) accept any key; the SDK insists on one.
    return Endpoint(base_url=base_url, api_key=api_key or "not-needed", model=model)


def make_llm_client(
    settings: Settings, local_server: LocalServer | None = None, prompt_name: str = EXTRACT_PROMPT
) -> LLMClient | None:
    """The client for the configured endpoint, or for the local model; None when settings.llm is off.

    For the local model pass the running `local_server` (from `ensure_local_server`), or one is reused or started
    here and stopped when this process exits.
    """
    if not settings.llm_enabled:
        return None
    from extractors.providers.openai_compatible import OpenAICompatibleClient

    endpoint = configured_endpoint(settings)
    if endpoint is None:
        from extractors.local_server import ensure_local_server

        server = local_server or ensure_local_server(settings)
        endpoint = Endpoint(base_url=server.base_url, api_key="not-needed", model=server.model)
    return OpenAICompatibleClient(
        endpoint=endpoint,
        prompt=load_prompt(prompt_name),
        timeout_seconds=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )


def _cached_output(cache: LLMCache, key: str) -> LLMOutput | None:
    """The cached answer, or None when there is none or it was written for an older schema (then ask again)."""
    cached = cache.get(key)
    if cached is None:
        return None
    try:
        return parse_output(cached)
    except ValidationError:
        return None


def extract_with_llm(
    client: LLMClient,
    text: DocumentText,
    *,
    max_input_chars: int,
    envelope: Envelope | None = None,
    hints: LLMHints | None = None,
    cache: LLMCache | None = None,
) -> LLMResult:
    """Ask the model about a document, or answer from the cache when the same model, prompt and text were seen.

    Raises LLMError when the model gives no usable answer: the caller then goes on with the rules alone and
    sends the document to review.
    """
    hints = hints or LLMHints()
    prepared = prepare_llm_text(text, envelope, max_input_chars)
    key = cache_key(client.model, client.prompt.sha256, user_message(client.prompt, prepared, hints))
    started = time.monotonic()
    output = _cached_output(cache, key) if cache is not None else None
    if output is not None:
        latency_ms = int((time.monotonic() - started) * 1000)
        usage = LLMUsage(model=client.model, prompt_sha256=client.prompt.sha256, latency_ms=latency_ms, cached=True)
        return LLMResult(output=output, usage=usage, attempts=0)
    result = client.extract(prepared, hints)
    if cache is not None:
        cache.put(key, result.output.model_dump_json(), result.usage)
    return result

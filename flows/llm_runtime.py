"""The LLM client a run uses: a remote endpoint as configured, or the local model started only when needed.

The local server costs ~2 GB and seconds to load, so it is started on the first document that misses the
cache, not when a run opens: a re-run of documents already seen never starts it.
"""

from __future__ import annotations

from contextlib import ExitStack

from extractors.llm import EXTRACT_PROMPT, LLMClient, LLMHints, LLMResult, configured_endpoint, make_llm_client
from extractors.local_model import QWEN_CODER_1_5B
from extractors.local_server import ensure_local_server
from prompts import Prompt, load_prompt
from schemas.settings import Settings


class LazyLocalClient:
    """An LLMClient for the embedded model whose server starts (or is reused) on the first real call."""

    def __init__(self, settings: Settings, stack: ExitStack) -> None:
        self._settings, self._stack = settings, stack
        self._prompt = load_prompt(EXTRACT_PROMPT)
        self._client: LLMClient | None = None

    @property
    def model(self) -> str:
        return QWEN_CODER_1_5B.alias

    @property
    def prompt(self) -> Prompt:
        return self._prompt

    def extract(self, text: str, hints: LLMHints) -> LLMResult:
        if self._client is None:
            server = self._stack.enter_context(ensure_local_server(self._settings))
            self._client = make_llm_client(self._settings, local_server=server)
            assert self._client is not None  # llm is on: make_llm_client returns a client
        return self._client.extract(text, hints)


def open_llm_client(settings: Settings, stack: ExitStack) -> LLMClient | None:
    """None when INTAKE_LLM=off; the configured endpoint's client; else the lazily started local model."""
    if not settings.llm_enabled:
        return None
    if configured_endpoint(settings) is not None:
        return make_llm_client(settings)
    return LazyLocalClient(settings, stack)

"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp / xllamacpp.

Structured output through `response_format` json_schema (llama.cpp turns the schema into a grammar, so the local
model cannot produce anything else). Token counts come from the server's `usage`, never from a local tokenizer.
"""

from __future__ import annotations

import time

import openai
from pydantic import ValidationError

from extractors.llm import (
    Endpoint,
    LLMError,
    LLMHints,
    LLMOutput,
    LLMResult,
    build_messages,
    output_json_schema,
    parse_output,
)
from prompts import Prompt
from schemas.extraction import LLMUsage

# Ten line items in compact JSON take ~300 tokens; the cap only stops a model that runs on.
MAX_COMPLETION_TOKENS = 1024
REASK = (
    "That answer was not valid: {error}. Answer again with only the JSON object for the document above, "
    "following the schema."
)


class OpenAICompatibleClient:
    """Temperature 0, a timeout, the SDK's bounded retries for transient errors, and one re-ask for bad output."""

    def __init__(self, endpoint: Endpoint, prompt: Prompt, timeout_seconds: float, max_retries: int) -> None:
        self._endpoint = endpoint
        self._prompt = prompt
        self._client = openai.OpenAI(
            base_url=endpoint.base_url, api_key=endpoint.api_key, timeout=timeout_seconds, max_retries=max_retries
        )
        self._response_format = {
            "type": "json_schema",
            "json_schema": {"name": "document_extraction", "schema": output_json_schema(), "strict": True},
        }

    @property
    def model(self) -> str:
        return self._endpoint.model

    @property
    def prompt(self) -> Prompt:
        return self._prompt

    def extract(self, text: str, hints: LLMHints) -> LLMResult:
        messages = build_messages(self._prompt, text, hints)
        usage = LLMUsage(model=self.model, prompt_sha256=self._prompt.sha256)
        started = time.monotonic()
        content = self._complete(messages, usage)
        output, error = _parse(content)
        attempts = 1
        if output is None:
            attempts = 2
            reask = [
                {"role": "assistant", "content": content or ""},
                {"role": "user", "content": REASK.format(error=error)},
            ]
            output, error = _parse(self._complete([*messages, *reask], usage))
            if output is None:
                raise LLMError(f"{self.model} gave invalid output twice: {error}")
        usage.latency_ms = int((time.monotonic() - started) * 1000)
        return LLMResult(output=output, usage=usage, attempts=attempts)

    def _complete(self, messages: list[dict[str, str]], usage: LLMUsage) -> str | None:
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0,
                max_tokens=MAX_COMPLETION_TOKENS,
                response_format=self._response_format,  # type: ignore[arg-type]
            )
        except openai.APIError as exc:
            raise LLMError(f"{self.model} at {self._endpoint.base_url or 'the OpenAI API'}: {exc}") from exc
        if response.usage is not None:
            usage.prompt_tokens += response.usage.prompt_tokens
            usage.completion_tokens += response.usage.completion_tokens
        if not response.choices:
            return None
        return response.choices[0].message.content


def _parse(content: str | None) -> tuple[LLMOutput | None, str]:
    """The answer and no error, or no answer and a short error the re-ask can quote back to the model."""
    try:
        return parse_output(content), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        return None, f"{where}: {first['msg']}"[:300]

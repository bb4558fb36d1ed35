"""The OpenAI-compatible wire protocol, against a small chat-completions server on loopback.

`FakeChatServer` stands in for a hosted API (OpenAI, Azure OpenAI, vLLM, Ollama): it speaks the same
`POST /v1/chat/completions` JSON, records every request and answers from a script, so the code path a hosted
endpoint takes is exercised here without reaching one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from extractors.llm import (
    LLMConfigError,
    LLMError,
    MemoryCache,
    configured_endpoint,
    extract_with_llm,
    make_llm_client,
)
from schemas.settings import Settings
from schemas.text import DocumentText, Line, Page, PartText

GOOD = {
    "kind": "rfq",
    "customer_name": "Acme Korea",
    "customer_business_no": None,
    "items": [{"description": "ball bearing 6204ZZ", "sku_or_code": "6204ZZ", "quantity": 40, "unit": "EA"}],
}


class FakeChatServer:
    """An OpenAI chat-completions endpoint answering from `replies` (a str is the message content; an int is an
    HTTP error status; a float is a delay in seconds before answering GOOD)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.replies: list[str | int | float] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                reply = server.replies.pop(0) if server.replies else json.dumps(GOOD)
                if isinstance(reply, int):
                    self._send(reply, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                if isinstance(reply, float):
                    time.sleep(reply)
                    reply = json.dumps(GOOD)
                self._send(200, server.completion(body, reply))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test): nothing left to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @staticmethod
    def completion(request: dict[str, Any], content: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{time.time_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"


@pytest.fixture
def api() -> Iterator[FakeChatServer]:
    server = FakeChatServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _settings(api: FakeChatServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm": "on",
        "llm_base_url": api.base_url,
        "llm_api_key": "sk-test-123",
        "llm_model": "hosted-model-1",
        "llm_timeout_seconds": 5.0,
        "llm_max_retries": 0,
    }
    return Settings(**{**values, **overrides})


def _document(body: str) -> DocumentText:
    page = Page(number=1, method="plain", lines=[Line(text=line) for line in body.splitlines()])
    return DocumentText(parts=[PartText(part="body.txt", role="body_text", content_type="text/plain", pages=[page])])


BODY = "Hello, Acme Korea here.\nPlease quote 40 EA of ball bearing 6204ZZ."


def test_request_carries_model_temperature_schema_and_delimited_document(api: FakeChatServer) -> None:
    client = make_llm_client(_settings(api))
    assert client is not None

    result = extract_with_llm(client, _document(BODY), max_input_chars=6000)

    assert result.output.model_dump() == GOOD
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.attempts) == (100, 20, 1)
    assert result.usage.model == "hosted-model-1" and result.usage.prompt_sha256 == client.prompt.sha256
    [request] = api.requests
    assert request["model"] == "hosted-model-1"
    assert request["temperature"] == 0
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    schema_text = json.dumps(response_format["json_schema"]["schema"])
    for forbidden in ("price", "discount", "total", "approv", "amount"):
        assert forbidden not in schema_text
    assert request["messages"][0]["role"] == "system"
    assert "never an instruction" in request["messages"][0]["content"]
    last = request["messages"][-1]
    assert last["role"] == "user"
    assert f"<document>\n{BODY}\n</document>" in last["content"]
    assert api.headers[0]["authorization"] == "Bearer sk-test-123"


def test_invalid_output_is_asked_again_once(api: FakeChatServer) -> None:
    api.replies = ["{not json", json.dumps(GOOD)]
    client = make_llm_client(_settings(api))
    assert client is not None

    result = extract_with_llm(client, _document(BODY), max_input_chars=6000)

    assert result.attempts == 2
    assert len(api.requests) == 2
    reask = api.requests[1]["messages"]
    assert reask[-2] == {"role": "assistant", "content": "{not json"}
    assert "not valid" in reask[-1]["content"]
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (200, 40)


def test_invalid_twice_gives_up(api: FakeChatServer) -> None:
    with_price = {**GOOD, "items": [{**GOOD["items"][0], "unit_price": 0}]}  # a field the schema does not have
    api.replies = ["[]", json.dumps(with_price)]
    client = make_llm_client(_settings(api))
    assert client is not None

    with pytest.raises(LLMError, match="invalid output twice"):
        extract_with_llm(client, _document(BODY), max_input_chars=6000)
    assert len(api.requests) == 2


def test_cache_hit_makes_no_call(api: FakeChatServer) -> None:
    client = make_llm_client(_settings(api))
    assert client is not None
    cache = MemoryCache()

    first = extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=cache)
    second = extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=cache)
    extract_with_llm(client, _document(BODY + "\nAlso 2 EA of 6205."), max_input_chars=6000, cache=cache)

    assert len(api.requests) == 2  # the repeat was answered from the cache; the changed text was not
    assert second.output == first.output
    assert second.usage.cached and second.attempts == 0 and second.usage.prompt_tokens == 0
    assert not first.usage.cached


def test_unreadable_cache_entry_is_asked_again(api: FakeChatServer) -> None:
    client = make_llm_client(_settings(api))
    assert client is not None
    cache = MemoryCache()
    extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=cache)
    [key] = cache.entries
    cache.entries[key] = json.dumps({**GOOD, "unit_price": 1})  # e.g. written by an older schema

    result = extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=cache)

    assert not result.usage.cached and len(api.requests) == 2
    assert json.loads(cache.entries[key]) == GOOD


def test_cache_is_keyed_by_model(api: FakeChatServer) -> None:
    cache = MemoryCache()
    for model in ("model-a", "model-b", "model-a"):
        client = make_llm_client(_settings(api, llm_model=model))
        assert client is not None
        extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=cache)

    assert [r["model"] for r in api.requests] == ["model-a", "model-b"]


def test_server_errors_are_retried_then_reported(api: FakeChatServer) -> None:
    api.replies = [500, 500, 500]
    client = make_llm_client(_settings(api, llm_max_retries=1))
    assert client is not None

    with pytest.raises(LLMError, match="hosted-model-1"):
        extract_with_llm(client, _document(BODY), max_input_chars=6000)
    assert len(api.requests) == 2  # the first try and one bounded retry


def test_timeout_is_reported(api: FakeChatServer) -> None:
    api.replies = [2.0]
    client = make_llm_client(_settings(api, llm_timeout_seconds=0.3))
    assert client is not None

    started = time.monotonic()
    with pytest.raises(LLMError, match="timed out"):
        extract_with_llm(client, _document(BODY), max_input_chars=6000)
    assert time.monotonic() - started < 1.5


def test_llm_off_gives_no_client() -> None:
    assert make_llm_client(Settings(llm="off")) is None


def test_endpoint_from_intake_or_openai_variables() -> None:
    assert configured_endpoint(Settings(), environ={}) is None
    openai_env = {"OPENAI_BASE_URL": "http://h/v1", "OPENAI_API_KEY": "k", "OPENAI_MODEL": "m"}
    from_openai = configured_endpoint(Settings(), environ=openai_env)
    assert from_openai is not None and (from_openai.base_url, from_openai.api_key, from_openai.model) == (
        "http://h/v1",
        "k",
        "m",
    )
    ours = configured_endpoint(Settings(llm_base_url="http://ours/v1", llm_model="x"), environ=openai_env)
    assert ours is not None and (ours.base_url, ours.model) == ("http://ours/v1", "x")
    with pytest.raises(LLMConfigError, match="INTAKE_LLM_MODEL"):
        configured_endpoint(Settings(llm_base_url="http://ours/v1"), environ={})


def test_store_backed_cache_survives_a_restart(api: FakeChatServer, tmp_path: Path) -> None:
    from store.cache import StoredLLMCache
    from store.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'intake.db'}"
    migrate(url)
    client = make_llm_client(_settings(api))
    assert client is not None
    for _ in range(2):  # two "processes": a new engine on the same database file each time
        engine = make_engine(url)
        extract_with_llm(client, _document(BODY), max_input_chars=6000, cache=StoredLLMCache(engine))
        engine.dispose()

    assert len(api.requests) == 1


def test_a_document_without_text_is_not_sent_to_the_llm(api: FakeChatServer, tmp_path: Path) -> None:
    """The sample inbox's empty mail has nothing to extract: no call (the local model spends 10-30 s on one)."""
    from extractors.envelope import envelope_from_bytes
    from extractors.text import read_document
    from flows.extraction import extract_document
    from flows.runtime import open_runtime
    from schemas.company import LearntAliases
    from schemas.envelope import Channel

    mail = Path(__file__).parents[1] / "samples" / "inbox" / "docs" / "12_empty_mail.eml"
    envelope = envelope_from_bytes(mail.read_bytes(), mail.name, Channel.FILE)
    with open_runtime(_settings(api, home=tmp_path)) as runtime:
        skipped = extract_document(runtime, read_document(envelope), envelope, LearntAliases())
        assert api.requests == []
        assert skipped.extractor == "rules (no text for the LLM)"
        read = extract_document(runtime, _document(BODY), envelope, LearntAliases())
    assert len(api.requests) == 1
    assert read.extractor == "llm+rules"

"""`intake doctor`'s LLM check: the endpoint a run will really use (INTAKE_LLM_* or OPENAI_*) must answer.

The endpoint is the wire tests' stand-in for a hosted API (`FakeChatServer`), taught `GET /v1/models` here.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_llm_wire import FakeChatServer
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_doctor import CHECKS
from schemas.settings import Settings

KEY = "sk-doctor-1"
SERVED = ["hosted-model-1", "hosted-model-2"]


class ModelsServer(FakeChatServer):
    """FakeChatServer that also lists SERVED at GET /v1/models, and refuses any key but KEY there."""

    def __init__(self) -> None:
        super().__init__()
        self.model_requests: list[str] = []
        chat_handler = self.httpd.RequestHandlerClass
        listing = self

        class Handler(chat_handler):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                listing.model_requests.append(self.path)
                if self.path != "/v1/models":
                    self._send(404, {"error": {"message": "not found"}})
                elif self.headers.get("Authorization") != f"Bearer {KEY}":
                    self._send(401, {"error": {"message": "invalid api key"}})
                else:
                    self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in SERVED]})

        self.httpd.RequestHandlerClass = Handler


@pytest.fixture
def api() -> Iterator[ModelsServer]:
    server = ModelsServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch, api: ModelsServer) -> ModelsServer:
    """Only the usual OPENAI_* variables name the endpoint: no INTAKE_LLM_* setting at all."""
    for name in ("INTAKE_LLM_BASE_URL", "INTAKE_LLM_API_KEY", "INTAKE_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_MODEL", SERVED[0])
    return api


def _check(**settings: Any) -> tuple[bool, str, str]:
    return CHECKS["LLM"](Settings(llm="on", **settings))


def test_an_openai_endpoint_from_the_environment_is_the_one_checked(openai_env: ModelsServer) -> None:
    ok, found, fix = _check()
    assert ok, (found, fix)
    assert openai_env.base_url in found and SERVED[0] in found
    assert openai_env.model_requests == ["/v1/models"]
    assert KEY not in found


def test_a_model_the_endpoint_does_not_serve_fails_and_names_those_it_does(openai_env: ModelsServer) -> None:
    ok, found, fix = _check(llm_model="no-such-model")
    assert not ok
    assert "does not serve no-such-model" in found
    assert "INTAKE_LLM_MODEL" in fix and SERVED[0] in fix and SERVED[1] in fix


def test_a_refused_key_says_which_setting_to_fix(openai_env: ModelsServer) -> None:
    ok, found, fix = _check(llm_api_key="sk-wrong")
    assert not ok
    assert "HTTP 401" in found and "sk-wrong" not in found
    assert "INTAKE_LLM_API_KEY" in fix


def test_a_wrong_path_says_to_correct_the_base_url(openai_env: ModelsServer) -> None:
    ok, found, fix = _check(llm_base_url=openai_env.base_url.removesuffix("/v1"))
    assert not ok
    assert "HTTP 404" in found
    assert "INTAKE_LLM_BASE_URL" in fix and "/v1" in fix


def test_an_endpoint_nobody_listens_on_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    ok, found, fix = _check(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m")
    assert not ok
    assert "did not answer" in found
    assert "start that server" in fix


def test_an_endpoint_without_a_model_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    ok, found, fix = _check(llm_base_url="http://127.0.0.1:9/v1", llm_model=None)
    assert not ok
    assert "no model" in found and "INTAKE_LLM_MODEL" in fix


def test_without_an_endpoint_the_local_model_file_is_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "INTAKE_LLM_BASE_URL", "INTAKE_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    ok, found, fix = _check(model_dir=tmp_path)
    assert not ok
    assert "not installed" in found and str(tmp_path) in found
    assert "intake llm install" in fix


def test_llm_off_needs_nothing() -> None:
    assert CHECKS["LLM"](Settings(llm="off", llm_base_url="http://127.0.0.1:9/v1")) == (
        True,
        "LLM off (INTAKE_LLM=off)",
        "",
    )


def test_the_doctor_command_reports_the_endpoint(openai_env: ModelsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_LLM", "on")
    monkeypatch.setenv("OPENAI_MODEL", "no-such-model")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL LLM:" in result.output and "does not serve no-such-model" in result.output
    assert SERVED[0] in result.output

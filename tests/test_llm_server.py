"""Local model server lifecycle without loading the model: a busy port is refused with a clear error.

(Starting, reusing and stopping the real xllamacpp server is in test_llm_real.py, marked `llm`.)
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from extractors.local_server import LocalServer, LocalServerError, PortState, ensure_local_server, probe_port
from schemas.settings import Settings

MODEL = "qwen2.5-coder-1.5b-instruct"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A socket that accepts connections and never answers (a hung service, or a non-HTTP one)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


class _OtherApp(BaseHTTPRequestHandler):
    """Some other web app: /v1/models answers, but with a different model."""

    def do_GET(self) -> None:
        body = b'{"object": "list", "data": [{"id": "someone-elses-model"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def other_app() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _OtherApp)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(llm="on", llm_port=port, home=tmp_path / "home", model_dir=tmp_path / "no-model-here")


def test_free_port_is_free() -> None:
    assert probe_port(_free_port(), MODEL) is PortState.FREE


@pytest.mark.parametrize("occupant", ["silent_listener", "other_app"])
def test_port_in_use_by_something_else_is_a_clear_error(
    occupant: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    port = request.getfixturevalue(occupant)
    assert probe_port(port, MODEL) is PortState.OTHER

    with pytest.raises(LocalServerError, match=rf"port 127\.0\.0\.1:{port} is in use .*INTAKE_LLM_PORT"):
        ensure_local_server(_settings(tmp_path, port))
    assert not (tmp_path / "no-model-here").exists()  # refused before installing or starting anything


def test_stopping_a_reused_server_leaves_it_running() -> None:
    reused = LocalServer(port=_free_port(), model=MODEL)

    reused.stop()

    assert not reused.started_here
    assert reused.peak_rss_bytes() is None
